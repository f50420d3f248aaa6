"""Preparing claimed nudges for sending: the chaser's half between the claim and the sender.

Each claimed row is checked against its action as it is now (cancelled when it no longer makes sense), its
recipient's leave (an owner's reminder goes to their cover, or is held for their return) and working hours
(held until they begin); after downtime the missed steps of a track collapse into the most advanced one;
reminders to someone who takes a digest are bundled. A batch reads its actions and people in a few
queries of plain columns, and the calendar arithmetic it repeats for rows that share a deadline, a
recipient's calendar or a due moment is done once per batch (``_BatchMemo``): a morning's batch is
mostly the same few deadlines and owners.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Boolean, bindparam, case, func, select, update
from sqlalchemy.orm import Session

from bot.actions.records import ActionView, load_actions, load_people
from bot.capture.dates import WorkCalendar
from bot.chasing.bounces import NOTICE_STEP
from bot.chasing.ladder import Occurrence
from bot.chasing.outbound import Job
from bot.chasing.planner import Planner, Recipient
from bot.config import ChaseSettings
from storage.models import ActionEvent, EventContent, Nudge

#: The owner's own reminders: while they are away these go to their cover, or wait for their return.
OWNER_REMINDERS = ("due_soon", "due_today", "overdue", "reminder")
#: What a digest gathers: the morning's reminders, escalations and reviews (a confirmation, a handover
#: note or a "blocked" escalation goes at once, on its own).
DIGEST_STEPS = (*OWNER_REMINDERS, "escalation", "review_due")
DIGEST_MAX = 10


class Claimed(NamedTuple):
    """A row as the claim returns it."""

    id: int
    action_id: int
    step: str
    deadline_version: int
    occurrence: int
    recipient_key: str
    recipient_id: int | None
    due_at: datetime


CLAIMED_COLUMNS = (
    Nudge.id,
    Nudge.action_id,
    Nudge.step,
    Nudge.deadline_version,
    Nudge.occurrence,
    Nudge.recipient_key,
    Nudge.recipient_id,
    Nudge.due_at,
)


@dataclass
class _Plan:
    """What a sweep does with claimed rows: send these jobs, cancel these rows, move these."""

    jobs: list[Job]
    cancelled: list[int]
    moved: list[dict[str, Any]]


def _moved(nudge_id: int, item: Occurrence, *, hold: bool = False) -> dict[str, Any]:
    """A row moved on to another occurrence (sent now), or held back (``hold``: pending again, due later)."""
    return {"nudge_id": nudge_id, "step": item.step, "occurrence": item.occurrence, "due_at": item.due_at, "hold": hold}


#: What the ladder arithmetic of one row depends on: its step, occurrence and due moment, the action's
#: deadline and review date, and the recipient's calendar (time zone, working days).
_LadderKey = tuple[str, int, datetime, datetime, date | None, str | None, str | None]


@dataclass
class _BatchMemo:
    """Calendar arithmetic of one batch at one moment, each distinct question answered once. Pure functions
    of their keys (the planner's calendars and the moment do not change within a batch), so a memo is safe;
    it lives for one batch only."""

    planner: Planner
    calendar: WorkCalendar
    now: datetime
    today: date
    late: dict[datetime, int] = field(default_factory=dict)
    hours: dict[tuple[str | None, str | None], datetime | None] = field(default_factory=dict)
    collapsed: dict[_LadderKey, Occurrence | None] = field(default_factory=dict)

    def working_days_late(self, deadline: datetime) -> int:
        """Working days from the deadline's day to today (0 when not yet late)."""
        late = self.late.get(deadline)
        if late is None:
            days = self.calendar.working_days_between(self.calendar.today(deadline), self.today)
            late = self.late[deadline] = max(0, days)
        return late

    def opening(self, person: Recipient) -> datetime | None:
        """None within the person's working hours now, else when they next begin."""
        key = (person.timezone, person.working_days)
        if key not in self.hours:
            in_hours = self.planner.in_hours(person, self.now)
            self.hours[key] = None if in_hours else self.planner.opening(person, self.now)
        return self.hours[key]

    def collapse(self, row: Claimed, action: ActionView, recipient: Recipient | None) -> Occurrence | None:
        """``Planner.collapse`` for the row, asked once per distinct question."""
        if recipient is None:
            return None
        key = (
            row.step,
            row.occurrence,
            row.due_at,
            action.deadline,
            action.review_on,
            recipient.timezone,
            recipient.working_days,
        )
        if key not in self.collapsed:
            self.collapsed[key] = self.planner.collapse(
                row.step, row.occurrence, row.due_at, action, recipient, self.now
            )
        return self.collapsed[key]


class Preparing:
    """Turns claimed rows into jobs for the sender (``_prepare``), or says what it would do (``_jobs_for``)."""

    cfg: ChaseSettings
    calendar: WorkCalendar
    planner: Planner

    @staticmethod
    def _still_wanted(step: str, deadline_version: int, action: ActionView, recipient_id: int | None) -> bool:
        """Whether a claimed row still makes sense for the action as it is now."""
        if step in ("card", NOTICE_STEP):
            return True
        if step == "handed_over":
            return recipient_id != action.owner.id  # unless it came back to them (closed since: still told)
        if not action.is_open:
            return False
        if step == "confirmation":
            return recipient_id == action.owner.id  # reassigned since: only the new owner is told
        if step in OWNER_REMINDERS and action.status == "blocked":
            return False  # a block stops the owner's nudges
        if step == "reminder" and recipient_id != action.owner.id:
            return False  # a snoozed reminder is the owner's own; a new owner has their ladder
        if step in (*OWNER_REMINDERS, "escalation"):
            return deadline_version == action.deadline_version
        return not (step == "review_due" and action.reviewed_at is not None)

    @staticmethod
    def _block_reasons(session: Session, action_ids: set[int]) -> dict[int, str | None]:
        if not action_ids:
            return {}
        latest = (
            select(ActionEvent.action_id, func.max(ActionEvent.seq).label("seq"))
            .where(ActionEvent.action_id.in_(action_ids), ActionEvent.kind == "blocked")
            .group_by(ActionEvent.action_id)
            .subquery()
        )
        rows = session.execute(
            select(latest.c.action_id, EventContent.reason)
            .join(ActionEvent, ActionEvent.seq == latest.c.seq)
            .outerjoin(EventContent, EventContent.event_id == ActionEvent.id)
        )
        return {action_id: reason for action_id, reason in rows}

    def _prepare(self, session: Session, claimed: Sequence[Claimed], now: datetime) -> list[Job]:
        """Turn claimed rows into jobs; cancel those that no longer make sense; collapse missed steps; give
        back, due later, the rows held for an owner's return."""
        plan = self._jobs_for(session, claimed, now)
        jobs = self._digests(plan.jobs)
        connection = session.connection()
        if plan.cancelled:
            connection.execute(
                update(Nudge).where(Nudge.id.in_(plan.cancelled)).values(status="cancelled", lease_until=None)
            )
        if plan.moved:
            held = case((bindparam("hold", type_=Boolean), "pending"), else_=Nudge.status)
            connection.execute(
                update(Nudge)
                .where(Nudge.id == bindparam("nudge_id"))
                .values(
                    step=bindparam("step"),
                    occurrence=bindparam("occurrence"),
                    due_at=bindparam("due_at"),
                    status=held,
                    claimed_by=case((bindparam("hold", type_=Boolean), None), else_=Nudge.claimed_by),
                    lease_until=case((bindparam("hold", type_=Boolean), None), else_=Nudge.lease_until),
                    attempts=case((bindparam("hold", type_=Boolean), Nudge.attempts - 1), else_=Nudge.attempts),
                ),
                plan.moved,
            )
        return jobs

    def _digests(self, jobs: list[Job]) -> list[Job]:
        """Reminders to one person who takes a digest go as one message (up to ``DIGEST_MAX`` a message):
        the first row's job carries the others, and each row is still recorded as its own nudge."""
        groups: dict[int, list[Job]] = {}
        out: list[Job] = []
        for job in jobs:
            person = job.recipient
            wanted = person.digest if person is not None and person.digest is not None else self.cfg.digest
            if person is None or not wanted or job.step not in DIGEST_STEPS:
                out.append(job)
            else:
                groups.setdefault(person.id, []).append(job)
        for group in groups.values():
            for start in range(0, len(group), DIGEST_MAX):
                lead, *rest = group[start : start + DIGEST_MAX]
                lead.bundle, lead.in_digest = tuple(rest), bool(rest)
                for member in rest:
                    member.in_digest = True
                out.append(lead)
        return out

    def _jobs_for(self, session: Session, claimed: Sequence[Claimed], now: datetime) -> _Plan:
        """What a sweep would do with these rows, writing nothing: the jobs to send, the rows to cancel, the
        rows to move on to a later step (after downtime, only the most advanced step is sent), and the rows
        held back: until an owner on leave with nobody covering returns, or until the recipient's working
        hours begin."""
        named = {r.recipient_id for r in claimed if r.recipient_id}
        named |= {r.occurrence for r in claimed if r.step == NOTICE_STEP}  # whose email failed
        actions, people = load_actions(session, {r.action_id for r in claimed}, also_people=named)
        today = self.calendar.today(now)
        covers = {a.owner.cover_id for a in actions.values() if a.owner.cover_id and a.owner.away_on(today)}
        people |= load_people(session, covers - people.keys())
        reasons = self._block_reasons(session, {r.action_id for r in claimed if r.step == "blocked"})
        memo = _BatchMemo(self.planner, self.calendar, now, today)
        plan = _Plan([], [], [])
        for row in claimed:
            action = actions[row.action_id]
            if not self._still_wanted(row.step, row.deadline_version, action, row.recipient_id):
                plan.cancelled.append(row.id)
                continue
            recipient = people.get(row.recipient_id) if row.recipient_id else None
            step, occurrence = row.step, row.occurrence
            covering = None
            if step in OWNER_REMINDERS and recipient is not None and recipient.away_on(today):
                cover = people.get(recipient.cover_id) if recipient.cover_id else None
                if cover is None or not cover.active or cover.away_on(today):
                    assert recipient.away_until is not None
                    back = self.planner.return_moment(recipient.away_until, recipient)
                    held = self.planner.held_until(step, occurrence, row.due_at, action, recipient, back)
                    plan.moved.append(_moved(row.id, held, hold=True))
                    continue
                covering, recipient = recipient, cover
            opens = memo.opening(recipient) if recipient is not None else None
            if recipient is not None and opens is not None:  # outside their working hours
                held = self.planner.held_until(step, occurrence, row.due_at, action, covering or recipient, opens)
                plan.moved.append(_moved(row.id, held, hold=True))
                continue
            latest = memo.collapse(row, action, covering or recipient)
            if latest is not None:
                step, occurrence = latest.step, latest.occurrence
                plan.moved.append(_moved(row.id, latest))
            plan.jobs.append(
                Job(
                    row.id,
                    step,
                    occurrence,
                    row.recipient_key,
                    recipient,
                    action,
                    reasons.get(action.id),
                    memo.working_days_late(action.deadline),
                    covering=covering,
                    about=people.get(row.occurrence) if step == NOTICE_STEP else None,
                )
            )
        return plan
