"""Hostile and random input to every core entry point: bad input comes back as a message, never as a
crash, and never writes a partial action."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import Core
from bot.grammar import OwnerRef, extract_case_refs, parse_owner
from bot.people import PersonInput
from bot.service import ConversationRef
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
