"""Chasing: queue each action's nudges into the outbox as it changes, and sweep the outbox to send what is due.

The database is the source of truth; the sweeper thread (``bot.chasing.runner``) calls ``sweep``. Each
nudge is a row with a unique key (action, step, deadline version, occurrence, recipient). A sweep claims
due rows atomically (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's write transactions run one at a
time), so two bot instances, a restart or a re-run never send a row twice. A claim is a lease: rows of a process that
dies mid-send are claimed again when the lease runs out (such a row may then be sent twice: a repeated
nudge is better than a lost one). A live batch still sending halfway through its lease gives back the rows
it has not reached, so they are never taken over while it may still send them. A failed send goes back to
pending with backoff and is retried for ever; after ``max_send_attempts`` it is flagged ``stuck`` for the
operator log and the DSL report.

Claimed rows are handled in batches: one transaction claims and prepares a batch; the sender
(``bot.chasing.outbound``) sends it concurrently within each platform's limits and hands back finished
rows in small groups, each recorded in one transaction (events appended to the log in bulk, the next
nudges planned set-wise) before more is sent, so a crash can repeat only what was in flight. This path
reads and writes plain columns, never ORM objects: a sweep after a bank holiday may send thousands of
nudges, and building ORM objects cost more than everything else together.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, ColumnElement, and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from bot.actions.messages import AnswerLink, Message, digest_message, email_failed_message, nudge_message
from bot.actions.records import ActionView, PersonView, load_actions, load_people
from bot.capture.dates import WorkCalendar, ensure_aware, utcnow, zone_of
from bot.chasing.bounces import NOTICE_STEP, Bounces, refused
from bot.chasing.delivery import Router
from bot.chasing.ladder import Occurrence
from bot.chasing.outbound import Job, Sender
from bot.chasing.planner import Planner
from bot.chasing.queueing import Queueing
from bot.chasing.recording import LEASE, SEND_WINDOW, Recording
from bot.config import Settings
from storage.bulk import among
from storage.db import Database
from storage.models import ActionEvent, EventContent, Nudge

log = logging.getLogger("actionbot.chase")

#: The owner's own reminders: while they are away these go to their cover, or wait for their return.
OWNER_REMINDERS = ("due_soon", "due_today", "overdue", "reminder")
#: What a digest gathers: the morning's reminders, escalations and reviews (a confirmation, a handover
#: note or a "blocked" escalation goes at once, on its own).
DIGEST_STEPS = (*OWNER_REMINDERS, "escalation", "review_due")
DIGEST_MAX = 10
#: (recipient, action, their zone, now) -> the card's answer link, or None (bot.actions.answer_links).
AnswerLinkMaker = Callable[[PersonView, ActionView, ZoneInfo, datetime], AnswerLink | None]


@dataclass(frozen=True)
class SweepItem:
    nudge_id: int
    action_ref: str
    step: str
    recipient: str
    outcome: str  # sent | would send | failed | unreachable | skipped | released
    channel: str | None = None


@dataclass
class SweepReport:
    items: list[SweepItem] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)

    @property
    def sent(self) -> int:
        return self.count("sent")


class _Claim(NamedTuple):
    """A row as the claim returns it."""

    id: int
    action_id: int
    step: str
    deadline_version: int
    occurrence: int
    recipient_key: str
    recipient_id: int | None
    due_at: datetime


_CLAIM_COLUMNS = (
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


class Chaser(Queueing, Recording):
    """Plans nudges when actions change (the service's listener), and sends them when they fall due."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        calendar: WorkCalendar,
        router: Router,
        clock: Callable[[], datetime] = utcnow,
        worker: str | None = None,
    ) -> None:
        self.db = db
        self.cfg = settings.chase
        self.calendar = calendar
        self.router = router
        self.clock = clock
        self.planner = Planner(calendar, settings.chase)
        #: Makes an emailed card's answer link (bot.actions.answer_links), when the page is configured.
        self.answer_link: AnswerLinkMaker | None = None
        #: Email addresses that failed for good, and the statuses email services report back.
        self.bounces = Bounces(db, router, clock)
        self.sender = Sender(settings.chase.send_workers)
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stopping = threading.Event()

    def stop_sending(self) -> None:
        """A graceful stop: a sweep in progress sends nothing more, hands back the rows it has not reached
        (pending again, not counted as tried) and records what it sent; later sweeps claim nothing."""
        self._stopping.set()

    # ===== sweeping ==============================================================================
    def sweep(self, now: datetime | None = None, *, dry_run: bool = False, max_rows: int | None = None) -> SweepReport:
        """Send every nudge that is due (or, with ``dry_run``, say what would be sent and change nothing)."""
        now = ensure_aware(now) if now is not None else self.clock()
        report = SweepReport()
        if dry_run:
            report.items.extend(self._would_send(now, max_rows or 10_000))
            return report
        handled = 0
        while (max_rows is None or handled < max_rows) and not self._stopping.is_set():
            limit = self.cfg.batch_size if max_rows is None else min(self.cfg.batch_size, max_rows - handled)
            claimed, jobs = self._take(now, limit)
            if not claimed:
                break
            handled += len(claimed)
            # Rate limits or a slow platform can stretch a batch; rows it has not reached in time go back to
            # the queue, so no other instance takes them over (when the lease runs out) while they wait here.
            self.sender.send(
                jobs,
                self.router,
                lambda job: self._compose(job, now),
                lambda group: self._record([row for job in group for row in job.rows()], now),
                stop=partial(self._must_stop, self.clock() + SEND_WINDOW),
            )
            report.items.extend(self._items(claimed, [row for job in jobs for row in job.rows()]))
        return report

    def _must_stop(self, stop_at: datetime) -> bool:
        """The process is stopping, or the batch's sending window is over."""
        return self._stopping.is_set() or self.clock() >= stop_at

    @staticmethod
    def _claimable(now: datetime, at: datetime) -> ColumnElement[bool]:
        """Rows due by ``now``, and rows whose lease ran out by ``at`` (the real clock)."""
        return or_(
            and_(Nudge.status == "pending", Nudge.due_at <= now),
            and_(Nudge.status == "sending", Nudge.lease_until < at),
        )

    def _take(self, now: datetime, limit: int) -> tuple[list[int], list[Job]]:
        """Atomically claim up to ``limit`` due rows (and rows whose lease ran out) for this worker, and
        prepare them for sending, in one transaction. Returns the claimed ids and the jobs to send."""
        at = max(now, self.clock())  # leases run on the real clock, also in a sweep for another moment
        claimable = self._claimable(now, at)
        due = select(Nudge.id).where(claimable).order_by(Nudge.due_at, Nudge.id).limit(limit)
        if self.db.dialect == "postgresql":
            # Lock the candidates, skipping rows another worker is claiming right now. (SQLite needs no
            # row locks: its write transactions begin IMMEDIATE, so claims run one at a time.)
            due = due.with_for_update(skip_locked=True)
        with self.db.transaction() as session:
            ids = list(session.scalars(due))
            if not ids:
                return [], []
            rows = session.execute(
                update(Nudge)
                .where(among(Nudge.id, ids, session), claimable)
                .values(status="sending", claimed_by=self.worker, lease_until=at + LEASE, attempts=Nudge.attempts + 1)
                .returning(*_CLAIM_COLUMNS)
                .execution_options(synchronize_session=False)
            )
            claimed = sorted((_Claim._make(row) for row in rows), key=lambda row: row.id)
            return [row.id for row in claimed], self._prepare(session, claimed, now)

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

    def _prepare(self, session: Session, claimed: Sequence[_Claim], now: datetime) -> list[Job]:
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

    def _jobs_for(self, session: Session, claimed: Sequence[_Claim], now: datetime) -> _Plan:
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
            if recipient is not None and not self.planner.in_hours(recipient, now):
                opens = self.planner.opening(recipient, now)
                held = self.planner.held_until(step, occurrence, row.due_at, action, covering or recipient, opens)
                plan.moved.append(_moved(row.id, held, hold=True))
                continue
            latest = self.planner.collapse(step, occurrence, row.due_at, action, covering or recipient, now)
            if latest is not None:
                step, occurrence = latest.step, latest.occurrence
                plan.moved.append(_moved(row.id, latest))
            late = self.calendar.working_days_between(self.calendar.today(action.deadline), today)
            plan.jobs.append(
                Job(
                    row.id,
                    step,
                    occurrence,
                    row.recipient_key,
                    recipient,
                    action,
                    reasons.get(action.id),
                    max(0, late),
                    covering=covering,
                    about=people.get(row.occurrence) if step == NOTICE_STEP else None,
                )
            )
        return plan

    def _compose(self, job: Job, now: datetime) -> Message:
        """The message a job carries: a room's card, a person's nudge in their own time zone, or a digest of
        several nudges. Its key is the outbox row's (a digest's: its first row's)."""
        key = f"nudge-{job.nudge_id}"
        if job.bundle:
            parts = [self._compose(part, now) for part in (replace(job, bundle=()), *job.bundle)]
            return replace(digest_message(parts), key=key)
        if job.recipient is None:
            return replace(nudge_message(job.step, job.action, self.calendar.zone, now), key=key)
        if job.step == NOTICE_STEP:
            return replace(email_failed_message(job.action, job.about), key=key)
        zone = zone_of(job.recipient.timezone, self.calendar.zone)
        message = nudge_message(
            job.step, job.action, zone, now, working_days_late=job.late, reason=job.reason, covering=job.covering
        )
        answer = None
        if self.answer_link is not None and message.buttons and job.recipient.email:
            answer = self.answer_link(job.recipient, job.action, zone, now)
        return replace(message, key=key, answer=answer)

    @staticmethod
    def _items(claimed: list[int], jobs: list[Job]) -> Iterator[SweepItem]:
        by_id = {j.nudge_id: j for j in jobs}
        for nudge_id in claimed:
            job = by_id.get(nudge_id)
            if job is None:
                yield SweepItem(nudge_id, "", "", "", "skipped")
                continue
            if job.released:
                outcome = "released"
            elif job.error is not None and not refused(job.error):
                outcome = "failed"
            else:
                outcome = "sent" if job.delivered else "unreachable"  # an address refused: not reached
            channel = job.delivered.channel if job.delivered else None
            yield SweepItem(nudge_id, job.action.ref, job.step, job.who, outcome, channel)

    def _would_send(self, now: datetime, limit: int) -> Iterator[SweepItem]:
        """Exactly what a real sweep at ``now`` would send (the same rows, cancellations and collapsed steps)."""
        claimable = self._claimable(now, max(now, self.clock()))
        with self.db.reading() as session:
            rows = session.execute(
                select(*_CLAIM_COLUMNS).where(claimable).order_by(Nudge.due_at, Nudge.id).limit(limit)
            )
            claimed = [_Claim._make(row) for row in rows]
            jobs = self._jobs_for(session, claimed, now).jobs
        for job in jobs:
            yield SweepItem(job.nudge_id, job.action.ref, job.step, job.who, "would send")
