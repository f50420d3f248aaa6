"""Hostile and random input to every core entry point: bad input comes back as a message, never as a
crash, and never writes a partial action."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.actions.directory import set_role
from bot.actions.messages import render_text
from bot.actions.people import PersonInput
from bot.actions.service import ConversationRef
from bot.app import Core
from bot.capture.grammar import extract_case_refs
from bot.capture.owners import OwnerRef, parse_owner
from storage.models import Action, ActionEvent

NASTY = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.sampled_from(list("<>@#&;|\"'\\/*-=+\u202e\u200b\x00 \t\nA1")), max_size=200),
    st.sampled_from(
        ["'; DROP TABLE actions; --", "<@U1|<script>alert(1)</script>>", "A-" + "9" * 40, "%s%s%n", "${jndi:x}"]
    ),
)
COMMANDS = st.sampled_from(
    ["action", "actions", "done", "ontrack", "extend", "block", "unblock", "reassign", "cancel", "reopen", "comment",
     "history", "meeting", "help", "nonsense", ""]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(NASTY)
def test_owner_and_case_parsers_never_crash(text: str) -> None:
    owned = parse_owner(text)
    if owned is not None:
        assert owned[0].value
    refs, rest = extract_case_refs(text)
    assert all(ref == ref.upper() for ref in refs) and isinstance(rest, str)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(command=COMMANDS, text=NASTY)
def test_commands_answer_everything_and_write_nothing_partial(core: Core, command: str, text: str) -> None:
    speaker = PersonInput(OwnerRef("slack", "U0FUZZ"))
    outcome = core.commands.run(command, text, speaker, ConversationRef("slack", "C0FUZZ"))
    assert outcome.ok or (outcome.private is not None and outcome.public is None)
    with core.db.reading() as session:
        actions = session.scalar(select(func.count()).select_from(Action)) or 0
        created = (
            session.scalar(select(func.count()).select_from(ActionEvent).where(ActionEvent.kind == "created")) or 0
        )
    assert actions == created  # every action has its created event: nothing half-written


CONTROLS = ["\x00", "\x1b]0;pwned\x07", "\x1b[2J", "\x07", "\u202e", "\u2066", "\x85", "\x7f"]


def test_control_characters_are_refused_at_every_door_with_a_clear_message(core: Core) -> None:
    chair = PersonInput(OwnerRef("slack", "U0CHAIR"))
    set_role(core.db, chair, "chair", now=core.service.clock())
    room = ConversationRef("slack", "C0ROOM")
    ok = core.commands.run("action", "<@U1> Share the CAD log by Friday", chair, room)
    assert ok.ok and ok.action is not None
    ref = ok.action.ref
    for bad in CONTROLS:
        for command, text in (
            ("action", f"<@U1> Share the{bad} CAD log by Friday"),
            ("comment", f"{ref} called{bad} the school"),
            ("block", f"{ref} waiting for{bad} police"),
            ("meeting", f"start Strategy{bad} meeting"),
        ):
            outcome = core.commands.run(command, text, chair, room)
            assert not outcome.ok and outcome.private is not None, (command, repr(bad))
            shown = render_text(outcome.private)
            assert "control character (U+" in shown and bad not in shown, (command, repr(bad))
    assert [e.kind for e in core.service.history(ref, chair)] == ["created"]
    assert core.service.current_meeting(room) is None
    with core.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Action)) == 1


def test_tabs_and_line_breaks_are_not_control_characters_here(core: Core) -> None:
    chair = PersonInput(OwnerRef("slack", "U0CHAIR"))
    outcome = core.commands.run("action", "<@U1> Share the\tCAD log\nwith social care by Friday", chair, None)
    assert outcome.ok and outcome.action is not None and outcome.action.task == "Share the CAD log with social care"


def test_digits_that_int_refuses_are_answered_not_crashed_on(core: Core) -> None:
    """ "²" is a digit to str.isdigit() and not a number to int(): once found by the fuzzer above, in "/done ²"."""
    speaker = PersonInput(OwnerRef("slack", "U0FUZZ"))
    for command, text in [
        ("done", "²"), ("history", "A-²"), ("action", "@jo Visit at ² by Friday"),
        ("action", "@jo Visit in ² days"), ("action", "fix B-1 ² @jo Visit by Friday"),
    ]:  # fmt: skip
        outcome = core.commands.run(command, text, speaker, ConversationRef("slack", "C0FUZZ"))
        assert outcome.private is not None or outcome.public is not None, (command, text)
