"""Changes typed as chairs type them: a reason after a dash, "to" before the new owner."""

from __future__ import annotations

from bot.actions.messages import render_text
from bot.actions.service import ConversationRef
from bot.app import Core
from tests.chasing.hourly import CHAIR

ROOM = ConversationRef("console", "room-1")


def test_a_reason_after_a_dash_is_the_reason_and_not_part_of_the_date(core: Core) -> None:
    recorded = core.commands.run("action", "@jo Share the CAD log by Friday", CHAIR, ROOM)
    assert recorded.action is not None
    ref = recorded.action.ref
    moved = core.commands.run("extend", f"{ref} Friday week - the school is closed", CHAIR, ROOM)
    assert moved.action is not None and moved.action.deadline > recorded.action.deadline
    history = core.commands.run("history", ref, CHAIR, ROOM)
    assert history.private is not None and "the school is closed" in render_text(history.private)
    # a date written with dashes is still one date
    again = core.commands.run("extend", f"{ref} to 18-12-2026 because the GP is away", CHAIR, ROOM)
    assert again.action is not None and again.action.deadline.day == 18


def test_reassign_takes_to_before_the_new_owner(core: Core) -> None:
    recorded = core.commands.run("action", "@jo Share the CAD log by Friday", CHAIR, ROOM)
    assert recorded.action is not None
    moved = core.commands.run("reassign", f"{recorded.action.ref} to @sam because Jo is on leave", CHAIR, ROOM)
    assert moved.action is not None and moved.action.owner.name == "@sam"
