"""/healthz's checks (bot.health): each names its state, and any failure makes the whole answer not ok."""

from __future__ import annotations

import socket
from pathlib import Path

from bot.app import Core, build_core
from bot.config import Settings
from bot.health import check


def test_all_ok_with_the_scheduler_and_workers_running(core: Core) -> None:
    health = check(core, scheduler_alive=lambda: True, inbox_running=False)
    assert health.ok and health.checks == {"database": "ok", "migrations": "ok", "scheduler": "ok"}
    assert health.backlog == 0


def test_a_stopped_scheduler_or_inbox_is_not_ok(core: Core) -> None:
    health = check(core, scheduler_alive=lambda: False, inbox_running=True)  # no worker threads started
    assert not health.ok
    assert health.checks["scheduler"] == "stopped" and health.checks["inbox"] == "stopped"


def test_an_unmigrated_database_is_not_ok(tmp_path: Path) -> None:
    core = build_core(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"), check_schema=False)
    health = check(core, scheduler_alive=None, inbox_running=False)
    assert not health.ok and health.checks == {"database": "ok", "migrations": "not current"}


def test_an_unreachable_database_is_not_ok() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe closes
    core = build_core(Settings(database_url=f"postgresql+psycopg://127.0.0.1:{port}/test"), check_schema=False)
    health = check(core, scheduler_alive=None, inbox_running=False)
    assert not health.ok and health.checks == {"database": "unreachable (OperationalError)"}
    assert health.as_json()["inbox_backlog"] is None
