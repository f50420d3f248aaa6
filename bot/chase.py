"""Chasing: plan each action's nudges into the outbox, and sweep the outbox to send what is due.

The database is the source of truth; the scheduler only calls ``sweep``. Each nudge is a row with a
unique key (action, step, deadline version, occurrence, recipient). A sweep claims due rows with one
conditional UPDATE (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so two bot instances, a restart or a
re-run never send a row twice. A claim is a lease: a process that dies mid-send leaves its rows to be
claimed again when the lease runs out (that one row may then be sent twice: we prefer a repeated
nudge to a lost one). A failed send goes back to pending with backoff and is retried for ever; after
``max_send_attempts`` it is flagged ``stuck`` for the operator log and the DSL report.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.dates import WorkCalendar, ensure_aware, utcnow
from bot.delivery import Router
from bot.ladder import (
    ESCALATION_STEPS,
    TRACKS,
    Occurrence,
    escalation_track,
    next_occurrence,
    owner_track,
    review_track,
)
from bot.messages import nudge_message
from bot.ports import Delivered, DeliveryError, Messenger
from bot.records import ActionView, PersonView
from storage.db import Database
from storage.log import append_event
from storage.models import Action, ActionEvent, Meeting, Nudge, Person

log = logging.getLogger("actionbot.chase")

LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
#: An owner's written confirmation waits for /meeting end, but never longer than this.
CONFIRMATION_FALLBACK = timedelta(hours=4)
LADDER_STEPS = tuple(step for steps in TRACKS.values() for step in steps)


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


def _person_key(person_id: int) -> str:
    return f"p:{person_id}"


def _conversation_key(platform: str, conversation_id: str) -> str:
    return f"c:{platform}:{conversation_id}"


class Chaser:
    """Plans nudges when actions change, and sends them when they fall due."""

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
        self.settings = settings
        self.cfg = settings.chase
        self.calendar = calendar
        self.router = router
        self.clock = clock
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    # ===== planning (called inside the service's transactions) ==================================
    def _zone_for(self, timezone: str | None) -> ZoneInfo:
        """A person's own time zone when they have a valid one, else the deployment's."""
        if timezone:
            try:
                return ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return self.calendar.zone

    def _calendar_for(self, person: Person) -> WorkCalendar:
        return self.calendar.with_zone(self._zone_for(person.timezone))

    def _escalation_recipients(self, session: Session, action: Action) -> list[Person]:
        """The chair who recorded it, the meeting's chair and DSL (else the DSLs of the owner's agency,
        else every DSL), and the owner's escalation contact; never the owner."""
        people: dict[int, Person] = {action.created_by_id: action.created_by}
        meeting = action.meeting
        if meeting is not None:
            people[meeting.chair_id] = meeting.chair
        dsls: list[Person] = []
        if meeting is not None and meeting.dsl_id is not None:
            dsls = [session.get_one(Person, meeting.dsl_id)]
        else:
            query = select(Person).where(Person.role == "dsl", Person.active.is_(True)).order_by(Person.id)
            if action.owner.agency_id is not None:
                own = list(session.scalars(query.where(Person.agency_id == action.owner.agency_id)).unique())
                dsls = own or list(session.scalars(query).unique())
            else:
                dsls = list(session.scalars(query).unique())
        for person in dsls:
            people[person.id] = person
        if action.owner.escalation_contact_id is not None:
            contact = session.get_one(Person, action.owner.escalation_contact_id)
            people[contact.id] = contact
        people.pop(action.owner_id, None)
        return list(people.values())

    def _review_recipients(self, action: Action) -> list[Person]:
        people = {action.created_by_id: action.created_by}
        if action.meeting is not None:
            people[action.meeting.chair_id] = action.meeting.chair
        return list(people.values())

    def _last_due(self, session: Session, action: Action, steps: tuple[str, ...], recipient: Person | None) -> datetime:
        """When the last nudge on a track (this deadline version) fell due, or the action's creation."""
        query = select(func.max(Nudge.due_at)).where(
            Nudge.action_id == action.id,
            Nudge.step.in_(steps),
            Nudge.deadline_version == action.deadline_version,
            Nudge.status.in_(("sent", "sending", "unreachable")),
        )
        if recipient is not None:
            query = query.where(Nudge.recipient_key == _person_key(recipient.id))
        last = session.scalar(query)
        floor = action.created_at if action.deadline_version == 1 else action.updated_at
        return max(last, floor) if last else floor

    def _queue(self, session: Session, action: Action, item: Occurrence, recipient: Person, now: datetime) -> None:
        session.add(
            Nudge(
                action_id=action.id,
                step=item.step,
                deadline_version=action.deadline_version,
                occurrence=item.occurrence,
                recipient_key=_person_key(recipient.id),
                recipient_id=recipient.id,
                due_at=item.due_at,
                status="pending",
                attempts=0,
                stuck=False,
                created_at=now,
            )
        )

    def _plan_track(
        self,
        session: Session,
        action: Action,
        track: str,
        recipient: Person,
        now: datetime,
        per_recipient: bool,
    ) -> None:
        cal = self._calendar_for(recipient)
        if track == "owner":
            series = owner_track(action.deadline, cal, self.cfg)
        elif track == "escalation":
            series = escalation_track(action.deadline, cal, self.cfg)
        else:
            assert action.review_on is not None
            series = review_track(action.review_on, cal, self.cfg)
        after = self._last_due(session, action, TRACKS[track], recipient if per_recipient else None)
        item = next_occurrence(series, after, now)
        if item is not None:
            self._queue(session, action, item, recipient, now)

    def plan(self, session: Session, action: Action, now: datetime) -> None:
        """Replace the action's pending ladder rows with the next one on each track, for its state now."""
        session.execute(
            delete(Nudge).where(Nudge.action_id == action.id, Nudge.status == "pending", Nudge.step.in_(LADDER_STEPS))
        )
        session.flush()
        if action.status not in ("open", "blocked"):
            session.execute(
                update(Nudge).where(Nudge.action_id == action.id, Nudge.status == "pending").values(status="cancelled")
            )
            return
        if action.status == "open":
            self._plan_track(session, action, "owner", action.owner, now, per_recipient=False)
        for person in self._escalation_recipients(session, action):
            self._plan_track(session, action, "escalation", person, now, per_recipient=True)
        if action.review_on is not None and action.reviewed_at is None:
            for person in self._review_recipients(action):
                self._plan_track(session, action, "review", person, now, per_recipient=True)
        session.flush()

    def _one_off(
        self, session: Session, action: Action, step: str, recipient: Person, due_at: datetime, now: datetime
    ) -> None:
        """Queue a one-off nudge (a confirmation, a blocked escalation); its occurrence counts the earlier ones."""
        previous = session.scalar(
            select(func.count()).where(
                Nudge.action_id == action.id, Nudge.step == step, Nudge.recipient_key == _person_key(recipient.id)
            )
        )
        self._queue(session, action, Occurrence(step, int(previous or 0), due_at, due_at.date()), recipient, now)

    def action_changed(self, session: Session, action: Action, kind: str, now: datetime) -> None:
        """The service's hook: called in the same transaction as every change to an action."""
        if kind == "created":
            wait = CONFIRMATION_FALLBACK if action.meeting_id is not None else timedelta(0)
            self._one_off(session, action, "confirmation", action.owner, now + wait, now)
        elif kind == "reassigned":
            self._one_off(session, action, "confirmation", action.owner, now, now)
        elif kind == "blocked":
            for person in self._escalation_recipients(session, action):
                self._one_off(session, action, "blocked", person, now, now)
        if kind in ("created", "reassigned", "extended", "blocked", "unblocked", "completed", "cancelled",
                    "reopened", "reviewed"):  # fmt: skip
            self.plan(session, action, now)

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
        with self.db.transaction() as session:
            action = session.get_one(Action, action_id)
            key = _conversation_key(platform, conversation_id)
            previous = session.scalar(
                select(func.count()).where(
                    Nudge.action_id == action_id, Nudge.step == "card", Nudge.recipient_key == key
                )
            )
            session.add(
                Nudge(
                    action_id=action_id,
                    step="card",
                    deadline_version=action.deadline_version,
                    occurrence=int(previous or 0),
                    recipient_key=key,
                    recipient_id=None,
                    due_at=now,
                    status="pending",
                    attempts=0,
                    stuck=False,
                    created_at=now,
                )
            )

    # ===== sweeping ==============================================================================
    def _claim(self, now: datetime, limit: int) -> list[int]:
        """Atomically take up to ``limit`` due rows (and rows whose lease ran out) for this worker."""
        with self.db.transaction() as session:
            due = (
                select(Nudge.id)
                .where(
                    or_(
                        and_(Nudge.status == "pending", Nudge.due_at <= now),
                        and_(Nudge.status == "sending", Nudge.lease_until < now),
                    )
                )
                .order_by(Nudge.due_at, Nudge.id)
                .limit(limit)
            )
            if self.db.dialect == "postgresql":
                due = due.with_for_update(skip_locked=True)
            claimed = session.execute(
                update(Nudge)
                .where(
                    Nudge.id.in_(due.scalar_subquery()),
                    or_(Nudge.status == "pending", and_(Nudge.status == "sending", Nudge.lease_until < now)),
                )
                .values(
                    status="sending",
                    claimed_by=self.worker,
                    lease_until=now + LEASE,
                    attempts=Nudge.attempts + 1,
                )
                .returning(Nudge.id)
                .execution_options(synchronize_session=False)
            )
            return sorted(row[0] for row in claimed)

    def _still_wanted(self, nudge: Nudge, action: Action) -> bool:
        """Whether a claimed row still makes sense for the action as it is now."""
        if nudge.step == "card":
            return True
        if action.status not in ("open", "blocked"):
            return False
        if nudge.step in ("due_soon", "due_today", "overdue") and action.status == "blocked":
            return False  # a block stops the owner's nudges
        if (
            nudge.step in LADDER_STEPS
            and nudge.step != "review_due"
            and nudge.deadline_version != action.deadline_version
        ):
            return False
        return not (nudge.step == "review_due" and action.reviewed_at is not None)

    def _block_reason(self, session: Session, action: Action) -> str | None:
        event = session.scalars(
            select(ActionEvent)
            .where(ActionEvent.action_id == action.id, ActionEvent.kind == "blocked")
            .order_by(ActionEvent.seq.desc())
            .limit(1)
        ).first()
        return event.reason if event else None

    def _collapse(self, session: Session, nudge: Nudge, action: Action, now: datetime) -> None:
        """After downtime, move a claimed ladder row on to the most advanced occurrence now due."""
        track = next((name for name, steps in TRACKS.items() if nudge.step in steps), None)
        if track is None or track == "review" or nudge.recipient_id is None:
            return
        recipient = session.get_one(Person, nudge.recipient_id)
        cal = self._calendar_for(recipient)
        series = (
            owner_track(action.deadline, cal, self.cfg)
            if track == "owner"
            else escalation_track(action.deadline, cal, self.cfg)
        )
        latest = next_occurrence(series, nudge.due_at - timedelta(microseconds=1), now)
        if (
            latest is not None
            and latest.due_at <= now
            and (latest.step, latest.occurrence) != (nudge.step, nudge.occurrence)
        ):
            nudge.step, nudge.occurrence, nudge.due_at = latest.step, latest.occurrence, latest.due_at

    def _prepare(
        self, nudge_id: int, now: datetime
    ) -> tuple[Nudge, ActionView, PersonView | None, str | None, int] | None:
        """Load a claimed row and decide what to send; cancels rows that no longer make sense."""
        with self.db.transaction() as session:
            nudge = session.get_one(Nudge, nudge_id)
            if nudge.status != "sending" or nudge.claimed_by != self.worker:
                return None
            action = session.get_one(Action, nudge.action_id)
            if not self._still_wanted(nudge, action):
                nudge.status = "cancelled"
                return None
            self._collapse(session, nudge, action, now)
            recipient = PersonView.of(session.get_one(Person, nudge.recipient_id)) if nudge.recipient_id else None
            reason = self._block_reason(session, action) if nudge.step == "blocked" else None
            late = self.calendar.working_days_between(self.calendar.today(action.deadline), self.calendar.today(now))
            session.expunge(nudge)
            return nudge, ActionView.of(action), recipient, reason, max(0, late)

    def _messenger(self, nudge: Nudge, recipient: PersonView | None) -> tuple[Messenger | None, str]:
        if nudge.recipient_key.startswith("c:"):
            _, platform, conversation = nudge.recipient_key.split(":", 2)
            return self.router.for_conversation(platform), conversation
        assert recipient is not None
        return self.router.for_person(recipient), ""

    def _deliver(
        self,
        nudge: Nudge,
        action: ActionView,
        recipient: PersonView | None,
        reason: str | None,
        late: int,
        now: datetime,
    ) -> Delivered | None:
        zone = self._zone_for(recipient.timezone if recipient else None)
        message = nudge_message(nudge.step, action, zone, now, working_days_late=late, reason=reason)
        messenger, conversation = self._messenger(nudge, recipient)
        if messenger is None:
            return None
        if conversation:
            return messenger.post_to_conversation(conversation, message)
        assert recipient is not None
        return messenger.send_direct(recipient, message)

    def _finish(self, nudge: Nudge, delivered: Delivered | None, now: datetime) -> None:
        """Record the outcome and queue the next occurrence on the track, in one transaction."""
        with self.db.transaction() as session:
            row = session.get_one(Nudge, nudge.id)
            if row.status != "sending" or row.claimed_by != self.worker:
                return  # our lease ran out and another worker took it over
            row.step, row.occurrence, row.due_at = nudge.step, nudge.occurrence, nudge.due_at
            row.status = "sent" if delivered else "unreachable"
            row.sent_at = now
            row.channel = delivered.channel if delivered else None
            row.delivery_ref = delivered.ref if delivered else None
            row.lease_until = None
            session.flush()
            action = session.get_one(Action, row.action_id)
            if row.step != "card":
                details: dict[str, object] = {
                    "step": row.step,
                    "occurrence": row.occurrence,
                    "recipient_id": row.recipient_id,
                    "delivered": delivered is not None,
                    "channel": row.channel,
                }
                if delivered is None:
                    details["why"] = "no chat platform or email address is known for this person"
                kind = "escalated" if row.step in ESCALATION_STEPS else "nudged"
                append_event(session, kind=kind, at=now, action_id=action.id, details=details)
            if row.step in LADDER_STEPS:
                self.plan(session, action, now)

    def _failed(self, nudge: Nudge, error: Exception, now: datetime) -> None:
        retry_after = error.retry_after if isinstance(error, DeliveryError) else None
        permanent = isinstance(error, DeliveryError) and error.permanent
        with self.db.transaction() as session:
            row = session.get_one(Nudge, nudge.id)
            if row.status != "sending" or row.claimed_by != self.worker:
                return
            backoff = timedelta(seconds=self.cfg.retry_backoff_seconds * 2 ** max(0, row.attempts - 1))
            if retry_after is not None:
                backoff = max(backoff, timedelta(seconds=retry_after))
            row.status = "pending"
            row.due_at = now + (MAX_BACKOFF if permanent else min(backoff, MAX_BACKOFF))
            row.lease_until = None
            row.claimed_by = None
            what = error.__class__.__name__ if not isinstance(error, DeliveryError) else str(error)
            row.last_error = what[:300]
            if (row.attempts >= self.cfg.max_send_attempts or permanent) and not row.stuck:
                row.stuck = True
                log.error(
                    "nudge %s (action %s, %s) is stuck after %s attempts: %s",
                    row.id,
                    row.action_id,
                    row.step,
                    row.attempts,
                    row.last_error,
                )
            else:
                log.warning(
                    "nudge %s (action %s, %s) failed, attempt %s: %s",
                    row.id,
                    row.action_id,
                    row.step,
                    row.attempts,
                    row.last_error,
                )

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
            for nudge_id in claimed:
                report.items.append(self._send_one(nudge_id, now))
        return report

    def _send_one(self, nudge_id: int, now: datetime) -> SweepItem:
        prepared = self._prepare(nudge_id, now)
        if prepared is None:
            return SweepItem(nudge_id, "", "", "", "skipped")
        nudge, action, recipient, reason, late = prepared
        who = recipient.name if recipient else nudge.recipient_key.split(":", 2)[-1]
        try:
            delivered = self._deliver(nudge, action, recipient, reason, late, now)
        except Exception as error:  # any failure keeps the row pending and is retried: nothing is lost
            self._failed(nudge, error, now)
            return SweepItem(nudge_id, action.ref, nudge.step, who, "failed")
        self._finish(nudge, delivered, now)
        return SweepItem(
            nudge_id,
            action.ref,
            nudge.step,
            who,
            "sent" if delivered else "unreachable",
            delivered.channel if delivered else None,
        )

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
