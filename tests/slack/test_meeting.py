"""/meeting start|end|status: participants from the channel, the written summary, owners' DMs at the end."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.actions.service import ConversationRef
from bot.app import Core
from storage.models import MeetingParticipant, Person
from tests.slack.conftest import SlackHarness, state, text_value


@pytest.fixture(autouse=True)
def chair(slack: SlackHarness) -> None:
    """UCHAIR holds the chair role: only chairs, DSLs and admins start meetings."""
    slack.make_chair("UCHAIR")


def participants(core: Core) -> set[str | None]:
    with core.db.reading() as session:
        rows = session.execute(
            select(Person.slack_user_id).join(MeetingParticipant, MeetingParticipant.person_id == Person.id)
        ).all()
        return {r[0] for r in rows}


def test_a_meeting_from_start_to_written_summary(slack: SlackHarness, core: Core) -> None:
    assert slack.command("/meeting", "start Strategy meeting #CR-1042") == (200, "")
    slack.settle()
    [started] = slack.fake.posts_to("C1")
    assert "Meeting \u201cStrategy meeting\u201d started for CR-1042, chaired by Chris Chair." in started.blocks_text()
    # The channel's people (not the bot, not a deactivated account) are the meeting's participants.
    assert participants(core) == {"UCHAIR", "U1", "U2"}

    slack.record("<@U1> Share CAD log by Friday")
    slack.record("<@U2> Book the GP review by 4/12 review 7/12")
    # Confirmations wait for the end of the meeting.
    assert slack.fake.posts_to("U1") == [] and slack.fake.posts_to("U2") == []
    # Participants may see each other's actions from the meeting.
    slack.command("/actions", "all", user="U2")
    slack.settle()
    listed = slack.fake.replies()[-1].blocks_text()
    assert "A-1" in listed and "A-2" in listed

    slack.command("/meeting", "end")
    slack.settle()
    summary = slack.fake.posts_to("C1")[-1].blocks_text()
    assert "Actions agreed at \u201cStrategy meeting\u201d (2)" in summary
    assert "A-1: Share CAD log \u2014 Jo Bloggs, by Fri 27 Nov, 17:00" in summary
    assert "review Mon 7 Dec" in summary and "<@U1>" in summary and "<@U2>" in summary
    # Each owner now has their own actions in writing, with their buttons.
    [jo] = slack.fake.posts_to("U1")
    [sam] = slack.fake.posts_to("U2")
    assert "Your action A-1" in jo.blocks_text() and ("action_done", "A-1") in jo.button_values()
    assert "Your action A-2" in sam.blocks_text() and ("action_more_time", "A-2") in sam.button_values()
    assert core.service.current_meeting(ConversationRef("slack", "C1")) is None


def test_status_and_refusals_are_private(slack: SlackHarness, core: Core) -> None:
    slack.command("/meeting", "status")
    slack.settle()
    assert "No meeting is running here" in slack.fake.replies()[-1].blocks_text()
    slack.command("/meeting", "start Core group")
    slack.settle()
    slack.command("/meeting", "start Another")
    slack.settle()
    assert "is still running here" in slack.fake.replies()[-1].blocks_text()
    slack.command("/meeting", "end", user="U3")
    slack.settle()
    assert "Only the chair (Chris Chair) or a DSL can end this meeting" in slack.fake.replies()[-1].blocks_text()
    slack.command("/meeting", "status", user="U1")
    slack.settle()
    assert "\u201cCore group\u201d is running, chaired by Chris Chair" in slack.fake.replies()[-1].blocks_text()
    assert all(r.params["response_type"] == "ephemeral" for r in slack.fake.replies())
    assert len(slack.fake.posts_to("C1")) == 1  # only the start was public


def test_a_meeting_in_a_group_dm_records_its_members(slack: SlackHarness, core: Core) -> None:
    slack.fake.members["G0GROUPDM"] = ["UCHAIR", "U1", "U2"]
    slack.fake.kinds["G0GROUPDM"] = "mpim"
    slack.command("/meeting", "start Core group", channel="G0GROUPDM")
    slack.settle()
    assert participants(core) == {"UCHAIR", "U1", "U2"}
    assert not any("could not record" in reply.blocks_text() for reply in slack.fake.replies())
    # without the scope (an app installed from an older manifest) Slack refuses, and the chair is told
    slack.fake.scopes.discard("mpim:read")
    slack.command("/meeting", "end", channel="G0GROUPDM")
    slack.settle()
    slack.command("/meeting", "start Second", channel="G0GROUPDM")
    slack.settle()
    assert "could not record this channel's members" in slack.fake.replies()[-1].blocks_text()


def test_a_member_cannot_make_themselves_chair(slack: SlackHarness, core: Core) -> None:
    slack.command("/meeting", "start Strategy meeting", user="U3", channel="C2")
    slack.settle()
    refusal = slack.fake.replies()[-1]
    assert "chair, DSL or admin role" in refusal.blocks_text() and refusal.params["response_type"] == "ephemeral"
    assert core.service.current_meeting(ConversationRef("slack", "C2")) is None
    assert slack.fake.posts_to("C2") == []


def test_a_channel_whose_members_cannot_be_read_still_gets_its_meeting(slack: SlackHarness, core: Core) -> None:
    slack.command("/meeting", "start Review", channel="C7")  # the fake has no members list for C7
    slack.settle()
    assert core.service.current_meeting(ConversationRef("slack", "C7")) is not None
    assert participants(core) == {"UCHAIR"}
    assert any("Participants not recorded" in r.blocks_text() for r in slack.fake.replies())


def test_a_very_large_channel_is_not_recorded_as_participants(slack: SlackHarness, core: Core) -> None:
    slack.fake.members["C8"] = [f"U{n:04d}" for n in range(150)]
    slack.command("/meeting", "start Big one", channel="C8")
    slack.settle()
    assert participants(core) == {"UCHAIR"}
    assert not slack.fake.calls_to("users.info", lambda c: c.params["user"].startswith("U0"))


def test_members_are_read_page_by_page(slack: SlackHarness, core: Core) -> None:
    slack.fake.members["C5"] = ["UCHAIR", "U1", "U2", "U3", "UBOT"]
    slack.fake.page_size = 2
    slack.command("/meeting", "start Paged", channel="C5")
    slack.settle()
    assert participants(core) == {"UCHAIR", "U1", "U2", "U3"}
    pages = slack.fake.calls_to("conversations.members")
    assert [c.params.get("cursor") for c in pages] == [None, "2", "4"]


def test_meeting_messages_use_the_response_url_when_the_bot_is_not_in_the_channel(
    slack: SlackHarness, core: Core
) -> None:
    slack.fake.fail("chat.postMessage", error="not_in_channel", times=None, when=lambda p: p["channel"] == "C6")
    slack.command("/meeting", "start Outside", channel="C6")
    slack.settle()
    assert core.service.current_meeting(ConversationRef("slack", "C6")) is not None
    public = [r for r in slack.fake.replies() if r.params["response_type"] == "in_channel"]
    assert len(public) == 1 and "Meeting \u201cOutside\u201d started" in public[0].blocks_text()


def test_a_strategy_discussion_proposes_its_statutory_steps_and_the_case_has_a_timeline(
    slack: SlackHarness, core: Core
) -> None:
    slack.command("/meeting", "start strategy #CR-1042")
    slack.settle()
    [started] = slack.fake.posts_to("C1")
    assert "Meeting \u201cStrategy discussion\u201d started for CR-1042" in started.blocks_text()
    assert "Type: Strategy discussion (sets off 2 statutory steps" in started.blocks_text()
    slack.command("/meeting", "end")
    slack.settle()
    summary = slack.fake.posts_to("C1")[-1].blocks_text()
    # Mon 23 Nov 2026 + 15 working days
    assert "Hold the initial child protection conference (if section 47 enquiries were started): due Mon 14 Dec" in (
        summary
    )
    [icpc] = [s for s in core.service.meeting_steps(1) if s.task.startswith("Hold the initial")]
    slack.command("/meeting", f"assign {icpc.ref} <@U1>")
    slack.settle()
    assigned = slack.fake.posts_to("C1")[-1].blocks_text()
    assert f"{icpc.ref} owned by Jo Bloggs as A-1" in assigned
    # the meeting is over: the owner's written confirmation goes now, with their buttons
    [confirmation] = slack.fake.posts_to("U1")
    assert "Your action A-1" in confirmation.blocks_text()
    slack.command("/case", "CR-1042", user="U2")  # a participant of the meeting
    slack.settle()
    timeline = slack.fake.replies()[-1]
    assert timeline.params["response_type"] == "ephemeral"
    assert "Timeline of CR-1042" in timeline.blocks_text() and f"{icpc.ref} Hold the initial" in timeline.blocks_text()


def test_start_with_nothing_opens_the_form_with_the_meeting_types(slack: SlackHarness, core: Core) -> None:
    slack.command("/meeting", "start")
    slack.settle()
    form = slack.modal("actionbot_meeting")
    [kind] = [b for b in form["blocks"] if b["block_id"] == "kind"]
    assert [o["value"] for o in kind["element"]["options"]][:3] == ["strategy", "icpc", "rcpc"]
    # a case reference that is not one goes back into the form, and nothing starts
    bad = state(kind={"type": "static_select", "selected_option": None}, case_ref=text_value("CR 1042!"))
    status, body = slack.submit("actionbot_meeting", bad, user="UCHAIR", metadata=form["private_metadata"])
    assert status == 200 and '"kind"' in body and '"case_ref"' in body
    assert core.service.current_meeting(ConversationRef("slack", "C1")) is None
    chosen = state(
        kind={
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "ICPC"}, "value": "icpc"},
        },
        title=text_value(None),
        case_ref=text_value("#cr-1042"),
    )
    assert slack.submit("actionbot_meeting", chosen, user="UCHAIR", metadata=form["private_metadata"])[0] == 200
    slack.settle()
    meeting = core.service.current_meeting(ConversationRef("slack", "C1"))
    assert meeting is not None and (meeting.kind, meeting.title, meeting.case_ref) == (
        "icpc",
        "Initial child protection conference",
        "CR-1042",
    )
    assert participants(core) == {"UCHAIR", "U1", "U2"}
    started = slack.fake.posts_to("C1")[-1].blocks_text()
    assert "Type: Initial child protection conference (sets off 2 statutory steps" in started
