"""People mentioned inside a task are written as their names: the task was stored as "Share the log with
<@U0456DEF>" (or a Teams object id), which every card, email, report and the log showed as an id."""

from __future__ import annotations

from bot.actions.directory import update_person
from bot.actions.people import PersonInput
from bot.actions.service import ConversationRef
from bot.app import Core
from bot.capture.owners import OwnerRef
from tests.chasing.hourly import CHAIR

ROOM = ConversationRef("console", "room-1")
SAM_TEAMS = "6f2b8e0e-1111-2222-3333-444455556666"


def _task(core: Core, text: str) -> str:
    out = core.commands.run("action", text, CHAIR, ROOM)
    assert out.action is not None, out
    return out.action.task


def test_a_person_mentioned_in_a_task_is_named(core: Core) -> None:
    now = core.service.clock()
    update_person(core.db, PersonInput(OwnerRef("slack", "U0456DEF")), name="Sam Lee", now=now)
    update_person(core.db, PersonInput(OwnerRef("teams", SAM_TEAMS)), name="Priya Shah", now=now)
    assert _task(core, "@jo Share the CAD log with <@U0456DEF> by Friday") == "Share the CAD log with Sam Lee"
    assert _task(core, f"@jo Call <at>{SAM_TEAMS.upper()}</at> by Friday") == "Call Priya Shah"
    assert _task(core, "@jo Call <at>Sam Lee</at> by Friday") == "Call Sam Lee"  # Teams' own text
    # nobody known, no directory: the mention's label, else no id that nobody can read
    assert _task(core, "@jo Brief <@U0999XYZ|kim> by Friday") == "Brief @kim"
    assert _task(core, "@jo Brief <@U0999XYZ> by Friday") == "Brief a colleague"


def test_a_pasted_list_names_them_too(core: Core) -> None:
    now = core.service.clock()
    update_person(core.db, PersonInput(OwnerRef("slack", "U0456DEF")), name="Sam Lee", now=now)
    held = core.commands.run(
        "action", "1. @jo Brief <@U0456DEF> by Friday\n2. @jo Call the school by Friday", CHAIR, ROOM
    )
    assert held.private is not None
    ref = next(word for word in held.private.title.split() + held.private.text.split() if word.startswith("B-"))
    done = core.commands.run("action", f"confirm {ref.strip('():,')}", CHAIR, ROOM)
    assert [a.task for a in done.recorded] == ["Brief Sam Lee", "Call the school"]
