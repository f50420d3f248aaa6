"""SQLite's WAL checkpoints in a background thread of a serving process, not inside its commits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from storage.checkpoints import BackgroundCheckpoints
from storage.db import Database


def _autocheckpoint(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def _write_pages(db: Database, pages: int) -> None:
    """About ``pages`` pages of the log (4 KiB each), in one commit."""
    with db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS filler (body BLOB)")
        connection.execute(text("INSERT INTO filler VALUES (randomblob(4000))"), [{}] * pages)


def test_commits_leave_checkpoints_to_the_thread_which_copies_the_log_back(sqlite_db: Database) -> None:
    assert _autocheckpoint(sqlite_db) == 1000  # SQLite's default: a commit past 1,000 pages checkpoints
    checkpoints = BackgroundCheckpoints(sqlite_db.engine, interval=3600)  # the thread will not run by itself
    checkpoints.start()
    try:
        assert _autocheckpoint(sqlite_db) == 0
        _write_pages(sqlite_db, 1500)  # past the automatic checkpoint's 1,000 pages: nothing copied back
        busy, frames, copied = checkpoints.run_once()
        assert busy == 0 and frames >= 1500 and copied == frames
    finally:
        checkpoints.stop()
    assert _autocheckpoint(sqlite_db) == 1000  # connections opened after the stop checkpoint by themselves


def test_the_thread_checkpoints_on_its_own_while_the_process_runs(sqlite_db: Database) -> None:
    checkpoints = BackgroundCheckpoints(sqlite_db.engine, interval=0.05)
    checkpoints.start()
    try:
        _write_pages(sqlite_db, 50)
        deadline = time.monotonic() + 5
        while checkpoints.runs < 2:
            assert time.monotonic() < deadline, "the checkpoint thread did not run"
            time.sleep(0.01)
    finally:
        checkpoints.stop()


def test_nothing_to_do_for_an_in_memory_database() -> None:
    memory = Database.from_url("sqlite://")
    try:
        memory.checkpoints.start()
        assert not memory.checkpoints.applies
        assert _autocheckpoint(memory) == 1000
    finally:
        memory.checkpoints.stop()
        memory.dispose()


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_postgresql_has_no_checkpoints_to_move(database: Database) -> None:
    database.checkpoints.start()
    assert not database.checkpoints.applies
    database.checkpoints.stop()


def test_a_long_log_is_checkpointed_again_in_the_write_turn_so_it_starts_again(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under steady writes a passive checkpoint seldom finds the log wholly copied, and SQLite only starts
    the log again when a writer does: past LONG_LOG_PAGES a second checkpoint runs with no writer of this
    process committing, and the log starts again from its beginning."""
    monkeypatch.setattr("storage.checkpoints.LONG_LOG_PAGES", 100)
    turns: list[str] = []

    @contextmanager
    def writing() -> Iterator[None]:
        turns.append("taken")
        with sqlite_db.writing():
            yield

    checkpoints = BackgroundCheckpoints(sqlite_db.engine, interval=3600, writing=writing)
    checkpoints.start()
    try:
        _write_pages(sqlite_db, 50)
        checkpoints.run_once()
        assert turns == []  # a short log: the passive checkpoint alone
        _write_pages(sqlite_db, 300)
        busy, frames, copied = checkpoints.run_once()
        assert turns == ["taken"] and busy == 0 and copied == frames
        _write_pages(sqlite_db, 1)
        assert checkpoints.run_once()[1] < 10  # the next writer started the log again
    finally:
        checkpoints.stop()
