"""Queueing nudges: the chaser's half that runs inside the service's transactions. Every change to an
action re-plans its ladder (bot.chasing.planner); some changes also queue a one-off message at once (a
written confirmation, a "blocked" escalation); people changes re-plan whom escalations reach."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.chasing.ladder import Occurrence
from bot.chasing.planner import Planner, conversation_key, person_key
from bot.config import ChaseSettings
from storage.db import Database
from storage.models import OPEN_STATUSES, Action, Meeting, Nudge, Person

#: An owner's written confirmation waits for /meeting end, but never longer than this.
CONFIRMATION_FALLBACK = timedelta(hours=4)
#: Changes after which an action's ladder is planned again.
REPLAN_ON = (
    "created",
    "reassigned",
    "extended",
    "brought_forward",
    "blocked",
    "unblocked",
    "completed",
    "cancelled",
    "reopened",
    "reviewed",
    "snoozed",
)


class Queueing:
    """The service's listener (bot.actions.base.ChangeListener): writes outbox rows, sends nothing."""

    db: Database
    cfg: ChaseSettings
    planner: Planner
    clock: Callable[[], datetime]

    def _one_off(
        self,
        session: Session,
        action: Action,
        step: str,
        recipient: Person,
        due_at: datetime,
        now: datetime,
        *,
        new: bool = False,
    ) -> None:
        """Queue a one-off nudge (a confirmation, a blocked escalation); its occurrence counts earlier ones
        (none for an action created in this transaction: ``new``)."""
        previous = (
            0
            if new
            else session.scalar(
                select(func.count()).where(
                    Nudge.action_id == action.id, Nudge.step == step, Nudge.recipient_key == person_key(recipient.id)
                )
            )
        )
        item = Occurrence(step, int(previous or 0), due_at, due_at.date())
        session.add(Nudge(**self.planner.row(action, item, recipient, now)))

    def action_changed(self, session: Session, action: Action, kind: str, now: datetime) -> None:
        """The service's hook, called in the same transaction as every change to an action."""
        if kind == "created":
            # Held for the meeting's end; an action added to a meeting already over (a statutory step given
            # an owner afterwards) is confirmed at once.
            running = action.meeting is not None and action.meeting.ended_at is None
            wait = CONFIRMATION_FALLBACK if running else timedelta(0)
            self._one_off(session, action, "confirmation", action.owner, now + wait, now, new=True)
        elif kind == "reassigned":
            # The old owner hears nothing more about it: their unsent confirmation goes with the action.
            session.execute(
                update(Nudge)
                .where(
                    Nudge.action_id == action.id,
                    Nudge.step == "confirmation",
                    Nudge.status == "pending",
                    Nudge.recipient_id != action.owner_id,
                )
                .values(status="cancelled")
            )
            self._one_off(session, action, "confirmation", action.owner, now, now)
        elif kind == "snoozed" and action.remind_from is not None:
            # The owner's own reminder at the moment they chose; an earlier snooze's is replaced by it.
            session.execute(
                update(Nudge)
                .where(Nudge.action_id == action.id, Nudge.step == "reminder", Nudge.status == "pending")
                .values(status="cancelled")
            )
            self._one_off(session, action, "reminder", action.owner, action.remind_from, now)
        elif kind == "blocked":
            dsls, people = self.planner.recipients_context(session, [action])
            for person in self.planner.escalation_recipients(action, dsls, people):
                self._one_off(session, action, "blocked", person, now, now)
        if kind in REPLAN_ON:
            session.flush()
            self.planner.plan(session, [action], now, new=kind == "created")

    def handed_over(self, session: Session, action: Action, previous_owner: Person, now: datetime) -> None:
        """One "handed over to X" note to the old owner (``chase.handover_note``), if they were ever told the
        action was theirs (reassigned before their confirmation went: they hear nothing at all)."""
        told = session.scalar(
            select(func.count()).where(
                Nudge.action_id == action.id,
                Nudge.recipient_id == previous_owner.id,
                Nudge.status.in_(("sent", "sending")),
            )
        )
        if self.cfg.handover_note and told:
            self._one_off(session, action, "handed_over", previous_owner, now, now)

    def people_changed(self, session: Session, owner_ids: Sequence[int] | None, now: datetime) -> None:
        """Re-plan the open actions whose escalation recipients may have changed (these owners', or with
        ``None`` every open action's): a DSL appointed later is told, one removed is no longer."""
        query = select(Action).where(Action.status.in_(OPEN_STATUSES))
        if owner_ids is not None:
            query = query.where(Action.owner_id.in_(owner_ids))
        self.planner.plan(session, list(session.scalars(query).unique()), now)

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
