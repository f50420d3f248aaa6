"""Shared by the email tests: an email-only owner, and reading the outbox and people back."""

from __future__ import annotations

from sqlalchemy import select

from bot.actions.directory import update_person
from bot.actions.people import PersonInput
from bot.app import Core
from bot.capture.owners import OwnerRef
from storage.models import Nudge, Person
from tests.chasing.hourly import record
from tests.conftest import Clock

OWNER_EMAIL = "sam.taylor@school.sch.uk"
OWNER_NAME = "Sam Taylor"
TASK = "Share the attendance record with the social worker"


def email_only(email: str) -> PersonInput:
    return PersonInput(OwnerRef("email", email))


def record_for(core: Core, clock: Clock, email: str = OWNER_EMAIL, name: str = OWNER_NAME, task: str = TASK) -> str:
    """An action (due Friday 17:00) for someone known only by their email address; returns its reference."""
    ref = record(core, f"{email} {task} by Friday")
    update_person(core.db, email_only(email), name=name, now=clock())
    return ref


def nudges(core: Core, step: str | None = None) -> list[Nudge]:
    with core.db.reading() as session:
        query = select(Nudge).order_by(Nudge.id)
        if step is not None:
            query = query.where(Nudge.step == step)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def person(core: Core, email: str = OWNER_EMAIL) -> Person:
    with core.db.reading() as session:
        found = session.scalars(select(Person).where(Person.email == email)).one()
        session.expunge_all()
        return found
