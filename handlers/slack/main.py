"""``actionbot serve slack``: run the Slack app in Socket Mode (default) or HTTP mode, with the scheduler."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk.errors import SlackApiError
from starlette.routing import BaseRoute

from bot.app import Core
from bot.config import ConfigError
from bot.health import Health, check
from handlers import serving
from handlers.slack.app import build_app
from handlers.slack.client import CALL_ERRORS, error_code
from handlers.slack.env import read_env
from handlers.slack.messenger import fall_back_to_email
from handlers.slack.server import PATH, asgi_app
from handlers.web.page import answer_routes

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.chasing.scheduler import Job

log = logging.getLogger("actionbot.slack")

#: Where HTTP mode listens (all interfaces unless ACTIONBOT_HTTP_HOST says otherwise).
DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - a server: every request is verified by its Slack signature


def add_email(core: Core, environ: Mapping[str, str]) -> None:
    """Besides Slack, whatever else the environment configures (email by ACTIONBOT_EMAIL, Teams): partners
    outside the workspace are reached by email from this process's sweep too."""
    from bot.compose import messengers_from_env

    others = {name: value for name, value in environ.items() if name != "SLACK_BOT_TOKEN"}
    for messenger in messengers_from_env(others, core.settings):
        core.router.add(messenger)
    fall_back_to_email(core.router.messengers)  # Slack Connect members the bot cannot DM get email


def _run_http(
    app: App,
    signing_secret: str,
    sock: socket.socket,
    health: Callable[[], Health],
    full: Callable[[], bool],
    extra: Sequence[BaseRoute] = (),
) -> None:
    """Serve until the first stop signal (uvicorn handles it: no new connections, requests in flight finish)."""
    server = serving.server(asgi_app(app, signing_secret, health=health, full=full, extra=extra))
    host, port = sock.getsockname()[:2]
    log.info("Slack app listening on http://%s:%s%s", host, port, PATH)
    # uvicorn takes the signals while it serves and raises the one it caught again afterwards: our
    # handler (restored by then) takes that one, so the process goes on to stop gracefully.
    with serving.stop_on_signals():
        asyncio.run(server.serve(sockets=[sock]))


def _run_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except SlackApiError as error:
        raise ConfigError(f"SLACK_APP_TOKEN was refused by Slack ({error_code(error)})") from None
    except CALL_ERRORS as error:
        raise ConfigError(f"cannot open a Socket Mode connection ({error_code(error)})") from None
    log.info("Slack app connected in Socket Mode")
    try:
        with serving.stop_on_signals() as stop:
            stop.wait()
    finally:
        handler.close()  # type: ignore[no-untyped-call]


def serve_slack(
    core: Core,
    environ: Mapping[str, str],
    *,
    http: bool,
    port: int,
    with_scheduler: bool,
    jobs: Callable[[Core], list[Job]],
) -> int:
    """Run until SIGINT/SIGTERM, then stop gracefully. Configuration problems raise ConfigError naming the
    variable. The inbox's workers start before the first request: they first finish what an earlier run
    (crashed or stopped) left unfinished."""
    settings = read_env(environ, http=http)
    serving.configure_logging("slack_sdk", "slack_bolt")
    sock = serving.listen(environ.get("ACTIONBOT_HTTP_HOST") or DEFAULT_HOST, port) if http else None
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack-lazy")
    scheduler: BackgroundScheduler | None = None
    try:
        app = build_app(
            core,
            bot_token=settings.bot_token,
            signing_secret=settings.signing_secret,
            api_url=settings.api_url,
            executor=executor,
            posts_per_minute=settings.posts_per_minute,
        )
        add_email(core, environ)
        core.db.checkpoints.start()
        core.inbox.start()
        if with_scheduler:
            from bot.chasing.scheduler import start

            core.sweeper.start()
            scheduler = start(jobs(core))
        running = scheduler

        def probe() -> Health:
            alive = (lambda: bool(running.running) and core.sweeper.alive()) if running else None
            return check(core, scheduler_alive=alive, inbox_running=True)

        if sock is not None:
            assert settings.signing_secret is not None  # read_env requires it in HTTP mode
            _run_http(
                app, settings.signing_secret, sock, probe, lambda: core.inbox.pressure().full, answer_routes(core)
            )
        else:
            assert settings.app_token is not None
            _run_socket_mode(app, settings.app_token)
    finally:
        with serving.second_signal_exits():
            _stop(core, scheduler, executor)
        if sock is not None:
            sock.close()
    log.info("Slack app stopped")
    return 0


def _stop(core: Core, scheduler: BackgroundScheduler | None, executor: ThreadPoolExecutor) -> None:
    """The graceful part of a stop, after no more requests come in: the inbox's workers finish what they are
    doing (bounded); a sweep in progress hands back what it has not sent. Nothing unfinished is lost: it is
    in the database and is claimed again on the next start."""
    core.chaser.stop_sending()
    if not core.sweeper.stop(serving.DRAIN_SECONDS):
        log.warning("a sweep was still recording what it sent after %s s", serving.DRAIN_SECONDS)
    if not core.inbox.stop(serving.DRAIN_SECONDS):
        log.warning(
            "inbox work still running after %s s: it is picked up again on the next start", serving.DRAIN_SECONDS
        )
    if scheduler is not None:
        scheduler.shutdown(wait=True)
    executor.shutdown(wait=True)
    core.db.checkpoints.stop()
