"""Changes typed as chairs type them: a reason after a dash, "to" before the new owner."""

from __future__ import annotations

from bot.actions.messages import render_text
from bot.actions.service import ConversationRef
from bot.app import Core
from tests.chasing.hourly import CHAIR
from tests.conftest import london

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


def test_a_length_of_time_extends_from_the_deadline_it_had(core: Core) -> None:
    """ "/extend A-1 by 2 days" moves the deadline two days later; it never brings it forward to two days from
    today. "in 2 days" still counts from today. The echo says which it was. (Mon 23 Nov 2026, 10:00.)"""
    recorded = core.commands.run("action", "@jo Share the CAD log by next Friday 3pm", CHAIR, ROOM)
    assert recorded.action is not None
    ref = recorded.action.ref
    assert recorded.action.deadline == london(2026, 12, 4, 15, 0)
    cases = [
        ("by 2 days because the GP is away", london(2026, 12, 6, 15, 0), "extended"),
        ("another week because the GP is away", london(2026, 12, 13, 15, 0), "extended"),
        ("by a further 2 working days - the GP is away", london(2026, 12, 15, 15, 0), "extended"),
        ("2 weeks more because the GP is away", london(2026, 12, 29, 15, 0), "extended"),
        ("2 more days because the GP is away", london(2026, 12, 31, 15, 0), "extended"),
        ("in 2 weeks because the GP is away", london(2026, 12, 7, 17, 0), "brought forward"),
    ]
    for phrase, deadline, verb in cases:
        moved = core.commands.run("extend", f"{ref} {phrase}", CHAIR, ROOM)
        assert moved.action is not None and moved.action.deadline == deadline, phrase
        card = render_text(moved.public) if moved.public is not None else ""
        assert f"{ref} {verb}" in card, card
        counted = "is counted from the deadline it had" in card
        assert counted == (not phrase.startswith("in ")), card
    # health notes' "2/52" is two weeks, and the note offers it as written ("in a 2/52" before)
    moved = core.commands.run("extend", f"{ref} 2/52 because the GP is away", CHAIR, ROOM)
    assert moved.action is not None and moved.action.deadline == london(2026, 12, 21, 17, 0)
    assert moved.public is not None and "for that long from today, say \u201cin 2/52\u201d" in render_text(moved.public)
    # "2/12" stays a date (2 Dec, brought forward), never two months more
    moved = core.commands.run("extend", f"{ref} 2/12 because school asked", CHAIR, ROOM)
    assert moved.action is not None and moved.action.deadline == london(2026, 12, 2, 17, 0)


def test_till_is_until_and_a_missing_reason_is_asked_for_not_read_as_a_date(core: Core) -> None:
    """ "/extend A-1 till Monday 30th because ..." was refused as no date; "... because" with nothing after it
    said "I could not read a new deadline in “... because”" instead of asking for the reason."""
    recorded = core.commands.run("action", "@jo Monitor attendance till Friday", CHAIR, ROOM)
    assert recorded.action is not None and recorded.action.deadline == london(2026, 11, 27, 17, 0)
    ref = recorded.action.ref
    missing = core.commands.run("extend", f"{ref} to 12 noon Weds 2nd because", CHAIR, ROOM)
    assert missing.action is None and missing.private is not None
    assert "a reason is required" in render_text(missing.private)
    moved = core.commands.run("extend", f"{ref} till Monday 30th because the GP is away", CHAIR, ROOM)
    assert moved.action is not None and moved.action.deadline == london(2026, 11, 30, 17, 0)


def test_reassigning_to_two_people_is_refused(core: Core) -> None:
    """ "/reassign A-1 @sam and Jo Bloggs" gave it to @sam with "and Jo Bloggs because ..." as the reason; "Jo
    Bloggs and Sam Lee" made one person of that name the owner, whom nobody could reach."""
    recorded = core.commands.run("action", "@jo Share the CAD log by Friday", CHAIR, ROOM)
    assert recorded.action is not None
    ref = recorded.action.ref
    either = ("Jo Bloggs or Sam Lee", "Jo Bloggs (or Sam Lee)", "either Jo Bloggs or Kim Ray", "@sam or @kim")
    for owners in ("@sam and Jo Bloggs", "Jo Bloggs and Sam Lee", "Sam Lee, Jo Bloggs", "jo bloggs & sam lee", *either):
        refused = core.commands.run("reassign", f"{ref} {owners} because Jo is on leave", CHAIR, ROOM)
        assert refused.action is None and refused.private is not None, owners
        assert "One owner per action" in render_text(refused.private), owners
    assert core.service.get(ref, CHAIR).owner.name == "@jo"
    # a reason after a comma, or people named in the reason, are not a second owner
    moved = core.commands.run("reassign", f"{ref} @sam, Jo is on leave", CHAIR, ROOM)
    assert moved.action is not None and moved.action.owner.name == "@sam"
    again = core.commands.run("reassign", f"{ref} @kim because Sam and Jo are away", CHAIR, ROOM)
    assert again.action is not None and again.action.owner.name == "@kim"
    # "or" inside a name is no joiner: Lee Orr is one person
    named = core.commands.run("reassign", f"{ref} Lee Orr because Kim is away", CHAIR, ROOM)
    assert named.action is not None and named.action.owner.name == "Lee Orr"


def test_reassigning_to_a_role_or_an_organisation_is_refused(core: Core) -> None:
    """ "/reassign A-1 Riverside Surgery because ..." made the surgery the owner, a person nobody can chase."""
    recorded = core.commands.run("action", "@jo Share the CAD log by Friday", CHAIR, ROOM)
    assert recorded.action is not None
    ref = recorded.action.ref
    for owner, said in (
        ("Riverside Surgery", "\u201cRiverside Surgery\u201d is an organisation, not a person"),
        ("health visitor", "\u201chealth visitor\u201d is a role, not a person"),
        ('"Social worker"', "\u201cSocial worker\u201d is a role, not a person"),
    ):
        refused = core.commands.run("reassign", f"{ref} {owner} because she visits weekly", CHAIR, ROOM)
        assert refused.action is None and refused.private is not None
        assert said in render_text(refused.private), owner
    assert core.service.get(ref, CHAIR).owner.name == "@jo"


def test_actions_lists_a_case_or_a_person_as_chairs_type_them(core: Core) -> None:
    """ "/actions CR-1042" (no "#") and "/actions Jo Bloggs" were refused with the usage."""
    core.commands.run("action", '"Jo Bloggs" Share the CAD log #CR-1042 by Friday', CHAIR, ROOM)
    core.commands.run("action", "@sam Visit the family by Friday", CHAIR, ROOM)
    for text in ("CR-1042", "cr-1042", "#CR-1042", "Jo Bloggs", "Bloggs"):
        listed = core.commands.run("actions", text, CHAIR, ROOM)
        assert listed.private is not None and listed.private.title == "Open actions (1)", text
        assert "Share the CAD log" in (listed.private.text or ""), text
    nobody = core.commands.run("actions", "Nobody Known", CHAIR, ROOM)
    assert nobody.private is not None
    assert render_text(nobody.private).startswith("Nobody known is called \u201cNobody Known\u201d. Use /actions")


def test_a_new_deadline_not_read_shows_how_to_extend_not_how_to_record(core: Core) -> None:
    """ "/extend A-1 by the blue moon because ..." answered with "Example: /action @jo.bloggs Share the CAD
    log ...", a command for something else; the example is /extend's own, and nothing moves."""
    recorded = core.commands.run("action", "@jo Share the CAD log by Friday", CHAIR, ROOM)
    assert recorded.action is not None
    for phrase in ("by the blue moon", "by 31/02", "by 7.30 Friday"):
        refused = core.commands.run("extend", f"{recorded.action.ref} {phrase} because the GP is away", CHAIR, ROOM)
        assert refused.action is None and refused.private is not None
        shown = render_text(refused.private)
        assert "Example: /extend A-12 Friday week because the school is closed" in shown
        assert "/action" not in shown
    assert core.service.get(recorded.action.ref, CHAIR).deadline == recorded.action.deadline


def test_extending_until_the_weekday_that_is_today_is_asked_not_brought_forward(core: Core) -> None:
    """ "/extend A-1 until Monday" said on a Monday read Monday as today and moved a Friday deadline forward to
    17:00 that day; it is asked about, and "next Monday" extends. (Mon 23 Nov 2026, 10:00.)"""
    recorded = core.commands.run("action", "@jo Share the CAD log by Friday", CHAIR, ROOM)
    assert recorded.action is not None and recorded.action.deadline == london(2026, 11, 27, 17, 0)
    ref = recorded.action.ref
    asked = core.commands.run("extend", f"{ref} until Monday because the GP is away", CHAIR, ROOM)
    assert asked.action is None and asked.private is not None
    assert "\u201cMonday\u201d is today, Mon 23 Nov, 17:00, which would bring the deadline forward" in render_text(
        asked.private
    )
    assert core.service.get(ref, CHAIR).deadline == london(2026, 11, 27, 17, 0)
    moved = core.commands.run("extend", f"{ref} next Monday because the GP is away", CHAIR, ROOM)
    assert moved.action is not None and moved.action.deadline == london(2026, 11, 30, 17, 0)


def test_a_reason_after_a_comma_in_brackets_or_because_of_is_the_reason_as_said(core: Core) -> None:
    """ "/extend A-1 Monday 21st, mum ill" and "23/12 (mum ill)" were refused as unreadable dates; "because of
    snow" and "due to illness" were logged as "of snow" or refused; "/reassign A-1 Jo Bloggs, back from leave"
    was "Say who takes it over"; a reason in brackets kept them in the log. (Mon 23 Nov 2026, 10:00.)"""
    recorded = core.commands.run("action", "@jo Share the CAD log by Friday", CHAIR, ROOM)
    assert recorded.action is not None
    ref = recorded.action.ref
    for phrase, day in (
        ("Monday 30th, mum ill", 30),
        ("2/12 (school closed)", 2),
        ("3/12 because of snow", 3),
        ("4/12 due to illness", 4),
    ):
        moved = core.commands.run("extend", f"{ref} {phrase}", CHAIR, ROOM)
        assert moved.action is not None and moved.action.deadline.day == day, phrase
    # the whole reads as a date: no reason is taken from it, and one is asked for
    asked = core.commands.run("extend", f"{ref} Monday 7 December, 10am", CHAIR, ROOM)
    assert asked.private is not None and "a reason is required" in render_text(asked.private)
    core.commands.run("reassign", f"{ref} @sam (Jo on leave)", CHAIR, ROOM)
    back = core.commands.run("reassign", f"{ref} Jo Bloggs, back from leave", CHAIR, ROOM)
    assert back.action is not None and back.action.owner.name == "Jo Bloggs"
    history = core.commands.run("history", ref, CHAIR, ROOM)
    assert history.private is not None
    lines = render_text(history.private)
    for said in (": mum ill", ": school closed", ": snow", ": illness", ": Jo on leave", ": back from leave"):
        assert said in lines, (said, lines)
    assert ": of snow" not in lines and "(Jo on leave)" not in lines
