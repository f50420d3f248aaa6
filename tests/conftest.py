"""Shared fixtures: a fresh migrated database per test on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set (each test gets its own schema). Under CI=true an unreachable PostgreSQL
fails the run instead of skipping it."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.app import Core, build_core
from bot.capture.dates import WorkCalendar
from bot.config import Settings
from storage.db import Database, make_engine
from storage.migrate import upgrade

LONDON = ZoneInfo("Europe/London")
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


class Clock:
    """A controllable clock, handed to the core instead of the system time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


def london(*args: int) -> datetime:
    """A Europe/London wall-clock time as a UTC instant: london(2026, 11, 23, 10)."""
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _pg_available() -> None:
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL run is required in CI")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    engine = make_engine(PG_URL, pool=False)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is unreachable in CI: {exc.orig}")
        pytest.skip(f"PostgreSQL unreachable: {exc.orig}")
    finally:
        engine.dispose()


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh, migrated PostgreSQL schema for one test; dropped afterwards."""
    _pg_available()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL, pool=False)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, search_path=schema, pool=False)
    upgrade(engine)
    engine.dispose()
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, str | None]]:
    """(url, search_path) of a fresh migrated database."""
    if request.param == "sqlite":
        path = tmp_path / "actionlog.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}", None
    else:
        schema = request.getfixturevalue("pg_schema")
        yield PG_URL, schema


@pytest.fixture
def database(db_url: tuple[str, str | None]) -> Iterator[Database]:
    url, schema = db_url
    db = Database.from_url(url, search_path=schema)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(london(2026, 11, 23, 10, 0))  # Monday 23 November 2026, 10:00 in London


@pytest.fixture
def settings(db_url: tuple[str, str | None]) -> Settings:
    return Settings(database_url=db_url[0])


@pytest.fixture
def core(settings: Settings, database: Database, clock: Clock) -> Core:
    return build_core(settings, db=database, clock=clock)


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.uk()


@pytest.fixture
def cli_url(db_url: tuple[str, str | None], monkeypatch: pytest.MonkeyPatch) -> str:
    """One DATABASE_URL string for the CLI (PostgreSQL's schema travels in the URL's options)."""
    url, schema = db_url
    if schema:
        url = f"{url}?options=-csearch_path%3D{schema}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("ACTIONBOT_CONFIG", raising=False)
    monkeypatch.delenv("ACTIONBOT_AS", raising=False)
    return url
