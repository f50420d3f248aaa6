"""The weekly job: send each DSL the drift report as a direct message, then check the action log's hash
chain since the last verified checkpoint (and tell the DSLs when it is broken)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.actions.messages import Field, Message
from bot.actions.ports import DeliveryError
from bot.actions.records import PersonView
from bot.config import DriftSettings
from bot.reports.as_text import text_cell
from bot.reports.definitions import MARKING, DriftReport, reason_label
from bot.reports.drift import build_report
from bot.reports.filters import DriftFilters
from bot.reports.statutory import statutory_text
from bot.reports.summary import headline_text, nudge_count, unreachable_text
from storage.log import last_checkpoint, record_checkpoint, verify_chain
from storage.models import Person
from storage.runs import claim_run

if TYPE_CHECKING:
    from bot.app import Core

log = logging.getLogger("actionbot.weekly")

#: How many drifting actions the weekly message lists (the full report has them all).
WEEKLY_TOP = 10
FULL_REPORT_HINT = (
    "The full report (by agency, owner and meeting, the weekly trend, and a workbook): type /drift in Slack, "
    "or run: actionbot report drift --format xlsx --out drift.xlsx"
)


def _dsls(core: Core) -> list[PersonView]:
    with core.db.reading() as session:
        rows = session.scalars(
            select(Person).where(Person.role.in_(("dsl", "admin")), Person.active.is_(True)).order_by(Person.id)
        ).unique()
        return [PersonView.of(p) for p in rows]


def audit_check(core: Core, now: datetime, *, full: bool = False) -> bool:
    """Verify the chain since the last checkpoint (or, ``full``, all of it) and record a new checkpoint;
    on a break, alert every DSL and admin who can be reached. True when intact."""
    with core.db.reading() as session:
        report = verify_chain(session, None if full else last_checkpoint(session))
    if report.ok:
        with core.db.transaction() as session:
            record_checkpoint(session, report, now, full=report.first == 1)
        log.info("audit: %s events from #%s, chain intact", report.checked, report.first)
        return True
    log.error("audit: chain broken at event %s", report.broken_seq)
    alert = Message(
        title="actionbot: the action log failed its integrity check",
        text=f"{report.describe()}\nRun `actionbot audit verify --full` and contact your system administrator.",
    )
    for person in _dsls(core):
        messenger = core.router.for_person(person)
        if messenger is None:
            continue
        try:
            messenger.send_direct(person, alert)
        except Exception:  # the error log above already carries the alarm; keep alerting the others
            log.exception("audit alert to person %s failed", person.id)
    return False


# -- the weekly drift report ------------------------------------------------------------------------
def weekly_message(report: DriftReport, cfg: DriftSettings, top: int = WEEKLY_TOP) -> Message:
    """The drift report as a platform-neutral message: the headline, the longest-overdue drifting
    actions with their reasons, and how to get the full report."""
    zone = ZoneInfo(report.timezone)
    h = report.headline
    lines = [MARKING, headline_text(report), ""]
    if report.items:
        lines.append(f"Drifting actions, longest overdue first ({min(top, len(report.items))} of {h.drifting}):")
    else:
        lines.append("Nothing is drifting.")
    for item in report.items[:top]:
        late = f", {item.days_late} working days late" if item.days_late is not None else ""
        case = f" #{item.case_ref}" if item.case_ref else ""
        reasons = "; ".join(reason_label(r, cfg) for r in item.reasons)
        due = text_cell(item.deadline, zone)
        lines.append(f"{item.ref}{case}  {item.task}  ({item.owner}, due {due}{late}): {reasons}")
    notes = []
    if report.delivery_total:
        notes.append(
            f"{nudge_count(report.delivery_total)} could not be delivered ({report.stuck_total} stuck, "
            f"{report.unreachable_total} to people with no chat or email address): see the full report."
        )
    if unreachable := unreachable_text(report):
        notes.append(unreachable)
    if statutory := statutory_text(report):
        notes.append(statutory)
    notes += [FULL_REPORT_HINT, MARKING]
    return Message(
        title=f"Weekly drift report: {h.drifting} drifting of {h.open} open actions",
        fields=(
            Field("Drifting", str(h.drifting)),
            Field("Overdue", str(h.overdue)),
            Field("Median working days overdue", text_cell(h.median_days_overdue, zone) or "-"),
            Field("Done in the last 7 days", str(h.done_this_week)),
            Field("Nudges not delivered", str(report.delivery_total)),
        ),
        notes=tuple(notes),
        text="\n".join(lines),
    )


@dataclass(frozen=True)
class WeeklyOutcome:
    """Whom the weekly report reached, by person id (ids only: this is what gets logged)."""

    sent: tuple[int, ...]
    unreachable: tuple[int, ...]
    failed: tuple[int, ...]


def _report_recipients(core: Core) -> list[PersonView]:
    """Every active person with the ``dsl`` role (set with ``actionbot people set-role PERSON dsl``)."""
    with core.db.reading() as session:
        rows = session.scalars(
            select(Person).where(Person.role == "dsl", Person.active.is_(True)).order_by(Person.id)
        ).unique()
        return [PersonView.of(p) for p in rows]


def send_weekly_reports(core: Core, now: datetime) -> WeeklyOutcome:
    """Build the partnership-wide drift report once and send it to each DSL. A DSL who cannot be reached,
    or whose delivery fails, is logged (by id) and the others still get theirs."""
    report = build_report(core.db, core.settings, core.calendar, now, DriftFilters())
    message = weekly_message(report, core.settings.drift)
    sent: list[int] = []
    unreachable: list[int] = []
    failed: list[int] = []
    for person in _report_recipients(core):
        messenger = core.router.for_person(person)
        if messenger is None:
            log.warning("weekly report: no configured channel reaches DSL person %s; not sent", person.id)
            unreachable.append(person.id)
            continue
        try:
            messenger.send_direct(person, message)
        except DeliveryError as error:  # its message carries no personal data (bot.actions.ports)
            log.warning("weekly report to person %s via %s failed: %s", person.id, messenger.channel, error)
            failed.append(person.id)
        except Exception:
            log.exception("weekly report to person %s via %s failed", person.id, messenger.channel)
            failed.append(person.id)
        else:
            sent.append(person.id)
    log.info(
        "weekly report: %s drifting of %s open; sent to %s DSLs, %s unreachable, %s failed",
        report.headline.drifting,
        report.headline.open,
        len(sent),
        len(unreachable),
        len(failed),
    )
    return WeeklyOutcome(tuple(sent), tuple(unreachable), tuple(failed))


WEEKLY_JOB = "weekly-drift-report"


def week_of(now: datetime, zone: ZoneInfo) -> str:
    """The ISO week a run belongs to, in local time: ``2026-W49``."""
    year, week, _ = now.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def weekly_job(core: Core) -> Callable[[datetime], object]:
    """The scheduler's Monday job: the drift report to each DSL, then the audit check (the report never
    waits for it). Each runs even when the other fails; a failure is raised afterwards so the scheduler
    logs it.

    Every process that runs a scheduler fires this job; only the one that claims the week in the
    database (storage.runs) runs it, so each DSL gets one report a week however many instances run."""

    def run(now: datetime) -> None:
        week = week_of(now, core.calendar.zone)
        if not claim_run(core.db, WEEKLY_JOB, week, now, core.chaser.worker):
            log.info("weekly job for %s already run by another instance; skipped", week)
            return
        failures: list[Exception] = []
        # Weekly, the events since the last checkpoint; in the first week of each month, the whole log again,
        # which also catches an insider's change to events verified before.
        full = now.astimezone(core.calendar.zone).day <= 7
        steps: tuple[tuple[str, Callable[[], object]], ...] = (
            ("drift report", lambda: send_weekly_reports(core, now)),
            ("audit check", lambda: audit_check(core, now, full=full)),
        )
        for name, step in steps:
            try:
                step()
            except Exception as error:
                log.exception("weekly %s failed", name)
                failures.append(error)
        if failures:
            raise failures[0]

    return run
