"""The weekly job: check the action log's hash chain and tell the DSLs when it is broken."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.messages import Message
from bot.records import PersonView
from storage.log import verify_chain
from storage.models import Person

if TYPE_CHECKING:
    from bot.app import Core

log = logging.getLogger("actionbot.weekly")


def _dsls(core: Core) -> list[PersonView]:
    with core.db.reading() as session:
        rows = session.scalars(
            select(Person).where(Person.role.in_(("dsl", "admin")), Person.active.is_(True)).order_by(Person.id)
        ).unique()
        return [PersonView.of(p) for p in rows]


def audit_check(core: Core, now: datetime) -> bool:
    """Verify the chain; on a break, alert every DSL and admin who can be reached. True when intact."""
    with core.db.reading() as session:
        report = verify_chain(session)
    if report.ok:
        log.info("audit: %s events, chain intact", report.checked)
        return True
    log.error("audit: chain broken at event %s", report.broken_seq)
    alert = Message(
        title="actionbot: the action log failed its integrity check",
        text=f"{report.describe()}\nRun `actionbot audit verify` and contact your system administrator.",
    )
    for person in _dsls(core):
        messenger = core.router.for_person(person)
        if messenger is None:
            continue
        try:
            messenger.send_direct(person, alert)
        except Exception:  # the error log above already carries the alarm; keep alerting the others
            log.exception("audit alert to person %s failed", person.id)
    return False


def weekly_job(core: Core) -> Callable[[datetime], object]:
    def run(now: datetime) -> None:
        audit_check(core, now)

    return run
