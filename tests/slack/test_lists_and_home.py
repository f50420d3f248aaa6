"""/actions (privately, what the caller may see), /away (privately) and the App Home tab."""

from __future__ import annotations

from datetime import date

import pytest

from bot.actions.people import PersonInput
from bot.app import Core
from bot.capture.owners import OwnerRef
from tests.conftest import Clock, london
from tests.slack.conftest import SlackHarness


@pytest.fixture
def two_actions(slack: SlackHarness) -> None:
    slack.record("<@U1> Share CAD log #CR-1042 by Friday")
    slack.record("<@U2> Book the GP review #CR-2000 by 4/12")


def last_reply(slack: SlackHarness) -> str:
    slack.settle()
    reply = slack.fake.replies()[-1]
    assert reply.params["response_type"] == "ephemeral"
    return reply.blocks_text()


@pytest.mark.usefixtures("two_actions")
def test_actions_lists_what_the_caller_may_see(slack: SlackHarness) -> None:
    slack.command("/actions", "", user="U1")
    mine = last_reply(slack)
    assert "Your open actions (1)" in mine and "A-1" in mine and "A-2" not in mine
    slack.command("/actions", "<@U2|sam.patel>")
    theirs = last_reply(slack)
    assert "A-2" in theirs and "A-1" not in theirs
    slack.command("/actions", "#CR-1042")
    assert "A-1" in last_reply(slack)
    slack.command("/actions", "all", user="U3")
    assert "Open actions: none." in last_reply(slack)
    slack.command("/actions", "everything please")
    assert "Use /actions, /actions overdue" in last_reply(slack)


@pytest.mark.usefixtures("two_actions")
def test_actions_overdue(slack: SlackHarness, clock: Clock) -> None:
    clock.set(london(2026, 11, 30, 9))
    slack.command("/actions", "overdue")
    listed = last_reply(slack)
    assert "Overdue actions (1)" in listed and "A-1" in listed and "OVERDUE" in listed


@pytest.mark.usefixtures("two_actions")
def test_app_home_shows_the_callers_open_actions_with_buttons(slack: SlackHarness) -> None:
    assert slack.open_home("U1") == (200, "")
    slack.settle()
    [published] = slack.fake.calls_to("views.publish")
    assert published.params["user_id"] == "U1" and published.params["view"]["type"] == "home"
    shown = published.blocks_text()
    assert "Your open actions* (1)" in shown and "A-1" in shown and "Due Fri 27 Nov, 17:00" in shown
    assert "A-2" not in shown and "Drift" not in shown
    assert ("action_done", "A-1") in published.button_values()


@pytest.mark.usefixtures("two_actions")
def test_app_home_gives_a_dsl_the_drift_headline(slack: SlackHarness, core: Core, clock: Clock) -> None:
    slack.make_dsl("UDSL")
    clock.set(london(2026, 11, 30, 9))
    slack.open_home("UDSL")
    slack.settle()
    shown = slack.fake.calls_to("views.publish")[-1].blocks_text()
    assert "*Drift*" in shown and "1 drifting of 2 open actions" in shown and "1 overdue" in shown
    assert "You have no open actions" in shown


def test_app_home_for_someone_new(slack: SlackHarness) -> None:
    slack.open_home("U3")
    slack.settle()
    assert "You have no open actions" in slack.fake.calls_to("views.publish")[-1].blocks_text()


def test_away_answers_privately_and_sends_reminders_to_the_cover(slack: SlackHarness, core: Core) -> None:
    slack.command("/away", "until Fri 4 Dec cover <@U2|sam.patel>", user="U1")
    told = last_reply(slack)
    assert "You are away until Fri 4 Dec (cover: Sam Patel)" in told
    slack.command("/away", "", user="U1")
    assert "You are away until Fri 4 Dec" in last_reply(slack)
    slack.command("/away", "sometime", user="U1")
    assert "Say until when you are away" in last_reply(slack)
    owner = core.service.person(PersonInput(OwnerRef("slack", "U1")))
    assert owner is not None and owner.away_until == date(2026, 12, 4) and owner.cover_name == "Sam Patel"
