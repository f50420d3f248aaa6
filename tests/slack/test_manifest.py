"""manifest.yaml against the code: the same slash commands, events and interactivity; the least scopes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt import App

from bot.app import Core
from handlers.slack.app import EVENTS, register
from handlers.slack.client import web_client
from handlers.slack.context import SlackContext
from handlers.slack.directory import SlackDirectory
from handlers.slack.messenger import SlackMessenger
from tests.slack.conftest import SECRET, TOKEN, SlackHarness
from tests.slack.fake_slack import FakeSlack

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yaml"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return data


def declared(manifest: dict[str, Any]) -> set[str]:
    return {c["command"] for c in manifest["features"]["slash_commands"]}


def test_every_registered_command_is_declared_and_vice_versa(
    manifest: dict[str, Any], core: Core, fake_slack: FakeSlack
) -> None:
    client = web_client(TOKEN, fake_slack.api_url)
    app = App(client=client, signing_secret=SECRET, token_verification_enabled=False)
    ctx = SlackContext(core, SlackMessenger(client), SlackDirectory(client), bot_user_id=None)
    assert (
        set(register(app, ctx))
        == declared(manifest)
        == {"/action", "/actions", "/away", "/digest", "/meeting", "/case", "/drift"}
    )


def test_the_running_app_answers_every_declared_command_and_no_other(
    manifest: dict[str, Any], slack: SlackHarness
) -> None:
    for command in sorted(declared(manifest)):
        assert slack.command(command, "status" if command == "/meeting" else "")[0] == 200, command
    assert slack.command("/undeclared", "")[0] == 404
    slack.settle()


def test_events_interactivity_home_and_socket_mode(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == set(EVENTS)
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    # Mentions must arrive as <@U123> ids, not as typed names.
    assert all(c["should_escape"] is True for c in manifest["features"]["slash_commands"])


def test_only_the_scopes_the_features_need(manifest: dict[str, Any]) -> None:
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands",  # slash commands
        "chat:write",  # cards, DMs, chat.update, chat.postEphemeral
        "im:write",  # conversations.open for the drift workbook's DM
        "users:read",  # users.info
        "users:read.email",  # users.lookupByEmail, and emails in users.info
        "channels:read",  # conversations.members (public channels)
        "groups:read",  # conversations.members (private channels)
        "mpim:read",  # conversations.members (group DMs)
        "im:read",  # conversations.members (DMs)
        "files:write",  # the drift workbook
        "files:read",  # a minutes .docx shared with a message the shortcut is used on
    }
    assert "user" not in manifest["oauth_config"]["scopes"]  # no user-token scopes at all


def test_the_message_shortcut_is_declared_as_the_app_handles_it(manifest: dict[str, Any]) -> None:
    from handlers.slack.shortcuts import RECORD_ACTIONS

    [declared_shortcut] = manifest["features"]["shortcuts"]
    assert (declared_shortcut["type"], declared_shortcut["callback_id"]) == ("message", RECORD_ACTIONS)
