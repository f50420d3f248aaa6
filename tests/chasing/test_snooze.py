"""Snooze ("Remind me later"): the owner's next reminder comes on the day they chose and not before; the
deadline never moves, so a snooze cannot reach past it. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.actions.messages import SNOOZE, nudge_message
from bot.actions.service import InvalidChange, NotAllowed
from bot.app import Core
from storage.models import Action, ActionEvent
from tests.chasing.hourly import CHAIR, LONDON, OWNER, record, run_hourly
from tests.conftest import Clock, london
from tests.support import RecordingMessenger


def snooze(core: Core, text: str) -> str:
    outcome = core.commands.run("snooze", text, OWNER)
    assert outcome.private is not None
    return outcome.private.title


def test_the_reminder_comes_on_the_chosen_day_and_the_ladder_carries_on(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, "@jo Send the chronology by Fri 4 Dec")
    assert snooze(core, f"{ref} Wed") == f"I will remind you about {ref} Wed 25 Nov, 09:00, and not before."
    sent = run_hourly(core, clock, london(2026, 12, 4, 18), messenger)
    assert sent == [
        ("Mon 23 Nov 10:00", "@jo", f"Your action {ref}, agreed Mon 23 Nov"),
        ("Wed 25 Nov 09:00", "@jo", f"Reminder: {ref} is due Fri 4 Dec, 17:00"),
        ("Thu 03 Dec 09:00", "@jo", f"Reminder: {ref} is due Fri 4 Dec, 17:00"),
        ("Fri 04 Dec 09:00", "@jo", f"{ref} is due today at 17:00"),
    ]
    with core.db.reading() as session:
        action = session.get_one(Action, int(ref[2:]))
        assert action.deadline == london(2026, 12, 4, 17) and action.extensions == 0
        event = session.scalars(select(ActionEvent).where(ActionEvent.kind == "snoozed")).one()
    assert event.details == {"until": london(2026, 11, 25, 9).isoformat()} and event.actor_id == action.owner_id
    history = [line for line in core.commands.run("history", ref, OWNER).private.text.splitlines()]  # type: ignore[union-attr]
    assert any("next reminder moved to Wed 25 Nov, 09:00 (the deadline stays)" in line for line in history)


def test_reminders_due_before_the_chosen_day_are_not_sent(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, "@jo Send the chronology by Wed 25 Nov")  # due soon on Tuesday 09:00
    snooze(core, f"{ref} Wednesday")
    sent = run_hourly(core, clock, london(2026, 11, 25, 18), messenger)
    # one message on the day chosen, the deadline's own day: no due-soon on Tuesday, no second one at 09:00
    assert sent[1:] == [("Wed 25 Nov 09:00", "@jo", f"{ref} is due today at 17:00")]


def test_a_snooze_on_a_weekend_day_comes_on_the_next_working_day(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, "@jo Send the chronology by Fri 4 Dec")
    assert "Mon 30 Nov, 09:00" in snooze(core, f"{ref} Saturday")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{ref} Mon 7 Dec", "a reminder cannot wait past its deadline. To move the deadline, use Need more time"),
        ("{ref} Fri 4 Dec", "a reminder cannot wait past its deadline"),  # 09:00 on the day is fine; 4 Dec is past it
        ("{ref}", "Say when to remind you"),
        ("{ref} 1/11", "was "),
        ("A-99 tomorrow", "There is no action A-99"),
    ],
)
def test_what_snooze_refuses(core: Core, clock: Clock, messenger: RecordingMessenger, text: str, problem: str) -> None:
    ref = record(core, "@jo Send the chronology by Thu 3 Dec")
    assert problem in snooze(core, text.format(ref=ref))
    with core.db.reading() as session:
        assert session.scalars(select(ActionEvent).where(ActionEvent.kind == "snoozed")).first() is None


def test_only_the_owner_snoozes_and_only_an_open_action(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, "@jo Send the chronology by Fri 4 Dec")
    with pytest.raises(NotAllowed):
        core.service.snooze(ref, CHAIR, date(2026, 11, 25))
    core.service.block(ref, OWNER, "waiting for the police disclosure")
    with pytest.raises(InvalidChange, match="blocked"):
        core.service.snooze(ref, OWNER, date(2026, 11, 25))


def test_a_new_deadline_or_owner_drops_the_snooze(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    ref = record(core, "@jo Send the chronology by Fri 4 Dec")
    snooze(core, f"{ref} Wed 2 Dec")
    core.service.extend(ref, OWNER, london(2026, 12, 11, 17), "GP records late")
    sent = run_hourly(core, clock, london(2026, 12, 11, 18), messenger)
    assert [(when, title) for when, _, title in sent[1:]] == [
        ("Thu 10 Dec 09:00", f"Reminder: {ref} is due Fri 11 Dec, 17:00"),
        ("Fri 11 Dec 09:00", f"{ref} is due today at 17:00"),
    ]


def test_a_second_snooze_replaces_the_first(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    ref = record(core, "@jo Send the chronology by Fri 4 Dec")
    snooze(core, f"{ref} Wed 25 Nov")
    snooze(core, f"{ref} Fri 27 Nov")
    sent = run_hourly(core, clock, london(2026, 11, 30, 18), messenger)
    assert [when for when, _, _ in sent[1:]] == ["Fri 27 Nov 09:00"]


def test_the_dry_run_shows_what_the_snooze_leaves(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    ref = record(core, "@jo Send the chronology by Wed 25 Nov")
    snooze(core, f"{ref} Wed 25 Nov")
    clock.set(london(2026, 11, 24, 9, 30))
    assert [i.step for i in core.chaser.sweep(dry_run=True).items] == ["confirmation"]


def test_remind_me_later_is_offered_only_before_the_deadline_day(core: Core, clock: Clock) -> None:
    ref = record(core, "@jo Send the chronology by Wed 25 Nov")
    action = core.service.get(ref, CHAIR)

    def offered(step: str, moment: tuple[int, ...]) -> bool:
        message = nudge_message(step, action, LONDON, london(*moment))
        return SNOOZE in [b.action_id for b in message.buttons]

    assert offered("confirmation", (2026, 11, 23, 10)) and offered("due_soon", (2026, 11, 24, 9))
    assert not offered("due_today", (2026, 11, 25, 9)) and not offered("overdue", (2026, 11, 26, 9))
    assert not offered("due_soon", (2026, 11, 25, 9))  # the deadline's own day: nothing left to move
