"""Use cases: record, complete, extend, reassign, block, cancel, comment, list; meetings start and end.

Each use case is one transaction that writes the action's change and its event in the action log
together, so the log can never miss a change nor show one that did not happen. Decisions that UK
safeguarding practice expects to be explained (extension, reassignment, block, cancellation, reopening)
require a reason. Every change is checked against bot.actions.authz first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.actions.base import (
    MAX_REASON,
    ChangeListener,
    ConversationRef,
    InvalidChange,
    NotAllowed,
    NotFound,
    ServiceError,
    clean_reason,
    parse_ref,
)
from bot.actions.changes import Changes, Moved
from bot.actions.meetings import Meetings
from bot.actions.people import PersonInput, identify
from bot.actions.reading import Reading
from bot.actions.records import ActionView, Recorded
from bot.capture.controls import refusal
from bot.capture.grammar import ActionDraft
from bot.capture.pii import personal_data_warning
from storage.models import OPEN_STATUSES, Action, RequestKey

__all__ = [
    "MAX_REASON",
    "ActionService",
    "ChangeListener",
    "ConversationRef",
    "InvalidChange",
    "Moved",
    "NotAllowed",
    "NotFound",
    "ServiceError",
    "clean_reason",
    "parse_ref",
]


class ActionService(Changes, Meetings, Reading):
    """The core's front door. Adapters call these methods; each returns plain views. Recording is here;
    changes, reading and meetings live in their own modules (bot.actions.changes, .reading, .meetings)."""

    def record(
        self,
        draft: ActionDraft,
        actor: PersonInput,
        *,
        owner_profile: PersonInput | None = None,
        conversation: ConversationRef | None = None,
        idempotency_key: str | None = None,
        now: datetime | None = None,
    ) -> Recorded:
        """Record a parsed action. A repeated ``idempotency_key`` returns the first recording unchanged."""
        now = self._now(now)
        if self.settings.pii_mode == "refuse" and draft.personal_data:
            raise InvalidChange(personal_data_warning(list(draft.personal_data)) + " Nothing was recorded.")
        if len(draft.task) > self.settings.max_text_length:
            raise InvalidChange(f"The task is too long (at most {self.settings.max_text_length} characters).")
        if problem := refusal(draft.task, "task"):
            raise InvalidChange(f"{problem} Nothing was recorded.")
        try:
            with self.db.transaction() as session:
                creator = identify(session, actor, now)
                owner = identify(session, owner_profile or PersonInput(draft.owner), now)
                meeting = self._open_meeting(session, conversation) if conversation else None
                action = Action(
                    task=draft.task,
                    owner=owner,
                    deadline=draft.deadline,
                    review_on=draft.review,
                    case_ref=draft.case_ref or (meeting.case_ref if meeting else None),
                    status="open",
                    created_by=creator,
                    created_at=now,
                    updated_at=now,
                    owner_active_at=now,
                    deadline_set_at=now,
                    meeting=meeting,
                    origin=f"{conversation.platform}:{conversation.conversation_id}" if conversation else None,
                    deadline_version=1,
                    extensions=0,
                )
                session.add(action)
                session.flush()
                warnings = draft.warnings + self._repeat_warning(session, action)
                if idempotency_key:
                    session.add(RequestKey(key=idempotency_key, action_id=action.id, created_at=now))
                self._record(
                    session,
                    action,
                    "created",
                    creator,
                    now,
                    details={
                        "task": action.task,
                        "owner_id": owner.id,
                        "deadline": action.deadline.isoformat(),
                        "review_on": action.review_on.isoformat() if action.review_on else None,
                        "case_ref": action.case_ref,
                        "meeting_id": action.meeting_id,
                        "warnings": list(warnings),
                    },
                )
                session.refresh(action)
                view = ActionView.of(action)
        except IntegrityError:
            # The request key is unique: a repeat (or a concurrent copy) of a request already recorded fails
            # here and rolls back whole, and the first recording is reported instead. Cheaper than a read first.
            if idempotency_key and (existing := self._by_key(idempotency_key)) is not None:
                return existing
            raise
        return Recorded(view, warnings)

    @staticmethod
    def _repeat_warning(session: Session, action: Action) -> tuple[str, ...]:
        """A warning when the same open action (owner, task, deadline) was already recorded in the same
        meeting, or by the same chair outside one: typed twice, or pasted again from the minutes."""
        same_place = (
            Action.meeting_id == action.meeting_id
            if action.meeting_id is not None
            else and_(Action.meeting_id.is_(None), Action.created_by_id == action.created_by_id)
        )
        earlier = session.scalar(
            select(Action.id)
            .where(
                Action.id != action.id,
                Action.owner_id == action.owner_id,
                Action.deadline == action.deadline,
                func.lower(Action.task) == action.task.lower(),
                Action.status.in_(OPEN_STATUSES),
                same_place,
            )
            .order_by(Action.id)
            .limit(1)
        )
        if earlier is None:
            return ()
        return (
            f"This repeats A-{earlier} (same owner, task and deadline). If it was recorded twice, cancel this one: "
            f"/cancel {action.ref} duplicate of A-{earlier}",
        )

    def _by_key(self, key: str) -> Recorded | None:
        with self.db.reading() as session:
            request = session.get(RequestKey, key)
            if request is None:
                return None
            return Recorded(ActionView.of(self._load(session, request.action_id)), (), duplicate=True)

    # -- changes ----------------------------------------------------------------------------------
