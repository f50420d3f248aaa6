"""/drift: DSLs get the report privately and the workbook in their DM; everyone else is refused."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import Clock, london
from tests.slack.conftest import SlackHarness


@pytest.fixture
def drifting(slack: SlackHarness, clock: Clock) -> None:
    slack.record("<@U1> Share CAD log #CR-1042 by Friday")
    slack.record("<@U2> Book the GP review #CR-2000 by 4/12")
    clock.set(london(2026, 12, 1, 9))  # A-1 is two working days late


@pytest.mark.usefixtures("drifting")
def test_a_dsl_gets_the_report_and_the_workbook(slack: SlackHarness) -> None:
    slack.make_dsl("UDSL")
    assert slack.command("/drift", "", user="UDSL") == (200, "")
    slack.settle()
    [reply] = slack.fake.replies()
    assert reply.params["response_type"] == "ephemeral"
    shown = reply.blocks_text()
    assert "OFFICIAL-SENSITIVE" in shown and "Drift report: all actions" in shown
    assert "1 of 2 open" in shown and "A-1" in shown and "A-2" not in shown
    [upload] = slack.fake.calls_to("upload")
    workbook = load_workbook(io.BytesIO(upload.params["content"]))
    assert workbook.sheetnames and workbook.worksheets[0]["A1"].value == "OFFICIAL-SENSITIVE"
    [opened] = slack.fake.calls_to("conversations.open")
    assert opened.params["users"] == "UDSL"
    [complete] = slack.fake.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == "DDSL"
    assert complete.params["files"][0]["id"] == upload.params["file_id"]
    assert "OFFICIAL-SENSITIVE" in complete.params["files"][0]["title"]
    getter = slack.fake.calls_to("files.getUploadURLExternal")[0]
    assert getter.params["filename"] == "actionbot-drift-2026-12-01.xlsx"


@pytest.mark.usefixtures("drifting")
def test_the_report_can_be_narrowed_to_a_case(slack: SlackHarness) -> None:
    slack.make_dsl("UDSL")
    slack.command("/drift", "#CR-2000", user="UDSL")
    slack.settle()
    shown = slack.fake.replies()[-1].blocks_text()
    assert "Drift report: case CR-2000" in shown and "0 of 1 open" in shown


@pytest.mark.usefixtures("drifting")
@pytest.mark.parametrize("user", ["UCHAIR", "U1", "U3"])
def test_anyone_else_is_refused_and_nothing_is_built(slack: SlackHarness, user: str) -> None:
    slack.command("/drift", "", user=user)
    slack.settle()
    [reply] = slack.fake.replies()
    assert reply.params["response_type"] == "ephemeral"
    assert "Drift reports are for DSLs and admins. Nothing was produced." in reply.blocks_text()
    assert slack.fake.calls_to("upload") == [] and slack.fake.calls_to("files.getUploadURLExternal") == []


@pytest.mark.usefixtures("drifting")
def test_a_failed_upload_is_told(slack: SlackHarness) -> None:
    slack.make_dsl("UDSL")
    slack.fake.fail("files.completeUploadExternal", error="not_allowed_token_type", times=None)
    slack.command("/drift", "", user="UDSL")
    slack.settle()
    first, second = slack.fake.replies()
    assert "Drift report" in first.blocks_text()
    assert "could not send you the workbook" in second.blocks_text()
