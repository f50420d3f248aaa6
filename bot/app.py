"""Wiring: build the core's objects from settings, once, and hand them to whoever runs (CLI, servers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.commands import Commands
from bot.config import Settings
from bot.dates import WorkCalendar, utcnow
from bot.service import ActionService
from storage.db import Database
from storage.migrate import require_current


@dataclass
class Core:
    settings: Settings
    db: Database
    calendar: WorkCalendar
    service: ActionService
    commands: Commands


def build_core(
    settings: Settings,
    *,
    db: Database | None = None,
    clock: Callable[[], datetime] = utcnow,
    check_schema: bool = True,
) -> Core:
    """The core over a migrated database. Raises storage.migrate.NotMigrated on an un-migrated one."""
    database = db or Database.from_url(settings.database_url)
    if check_schema:
        require_current(database.engine)
    calendar = WorkCalendar.from_settings(settings)
    service = ActionService(database, settings, calendar, clock)
    return Core(settings, database, calendar, service, Commands(service))
