"""An action list in one go, through the real Bolt app with signed requests: a multi-line /action and the
message shortcut "Record actions from this message" show the chair what was read; only confirmed lines are
recorded, each once, and the room gets one summary."""

from __future__ import annotations

import copy
from pathlib import Path

from bot.app import Core
from tests.slack.conftest import SlackHarness, count_actions, payload

FIXTURES = Path(__file__).parents[1] / "capture" / "fixtures"

MINUTES = """Actions agreed:
1. <@U1> Share the CAD log with social care by Friday
2. <@U2> Book the health assessment in 5 working days
3. Sam Lee to send attendance records by 31/02
4. ACTION: "Dr A. Khan (GP)" Send the GP summary by Thursday 24 Dec
"""


def test_a_pasted_list_is_checked_privately_then_recorded_with_one_summary(slack: SlackHarness, core: Core) -> None:
    assert slack.command("/action", MINUTES) == (200, "")
    slack.settle()
    preview = slack.fake.replies()[-1]
    assert preview.params["response_type"] == "ephemeral"
    text = preview.blocks_text()
    assert "3 of 4 lines read as actions (B-1): nothing is recorded yet" in text
    assert "1. Jo Bloggs: Share the CAD log with social care \u2014 by Fri 27 Nov, 17:00" in text
    assert "3. NOT READ: 31/02 is not a real date" in text
    assert count_actions(core) == 0 and slack.fake.posts_to("C1") == []

    slack.command("/action", "fix B-1 3 Sam Lee to send attendance records by next Friday")
    slack.settle()
    assert "4 of 4 lines read as actions (B-1)" in slack.fake.replies()[-1].blocks_text()

    slack.command("/action", "confirm B-1 drop 4")
    slack.settle()
    [summary] = slack.fake.posts_to("C1")  # one message in the room, not a card per action
    assert "3 actions recorded from a list (B-1)" in summary.blocks_text()
    assert "Lines left out: 4." in summary.blocks_text()
    assert count_actions(core) == 3
    # each owner on Slack has their written confirmation
    assert "Your action A-1" in slack.fake.posts_to("U1")[0].blocks_text()

    slack.command("/action", "confirm B-1")  # pressed again: nothing twice
    slack.settle()
    assert "B-1 was already recorded" in slack.fake.replies()[-1].blocks_text()
    assert count_actions(core) == 3


def test_only_the_chair_who_pasted_it_records_it(slack: SlackHarness, core: Core) -> None:
    slack.command("/action", MINUTES)
    slack.settle()
    slack.command("/action", "confirm B-1", user="U3")
    slack.settle()
    assert "Only the person who pasted B-1, or a DSL" in slack.fake.replies()[-1].blocks_text()
    slack.command("/action", "discard B-1")
    slack.settle()
    assert "B-1 discarded: nothing was recorded from it." in slack.fake.replies()[-1].blocks_text()
    assert count_actions(core) == 0


def shortcut(slack: SlackHarness, text: str, trigger: str) -> dict[str, object]:
    data = copy.deepcopy(payload("message_action"))
    data["message"]["text"] = text
    data["trigger_id"] = trigger
    data["response_url"] = slack.fake.response_url(trigger)
    return data


def test_the_message_shortcut_reads_the_messages_list(slack: SlackHarness, core: Core) -> None:
    data = shortcut(
        slack, "\u2022 <@U1> Share the CAD log by Friday\n\u2022 <@U2> Book the health assessment by 4/12", "t-1"
    )
    assert slack.interaction(data) == (200, "")
    assert slack.interaction(data)[0] == 200  # Slack delivers it again: still one list
    slack.settle()
    previews = [r for r in slack.fake.replies() if "lines read as actions" in r.blocks_text()]
    assert len(previews) == 1 and "2 of 2 lines read as actions (B-1)" in previews[0].blocks_text()
    slack.command("/action", "confirm B-1")
    slack.settle()
    assert count_actions(core) == 2
    slack.interaction(shortcut(slack, "", "t-2"))
    slack.settle()
    assert "That message has no text to read actions from." in slack.fake.replies()[-1].blocks_text()


def test_the_shortcut_reads_a_shared_minutes_document(slack: SlackHarness, core: Core) -> None:
    minutes = (FIXTURES / "minutes_libreoffice.docx").read_bytes()
    slack.fake.files["F0MINUTES"] = minutes
    data = shortcut(slack, "Minutes attached", "t-docx")
    files = f"{slack.fake.url}/files-pri/T0TEST-F0MINUTES"
    data["message"]["files"] = [  # type: ignore[index]
        {
            "id": "F0MINUTES",
            "name": "Strategy meeting minutes.docx",
            "filetype": "docx",
            "mimetype": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "size": len(minutes),
            "url_private": f"{files}/strategy_meeting_minutes.docx",
            "url_private_download": f"{files}/download/strategy_meeting_minutes.docx",
        }
    ]
    slack.interaction(data)
    slack.settle()
    preview = slack.fake.replies()[-1].blocks_text()
    assert "2 of 4 lines read as actions (B-1)" in preview
    # "DC Jo Bloggs" is the workspace's Jo Bloggs (found by name in Slack's directory)
    assert (
        "1. Jo Bloggs (jo.bloggs@police.example): Share the CAD log with social care \u2014 by Fri 27 Nov, 17:00"
        in preview
    )
    assert "4. NOT READ: \u201cSocial worker\u201d is a role" in preview
    [download] = slack.fake.calls_to("file_download")
    assert download.headers["authorization"] == f"Bearer {slack.fake.token}"
    assert count_actions(core) == 0

    # an app installed without files:read gets Slack's sign-in page, and says so
    slack.fake.scopes.discard("files:read")
    data["trigger_id"] = "t-docx-2"
    slack.interaction(data)
    slack.settle()
    assert "the app needs the files:read scope" in slack.fake.replies()[-1].blocks_text()
    # a link to anywhere but Slack is never fetched with the token
    data["trigger_id"] = "t-docx-3"
    data["message"]["files"][0]["url_private_download"] = "https://attacker.example/minutes.docx"  # type: ignore[index]
    slack.interaction(data)
    slack.settle()
    assert "not stored in Slack" in slack.fake.replies()[-1].blocks_text()
    assert len(slack.fake.calls_to("file_download", ok=None)) == 2  # the third went nowhere
