"""Chasing: queue each action's nudges into the outbox as it changes, and sweep the outbox to send what is due.

The database is the source of truth; the scheduler only calls ``sweep``. Each nudge is a row with a
unique key (action, step, deadline version, occurrence, recipient). A sweep claims due rows atomically
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's write transactions run one at a time), so two bot
instances, a restart or a re-run never send a row twice. A claim is a lease: rows of a process that
dies mid-send are claimed again when the lease runs out (such a row may then be sent twice: a repeated
nudge is better than a lost one). A failed send goes back to pending with backoff and is retried for
ever; after ``max_send_attempts`` it is flagged ``stuck`` for the operator log and the DSL report.

Claimed rows are handled in batches: one transaction to prepare a batch, one to record its outcomes
(events appended to the log in bulk, the next nudges planned set-wise), whatever the batch's size.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.dates import WorkCalendar, ensure_aware, utcnow
from bot.delivery import Router
from bot.ladder import ESCALATION_STEPS, Occurrence
from bot.messages import nudge_message
from bot.planner import LADDER_STEPS, Planner, conversation_key, person_key, zone_of
from bot.ports import Delivered, DeliveryError
from bot.records import ActionView, PersonView
from storage.db import Database
from storage.log import NewEvent, append_events
from storage.models import Action, ActionEvent, EventContent, Meeting, Nudge, Person

log = logging.getLogger("actionbot.chase")

LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
#: An owner's written confirmation waits for /meeting end, but never longer than this.
CONFIRMATION_FALLBACK = timedelta(hours=4)
#: Changes after which an action's ladder is planned again.
REPLAN_ON = (
    "created",
    "reassigned",
    "extended",
    "blocked",
    "unblocked",
    "completed",
    "cancelled",
    "reopened",
    "reviewed",
)


@dataclass(frozen=True)
class SweepItem:
    nudge_id: int
    action_ref: str
    step: str
    recipient: str
    outcome: str  # sent | would send | failed | unreachable | skipped
    channel: str | None = None


@dataclass
class SweepReport:
    items: list[SweepItem] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)

    @property
    def sent(self) -> int:
        return self.count("sent")


@dataclass
class _Job:
    """One claimed row on its way out."""

    nudge_id: int
    step: str
    occurrence: int
    recipient_key: str
    recipient: PersonView | None
    action: ActionView
    reason: str | None
    late: int
    delivered: Delivered | None = None
    error: Exception | None = None

    @property
    def who(self) -> str:
        return self.recipient.name if self.recipient else self.recipient_key.split(":", 2)[-1]


class Chaser:
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
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    # ===== queueing (inside the service's transactions) ==========================================
    def _one_off(
        self, session: Session, action: Action, step: str, recipient: Person, due_at: datetime, now: datetime
    ) -> None:
        """Queue a one-off nudge (a confirmation, a blocked escalation); its occurrence counts earlier ones."""
        previous = session.scalar(
            select(func.count()).where(
                Nudge.action_id == action.id, Nudge.step == step, Nudge.recipient_key == person_key(recipient.id)
            )
        )
        item = Occurrence(step, int(previous or 0), due_at, due_at.date())
        session.add(Nudge(**self.planner.row(action, item, recipient, now)))

    def action_changed(self, session: Session, action: Action, kind: str, now: datetime) -> None:
        """The service's hook, called in the same transaction as every change to an action."""
        if kind == "created":
            wait = CONFIRMATION_FALLBACK if action.meeting_id is not None else timedelta(0)
            self._one_off(session, action, "confirmation", action.owner, now + wait, now)
        elif kind == "reassigned":
            self._one_off(session, action, "confirmation", action.owner, now, now)
        elif kind == "blocked":
            dsls, people = self.planner.recipients_context(session, [action])
            for person in self.planner.escalation_recipients(action, dsls, people):
                self._one_off(session, action, "blocked", person, now, now)
        if kind in REPLAN_ON:
            session.flush()
            self.planner.plan(session, [action], now)

    def meeting_ended(self, session: Session, meeting: Meeting, now: datetime) -> None:
        """Send each owner their written confirmation now rather than at the fallback time."""
        session.execute(
            update(Nudge)
            .where(
                Nudge.step == "confirmation",
                Nudge.status == "pending",
                Nudge.action_id.in_(select(Action.id).where(Action.meeting_id == meeting.id)),
            )
            .values(due_at=now)
        )

    def enqueue_card(self, action_id: int, platform: str, conversation_id: str, now: datetime | None = None) -> None:
        """A channel card that could not be posted: keep it in the outbox so the sweep posts it later."""
        now = now or self.clock()
        key = conversation_key(platform, conversation_id)
        with self.db.transaction() as session:
            action = session.get_one(Action, action_id)
            previous = session.scalar(
                select(func.count()).where(
                    Nudge.action_id == action_id, Nudge.step == "card", Nudge.recipient_key == key
                )
            )
            session.add(
                Nudge(
                    action_id=action_id, step="card", deadline_version=action.deadline_version,
                    occurrence=int(previous or 0), recipient_key=key, recipient_id=None, due_at=now,
                    status="pending", attempts=0, stuck=False, created_at=now,
                )
            )  # fmt: skip

    # ===== sweeping ==============================================================================
    def sweep(self, now: datetime | None = None, *, dry_run: bool = False, max_rows: int = 10_000) -> SweepReport:
        """Send every nudge that is due (or, with ``dry_run``, say what would be sent and change nothing)."""
        now = ensure_aware(now) if now is not None else self.clock()
        report = SweepReport()
        if dry_run:
            report.items.extend(self._would_send(now, max_rows))
            return report
        handled = 0
        while handled < max_rows:
            claimed = self._claim(now, min(self.cfg.batch_size, max_rows - handled))
            if not claimed:
                break
            handled += len(claimed)
            jobs = self._prepare(claimed, now)
            for job in jobs:
                self._deliver(job, now)
            self._finish(jobs, now)
            report.items.extend(self._items(claimed, jobs))
        return report

    def _claim(self, now: datetime, limit: int) -> list[int]:
        """Atomically take up to ``limit`` due rows (and rows whose lease ran out) for this worker."""
        claimable = or_(
            and_(Nudge.status == "pending", Nudge.due_at <= now),
            and_(Nudge.status == "sending", Nudge.lease_until < now),
        )
        with self.db.transaction() as session:
            due = select(Nudge.id).where(claimable).order_by(Nudge.due_at, Nudge.id).limit(limit)
            if self.db.dialect == "postgresql":
                # Lock the candidates, skipping rows another worker is claiming right now. (SQLite needs no
                # row locks: its write transactions begin IMMEDIATE, so claims run one at a time.)
                due = due.with_for_update(skip_locked=True)
            ids = list(session.scalars(due))
            if not ids:
                return []
            claimed = session.scalars(
                update(Nudge)
                .where(Nudge.id.in_(ids), claimable)
                .values(status="sending", claimed_by=self.worker, lease_until=now + LEASE, attempts=Nudge.attempts + 1)
                .returning(Nudge.id)
                .execution_options(synchronize_session=False)
            )
            return sorted(claimed)

    @staticmethod
    def _still_wanted(nudge: Nudge, action: Action) -> bool:
        """Whether a claimed row still makes sense for the action as it is now."""
        if nudge.step == "card":
            return True
        if action.status not in ("open", "blocked"):
            return False
        if nudge.step in ("due_soon", "due_today", "overdue") and action.status == "blocked":
            return False  # a block stops the owner's nudges
        if nudge.step in ("due_soon", "due_today", "overdue", "escalation"):
            return nudge.deadline_version == action.deadline_version
        return not (nudge.step == "review_due" and action.reviewed_at is not None)

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

    def _prepare(self, claimed: list[int], now: datetime) -> list[_Job]:
        """Load a batch of claimed rows; cancel those that no longer make sense; collapse missed steps."""
        with self.db.transaction() as session:
            rows = list(
                session.scalars(
                    select(Nudge).where(
                        Nudge.id.in_(claimed), Nudge.status == "sending", Nudge.claimed_by == self.worker
                    )
                )
            )
            actions = {
                a.id: a
                for a in session.scalars(select(Action).where(Action.id.in_({r.action_id for r in rows}))).unique()
            }
            people = {
                p.id: p
                for p in session.scalars(
                    select(Person).where(Person.id.in_({r.recipient_id for r in rows if r.recipient_id}))
                ).unique()
            }
            reasons = self._block_reasons(session, {r.action_id for r in rows if r.step == "blocked"})
            today = self.calendar.today(now)
            jobs = []
            for row in rows:
                action = actions[row.action_id]
                if not self._still_wanted(row, action):
                    row.status, row.lease_until = "cancelled", None
                    continue
                recipient = people.get(row.recipient_id) if row.recipient_id else None
                self.planner.collapse(row, action, recipient, now)
                late = self.calendar.working_days_between(self.calendar.today(action.deadline), today)
                jobs.append(
                    _Job(
                        row.id, row.step, row.occurrence, row.recipient_key,
                        PersonView.of(recipient) if recipient else None, ActionView.of(action),
                        reasons.get(action.id), max(0, late),
                    )
                )  # fmt: skip
            return jobs

    def _deliver(self, job: _Job, now: datetime) -> None:
        """Send one message through the router (outside any transaction). Never raises."""
        try:
            if job.recipient_key.startswith("c:"):
                _, platform, conversation = job.recipient_key.split(":", 2)
                messenger = self.router.for_conversation(platform)
                if messenger is not None:
                    message = nudge_message(job.step, job.action, self.calendar.zone, now)
                    job.delivered = messenger.post_to_conversation(conversation, message)
                return
            assert job.recipient is not None
            messenger = self.router.for_person(job.recipient)
            if messenger is not None:
                zone = zone_of(job.recipient.timezone, self.calendar.zone)
                message = nudge_message(job.step, job.action, zone, now, working_days_late=job.late, reason=job.reason)
                job.delivered = messenger.send_direct(job.recipient, message)
        except Exception as error:  # any failure keeps the row pending and is retried: nothing is lost
            job.error = error

    def _finish(self, jobs: Sequence[_Job], now: datetime) -> None:
        """Record a batch's outcomes, log its nudges and plan the next ones, in one transaction."""
        if not jobs:
            return
        with self.db.transaction() as session:
            ours = set(
                session.scalars(
                    select(Nudge.id).where(
                        Nudge.id.in_([j.nudge_id for j in jobs]),
                        Nudge.status == "sending",
                        Nudge.claimed_by == self.worker,
                    )
                )
            )  # a row whose lease ran out and was taken over by another worker is theirs now
            done = [j for j in jobs if j.nudge_id in ours and j.error is None]
            failed = [j for j in jobs if j.nudge_id in ours and j.error is not None]
            if done:
                session.execute(
                    update(Nudge),
                    [
                        {
                            "id": j.nudge_id,
                            "status": "sent" if j.delivered else "unreachable",
                            "sent_at": now,
                            "channel": j.delivered.channel if j.delivered else None,
                            "delivery_ref": j.delivered.ref if j.delivered else None,
                            "lease_until": None,
                        }
                        for j in done
                    ],
                )
                append_events(session, [self._event(j, now) for j in done if j.step != "card"])
            for job in failed:
                self._failed(session, job, now)
            ladder = [j for j in done if j.step in LADDER_STEPS]
            if ladder:
                session.flush()
                actions = {
                    a.id: a
                    for a in session.scalars(
                        select(Action).where(Action.id.in_({j.action.id for j in ladder}))
                    ).unique()
                }
                people = {
                    p.id: p
                    for p in session.scalars(
                        select(Person).where(Person.id.in_({j.recipient.id for j in ladder if j.recipient}))
                    ).unique()
                }
                self.planner.plan_after_send(
                    session,
                    [(actions[j.action.id], j.step, people[j.recipient.id]) for j in ladder if j.recipient],
                    now,
                )

    @staticmethod
    def _event(job: _Job, now: datetime) -> NewEvent:
        details: dict[str, Any] = {
            "step": job.step,
            "occurrence": job.occurrence,
            "recipient_id": job.recipient.id if job.recipient else None,
            "delivered": job.delivered is not None,
            "channel": job.delivered.channel if job.delivered else None,
        }
        if job.delivered is None:
            details["why"] = "no chat platform or email address is known for this person"
        kind = "escalated" if job.step in ESCALATION_STEPS else "nudged"
        return NewEvent(kind, now, job.action.id, None, None, details)

    def _failed(self, session: Session, job: _Job, now: datetime) -> None:
        error = job.error
        retry_after = error.retry_after if isinstance(error, DeliveryError) else None
        permanent = isinstance(error, DeliveryError) and error.permanent
        row = session.get_one(Nudge, job.nudge_id)
        backoff = timedelta(seconds=self.cfg.retry_backoff_seconds * 2 ** max(0, row.attempts - 1))
        if retry_after is not None:
            backoff = max(backoff, timedelta(seconds=retry_after))
        row.status = "pending"
        row.due_at = now + (MAX_BACKOFF if permanent else min(backoff, MAX_BACKOFF))
        row.lease_until = None
        row.claimed_by = None
        # DeliveryError messages carry no personal data by contract; other errors are named by type only.
        row.last_error = (str(error) if isinstance(error, DeliveryError) else error.__class__.__name__)[:300]
        if (row.attempts >= self.cfg.max_send_attempts or permanent) and not row.stuck:
            row.stuck = True
            log.error(
                "nudge %s (action %s, %s) is stuck after %s attempts: %s",
                row.id, row.action_id, row.step, row.attempts, row.last_error,
            )  # fmt: skip
        else:
            log.warning(
                "nudge %s (action %s, %s) failed, attempt %s: %s",
                row.id, row.action_id, row.step, row.attempts, row.last_error,
            )  # fmt: skip

    @staticmethod
    def _items(claimed: list[int], jobs: list[_Job]) -> Iterator[SweepItem]:
        by_id = {j.nudge_id: j for j in jobs}
        for nudge_id in claimed:
            job = by_id.get(nudge_id)
            if job is None:
                yield SweepItem(nudge_id, "", "", "", "skipped")
                continue
            outcome = "failed" if job.error else ("sent" if job.delivered else "unreachable")
            channel = job.delivered.channel if job.delivered else None
            yield SweepItem(nudge_id, job.action.ref, job.step, job.who, outcome, channel)

    def _would_send(self, now: datetime, limit: int) -> Iterator[SweepItem]:
        with self.db.reading() as session:
            rows = session.execute(
                select(Nudge, Person.display_name)
                .outerjoin(Person, Person.id == Nudge.recipient_id)
                .where(Nudge.status == "pending", Nudge.due_at <= now)
                .order_by(Nudge.due_at, Nudge.id)
                .limit(limit)
            ).all()
            for nudge, name in rows:
                who = name or nudge.recipient_key.split(":", 2)[-1]
                yield SweepItem(nudge.id, f"A-{nudge.action_id}", nudge.step, who, "would send")
