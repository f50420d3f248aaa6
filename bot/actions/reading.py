"""Use cases that read: one action, its history, lists of actions, and the people asking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.actions import authz
from bot.actions.base import NotFound, ServiceBase, parse_ref
from bot.actions.names import Candidate, known_by_name, person_named
from bot.actions.people import PersonInput, find_person, identify
from bot.actions.records import ActionView, EventView, PersonView
from bot.capture.owners import OwnerRef
from storage.models import Action, ActionEvent, Person

#: Event details that name a person by id.
PERSON_FIELDS = ("owner_id", "from_owner_id", "to_owner_id", "recipient_id", "covering_for")


class Reading(ServiceBase):
    """What a person may see."""

    def get(self, ref: str | int, viewer: PersonInput) -> ActionView:
        with self.db.reading() as session:
            action = self._load(session, ref)
            person = find_person(session, viewer.ref)
            if person is None or not authz.may_see(person, action, self.calendar.today(self.clock())):
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
                dict(session.execute(select(Person.id, Person.display_name).where(Person.id.in_(named))).all())
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
        """Actions the viewer may see: ``mine`` (owned, or covered for), ``overdue``, ``all``, or filtered by owner,
        case reference or meeting. Ordered by deadline."""
        now = self._now(now)
        with self.db.reading() as session:
            person = find_person(session, viewer.ref)
            if person is None:
                return []
            today = self.calendar.today(now)
            query = select(Action).where(authz.visible_to(person, today))
            if not include_closed:
                query = query.where(Action.status.in_(("open", "blocked")))
            if scope == "mine":  # theirs, and those of a colleague on leave they cover for
                query = query.where(or_(Action.owner_id == person.id, authz.covered_by(person, today)))
            elif scope == "overdue":
                query = query.where(Action.deadline < now, Action.status.in_(("open", "blocked")))
            if owner is not None:
                target = _meant(session, owner)  # "/actions Jo Bloggs", "/actions Bloggs": the person meant
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

    def person_meant(self, who: PersonInput) -> PersonView | None:
        """The known person a reference means: as ``person``, and a bare name matched to the one person it
        means, as recording an action matches it (bot.actions.names); None when nobody known."""
        with self.db.reading() as session:
            person = _meant(session, who.ref)
            return PersonView.of(person) if person else None

    def people_named(self, written: str) -> list[Candidate]:
        """The known people a bare name may mean (bot.actions.names): one, several, or none."""
        with self.db.reading() as session:
            return known_by_name(session, written)

    def ensure_person(self, who: PersonInput, *, now: datetime | None = None) -> PersonView:
        now = self._now(now)
        with self.db.transaction() as session:
            return PersonView.of(identify(session, who, now))

    # -- meetings ---------------------------------------------------------------------------------


def _meant(session: Session, ref: OwnerRef) -> Person | None:
    """The known person a reference names; a bare name, the one person it matches (bot.actions.names)."""
    person = find_person(session, ref)
    if person is None and ref.kind == "name":
        person = person_named(session, ref.value)
    return person
