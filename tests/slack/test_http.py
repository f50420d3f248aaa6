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
