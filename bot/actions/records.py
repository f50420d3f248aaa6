"""Plain, immutable views of stored rows: what the service hands to adapters (never ORM objects)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from storage.bulk import among
from storage.models import Action, ActionEvent, Agency, Meeting, Person, StatutoryStep


@dataclass(frozen=True)
class PersonView:
    id: int
    name: str
    email: str | None
    handle: str | None
    slack_user_id: str | None
    teams_object_id: str | None
    timezone: str | None
    role: str
    agency: str | None
    active: bool
    #: Leave: away from (None: now) until, local dates both included; and who covers meanwhile.
    away_from: date | None = None
    away_until: date | None = None
    cover_id: int | None = None
    cover_name: str | None = None
    working_days: str | None = None  # weekdays worked, Monday 0 ("012"); None: Monday to Friday
    digest: bool | None = None  # one morning message with all their reminders; None: the partnership's default
    email_failed: bool = False  # email to their address failed for good: no more is tried until it changes
    outside: bool = False  # in another organisation (another tenant, a guest account, Slack Connect)
    guest: bool = False  # a guest (B2B) account in our own tenant: Teams reaches them when installed for them

    def away_on(self, day: date) -> bool:
        """Whether they are on leave on this (local) day."""
        return self.away_until is not None and day <= self.away_until and (self.away_from or day) <= day

    @classmethod
    def of(cls, person: Person) -> PersonView:
        return cls(
            id=person.id,
            name=person.display_name,
            email=person.email,
            handle=person.handle,
            slack_user_id=person.slack_user_id,
            teams_object_id=person.teams_object_id,
            timezone=person.timezone,
            role=person.role,
            agency=person.agency.name if person.agency else None,
            active=person.active,
            away_from=person.away_from,
            away_until=person.away_until,
            cover_id=person.cover_id,
            cover_name=person.cover.display_name if person.cover is not None else None,
            working_days=person.working_days,
            digest=person.digest,
            email_failed=person.email_failed_at is not None,
            outside=bool(person.outside_org),
            guest=bool(person.guest),
        )


@dataclass(frozen=True)
class MeetingView:
    id: int
    title: str
    case_ref: str | None
    chair: PersonView
    platform: str
    conversation_id: str | None
    started_at: datetime
    ended_at: datetime | None
    #: The meeting type's key (bot.process.timescales); "other" for meetings recorded before types.
    kind: str = "other"

    @classmethod
    def of(cls, meeting: Meeting) -> MeetingView:
        return cls(
            kind=meeting.kind or "other",
            id=meeting.id,
            title=meeting.title,
            case_ref=meeting.case_ref,
            chair=PersonView.of(meeting.chair),
            platform=meeting.platform,
            conversation_id=meeting.conversation_id,
            started_at=meeting.started_at,
            ended_at=meeting.ended_at,
        )


@dataclass(frozen=True)
class StepView:
    """A statutory step proposed after a meeting, and what became of it."""

    id: int
    ref: str
    meeting_id: int
    meeting_title: str
    case_ref: str | None
    task: str
    condition: str | None
    clock: str
    basis: str
    source: str
    due_on: date
    status: str
    owner: str | None
    action_ref: str | None
    action_status: str | None
    reason: str | None
    met_meeting_id: int | None

    @classmethod
    def of(cls, step: StatutoryStep) -> StepView:
        action = step.action
        return cls(
            id=step.id,
            ref=step.ref,
            meeting_id=step.meeting_id,
            meeting_title=step.meeting.title,
            case_ref=step.case_ref,
            task=step.task,
            condition=step.condition,
            clock=step.clock,
            basis=step.basis,
            source=step.source,
            due_on=step.due_on,
            status=step.status,
            owner=action.owner.display_name if action is not None else None,
            action_ref=action.ref if action is not None else None,
            action_status=action.status if action is not None else None,
            reason=step.reason,
            met_meeting_id=step.met_meeting_id,
        )


@dataclass(frozen=True)
class ActionView:
    id: int
    ref: str
    task: str
    owner: PersonView
    deadline: datetime
    review_on: date | None
    case_ref: str | None
    status: str
    created_by: PersonView
    created_at: datetime
    meeting_id: int | None
    meeting_title: str | None
    meeting_chair_id: int | None
    deadline_version: int
    extensions: int
    closed_at: datetime | None
    origin: str | None = None
    reviewed_at: datetime | None = None
    remind_from: datetime | None = None  # snoozed: no owner reminder before this

    @classmethod
    def of(cls, action: Action) -> ActionView:
        return cls(
            id=action.id,
            ref=action.ref,
            task=action.task,
            owner=PersonView.of(action.owner),
            deadline=action.deadline,
            review_on=action.review_on,
            case_ref=action.case_ref,
            status=action.status,
            created_by=PersonView.of(action.created_by),
            created_at=action.created_at,
            meeting_id=action.meeting_id,
            meeting_title=action.meeting.title if action.meeting else None,
            meeting_chair_id=action.meeting.chair_id if action.meeting else None,
            deadline_version=action.deadline_version,
            extensions=action.extensions,
            closed_at=action.closed_at,
            origin=action.origin,
            reviewed_at=action.reviewed_at,
            remind_from=action.remind_from,
        )

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "blocked")

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.deadline < now


def load_people(session: Session, ids: Iterable[int]) -> dict[int, PersonView]:
    """People as views, by id, in one query of plain columns (the bulk path: no ORM objects are built)."""
    wanted = set(ids)
    if not wanted:
        return {}
    cover = aliased(Person)
    rows = session.execute(
        select(
            Person.id,
            Person.display_name,
            Person.email,
            Person.handle,
            Person.slack_user_id,
            Person.teams_object_id,
            Person.timezone,
            Person.role,
            Agency.name,
            Person.active,
            Person.away_from,
            Person.away_until,
            Person.cover_id,
            cover.display_name.label("cover_name"),
            Person.working_days,
            Person.digest,
            Person.email_failed_at,
            Person.outside_org,
            Person.guest,
        )
        .outerjoin(Agency, Agency.id == Person.agency_id)
        .outerjoin(cover, cover.id == Person.cover_id)
        .where(among(Person.id, wanted, session))
    )
    return {
        r.id: PersonView(
            id=r.id,
            name=r.display_name,
            email=r.email,
            handle=r.handle,
            slack_user_id=r.slack_user_id,
            teams_object_id=r.teams_object_id,
            timezone=r.timezone,
            role=r.role,
            agency=r.name,
            active=r.active,
            away_from=r.away_from,
            away_until=r.away_until,
            cover_id=r.cover_id,
            cover_name=r.cover_name,
            working_days=r.working_days,
            digest=r.digest,
            email_failed=r.email_failed_at is not None,
            outside=bool(r.outside_org),
            guest=bool(r.guest),
        )
        for r in rows
    }


def load_actions(
    session: Session, ids: Iterable[int], *, also_people: Iterable[int] = ()
) -> tuple[dict[int, ActionView], dict[int, PersonView]]:
    """Actions as views, by id, in two queries of plain columns; with them every person they name (owner,
    recorder) and the people in ``also_people``, by id."""
    wanted = set(ids)
    if not wanted:
        return {}, load_people(session, also_people)
    rows = session.execute(
        select(
            Action.id,
            Action.task,
            Action.owner_id,
            Action.deadline,
            Action.review_on,
            Action.case_ref,
            Action.status,
            Action.created_by_id,
            Action.created_at,
            Action.meeting_id,
            Meeting.title,
            Meeting.chair_id,
            Action.deadline_version,
            Action.extensions,
            Action.closed_at,
            Action.origin,
            Action.reviewed_at,
            Action.remind_from,
        )
        .outerjoin(Meeting, Meeting.id == Action.meeting_id)
        .where(among(Action.id, wanted, session))
    ).all()
    people = load_people(session, {*also_people, *(r.owner_id for r in rows), *(r.created_by_id for r in rows)})
    actions = {
        r.id: ActionView(
            id=r.id,
            ref=f"A-{r.id}",
            task=r.task,
            owner=people[r.owner_id],
            deadline=r.deadline,
            review_on=r.review_on,
            case_ref=r.case_ref,
            status=r.status,
            created_by=people[r.created_by_id],
            created_at=r.created_at,
            meeting_id=r.meeting_id,
            meeting_title=r.title,
            meeting_chair_id=r.chair_id,
            deadline_version=r.deadline_version,
            extensions=r.extensions,
            closed_at=r.closed_at,
            origin=r.origin,
            reviewed_at=r.reviewed_at,
            remind_from=r.remind_from,
        )
        for r in rows
    }
    return actions, people


@dataclass(frozen=True)
class EventView:
    seq: int
    action_id: int | None
    kind: str
    actor_id: int | None
    actor_name: str | None
    at: datetime
    reason: str | None
    details: dict[str, Any] = field(default_factory=dict)
    hash: str = ""
    #: Names of the people the details refer to by id (an owner before and after a reassignment).
    names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, event: ActionEvent, actor: Person | None, names: dict[int, str] | None = None) -> EventView:
        return cls(
            seq=event.seq,
            action_id=event.action_id,
            kind=event.kind,
            actor_id=event.actor_id,
            actor_name=actor.display_name if actor else None,
            at=event.at,
            reason=event.reason,
            details=event.details,
            hash=event.hash,
            names=dict(names or {}),
        )

    @property
    def action_ref(self) -> str | None:
        return f"A-{self.action_id}" if self.action_id is not None else None

    def person(self, key: str) -> str:
        """The name of the person a details field names by id (``owner_id``), or "someone"."""
        value = self.details.get(key)
        return self.names.get(value, "someone") if isinstance(value, int) else "someone"


@dataclass(frozen=True)
class Recorded:
    """The result of recording an action: the action, what the chair should check, and whether this was
    a repeat of a request already recorded (then nothing new was written)."""

    action: ActionView
    warnings: tuple[str, ...]
    duplicate: bool = False
