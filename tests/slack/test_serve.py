"""``actionbot serve slack``: one-line start-up errors, and the issue's "Done when" run as a real process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import delete

from bot.app import Core
from bot.capture.dates import utcnow
from bot.cli import main
from bot.config import ConfigError
from handlers.slack.app import build_app
from storage import inbox as inbox_store
from storage.db import Database
from storage.models import InboxItem
from tests.slack.conftest import APP_TOKEN, SECRET, TOKEN, payload, sign
from tests.slack.fake_slack import FakeSlack
from tests.slack.fake_socket import FakeSocketMode

ACTIONBOT = str(Path(sys.executable).with_name("actionbot"))
UNKNOWN = "xoxb-1-2-aTokenSlackDoesNotKnow"


@pytest.fixture
def environment(cli_url: str, monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack) -> pytest.MonkeyPatch:
    """A migrated database and a complete, valid Slack configuration pointing at the fake."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A0ACTIONBOT-3000000003-someOtherAppToken")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    monkeypatch.setenv("ACTIONBOT_HTTP_HOST", "127.0.0.1")
    return monkeypatch


def serve(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["serve", "slack", "--no-scheduler", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip().splitlines()[-1] if err.strip() else ""


@pytest.mark.parametrize(
    ("changes", "http", "expected"),
    [
        ({"SLACK_BOT_TOKEN": None}, True, "actionbot: SLACK_BOT_TOKEN is not set: give the Bot User OAuth Token"),
        ({"SLACK_BOT_TOKEN": "xoxp-a-user-token-123"}, True, "actionbot: SLACK_BOT_TOKEN is malformed"),
        ({"SLACK_BOT_TOKEN": "xoxb-"}, False, "actionbot: SLACK_BOT_TOKEN is malformed"),
        ({"SLACK_SIGNING_SECRET": None}, True, "actionbot: SLACK_SIGNING_SECRET is not set: HTTP mode needs"),
        ({"SLACK_SIGNING_SECRET": "not a secret!"}, True, "actionbot: SLACK_SIGNING_SECRET is malformed"),
        ({"SLACK_APP_TOKEN": None}, False, "actionbot: SLACK_APP_TOKEN is not set: Socket Mode needs"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong-kind-123456"}, False, "actionbot: SLACK_APP_TOKEN is malformed"),
        ({"SLACK_API_URL": "slack.com/api"}, True, "actionbot: SLACK_API_URL is malformed"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1-2-aTokenSlackDoesNotKnow"},
            True,
            "actionbot: SLACK_BOT_TOKEN was refused by Slack (invalid_auth)",
        ),
        ({}, False, "actionbot: SLACK_APP_TOKEN was refused by Slack (invalid_auth)"),
    ],
)
def test_start_up_errors_are_one_line_naming_the_variable(
    environment: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, str | None],
    http: bool,
    expected: str,
) -> None:
    for name, value in changes.items():
        if value is None:
            environment.delenv(name)
        else:
            environment.setenv(name, value)
    code, line = serve(capsys, *(["--http", "--port", "0"] if http else []))
    assert code == 2
    assert line.startswith(expected), line
    for secret in (TOKEN, SECRET, "xoxp-a-user-token-123", "not a secret!"):
        assert secret not in line


def test_an_unreachable_slack_is_a_start_up_error(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment.setenv("SLACK_API_URL", f"http://127.0.0.1:{port}/api/")
    code, line = serve(capsys, "--http", "--port", "0")
    assert code == 2 and line.startswith(f"actionbot: cannot reach the Slack Web API at http://127.0.0.1:{port}/api/")


def test_a_port_in_use_is_a_start_up_error(environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, line = serve(capsys, "--http", "--port", str(port))
    assert code == 2 and line.startswith(f"actionbot: --port {port}: cannot listen on 127.0.0.1:{port}")


def test_a_token_revoked_during_start_up_is_a_config_error(core: Core, fake_slack: FakeSlack) -> None:
    fake_slack.fail("auth.test", error="token_revoked", after=1)  # ours passes, Bolt's own check fails
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN could not be verified \(token_revoked\)$"):
        build_app(core, bot_token=TOKEN, signing_secret=SECRET, api_url=fake_slack.api_url)


# -- the "Done when", as a new user would try it -------------------------------------------------
class Process:
    """A running ``actionbot serve slack`` whose stderr is read line by line in the background."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for_line(self, fragment: str, timeout: float = 30.0) -> str:
        def found() -> bool:
            return any(fragment in line for line in self.lines) or self.proc.poll() is not None

        with self._cond:
            self._cond.wait_for(found, timeout)
            for line in self.lines:
                if fragment in line:
                    return line
        raise AssertionError(f"no {fragment!r} in the server's log: {self.lines}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(cli_url: str, fake_slack: FakeSlack, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": cli_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": fake_slack.api_url,
        "ACTIONBOT_HTTP_HOST": "127.0.0.1",
        **extra,
    }
    for name in ("SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        if name not in extra:
            env.pop(name, None)
    subprocess.run([ACTIONBOT, "db", "upgrade"], env=env, check=True, capture_output=True)
    return env


@pytest.fixture
def server(cli_url: str, fake_slack: FakeSlack) -> Iterator[tuple[Process, int, dict[str, str]]]:
    port = free_port()
    env = server_env(cli_url, fake_slack, SLACK_SIGNING_SECRET=SECRET)
    process = Process([ACTIONBOT, "serve", "slack", "--http", "--port", str(port)], env)
    try:
        yield process, port, env
    finally:
        process.stop()


def post_signed(port: int, body: str, headers: dict[str, str] | None = None) -> int:
    moment = str(int(time.time()))
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events",
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": moment,
            "X-Slack-Signature": sign(SECRET, moment, body),
            **(headers or {}),
        },
    )
    with urllib.request.urlopen(request, timeout=3) as response:  # Slack's limit: 3 seconds
        return int(response.status)


def test_done_when_a_new_user_tries_it(server: tuple[Process, int, dict[str, str]], fake_slack: FakeSlack) -> None:
    process, port, env = server
    process.wait_for_line(f"listening on http://127.0.0.1:{port}/slack/events")
    fields = payload("slash_command")
    fields.update(
        command="/action",
        # The server runs on the real clock, so the deadline is relative: "by Friday" is in the past on Friday evening.
        text="<@U1> Share CAD log in 3 days",
        response_url=fake_slack.response_url("e2e"),
        trigger_id="e2e-trigger-1",
    )
    body = urlencode(fields)

    started = time.monotonic()
    assert post_signed(port, body) == 200
    assert time.monotonic() - started < 3
    [card] = fake_slack.wait_calls("chat.postMessage", where=lambda c: c.params["channel"] == "C1")
    assert "Action A-1 recorded" in card.blocks_text() and "<@U1>" in card.blocks_text()

    assert post_signed(port, body, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}) == 200
    process.wait_for_line("slack /action re-delivered (retry 1): already received")
    assert len(fake_slack.posts_to("C1")) == 1
    # The server's log names ids, never the task or the people.
    assert not any("Share CAD log" in line or "Jo Bloggs" in line for line in process.lines)

    assert process.stop() == 0
    process.wait_for_line("Slack app stopped")
    exported = subprocess.run(
        [ACTIONBOT, "export", "--format", "jsonl"], env=env, check=True, capture_output=True, text=True
    )
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(rows) == 1
    assert rows[0]["task"] == "Share CAD log"


def test_a_refused_app_token_is_a_start_up_error(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --http the app opens a Socket Mode connection with SLACK_APP_TOKEN (the fake refuses this one)."""
    environment.setenv("SLACK_APP_TOKEN", APP_TOKEN.replace("actionbot", "another"))
    code, line = serve(capsys)
    assert code == 2 and line == "actionbot: SLACK_APP_TOKEN was refused by Slack (invalid_auth)"


def test_socket_mode_end_to_end(cli_url: str, fake_slack: FakeSlack) -> None:
    """The default mode: the process connects out to (fake) Slack and gets the command over the socket."""
    endpoint = FakeSocketMode()
    fake_slack.socket_url = endpoint.url
    env = server_env(cli_url, fake_slack, SLACK_APP_TOKEN=APP_TOKEN)
    process = Process([ACTIONBOT, "serve", "slack", "--no-scheduler"], env)
    try:
        process.wait_for_line("connected in Socket Mode")
        fields = payload("slash_command")
        fields.update(text="<@U1> Share CAD log in 3 days", response_url=fake_slack.response_url("socket"))
        envelope = {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": fields,
        }
        endpoint.push(envelope)
        assert endpoint.wait_ack("env-1") == {"envelope_id": "env-1"}
        [card] = fake_slack.wait_calls("chat.postMessage", where=lambda c: c.params["channel"] == "C1")
        assert "Action A-1 recorded" in card.blocks_text()
        endpoint.push({**envelope, "envelope_id": "env-2", "retry_attempt": 1, "retry_reason": "timeout"})
        endpoint.wait_ack("env-2")
        process.wait_for_line("slack /action re-delivered (retry 1): already received")
        assert len(fake_slack.posts_to("C1")) == 1
        assert fake_slack.calls_to("apps.connections.open")[0].headers["authorization"] == f"Bearer {APP_TOKEN}"
    finally:
        assert process.stop() == 0
        endpoint.close()
    exported = subprocess.run(
        [ACTIONBOT, "export", "--format", "jsonl"], env=env, check=True, capture_output=True, text=True
    )
    assert len(exported.stdout.splitlines()) == 1


def test_socket_mode_leaves_a_request_unacknowledged_while_the_inbox_is_full(
    cli_url: str, fake_slack: FakeSlack
) -> None:
    """Socket Mode has no status code: a request the inbox cannot take is simply not acknowledged, so Slack
    sends it again; the retry, once there is room, is recorded once."""
    env = server_env(
        cli_url,
        fake_slack,
        SLACK_APP_TOKEN=APP_TOKEN,
        ACTIONBOT_INBOX_MAX_BACKLOG="1",
        ACTIONBOT_INBOX_BUSY_BACKLOG="1",
    )
    db = Database.from_url(cli_url)
    # a request for a platform this process does not serve: a backlog of 1 that stays put
    inbox_store.accept(db, "elsewhere", "elsewhere", "message", "{}", utcnow())
    endpoint = FakeSocketMode()
    fake_slack.socket_url = endpoint.url
    process = Process([ACTIONBOT, "serve", "slack", "--no-scheduler"], env)
    try:
        process.wait_for_line("connected in Socket Mode")
        fields = payload("slash_command")
        fields.update(text="<@U1> Share CAD log in 3 days", response_url=fake_slack.response_url("full"))
        envelope = {"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True}
        endpoint.push({**envelope, "payload": fields})
        with pytest.raises(AssertionError):
            endpoint.wait_ack("env-1", timeout=2)
        process.wait_for_line("slack request refused for now")
        with db.transaction() as session:
            session.execute(delete(InboxItem).where(InboxItem.platform == "elsewhere"))
        time.sleep(0.3)  # the backlog is counted at most every quarter second
        endpoint.push({**envelope, "envelope_id": "env-2", "retry_attempt": 1, "payload": fields})
        assert endpoint.wait_ack("env-2") == {"envelope_id": "env-2"}
        [card] = fake_slack.wait_calls("chat.postMessage", where=lambda c: c.params["channel"] == "C1")
        assert "Action A-1 recorded" in card.blocks_text()
    finally:
        assert process.stop() == 0
        endpoint.close()
        db.dispose()


def test_slack_http_mode_serves_the_page_too(cli_url: str, fake_slack: FakeSlack) -> None:
    """The page emailed answer links open is served beside /slack/events when ACTIONBOT_PUBLIC_URL is set."""
    port = free_port()
    env = server_env(
        cli_url,
        fake_slack,
        SLACK_SIGNING_SECRET=SECRET,
        ACTIONBOT_PUBLIC_URL=f"http://127.0.0.1:{port}",
        ACTIONBOT_LINK_SECRET="a-link-secret-for-tests-" + "z" * 20,
    )
    process = Process([ACTIONBOT, "serve", "slack", "--http", "--port", str(port), "--no-scheduler"], env)
    try:
        process.wait_for_line("Slack app listening")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/answer/static/answer.css") as style:
            assert style.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/answer/not-a-real-token")
        assert refused.value.code == 404 and "This link does not work" in refused.value.read().decode()
        assert refused.value.headers["Referrer-Policy"] == "no-referrer"
    finally:
        assert process.stop() == 0
