"""Wiring: build the core's objects from settings, once, and hand them to whoever runs (CLI, servers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.actions.answer_links import MIN_SECRET, AnswerLinks
from bot.actions.commands import Commands
from bot.actions.ports import Messenger
from bot.actions.service import ActionService
from bot.capture.dates import WorkCalendar, utcnow
from bot.chasing.delivery import Router
from bot.chasing.runner import SweepRunner
from bot.chasing.sweep import Chaser
from bot.config import ConfigError, Settings
from bot.inbox import Inbox
from storage.db import Database
from storage.migrate import require_current


@dataclass
class Core:
    settings: Settings
    db: Database
    calendar: WorkCalendar
    router: Router
    chaser: Chaser
    service: ActionService
    commands: Commands
    inbox: Inbox
    #: Sweeps in its own thread when woken; started by whoever runs the scheduler.
    sweeper: SweepRunner
    #: Emailed answer links and their page's use case (None: ACTIONBOT_PUBLIC_URL is not set).
    links: AnswerLinks | None = None


def build_core(
    settings: Settings,
    *,
    db: Database | None = None,
    clock: Callable[[], datetime] = utcnow,
    messengers: Sequence[Messenger] = (),
    check_schema: bool = True,
    link_secret: str | None = None,
) -> Core:
    """The core over a migrated database. Raises storage.migrate.NotMigrated on an un-migrated one.

    ``messengers`` are the ways of reaching people, in order of preference; adapters can add theirs to
    ``core.router`` later (the Slack app, once its client exists)."""
    database = db or Database.from_url(settings.database_url)
    if check_schema:
        require_current(database.engine)
    calendar = WorkCalendar.from_settings(settings)
    router = Router(messengers)
    chaser = Chaser(database, settings, calendar, router, clock)
    service = ActionService(database, settings, calendar, clock, listeners=[chaser])
    inbox = Inbox(database, settings.inbox)
    links = None
    if settings.public_url:
        if not link_secret or len(link_secret) < MIN_SECRET:
            raise ConfigError(
                f"setting ACTIONBOT_LINK_SECRET: ACTIONBOT_PUBLIC_URL needs a secret of at least {MIN_SECRET} "
                "characters to sign answer links (e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        links = AnswerLinks(
            database, service, link_secret, settings.public_url, max_age_days=settings.email.link_days, clock=clock
        )
        chaser.answer_link = links.link
    return Core(
        settings,
        database,
        calendar,
        router,
        chaser,
        service,
        Commands(service, reachable=router.channels_for),
        inbox,
        SweepRunner(lambda: chaser.sweep(), chaser.stop_sending),
        links,
    )
