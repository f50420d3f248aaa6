"""``actionbot chase --once --now ...`` as an operator runs it: the real CLI, the real slack_sdk client
configured from the environment, the fake Slack Web API, on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest

from bot.cli import main
from tests.slack.conftest import TOKEN
from tests.slack.fake_slack import FakeSlack


@pytest.fixture
def operator(cli_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> FakeSlack:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    for variable in ("TEAMS_CLIENT_ID", "GRAPH_CLIENT_ID"):
        monkeypatch.delenv(variable, raising=False)
    add = ["action", "add", "--as", "<@UCHAIR>", "--now", "2026-11-23T10:00"]
    assert main([*add, "<@U1> Share the CAD log by Friday"], out=io.StringIO()) == 0
    assert main([*add, "<@U2> Book the health assessment by Thursday"], out=io.StringIO()) == 0
    return fake_slack


def chase(now: str) -> list[str]:
    out = io.StringIO()
    assert main(["chase", "--once", "--now", now], out=out) == 0
    return out.getvalue().splitlines()


def dm_titles(fake: FakeSlack, user: str) -> list[str]:
    return [call.params["text"] for call in fake.posts_to(user)]


def test_each_expected_nudge_is_sent_once_and_a_second_run_sends_nothing(operator: FakeSlack) -> None:
    # Thu 26 Nov 09:05: both written confirmations; Jo's "due soon" (Friday is the next working day);
    # Sam's "due today" (Thursday).
    lines = chase("2026-11-26T09:05")
    assert lines[-1] == "4 sent, 0 unreachable, 0 failed."
    assert dm_titles(operator, "U1") == ["Your action A-1, agreed Mon 23 Nov", "Reminder: A-1 is due Fri 27 Nov, 17:00"]
    assert dm_titles(operator, "U2") == ["Your action A-2, agreed Mon 23 Nov", "A-2 is due today at 17:00"]
    assert chase("2026-11-26T09:05")[-1] == "0 sent, 0 unreachable, 0 failed."
    assert len(operator.calls_to("chat.postMessage")) == 4


def test_a_send_slack_refuses_is_retried_by_a_later_run_and_never_lost(operator: FakeSlack) -> None:
    operator.fail("chat.postMessage", status=500, times=None, when=lambda params: params.get("channel") == "U2")
    lines = chase("2026-11-26T09:05")
    assert lines[-1] == "2 sent, 0 unreachable, 2 failed."
    assert dm_titles(operator, "U2") == []
    operator.heal()
    # Retried once the back-off has passed; what was sent already is not sent again.
    assert chase("2026-11-26T09:40")[-1] == "2 sent, 0 unreachable, 0 failed."
    assert dm_titles(operator, "U2") == ["Your action A-2, agreed Mon 23 Nov", "A-2 is due today at 17:00"]
    assert len(dm_titles(operator, "U1")) == 2
