"""``actionbot serve slack``: run the Slack app in Socket Mode (default) or HTTP mode, with the scheduler."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.app import Core
from bot.config import ConfigError
from handlers.slack.app import build_app
from handlers.slack.client import CALL_ERRORS, error_code
from handlers.slack.env import read_env
from handlers.slack.server import PATH, serve_http

if TYPE_CHECKING:
    from bot.scheduler import Job

log = logging.getLogger("actionbot.slack")

#: Where HTTP mode listens (all interfaces unless ACTIONBOT_HTTP_HOST says otherwise).
DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - a server: every request is verified by its Slack signature


def _configure_logging() -> None:
    """INFO to stderr unless the host application configured logging; the SDKs' chatter (which can
    include payloads at debug level) stays at WARNING."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM (handlers restored afterwards)."""
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_http(app: App, signing_secret: str, host: str, port: int, stop: threading.Event) -> None:
    try:
        server = serve_http(app, signing_secret, host, port)
    except OSError as error:
        raise ConfigError(f"--port {port}: cannot listen on {host}:{port} ({error.strerror})") from None
    thread = threading.Thread(target=server.serve_forever, name="slack-http", daemon=True)
    thread.start()
    log.info("Slack app listening on http://%s:%s%s", host, server.server_port, PATH)
    try:
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _run_socket_mode(app: App, app_token: str, stop: threading.Event) -> None:
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
    """Run until SIGINT/SIGTERM. Configuration problems raise ConfigError naming the variable."""
    settings = read_env(environ, http=http)
    _configure_logging()
    executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="slack-work")
    try:
        app = build_app(
            core,
            bot_token=settings.bot_token,
            signing_secret=settings.signing_secret,
            api_url=settings.api_url,
            executor=executor,
        )
        scheduler = None
        if with_scheduler:
            from bot.scheduler import start

            scheduler = start(jobs(core))
        try:
            with _stop_on_signals() as stop:
                if http:
                    assert settings.signing_secret is not None  # read_env requires it in HTTP mode
                    host = environ.get("ACTIONBOT_HTTP_HOST") or DEFAULT_HOST
                    _run_http(app, settings.signing_secret, host, port, stop)
                else:
                    assert settings.app_token is not None
                    _run_socket_mode(app, settings.app_token, stop)
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=True)
    finally:
        executor.shutdown(wait=True)
    log.info("Slack app stopped")
    return 0
