"""`actionbot report drift`: the DSL's drift report in every format."""

from __future__ import annotations

import argparse
import os
from typing import IO, TYPE_CHECKING

from bot.cli.common import (
    Subparsers,
    UsageError,
    WithCore,
    WithoutCore,
    day_arg,
    moment_arg,
    output_to,
    person_arg,
    private_file,
    warn,
)
from bot.config import Settings
from bot.reports.definitions import CSV_SECTIONS

if TYPE_CHECKING:
    from bot.app import Core


def add_parsers(sub: Subparsers) -> None:
    """report."""
    p = sub.add_parser("report", help="reports for DSLs")
    p.add_argument("report_kind", choices=["drift"])
    p.add_argument("--now", help="the clock, ISO (local unless an offset is given)")
    p.add_argument("--format", choices=["md", "csv", "json", "xlsx", "html"], default="md")
    p.add_argument("--out", help="file to write (default stdout; required for xlsx)")
    p.add_argument(
        "--section",
        choices=CSV_SECTIONS,
        help="with --format csv: the table to write (default drifting; the others are summary, agencies, "
        "owners, meetings, trend, delivery)",
    )
    p.add_argument("--agency", help="only actions owned by this agency's people")
    p.add_argument("--meeting", type=int, metavar="ID", help="only this meeting's actions")
    p.add_argument("--case", metavar="CASEREF")
    p.add_argument("--chair", metavar="PERSON", help="only actions this person recorded or chaired")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only actions recorded on or after this date")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="only actions recorded on or before this date")
    p.add_argument("--as", dest="as_", metavar="PERSON", help="who asks (must be a DSL or admin)")


def cmd_report(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.actions import authz
    from bot.actions.service import ServiceError
    from bot.reports.as_text import csv_table
    from bot.reports.drift import build_report
    from bot.reports.filters import DriftFilters
    from bot.reports.render import render

    now = moment_arg(args.now, core.calendar.zone)
    viewer = args.as_ or os.environ.get("ACTIONBOT_AS")
    if viewer:
        who = core.service.person(person_arg(viewer))
        if who is None or who.role not in authz.OVERSIGHT_ROLES or not who.active:
            raise ServiceError("Drift reports are for DSLs and admins. Nothing was produced.")
    filters = DriftFilters(
        agency=args.agency,
        meeting_id=args.meeting,
        case_ref=args.case.lstrip("#").upper() if args.case else None,
        chair=person_arg(args.chair, "--chair").ref if args.chair else None,
        since=day_arg(args.since, "--since"),
        until=day_arg(args.until, "--until"),
    )
    if args.section and args.format != "csv":
        raise UsageError("--section picks one table for --format csv; the other formats hold every table")
    if args.format == "xlsx" and (not args.out or args.out == "-"):
        raise UsageError("--format xlsx needs --out FILE")
    report = build_report(core.db, core.settings, core.calendar, now, filters)
    data = render(report, args.format, args.section)
    if args.format == "csv" and (note := csv_table(report, args.section or "drifting")[2]):
        warn(note)  # a capped list says so, beside the file rather than inside the table
    if isinstance(data, bytes):
        with private_file(args.out, "wb") as binary:
            binary.write(data)
    else:
        with output_to(args.out, out) as handle:
            handle.write(data)
    if args.out and args.out != "-":
        warn(f"Wrote the drift report to {args.out}")
    return 0


WITH_CORE: dict[str, WithCore] = {"report": cmd_report}
WITHOUT_CORE: dict[str, WithoutCore] = {}
