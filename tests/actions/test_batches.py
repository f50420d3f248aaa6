"""A pasted action list on SQLite and PostgreSQL: held until its chair confirms, read as of the paste, each
confirmed line recorded once (its own request key), and the list's text cleared once decided."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.actions.people import PersonInput
from bot.actions.service import ConversationRef, InvalidChange, NotAllowed
from bot.app import Core
from bot.capture.owners import OwnerRef
from storage.models import Action, ActionBatch
from tests.conftest import Clock, london

CHAIR = PersonInput(OwnerRef("handle", "chair"))
OTHER = PersonInput(OwnerRef("handle", "someone.else"))
ROOM = ConversationRef("console", "room")
OWNERS = ["jo", "sam", "priya", "alex", "kim"]
TASKS = ["Share the CAD log", "Book the health assessment", "Send attendance records", "Visit the family"]
WHEN = ["by Friday", "in 5 working days", "by 4/12", "by next Friday", "by end of month"]


def twenty_lines() -> str:
    lines = ["Actions agreed at the strategy meeting:"]
    for n in range(1, 21):
        owner, task, when = OWNERS[n % 5], TASKS[n % 4], WHEN[n % 5]
        lines.append(f"{n}. @{owner} {task} #CR-1042 {when}")
    lines[7] = "7. The school to send the register by Friday"  # a role, not a person: not read
    lines[12] = "12) @kim Book the room by 31/02"  # not a real date: not read
    return "\n".join(lines)


def actions(core: Core) -> list[Action]:
    with core.db.reading() as session:
        return list(session.scalars(select(Action).order_by(Action.id)).unique())


def test_a_twenty_line_list_records_only_the_confirmed_lines_once(core: Core, clock: Clock) -> None:
    held = core.commands.run("action", twenty_lines(), CHAIR, ROOM, idempotency_key="paste-1")
    assert held.private is not None and held.public is None
    assert held.private.title == "18 of 20 lines read as actions (B-1): nothing is recorded yet"
    text = held.private.text or ""
    assert "7. NOT READ:" in text
    assert "12. NOT READ: 31/02 is not a real date" in text
    assert actions(core) == []
    # the same request again (a retry) is the same list, not a second one
    again = core.commands.run("action", twenty_lines(), CHAIR, ROOM, idempotency_key="paste-1")
    assert again.private is not None and again.private.title == held.private.title
    clock.advance(minutes=20)  # read as of the paste: "by Friday" is still the Friday the chair saw
    done = core.commands.run("action", "confirm B-1 drop 2, 5", CHAIR, ROOM)
    assert done.public is not None and done.public.title == "16 actions recorded from a list (B-1)"
    assert "Lines left out: 2, 5, 7, 12." in done.public.notes
    recorded = actions(core)
    assert len(recorded) == 16 and {a.case_ref for a in recorded} == {"CR-1042"}
    # line 1, "in 5 working days" from Mon 23 Nov
    assert recorded[0].task == "Book the health assessment" and recorded[0].deadline == london(2026, 11, 30, 17)
    with core.db.reading() as session:
        batch = session.scalars(select(ActionBatch)).one()
        assert (batch.status, batch.lines) == ("recorded", None)  # the pasted text is not kept
        assert session.scalar(select(func.count()).select_from(ActionBatch)) == 1


def test_a_crash_after_some_lines_records_nothing_twice(core: Core) -> None:
    core.commands.run("action", "@jo Share the CAD log by Friday\n@sam Visit by Monday", CHAIR, ROOM)
    batch = core.service.pending_batch("B-1", CHAIR)
    first = batch.lines[0].draft
    assert first is not None
    # the first line was recorded, then the process died before the list was closed
    core.service.record(first, CHAIR, conversation=ROOM, idempotency_key=f"{batch.key}#1")
    core.commands.run("action", "confirm B-1", CHAIR, ROOM)
    assert [a.task for a in actions(core)] == ["Share the CAD log", "Visit"]


def test_fixing_discarding_and_who_may(core: Core) -> None:
    core.commands.run("action", "@jo Share the CAD log by 31/02\n@sam Visit by Monday", CHAIR, ROOM)
    with pytest.raises(NotAllowed):
        core.service.pending_batch("B-1", OTHER)
    with pytest.raises(InvalidChange, match="no line 3"):
        core.service.fix_batch_line("B-1", 3, "@kim x by Friday", CHAIR)
    fixed = core.service.fix_batch_line("B-1", 1, "@jo Share the CAD log by 4/12", CHAIR)
    assert [line.problem for line in fixed.lines] == [None, None]
    refused = core.commands.run("action", "confirm B-1", OTHER, ROOM)
    assert not refused.ok and actions(core) == []
    core.commands.run("action", "discard B-1", CHAIR, ROOM)
    late = core.commands.run("action", "confirm B-1", CHAIR, ROOM)
    assert not late.ok and late.private is not None and "already discarded" in late.private.title
    assert actions(core) == []


def test_a_list_is_offered_for_a_day(core: Core, clock: Clock) -> None:
    core.commands.run("action", "@jo Share the CAD log by Friday\n@sam Visit by Monday", CHAIR, ROOM)
    clock.advance(hours=25)
    late = core.commands.run("action", "confirm B-1", CHAIR, ROOM)
    assert late.private is not None and "more than 24 hours ago" in late.private.title
    assert actions(core) == []
    # the hourly prune clears the text nobody recorded
    assert core.service.expire_batches() == 1 and core.service.expire_batches() == 0
    with core.db.reading() as session:
        batch = session.scalars(select(ActionBatch)).one()
        assert (batch.status, batch.lines) == ("expired", None)


def test_a_table_pasted_with_tabs_is_held_row_by_row(core: Core) -> None:
    """A minutes table copied from Word: each row one line, a "By when" of "Ongoing" refused by name."""
    table = (
        "Action\tOwner\tBy when\n"
        "Share the CAD log\t@jo\t27/11/2026\n"
        "Visit the family weekly\t@sam\tOngoing\n"
        "Book the health assessment\t@priya\tw/c 30/11\n"
    )
    held = core.commands.run("action", table, CHAIR, ROOM, idempotency_key="table-1")
    assert (
        held.private is not None and held.private.title == "2 of 3 lines read as actions (B-1): nothing is recorded yet"
    )
    text = held.private.text or ""
    assert "2. NOT READ: \u201cby Ongoing\u201d is not a date: an action is chased to a deadline" in text
    done = core.commands.run("action", "confirm B-1", CHAIR, ROOM)
    assert done.public is not None and done.public.title == "2 actions recorded from a list (B-1)"
    recorded = actions(core)
    assert [(a.task, a.deadline) for a in recorded] == [
        ("Share the CAD log", london(2026, 11, 27, 17)),
        ("Book the health assessment", london(2026, 12, 4, 17)),
    ]
