"""The issue's "Done when", tried as a new user would with the fakes: a meeting in a Teams channel records
an action for a Slack user and one for a partner on neither platform; the chase sweep reaches the Slack
user on Slack (the real Slack messenger against the fake Slack Web API) and the partner by email (Graph
sendMail); ``actionbot report drift --format json`` shows both; nothing is sent twice."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from bot.cli import main
from handlers.slack.client import web_client
from handlers.slack.directory import SlackDirectory
from handlers.slack.messenger import SlackMessenger
from tests.conftest import Clock, london
from tests.slack.fake_slack import FakeSlack
from tests.teams.conftest import CHAIR, CHANNEL, Teams
from tests.teams.fakes import card_text

SLACK_TOKEN = "xoxb-1000000001-2000000002-actionbotTestToken"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(SLACK_TOKEN) as fake:
        yield fake


def test_a_teams_meeting_reaches_a_slack_user_on_slack_and_a_partner_by_email(
    teams: Teams, slack: FakeSlack, clock: Clock, cli_url: str
) -> None:
    # the deployment runs both adapters: Slack first, then Teams, then email
    client = web_client(SLACK_TOKEN, slack.api_url)
    teams.core.router.messengers.insert(0, SlackMessenger(client))
    teams.core.commands.add_directory("slack", SlackDirectory(client))

    teams.command(CHAIR, "meeting start Strategy meeting #CR-1042")
    teams.command(CHAIR, "action jo.bloggs@police.example Share the CAD log by Friday")
    teams.command(CHAIR, "action pat.partner@health.example Send the discharge summary by Thursday")
    teams.command(CHAIR, "meeting end")
    jo, pat = teams.actions()
    assert (jo.owner.slack_user_id, jo.owner.teams_object_id) == ("U1", None)  # found in Slack by email
    assert (pat.owner.slack_user_id, pat.owner.teams_object_id, pat.owner.email) == (
        None,
        None,
        "pat.partner@health.example",
    )
    summary = card_text(teams.connector.cards(f"{CHANNEL};messageid=1700000000000")[-1])
    assert summary.startswith("Actions agreed at \u201cStrategy meeting\u201d (2)")

    sent = [(i.recipient, i.step, i.channel) for i in teams.core.chaser.sweep(clock()).items if i.outcome == "sent"]
    assert sorted(sent) == [
        ("Jo Bloggs", "confirmation", "slack"),
        ("pat.partner@health.example", "confirmation", "email"),
    ]
    [dm] = slack.posts_to("U1")
    assert f"Your action A-{jo.id}" in dm.params["text"]
    [mail] = teams.graph.mail
    assert mail.to == "pat.partner@health.example" and mail.subject.startswith(f"Your action A-{pat.id}")

    # the reminders: each once, however often the sweep runs
    clock.set(london(2026, 11, 26, 9))
    teams.core.chaser.sweep(clock())
    teams.core.chaser.sweep(clock())
    assert [c.params["text"] for c in slack.posts_to("U1")][1:] == [f"Reminder: A-{jo.id} is due Fri 27 Nov, 17:00"]
    assert [m.subject for m in teams.graph.mail][1:] == [f"A-{pat.id} is due today at 17:00"]
    # nobody here is reached in Teams: no chat opened, no activity-feed notification
    assert teams.connector.calls_to("POST", r"/v3/conversations") == []
    assert teams.graph.notifications == []

    # the DSL's drift report, from the command line, a week on
    out = io.StringIO()
    assert main(["report", "drift", "--format", "json", "--now", "2026-11-30T10:00:00"], out=out) == 0
    report = json.loads(out.getvalue())
    drifting = {item["ref"]: item for item in report["drifting"]["items"]}
    assert set(drifting) == {f"A-{jo.id}", f"A-{pat.id}"}
    assert drifting[f"A-{jo.id}"]["owner"]["name"] == "Jo Bloggs"
    assert drifting[f"A-{pat.id}"]["owner"]["name"] == "pat.partner@health.example"
    assert all("overdue" in item["reasons"] for item in drifting.values())
    assert report["headline"]["drifting"] == 2

    # still nothing twice: the sweep at the same moment again sends nothing
    posts, mails = len(slack.posts_to("U1")), len(teams.graph.mail)
    teams.core.chaser.sweep(clock())
    assert (len(slack.posts_to("U1")), len(teams.graph.mail)) == (posts, mails)
