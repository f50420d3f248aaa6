"""The served bot under load: ``actionbot serve slack --http`` as a real process, N concurrent clients sending
signed ``/action`` requests (each its own trigger id) to 127.0.0.1 for a fixed time, a fake Slack for the
Web API, on SQLite and PostgreSQL. Then the same with the server killed (SIGKILL) or stopped (SIGTERM)
halfway and restarted. A request refused or not answered is delivered again as Slack does (at once, then
after 1 and 5 minutes, compressed here into seconds). Counted afterwards: requests acknowledged (2xx),
refused with a status Slack retries (503), connection resets, re-deliveries acknowledged or refused every
time, and acknowledged requests never recorded or recorded twice (goal: 0).
Goals (issue 12): no resets at 50 clients, ack p99 < 100 ms.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from storage.db import make_engine
from tests.slack.conftest import APP_TOKEN, SECRET, TOKEN
from tests.slack.fake_slack import FakeSlack
from tests.slack.load import SLACK_REDELIVERY, Tally, audit_ok, run_clients, wait_drained
from tests.slack.test_serve import ACTIONBOT, Process, free_port, server_env

SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
#: Requests per second of the paced run: below what one process works off (tens per second), far above
#: a partnership's meetings (a few per minute).
PACED = 25.0
PG_URL = os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://localhost/test"


@contextmanager
def _database(kind: str) -> Iterator[str]:
    if kind == "SQLite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'load.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL, pool=False)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _start(env: dict[str, str], port: int) -> Process:
    process = Process([ACTIONBOT, "serve", "slack", "--http", "--port", str(port), "--no-scheduler"], env)
    process.wait_for_line(f"listening on http://127.0.0.1:{port}/slack/events")
    return process


def _run(kind: str, clients: int, stop: signal.Signals | None, rate: float | None = None) -> str:
    with _database(kind) as url, FakeSlack(TOKEN, app_token=APP_TOKEN) as fake:
        env = server_env(url, fake, SLACK_SIGNING_SECRET=SECRET, ACTIONBOT_INBOX_LEASE_SECONDS="5")
        port = free_port()
        current = {"process": _start(env, port)}
        up = threading.Event()
        up.set()

        def interrupt() -> None:
            time.sleep(SECONDS / 2)
            up.clear()
            current["process"].proc.send_signal(stop)
            current["process"].proc.wait(timeout=60)
            current["process"] = _start(env, port)
            up.set()

        restarter = threading.Thread(target=interrupt) if stop is not None else None
        if restarter is not None:
            restarter.start()
        started = time.monotonic()
        tally: Tally = run_clients(
            lambda: port if up.is_set() else None,
            clients,
            seconds=SECONDS,
            response_url=fake.response_url("bench"),
            prefix="b",
            rate=rate,
            redeliver=SLACK_REDELIVERY,
        )
        elapsed = time.monotonic() - started
        if restarter is not None:
            restarter.join()
        state = wait_drained(url, timeout=600)
        drained = time.monotonic() - started
        current["process"].stop()
        lost = sum(1 for t in tally.acknowledged if state.by_trigger.get(t, 0) == 0)
        doubled = sum(1 for count in state.by_trigger.values() if count > 1)
        refused = sum(tally.refused.values())
        audit = "OK" if audit_ok(ACTIONBOT, env) else "BROKEN"
        label = {None: "", signal.SIGKILL: ", SIGKILL mid-load", signal.SIGTERM: ", SIGTERM mid-load"}[stop]
        label += f", paced at {rate:.0f}/s" if rate else ", each as fast as answered"
        return (
            f"| {kind}, {clients} clients, {SECONDS:.0f} s{label} | {len(tally.acknowledged):,} "
            f"({len(tally.acknowledged) / elapsed:.0f}/s) | {refused} | {tally.resets} | "
            f"{tally.acknowledged_on_redelivery} / {len(tally.given_up)} | "
            f"{tally.median:.1f} / {tally.p(0.99):.1f} | {state.actions:,} | {lost} | {doubled} | "
            f"{drained:.0f} s | {audit} |"
        )


def run() -> list[str]:
    lines = [
        "## Load: served Slack HTTP mode, concurrent signed /action (issue 12)",
        "",
        __doc__.strip().splitlines()[0] + " " + " ".join(__doc__.strip().splitlines()[1:]),
        "",
        "| run | acknowledged (rate) | refused 503 | resets | re-delivered: then acknowledged / refused every "
        "time | ack median / p99 ms | actions | acknowledged, not recorded | recorded twice | all recorded after "
        "| audit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    runs: list[tuple[int, signal.Signals | None, float | None]] = [
        (50, None, PACED),
        (10, None, None),
        (50, None, None),
        (10, signal.SIGKILL, None),
        (10, signal.SIGTERM, None),
    ]
    for kind in ("SQLite", "PostgreSQL"):
        for clients, stop, rate in runs:
            lines.append(_run(kind, clients, stop, rate))
            print(lines[-1], file=sys.stderr, flush=True)
    return lines
