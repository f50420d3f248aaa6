"""`actionbot export`, `audit`, `retention` and `people`: what the log owes people and auditors."""

from __future__ import annotations

import argparse
import os
from typing import IO, TYPE_CHECKING

from bot.capture.dates import describe_working_days, utcnow
from bot.cli.common import (
    Subparsers,
    UsageError,
    WithCore,
    WithoutCore,
    moment_arg,
    output_to,
    person_arg,
    principal_for,
    warn,
)
from bot.config import Settings

if TYPE_CHECKING:
    from bot.app import Core


def add_parsers(sub: Subparsers) -> None:
    """export, audit, retention, people."""
    p = sub.add_parser("export", help="export actions, the event log, a person's data or a case chronology")
    p.add_argument("--format", choices=["csv", "jsonl", "json"], help="default csv (json for --person/--case)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--events", action="store_true", help="the event log instead of the actions")
    which.add_argument("--person", metavar="PERSON", help="everything held about one person (subject access)")
    which.add_argument("--case", metavar="CASEREF", help="a case chronology")
    p.add_argument("--out", help="file to write (default stdout)")
    p.add_argument("--as", dest="as_", metavar="PERSON", help="who is exporting (default: the operator)")

    p = sub.add_parser("audit", help="check the action log")
    p.add_argument("audit_command", choices=["verify"])
    p.add_argument(
        "--full",
        action="store_true",
        help="check every event from the first (default: the events since the last verified checkpoint)",
    )

    p = sub.add_parser("retention", help="remove personal data from actions past their retention period")
    p.add_argument("retention_command", choices=["apply"])
    p.add_argument("--dry-run", action="store_true", help="list what would be removed; change nothing")
    p.add_argument("--now", help="the clock, ISO (local unless an offset is given)")

    p = sub.add_parser("people", help="people and roles")
    people = p.add_subparsers(dest="people_command", required=True, metavar="VERB")
    people.add_parser("list", help="everyone the bot knows")
    q = people.add_parser("set-role", help="set a person's role")
    q.add_argument("person")
    q.add_argument("role", choices=["member", "chair", "dsl", "admin"])
    q.add_argument("--reason", help="why (written to the action log with the change)")
    q = people.add_parser("set", help="add or update a person")
    q.add_argument("person")
    q.add_argument("--name")
    q.add_argument("--email", help="their address (replaces the one known, and clears an earlier delivery failure)")
    q.add_argument("--agency")
    q.add_argument("--timezone")
    q.add_argument("--active", choices=["yes", "no"])
    q.add_argument("--escalation", metavar="PERSON", help="who is told when their actions drift")
    q.add_argument(
        "--working-days", metavar="DAYS", help="the weekdays they work, e.g. Mon-Wed (their reminders keep to these)"
    )
    q.add_argument(
        "--digest", choices=["yes", "no", "default"], help="one morning message with all their reminders (or not)"
    )
    q.add_argument("--reason", help="why (written to the action log with a change to someone already known)")
    q = people.add_parser("away", help="set or end someone's leave (their reminders go to the cover or wait)")
    q.add_argument("person")
    q.add_argument(
        "when", nargs="+", help='as after /away: "until 18 Dec", "from 21 Dec until 4 Jan cover @sam", "off"'
    )


def cmd_export(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.actions import authz
    from bot.actions.people import find_person
    from bot.actions.service import ServiceError
    from bot.governance.export import ExportRequest, export
    from storage.log import append_event

    now = utcnow()
    what = "events" if args.events else "person" if args.person else "case" if args.case else "actions"
    fmt = args.format or ("json" if what in ("person", "case") else "csv")
    with core.db.transaction() as session:
        principal = principal_for(session, args.as_ or os.environ.get("ACTIONBOT_AS"))
        subject = None
        if what in ("person", "case", "events") and not authz.may_report(principal):
            raise ServiceError("Subject access exports, case chronologies and the event log are for DSLs and admins.")
        if args.person:
            subject = find_person(session, person_arg(args.person, "--person").ref)
            if subject is None:
                raise ServiceError("No one by that name, email or id is known.")
        request = ExportRequest(
            what, fmt, subject.id if subject else None, args.case.lstrip("#").upper() if args.case else None
        )
        try:
            with output_to(args.out, out) as handle:
                count = export(session, request, authz.visible_to(principal), handle, now)
        except ValueError as exc:
            raise UsageError(f"--format {fmt}: {exc}") from None
        # Who exported what is part of the record (ids only: the log must not repeat the personal data).
        append_event(
            session,
            kind="exported",
            at=now,
            actor_id=principal.id,
            details={
                "what": what,
                "format": fmt,
                "records": count,
                "person_id": request.person_id,
                "case_ref": request.case_ref,
            },
        )
    if args.out and args.out != "-":
        warn(f"Wrote {count} records ({what}) to {args.out}")
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from storage.log import last_checkpoint, record_checkpoint, verify_chain

    with core.db.reading() as session:
        report = verify_chain(session, None if args.full else last_checkpoint(session))
    if report.ok:
        with core.db.transaction() as session:
            record_checkpoint(session, report, utcnow(), full=args.full)
    out.write(report.describe() + "\n")
    return 0 if report.ok else 1


def cmd_retention(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.governance.retention import apply_retention

    now = moment_arg(args.now, core.calendar.zone)
    items = apply_retention(core.db, settings.retention, now, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for item in items:
        out.write(
            f"{item.ref:<8} {item.status:<10} closed {item.closed_at:%Y-%m-%d}  {verb} personal data ({item.rule})\n"
        )
    out.write(f"{len(items)} actions {'would be' if args.dry_run else 'were'} redacted.\n")
    return 0


def cmd_people(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.actions.away import has_an_address, parse_away, refuse_unreachable_cover, set_away
    from bot.actions.directory import DIGEST_CHOICES, list_people, set_digest, set_role, update_person
    from bot.actions.messages import away_text
    from bot.actions.people import PersonInput
    from bot.capture.grammar import GrammarError

    now = utcnow()
    today = core.calendar.today(now)
    if args.people_command == "list":
        for person in list_people(core.db):
            ids = " ".join(x for x in (person.email, person.slack_user_id, person.teams_object_id) if x)
            away = away_text(person, today, now)
            extra = f"  works {describe_working_days(person.working_days)}" if person.working_days else ""
            extra += f"  away {away}" if away else ""
            extra += "  email refused (give their address again with --email)" if person.email_failed else ""
            out.write(f"{person.id:>5}  {person.name:<30} {person.role:<7} {person.agency or '-':<20} {ids}{extra}\n")
        return 0
    who = person_arg(args.person, "PERSON")
    if args.people_command == "away":
        try:
            request = parse_away(" ".join(args.when), now, core.calendar)
        except GrammarError as error:
            raise UsageError(str(error)) from None
        cover = PersonInput(request.cover) if request.cover is not None else None
        if cover is not None:  # this command has no chat connections: an address or an account is what counts
            refuse_unreachable_cover(cover, core.service.person_meant(cover), has_an_address)
        person = set_away(
            core.db,
            who,
            request,
            actor=None,
            cover=cover,
            now=now,
            today=today,
            listeners=core.service.listeners,
        )
        away = away_text(person, today, now)
        out.write(f"{person.name} is away {away}.\n" if away else f"{person.name} is back.\n")
        return 0
    if args.people_command == "set-role":
        person = set_role(core.db, who, args.role, now=utcnow(), reason=args.reason, listeners=core.service.listeners)
        out.write(f"{person.name} is now {person.role}.\n")
        return 0
    person = update_person(
        core.db,
        who,
        name=args.name,
        email=args.email,
        agency=args.agency,
        timezone=args.timezone,
        active=None if args.active is None else args.active == "yes",
        escalation=person_arg(args.escalation, "--escalation") if args.escalation else None,
        working_days=args.working_days,
        now=utcnow(),
        reason=args.reason,
        listeners=core.service.listeners,
    )
    if args.digest is not None:
        person = set_digest(core.db, who, DIGEST_CHOICES[args.digest], now=utcnow())
    out.write(f"Saved {person.name} (#{person.id}).\n")
    return 0


WITH_CORE: dict[str, WithCore] = {
    "export": cmd_export,
    "audit": cmd_audit,
    "retention": cmd_retention,
    "people": cmd_people,
}
WITHOUT_CORE: dict[str, WithoutCore] = {}
