"""Use cases: record, complete, extend, reassign, block, cancel, comment, list; meetings start and end.

Each use case is one transaction that writes the action's change and its event in the action log
together, so the log can never miss a change nor show one that did not happen. Decisions that UK
safeguarding practice expects to be explained (extension, reassignment, block, cancellation, reopening)
require a reason. Every change is checked against bot.actions.authz first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.actions import authz
from bot.actions.people import PersonInput, find_person, identify
from bot.actions.records import ActionView, EventView, MeetingView, PersonView, Recorded
from bot.capture.controls import refusal
from bot.capture.dates import WorkCalendar, ensure_aware, format_when, utcnow
from bot.capture.grammar import ActionDraft
from bot.capture.owners import OwnerRef
from bot.capture.pii import personal_data_warning
from bot.config import Settings
from storage.db import Database
from storage.log import append_event
from storage.models import OPEN_STATUSES, Action, ActionEvent, Meeting, MeetingParticipant, Person, RequestKey

MAX_REASON = 1000


class ChangeListener(Protocol):
    """Told of every change inside its transaction (the chaser plans nudges here)."""

    def action_changed(self, session: Session, action: Action, kind: str, now: datetime) -> None: ...

    def meeting_ended(self, session: Session, meeting: Meeting, now: datetime) -> None: ...

    def people_changed(self, session: Session, owner_ids: Sequence[int] | None, now: datetime) -> None:
        """Who is told about these owners' actions may have changed (their escalation contact, agency or
        active flag); ``None``: about everyone's (a DSL appointed or removed)."""
        ...


class ServiceError(Exception):
    """A request the service refuses; the message is safe to show to the person who asked."""


class NotFound(ServiceError):
    pass


class NotAllowed(ServiceError):
    pass


class InvalidChange(ServiceError):
    pass


@dataclass(frozen=True)
class ConversationRef:
    """Where a command was typed: the platform and its conversation (channel or chat) id."""

    platform: str
    conversation_id: str


def parse_ref(ref: str) -> int:
    """``A-42`` (or ``a42``, ``42``) -> 42."""
    text = ref.strip().upper().removeprefix("A").lstrip("-")
    if not text.isdigit() or len(text) > 12:
        raise NotFound(f"\u201c{ref.strip()[:20]}\u201d is not an action reference; they look like A-42.")
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


def _review_refusal(person: Person, action: Action) -> str:
    if person.id == action.owner_id:
        return (
            f"{action.ref} is yours: its review is the chair's check of your work. "
            "Use Done or On track to report on it. Nothing was changed."
        )
    return f"Only the chair who recorded {action.ref} or a DSL can mark it reviewed. Nothing was changed."


#: Event details that name a person by id.
PERSON_FIELDS = ("owner_id", "from_owner_id", "to_owner_id")


@dataclass(frozen=True)
class Moved:
    """A deadline moved: the action as it now is, and which way."""

    action: ActionView
    brought_forward: bool

    @property
    def verb(self) -> str:
        return "brought forward" if self.brought_forward else "extended"


class ActionService:
    """The core's front door. Adapters call these methods; each returns plain views."""

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
        append_event(
            session,
            kind=kind,
            at=now,
            action_id=action.id,
            actor_id=actor.id if actor else None,
            reason=reason,
            details=details,
        )
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
        allowed: Callable[[Person, Action], bool],
        refusal: Callable[[Person, Action], str],
    ) -> tuple[Action, Person]:
        """The action (locked) and the person acting, once ``allowed`` says they may; else NotAllowed."""
        action = self._load(session, ref, lock=True)
        person = identify(session, actor, now)
        if not allowed(person, action):
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
    def complete(
        self, ref: str | int, actor: PersonInput, note: str | None = None, *, now: datetime | None = None
    ) -> ActionView:
        now = self._now(now)
        note = clean_reason(note, False, "complete")
        with self.db.transaction() as session:
            action, person = self._changeable(session, ref, actor, now)
            if action.status == "done":
                raise InvalidChange(f"{action.ref} is already done.")
            self._require_open(action, "complete")
            action.status = "done"
            action.closed_at = now
            self._record(session, action, "completed", person, now, note)
            return ActionView.of(action)

    def acknowledge(
        self, ref: str | int, actor: PersonInput, note: str | None = None, *, now: datetime | None = None
    ) -> ActionView:
        """The owner says the action is on track."""
        now = self._now(now)
        note = clean_reason(note, False, "acknowledge")
        with self.db.transaction() as session:
            action, person = self._authorised(
                session,
                ref,
                actor,
                now,
                authz.may_acknowledge,
                lambda _, action: f"Only the owner of {action.ref} can say it is on track.",
            )
            self._require_open(action, "acknowledge")
            self._record(session, action, "acknowledged", person, now, note)
            return ActionView.of(action)

    def extend(
        self,
        ref: str | int,
        actor: PersonInput,
        new_deadline: datetime,
        reason: str | None,
        *,
        now: datetime | None = None,
    ) -> ActionView:
        """Move the deadline (later: an extension; earlier: brought forward). See ``move_deadline``."""
        return self.move_deadline(ref, actor, new_deadline, reason, now=now).action

    def move_deadline(
        self,
        ref: str | int,
        actor: PersonInput,
        new_deadline: datetime,
        reason: str | None,
        *,
        now: datetime | None = None,
    ) -> Moved:
        """Move the deadline, with a reason. A later date is an extension (``extended``, counted in
        ``extensions`` and by the drift report); an earlier one is ``brought_forward`` and counts as none."""
        now = self._now(now)
        reason = clean_reason(reason, True, "move a deadline")
        ensure_aware(new_deadline)
        with self.db.transaction() as session:
            action, person = self._changeable(session, ref, actor, now)
            self._require_open(action, "extend")
            if new_deadline <= now:
                raise InvalidChange(
                    f"The new deadline {format_when(new_deadline, self.calendar.zone, now)} is in the past."
                )
            if new_deadline == action.deadline:
                raise InvalidChange(
                    f"{action.ref} is already due {format_when(new_deadline, self.calendar.zone, now)}."
                )
            old = action.deadline
            earlier = new_deadline < old
            action.deadline = new_deadline
            action.deadline_version += 1
            action.extensions += 0 if earlier else 1
            action.deadline_set_at = now
            self._record(
                session,
                action,
                "brought_forward" if earlier else "extended",
                person,
                now,
                reason,
                {"from": old.isoformat(), "to": new_deadline.isoformat(), "deadline_version": action.deadline_version},
            )
            return Moved(ActionView.of(action), brought_forward=earlier)

    def reassign(
        self,
        ref: str | int,
        actor: PersonInput,
        new_owner: PersonInput,
        reason: str | None,
        *,
        now: datetime | None = None,
    ) -> ActionView:
        now = self._now(now)
        reason = clean_reason(reason, True, "reassign an action")
        with self.db.transaction() as session:
            action, person = self._changeable(session, ref, actor, now)
            self._require_open(action, "reassign")
            owner = identify(session, new_owner, now)
            if owner.id == action.owner_id:
                raise InvalidChange(f"{action.ref} is already {owner.display_name}'s.")
            old_owner = action.owner_id
            action.owner = owner
            action.owner_active_at = now  # the new owner's silence is counted from the handover
            self._record(
                session,
                action,
                "reassigned",
                person,
                now,
                reason,
                {"from_owner_id": old_owner, "to_owner_id": owner.id},
            )
            return ActionView.of(action)

    def block(
        self, ref: str | int, actor: PersonInput, reason: str | None, *, now: datetime | None = None
    ) -> ActionView:
        now = self._now(now)
        reason = clean_reason(reason, True, "mark an action blocked")
        with self.db.transaction() as session:
            action, person = self._changeable(session, ref, actor, now)
            self._require_open(action, "block")
            if action.status == "blocked":
                raise InvalidChange(f"{action.ref} is already blocked.")
            action.status = "blocked"
            self._record(session, action, "blocked", person, now, reason)
            return ActionView.of(action)

    def unblock(
        self, ref: str | int, actor: PersonInput, reason: str | None = None, *, now: datetime | None = None
    ) -> ActionView:
        now = self._now(now)
        reason = clean_reason(reason, False, "unblock")
        with self.db.transaction() as session:
            action, person = self._changeable(session, ref, actor, now)
            if action.status != "blocked":
                raise InvalidChange(f"{action.ref} is not blocked.")
            action.status = "open"
            self._record(session, action, "unblocked", person, now, reason)
            return ActionView.of(action)

    def cancel(
        self, ref: str | int, actor: PersonInput, reason: str | None, *, now: datetime | None = None
    ) -> ActionView:
        now = self._now(now)
        reason = clean_reason(reason, True, "cancel an action")
        with self.db.transaction() as session:
            action, person = self._changeable(session, ref, actor, now)
            self._require_open(action, "cancel")
            action.status = "cancelled"
            action.closed_at = now
            self._record(session, action, "cancelled", person, now, reason)
            return ActionView.of(action)

    def reopen(
        self, ref: str | int, actor: PersonInput, reason: str | None, *, now: datetime | None = None
    ) -> ActionView:
        now = self._now(now)
        reason = clean_reason(reason, True, "reopen an action")
        with self.db.transaction() as session:
            action, person = self._changeable(session, ref, actor, now)
            if action.status not in ("done", "cancelled"):
                raise InvalidChange(f"{action.ref} is still {action.status}.")
            action.status = "open"
            action.closed_at = None
            self._record(session, action, "reopened", person, now, reason)
            return ActionView.of(action)

    def comment(self, ref: str | int, actor: PersonInput, text: str, *, now: datetime | None = None) -> ActionView:
        now = self._now(now)
        text_ = clean_reason(text, True, "comment")
        with self.db.transaction() as session:
            action, person = self._authorised(
                session, ref, actor, now, authz.may_see, lambda _, action: f"You cannot see {action.ref}."
            )
            self._record(session, action, "commented", person, now, text_)
            return ActionView.of(action)

    def mark_reviewed(
        self, ref: str | int, actor: PersonInput, note: str | None = None, *, now: datetime | None = None
    ) -> ActionView:
        """The review at the review date: by whoever recorded the action, a DSL or an admin; never its owner."""
        now = self._now(now)
        note = clean_reason(note, False, "review")
        with self.db.transaction() as session:
            action, person = self._authorised(session, ref, actor, now, authz.may_review, _review_refusal)
            action.reviewed_at = now
            self._record(session, action, "reviewed", person, now, note)
            return ActionView.of(action)

    # -- reading ----------------------------------------------------------------------------------
    def get(self, ref: str | int, viewer: PersonInput) -> ActionView:
        with self.db.reading() as session:
            action = self._load(session, ref)
            person = find_person(session, viewer.ref)
            if person is None or not authz.may_see(person, action):
                raise NotFound(f"There is no action {action.ref} that you can see.")
            return ActionView.of(action)

    def history(self, ref: str | int, viewer: PersonInput) -> list[EventView]:
        """An action's events, oldest first."""
        self.get(ref, viewer)
        with self.db.reading() as session:
            rows = session.execute(
                select(ActionEvent, Person)
                .outerjoin(Person, Person.id == ActionEvent.actor_id)
                .where(ActionEvent.action_id == (ref if isinstance(ref, int) else parse_ref(ref)))
                .order_by(ActionEvent.seq)
            ).all()
            named = {
                value
                for event, _ in rows
                for key in PERSON_FIELDS
                if isinstance(value := (event.details or {}).get(key), int)
            }
            names = (
                dict(session.execute(select(Person.id, Person.display_name).where(Person.id.in_(named))).tuples().all())
                if named
                else {}
            )
            return [EventView.of(event, actor, names) for event, actor in rows]

    def list_actions(
        self,
        viewer: PersonInput,
        *,
        scope: str = "mine",
        owner: OwnerRef | None = None,
        case_ref: str | None = None,
        meeting_id: int | None = None,
        include_closed: bool = False,
        now: datetime | None = None,
        limit: int = 200,
    ) -> list[ActionView]:
        """Actions the viewer may see: ``mine`` (owned), ``overdue``, ``all``, or filtered by owner,
        case reference or meeting. Ordered by deadline."""
        now = self._now(now)
        with self.db.reading() as session:
            person = find_person(session, viewer.ref)
            if person is None:
                return []
            query = select(Action).where(authz.visible_to(person))
            if not include_closed:
                query = query.where(Action.status.in_(("open", "blocked")))
            if scope == "mine":
                query = query.where(Action.owner_id == person.id)
            elif scope == "overdue":
                query = query.where(Action.deadline < now, Action.status.in_(("open", "blocked")))
            if owner is not None:
                target = find_person(session, owner)
                if target is None:
                    return []
                query = query.where(Action.owner_id == target.id)
            if case_ref:
                query = query.where(func.upper(Action.case_ref) == case_ref.upper().lstrip("#"))
            if meeting_id is not None:
                query = query.where(Action.meeting_id == meeting_id)
            rows = session.scalars(query.order_by(Action.deadline, Action.id).limit(limit)).unique()
            return [ActionView.of(action) for action in rows]

    def may_report(self, who: PersonInput) -> bool:
        """Whether this person may see drift reports (a DSL or an admin)."""
        with self.db.reading() as session:
            person = find_person(session, who.ref)
            return person is not None and authz.may_report(person)

    def person(self, who: PersonInput) -> PersonView | None:
        with self.db.reading() as session:
            person = find_person(session, who.ref)
            return PersonView.of(person) if person else None

    def ensure_person(self, who: PersonInput, *, now: datetime | None = None) -> PersonView:
        now = self._now(now)
        with self.db.transaction() as session:
            return PersonView.of(identify(session, who, now))

    # -- meetings ---------------------------------------------------------------------------------
    def _open_meeting(self, session: Session, conversation: ConversationRef) -> Meeting | None:
        return session.scalars(
            select(Meeting)
            .where(
                Meeting.platform == conversation.platform,
                Meeting.conversation_id == conversation.conversation_id,
                Meeting.ended_at.is_(None),
            )
            .order_by(Meeting.id.desc())
            .limit(1)
        ).first()

    def current_meeting(self, conversation: ConversationRef) -> MeetingView | None:
        with self.db.reading() as session:
            meeting = self._open_meeting(session, conversation)
            return MeetingView.of(meeting) if meeting else None

    def start_meeting(
        self,
        conversation: ConversationRef,
        chair: PersonInput,
        title: str,
        case_ref: str | None = None,
        *,
        participants: Sequence[PersonInput] = (),
        now: datetime | None = None,
    ) -> MeetingView:
        now = self._now(now)
        if problem := refusal(title, "meeting title"):
            raise InvalidChange(problem)
        title = " ".join(title.split())
        if not title:
            raise InvalidChange("Give the meeting a title, e.g. /meeting start Strategy meeting #CR-1042")
        if len(title) > 300:
            raise InvalidChange("The meeting title is too long (at most 300 characters).")
        with self.db.transaction() as session:
            person = identify(session, chair, now)
            if not authz.may_chair(person):
                raise NotAllowed(
                    "Only people with the chair, DSL or admin role can start a meeting; nothing was started. "
                    "You can still record actions with /action. An admin can give you the role: "
                    "actionbot people set-role PERSON chair."
                )
            running = self._open_meeting(session, conversation)
            if running is not None:
                raise InvalidChange(
                    f"\u201c{running.title}\u201d is still running here; end it first with /meeting end."
                )
            meeting = Meeting(
                title=title,
                case_ref=case_ref.upper().lstrip("#") if case_ref else None,
                chair_id=person.id,
                platform=conversation.platform,
                conversation_id=conversation.conversation_id,
                started_at=now,
            )
            session.add(meeting)
            session.flush()
            member_ids = {identify(session, who, now).id for who in participants} | {person.id}
            meeting.participants = [
                MeetingParticipant(meeting_id=meeting.id, person_id=pid) for pid in sorted(member_ids)
            ]
            session.flush()
            return MeetingView.of(meeting)

    def take_over_meeting(
        self, conversation: ConversationRef, actor: PersonInput, reason: str | None, *, now: datetime | None = None
    ) -> MeetingView:
        """A DSL or admin becomes the chair of the conversation's running meeting (logged with the reason)."""
        now = self._now(now)
        reason = clean_reason(reason, True, "take over a meeting")
        with self.db.transaction() as session:
            meeting = self._open_meeting(session, conversation)
            if meeting is None:
                raise InvalidChange("No meeting is running here. Start one with /meeting start <title>.")
            person = identify(session, actor, now)
            if not authz.may_take_over(person):
                raise NotAllowed(
                    f"Only a DSL or an admin can take over a meeting. Ask the chair ({meeting.chair.display_name}) "
                    "to end it with /meeting end."
                )
            if meeting.chair_id == person.id:
                raise InvalidChange("You already chair this meeting.")
            previous = meeting.chair_id
            meeting.chair = person  # the relationship, not only the id: planning below reads meeting.chair
            if all(p.person_id != person.id for p in meeting.participants):
                meeting.participants.append(MeetingParticipant(meeting_id=meeting.id, person_id=person.id))
            append_event(
                session,
                kind="chair_changed",
                at=now,
                actor_id=person.id,
                reason=reason,
                details={"meeting_id": meeting.id, "from_chair_id": previous, "to_chair_id": person.id},
            )
            session.flush()
            # The meeting's chair is told when its actions drift: the new chair from now on, not the old.
            owners = sorted(set(session.scalars(select(Action.owner_id).where(Action.meeting_id == meeting.id))))
            for listener in self.listeners:
                listener.people_changed(session, owners, now)
            session.refresh(meeting)
            return MeetingView.of(meeting)

    def end_meeting(
        self, conversation: ConversationRef, actor: PersonInput, *, now: datetime | None = None
    ) -> tuple[MeetingView, list[ActionView]]:
        """End the conversation's meeting; returns it with every action agreed in it."""
        now = self._now(now)
        with self.db.transaction() as session:
            meeting = self._open_meeting(session, conversation)
            if meeting is None:
                raise InvalidChange("No meeting is running here. Start one with /meeting start <title>.")
            person = identify(session, actor, now)
            if person.id != meeting.chair_id and not authz.has_oversight(person):
                raise NotAllowed(f"Only the chair ({meeting.chair.display_name}) or a DSL can end this meeting.")
            meeting.ended_at = now
            for listener in self.listeners:
                listener.meeting_ended(session, meeting, now)
            actions = session.scalars(
                select(Action).where(Action.meeting_id == meeting.id).order_by(Action.id)
            ).unique()
            return MeetingView.of(meeting), [ActionView.of(a) for a in actions]
