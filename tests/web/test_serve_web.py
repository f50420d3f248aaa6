"""``actionbot serve web`` and the page mounted in ``serve slack --http``, run as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from storage.db import Database
from tests.chasing.hourly import record
from tests.conftest import Clock
from tests.slack.test_serve import Process, free_port
from tests.web.mailbox import SECRET, MailBox, link_in, linked_core

ACTIONBOT = str(Path(sys.executable).with_name("actionbot"))
TASK = "Share the attendance record with the chair"


def _env(cli_url: str, port: int, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": cli_url, **extra}
    for name in ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "ACTIONBOT_EMAIL"):
        env.pop(name, None)
    env.update(extra)
    subprocess.run([ACTIONBOT, "db", "upgrade"], env=env, check=True, capture_output=True)
    return env


def _healthy(port: int, timeout: float = 30.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def web(cli_url: str) -> Iterator[tuple[Process, int]]:
    port = free_port()
    env = _env(cli_url, port, ACTIONBOT_PUBLIC_URL=f"http://127.0.0.1:{port}", ACTIONBOT_LINK_SECRET=SECRET)
    process = Process([ACTIONBOT, "serve", "web", "--port", str(port)], env)
    try:
        yield process, port
    finally:
        process.stop()


def test_serve_web_answers_the_links_emailed_elsewhere(
    web: tuple[Process, int], settings: Settings, database: Database, clock: Clock
) -> None:
    process, port = web
    assert _healthy(port).status_code == 200
    # the operator's log says where the page is and which address its links use (never a token)
    assert f"answer page on http://127.0.0.1:{port}/answer/... for http://127.0.0.1:{port}" in process.wait_for_line(
        "answer page on"
    )
    # the sweep runs elsewhere (here: in this test's own core, on the same database and secret)
    core = linked_core(settings, database, clock, public=f"http://127.0.0.1:{port}")
    mailbox = MailBox()
    core.router.add(mailbox)
    record(core, f"head@school.sch.uk {TASK} by Fri 27 Nov")
    core.chaser.sweep()
    link = link_in(mailbox.mails[-1])
    page = httpx.get(link)
    assert page.status_code == 200 and TASK in page.text
    assert httpx.get(link[:-3]).status_code == 404
    assert process.stop() == 0


def test_serve_web_without_a_public_url_says_what_is_missing(cli_url: str) -> None:
    env = _env(cli_url, 0)
    env.pop("ACTIONBOT_PUBLIC_URL", None)
    done = subprocess.run([ACTIONBOT, "serve", "web", "--port", "0"], env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "actionbot: ACTIONBOT_PUBLIC_URL is not set: the page has no links to answer (docs/email.md)"
    ]
    env["ACTIONBOT_PUBLIC_URL"] = "http://council.example.gov.uk"
    done = subprocess.run([ACTIONBOT, "serve", "web", "--port", "0"], env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "ACTIONBOT_PUBLIC_URL: use an https:// address" in done.stderr
    env["ACTIONBOT_PUBLIC_URL"] = "https://actions.council.gov.uk"
    done = subprocess.run([ACTIONBOT, "serve", "web", "--port", "0"], env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "ACTIONBOT_LINK_SECRET" in done.stderr
