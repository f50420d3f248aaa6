"""Load against a served ``actionbot serve slack --http``: concurrent signed /action requests, each with its
own trigger id, and the count that matters afterwards: every acknowledged request has exactly one action.

Used by tests/slack/test_load.py (a few seconds, loopback only) and by the benchmark (longer runs). The
server is a real process, so it can be killed (SIGKILL) or stopped (SIGTERM) in the middle of the load.
"""

from __future__ import annotations

import http.client
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from tests.slack.conftest import SECRET, payload, sign

#: Status codes Slack treats as "not received" and retries.
RETRIED = range(500, 600)


@dataclass
class Tally:
    acknowledged: list[str] = field(default_factory=list)  # trigger ids answered 2xx
    refused: dict[int, int] = field(default_factory=dict)  # status -> count (Slack retries these)
    resets: int = 0  # connections reset or refused by a running server
    down: int = 0  # connections refused while the server was (deliberately) not running
    ack_ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def p(self, q: float) -> float:
        if not self.ack_ms:
            return 0.0
        ordered = sorted(self.ack_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def median(self) -> float:
        return statistics.median(self.ack_ms) if self.ack_ms else 0.0


def command_body(trigger: str, response_url: str) -> str:
    fields = payload("slash_command")
    fields.update(
        command="/action",
        text=f"<@U1> Load check {trigger} in 3 days",
        trigger_id=trigger,
        response_url=response_url,
    )
    return urlencode(fields)


def send(port: int, body: str, timeout: float = 10.0) -> int:
    moment = str(int(time.time()))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            "POST",
            "/slack/events",
            body=body.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": moment,
                "X-Slack-Signature": sign(SECRET, moment, body),
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def run_clients(
    port: Callable[[], int | None],
    clients: int,
    *,
    per_client: int | None = None,
    seconds: float | None = None,
    response_url: str,
    prefix: str,
    tally: Tally | None = None,
) -> Tally:
    """``clients`` threads, each sending one request after another until ``per_client`` or ``seconds``.
    ``port()`` is None while the server is deliberately down (those refusals are counted as ``down``)."""
    tally = tally or Tally()
    stop_at = time.monotonic() + seconds if seconds else None

    def client(n: int) -> None:
        sent = 0
        while (per_client is None or sent < per_client) and (stop_at is None or time.monotonic() < stop_at):
            trigger = f"{prefix}-{n}-{sent}"
            sent += 1
            target = port()
            if target is None:
                with tally.lock:
                    tally.down += 1
                time.sleep(0.01)
                continue
            started = time.perf_counter()
            try:
                status = send(target, command_body(trigger, response_url))
            except (ConnectionError, http.client.HTTPException, OSError):
                with tally.lock:
                    if port() is None:
                        tally.down += 1
                    else:
                        tally.resets += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with tally.lock:
                if 200 <= status < 300:
                    tally.acknowledged.append(trigger)
                    tally.ack_ms.append(elapsed)
                else:
                    tally.refused[status] = tally.refused.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


@dataclass(frozen=True)
class Recorded:
    by_trigger: dict[str, int]  # trigger id -> actions recorded for it
    actions: int
    inbox_unfinished: int


def recorded(database_url: str) -> Recorded:
    """What the database holds: actions per trigger id (through the request keys), and the inbox backlog."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            keys = connection.execute(text("SELECT key FROM request_keys")).scalars().all()
            actions = connection.execute(text("SELECT count(*) FROM actions")).scalar_one()
            unfinished = connection.execute(
                text("SELECT count(*) FROM inbox WHERE status IN ('pending', 'working')")
            ).scalar_one()
    finally:
        engine.dispose()
    counts: dict[str, int] = {}
    for key in keys:
        trigger = key.removeprefix("slack:")
        counts[trigger] = counts.get(trigger, 0) + 1
    return Recorded(counts, int(actions), int(unfinished))


def wait_drained(database_url: str, timeout: float = 60.0) -> Recorded:
    deadline = time.monotonic() + timeout
    while True:
        state = recorded(database_url)
        if state.inbox_unfinished == 0 or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


def audit_ok(actionbot: str | Path, env: dict[str, str]) -> bool:
    result = subprocess.run([str(actionbot), "audit", "verify"], env=env, capture_output=True, text=True)
    return result.returncode == 0 and "OK" in result.stdout
