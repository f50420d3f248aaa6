"""Use cases that change an action: complete, acknowledge, extend or bring forward, reassign, block and
unblock, cancel, reopen, comment, mark reviewed. Each is one transaction with its logged event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.actions import authz
from bot.actions.base import InvalidChange, ServiceBase, clean_reason
from bot.actions.people import PersonInput, identify
from bot.actions.records import ActionView
from bot.capture.dates import ensure_aware, format_when
from storage.models import OPEN_STATUSES, Action, Person


def _review_refusal(person: Person, action: Action) -> str:
    if person.id == action.owner_id:
        return (
            f"{action.ref} is yours: its review is the chair's check of your work. "
            "Use Done or On track to report on it. Nothing was changed."
        )
    return f"Only the chair who recorded {action.ref} or a DSL can mark it reviewed. Nothing was changed."


@dataclass(frozen=True)
class Moved:
    """A deadline moved: the action as it now is, and which way."""

    action: ActionView
    brought_forward: bool

    @property
    def verb(self) -> str:
        return "brought forward" if self.brought_forward else "extended"


def _not_open(action: Action, verb: str) -> str | None:
    if action.status in OPEN_STATUSES:
        return None
    return f"{action.ref} is {action.status}; reopen it before you {verb} it."


@dataclass(frozen=True)
class _Transition:
    """A change of status: its event, the new status, what a reason is for (and whether one is required),
    why the action as it is may refuse it, and whether it closes the action (None: leaves that alone)."""

    kind: str
    status: str
    what: str
    reason_required: bool
    refuse: Callable[[Action], str | None]
    closes: bool | None = None


COMPLETE = _Transition(
    "completed",
    "done",
    "complete",
    False,
    lambda a: f"{a.ref} is already done." if a.status == "done" else _not_open(a, "complete"),
    closes=True,
)
BLOCK = _Transition(
    "blocked",
    "blocked",
    "mark an action blocked",
    True,
    lambda a: _not_open(a, "block") or (f"{a.ref} is already blocked." if a.status == "blocked" else None),
)
UNBLOCK = _Transition(
    "unblocked", "open", "unblock", False, lambda a: None if a.status == "blocked" else f"{a.ref} is not blocked."
)
CANCEL = _Transition("cancelled", "cancelled", "cancel an action", True, lambda a: _not_open(a, "cancel"), closes=True)
REOPEN = _Transition(
    "reopened",
    "open",
    "reopen an action",
    True,
    lambda a: None if a.status in ("done", "cancelled") else f"{a.ref} is still {a.status}.",
    closes=False,
)


class Changes(ServiceBase):
    """The changes an owner, a recorder or a DSL can make to an action."""

    def _change_status(
        self, ref: str | int, actor: PersonInput, reason: str | None, now: datetime | None, change: _Transition
    ) -> ActionView:
        """One status change: who acts, whether the action as it is allows it, then the change and its event."""
        now = self._now(now)
        reason = clean_reason(reason, change.reason_required, change.what)
        with self.db.transaction() as session:
            action, person = self._changeable(session, ref, actor, now)
            if (problem := change.refuse(action)) is not None:
                raise InvalidChange(problem)
            action.status = change.status
            if change.closes is not None:
                action.closed_at = now if change.closes else None
            self._record(session, action, change.kind, person, now, reason)
            return ActionView.of(action)

    # The status changes: thin, typed entry points over one rule each (COMPLETE, BLOCK, ... above).
    def complete(
        self, ref: str | int, actor: PersonInput, note: str | None = None, *, now: datetime | None = None
    ) -> ActionView:
        return self._change_status(ref, actor, note, now, COMPLETE)

    def block(
        self, ref: str | int, actor: PersonInput, reason: str | None, *, now: datetime | None = None
    ) -> ActionView:
        return self._change_status(ref, actor, reason, now, BLOCK)

    def unblock(
        self, ref: str | int, actor: PersonInput, reason: str | None = None, *, now: datetime | None = None
    ) -> ActionView:
        return self._change_status(ref, actor, reason, now, UNBLOCK)

    def cancel(
        self, ref: str | int, actor: PersonInput, reason: str | None, *, now: datetime | None = None
    ) -> ActionView:
        return self._change_status(ref, actor, reason, now, CANCEL)

    def reopen(
        self, ref: str | int, actor: PersonInput, reason: str | None, *, now: datetime | None = None
    ) -> ActionView:
        return self._change_status(ref, actor, reason, now, REOPEN)

    def _as_owner(
        self, session: Session, ref: str | int, actor: PersonInput, now: datetime, what: str
    ) -> tuple[Action, Person]:
        """The action (locked) and its owner (or their cover) acting; anyone else is refused."""
        return self._authorised(
            session,
            ref,
            actor,
            now,
            authz.may_acknowledge,
            lambda _, action: f"Only the owner of {action.ref} can {what}.",
        )

    def acknowledge(
        self, ref: str | int, actor: PersonInput, note: str | None = None, *, now: datetime | None = None
    ) -> ActionView:
        """The owner says the action is on track."""
        now = self._now(now)
        note = clean_reason(note, False, "acknowledge")
        with self.db.transaction() as session:
            action, person = self._as_owner(session, ref, actor, now, "say it is on track")
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
            action.remind_from = None  # a snooze was for the old deadline
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
            owner = identify(session, new_owner, now, by_name=True)
            if owner.id == action.owner_id:
                raise InvalidChange(f"{action.ref} is already {owner.display_name}'s.")
            previous = action.owner
            old_owner = action.owner_id
            action.owner = owner
            action.owner_active_at = now  # the new owner's silence is counted from the handover
            action.remind_from = None  # the old owner's snooze is not the new owner's
            self._record(
                session,
                action,
                "reassigned",
                person,
                now,
                reason,
                {"from_owner_id": old_owner, "to_owner_id": owner.id},
            )
            for listener in self.listeners:
                listener.handed_over(session, action, previous, now)
            return ActionView.of(action)

    def snooze(self, ref: str | int, actor: PersonInput, day: date, *, now: datetime | None = None) -> ActionView:
        """The owner (or their cover) asks to be reminded on ``day`` (at the nudge hour, in the owner's time
        zone; a day they do not work becomes their next working day) and not before: the deadline stays
        where it is, so the reminder must come before it."""
        now = self._now(now)
        with self.db.transaction() as session:
            action, person = self._as_owner(session, ref, actor, now, "choose when to be reminded")
            if action.status != "open":
                raise InvalidChange(f"{action.ref} is {action.status}: there are no reminders to move.")
            cal = self.calendar.for_person(action.owner.timezone, action.owner.working_days)
            zone = cal.zone
            moment = cal.at(cal.next_working_day(day), self.settings.chase.nudge_hour)
            if moment <= now:
                raise InvalidChange(f"{format_when(moment, zone, now)} has passed: choose a later day.")
            if moment >= action.deadline:
                raise InvalidChange(
                    f"{action.ref} is due {format_when(action.deadline, zone, now)}: a reminder cannot wait past "
                    f"its deadline. To move the deadline, use Need more time (/extend {action.ref} DATE because "
                    "REASON)."
                )
            action.remind_from = moment
            self._record(session, action, "snoozed", person, now, None, {"until": moment.isoformat()})
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
