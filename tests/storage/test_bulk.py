"""storage.bulk: many rows in a few statements (COPY, unnest and ANY on PostgreSQL), same results on both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.bulk import among, insert_rows, update_rows
from storage.db import Database
from storage.models import Person

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
AWKWARD = 'Tab\there, a new\nline, a back\\slash, "quotes", \\N and é'


def person(n: int, **extra: Any) -> dict[str, Any]:
    return {"id": n, "display_name": f"Person {n}", "active": True, "role": "member", "created_at": NOW, **extra}


def names(database: Database) -> dict[int, tuple[str, str | None, datetime]]:
    with database.reading() as session:
        rows = session.execute(select(Person.id, Person.display_name, Person.timezone, Person.created_at))
        return {r.id: (r.display_name, r.timezone, r.created_at) for r in rows}


def test_insert_rows_keeps_every_value_as_written(database: Database) -> None:
    london = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))  # BST: 08:00 UTC
    with database.transaction() as session:
        insert_rows(
            session.connection(),
            Person,
            [person(1, display_name=AWKWARD, timezone=None), person(2, timezone="Europe/London", created_at=london)],
        )
    assert names(database) == {
        1: (AWKWARD, None, NOW),
        2: ("Person 2", "Europe/London", datetime(2026, 6, 1, 8, 0, tzinfo=UTC)),
    }


def test_insert_rows_refuses_a_naive_datetime_and_writes_nothing(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), database.transaction() as session:
        insert_rows(session.connection(), Person, [person(1), person(2, created_at=datetime(2026, 11, 23, 10))])
    assert names(database) == {}


def test_a_broken_constraint_is_sqlalchemys_integrity_error(database: Database) -> None:
    with pytest.raises(IntegrityError), database.transaction() as session:
        insert_rows(session.connection(), Person, [person(1, email="a@example.org"), person(2, email="a@example.org")])
    assert names(database) == {}


def test_update_rows_sets_each_rows_values_and_the_shared_ones(database: Database) -> None:
    later = NOW + timedelta(days=1)
    with database.transaction() as session:
        insert_rows(session.connection(), Person, [person(n) for n in (1, 2, 3)])
        update_rows(
            session.connection(),
            Person,
            "id",
            [
                {"id": 1, "display_name": AWKWARD, "timezone": "Europe/Paris"},
                {"id": 3, "display_name": "Three", "timezone": None},
            ],
            same={"created_at": later},
        )
    assert names(database) == {
        1: (AWKWARD, "Europe/Paris", later),
        2: ("Person 2", None, NOW),
        3: ("Three", None, later),
    }


def test_among_matches_the_listed_ids_and_nothing_for_none(database: Database) -> None:
    with database.transaction() as session:
        insert_rows(session.connection(), Person, [person(n) for n in range(1, 8)])
    with database.reading() as session:
        found = session.scalars(select(Person.id).where(among(Person.id, [2, 5, 7, 99], session)).order_by(Person.id))
        assert list(found) == [2, 5, 7]
        assert list(session.scalars(select(Person.id).where(among(Person.id, [], session)))) == []
