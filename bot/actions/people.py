"""People: turn an owner or actor as written (a mention, an email, a name) into one person row.

One person may be known on several platforms: a Slack id and an Entra object id meet on one row when
their email addresses match, so an action recorded on Slack for a Teams user is chased in Teams.
Adapters look a person up on their platform first (outside any transaction) and pass what they learnt
as a Profile; nothing here talks to a network.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.actions.names import person_named
from bot.capture.owners import OwnerRef
from storage.models import Agency, Person


@dataclass(frozen=True)
class Profile:
    """What a platform knows about a person (all optional)."""

    display_name: str | None = None
    email: str | None = None
    timezone: str | None = None
    slack_user_id: str | None = None
    teams_object_id: str | None = None
    handle: str | None = None
    agency: str | None = None
    #: In another organisation (another Microsoft 365 tenant, a guest account in ours, another Slack
    #: organisation), as the platform's directory says; None: it did not say.
    outside: bool | None = None
    #: A guest (B2B) account in our own tenant; None: not said.
    guest: bool | None = None
    #: Their line manager as the directory knows them (Microsoft Graph /users/{id}/manager): the escalation
    #: contact when none has been set by hand.
    manager: Profile | None = None


@dataclass(frozen=True)
class PersonInput:
    """A person as written, plus what the adapter learnt about them."""

    ref: OwnerRef
    profile: Profile | None = None


def _valid_zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def find_person(session: Session, ref: OwnerRef) -> Person | None:
    """The person a reference names, if there is one (no rows are written)."""
    if ref.kind == "slack":
        query = select(Person).where(Person.slack_user_id == ref.value)
    elif ref.kind == "teams":
        query = select(Person).where(Person.teams_object_id == ref.value)
    elif ref.kind == "email":
        query = select(Person).where(func.lower(Person.email) == ref.value.lower())
    elif ref.kind == "handle":
        query = select(Person).where(func.lower(Person.handle) == ref.value.lower())
    else:
        query = select(Person).where(func.lower(Person.display_name) == ref.value.lower())
    return session.scalars(query.order_by(Person.id).limit(1)).first()


def agency_named(session: Session, name: str) -> Agency:
    """The agency of that name (case-insensitive), created when new."""
    agency = session.scalars(select(Agency).where(func.lower(Agency.name) == name.lower())).first()
    if agency is None:
        agency = Agency(name=name)
        session.add(agency)
        session.flush()
    return agency


#: How often a person (or agency) row is looked for again after another transaction created it first.
_CREATE_ATTEMPTS = 3


def identify(session: Session, who: PersonInput, now: datetime, *, by_name: bool = False) -> Person:
    """Find or create the person row for a reference, merging what the profile adds.

    ``by_name``: a bare name may mean a known person by part of their name ("Jo" for Jo Bloggs:
    bot.actions.names), and a name several people share is refused (``AmbiguousOwner``). For owners as
    minutes write them; administration names people exactly.

    Two transactions naming the same new person at once (two chairs, two inbox workers) both find nothing
    and both insert; on PostgreSQL the second insert waits for the first to commit and then fails on the
    unique identifier. That attempt is undone to a savepoint and the lookup runs again, now finding the row
    the other transaction committed, so the command records against one person instead of failing.
    """
    for attempt in range(1, _CREATE_ATTEMPTS + 1):
        try:
            with session.begin_nested():
                return _find_or_create(session, who, now, by_name)
        except IntegrityError:
            if attempt == _CREATE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _find_or_create(session: Session, who: PersonInput, now: datetime, by_name: bool) -> Person:
    ref, profile = who.ref, who.profile or Profile()
    if by_name and ref.kind == "name" and who.profile is None:
        person = person_named(session, ref.value)
    else:
        person = find_person(session, ref)
    if person is None and profile.slack_user_id:
        person = find_person(session, OwnerRef("slack", profile.slack_user_id))
    if person is None and profile.teams_object_id:
        person = find_person(session, OwnerRef("teams", profile.teams_object_id))
    email = (profile.email or (ref.value if ref.kind == "email" else "")).lower() or None
    if person is None and email:
        by_email = find_person(session, OwnerRef("email", email))
        if by_email is not None and not _conflicts(by_email, ref, profile):
            person = by_email
        elif by_email is not None:
            email = None  # that address belongs to someone else on this platform: do not merge
    if person is None:
        person = Person(
            display_name=profile.display_name or ref.label or _default_name(ref),
            active=True,
            role="member",
            created_at=now,
        )
        session.add(person)
    _merge(session, person, ref, profile, email, now)
    session.flush()
    return person


def _manager_input(manager: Profile) -> PersonInput | None:
    if manager.teams_object_id:
        return PersonInput(OwnerRef("teams", manager.teams_object_id), replace(manager, manager=None))
    if manager.slack_user_id:
        return PersonInput(OwnerRef("slack", manager.slack_user_id), replace(manager, manager=None))
    if manager.email:
        return PersonInput(OwnerRef("email", manager.email.lower()), replace(manager, manager=None))
    return None


def _conflicts(person: Person, ref: OwnerRef, profile: Profile) -> bool:
    """True when the row already carries a different id on the platform the reference comes from."""
    slack = ref.value if ref.kind == "slack" else profile.slack_user_id
    teams = ref.value if ref.kind == "teams" else profile.teams_object_id
    return bool(
        (slack and person.slack_user_id and person.slack_user_id != slack)
        or (teams and person.teams_object_id and person.teams_object_id != teams)
    )


def _named_by_an_id(person: Person) -> bool:
    """Whether the row's name is only the handle or id it was first known by (an admin set a role, or a card
    named someone before the directory said who they are); a real name from a profile replaces it."""
    return person.display_name.startswith("@") or person.display_name in (
        person.email,
        person.slack_user_id,
        person.teams_object_id,
    )


def _default_name(ref: OwnerRef) -> str:
    if ref.kind == "handle":
        return "@" + ref.value
    return ref.value


def _merge(session: Session, person: Person, ref: OwnerRef, profile: Profile, email: str | None, now: datetime) -> None:
    """Fill in what the row lacks. Known identifiers are never overwritten by another person's."""
    if ref.kind == "slack":
        person.slack_user_id = person.slack_user_id or ref.value
    if ref.kind == "teams":
        person.teams_object_id = person.teams_object_id or ref.value
    if ref.kind == "handle":
        person.handle = person.handle or ref.value
    if profile.slack_user_id and not person.slack_user_id:
        person.slack_user_id = profile.slack_user_id
    if profile.teams_object_id and not person.teams_object_id:
        person.teams_object_id = profile.teams_object_id
    if email and not person.email:
        person.email = email
    if profile.display_name and _named_by_an_id(person):
        person.display_name = profile.display_name
    if profile.handle and not person.handle:
        person.handle = profile.handle
    if zone := _valid_zone(profile.timezone):
        person.timezone = zone
    # The directory's latest word: a guest may become a member, a partner may join the organisation.
    if profile.outside is not None:
        person.outside_org = profile.outside
    if profile.guest is not None:
        person.guest = profile.guest
    if profile.agency and person.agency_id is None:
        person.agency_id = agency_named(session, profile.agency).id
    if profile.manager is not None and person.escalation_contact_id is None:
        manager = _manager_input(profile.manager)
        if manager is not None:
            session.flush()
            contact = identify(session, manager, now)
            if contact.id != person.id:
                person.escalation_contact_id = contact.id
