"""The served bot under concurrent load, killed or stopped in the middle of it: every request that got a
2xx is recorded exactly once, and the action log still verifies. (Longer runs: ``make bench``.)"""

from __future__ import annotations

import signal
import threading
import time

import pytest

from tests.slack.conftest import SECRET
from tests.slack.fake_slack import FakeSlack
from tests.slack.load import Tally, audit_ok, run_clients, wait_drained
from tests.slack.test_serve import ACTIONBOT, Process, free_port, server_env

CLIENTS = 8
PER_CLIENT = 25


def start(env: dict[str, str], port: int) -> Process:
    process = Process([ACTIONBOT, "serve", "slack", "--http", "--port", str(port), "--no-scheduler"], env)
    process.wait_for_line(f"listening on http://127.0.0.1:{port}/slack/events")
    return process


def assert_each_acknowledged_request_recorded_once(tally: Tally, cli_url: str) -> None:
    state = wait_drained(cli_url)
    assert state.inbox_unfinished == 0
    missing = [t for t in tally.acknowledged if state.by_trigger.get(t, 0) == 0]
    assert missing == [], f"{len(missing)} acknowledged requests were never recorded"
    assert all(count == 1 for count in state.by_trigger.values())
    assert state.actions == len(state.by_trigger)  # no action without its request, none twice


def test_concurrent_requests_are_each_recorded_once(cli_url: str, fake_slack: FakeSlack) -> None:
    port = free_port()
    env = server_env(cli_url, fake_slack, SLACK_SIGNING_SECRET=SECRET, ACTIONBOT_INBOX_LEASE_SECONDS="5")
    process = start(env, port)
    try:
        tally = run_clients(
            lambda: port, CLIENTS, per_client=PER_CLIENT, response_url=fake_slack.response_url("load"), prefix="c"
        )
        assert_each_acknowledged_request_recorded_once(tally, cli_url)
    finally:
        assert process.stop() == 0
    assert tally.resets == 0 and tally.refused == {}
    assert len(tally.acknowledged) == CLIENTS * PER_CLIENT
    assert audit_ok(ACTIONBOT, env)


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_server_stopped_mid_load_loses_nothing_acknowledged_and_doubles_nothing(
    cli_url: str, fake_slack: FakeSlack, stop: signal.Signals
) -> None:
    port = free_port()
    env = server_env(cli_url, fake_slack, SLACK_SIGNING_SECRET=SECRET, ACTIONBOT_INBOX_LEASE_SECONDS="5")
    current: dict[str, Process | None] = {"process": start(env, port)}
    up = threading.Event()
    up.set()

    def interrupt() -> None:
        time.sleep(1.0)
        process = current["process"]
        assert process is not None
        up.clear()
        process.proc.send_signal(stop)
        code = process.proc.wait(timeout=40)
        assert code == (0 if stop == signal.SIGTERM else -signal.SIGKILL)
        time.sleep(0.5)
        current["process"] = start(env, port)
        up.set()

    restarter = threading.Thread(target=interrupt)
    restarter.start()
    try:
        tally = run_clients(
            lambda: port if up.is_set() else None,
            CLIENTS,
            seconds=4.0,
            response_url=fake_slack.response_url("load"),
            prefix="k",
            redeliver=(0.5, 1.0, 2.0),  # what Slack sends again while the server is down (compressed)
        )
        restarter.join()
        state = wait_drained(cli_url)
    finally:
        restarter.join()
        if current["process"] is not None:
            current["process"].stop()
    assert tally.acknowledged, "no request was acknowledged at all"
    assert state.inbox_unfinished == 0
    assert_each_acknowledged_request_recorded_once(tally, cli_url)
    assert audit_ok(ACTIONBOT, env)
