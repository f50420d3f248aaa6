"""SlackMessenger and SlackDirectory with the real slack_sdk WebClient against the fake Web API."""

from __future__ import annotations

import time

import pytest

from bot.actions.messages import Button, Field, Message
from bot.actions.ports import DeliveryError
from bot.actions.records import PersonView
from bot.chasing.pacing import SendLimits
from bot.config import ConfigError
from handlers.slack.client import web_client
from handlers.slack.directory import SlackDirectory
from handlers.slack.messenger import SlackMessenger, slack_messenger_from_env
from tests.slack.conftest import TOKEN
from tests.slack.fake_slack import FakeSlack

PROXY = "http://proxy.council.example/api/"
CARD = Message(
    title="Your action A-7, agreed Mon 23 Nov",
    fields=(Field("Task", "Share the CAD log"),),
    buttons=(Button("action_done", "Done", "A-7", "primary"),),
)


def person(uid: str | None = "U1", name: str = "Jo Bloggs") -> PersonView:
    return PersonView(1, name, "jo@police.example", None, uid, None, None, "member", None, True)


@pytest.fixture
def messenger(fake_slack: FakeSlack) -> SlackMessenger:
    return SlackMessenger(web_client(TOKEN, fake_slack.api_url))


@pytest.fixture
def stopped() -> FakeSlack:
    """A fake that is no longer listening: its port refuses connections."""
    fake = FakeSlack(TOKEN)
    fake.__enter__()
    fake.stop()
    return fake


def test_direct_message_and_update(messenger: SlackMessenger, fake_slack: FakeSlack) -> None:
    assert messenger.can_reach(person()) and not messenger.can_reach(person(None))
    delivered = messenger.send_direct(person(), CARD)
    channel, ts = delivered.ref.split(":")
    assert delivered.channel == "slack" and channel == "D1"
    [sent] = fake_slack.posts_to("U1")
    assert sent.params["text"] == CARD.title and ("action_done", "A-7") in sent.button_values()
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    messenger.update(delivered.ref, Message(title="A-7 done"))
    [update] = fake_slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("D1", ts)
    assert "A-7 done" in update.blocks_text()


def test_a_short_rate_limit_is_waited_out(messenger: SlackMessenger, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", status=429, retry_after=0, times=2)
    assert messenger.post_to_conversation("C1", CARD).ref.startswith("C1:")
    assert len(fake_slack.calls_to("chat.postMessage", ok=False)) == 2


def test_a_long_rate_limit_is_handed_back_to_the_outbox(messenger: SlackMessenger, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", status=429, retry_after=120, times=1)
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        messenger.post_to_conversation("C1", CARD)
    assert time.monotonic() - started < 5  # not slept through
    assert caught.value.retry_after == 120 and not caught.value.permanent
    assert str(caught.value) == "slack chat.postMessage failed: ratelimited"


@pytest.mark.parametrize("code", ["user_not_found", "account_inactive", "invalid_auth", "channel_not_found"])
def test_permanent_errors(messenger: SlackMessenger, fake_slack: FakeSlack, code: str) -> None:
    fake_slack.fail("chat.postMessage", error=code)
    with pytest.raises(DeliveryError) as caught:
        messenger.send_direct(person(), CARD)
    assert caught.value.permanent and caught.value.retry_after is None
    # No message text nor personal data in what goes to the operator log.
    assert str(caught.value) == f"slack chat.postMessage failed: {code}"


def test_a_deactivated_user_is_a_permanent_failure(messenger: SlackMessenger) -> None:
    with pytest.raises(DeliveryError) as caught:
        messenger.send_direct(person("UGONE", "Left Org"), CARD)
    assert caught.value.permanent and "Left Org" not in str(caught.value)


def test_server_errors_are_retried_then_transient(messenger: SlackMessenger, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", status=500, times=1)
    assert messenger.post_to_conversation("C1", CARD).ref.startswith("C1:")
    fake_slack.fail("chat.postMessage", status=503, times=None)
    with pytest.raises(DeliveryError) as caught:
        messenger.post_to_conversation("C1", CARD)
    assert not caught.value.permanent


def test_a_proxy_s_error_page_is_never_quoted_as_a_slack_error_code(
    messenger: SlackMessenger, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", status=500, times=None)  # its body is an HTML page, not Slack's JSON
    with pytest.raises(DeliveryError) as caught:
        messenger.post_to_conversation("C1", CARD)
    assert str(caught.value) == "slack chat.postMessage failed: http_500"
    assert "html" not in str(caught.value).lower()


def test_an_unreachable_slack_is_a_transient_failure(stopped: FakeSlack) -> None:
    messenger = SlackMessenger(web_client(TOKEN, stopped.api_url))
    with pytest.raises(DeliveryError) as caught:
        messenger.send_direct(person(), CARD)
    assert not caught.value.permanent and str(caught.value).startswith("slack chat.postMessage failed:")


def test_file_upload_to_a_dm(messenger: SlackMessenger, fake_slack: FakeSlack) -> None:
    channel = messenger.open_dm("UDSL")
    messenger.upload(channel, "drift.xlsx", b"PK\x03\x04 workbook", "Drift report", "Your report")
    [upload] = fake_slack.calls_to("upload")
    assert upload.params["content"] == b"PK\x03\x04 workbook"
    [complete] = fake_slack.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == "DDSL" and complete.params["files"][0]["id"] == upload.params["file_id"]


def test_messenger_from_env(fake_slack: FakeSlack) -> None:
    messenger = slack_messenger_from_env({"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": fake_slack.api_url.rstrip("/")})
    assert messenger.send_direct(person(), CARD).ref.startswith("D1:")


def test_the_workspace_pace_comes_from_the_environment(fake_slack: FakeSlack) -> None:
    environ = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": fake_slack.api_url}
    assert slack_messenger_from_env(environ).limits == SendLimits(per_minute=540, gap_seconds=1.0, in_flight=16)
    paced = slack_messenger_from_env({**environ, "ACTIONBOT_SLACK_POSTS_PER_MINUTE": "1200"})
    assert paced.limits.per_minute == 1080  # 90%: the rest is for what requests post at once
    for bad in ("fast", "0", "-5"):
        with pytest.raises(ConfigError, match="ACTIONBOT_SLACK_POSTS_PER_MINUTE must be a number"):
            slack_messenger_from_env({**environ, "ACTIONBOT_SLACK_POSTS_PER_MINUTE": bad})


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token-0000000"}, "SLACK_BOT_TOKEN is malformed"),
        ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": "ftp://slack.example/api"}, "SLACK_API_URL is malformed"),
        (
            {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": "http://proxy.council.example/api/"},
            "SLACK_API_URL must use https",
        ),
    ],
)
def test_messenger_from_env_refuses_bad_settings(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable) as caught:
        slack_messenger_from_env(environ)
    assert "xoxp-user-token" not in str(caught.value)


# -- the directory ----------------------------------------------------------------------------------
def test_directory_profiles_and_cache(fake_slack: FakeSlack) -> None:
    directory = SlackDirectory(web_client(TOKEN, fake_slack.api_url))
    jo = directory.profile("U1")
    assert jo is not None
    assert (jo.display_name, jo.email, jo.timezone, jo.slack_user_id, jo.handle) == (
        "Jo Bloggs",
        "jo.bloggs@police.example",
        "Europe/London",
        "U1",
        "jo.bloggs",
    )
    assert directory.profile("U1") == jo
    assert len(fake_slack.calls_to("users.info")) == 1  # cached
    assert directory.profile("UNOBODY") is None
    sam = directory.profile_by_email("Sam.Patel@health.example")
    assert sam is not None and sam.slack_user_id == "U2"
    assert directory.profile_by_email("stranger@elsewhere.example") is None
    assert directory.manager_of("U1") is None
    assert not directory.is_person("UBOT") and not directory.is_person("UGONE") and directory.is_person("U2")


def test_directory_cache_expires(fake_slack: FakeSlack) -> None:
    now = [0.0]
    directory = SlackDirectory(web_client(TOKEN, fake_slack.api_url), ttl=60, clock=lambda: now[0])
    directory.profile("U1")
    now[0] = 61.0
    directory.profile("U1")
    assert len(fake_slack.calls_to("users.info")) == 2
