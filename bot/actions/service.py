"""Use cases: record, complete, extend, reassign, block, cancel, comment, list; meetings start and end.

Each use case is one transaction that writes the action's change and its event in the action log
together, so the log can never miss a change nor show one that did not happen. Decisions that UK
safeguarding practice expects to be explained (extension, reassignment, block, cancellation, reopening)
require a reason. Every change is checked against bot.actions.authz first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

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
from bot.actions.batches import Batches
from bot.actions.changes import Changes, Moved
from bot.actions.meetings import Meetings
from bot.actions.people import PersonInput, identify
from bot.actions.reading import Reading
from bot.actions.records import ActionView, Recorded
from bot.capture.controls import refusal
from bot.capture.grammar import ActionDraft
from bot.capture.pii import personal_data_warning
from storage.models import RequestKey

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


class ActionService(Changes, Meetings, Batches, Reading):
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
                owner = identify(session, owner_profile or PersonInput(draft.owner), now, by_name=True)
                meeting = self._open_meeting(session, conversation) if conversation else None
                action, warnings = self._insert_action(
                    session, draft, creator, owner, meeting, conversation, now, idempotency_key
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

    def _by_key(self, key: str) -> Recorded | None:
        with self.db.reading() as session:
            request = session.get(RequestKey, key)
            if request is None:
                return None
            return Recorded(ActionView.of(self._load(session, request.action_id)), (), duplicate=True)

    # -- changes ----------------------------------------------------------------------------------
