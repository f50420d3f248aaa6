"""Engine, sessions and transactions for SQLite (embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from storage.checkpoints import BackgroundCheckpoints
from storage.writer import WriterTurn

#: How long a SQLite connection waits for another's write lock before it gives up (30 s).
SQLITE_BUSY_TIMEOUT = "PRAGMA busy_timeout=30000"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones and hands back naive values, so they are
    stored as naive UTC and read back with UTC attached. Naive datetimes are refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to the database; use a timezone-aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, a busy timeout, and write transactions that take the write lock up front.

    pysqlite starts transactions lazily and upgrades a read lock to a write lock at the first write,
    which fails at once (no busy wait) when another connection wrote in between. Beginning write
    transactions with BEGIN IMMEDIATE makes concurrent writers queue on the busy timeout instead.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(SQLITE_BUSY_TIMEOUT)
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get("actionbot_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str, *, search_path: str | None = None, pool: bool = True) -> Engine:
    """An engine for a DATABASE_URL. ``search_path`` pins a PostgreSQL schema (tests use one each)."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        if parsed.get_driver_name() in ("", "psycopg2"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        connect_args: dict[str, Any] = {}
        if search_path:
            connect_args["options"] = f"-csearch_path={search_path}"
        # Enough connections for the HTTP ack threads (16), the inbox workers (8) and a sweep at once.
        kwargs.update(pool_pre_ping=True, connect_args=connect_args, pool_size=10, max_overflow=20)
    if not pool:
        kwargs["poolclass"] = NullPool
        kwargs.pop("pool_size", None)
        kwargs.pop("max_overflow", None)
    # Database errors must not quote statement parameters: they include task text and names.
    kwargs["hide_parameters"] = True
    engine = create_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


class Database:
    """The one handle on storage that the rest of the program is given (never reached globally)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite has one writer at a time: this process's threads take turns (storage.writer).
        self._writer = WriterTurn() if engine.dialect.name == "sqlite" else None
        #: Started by long-running processes (servers, the scheduler); nothing on PostgreSQL.
        self.checkpoints = BackgroundCheckpoints(engine, writing=self.writing)
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            bind=engine.execution_options(actionbot_read_only=True), expire_on_commit=False
        )

    @classmethod
    def from_url(cls, url: str, *, search_path: str | None = None) -> Database:
        return cls(make_engine(url, search_path=search_path))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def writing(self, timeout: float | None = None, *, urgent: bool = False) -> Iterator[None]:
        """This process's turn to write (SQLite; a no-op on PostgreSQL). TimeoutError after ``timeout`` s.
        ``urgent``: ahead of every writer that is not (a request waiting for its acknowledgement)."""
        if self._writer is None:
            yield
            return
        if not self._writer.acquire(urgent=urgent, timeout=timeout):
            raise TimeoutError("the database is busy")
        try:
            yield
        finally:
            self._writer.release()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back when it raises."""
        with self.writing(), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work (on SQLite it does not take the write lock)."""
        with self._read_sessions() as session, session.begin():
            yield session

    def before_each_commit(self, hook: Callable[[Session], None]) -> None:
        """Run ``hook`` inside every write transaction just before it commits (storage.inbox marks the
        request whose work this is done in the same transaction as the work's change). A hook that
        raises rolls the whole transaction back. Adding the same hook again changes nothing."""
        if not event.contains(self._sessions, "before_commit", hook):
            event.listen(self._sessions, "before_commit", hook)

    def dispose(self) -> None:
        self.engine.dispose()
