"""``/healthz`` for a load balancer: the database answers, its schema is current, the workers are alive.

Platform-neutral: each server (Slack HTTP mode, Teams) mounts it and says whether it runs a scheduler.
The answer names states and counts only, never data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text

from bot.app import Core
from storage.migrate import current_revision, head_revision


@dataclass(frozen=True)
class Health:
    ok: bool
    checks: dict[str, str] = field(default_factory=dict)
    backlog: int | None = None

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "checks": self.checks, "inbox_backlog": self.backlog}


def check(core: Core, *, scheduler_alive: Callable[[], bool] | None, inbox_running: bool) -> Health:
    """Each check is "ok" or a short reason. ``scheduler_alive`` is None where no scheduler runs here."""
    checks: dict[str, str] = {}
    backlog: int | None = None
    try:
        with core.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
        current = current_revision(core.db.engine) == head_revision()
        checks["migrations"] = "ok" if current else "not current"
        if current:  # an older schema may have no inbox table yet
            backlog = core.inbox.pressure().backlog
    except Exception as error:  # any failure to reach the database is the answer, not a crash
        checks["database"] = f"unreachable ({error.__class__.__name__})"
    if scheduler_alive is not None:
        checks["scheduler"] = "ok" if scheduler_alive() else "stopped"
    if inbox_running:
        checks["inbox"] = "ok" if core.inbox.alive() else "stopped"
    return Health(all(value == "ok" for value in checks.values()), checks, backlog)
