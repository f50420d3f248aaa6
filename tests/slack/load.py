"""Load against a served ``actionbot serve slack --http``: concurrent signed /action requests, each with its
own trigger id, and the count that matters afterwards: every acknowledged request has exactly one action.

Used by tests/slack/test_load.py (a few seconds, loopback only) and by the benchmark (longer runs). The
server is a real process, so it can be killed (SIGKILL) or stopped (SIGTERM) in the middle of the load.
"""

from __future__ import annotations

import asyncio
import heapq
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
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
    redelivered: dict[str, int] = field(default_factory=dict)  # trigger id -> re-deliveries sent
    given_up: list[str] = field(default_factory=list)  # trigger ids refused on every delivery

    @property
    def acknowledged_on_redelivery(self) -> int:
        return sum(1 for trigger in self.acknowledged if trigger in self.redelivered)

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


def _request(body: str, retry: int = 0) -> bytes:
    moment = str(int(time.time()))
    data = body.encode()
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(data)}\r\nX-Slack-Request-Timestamp: {moment}\r\n"
        f"X-Slack-Signature: {sign(SECRET, moment, body)}\r\n"
    )
    if retry:
        head += f"X-Slack-Retry-Num: {retry}\r\nX-Slack-Retry-Reason: http_error\r\n"
    return (head + "\r\n").encode() + data


async def send(port: int, body: str, timeout: float = 10.0, retry: int = 0) -> int:
    """One signed request on its own connection (``retry``: Slack's X-Slack-Retry-Num); its status code."""

    async def exchange() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(_request(body, retry))
            await writer.drain()
            status_line = await reader.readline()
            if not status_line:
                raise ConnectionResetError("closed without an answer")
            await reader.read()  # the rest, until the server closes (Connection: close)
            return int(status_line.split()[1])
        finally:
            writer.close()

    return await asyncio.wait_for(exchange(), timeout)


#: When Slack delivers a request again that was refused (5xx) or not answered: at once, after 1 minute and
#: after 5 minutes (its Events API documentation). The bench compresses minutes into seconds.
SLACK_REDELIVERY = (0.0, 1.0, 5.0)


def run_clients(
    port: Callable[[], int | None],
    clients: int,
    *,
    per_client: int | None = None,
    seconds: float | None = None,
    response_url: str,
    prefix: str,
    tally: Tally | None = None,
    rate: float | None = None,
    redeliver: Sequence[float] = (),
) -> Tally:
    """``clients`` concurrent clients (coroutines on one event loop, so the load generator itself adds
    little latency), each sending one request after another until ``per_client`` or ``seconds``. With
    ``rate``, each client first waits ``clients / rate`` seconds, so together they send at most ``rate``
    requests per second; without, each sends again as soon as its answer comes back.
    ``port()`` is None while the server is deliberately down (those refusals are counted as ``down``).
    ``redeliver``: as Slack does, a request refused or not answered is delivered again (the same trigger id,
    with X-Slack-Retry-Num) after each of these delays in turn; one refused every time is ``given_up``. Each
    client still has one request open at a time (a re-delivery come due goes before its next new request), so
    there are never more than ``clients`` at once. The run ends when the last re-delivery has been answered."""
    tally = tally or Tally()
    stop_at = time.monotonic() + seconds if seconds else None

    async def deliver(trigger: str, retry: int) -> bool:
        """One delivery; True once acknowledged."""
        target = port()
        if target is None:
            tally.down += 1
            await asyncio.sleep(0.01)
            return False
        started = time.perf_counter()
        try:
            status = await send(target, command_body(trigger, response_url), retry=retry)
        except (ConnectionError, OSError, ValueError, IndexError, TimeoutError):
            if port() is None:
                tally.down += 1
            else:
                tally.resets += 1
            return False
        if 200 <= status < 300:
            tally.acknowledged.append(trigger)
            tally.ack_ms.append((time.perf_counter() - started) * 1000)
            return True
        tally.refused[status] = tally.refused.get(status, 0) + 1
        return False

    async def client(n: int) -> None:
        """One connection at a time: a re-delivery that has come due goes before the next new request."""
        sent = 0
        due: list[tuple[float, str, int]] = []  # (when, trigger id, retry number)
        if rate:
            await asyncio.sleep(n / rate)  # spread the clients out: one request every 1/rate s, not bursts
        while True:
            more = (per_client is None or sent < per_client) and (stop_at is None or time.monotonic() < stop_at)
            if due and (due[0][0] <= time.monotonic() or not more):
                when, trigger, retry = heapq.heappop(due)
                await asyncio.sleep(max(0.0, when - time.monotonic()))
                tally.redelivered[trigger] = retry
            elif more:
                trigger, retry = f"{prefix}-{n}-{sent}", 0
                sent += 1
                if rate and sent > 1 and port() is not None:
                    await asyncio.sleep(clients / rate)
            else:
                return
            if not await deliver(trigger, retry):
                if retry < len(redeliver):
                    heapq.heappush(due, (time.monotonic() + redeliver[retry], trigger, retry + 1))
                elif redeliver:
                    tally.given_up.append(trigger)

    async def everyone() -> None:
        await asyncio.gather(*(client(n) for n in range(clients)))

    asyncio.run(everyone())
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
            # The backlog first: each statement sees what was committed when it started (PostgreSQL's read
            # committed), and a request's row is marked done in the same transaction as its action. Read
            # last, an empty backlog could count a request whose action the earlier reads had not yet seen.
            unfinished = connection.execute(
                text("SELECT count(*) FROM inbox WHERE status IN ('pending', 'working')")
            ).scalar_one()
            keys = connection.execute(text("SELECT key FROM request_keys")).scalars().all()
            actions = connection.execute(text("SELECT count(*) FROM actions")).scalar_one()
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
