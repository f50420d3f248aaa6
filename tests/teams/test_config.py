"""Configuration, the app package, and ``actionbot serve teams`` as an operator starts it."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from bot.app import Core
from bot.cli import main
from bot.config import ConfigError
from handlers.teams.feed import ACTIVITY_TYPE
from handlers.teams.main import serve_teams
from handlers.teams.messenger import teams_messengers_from_env
from handlers.teams.package import build_package
from handlers.teams.settings import load
from tests.teams.conftest import BOT_ID, TENANT

GRAPH_APP = "9a9a9a9a-0000-4000-8000-000000000021"
BASE = {"TEAMS_CLIENT_ID": BOT_ID, "TEAMS_CLIENT_SECRET": "s3cret~value", "TEAMS_TENANT_ID": TENANT}


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({**BASE, "TEAMS_CLIENT_ID": "not-a-guid"}, "TEAMS_CLIENT_ID"),
        ({**BASE, "TEAMS_TENANT_ID": "contoso"}, "TEAMS_TENANT_ID"),
        ({"GRAPH_CLIENT_ID": GRAPH_APP, "GRAPH_TENANT_ID": TENANT}, "GRAPH_CLIENT_SECRET"),
        ({"GRAPH_CLIENT_ID": GRAPH_APP, "GRAPH_CLIENT_SECRET": "x"}, "GRAPH_TENANT_ID"),
        ({**BASE, "GRAPH_BASE_URL": "http://graph.example/v1.0"}, "GRAPH_BASE_URL"),
        ({"MAIL_SENDER": "actionbot@council.example"}, "MAIL_SENDER"),
        ({**BASE, "MAIL_SENDER": "not an address"}, "MAIL_SENDER"),
        ({**BASE, "TEAMS_WEBHOOK_SECRET": "not base64!"}, "TEAMS_WEBHOOK_SECRET"),
        ({**BASE, "TEAMS_CALENDAR_REVIEWS": "maybe"}, "TEAMS_CALENDAR_REVIEWS"),
        ({**BASE, "TEAMS_OUTLOOK_LEAVE": "maybe"}, "TEAMS_OUTLOOK_LEAVE"),
        ({"TEAMS_OUTLOOK_LEAVE": "on"}, "TEAMS_OUTLOOK_LEAVE needs Microsoft Graph"),
        ({**BASE, "TEAMS_SERVICE_URL": "ftp://smba.example"}, "TEAMS_SERVICE_URL"),
    ],
)
def test_bad_configuration_names_the_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load(environ)


def test_graph_defaults_to_the_bots_own_app_registration() -> None:
    settings = load({**BASE, "MAIL_SENDER": "actionbot@council.example"})
    assert settings.graph is not None
    assert (settings.graph.client_id, settings.graph.tenant_id) == (BOT_ID, TENANT)
    assert settings.graph.base_url == "https://graph.microsoft.com/v1.0"
    assert settings.app_id == BOT_ID and settings.calendar_reviews is False
    assert "s3cret" not in repr(settings)  # secrets never reach a log through a repr


def test_outlook_leave_is_read_daily_before_the_reminders_when_switched_on(core: Core) -> None:
    from handlers.teams.graph import app_only_graph
    from handlers.teams.main import _leave_jobs
    from handlers.teams.runner import LoopRunner

    settings = load({**BASE, "TEAMS_OUTLOOK_LEAVE": "on"})
    assert settings.outlook_leave and settings.graph is not None
    runner = LoopRunner("test-leave")
    try:
        [job] = _leave_jobs(core, settings, app_only_graph(settings.graph), runner)
        assert (job.name, job.describe) == (
            "outlook-leave",
            "daily 07:00 Europe/London: leave read from Outlook automatic replies",
        )
        assert _leave_jobs(core, load(BASE), app_only_graph(settings.graph), runner) == []  # off by default
    finally:
        runner.close()


@pytest.mark.parametrize("missing", ["TEAMS_CLIENT_ID", "TEAMS_CLIENT_SECRET", "TEAMS_TENANT_ID"])
def test_serve_teams_needs_the_bot_registration(core: Core, missing: str) -> None:
    environ = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(ConfigError, match=f"^{missing} is not set"):
        serve_teams(core, environ, port=0, with_scheduler=False, jobs=lambda _core: [])


def test_messengers_from_the_environment_are_teams_then_email(cli_url: str) -> None:
    environ = {**BASE, "DATABASE_URL": cli_url, "MAIL_SENDER": "actionbot@council.example"}
    messengers = teams_messengers_from_env(environ)
    try:
        assert [m.channel for m in messengers] == ["teams", "email"]
        only_mail = teams_messengers_from_env(
            {
                "DATABASE_URL": cli_url,
                "GRAPH_CLIENT_ID": GRAPH_APP,
                "GRAPH_TENANT_ID": TENANT,
                "GRAPH_CLIENT_SECRET": "x",
                "MAIL_SENDER": "actionbot@council.example",
            }
        )
        assert [m.channel for m in only_mail] == ["email"]
    finally:
        for messenger in messengers:
            messenger.runner.close()  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="neither the Teams bot"):
        teams_messengers_from_env({"GRAPH_CLIENT_ID": GRAPH_APP, "GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_SECRET": "x"})


# -- the app package ----------------------------------------------------------------------------------
def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_package_holds_the_filled_manifest_and_both_icons(tmp_path: Path) -> None:
    environ = {**BASE, "GRAPH_CLIENT_ID": GRAPH_APP, "TEAMS_BOT_DOMAIN": "actionbot.council.example"}
    path = build_package(tmp_path / "out" / "actionbot.zip", environ)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert png_size(archive.read("color.png")) == (192, 192)
        assert png_size(archive.read("outline.png")) == (32, 32)
    assert manifest["id"] == BOT_ID
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["webApplicationInfo"]["id"] == GRAPH_APP  # the app that calls sendActivityNotification
    assert [a["type"] for a in manifest["activities"]["activityTypes"]] == [ACTIVITY_TYPE]
    assert manifest["validDomains"] == ["actionbot.council.example"]
    assert manifest["developer"]["privacyUrl"] == "https://actionbot.council.example/privacy"
    assert "${{" not in json.dumps(manifest)


def test_the_package_command_names_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="TEAMS_CLIENT_ID"):
        build_package(tmp_path / "a.zip", {})
    with pytest.raises(ConfigError, match="TEAMS_WEBSITE_URL"):
        build_package(tmp_path / "a.zip", BASE)
    for name, value in {**BASE, "TEAMS_BOT_DOMAIN": "actionbot.council.example"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    out = tmp_path / "cli.zip"
    assert main(["teams", "package", "--out", str(out)]) == 0
    assert zipfile.is_zipfile(out)


# -- actionbot serve teams ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_teams_runs_with_its_scheduler_refuses_unauthenticated_requests_and_stops_on_sigterm(
    cli_url: str,
) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TEAMS_", "GRAPH_", "SLACK_", "MAIL_"))},
        **BASE,
        "DATABASE_URL": cli_url,
        "ACTIONBOT_HTTP_HOST": "127.0.0.1",
    }
    actionbot = [sys.executable, "-c", "from bot.cli import entry; entry()"]
    subprocess.run(
        [*actionbot, "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [*actionbot, "serve", "teams", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}/api/messages", json={"type": "message"}, timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, f"the server did not start: {lines}"
        assert response.status_code == 401
        assert httpx.post(f"http://127.0.0.1:{port}/api/webhook", json={}, timeout=5).status_code == 404  # not set
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        reader.join(5)
    assert code == 0
    log = "".join(lines)
    assert f"serving Microsoft Teams on http://127.0.0.1:{port}/api/messages" in log
    assert "scheduled chase-sweep" in log
    assert "actionbot (Teams) stopped" in log
    assert "s3cret" not in log


def test_a_port_in_use_is_a_start_up_error(core: Core) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"--port {port}: cannot listen on 127.0.0.1:{port}"):
            serve_teams(
                core,
                {**BASE, "ACTIONBOT_HTTP_HOST": "127.0.0.1"},
                port=port,
                with_scheduler=False,
                jobs=lambda _core: [],
            )


def test_authentication_cannot_be_switched_off_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from handlers.teams.app import create_app
    from tests.teams.conftest import outbound_token

    monkeypatch.setenv("DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS", "true")
    app = create_app(load(BASE), token=outbound_token)

    async def unauthenticated() -> int:
        await app.initialize()
        response = await app.server.handle_request({"body": {"type": "message", "text": "hi"}, "headers": {}})
        return int(response["status"])

    assert asyncio.run(unauthenticated()) == 401
