"""The service's foundations: its errors, the listener protocol, and the helpers every use case shares
(loading an action, checking who may act, writing a change's event with it). See bot.actions.service."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.actions import authz
from bot.actions.errors import InvalidChange as InvalidChange
from bot.actions.errors import NotAllowed as NotAllowed
from bot.actions.errors import NotFound as NotFound
from bot.actions.errors import ServiceError as ServiceError
from bot.actions.people import PersonInput, identify
from bot.capture.controls import refusal
from bot.capture.dates import WorkCalendar, ensure_aware, utcnow
from bot.capture.grammar import ActionDraft
from bot.config import Settings
from storage.db import Database
from storage.log import NewEvent, queue_events
from storage.models import OPEN_STATUSES, Action, Meeting, Person, RequestKey

MAX_REASON = 1000

#: How the person acting reached us when it was not a chat (``"email link"``): written into the change's
#: event (``details.via``), so the log says how each answer came in.
_acting_via: ContextVar[str | None] = ContextVar("acting_via", default=None)


@contextmanager
def acting_via(channel: str) -> Iterator[None]:
    """Within this block, every change the service logs says it came ``via`` this channel."""
    token = _acting_via.set(channel)
    try:
        yield
    finally:
        _acting_via.reset(token)


class ChangeListener(Protocol):
    """Told of every change inside its transaction (the chaser plans nudges here)."""

    def action_changed(self, session: Session, action: Action, kind: str, now: datetime) -> None: ...

    def meeting_ended(self, session: Session, meeting: Meeting, now: datetime) -> None: ...

    def handed_over(self, session: Session, action: Action, previous_owner: Person, now: datetime) -> None:
        """The action was reassigned away from ``previous_owner`` (already logged and re-planned)."""
        ...

    def people_changed(self, session: Session, owner_ids: Sequence[int] | None, now: datetime) -> None:
        """Who is told about these owners' actions may have changed (their escalation contact, agency or
        active flag); ``None``: about everyone's (a DSL appointed or removed)."""
        ...


@dataclass(frozen=True)
class ConversationRef:
    """Where a command was typed: the platform and its conversation (channel or chat) id."""

    platform: str
    conversation_id: str


def parse_ref(ref: str, prefix: str = "A", what: str = "an action") -> int:
    """``A-42`` (or ``a42``, ``42``) -> 42; with another ``prefix``, a statutory step's ``S-3`` or a pasted
    list's ``B-3`` (``what`` names it in the refusal)."""
    text = ref.strip().upper().removeprefix(prefix).lstrip("-")
    if not (text.isascii() and text.isdigit()) or len(text) > 12:  # "²" is a digit int() refuses
        raise NotFound(f"\u201c{ref.strip()[:20]}\u201d is not {what} reference; they look like {prefix}-42.")
    return int(text)


def clean_reason(reason: str | None, required: bool, what: str) -> str | None:
    """A reason as it is logged: whitespace collapsed, within the length limit, present when required."""
    if problem := refusal(reason or "", "text"):
        raise InvalidChange(problem)
    text = " ".join((reason or "").split())
    if len(text) > MAX_REASON:
        raise InvalidChange(f"The reason is {len(text)} characters; keep it under {MAX_REASON}.")
    if required and len(text) < 3:
        raise InvalidChange(f"Say why: a reason is required to {what}.")
    return text or None


class ServiceBase:
    """What every use case shares: the database, settings, calendar, clock and listeners, loading an
    action, checking who may act, and writing a change's event in its own transaction."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        calendar: WorkCalendar | None = None,
        clock: Callable[[], datetime] = utcnow,
        listeners: Sequence[ChangeListener] = (),
    ) -> None:
        self.db = db
        self.settings = settings
        self.calendar = calendar or WorkCalendar.from_settings(settings)
        self.clock = clock
        self.listeners = list(listeners)

    # -- helpers ----------------------------------------------------------------------------------
    def _now(self, now: datetime | None) -> datetime:
        return ensure_aware(now) if now is not None else self.clock()

    def _load(self, session: Session, ref: str | int, *, lock: bool = False) -> Action:
        action_id = ref if isinstance(ref, int) else parse_ref(ref)
        query = select(Action).where(Action.id == action_id)
        if lock:
            query = query.with_for_update(of=Action)
        action = session.scalars(query).unique().first()
        if action is None:
            raise NotFound(f"There is no action A-{action_id}.")
        return action

    def _record(
        self,
        session: Session,
        action: Action,
        kind: str,
        actor: Person | None,
        now: datetime,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Write the change's event into the log, in the change's own transaction, and tell the listeners.

        An action whose personal data retention removed takes no more changes: new words written to it
        would outlive the retention rule that already ran."""
        if action.redacted_at is not None:
            raise InvalidChange(
                f"{action.ref} was closed and its details removed under the retention policy; it cannot be "
                "changed. Record a new action instead."
            )
        if (via := _acting_via.get()) is not None:
            details = {**(details or {}), "via": via}
        queue_events(
            session, [NewEvent(kind, now, action.id, actor.id if actor else None, reason, dict(details or {}))]
        )  # appended as the change commits: the log's head row is locked only then
        if actor is not None and actor.id == action.owner_id:
            action.owner_active_at = now
        action.updated_at = now
        session.flush()
        for listener in self.listeners:
            listener.action_changed(session, action, kind, now)

    def _authorised(
        self,
        session: Session,
        ref: str | int,
        actor: PersonInput,
        now: datetime,
        allowed: Callable[[Person, Action, date], bool],
        refusal: Callable[[Person, Action], str],
    ) -> tuple[Action, Person]:
        """The action (locked) and the person acting, once ``allowed`` says they may; else NotAllowed."""
        action = self._load(session, ref, lock=True)
        person = identify(session, actor, now)
        if not allowed(person, action, self.calendar.today(now)):
            raise NotAllowed(refusal(person, action))
        return action, person

    def _changeable(self, session: Session, ref: str | int, actor: PersonInput, now: datetime) -> tuple[Action, Person]:
        return self._authorised(
            session,
            ref,
            actor,
            now,
            authz.may_change,
            lambda _, action: (
                f"Only the owner, the chair who recorded {action.ref}, or a DSL can change it. Nothing was changed."
            ),
        )

    def _require_open(self, action: Action, what: str) -> None:
        if action.status not in ("open", "blocked"):
            raise InvalidChange(f"{action.ref} is {action.status}; reopen it before you {what} it.")

    # -- recording --------------------------------------------------------------------------------
    def _insert_action(
        self,
        session: Session,
        draft: ActionDraft,
        creator: Person,
        owner: Person,
        meeting: Meeting | None,
        conversation: ConversationRef | None,
        now: datetime,
        idempotency_key: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> tuple[Action, tuple[str, ...]]:
        """A new open action and its "created" event, in the caller's transaction; returns it with its warnings."""
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
                **(details or {}),
            },
        )
        return action, warnings

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
