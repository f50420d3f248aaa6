"""Answer links: an emailed card's Done, On track, Need more time and Blocked as links to actionbot's page.

People on neither Slack nor Teams (partner agencies: the police, the GP, a school) get their nudges by email.
Each card emailed to the action's owner (or the colleague covering for them) carries one signed link
(itsdangerous: HMAC-SHA256 with ``ACTIONBOT_LINK_SECRET``, timestamped, never hand-rolled). It names one action,
one person, the owner and the deadline version it was sent for, and a random link id. It stops working when
it is older than ``email.link_days``, when the action is closed or reassigned, when its deadline moves, and once
it has been used: the use is written (``answer_link_uses``) in the same transaction as the change it made, so
two presses of one link record one answer. The change itself goes through the service as a chat button's does,
with the person as the actor and ``via: email link`` in its event. Tokens are credentials: never logged.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.actions import authz
from bot.actions.base import InvalidChange, ServiceError, acting_via
from bot.actions.messages import AnswerLink
from bot.actions.people import PersonInput
from bot.actions.records import ActionView, PersonView
from bot.actions.service import ActionService
from bot.capture.dates import format_when
from bot.capture.owners import OwnerRef
from storage.db import Database
from storage.models import Action, AnswerLinkUse, Person

VIA = "email link"
_SALT = "actionbot.answer-link.v1"
#: A secret shorter than this is refused at start-up (32 random bytes, base64: 43 characters).
MIN_SECRET = 32


@dataclass(frozen=True)
class Choice:
    key: str  # in the page's address
    label: str
    needs_date: bool = False
    needs_reason: bool = False


CHOICES: dict[str, Choice] = {
    c.key: c
    for c in (
        Choice("done", "Done"),
        Choice("on-track", "On track"),
        Choice("more-time", "Need more time", needs_date=True, needs_reason=True),
        Choice("blocked", "Blocked", needs_reason=True),
    )
}


#: Only the owner (or their cover) says "on track"; whoever else may change the action (who recorded it, a
#: DSL or admin: bot.actions.authz.may_change) answers its escalations with the other three.
OWNER_CHOICES = tuple(CHOICES)
OVERSIGHT_CHOICES = ("done", "more-time", "blocked")


def choices_for(person: PersonView, action: ActionView) -> tuple[str, ...]:
    """The answers a link for this person offers (none: they get no link; the service still decides)."""
    if person.id in (action.owner.id, action.owner.cover_id):
        return OWNER_CHOICES
    if person.id == action.created_by.id or (person.active and person.role in authz.OVERSIGHT_ROLES):
        return OVERSIGHT_CHOICES
    return ()


class LinkRefused(ServiceError):
    """The link cannot be used. ``kind``: ``invalid`` (tampered or not ours), ``expired``, ``answered`` (used
    already), ``changed`` (the action was closed, reassigned or re-dated since it was sent)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class OpenLink:
    """A link that can still be answered: its id, the action as it now is, and the person it was sent to."""

    link_id: str
    action: ActionView
    person: PersonView
    choices: tuple[str, ...]


@dataclass(frozen=True)
class _Claim:
    action_id: int
    person_id: int
    owner_id: int
    deadline_version: int
    link_id: str

    @classmethod
    def read(cls, payload: object) -> _Claim:
        if not (isinstance(payload, list) and len(payload) == 5):
            raise LinkRefused("invalid", "This link is not one actionbot made.")
        action_id, person_id, owner_id, version, link_id = payload
        numbers = (action_id, person_id, owner_id, version)
        if not all(isinstance(n, int) for n in numbers) or not isinstance(link_id, str):
            raise LinkRefused("invalid", "This link is not one actionbot made.")
        return cls(action_id, person_id, owner_id, version, link_id)


#: The link being answered in this context: its use is written in the change's own transaction.
_answering: ContextVar[tuple[_Claim, str, datetime] | None] = ContextVar("answering", default=None)


def _write_use_before_commit(session: Session) -> None:
    current = _answering.get()
    if current is None or session.in_nested_transaction() or session.info.get("answer_link_used"):
        return
    claim, choice, now = current
    session.info["answer_link_used"] = True
    session.execute(
        insert(AnswerLinkUse).values(
            link_id=claim.link_id, action_id=claim.action_id, person_id=claim.person_id, choice=choice, used_at=now
        )
    )


def _signer_on(clock: Callable[[], datetime]) -> type[TimestampSigner]:
    """itsdangerous' timestamp signer on the core's clock (the service's idea of now), not the system's."""

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock().timestamp())

    return ClockSigner


class AnswerLinks:
    """Makes and checks answer links, and records an answer through the service."""

    def __init__(
        self,
        db: Database,
        service: ActionService,
        secret: str,
        public_url: str,
        *,
        max_age_days: int,
        clock: Callable[[], datetime],
    ) -> None:
        if len(secret) < MIN_SECRET:
            raise ValueError(f"ACTIONBOT_LINK_SECRET must be at least {MIN_SECRET} characters")
        self.db = db
        self.service = service
        self.secret = secret  # the page signs its forms' CSRF tokens with it too (another salt)
        self.base = public_url.rstrip("/")
        self.max_age = max_age_days * 86_400
        self.clock = clock
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT, signer=_signer_on(clock))
        db.before_each_commit(_write_use_before_commit)

    # -- making --------------------------------------------------------------------------------------
    def link(self, person: PersonView, action: ActionView, zone: ZoneInfo, now: datetime) -> AnswerLink | None:
        """The card's link for this person, or None: an open action's owner (or the colleague covering for
        them), who recorded it, or a DSL, with an email address, gets one (``choices_for``)."""
        choices = choices_for(person, action)
        if not action.is_open or not person.email or not choices:
            return None
        claim = [action.id, person.id, action.owner.id, action.deadline_version, secrets.token_hex(8)]
        token = self._serializer.dumps(claim)
        return AnswerLink(
            f"{self.base}/answer/{token}",
            action.ref,
            action.case_ref,
            format_when(action.deadline, zone, now),
            choices,
        )

    # -- checking ------------------------------------------------------------------------------------
    def _claim(self, token: str) -> _Claim:
        try:
            payload = self._serializer.loads(token, max_age=self.max_age)
        except SignatureExpired:
            raise LinkRefused(
                "expired", "This link has expired. Use the newest email about the action, or ask the meeting's chair."
            ) from None
        except BadData:
            raise LinkRefused("invalid", "This link is not one actionbot made, or it was cut short.") from None
        return _Claim.read(payload)

    def open(self, token: str) -> OpenLink:
        """The link's action, if it can still be answered; else LinkRefused saying why."""
        claim = self._claim(token)
        with self.db.reading() as session:
            return self._check(session, claim)

    def _check(self, session: Session, claim: _Claim) -> OpenLink:
        used = session.get(AnswerLinkUse, claim.link_id)
        action = session.get(Action, claim.action_id)
        person = session.get(Person, claim.person_id)
        if action is None or person is None:
            raise LinkRefused("invalid", "This link is not one actionbot made.")
        ref = action.ref
        if used is not None:
            said = CHOICES[used.choice].label if used.choice in CHOICES else used.choice
            when = format_when(used.used_at, self.service.calendar.zone, self.clock())
            raise LinkRefused(
                "answered",
                f"This link has already been used: {ref} was answered \u201c{said}\u201d {when}. "
                "Nothing more was recorded. To change the answer, use the newest email about it, or tell the chair.",
            )
        if action.status not in ("open", "blocked"):
            raise LinkRefused("changed", f"{ref} is {action.status}: nothing more is needed from this link.")
        if action.owner_id != claim.owner_id:
            raise LinkRefused("changed", f"{ref} has been given to someone else since this email was sent.")
        if action.deadline_version != claim.deadline_version:
            raise LinkRefused(
                "changed", f"{ref}'s deadline has changed since this email was sent: use the newest email about it."
            )
        view, who = ActionView.of(action), PersonView.of(person)
        return OpenLink(claim.link_id, view, who, choices_for(who, view))

    # -- answering -----------------------------------------------------------------------------------
    def answer(self, token: str, choice: str, *, day: date | None, reason: str, note: str) -> tuple[ActionView, str]:
        """Record the answer as the person the link was sent to. Raises LinkRefused or another ServiceError
        (a missing reason, a past date) with nothing recorded."""
        claim = self._claim(token)
        with self.db.reading() as session:
            opened = self._check(session, claim)
        picked = CHOICES.get(choice) if choice in opened.choices else None
        if picked is None:
            offered = ", ".join(CHOICES[c].label for c in opened.choices)
            raise InvalidChange(f"Choose one of: {offered}. Nothing was recorded.")
        if not opened.person.email:
            raise LinkRefused("changed", "Your email address has been removed from actionbot: ask the chair.")
        actor = PersonInput(OwnerRef("email", opened.person.email))
        now = self.clock()
        token_ = _answering.set((claim, choice, now))
        try:
            with acting_via(VIA):
                return self._apply(opened.action.ref, picked, actor, day, reason, note, now)
        except IntegrityError:
            # Another press of this link committed first: its use is the one answer this link records.
            with self.db.reading() as session:
                self._check(session, claim)
            raise
        finally:
            _answering.reset(token_)

    def _apply(
        self, ref: str, choice: Choice, actor: PersonInput, day: date | None, reason: str, note: str, now: datetime
    ) -> tuple[ActionView, str]:
        service = self.service
        if choice.key == "done":
            view = service.complete(ref, actor, note or None, now=now)
            return view, f"{view.ref} is recorded as done."
        if choice.key == "on-track":
            view = service.acknowledge(ref, actor, note or None, now=now)
            return view, f"{view.ref} is recorded as on track."
        if choice.key == "blocked":
            view = service.block(ref, actor, reason, now=now)
            return view, f"{view.ref} is recorded as blocked. The chair will be told."
        if day is None:
            raise InvalidChange("Give the new deadline's date. Nothing was recorded.")
        moved = service.move_deadline(ref, actor, service.calendar.end_of(day), reason, now=now)
        shown = format_when(moved.action.deadline, service.calendar.zone, now)
        return moved.action, f"{moved.action.ref} is now due {shown} ({moved.verb})."
