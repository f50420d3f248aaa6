"""The drift report's statutory timescales: steps the process requires after a meeting (bot.process) that are
missed or at risk, or were dismissed this week, listed and counted per agency and per case, and by state in
the one line the summaries show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from bot.actions.people import find_person
from bot.capture.dates import WorkCalendar
from bot.reports.definitions import (
    NO_AGENCY,
    NO_OWNER,
    STATUTORY_AT_RISK_WORKING_DAYS,
    STATUTORY_STATES,
    DriftReport,
    StatutoryRow,
    StatutoryTally,
)
from bot.reports.filters import DriftFilters
from storage.models import OPEN_STATUSES, Action, Agency, Meeting, Person, StatutoryStep


def _filtered(filters: DriftFilters) -> list[ColumnElement[bool]]:
    """The report's filters as they apply to steps: case, meeting, the owner's agency, the meeting's chair.
    (Recorded since/until are about actions: every step in scope is shown.)"""
    conditions: list[ColumnElement[bool]] = []
    if filters.case_ref:
        conditions.append(StatutoryStep.case_ref == filters.case_ref.strip().lstrip("#").upper())
    if filters.meeting_id is not None:
        conditions.append(StatutoryStep.meeting_id == filters.meeting_id)
    if filters.agency and filters.agency.strip():
        conditions.append(func.lower(Agency.name) == " ".join(filters.agency.split()).lower())
    return conditions


def statutory_rows(
    session: Session, cal: WorkCalendar, today: date, period_start: datetime, filters: DriftFilters
) -> list[StatutoryRow]:
    """Missed and at-risk steps (not met, dismissed, or done by their owner), and those dismissed since
    ``period_start``; most working days late first, then soonest due."""
    horizon = cal.add_working_days(today, STATUTORY_AT_RISK_WORKING_DAYS)
    pending = or_(
        StatutoryStep.status == "proposed",
        and_(StatutoryStep.status == "owned", Action.status.in_(OPEN_STATUSES)),
    )
    query = (
        select(
            StatutoryStep.id,
            StatutoryStep.task,
            StatutoryStep.case_ref,
            StatutoryStep.meeting_id,
            Meeting.title,
            StatutoryStep.due_on,
            StatutoryStep.status,
            StatutoryStep.reason,
            Action.id,
            Person.display_name,
            Agency.name,
        )
        .join(Meeting, Meeting.id == StatutoryStep.meeting_id)
        .outerjoin(Action, Action.id == StatutoryStep.action_id)
        .outerjoin(Person, Person.id == Action.owner_id)
        .outerjoin(Agency, Agency.id == Person.agency_id)
        .where(
            or_(
                and_(pending, StatutoryStep.due_on <= horizon),
                and_(StatutoryStep.status == "dismissed", StatutoryStep.decided_at >= period_start),
            ),
            *_filtered(filters),
        )
    )
    if filters.chair is not None:
        chair = find_person(session, filters.chair)
        query = query.where(Meeting.chair_id == (chair.id if chair is not None else -1))
    rows = []
    for step_id, task, case, meeting_id, title, due_on, status, reason, action_id, owner, agency in session.execute(
        query
    ):
        late = max(0, cal.working_days_between(due_on, today)) if due_on < today else 0
        state = "dismissed" if status == "dismissed" else "missed" if due_on < today else "at risk"
        rows.append(
            StatutoryRow(
                ref=f"S-{step_id}",
                task=task,
                case_ref=case,
                meeting_id=meeting_id,
                meeting_title=title,
                due_on=due_on,
                state=state,
                working_days_late=late if state == "missed" else 0,
                owner=owner,
                agency=agency,
                action_ref=f"A-{action_id}" if action_id is not None else None,
                reason=reason,
            )
        )
    order = {state: index for index, state in enumerate(STATUTORY_STATES)}
    return sorted(rows, key=lambda r: (order[r.state], -r.working_days_late, r.due_on, r.ref))


def statutory_tallies(rows: Sequence[StatutoryRow]) -> list[StatutoryTally]:
    """Counts per agency (the owner's; unowned steps under NO_OWNER) and per case."""
    tallies: list[StatutoryTally] = []
    names: dict[str, Callable[[StatutoryRow], str]] = {
        "agency": lambda r: r.agency or (NO_OWNER if r.owner is None else NO_AGENCY),
        "case": lambda r: r.case_ref or "(no case)",
    }
    for by, name_of in names.items():
        counts: Counter[tuple[str, str]] = Counter((name_of(r), r.state) for r in rows)
        for name in sorted({name for name, _ in counts}):
            tallies.append(
                StatutoryTally(
                    by, name, counts[(name, "missed")], counts[(name, "at risk")], counts[(name, "dismissed")]
                )
            )
    return tallies


def statutory_counts(report: DriftReport) -> dict[str, int]:
    """Statutory steps missed, at risk and dismissed this week, by state."""
    return {state: sum(r.state == state for r in report.statutory) for state in STATUTORY_STATES}


def statutory_text(report: DriftReport) -> str | None:
    """'Statutory timescales: 1 missed, 1 at risk, 0 dismissed this week.' (None when there are none)."""
    if not report.statutory:
        return None
    count = statutory_counts(report)
    return (
        f"Statutory timescales: {count['missed']} missed, {count['at risk']} at risk (due within "
        f"{STATUTORY_AT_RISK_WORKING_DAYS} working days), {count['dismissed']} dismissed this week: "
        "see the full report."
    )
