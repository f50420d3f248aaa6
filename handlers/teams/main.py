"""``actionbot serve teams --port N``: the Teams bot at /api/messages (and /api/webhook when configured),
with the chase sweep and weekly report in the same process unless --no-scheduler."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable, Mapping
from types import FrameType
from typing import TYPE_CHECKING, Any

from bot.app import Core
from bot.health import check
from handlers import serving
from handlers.email.transports import email_transport_from_env
from handlers.teams.app import TeamsBot, create_app
from handlers.teams.conversations import ConversationStore
from handlers.teams.directory import GraphDirectory, TeamsDirectory, warm_up
from handlers.teams.graph import app_only_graph
from handlers.teams.logs import quiet_sdk_logs
from handlers.teams.messenger import build_messengers
from handlers.teams.reviews import ReviewCalendar
from handlers.teams.runner import LoopRunner
from handlers.teams.settings import TeamsSettings, load
from handlers.web.page import PREFIX, AnswerPage

if TYPE_CHECKING:
    from msgraph.graph_service_client import GraphServiceClient

    from bot.chasing.scheduler import Job

log = logging.getLogger("actionbot.teams")

#: Where the bot listens (all interfaces unless ACTIONBOT_HTTP_HOST says otherwise).
DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - a server: every request is verified (Bot Framework token or HMAC)


class _Signals:
    """SIGINT/SIGTERM before the server runs stop start-up cleanly; once it runs, uvicorn handles them (a
    graceful shutdown) and then re-raises them, which must not kill the process before our clean-up."""

    def __init__(self) -> None:
        self.server: list[Any] = []
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.server and self.server[0].started:
            return  # uvicorn has shut down gracefully already
        raise SystemExit(0)

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._handle) for sig in (signal.SIGINT, signal.SIGTERM)}
        return self

    def __exit__(self, *_: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def _leave_jobs(core: Core, settings: TeamsSettings, graph: GraphServiceClient | None, runner: LoopRunner) -> list[Job]:
    """The daily read of Outlook automatic replies (TEAMS_OUTLOOK_LEAVE), before the 09:00 reminders."""
    if not settings.outlook_leave or graph is None:
        return []
    from bot.chasing.scheduler import daily
    from handlers.teams.leave import OutlookLeave, sync_outlook_leave

    reader = OutlookLeave(graph, runner, core.calendar.zone)
    read = "leave read from Outlook automatic replies"
    return [
        daily(
            "outlook-leave",
            read,
            lambda now: sync_outlook_leave(core, reader, now),
            zone=core.settings.timezone,
            hour=7,
        )
    ]


def serve_teams(
    core: Core,
    environ: Mapping[str, str],
    *,
    port: int,
    with_scheduler: bool,
    jobs: Callable[[Core], list[Job]],
) -> int:
    """Run until SIGINT/SIGTERM. Configuration problems raise ConfigError naming the variable."""
    settings = load(environ)
    settings.require_bot()
    serving.configure_logging()
    quiet_sdk_logs()
    host = environ.get("ACTIONBOT_HTTP_HOST", "").strip() or DEFAULT_HOST
    sock = serving.listen(host, port)
    runner = LoopRunner()
    scheduler = None
    try:
        with _Signals() as signals:
            graph = app_only_graph(settings.graph) if settings.graph is not None else None
            store = ConversationStore(core.db, settings.service_url)
            for messenger in build_messengers(
                settings,
                runner,
                store=store,
                today=lambda: core.calendar.today(core.service.clock()),
                graph=graph,
                email=email_transport_from_env(environ, core.settings),
                minimal=core.settings.email.body == "minimal",
            ):
                core.router.add(messenger)
            directory = TeamsDirectory(GraphDirectory(graph, runner) if graph is not None else None)
            core.commands.add_directory("teams", directory)
            reviews = (
                ReviewCalendar(graph, runner, core.settings.timezone)
                if settings.calendar_reviews and graph is not None
                else None
            )
            if graph is None:
                log.warning("Microsoft Graph is not configured: no directory, activity feed or email")
            else:
                warm_up()
            app = create_app(settings)
            bot = TeamsBot(core, settings, app=app, store=store, directory=directory, reviews=reviews)
            core.db.checkpoints.start()
            if with_scheduler:
                from bot.chasing.scheduler import start

                core.sweeper.start()
                scheduler = start(jobs(core) + _leave_jobs(core, settings, graph, runner))
            running = scheduler
            bot.http_app.add_api_route(
                "/healthz",
                serving.health_endpoint(
                    lambda: check(
                        core,
                        scheduler_alive=(lambda: bool(running.running) and core.sweeper.alive()) if running else None,
                        inbox_running=False,
                    )
                ),
                methods=["GET"],
            )
            if core.links is not None:  # the page emailed answer links open (handlers.web)
                bot.http_app.mount(PREFIX, AnswerPage(core.links).asgi())
            address = sock.getsockname()
            log.info("actionbot serving Microsoft Teams on http://%s:%s/api/messages", address[0], address[1])
            asyncio.run(bot.serve(host, address[1], sockets=[sock], server=signals.server))
    finally:
        with serving.second_signal_exits():
            core.chaser.stop_sending()
            core.sweeper.stop(serving.DRAIN_SECONDS)
            if scheduler is not None:
                scheduler.shutdown(wait=True)
            runner.close()
            core.db.checkpoints.stop()
        sock.close()
        log.info("actionbot (Teams) stopped")
    return 0
