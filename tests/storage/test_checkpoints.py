"""SQLite's WAL checkpoints in a background thread of a serving process, not inside its commits."""

from __future__ import annotations

import time

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
