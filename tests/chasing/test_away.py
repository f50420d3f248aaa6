"""Owners on leave: their reminders go to the colleague covering, or wait for their return; escalations
never wait. Whole action lives with a controlled clock, swept every hour, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.actions.people import PersonInput
from bot.actions.service import NotAllowed
from bot.app import Core
from bot.capture.owners import OwnerRef
from storage.models import ActionEvent, Person
from tests.chasing.hourly import CHAIR, DSL, OWNER, record, run_hourly
from tests.conftest import Clock, london
from tests.support import RecordingMessenger

SAM = PersonInput(OwnerRef("handle", "sam"))
ALEX = PersonInput(OwnerRef("handle", "alex"))


def away(core: Core, who: PersonInput, text: str) -> str:
    """``/away TEXT`` typed by ``who``: what they are told (raises nothing; refusals come back as text)."""
    outcome = core.commands.run("away", text, who)
    assert outcome.private is not None
    return "\n".join(filter(None, (outcome.private.title, outcome.private.text)))


def test_with_a_cover_the_owner_reminders_go_to_the_cover_and_come_back_after_leave(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, "@jo Send the chronology by Wed 2 Dec")
    told = away(core, OWNER, "until Fri 4 Dec cover @sam")
    assert told.startswith("You are away until Fri 4 Dec (cover: @sam).")
    sent = run_hourly(core, clock, london(2026, 12, 7, 12), messenger)
    assert sent == [
        ("Mon 23 Nov 10:00", "@jo", f"Your action {ref}, agreed Mon 23 Nov"),  # the written record is the owner's
        ("Tue 01 Dec 09:00", "@sam", f"Reminder: {ref} is due Wed 2 Dec, 17:00"),
        ("Wed 02 Dec 09:00", "@sam", f"{ref} is due today at 17:00"),
        ("Thu 03 Dec 09:00", "@sam", f"{ref} is overdue: it was due Wed 2 Dec, 17:00"),
        ("Mon 07 Dec 09:00", "@chair", f"Escalation: {ref} for @jo is 3 working days overdue"),
        ("Mon 07 Dec 09:00", "@dsl", f"Escalation: {ref} for @jo is 3 working days overdue"),
        ("Mon 07 Dec 09:00", "@jo", f"{ref} is overdue: it was due Wed 2 Dec, 17:00"),  # back from leave
    ]
    to_sam = next(s.message for s in messenger.sent if s.to == "@sam" and s.message is not None)
    assert to_sam.notes[0].startswith("You are covering for @jo, who is away until Fri 4 Dec.")
    with core.db.reading() as session:
        sam_id = session.scalars(select(Person.id).where(Person.handle == "sam")).one()
        jo_id = session.scalars(select(Person.id).where(Person.handle == "jo")).one()
        nudged = [e.details for e in session.scalars(select(ActionEvent).where(ActionEvent.kind == "nudged"))]
    covered = [d for d in nudged if d.get("covering_for") == jo_id]
    assert len(covered) == 3 and {d["recipient_id"] for d in covered} == {sam_id}
    # the history says what went to whom: two escalations are the chair's and the DSL's, not a repeat
    history = core.commands.run("history", ref, CHAIR).private.text.splitlines()  # type: ignore[union-attr]
    assert sum("reminder (overdue) sent to @sam (covering for @jo)" in line for line in history) == 1
    assert sum("escalation sent to @chair" in line for line in history) == 1
    assert sum("escalation sent to @dsl" in line for line in history) == 1


def test_with_nobody_covering_reminders_wait_for_the_return_and_escalations_say_so(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, "@jo Send the chronology by Wed 2 Dec")
    away(core, OWNER, "until Fri 11 Dec")
    sent = run_hourly(core, clock, london(2026, 12, 14, 12), messenger)
    assert sent == [
        ("Mon 23 Nov 10:00", "@jo", f"Your action {ref}, agreed Mon 23 Nov"),
        ("Mon 07 Dec 09:00", "@chair", f"Escalation: {ref} for @jo is 3 working days overdue"),
        ("Mon 07 Dec 09:00", "@dsl", f"Escalation: {ref} for @jo is 3 working days overdue"),
        ("Mon 14 Dec 09:00", "@chair", f"Escalation: {ref} for @jo is 8 working days overdue"),
        ("Mon 14 Dec 09:00", "@dsl", f"Escalation: {ref} for @jo is 8 working days overdue"),
        # one overdue reminder on the first working day back, not the five that fell due while away
        ("Mon 14 Dec 09:00", "@jo", f"{ref} is overdue: it was due Wed 2 Dec, 17:00"),
    ]
    escalation = next(s.message for s in messenger.sent if s.to == "@dsl" and s.message is not None)
    fields = {f.label: f.value for f in escalation.fields}
    assert fields["Owner away"] == "until Fri 11 Dec (nobody covers)"


def test_booked_leave_starts_on_its_first_day_and_a_missed_step_collapses_on_return(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, "@jo Send the chronology by Wed 2 Dec")
    away(core, OWNER, "from Thu 3 Dec until Fri 4 Dec")
    sent = run_hourly(core, clock, london(2026, 12, 7, 12), messenger)
    to_jo = [(when, title) for when, to, title in sent if to == "@jo"]
    assert to_jo == [
        ("Mon 23 Nov 10:00", f"Your action {ref}, agreed Mon 23 Nov"),
        ("Tue 01 Dec 09:00", f"Reminder: {ref} is due Wed 2 Dec, 17:00"),
        ("Wed 02 Dec 09:00", f"{ref} is due today at 17:00"),
        ("Mon 07 Dec 09:00", f"{ref} is overdue: it was due Wed 2 Dec, 17:00"),
    ]


def test_back_early_the_held_reminder_comes_at_once(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    ref = record(core, "@jo Send the chronology by Wed 2 Dec")
    away(core, OWNER, "until Fri 11 Dec")
    run_hourly(core, clock, london(2026, 12, 3, 12), messenger)
    assert [s.to for s in messenger.sent] == ["@jo"]  # only the confirmation
    assert away(core, OWNER, "off").startswith("You are back")
    sent = run_hourly(core, clock, london(2026, 12, 3, 18), messenger)
    assert sent == [("Thu 03 Dec 12:00", "@jo", f"{ref} is overdue: it was due Wed 2 Dec, 17:00")]


def test_a_cover_who_is_away_too_does_not_get_them(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    record(core, "@jo Send the chronology by Wed 2 Dec")
    away(core, OWNER, "until Fri 4 Dec cover @sam")
    away(core, SAM, "until Fri 4 Dec")
    sent = run_hourly(core, clock, london(2026, 12, 4, 18), messenger)
    assert [to for _, to, _ in sent] == ["@jo"]  # the confirmation; the reminders wait for Jo's return


def test_the_cover_may_answer_for_the_owner_only_while_the_leave_lasts(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    first = record(core, "@jo Send the chronology by Wed 2 Dec")
    second = record(core, "@jo Book the interpreter by Fri 18 Dec")
    with pytest.raises(NotAllowed):
        core.service.acknowledge(first, SAM)
    away(core, OWNER, "until Fri 4 Dec cover @sam")
    assert core.service.acknowledge(first, SAM).ref == first
    assert core.service.complete(first, SAM, "sent by Sam for Jo").status == "done"
    with pytest.raises(NotAllowed):
        core.service.complete(second, ALEX)  # covering is Sam's, nobody else's
    clock.set(london(2026, 12, 7, 10))  # Jo is back
    with pytest.raises(NotAllowed):
        core.service.complete(second, SAM)


def test_leave_is_logged_and_only_a_dsl_sets_someone_elses(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    refused = away(core, SAM, "@jo until Fri 4 Dec")
    assert "Only a DSL or an admin" in refused
    assert "away until Fri 4 Dec (cover: @sam)" in away(core, DSL, "@jo until Fri 4 Dec cover @sam")
    assert "is back" in away(core, DSL, "@jo off")
    with core.db.reading() as session:
        events = list(
            session.scalars(
                select(ActionEvent).where(ActionEvent.kind.in_(("away_set", "away_ended"))).order_by(ActionEvent.seq)
            )
        )
        jo = session.scalars(select(Person).where(Person.handle == "jo")).one()
        sam_id = session.scalars(select(Person.id).where(Person.handle == "sam")).one()
        assert (jo.away_until, jo.cover_id) == (None, None)
    assert [e.kind for e in events] == ["away_set", "away_ended"]
    assert events[0].details == {"person_id": jo.id, "from": None, "until": "2026-12-04", "cover_id": sam_id}
    assert events[0].action_id is None and events[0].reason is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "You are not marked as away."),
        ("sometime soon", "Say until when you are away."),
        ("until 1/11", "was "),  # a day-month just passed is a mistake, not next year
        ("until blah", "I could not read a last day"),
        ("until Fri 4 Dec cover @jo", "Name someone else as cover"),
        ("from Fri 11 Dec until Fri 4 Dec", "The first day away is after the last one."),
        ("until 4/12/2028", "up to a year ahead"),
        ("off", "is not marked as away"),
    ],
)
def test_what_away_refuses_and_nothing_is_set(
    core: Core, clock: Clock, messenger: RecordingMessenger, text: str, problem: str
) -> None:
    assert problem in away(core, OWNER, text)
    with core.db.reading() as session:
        assert session.scalars(select(ActionEvent).where(ActionEvent.kind == "away_set")).first() is None


def test_back_on_a_day_means_away_until_the_day_before(core: Core, clock: Clock, messenger: RecordingMessenger) -> None:
    assert away(core, OWNER, "back Mon 7 Dec cover @sam").startswith("You are away until Sun 6 Dec (cover: @sam).")


def test_the_chair_is_told_at_once_when_the_owner_is_away(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    away(core, OWNER, "until Fri 4 Dec")
    outcome = core.commands.run("action", "@jo Send the chronology by Wed 2 Dec", CHAIR)
    assert outcome.private is not None and outcome.public is not None
    assert outcome.private.notes == (
        "@jo is away until Fri 4 Dec (nobody covers): their reminders wait until they are back; escalations to "
        "you and the DSL still go out.",
    )
    assert ("Owner away", "until Fri 4 Dec (nobody covers)") in [(f.label, f.value) for f in outcome.public.fields]
    # leave booked after the deadline is no concern of this action
    away(core, OWNER, "from Mon 21 Dec until Mon 4 Jan")
    later = core.commands.run("action", "@jo Share the minutes by Fri 4 Dec", CHAIR)
    assert later.private is None


def test_the_cover_finds_the_actions_they_cover_under_their_own(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    ref = record(core, "@jo Send the chronology by Wed 2 Dec")
    assert core.commands.run("actions", "", SAM).private.title == "Your open actions: none."  # type: ignore[union-attr]
    away(core, OWNER, "until Fri 4 Dec cover @sam")
    listed = core.commands.run("actions", "", SAM).private  # type: ignore[union-attr]
    assert listed is not None and listed.title == "Your open actions (1)" and ref in (listed.text or "")
    assert [a.ref for a in core.service.list_actions(ALEX, scope="all")] == []  # nobody else
    clock.set(london(2026, 12, 7, 10))  # Jo is back
    assert core.service.list_actions(SAM, scope="mine") == []


def test_a_day_alone_is_asked_about_and_one_day_is_said_with_on(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    assert away(core, OWNER, "tomorrow") == (
        "Away on Tue 24 Nov only, or from now until Tue 24 Nov? Say \u201c/away on Tue 24 Nov\u201d or "
        "\u201c/away until Tue 24 Nov\u201d."
    )
    assert away(core, OWNER, "on Friday cover @sam").startswith("You are away on Fri 27 Nov (cover: @sam).")
    assert away(core, OWNER, "21 Dec - 4 Jan").startswith("You are away from Mon 21 Dec until Mon 4 Jan 2027")
    assert "write @sam, their email address" in away(core, OWNER, "until Friday cover @sam if needed")
    assert away(core, OWNER, "until Friday cover @sam and @alex").startswith("Name one colleague as cover")


def test_a_week_away_and_a_cover_named_as_minutes_write_it(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    """ "/away next week" asked "Away on Fri 4 Dec only, or from now until Fri 4 Dec?" (neither is next week);
    "cover Sam" was refused though /reassign reads a bare name; a cover nobody can reach is refused, since the
    reminders would go to no one (it was set, and a person made up from the name). Mon 23 Nov."""
    record(core, "@sam Send the minutes by Friday")  # Sam is known
    assert away(core, OWNER, "next week").startswith("You are away from Mon 30 Nov until Fri 4 Dec (nobody covers).")
    assert away(core, OWNER, "w/c 7 Dec cover Sam").startswith(
        "You are away from Mon 7 Dec until Fri 11 Dec (cover: @sam)."
    )
    assert away(core, OWNER, "this week").startswith("You are away until Fri 27 Nov")
    assert "that day is a Tuesday, not a Monday" in away(core, OWNER, "w/c 8 Dec")
    refused = away(core, OWNER, "until Friday cover Zed Unknown")
    assert refused.startswith("Zed Unknown cannot be reached by actionbot") and "Nothing was changed." in refused
    assert away(core, OWNER, "").startswith("You are away until Fri 27 Nov (nobody covers).")  # unchanged
    with core.db.reading() as session:
        assert session.scalar(select(Person).where(Person.display_name == "Zed Unknown")) is None
    # two colleagues: one cover ("cover Sam and Kim Lee" was one person of that name, "cover @sam and @kim" unread)
    for two in ("cover Sam and Kim Lee", "cover @sam and @kim", "cover Sam Lee, Kim Lee"):
        assert (
            away(core, OWNER, f"until Friday {two}") == "Name one colleague as cover: their reminders go to one person."
        )


def test_two_dates_joined_by_a_dash_are_the_first_and_last_days_away(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    said = away(core, OWNER, "3/12-4/12 cover @sam")
    assert said.startswith("You are away from Thu 3 Dec until Fri 4 Dec (cover: @sam)."), said
