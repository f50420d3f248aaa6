"""Sending a batch concurrently within a platform's limits, recording as it goes, on SQLite and PostgreSQL.

The platform is a test double with real latency (tests.support.PacedMessenger); the chaser, its sender and
the database are real. Timing here is about limits kept (gaps, pauses, calls open at once), never speed:
speed lives in ``make bench`` (tests/bench/delivery.py).
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.actions.directory import set_role
from bot.actions.messages import Message
from bot.actions.people import PersonInput
from bot.actions.ports import DeliveryError
from bot.app import Core
from bot.capture.grammar import parse_action
from bot.capture.owners import OwnerRef
from bot.chasing.outbound import FLUSH_SECONDS, Job
from bot.chasing.pacing import SendLimits
from bot.chasing.runner import SweepRunner
from storage.models import Nudge
from tests.conftest import Clock
from tests.support import PacedMessenger, sweep_until_killed

CHAIR = PersonInput(OwnerRef("handle", "chair"))


def record(core: Core, text: str) -> None:
    core.service.record(parse_action(text, core.service.clock(), core.calendar), CHAIR)


def paced(core: Core, limits: SendLimits, latency: float = 0.0) -> PacedMessenger:
    messenger = PacedMessenger(limits, latency)
    core.router.add(messenger)
    return messenger


def statuses(core: Core) -> dict[str, int]:
    """The owners' confirmations (the first message of each action) by status."""
    with core.db.reading() as session:
        rows = session.execute(
            select(Nudge.status, func.count()).where(Nudge.step == "confirmation").group_by(Nudge.status)
        )
        return {status: int(count) for status, count in rows}


def test_a_slow_platform_gets_several_calls_at_once_never_more_than_it_allows(core: Core) -> None:
    messenger = paced(core, SendLimits(in_flight=4), latency=0.05)
    for n in range(16):
        record(core, f"@owner{n} Send the chronology {n} by Friday")
    report = core.chaser.sweep()
    assert report.sent == 16 == len(messenger.calls)
    assert messenger.peak == 4
    assert len({c.to for c in messenger.calls}) == 16


def test_a_messenger_that_declares_no_limits_is_sent_to_one_at_a_time_in_order(core: Core, clock: Clock) -> None:
    messenger = paced(core, SendLimits(), latency=0.01)
    messenger.limits = None  # type: ignore[assignment]  # a messenger without the optional attribute's value
    for n in range(5):
        record(core, f"@owner{n} Task {n} by Friday")
    core.chaser.sweep()
    assert messenger.peak == 1
    assert [c.to for c in sorted(messenger.calls, key=lambda c: c.started)] == [f"@owner{n}" for n in range(5)]


def test_messages_to_one_person_are_spaced_and_nobody_else_waits_for_them(core: Core) -> None:
    messenger = paced(core, SendLimits(gap_seconds=0.3, in_flight=8))
    for n in range(3):
        record(core, f"@jo Task {n} by Friday")
    for n in range(4):
        record(core, f"@owner{n} Task {n} by Friday")
    assert core.chaser.sweep().sent == 7
    jo = messenger.starts("@jo")
    assert len(jo) == 3
    assert all(b - a >= 0.3 - 0.01 for a, b in itertools.pairwise(jo))
    others = [c.started for c in messenger.calls if c.to != "@jo"]
    assert max(others) < jo[1]  # the other owners went out while Jo's next message waited its turn


def test_the_platform_rate_is_kept(core: Core) -> None:
    messenger = paced(core, SendLimits(per_minute=300, in_flight=8))  # one every 0.2 s
    for n in range(5):
        record(core, f"@owner{n} Task {n} by Friday")
    core.chaser.sweep()
    starts = sorted(c.started for c in messenger.calls)
    assert len(starts) == 5
    assert all(b - a >= 0.2 - 0.01 for a, b in itertools.pairwise(starts))


def test_retry_after_pauses_the_platform_and_the_message_goes_in_the_same_sweep(core: Core) -> None:
    messenger = paced(core, SendLimits(in_flight=4))
    messenger.refuse["@owner0"] = [DeliveryError("slack chat.postMessage failed: ratelimited", retry_after=0.5)]
    for n in range(4):
        record(core, f"@owner{n} Task {n} by Friday")
    started = time.monotonic()
    report = core.chaser.sweep()
    assert report.sent == 4 and report.count("failed") == 0
    assert [c.to for c in messenger.calls].count("@owner0") == 1
    assert min(messenger.starts("@owner0")) - started >= 0.5 - 0.01
    assert statuses(core) == {"sent": 4}
    with core.db.reading() as session:
        attempts = session.scalars(select(Nudge.attempts).where(Nudge.step == "confirmation"))
        assert set(attempts) == {1}  # a pause asked for is not a failed attempt


def test_a_long_retry_after_goes_back_to_the_outbox_until_then(core: Core, clock: Clock) -> None:
    messenger = paced(core, SendLimits(in_flight=4))
    messenger.refuse["@jo"] = [DeliveryError("teams send: throttled (429)", retry_after=600)]
    record(core, "@jo Task by Friday")
    record(core, "@sam Task by Friday")
    report = core.chaser.sweep()
    assert (report.sent, report.count("failed")) == (1, 1)
    clock.advance(minutes=9)
    assert core.chaser.sweep().sent == 0
    clock.advance(minutes=2)
    assert core.chaser.sweep().sent == 1
    assert sorted(c.to for c in messenger.calls) == ["@jo", "@sam"]


def test_what_is_sent_is_recorded_while_the_batch_is_still_sending(core: Core) -> None:
    """A crash must not be able to send a whole batch again: rows are recorded as they go."""
    messenger = paced(core, SendLimits(in_flight=1), latency=FLUSH_SECONDS / 2)
    for n in range(8):
        record(core, f"@owner{n} Task {n} by Friday")
    recorded_when_last_went: list[int] = []

    def check(to: str) -> None:
        if to == "@owner7":
            recorded_when_last_went.append(statuses(core).get("sent", 0))

    messenger.on_send = check
    assert core.chaser.sweep().sent == 8
    assert recorded_when_last_went and recorded_when_last_went[0] >= 4


def test_the_bookkeeping_write_is_tried_again_while_the_database_is_away(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    messenger = paced(core, SendLimits(in_flight=4))
    for n in range(6):
        record(core, f"@owner{n} Task {n} by Friday")
    finish, failures = core.chaser._finish, [2]

    def flaky(*args: object, **kwargs: object) -> None:
        if failures[0]:
            failures[0] -= 1  # fault injection: the database refuses the next two bookkeeping writes
            raise OperationalError("UPDATE nudges", {}, ConnectionError("server closed the connection"))
        finish(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(core.chaser, "_finish", flaky)
    monkeypatch.setattr("bot.chasing.recording.time.sleep", lambda _: None)
    assert core.chaser.sweep().sent == 6
    assert len(messenger.calls) == 6 and statuses(core) == {"sent": 6}
    assert core.chaser.sweep().sent == 0


def test_a_worker_killed_mid_batch_sends_again_only_the_message_in_flight(
    core: Core, clock: Clock, db_url: tuple[str, str | None], tmp_path: Path
) -> None:
    set_role(core.db, PersonInput(OwnerRef("handle", "dsl")), "dsl", now=clock())
    for n in range(20):
        record(core, f"@owner{n} Task number {n} by Friday")
    out, (url, schema) = tmp_path / "sent.txt", db_url
    process = multiprocessing.get_context("spawn").Process(
        target=sweep_until_killed, args=(url, schema, clock().isoformat(), str(out), 10)
    )
    process.start()
    try:
        deadline = time.monotonic() + 60
        while statuses(core).get("sent", 0) < 19:  # all recorded but the one whose call never returns
            assert time.monotonic() < deadline, statuses(core)
            time.sleep(0.05)
    finally:
        process.kill()
        process.join()
    assert statuses(core) == {"sent": 19, "sending": 1}
    core.router.add(paced(core, SendLimits(in_flight=4)))
    clock.advance(minutes=11)  # the dead worker's lease runs out
    assert core.chaser.sweep().sent == 1
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 20 and len(set(lines)) == 20  # the killed process wrote each of its 20 once
    assert statuses(core) == {"sent": 20}


def test_the_runner_sweeps_again_when_woken_during_a_sweep_and_stops_cleanly() -> None:
    sweeps: list[float] = []
    stopped: list[bool] = []

    def sweep() -> None:
        sweeps.append(time.monotonic())
        if len(sweeps) == 2:
            runner.wake()  # a change during the second sweep
        time.sleep(0.05)

    runner = SweepRunner(sweep, lambda: stopped.append(True))
    runner.wake()  # before start: nobody sweeps, nothing is lost
    assert sweeps == []
    runner.start()  # sweeps at once
    assert runner.wait_idle(5)
    runner.wake()
    assert runner.wait_idle(5)
    assert len(sweeps) == 3 and runner.alive()
    assert runner.stop(5) and stopped == [True] and not runner.alive()


def test_the_old_ten_thousand_row_cap_is_gone_from_a_sweep(core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sweep works until nothing is due, batch after batch (a small batch size stands in for 10,000)."""
    messenger = paced(core, SendLimits(in_flight=4))
    monkeypatch.setattr(core.chaser, "cfg", core.settings.chase.__class__(batch_size=3))
    for n in range(10):
        record(core, f"@owner{n} Task {n} by Friday")
    report = core.chaser.sweep()
    assert report.sent == 10 == len(messenger.calls)
    assert core.chaser.sweep(max_rows=3).items == []


def test_a_message_that_cannot_be_built_is_retried_later_and_the_rest_still_go(
    core: Core, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    messenger = paced(core, SendLimits(in_flight=4))
    for n in range(4):
        record(core, f"@owner{n} Task {n} by Friday")
    compose = core.chaser._compose

    def broken_for_owner2(job: Job, now: datetime) -> Message:
        if job.who == "@owner2":
            raise KeyError("template")  # fault injection: a bug in building one message
        return compose(job, now)

    monkeypatch.setattr(core.chaser, "_compose", broken_for_owner2)
    report = core.chaser.sweep()
    assert (report.sent, report.count("failed")) == (3, 1)
    assert statuses(core) == {"sent": 3, "pending": 1}
    monkeypatch.undo()
    clock.advance(minutes=6)
    assert core.chaser.sweep().sent == 1
    assert sorted(c.to for c in messenger.calls) == [f"@owner{n}" for n in range(4)]
