"""The durable inbox (bot.inbox, storage.inbox) on SQLite and PostgreSQL: accepted once, worked once, its
row marked done in the same transaction as the work's change, nothing lost when work fails or stops."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from bot.actions.people import PersonInput, Profile
from bot.app import Core
from bot.capture.dates import utcnow
from bot.capture.grammar import parse_action
from bot.capture.owners import OwnerRef
from bot.inbox import Inbox, Work
from storage import inbox as store
from storage.models import Action, InboxItem

CHAIR = PersonInput(OwnerRef("slack", "UCHAIR"))


def rows(core: Core) -> list[InboxItem]:
    with core.db.reading() as session:
        return list(session.scalars(select(InboxItem).order_by(InboxItem.id)))


def actions(core: Core) -> int:
    with core.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Action)) or 0)


def fresh_inbox(core: Core, **changes: int) -> Inbox:
    return Inbox(core.db, replace(core.settings.inbox, retry_seconds=0, **changes))


def record(core: Core, text: str) -> None:
    draft = parse_action(f"<@U1> {text} in 3 days", core.service.clock(), core.calendar)
    core.service.record(draft, CHAIR)


def test_a_request_is_accepted_once_however_often_it_is_delivered(core: Core) -> None:
    inbox = fresh_inbox(core)
    assert inbox.accept("slack:trigger_id:1", "slack", "/action", {"body": {"text": "x"}}).new
    assert not inbox.accept("slack:trigger_id:1", "slack", "/action", {"body": {"text": "x"}}).new
    assert len(rows(core)) == 1


def test_work_that_changes_something_marks_its_request_done_in_the_same_transaction(core: Core) -> None:
    inbox = fresh_inbox(core)
    seen: list[Work] = []

    def processor(work: Work) -> None:
        seen.append(work)
        record(core, str(work.payload["task"]))
        raise RuntimeError("a reply failed after the change was recorded")

    inbox.register("slack", processor)
    inbox.accept("k1", "slack", "/action", {"task": "Share the CAD log"})
    inbox.drain()
    [row] = rows(core)
    assert (row.status, row.payload, row.attempts) == ("done", None, 1)
    assert len(seen) == 1 and actions(core) == 1  # not tried again: the change was already made


def test_a_savepoint_inside_the_work_is_not_its_commit(core: Core) -> None:
    """A repeated recording writes its people in savepoints, then rolls back whole (its request key exists)."""
    inbox = fresh_inbox(core)
    draft = parse_action("<@U1> Share the CAD log in 3 days", core.service.clock(), core.calendar)
    core.service.record(draft, CHAIR, idempotency_key="same")
    owner = PersonInput(OwnerRef("slack", "U1"), Profile(display_name="Jo", agency="A new agency"))
    duplicates: list[bool] = []

    def processor(work: Work) -> None:
        duplicates.append(core.service.record(draft, CHAIR, owner_profile=owner, idempotency_key="same").duplicate)
        record(core, "Visit the family")  # the work's real first commit

    inbox.register("slack", processor)
    inbox.accept("k1", "slack", "/action", {})
    inbox.drain()
    assert duplicates == [True] and actions(core) == 2
    [row] = rows(core)
    assert (row.status, row.attempts) == ("done", 1)


def test_work_that_fails_before_its_change_is_tried_again_then_given_up(core: Core) -> None:
    inbox = fresh_inbox(core, max_attempts=3)
    attempts: list[tuple[int, bool]] = []

    def processor(work: Work) -> None:
        attempts.append((work.attempt, work.last))
        raise ConnectionError("database went away")

    inbox.register("slack", processor)
    inbox.accept("k1", "slack", "/action", {"task": "x"})
    inbox.drain()
    assert attempts == [(1, False), (2, False), (3, True)]
    [row] = rows(core)
    assert (row.status, row.payload, row.last_error) == ("failed", None, "ConnectionError")


def test_work_that_succeeds_on_a_later_attempt_is_recorded_once(core: Core) -> None:
    inbox = fresh_inbox(core)
    calls: list[int] = []

    def processor(work: Work) -> None:
        calls.append(work.attempt)
        if work.attempt == 1:
            raise ConnectionError("first time unlucky")
        record(core, "Visit the family")

    inbox.register("slack", processor)
    inbox.accept("k1", "slack", "/action", {})
    inbox.drain()
    assert calls == [1, 2] and actions(core) == 1
    assert rows(core)[0].status == "done"


def test_a_worker_whose_lease_was_taken_over_cannot_commit_its_change(core: Core) -> None:
    inbox = fresh_inbox(core)
    inbox.accept("k1", "slack", "/action", {})
    now = utcnow()
    [first] = store.claim(core.db, "worker-a", ["slack"], 1, now, timedelta(seconds=1))
    [second] = store.claim(core.db, "worker-b", ["slack"], 1, now + timedelta(seconds=2), timedelta(seconds=30))
    assert first.id == second.id
    with store.completing(first.id, "worker-a", now), pytest.raises(store.ClaimLost):
        record(core, "Share the CAD log")
    assert actions(core) == 0  # worker a's change rolled back
    with store.completing(second.id, "worker-b", now) as completion:
        record(core, "Share the CAD log")
    assert completion.done and actions(core) == 1
    assert rows(core)[0].status == "done"


def test_a_stop_hands_back_what_was_claimed_and_not_started(core: Core) -> None:
    inbox = fresh_inbox(core)
    for n in range(3):
        inbox.accept(f"k{n}", "slack", "/action", {})
    claimed = store.claim(core.db, inbox.worker, ["slack"], 3, utcnow(), timedelta(seconds=30))
    assert store.release(core.db, inbox.worker, [c.id for c in claimed[1:]]) == 2
    assert [(r.status, r.attempts) for r in rows(core)] == [("working", 1), ("pending", 0), ("pending", 0)]


def test_requests_for_a_platform_not_served_here_wait_for_an_instance_that_serves_it(core: Core) -> None:
    inbox = fresh_inbox(core)
    inbox.register("slack", lambda work: None)
    inbox.accept("t1", "teams", "message", {})
    inbox.accept("s1", "slack", "/action", {})
    inbox.drain()
    assert [(r.platform, r.status) for r in rows(core)] == [("teams", "pending"), ("slack", "done")]


def test_finished_requests_are_forgotten_after_the_retention_window(core: Core) -> None:
    inbox = fresh_inbox(core, keep_hours=24)
    inbox.register("slack", lambda work: None)
    inbox.accept("old", "slack", "/action", {"body": "personal data"})
    inbox.drain()
    assert rows(core)[0].payload is None  # the body goes as soon as the work is done
    inbox.accept("waiting", "slack", "/action", {})
    assert inbox.prune(utcnow() + timedelta(hours=23)) == 0
    assert inbox.prune(utcnow() + timedelta(hours=25)) == 1
    assert [r.key for r in rows(core)] == ["waiting"]  # unfinished work is never pruned


def test_pressure_says_busy_then_full(core: Core) -> None:
    inbox = fresh_inbox(core, busy_backlog=2, max_backlog=3)
    levels = []
    for n in range(4):
        inbox._pressure_cache = (0.0, 0)  # count afresh for the test
        pressure = inbox.pressure()
        levels.append((pressure.backlog, pressure.busy, pressure.full))
        inbox.accept(f"k{n}", "slack", "/action", {})
    assert levels == [(0, False, False), (1, False, False), (2, True, False), (3, True, True)]


def test_worker_threads_pick_up_what_an_earlier_run_left(core: Core) -> None:
    earlier = fresh_inbox(core)
    earlier.accept("left-behind", "slack", "/action", {})
    done: list[str] = []
    inbox = fresh_inbox(core)
    inbox.register("slack", lambda work: done.append(work.kind))
    inbox.start(threads=2)
    try:
        assert inbox.wait_idle(10)
    finally:
        assert inbox.stop(10)
    assert done == ["/action"] and rows(core)[0].status == "done"


def _inbox_statements(core: Core) -> list[str]:
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE INBOX"):
            seen.append(statement)

    event.listen(core.db.engine, "before_cursor_execute", note)
    return seen


def test_a_request_accepted_while_a_worker_waits_is_handed_to_it_without_a_claim(core: Core) -> None:
    inbox = fresh_inbox(core)
    done: list[str] = []

    def processor(work: Work) -> None:
        record(core, str(work.payload["task"]))
        done.append(work.kind)

    inbox.register("slack", processor)
    inbox.start(threads=1)
    try:
        deadline = time.monotonic() + 10
        while inbox._waiting < 1 and time.monotonic() < deadline:  # the worker has found nothing to do
            time.sleep(0.01)
        updates = _inbox_statements(core)
        inbox.accept("k1", "slack", "/action", {"task": "Share the CAD log"})
        assert inbox.wait_idle(10)
    finally:
        assert inbox.stop(10)
    [row] = rows(core)
    assert done == ["/action"] and actions(core) == 1
    assert (row.status, row.attempts, row.payload) == ("done", 1, None)
    assert len(updates) == 1  # marked done with its change; never claimed by a statement of its own


def test_a_request_handed_to_a_worker_that_never_started_it_is_handed_back_at_the_stop(core: Core) -> None:
    inbox = fresh_inbox(core)
    inbox.register("slack", lambda work: None)
    inbox._waiting = 1  # as if a worker thread were waiting for work, and then stopped before taking it
    inbox.accept("k1", "slack", "/action", {"task": "x"})
    [claimed] = rows(core)
    assert (claimed.status, claimed.claimed_by, claimed.attempts) == ("working", inbox.worker, 1)
    inbox.stop(1)
    [back] = rows(core)
    assert (back.status, back.claimed_by, back.attempts) == ("pending", None, 0)
    later: list[str] = []
    other = fresh_inbox(core)
    other.register("slack", lambda work: later.append(work.kind))
    other.drain()
    assert later == ["/action"] and rows(core)[0].status == "done"
