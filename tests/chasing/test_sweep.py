"""Chasing through whole action lives with a controlled clock, on SQLite and PostgreSQL.

A scheduler is simulated by sweeping every hour on the hour; what each person receives, and when
(Europe/London wall-clock), is compared with the ladder's definition.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.actions.directory import set_role, update_person
from bot.actions.messages import Message
from bot.actions.people import PersonInput
from bot.actions.ports import Delivered
from bot.actions.records import PersonView
from bot.actions.service import ConversationRef
from bot.app import Core, build_core
from bot.capture.grammar import parse_action
from bot.capture.owners import OwnerRef
from bot.cli import main
from bot.config import Settings
from storage.db import Database
from storage.models import ActionEvent, EventContent, Nudge
from tests.chasing.hourly import CHAIR, DSL, OWNER, record, run_hourly
from tests.conftest import Clock, london
from tests.support import RecordingMessenger, sweep_in_another_process


def test_a_whole_life_across_a_bank_holiday_weekend_and_the_spring_clock_change(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    # Thursday 25 March 2027, before Good Friday (26th), the clock change (28th) and Easter Monday (29th).
    clock.set(london(2027, 3, 25, 10, 0))
    ref = record(core, "@jo Send the chronology by Wed 31 Mar")
    sent = run_hourly(core, clock, london(2027, 4, 13, 12), messenger)
    assert sent == [
        ("Thu 25 Mar 10:00", "@jo", f"Your action {ref}, agreed Thu 25 Mar"),
        ("Tue 30 Mar 09:00", "@jo", f"Reminder: {ref} is due Wed 31 Mar, 17:00"),
        ("Wed 31 Mar 09:00", "@jo", f"{ref} is due today at 17:00"),
        ("Thu 01 Apr 09:00", "@jo", f"{ref} is overdue: it was due Wed 31 Mar, 17:00"),
        ("Mon 05 Apr 09:00", "@chair", f"Escalation: {ref} for @jo is 3 working days overdue"),
        ("Mon 05 Apr 09:00", "@dsl", f"Escalation: {ref} for @jo is 3 working days overdue"),
        ("Mon 05 Apr 09:00", "@jo", f"{ref} is overdue: it was due Wed 31 Mar, 17:00"),
        ("Wed 07 Apr 09:00", "@jo", f"{ref} is overdue: it was due Wed 31 Mar, 17:00"),
        ("Fri 09 Apr 09:00", "@jo", f"{ref} is overdue: it was due Wed 31 Mar, 17:00"),
        ("Mon 12 Apr 09:00", "@chair", f"Escalation: {ref} for @jo is 8 working days overdue"),
        ("Mon 12 Apr 09:00", "@dsl", f"Escalation: {ref} for @jo is 8 working days overdue"),
        ("Tue 13 Apr 09:00", "@jo", f"{ref} is overdue: it was due Wed 31 Mar, 17:00"),
    ]
    # 09:00 local is 08:00 UTC after the clock change
    assert messenger.sent[1].at == london(2027, 3, 30, 9) and messenger.sent[1].at.hour == 8
    kinds = [e.kind for e in core.service.history(ref, CHAIR)]
    assert kinds.count("nudged") == 8 and kinds.count("escalated") == 4


def test_the_autumn_clock_change(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    clock.set(london(2027, 10, 27, 10))
    ref = record(core, "@jo Share the minutes by Monday")
    sent = run_hourly(core, clock, london(2027, 11, 1, 18), messenger)
    assert sent[1:] == [
        ("Fri 29 Oct 09:00", "@jo", f"Reminder: {ref} is due Mon 1 Nov, 17:00"),
        ("Mon 01 Nov 09:00", "@jo", f"{ref} is due today at 17:00"),
    ]
    assert [s.at.hour for s in messenger.sent[1:] if s.at] == [8, 9]  # UTC: BST then GMT


def test_an_extension_starts_a_new_ladder(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    ref = record(core, "@jo Book the assessment by Wednesday")  # Wed 25 Nov
    run_hourly(core, clock, london(2026, 11, 24, 10), messenger)  # the due-soon reminder goes on Tuesday
    core.service.extend(ref, OWNER, london(2026, 12, 2, 17), "clinic closed")
    sent = run_hourly(core, clock, london(2026, 12, 3, 12), messenger)
    assert [(when, title) for when, _, title in sent] == [
        ("Tue 01 Dec 09:00", f"Reminder: {ref} is due Wed 2 Dec, 17:00"),
        ("Wed 02 Dec 09:00", f"{ref} is due today at 17:00"),
        ("Thu 03 Dec 09:00", f"{ref} is overdue: it was due Wed 2 Dec, 17:00"),
    ]


def test_blocked_stops_the_owner_and_escalates_at_once(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    ref = record(core, "@jo Visit the family by Friday")
    clock.set(london(2026, 11, 24, 14))
    core.service.block(ref, OWNER, "family refused entry")
    core.chaser.sweep()
    assert messenger.titles()[-2:] == [
        ("@chair", f"Escalation: {ref} for @jo is blocked"),
        ("@dsl", f"Escalation: {ref} for @jo is blocked"),
    ]
    sent = run_hourly(core, clock, london(2026, 12, 4, 12), messenger)
    assert all(to != "@jo" for _, to, _ in sent)  # no owner nudges while blocked
    assert [(when, to) for when, to, _ in sent] == [("Wed 02 Dec 09:00", "@chair"), ("Wed 02 Dec 09:00", "@dsl")]


def test_completion_stops_everything(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    ref = record(core, "@jo Visit the family by Friday review 30/11")
    clock.set(london(2026, 11, 26, 12))
    core.service.complete(ref, OWNER, "visited")
    before = len(messenger.sent)
    run_hourly(core, clock, london(2026, 12, 10, 12), messenger)
    assert len(messenger.sent) == before
    with core.db.reading() as session:
        pending = session.scalar(select(func.count()).select_from(Nudge).where(Nudge.status == "pending"))
    assert pending == 0


def test_the_review_date_reaches_the_chair(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    ref = record(core, "@jo Attend the core group by 4/12 review 3/12")
    sent = run_hourly(core, clock, london(2026, 12, 3, 10), messenger)
    assert ("Thu 03 Dec 09:00", "@chair", f"Review due: {ref}") in sent


def test_downtime_collapses_into_the_latest_nudge(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    ref = record(core, "@jo Send the report by Tuesday")  # Tue 24 Nov
    core.chaser.sweep()
    # the bot is down from Monday until Friday 4 December, 10:00
    clock.set(london(2026, 12, 4, 10))
    report = core.chaser.sweep()
    assert [(item.step, item.recipient) for item in report.items] == [
        ("overdue", "@jo"),
        ("escalation", "@chair"),
        ("escalation", "@dsl"),
    ]
    assert core.chaser.sweep().items == []
    events = core.service.history(ref, CHAIR)
    assert [e.details.get("occurrence") for e in events if e.kind == "nudged"][-1] == 4  # the 4th overdue step


def _while_sending(messenger: RecordingMessenger, title_part: str, change: Callable[[], object]) -> None:
    """Make ``change`` happen (as another user would) while the nudge whose title has ``title_part`` is sent."""
    send = messenger.send_direct

    def send_then_change(person: PersonView, message: Message) -> Delivered:
        delivered = send(person, message)
        if title_part in message.title:
            change()
        return delivered

    messenger.send_direct = send_then_change  # type: ignore[method-assign]


def test_a_handover_during_a_send_moves_the_ladder_to_the_new_owner(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, "@jo Send the report by Tuesday")  # Tue 24 Nov
    sam = PersonInput(OwnerRef("handle", "sam"))
    _while_sending(messenger, "due today", lambda: core.service.reassign(ref, CHAIR, sam, "jo is on leave"))
    sent = run_hourly(core, clock, london(2026, 11, 25, 10), messenger)
    assert ("Tue 24 Nov 09:00", "@jo", f"{ref} is due today at 17:00") in sent
    assert [to for _, to, title in sent if "overdue" in title] == ["@sam"]


def test_a_completion_during_a_send_plans_nothing_more(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    ref = record(core, "@jo Send the report by Tuesday")
    _while_sending(messenger, "due today", lambda: core.service.complete(ref, OWNER, "sent it"))
    sent = run_hourly(core, clock, london(2026, 12, 4, 10), messenger)
    assert sent[-1] == ("Tue 24 Nov 09:00", "@jo", f"{ref} is due today at 17:00")  # and nothing after it
    with core.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Nudge).where(Nudge.status == "pending")) == 0


def test_a_failed_send_stays_pending_and_is_retried(
    core: Core, clock: Clock, messenger: RecordingMessenger, caplog: pytest.LogCaptureFixture
) -> None:
    messenger.failures = 2
    caplog.set_level(logging.WARNING)
    ref = record(core, "@jo Share the CAD log by Friday")
    assert core.chaser.sweep().count("failed") == 1
    with core.db.reading() as session:
        row = session.scalars(select(Nudge).where(Nudge.step == "confirmation")).one()
        assert (row.status, row.attempts, row.stuck) == ("pending", 1, False)
        assert row.due_at == clock() + timedelta(minutes=5)
    assert core.chaser.sweep().items == []  # not due again yet
    clock.advance(minutes=5)
    assert core.chaser.sweep().count("failed") == 1
    clock.advance(minutes=10)
    assert core.chaser.sweep().sent == 1
    assert messenger.titles() == [("@jo", f"Your action {ref}, agreed Mon 23 Nov")]
    assert [e.kind for e in core.service.history(ref, CHAIR)].count("nudged") == 1
    assert "Share the CAD log" not in caplog.text and "@jo" not in caplog.text


def test_a_send_that_keeps_failing_is_flagged_stuck_never_lost(
    core: Core, clock: Clock, messenger: RecordingMessenger, caplog: pytest.LogCaptureFixture
) -> None:
    messenger.failures = 100
    record(core, "@jo Share the CAD log by Friday")
    for _ in range(core.settings.chase.max_send_attempts):  # Monday to Friday, 10:00 (in working hours)
        core.chaser.sweep()
        clock.advance(days=1)
    with core.db.reading() as session:
        row = session.scalars(select(Nudge).where(Nudge.step == "confirmation")).one()
        assert (row.status, row.stuck, row.attempts) == ("pending", True, 5)
    assert "is stuck after 5 attempts" in caplog.text
    messenger.failures = 0
    clock.set(london(2026, 11, 30, 10))
    assert core.chaser.sweep().sent >= 1


def test_an_owner_on_no_platform_is_recorded_as_unreachable(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, '"Dr A. Khan (GP)" Send the GP summary by Friday')
    report = core.chaser.sweep()
    assert [(i.step, i.outcome) for i in report.items] == [("confirmation", "unreachable")]
    event = core.service.history(ref, CHAIR)[-1]
    assert event.kind == "nudged" and event.details["delivered"] is False
    update_person(core.db, PersonInput(OwnerRef("name", "Dr A. Khan (GP)")), active=False, now=clock())


def test_dry_run_changes_nothing(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    record(core, "@jo Share the CAD log by Friday")
    report = core.chaser.sweep(dry_run=True)
    assert [(i.step, i.outcome) for i in report.items] == [("confirmation", "would send")]
    assert messenger.sent == []
    assert core.chaser.sweep().sent == 1


def _events(core: Core, kind: str) -> int:
    with core.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(ActionEvent).where(ActionEvent.kind == kind)) or 0)


def test_concurrent_sweeps_send_each_nudge_once(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    for n in range(30):
        record(core, f"@owner{n} Task number {n} by Tuesday")
    clock.set(london(2026, 12, 2, 10))  # confirmations, reminders, due-today, overdue and escalations all due
    chasers = [build_core(core.settings, db=core.db, clock=clock).chaser for _ in range(4)]
    for chaser in chasers:
        chaser.router = core.router
    with ThreadPoolExecutor(max_workers=4) as pool:
        reports = list(pool.map(lambda c: c.sweep(), chasers * 2))
    sent = sum(r.sent for r in reports)
    assert sent == len(messenger.sent) == 30 + 30 + 60  # confirmation, overdue, escalation to chair and DSL
    keys = [(s.to, s.title) for s in messenger.sent]
    assert len(keys) == len(set(keys))
    assert _events(core, "nudged") + _events(core, "escalated") == sent
    assert core.chaser.sweep().items == []


def test_a_worker_that_dies_mid_sweep_loses_nothing(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    for n in range(5):
        record(core, f"@owner{n} Task {n} by Friday")
    dead = build_core(core.settings, db=core.db, clock=clock).chaser
    claimed, _ = dead._take(clock(), 3)  # claims three rows, then the process is killed before sending
    assert len(claimed) == 3
    assert core.chaser.sweep().sent == 2  # the others go out; the claimed three wait for their lease
    clock.advance(minutes=11)
    assert core.chaser.sweep().sent == 3
    assert core.chaser.sweep().sent == 0
    assert len(messenger.sent) == 5


def test_a_claim_takes_no_more_than_its_limit_and_each_row_once(core: Core, clock: Clock) -> None:
    """One statement claims a batch (a materialized CTE picks and locks the candidates, the update claims
    them): never more rows than asked for, even with many due, and never a row another claim holds."""
    for n in range(12):
        record(core, f"@owner{n} Task {n} by Friday")  # twelve confirmations due now
    other = build_core(core.settings, db=core.db, clock=clock).chaser
    first, jobs = other._take(clock(), 5)
    second, _ = core.chaser._take(clock(), 4)
    assert len(first) == len(set(first)) == len(jobs) == 5
    assert len(second) == len(set(second)) == 4
    assert not set(first) & set(second)
    with core.db.reading() as session:
        rows = session.execute(select(Nudge.id, Nudge.claimed_by).where(Nudge.status == "sending"))
        sending = {nudge_id: worker for nudge_id, worker in rows}
    assert sending == {**dict.fromkeys(first, other.worker), **dict.fromkeys(second, core.chaser.worker)}
    assert len(core.chaser._take(clock(), 10)[0]) == 3  # the rest


def test_a_slow_batch_stops_before_its_lease_runs_out(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    """Each send takes 4 minutes. A batch's rows are marked sent only when it finishes, so a batch that
    went on sending past its 10-minute lease would let another instance take over rows it had already
    sent, and send them again. It stops at 5 minutes instead and gives the rest back."""
    for n in range(3):
        record(core, f"@owner{n} Task {n} by Friday")
    other = build_core(core.settings, db=core.db, clock=clock).chaser
    other.router = core.router
    send, start, others = messenger.send_direct, clock(), []

    def slow_send(person: PersonView, message: Message) -> Delivered:
        clock.advance(minutes=4)
        if clock() - start >= timedelta(minutes=12) and not others:
            others.append(-1)
            others[0] = other.sweep().sent  # another instance sweeps, after the first claim's lease ran out
        return send(person, message)

    messenger.send_direct = slow_send  # type: ignore[method-assign]
    report = core.chaser.sweep()
    assert others == [0]  # nothing was left for it to take over
    assert (report.sent, report.count("released")) == (3, 1)
    keys = [(s.to, s.title) for s in messenger.sent]
    assert len(keys) == len(set(keys)) == 3


def test_rows_a_slow_batch_gives_back_are_sent_later_once(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    for n in range(3):
        record(core, f"@owner{n} Task {n} by Friday")
    send = messenger.send_direct

    def slow_send(person: PersonView, message: Message) -> Delivered:
        clock.advance(minutes=6)  # each send outlasts the batch's sending window
        return send(person, message)

    messenger.send_direct = slow_send  # type: ignore[method-assign]
    report = core.chaser.sweep()  # each batch sends one and gives back the rest, which the next batch takes
    assert (report.sent, report.count("released")) == (3, 3)
    assert len({(s.to, s.title) for s in messenger.sent}) == len(messenger.sent) == 3
    with core.db.reading() as session:
        attempts = session.scalars(select(Nudge.attempts).where(Nudge.step == "confirmation")).all()
    assert list(attempts) == [1, 1, 1]  # giving a row back is not a failed attempt


@pytest.mark.parametrize("digest", [False, True], ids=["one message each", "digests"])
def test_several_processes_send_each_nudge_once(
    core: Core, clock: Clock, db_url: tuple[str, str | None], tmp_path: Path, digest: bool
) -> None:
    """Four bot processes sweep the same database at the same moment: every due nudge goes out once, also
    when the chair's and the DSL's 20 escalations each go in digests."""
    set_role(core.db, DSL, "dsl", now=clock())
    for n in range(20):
        record(core, f"@owner{n} Task number {n} by Tuesday")
    now = london(2026, 12, 2, 10)
    out = tmp_path / "sent.txt"
    url, schema = db_url
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        counts = pool.starmap(sweep_in_another_process, [(url, schema, now.isoformat(), str(out), digest)] * 4)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert sum(counts) == len(lines) == 20 * 4  # confirmation, overdue, escalation to the chair and the DSL
    assert len(set(lines)) == len(lines)
    assert sweep_in_another_process(url, schema, now.isoformat(), str(out)) == 0
    with core.db.reading() as session:
        details = session.scalars(select(EventContent.details).join(ActionEvent).where(ActionEvent.kind == "escalated"))
        in_digests = sum(1 for d in details if d and d.get("digest"))
    assert (in_digests > 0) == digest


def test_chase_once_from_the_command_line(
    core: Core, clock: Clock, cli_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    record(core, "@jo Send the chronology by Friday")
    out = io.StringIO()
    assert main(["chase", "--once", "--dry-run", "--now", "2026-11-26T09:05"], out=out) == 0
    assert out.getvalue().splitlines() == [
        "would send   A-1     confirmation  to @jo",
        "would send   A-1     due_soon      to @jo",
        "2 would send, 0 unreachable, 0 failed.",
    ]
    # With no chat or email configured the sweep still runs: what is due is recorded as not reached.
    out = io.StringIO()
    assert main(["chase", "--once", "--now", "2026-11-26T09:05"], out=out) == 0
    assert "no way to deliver nudges is configured" in capsys.readouterr().err
    assert out.getvalue().splitlines() == [
        "unreachable  A-1     confirmation  to @jo",
        "unreachable  A-1     due_soon      to @jo",
        "0 sent, 2 unreachable, 0 failed.",
    ]
    history = core.service.history("A-1", CHAIR)
    assert [(e.kind, e.details["step"], e.details["delivered"]) for e in history if e.kind == "nudged"] == [
        ("nudged", "confirmation", False),
        ("nudged", "due_soon", False),
    ]
    shown = core.commands.run("history", "A-1", CHAIR).private.text  # type: ignore[union-attr]
    assert "reminder (due soon) not delivered to @jo: no chat platform or email address is known" in shown


def test_the_dry_run_after_downtime_shows_only_what_the_sweep_sends(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    """Nobody swept all week: the owner gets one overdue nudge, not due soon, due today and overdue."""
    record(core, "<@U1> Send the chronology by Wednesday")  # Wed 25 Nov
    core.chaser.sweep(london(2026, 11, 23, 10, 5))  # the confirmation
    later = london(2026, 11, 27, 10, 0)
    dry = [(i.action_ref, i.step, i.recipient) for i in core.chaser.sweep(later, dry_run=True).items]
    real = [(i.action_ref, i.step, i.recipient) for i in core.chaser.sweep(later).items if i.outcome == "sent"]
    assert dry == real and [step for _, step, _ in real] == ["overdue"]


def test_a_graceful_stop_mid_sweep_hands_back_what_it_has_not_sent(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    """SIGTERM during a sweep: the send in progress is recorded, the rest go back to pending (not counted
    as tried) and the next process sends each of them once."""
    for n in range(3):
        record(core, f"<@U{n}> Share the CAD log in 3 days")
    sends = messenger._send

    def send_then_stop(to: str, message: Message) -> Delivered:
        delivered = sends(to, message)
        core.chaser.stop_sending()
        return delivered

    messenger._send = send_then_stop  # type: ignore[method-assign]
    core.chaser.sweep()
    assert len(messenger.sent) == 1
    with core.db.reading() as session:
        waiting = session.execute(select(Nudge.status, Nudge.attempts).where(Nudge.step == "confirmation")).all()
    assert sorted(waiting) == [("pending", 0), ("pending", 0), ("sent", 1)]
    assert core.chaser.sweep().sent == 0  # a stopped chaser claims nothing more
    fresh = build_core(core.settings, db=core.db, clock=clock, messengers=[RecordingMessenger(clock=clock)])
    assert fresh.chaser.sweep().sent == 2


def test_after_a_reassignment_the_old_owner_hears_nothing_more(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    """In a meeting confirmations wait for its end; an action reassigned before then is confirmed to the
    new owner only."""
    set_role(core.db, CHAIR, "chair", now=clock())
    room = ConversationRef("console", "room")
    core.service.start_meeting(room, CHAIR, "Strategy meeting")
    draft = parse_action("@jo Send the chronology by Friday", clock(), core.calendar)
    ref = core.service.record(draft, CHAIR, conversation=room).action.ref
    core.service.reassign(ref, CHAIR, PersonInput(OwnerRef("handle", "sam")), "Jo is on leave")
    core.service.end_meeting(room, CHAIR)
    dry = [(i.step, i.recipient) for i in core.chaser.sweep(clock(), dry_run=True).items]
    core.chaser.sweep(clock())
    assert [(s.to, s.title) for s in messenger.sent] == [("@sam", f"Your action {ref}, agreed Mon 23 Nov")]
    assert dry == [("confirmation", "@sam")]


def test_a_dsl_appointed_later_is_told_and_one_removed_is_not(
    core: Core, clock: Clock, messenger: RecordingMessenger, cli_url: str
) -> None:
    """Escalation recipients follow the roles as they are when the nudge goes, through every path."""
    record(core, "@jo Send the report by Tuesday")  # Tue 24 Nov; @dsl is the DSL (the messenger fixture)
    core.chaser.sweep()
    late = london(2026, 12, 4, 10)
    assert ("escalation", "@dsl") in [(i.step, i.recipient) for i in core.chaser.sweep(late, dry_run=True).items]
    # the partnership appoints a new DSL and the old one steps down, from the command line
    assert main(["people", "set-role", "@newdsl", "dsl", "--reason", "appointed"], out=io.StringIO()) == 0
    assert main(["people", "set-role", "@dsl", "member", "--reason", "stepped down"], out=io.StringIO()) == 0
    clock.set(late)
    sent = [(i.step, i.recipient) for i in core.chaser.sweep(late).items if i.outcome == "sent"]
    assert ("escalation", "@newdsl") in sent and ("escalation", "@dsl") not in sent
    # an escalation contact set later hears about the owner's open actions too
    update_person(core.db, PersonInput(OwnerRef("handle", "jo")), escalation=PersonInput(OwnerRef("handle", "manager")),
                  now=clock(), listeners=core.service.listeners)  # fmt: skip
    later = london(2026, 12, 8, 10)
    assert ("escalation", "@manager") in [(i.step, i.recipient) for i in core.chaser.sweep(later).items]


@pytest.mark.parametrize("note", [True, False])
def test_an_owner_who_was_told_gets_one_handed_over_note_and_nothing_more(
    settings: Settings, database: Database, clock: Clock, note: bool
) -> None:
    core = build_core(replace(settings, chase=replace(settings.chase, handover_note=note)), db=database, clock=clock)
    messenger = RecordingMessenger(clock=clock)
    core.router.add(messenger)
    ref = record(core, "@jo Send the chronology by Wed 2 Dec")
    core.service.snooze(ref, OWNER, date(2026, 11, 26))  # Jo's own reminder, which must not reach her now
    core.chaser.sweep()  # Jo's written confirmation
    core.service.reassign(ref, CHAIR, PersonInput(OwnerRef("handle", "sam")), "Jo is on leave")
    sent = run_hourly(core, clock, london(2026, 12, 3, 12), messenger)
    to_jo = [title for _, to, title in sent if to == "@jo"]
    assert to_jo == ([f"{ref} is now @sam's: you will get no more reminders about it"] if note else [])
    if note:
        handed = next(s.message for s in messenger.sent if s.to == "@jo" and s.title.startswith(f"{ref} is now"))
        assert handed is not None and handed.buttons == ()  # nothing left for Jo to press
    assert next(title for _, to, title in sent if to == "@sam") == f"Your action {ref}, agreed Mon 23 Nov"
