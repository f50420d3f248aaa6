"""The console adapter drives the real core: what the room, the speaker and each owner would see."""

from __future__ import annotations

import io
from pathlib import Path

from bot.actions.directory import set_role
from bot.actions.people import PersonInput
from bot.app import Core
from bot.capture.owners import OwnerRef
from bot.demo import run_demo
from handlers.console import ConsoleChat, ConsoleMessenger
from tests.conftest import Clock, london


def chat(core: Core, clock: Clock) -> tuple[ConsoleChat, list[str]]:
    lines: list[str] = []
    set_role(core.db, PersonInput(OwnerRef("handle", "chair")), "chair", now=clock())
    core.router.add(ConsoleMessenger(lines.append))
    console = ConsoleChat(
        core.commands, OwnerRef("handle", "chair"), write=lines.append, now=clock(), chaser=core.chaser
    )
    return console, lines


def test_a_meeting_from_start_to_written_summary(core: Core, clock: Clock) -> None:
    console, lines = chat(core, clock)
    console.handle("/meeting start Strategy meeting #CR-1042")
    outcome = console.handle("/action @jo Share the CAD log by Friday review in 2 weeks")
    assert outcome is not None and outcome.action is not None
    assert outcome.action.case_ref == "CR-1042"
    assert "Deadline  Fri 27 Nov, 17:00" in lines[-1] and "Review    Mon 7 Dec" in lines[-1]
    console.handle("/action @sam Send attendance by 25/12")
    assert lines[-1].startswith("[only you, @chair]") and "bank holiday (Christmas Day)" in lines[-1]
    console.handle("/action @evans police checks by Friday")
    end = console.handle("/meeting end")
    assert end is not None and end.public is not None
    assert "A-1: Share the CAD log \u2014 @jo, by Fri 27 Nov, 17:00; review Mon 7 Dec" in (end.public.text or "")
    # A task written as a noun phrase is not turned into a verb ("@evans to police checks").
    assert "A-3: Police checks \u2014 @evans, by Fri 27 Nov, 17:00" in (end.public.text or "")
    confirmations = [line.split("\n")[0] for line in lines if line.startswith("[direct message")]
    assert confirmations == ["[direct message to @jo]", "[direct message to @sam]", "[direct message to @evans]"]
    assert "Your action A-1, agreed Mon 23 Nov" in lines[-3]


def test_errors_go_only_to_the_speaker_and_record_nothing(core: Core, clock: Clock) -> None:
    console, lines = chat(core, clock)
    outcome = console.handle("/action @jo Share CAD log by 31/02")
    assert outcome is not None and not outcome.ok and outcome.public is None
    assert lines[-1].startswith("[only you, @chair]") and "not a real date" in lines[-1]
    console.handle("/actions all")
    assert "Open actions: none." in lines[-1]


def test_owners_act_and_strangers_are_refused(core: Core, clock: Clock) -> None:
    console, lines = chat(core, clock)
    console.handle("/action @jo Share CAD log by Friday")
    console.handle("/as @stranger")
    refused = console.handle("/done A-1")
    assert refused is not None and not refused.ok and "Nothing was changed" in lines[-1]
    console.handle("/as @jo")
    console.handle("/extend A-1 to next Friday because waiting for the log from the control room")
    assert "A-1 extended" in lines[-1] and "Fri 4 Dec, 17:00" in lines[-1]
    console.handle("/extend A-1 to Friday week")
    assert "a reason is required" in lines[-1]
    console.handle("/ontrack A-1")
    assert "on track" in lines[-1]
    console.handle("/history A-1")
    assert "extended" in lines[-1] and "waiting for the log" in lines[-1]
    console.handle("/done A-1 sent")
    console.handle("/actions")
    assert "Your open actions: none." in lines[-1]


def test_the_chair_records_a_review_and_others_may_not(core: Core, clock: Clock) -> None:
    console, lines = chat(core, clock)
    console.handle("/action @jo Attend the core group by 4/12 review 3/12")
    console.handle("/as @stranger")
    refused = console.handle("/reviewed A-1")
    assert refused is not None and not refused.ok and "Nothing was changed" in lines[-1]
    console.handle("/as @jo")
    refused = console.handle("/reviewed A-1")
    assert refused is not None and not refused.ok and "is yours" in lines[-1]
    console.handle("/as @chair")
    console.handle("/reviewed A-1 still the right plan and owner")
    assert "A-1 reviewed" in lines[-1]
    history = core.service.history("A-1", PersonInput(OwnerRef("handle", "chair")))
    assert [(e.kind, e.actor_name, e.reason) for e in history][-1] == (
        "reviewed",
        "@chair",
        "still the right plan and owner",
    )
    console.handle("/help")
    assert "/reviewed A-12 [note]" in lines[-1]


def test_a_member_cannot_make_themselves_chair(core: Core, clock: Clock) -> None:
    console, lines = chat(core, clock)
    console.handle("/as @health.visitor")
    refused = console.handle("/meeting start Strategy meeting")
    assert refused is not None and not refused.ok and "chair, DSL or admin role" in lines[-1]
    assert core.service.current_meeting(console.conversation) is None


def test_console_commands(core: Core, clock: Clock) -> None:
    console, lines = chat(core, clock)
    console.handle("/now 2026-11-27T18:00")
    console.handle("/action @jo x EOD")
    assert "in the past" in lines[-1]
    console.handle("hello")
    assert "Commands start with /" in lines[-1]
    console.handle("/frobnicate")
    assert "I do not know /frobnicate" in lines[-1]
    console.handle("/help")
    assert "/as PERSON" in lines[-1]


def test_demo_runs_on_a_fresh_file(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_demo(tmp_path / "demo.db", out) == 0
    text = out.getvalue()
    # A-4 was cancelled during the meeting: the written summary does not count it as agreed.
    assert "Actions agreed at “Strategy meeting” (5)" in text
    assert "Cancelled (not to be done): A-4" in text
    # It ends with the drift report the DSL receives.
    assert "Weekly drift report: 3 drifting of 4 open actions" in text
    # the strategy discussion set off the ICPC, due 15 working days later and owned by the chair
    assert "S-1 owned by Sarah Patel as A-7" in text and "(Sarah Patel, by Mon 14 Dec, 17:00)" in text
    assert "Statutory timescales: 0 missed, 1 at risk" in text
    assert "1 nudge could not be delivered" in text
    assert "31/02 is not a real date" in text
    assert "audit verify: OK" in text
    # the paediatrician on neither platform: emailed without the task, answers from the page, once
    assert "[email to Dr R. Ahmed] Subject: Your action A-6, agreed Mon 23 Nov" in text
    assert "the page says: Answer recorded. A-6 is recorded as done." in text
    assert "the same link again: You have already answered (409)" in text
    assert "A-6   completed      by Dr R. Ahmed (via email link) - Report sent" in text
    assert "Send the child development centre" not in text.split("[email to Dr R. Ahmed]")[1].split("\n\n")[0]
    # one owner asked to be reminded on Wednesday; another went on leave with a colleague covering
    assert "I will remind you about A-1 Wed 25 Nov, 09:00, and not before." in text
    assert "You are covering for Priya Shah, who is away until Fri 4 Dec." in text
    # the DSL takes a morning digest: Wednesday's two escalations come in one message
    assert "[direct message to Alex Morgan]\n  2 actions need your attention today" in text
    # running it again starts from scratch
    again = io.StringIO()
    run_demo(tmp_path / "demo.db", again)
    assert again.getvalue().count("created") == text.count("created")


def test_london_helper() -> None:
    assert london(2026, 6, 1, 9).hour == 8


def test_a_pasted_list_is_shown_then_recorded_on_confirmation(core: Core, clock: Clock) -> None:
    console, lines = chat(core, clock)
    console.handle("/paste")
    for line in ("Actions agreed:", "1. @jo Share the CAD log by Friday", "2. Sam Lee to send attendance by 31/02"):
        assert console.handle(line) is None
    held = console.handle("")
    assert held is not None and held.private is not None
    assert lines[-1].startswith("[only you, @chair]\n  1 of 2 lines read as actions (B-1): nothing is recorded yet")
    assert "2. NOT READ: 31/02 is not a real date" in lines[-1]
    done = console.handle("/action confirm B-1")
    assert done is not None and done.public is not None and done.public.title == "1 action recorded from a list (B-1)"
