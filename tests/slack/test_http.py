"""The HTTP mode server around the Bolt app: health check, body limit, only POST /slack/events."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from sqlalchemy import delete

from bot.app import Core
from handlers import serving
from storage.models import InboxItem
from tests.slack.conftest import SECRET, SlackHarness, count_actions, payload, sign


def fetch(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize(("path", "status"), [("/slack/events", 405), ("/", 404), ("/slack/install", 404)])
def test_nothing_but_post_to_the_events_path(slack: SlackHarness, path: str, status: int) -> None:
    assert fetch(slack.url + path)[0] == status


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


def signed_headers(body: str) -> dict[str, str]:
    moment = str(int(time.time()))
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": moment,
        "X-Slack-Signature": sign(SECRET, moment, body),
    }


# -- the inbox: backpressure and health ---------------------------------------------------------------
def _waiting(core: Core, n: int) -> None:
    """``n`` requests waiting for a platform no worker here serves: a backlog that stays put."""
    for i in range(n):
        core.inbox.accept(f"elsewhere-{i}", "elsewhere", "message", {})
    core.inbox._pressure_cache = (0.0, 0)  # count afresh


def test_a_full_inbox_refuses_with_a_status_slack_retries_and_takes_the_retry_later(
    slack: SlackHarness, core: Core
) -> None:
    core.inbox.settings = replace(core.inbox.settings, busy_backlog=2, max_backlog=3)
    _waiting(core, 3)
    body = slack.command_body("/action", "<@U1> Share the CAD log in 3 days", trigger_id="trigger-full")
    request = urllib.request.Request(
        slack.url + "/slack/events", data=body.encode(), headers=signed_headers(body), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 503 and refused.value.headers["Retry-After"] == "30"
    slack.settle()
    assert count_actions(core) == 0
    with core.db.transaction() as session:  # the backlog clears
        session.execute(delete(InboxItem).where(InboxItem.platform == "elsewhere"))
    core.inbox._pressure_cache = (0.0, 0)
    status, _ = slack.send(body, "application/x-www-form-urlencoded", headers={"X-Slack-Retry-Num": "1"})
    assert status == 200
    slack.settle()
    assert count_actions(core) == 1


def test_a_busy_inbox_says_so_in_the_ack(slack: SlackHarness, core: Core) -> None:
    core.inbox.settings = replace(core.inbox.settings, busy_backlog=2, max_backlog=100)
    _waiting(core, 2)
    status, text = slack.command("/action", "<@U1> Share the CAD log in 3 days")
    assert status == 200 and "busy" in text  # Bolt sends a text-only ack as the body itself
    slack.settle()
    assert count_actions(core) == 1


def test_health_names_each_check(slack: SlackHarness) -> None:
    status, body = fetch(slack.url + "/healthz")
    assert status == 200
    assert json.loads(body) == {
        "ok": True,
        "checks": {"database": "ok", "migrations": "ok", "inbox": "ok"},
        "inbox_backlog": 0,
    }


def test_health_is_503_when_the_inbox_workers_stopped(slack: SlackHarness, core: Core) -> None:
    core.inbox.stop(5)
    status, body = fetch(slack.url + "/healthz")
    assert status == 503 and json.loads(body)["checks"]["inbox"] == "stopped"
    core.inbox._stopping.clear()
    core.inbox.start(threads=2)  # for the fixture's settle


def test_an_unhandled_request_is_logged_without_its_payload_values(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = payload("block_actions")
    data["actions"][0].update(action_id="secret_action_name", value="Jo Bloggs DOB 01/02/2015")
    data["view"] = {"id": "V1", "type": "modal", "callback_id": "secret_callback_name"}
    assert slack.send(urlencode({"payload": json.dumps(data)}), "application/x-www-form-urlencoded")[0] == 404
    logged = caplog.text
    assert "matched no listener" in logged
    assert all(secret not in logged for secret in ("secret_action_name", "secret_callback_name", "Jo Bloggs"))


def test_a_malformed_request_line_gets_a_400_and_half_sent_requests_block_no_one(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serving, "REQUEST_SECONDS", 1.0)
    host, port = slack.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as bad:
        bad.sendall(b"FOO\r\n\r\n")
        assert bad.recv(100).startswith(b"HTTP/1.1 400")
    stalled = [socket.create_connection((host, int(port)), timeout=5) for _ in range(200)]
    try:
        for sock in stalled:
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        started = time.monotonic()
        status, _ = fetch(slack.url + "/healthz")
        assert status == 200 and time.monotonic() - started < 5
        # and the server hangs up on a connection whose request never completes
        assert stalled[0].recv(100) == b"" and all(sock.recv(100) == b"" for sock in stalled[1:])
    finally:
        for sock in stalled:
            sock.close()
