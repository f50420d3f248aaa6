"""Members of a Slack Connect channel from another organisation, through the real Bolt app and slack_sdk against
the fake Web API, with a real SMTP relay (STARTTLS, AUTH) as the email transport: a member the bot may DM gets a
DM; one Slack refuses a DM for, with a documented error, gets the email instead; the chair is told once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Core
from bot.compose import messengers_from_env
from bot.config import load_settings
from handlers.email.smtp import SmtpMessenger
from handlers.slack.directory import Home, profile_of
from handlers.slack.main import add_email
from handlers.slack.messenger import SlackMessenger, fall_back_to_email
from storage.models import Nudge, Person
from tests.email.fake_smtp import PASSWORD, SENDER, USER, RelayServer
from tests.slack.conftest import TOKEN, SlackHarness
from tests.slack.fake_slack import FakeSlack

EXTERNAL_EMAIL = "eve.external@police.example"
ELSEWHERE = "Eve External is in another organisation"
SMTP = {
    "ACTIONBOT_EMAIL": "smtp",
    "MAIL_SENDER": SENDER,
    "ACTIONBOT_SMTP_HOST": "send.nhs.net",
    "ACTIONBOT_SMTP_USER": USER,
    "ACTIONBOT_SMTP_PASSWORD": PASSWORD,
}


def external_member(**extra: Any) -> dict[str, Any]:
    """users.info for a Slack Connect member: their own organisation's team id, not the bot's (T0TEST)."""
    return {
        "id": "UEXT",
        "team_id": "T0POLICE",
        "name": "eve.external",
        "deleted": False,
        "real_name": "Eve External",
        "tz": "Europe/London",
        "is_bot": False,
        "profile": {"real_name": "Eve External", "display_name": "eve", "email": EXTERNAL_EMAIL},
        **extra,
    }


@pytest.fixture
def connect(slack: SlackHarness, relay: RelayServer) -> SlackHarness:
    """The running app with Eve in the shared channel C1, and the SMTP relay as the email transport, wired as
    ``actionbot serve slack`` wires it (the Slack messenger falls back to it)."""
    slack.fake.users["UEXT"] = external_member()
    slack.fake.members["C1"].append("UEXT")
    email = SmtpMessenger(
        "127.0.0.1", relay.port, SENDER, user=USER, password=PASSWORD, timeout=10, ssl_context=relay.client_tls()
    )
    slack.core.router.add(email)
    fall_back_to_email(slack.core.router.messengers)
    return slack


def confirmations(core: Core) -> list[Nudge]:
    with core.db.reading() as session:
        rows = list(session.scalars(select(Nudge).where(Nudge.step == "confirmation")))
        session.expunge_all()
        return rows


def eve(core: Core) -> Person:
    with core.db.reading() as session:
        found = session.scalars(select(Person).where(Person.slack_user_id == "UEXT")).one()
        session.expunge_all()
        return found


def chair_replies(slack: SlackHarness) -> list[str]:
    return [reply.blocks_text() for reply in slack.fake.replies() if ELSEWHERE in reply.blocks_text()]


@pytest.mark.parametrize("code", ["channel_not_found", "user_not_visible", "restricted_action"])
def test_a_member_slack_will_not_let_the_bot_dm_is_emailed(
    connect: SlackHarness, relay: RelayServer, code: str
) -> None:
    connect.fake.fail("chat.postMessage", error=code, times=None, when=lambda params: params.get("channel") == "UEXT")
    connect.record("<@UEXT> Share the CAD log by Friday")
    connect.settle()
    assert eve(connect.core).outside_org is True
    [told] = chair_replies(connect)
    assert "tries Slack first" in told and EXTERNAL_EMAIL in told

    [row] = confirmations(connect.core)
    assert (row.status, row.channel) == ("sent", "email")
    assert len(connect.fake.calls_to("chat.postMessage", lambda c: c.params.get("channel") == "UEXT", ok=False)) == 1
    [mail] = relay.relay.to(EXTERNAL_EMAIL)
    assert "Your action A-1" in mail.mail["Subject"]
    assert len(chair_replies(connect)) == 1  # told once


def test_a_member_the_bot_may_dm_gets_the_dm_and_no_email(connect: SlackHarness, relay: RelayServer) -> None:
    connect.record("<@UEXT> Share the CAD log by Friday")
    connect.settle()
    assert eve(connect.core).outside_org is True
    assert len(chair_replies(connect)) == 1
    [row] = confirmations(connect.core)
    assert (row.status, row.channel) == ("sent", "slack")
    [dm] = connect.fake.posts_to("UEXT")
    assert "Your action A-1" in dm.blocks_text()
    assert relay.relay.received == []


def test_a_refusal_that_is_not_about_the_person_is_not_hidden_by_email(
    connect: SlackHarness, relay: RelayServer
) -> None:
    # the app's Messages tab is off: every DM fails, and an operator must see it (the nudge is stuck), not email
    when = lambda params: params.get("channel") == "UEXT"  # noqa: E731
    connect.fake.fail("chat.postMessage", error="messages_tab_disabled", times=None, when=when)
    connect.record("<@UEXT> Share the CAD log by Friday")
    connect.settle()
    [row] = confirmations(connect.core)
    assert (
        row.status == "pending"
        and row.stuck
        and row.last_error == "slack chat.postMessage failed: messages_tab_disabled"
    )
    assert relay.relay.received == []


def test_members_of_our_own_organisation_are_inside(fake_slack: FakeSlack) -> None:
    home = Home("T0TEST", "E0COUNCIL")
    assert profile_of(fake_slack.users["U1"], home).outside is False
    assert profile_of(external_member(), home).outside is True
    assert profile_of(external_member(is_stranger=True, team_id="T0TEST"), home).outside is True
    # another workspace of our own Enterprise Grid organisation is not another organisation
    grid = external_member(enterprise_user={"enterprise_id": "E0COUNCIL"})
    assert profile_of(grid, home).outside is False
    assert profile_of(external_member(), Home()).outside is None  # auth.test not known: cannot tell


def test_the_chosen_email_transport_is_the_slack_messengers_fallback(core: Core, fake_slack: FakeSlack) -> None:
    environ = {**SMTP, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": fake_slack.api_url}
    slack, email = messengers_from_env(environ)  # actionbot chase / scheduler
    assert isinstance(slack, SlackMessenger) and isinstance(email, SmtpMessenger) and slack.fallback is email

    served = SlackMessenger(slack.client)  # actionbot serve slack: the app's messenger, then add_email
    core.router.add(served)
    core.settings = load_settings(environ)
    add_email(core, environ)
    assert served.fallback is core.router.messengers[1] and isinstance(served.fallback, SmtpMessenger)
