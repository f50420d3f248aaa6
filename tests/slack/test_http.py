"""The HTTP mode server around the Bolt app: health check, body limit, only POST /slack/events."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request

import pytest

from bot.app import Core
from tests.slack.conftest import SlackHarness, count_actions


def fetch(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_health_check(slack: SlackHarness) -> None:
    assert fetch(slack.url + "/healthz") == (200, b"ok\n")


@pytest.mark.parametrize("path", ["/slack/events", "/", "/slack/install"])
def test_nothing_but_post_to_the_events_path(slack: SlackHarness, path: str) -> None:
    assert fetch(slack.url + path)[0] == 404


def test_a_huge_body_is_refused_unread(slack: SlackHarness, core: Core) -> None:
    """Refused on its Content-Length alone: the server answers before any of the body is sent."""
    host, port = slack.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest("POST", "/slack/events")
        connection.putheader("Content-Type", "application/x-www-form-urlencoded")
        connection.putheader("Content-Length", str(50_000_000))
        connection.endheaders()
        assert connection.getresponse().status == 413
    finally:
        connection.close()
    assert count_actions(core) == 0


@pytest.mark.parametrize(
    ("body", "content_type", "when_signed"),
    [
        ('{"type": "block_actions", "actions": ', "application/json", 400),  # JSON cut short
        (
            "payload=%7B%22type%22%3A+%22block_actions%22%2C+%22actions%22%3A+7%7D",  # "actions" is not a list
            "application/x-www-form-urlencoded",
            400,
        ),
        ("", "application/x-www-form-urlencoded", 404),  # signed but empty: Bolt has nothing to route
    ],
)
def test_the_signature_is_checked_before_the_body_is_read(
    slack: SlackHarness,
    core: Core,
    caplog: pytest.LogCaptureFixture,
    body: str,
    content_type: str,
    when_signed: int,
) -> None:
    """Unsigned junk is a 401, whatever it holds; only a signed request has its payload's shape checked."""
    assert slack.send(body, content_type, signed=False)[0] == 401
    assert (
        slack.send(
            body, content_type, headers={"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=1"}, signed=False
        )[0]
        == 401
    )
    assert not any("malformed" in record.getMessage() for record in caplog.records)
    assert slack.send(body, content_type)[0] == when_signed
    assert count_actions(core) == 0
