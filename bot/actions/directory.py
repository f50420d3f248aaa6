"""Administering people: roles, agencies, escalation contacts (``actionbot people ...``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.actions.people import PersonInput, Profile, agency_named, find_person, identify
from bot.actions.records import PersonView
from bot.actions.service import ChangeListener, ServiceError, clean_reason
from bot.capture.dates import parse_working_days
from bot.capture.owners import OwnerRef
from storage.db import Database
from storage.log import append_event
from storage.models import ROLES, Person


class DirectoryError(ServiceError):
    pass


#: The fields of a person whose changes ``actionbot people set`` writes to the action log.
AUDITED_FIELDS = (
    "display_name",
    "email",
    "agency_id",
    "timezone",
    "active",
    "escalation_contact_id",
    "working_days",
)
#: Logged with their old and new values. Names, emails and time zones are logged only as changed: the log
#: is permanent, and nothing in it should be a person's own details.
LOGGED_WITH_VALUES = ("agency_id", "active", "escalation_contact_id")
#: Fields that decide who is told when someone's actions drift (the DSLs of their agency, their contact),
#: and when they are told (their time zone and working days).
RECIPIENT_FIELDS = ("agency_id", "active", "escalation_contact_id", "timezone", "working_days")


def _audited(person: Person) -> dict[str, object]:
    return {name: getattr(person, name) for name in AUDITED_FIELDS}


def list_people(db: Database) -> list[PersonView]:
    with db.reading() as session:
        return [PersonView.of(p) for p in session.scalars(select(Person).order_by(Person.id)).unique()]


def set_role(
    db: Database,
    who: PersonInput,
    role: str,
    *,
    now: datetime,
    reason: str | None = None,
    listeners: Sequence[ChangeListener] = (),
) -> PersonView:
    """Give someone a role. A change is written to the action log (``role_changed``: the person's id, the
    old and new role, the reason), because a role decides who sees every action of the partnership.

    A DSL appointed or removed changes who is told when any open action drifts: ``listeners`` (the chaser)
    re-plan those nudges in the same transaction."""
    if role not in ROLES:
        raise DirectoryError(f"role must be one of {', '.join(ROLES)}")
    reason = clean_reason(reason, False, "change a role")
    with db.transaction() as session:
        person = identify(session, who, now)
        previous, person.role = person.role, role
        if previous != role:
            details = {"person_id": person.id, "from": previous, "to": role}
            append_event(session, kind="role_changed", at=now, reason=reason, details=details)
            if "dsl" in (previous, role):
                session.flush()
                for listener in listeners:
                    listener.people_changed(session, None, now)
        return PersonView.of(person)


def update_person(
    db: Database,
    who: PersonInput,
    *,
    name: str | None = None,
    email: str | None = None,
    agency: str | None = None,
    timezone: str | None = None,
    active: bool | None = None,
    escalation: PersonInput | None = None,
    working_days: str | None = None,
    now: datetime,
    reason: str | None = None,
    listeners: Sequence[ChangeListener] = (),
) -> PersonView:
    """Add or update a person. A change to someone already known is written to the action log
    (``person_changed``: their id, the fields changed, old and new values of ``LOGGED_WITH_VALUES``).

    A change to who hears about their actions (escalation contact, agency, active) is passed to
    ``listeners`` (the chaser re-plans those nudges); for a DSL, about everyone's actions. ``working_days``
    is written as people write it ("Mon-Wed"); Monday to Friday is stored as no restriction."""
    reason = clean_reason(reason, False, "change a person")
    profile = Profile(display_name=name, email=email, agency=agency, timezone=timezone)
    with db.transaction() as session:
        known = find_person(session, who.ref)
        before = _audited(known) if known is not None else None
        person = identify(session, PersonInput(who.ref, profile), now)
        if email is not None:
            _set_email(session, person, email)
        if name:
            person.display_name = name
        if agency:
            person.agency_id = agency_named(session, agency).id
        if timezone and person.timezone != timezone:
            raise DirectoryError(f"unknown time zone {timezone!r}")
        if active is not None:
            person.active = active
        if working_days is not None:
            try:
                days = parse_working_days(working_days)
            except ValueError as error:
                raise DirectoryError(f"working days: {error}") from None
            person.working_days = None if days == "01234" else days
        if escalation is not None:
            contact = find_person(session, escalation.ref) or identify(session, escalation, now)
            if contact.id == person.id:
                raise DirectoryError("a person cannot be their own escalation contact")
            person.escalation_contact_id = contact.id
        session.flush()
        if before is not None:
            after = _audited(person)
            changed = [field for field in AUDITED_FIELDS if before[field] != after[field]]
            if changed:
                details: dict[str, object] = {"person_id": person.id, "changed": changed}
                details |= {f: {"from": before[f], "to": after[f]} for f in changed if f in LOGGED_WITH_VALUES}
                append_event(session, kind="person_changed", at=now, reason=reason, details=details)
            if set(changed) & set(RECIPIENT_FIELDS):
                for listener in listeners:
                    listener.people_changed(session, None if person.role == "dsl" else [person.id], now)
        return PersonView.of(person)


def _set_email(session: Session, person: Person, email: str) -> None:
    """An address given by hand replaces the one known, and clears a failure (bot.chasing.bounces): email to
    it is tried again, also when it is the same address (the chair checked it, or the mailbox was restored)."""
    address = email.strip().lower()
    if "@" not in address or any(c.isspace() for c in address):
        raise DirectoryError("--email: give an email address, such as name@council.gov.uk")
    other = find_person(session, OwnerRef("email", address))
    if other is not None and other.id != person.id:
        raise DirectoryError("that email address is already another person's (actionbot people list)")
    person.email = address
    person.email_failed_at = None


#: How a digest choice is written, in chat (``/digest on``) and on the CLI (``--digest yes``); None is the
#: partnership's default.
DIGEST_CHOICES: dict[str, bool | None] = {"on": True, "yes": True, "off": False, "no": False, "default": None}


def set_digest(db: Database, who: PersonInput, choice: bool | None, *, now: datetime) -> PersonView:
    """Someone's choice of one morning message with all their reminders (True), one message per action
    (False), or the partnership's default (None). A preference about delivery: not written to the log."""
    with db.transaction() as session:
        person = identify(session, who, now)
        person.digest = choice
        session.flush()
        return PersonView.of(person)
