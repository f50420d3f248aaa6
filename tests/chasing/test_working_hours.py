"""Working hours and part-time days: nothing reaches anyone outside their working hours or on a day they do
not work, and a part-timer's own reminders count only the days they work. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.actions.directory import DirectoryError, update_person
from bot.app import Core
from bot.capture.dates import describe_working_days, parse_working_days
from tests.chasing.hourly import CHAIR, OWNER, record, run_hourly
from tests.conftest import Clock, london
from tests.support import RecordingMessenger


def test_a_confirmation_recorded_in_the_evening_waits_for_the_morning(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    clock.set(london(2026, 11, 23, 19, 30))  # a late core group
    ref = record(core, "@jo Send the chronology by Friday")
    assert [(i.step, i.outcome) for i in core.chaser.sweep().items] == [("", "skipped")]  # held, not sent
    assert [i.step for i in core.chaser.sweep(dry_run=True).items] == []
    sent = run_hourly(core, clock, london(2026, 11, 24, 12), messenger)
    assert sent == [("Tue 24 Nov 08:00", "@jo", f"Your action {ref}, agreed Mon 23 Nov")]


def test_a_block_on_friday_evening_escalates_on_monday_morning(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, "@jo Visit the family by Thursday 3 Dec")
    run_hourly(core, clock, london(2026, 11, 23, 12), messenger)
    clock.set(london(2026, 11, 27, 18, 30))
    core.service.block(ref, OWNER, "the family has moved address")
    sent = run_hourly(core, clock, london(2026, 11, 30, 12), messenger)
    assert [(when, to) for when, to, _ in sent] == [("Mon 30 Nov 08:00", "@chair"), ("Mon 30 Nov 08:00", "@dsl")]


def test_a_part_timer_is_reminded_on_the_days_they_work(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    update_person(core.db, OWNER, working_days="Mon-Wed", now=clock())
    ref = record(core, "@jo Send the chronology by Fri 27 Nov")
    sent = run_hourly(core, clock, london(2026, 12, 2, 12), messenger)
    to_jo = [(when, title) for when, to, title in sent if to == "@jo"]
    assert to_jo == [
        ("Mon 23 Nov 10:00", f"Your action {ref}, agreed Mon 23 Nov"),
        ("Wed 25 Nov 09:00", f"Reminder: {ref} is due Fri 27 Nov, 17:00"),  # her last working day before it
        ("Mon 30 Nov 09:00", f"{ref} is overdue: it was due Fri 27 Nov, 17:00"),
        ("Wed 02 Dec 09:00", f"{ref} is overdue: it was due Fri 27 Nov, 17:00"),  # 2 of her working days on
    ]
    # the chair works full time: the escalation counts the chair's working days
    assert ("Wed 02 Dec 09:00", "@chair") in [(when, to) for when, to, _ in sent]


def test_a_part_timers_snooze_to_a_day_off_becomes_their_next_working_day(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    update_person(core.db, OWNER, working_days="Mon Tue Thu", now=clock())
    ref = record(core, "@jo Send the chronology by Fri 4 Dec")
    assert core.service.snooze(ref, OWNER, london(2026, 11, 25, 9).date()).remind_from == london(2026, 11, 26, 9)


def test_working_days_are_logged_and_re_plan_the_reminders(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, "@jo Send the chronology by Fri 27 Nov")
    run_hourly(core, clock, london(2026, 11, 23, 12), messenger)
    update_person(
        core.db, OWNER, working_days="Mon-Wed", now=clock(), reason="new contract", listeners=core.service.listeners
    )
    sent = run_hourly(core, clock, london(2026, 11, 27, 12), messenger)
    assert [(when, to) for when, to, _ in sent] == [("Wed 25 Nov 09:00", "@jo")]  # not Thu, not Fri
    event = core.service.history(ref, CHAIR)  # the person's change is not an action event
    assert all(e.kind != "person_changed" for e in event)
    update_person(core.db, OWNER, working_days="Mon-Fri", now=clock())
    assert core.service.person(OWNER).working_days is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "stored", "shown"),
    [
        ("Mon-Wed", "012", "Mon, Tue, Wed"),
        ("tuesday, thursday", "13", "Tue, Thu"),
        ("Mon Wed-Fri", "0234", "Mon, Wed, Thu, Fri"),
    ],
)
def test_working_days_as_people_write_them(text: str, stored: str, shown: str) -> None:
    assert parse_working_days(text) == stored and describe_working_days(stored) == shown


@pytest.mark.parametrize("text", ["", "weekdays", "Wed-Mon", "Mon-Funday"])
def test_working_days_that_cannot_be_read_are_refused(core: Core, clock: Clock, text: str) -> None:
    with pytest.raises(DirectoryError, match="working days"):
        update_person(core.db, OWNER, working_days=text, now=clock())
