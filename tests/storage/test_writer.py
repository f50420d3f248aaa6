"""SQLite's writer turn: one writer at a time, a request being acknowledged ahead of queued work."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from storage import inbox as store
from storage.db import Database
from storage.writer import WriterTurn
from tests.conftest import london


def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def _taker(turn: WriterTurn, order: list[str], name: str, urgent: bool) -> threading.Thread:
    def take() -> None:
        assert turn.acquire(urgent=urgent)
        order.append(name)
        turn.release()

    thread = threading.Thread(target=take)
    thread.start()
    return thread


def test_an_urgent_writer_goes_before_writers_that_queued_earlier() -> None:
    turn = WriterTurn()
    order: list[str] = []
    assert turn.acquire()
    first = _taker(turn, order, "queued first", urgent=False)
    _until(lambda: turn.waiting == 1)
    second = _taker(turn, order, "queued second", urgent=False)
    _until(lambda: turn.waiting == 2)
    urgent = _taker(turn, order, "urgent", urgent=True)
    _until(lambda: turn.waiting == 3)
    turn.release()
    for thread in (first, second, urgent):
        thread.join(5)
    assert order[0] == "urgent"
    assert sorted(order[1:]) == ["queued first", "queued second"]


def test_the_turn_is_reentrant_and_free_again_after_the_last_release() -> None:
    turn = WriterTurn()
    assert turn.acquire()
    assert turn.acquire(timeout=0)  # the same thread again: no deadlock
    turn.release()
    elsewhere: list[bool] = []
    thread = threading.Thread(target=lambda: elsewhere.append(turn.acquire(timeout=0.05)))
    thread.start()
    thread.join(5)
    assert elsewhere == [False]  # still held once
    turn.release()
    thread = threading.Thread(target=lambda: elsewhere.append(turn.acquire(timeout=1)))
    thread.start()
    thread.join(5)
    assert elsewhere == [False, True]


def test_a_timed_out_wait_gives_up_and_a_stranger_cannot_release() -> None:
    turn = WriterTurn()
    assert turn.acquire()
    results: list[bool] = []
    thread = threading.Thread(target=lambda: results.append(turn.acquire(urgent=True, timeout=0.05)))
    thread.start()
    thread.join(5)
    assert results == [False]
    assert turn.waiting == 0

    def release_elsewhere() -> None:
        with pytest.raises(RuntimeError):
            turn.release()
        results.append(True)

    thread = threading.Thread(target=release_elsewhere)
    thread.start()
    thread.join(5)
    assert results == [False, True]
    turn.release()


def test_accepting_a_request_goes_before_transactions_queued_for_the_write_turn(sqlite_db: Database) -> None:
    """An inbox worker's change queued first still finds the request written: the ack did not wait for it."""
    turn = sqlite_db._writer
    assert isinstance(turn, WriterTurn)
    seen: list[int] = []

    def queued_change() -> None:
        with sqlite_db.transaction():
            seen.append(store.backlog(sqlite_db))

    assert turn.acquire()
    change = threading.Thread(target=queued_change)
    change.start()
    _until(lambda: turn.waiting == 1)
    accepting = threading.Thread(
        target=store.accept, args=(sqlite_db, "slack:trigger_id:1", "slack", "command", "{}", london(2026, 12, 7, 9))
    )
    accepting.start()
    _until(lambda: turn.waiting == 2)
    turn.release()
    change.join(5)
    accepting.join(5)
    assert seen == [1]
