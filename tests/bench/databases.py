"""The two databases a benchmark runs on: SQLite in a temporary file, and PostgreSQL in a scratch schema
(created and dropped; TEST_DATABASE_URL or postgresql+psycopg://localhost/test), both migrated."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage.db import Database, make_engine
from storage.migrate import upgrade

PG_URL = os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://localhost/test"
T = TypeVar("T")


@contextmanager
def sqlite_database() -> Iterator[tuple[Database, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        db = Database.from_url(url)
        try:
            yield db, url
        finally:
            db.dispose()


@contextmanager
def postgres_database() -> Iterator[tuple[Database, str]]:
    schema = f"bench_slack_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL, pool=False)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        engine = make_engine(PG_URL, search_path=schema, pool=False)
        upgrade(engine)
        engine.dispose()
        db = Database.from_url(PG_URL, search_path=schema)
        try:
            yield db, PG_URL
        finally:
            db.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


DATABASES: tuple[tuple[str, Callable[[], AbstractContextManager[tuple[Database, str]]]], ...] = (
    ("SQLite", sqlite_database),
    ("PostgreSQL", postgres_database),
)


def on_each_database(measure: Callable[[Database, str], T]) -> Iterator[tuple[str, T | str]]:
    """(label, result) for each database; the result is why it was skipped when PostgreSQL is unreachable."""
    for label, database in DATABASES:
        try:
            with database() as (db, url):
                yield label, measure(db, url)
        except OperationalError as exc:
            yield label, "skipped: " + str(exc.orig).strip().splitlines()[0]
