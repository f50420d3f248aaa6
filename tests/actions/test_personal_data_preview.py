"""Warn mode: a typed action whose task looks like personal data is shown to the chair alone first; nothing
is posted to the room or written to the log until they choose (record anyway, correct it, or discard)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.actions.directory import set_role
from bot.actions.messages import render_text
from bot.actions.service import ConversationRef
from bot.app import Core
from storage.models import Action, ActionEvent
from tests.chasing.hourly import CHAIR

ROOM = ConversationRef("console", "room-1")
WITH_NHS_NUMBER = "@jo Send the discharge summary for NHS 943 476 5919 by Friday"


def _counts(core: Core) -> tuple[int, int]:
    with core.db.reading() as session:
        actions = session.scalar(select(func.count()).select_from(Action)) or 0
        events = session.scalar(select(func.count()).select_from(ActionEvent)) or 0
        return int(actions), int(events)


def test_personal_data_is_previewed_privately_and_recorded_only_when_the_chair_says_so(core: Core) -> None:
    before = _counts(core)
    held = core.commands.run("action", WITH_NHS_NUMBER, CHAIR, ROOM, idempotency_key="t-1")
    assert held.public is None and held.private is not None  # nothing for the room
    shown = render_text(held.private)
    assert held.private.title == "This looks like personal data (B-1): nothing is posted or recorded yet"
    assert "NHS number" in shown and "/action confirm B-1" in shown and "/action discard B-1" in shown
    assert _counts(core) == before  # nothing in the permanent log
    # Slack retrying the same request holds nothing twice
    again = core.commands.run("action", WITH_NHS_NUMBER, CHAIR, ROOM, idempotency_key="t-1")
    assert again.private is not None and "B-1" in again.private.title
    done = core.commands.run("action", "confirm B-1", CHAIR, ROOM)
    assert done.public is not None and done.public.title == "1 action recorded (B-1, checked by the chair)"
    assert _counts(core)[0] == before[0] + 1


def test_the_chair_corrects_it_and_only_the_corrected_task_is_recorded(core: Core) -> None:
    core.commands.run("action", WITH_NHS_NUMBER, CHAIR, ROOM)
    fixed = core.commands.run("action", "fix B-1 1 @jo Send the discharge summary #CR-1042 by Friday", CHAIR, ROOM)
    assert fixed.private is not None and "1 of 1 lines read as actions" in fixed.private.title
    done = core.commands.run("action", "confirm B-1", CHAIR, ROOM)
    [action] = done.recorded
    assert action.task == "Send the discharge summary" and action.case_ref == "CR-1042"
    with core.db.reading() as session:
        tasks = list(session.scalars(select(Action.task)))
    assert tasks == ["Send the discharge summary"]


def test_discarded_it_leaves_nothing(core: Core) -> None:
    before = _counts(core)
    core.commands.run("action", WITH_NHS_NUMBER, CHAIR, ROOM)
    gone = core.commands.run("action", "discard B-1", CHAIR, ROOM)
    assert gone.private is not None and "nothing was recorded" in gone.private.title
    assert _counts(core) == before


def test_an_ordinary_action_is_still_recorded_at_once(core: Core) -> None:
    done = core.commands.run("action", "@jo Send the discharge summary #CR-1042 by Friday", CHAIR, ROOM)
    assert done.public is not None and done.action is not None and done.public.title.startswith("Action A-")


def test_once_recorded_anyway_the_room_is_never_shown_the_task_again(core: Core) -> None:
    set_role(core.db, CHAIR, "chair", now=core.service.clock())
    started = core.commands.run("meeting", "start strategy #CR-1042", CHAIR, ROOM)
    assert started.public is not None
    core.commands.run("action", WITH_NHS_NUMBER, CHAIR, ROOM)
    recorded = core.commands.run("action", "confirm B-1", CHAIR, ROOM)
    [action] = recorded.recorded
    extended = core.commands.run("extend", f"{action.ref} next Friday because the GP is away", CHAIR, ROOM)
    ended = core.commands.run("meeting", "end", CHAIR, ROOM)
    cancelled = core.commands.run("cancel", f"{action.ref} the summary was sent", CHAIR, ROOM)
    for out in (extended, ended, cancelled):
        assert out.public is not None
        shown = render_text(out.public)
        assert "943 476 5919" not in shown and "discharge summary" not in shown
        assert "not shown in the room: it looks like personal data" in shown
    # the chair alone still sees it where they ask for it
    history = core.commands.run("history", action.ref, CHAIR, ROOM)
    assert history.private is not None and "A-1" in render_text(history.private)
    mine = core.commands.run("actions", "all", CHAIR, ROOM)
    assert mine.private is not None
    # a task without personal data is shown as before
    plain = core.commands.run("action", "@sam Visit the family #CR-1042 by Friday", CHAIR, ROOM)
    assert plain.action is not None
    done = core.commands.run("done", f"{plain.action.ref} visited", CHAIR, ROOM)
    assert done.public is not None and "Visit the family" in render_text(done.public)
