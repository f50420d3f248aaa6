"""Claiming due nudges: the chaser's half that takes rows from the outbox under a lease.

One statement selects up to a batch of due rows (and rows whose lease ran out), locking them with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite's write transactions run one at a time), marks them
``sending`` for this worker until the lease ends and returns them; the same transaction prepares them for
the sender (``bot.chasing.preparing``), so a row is handed to one worker only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, Update, and_, bindparam, or_, select, update

from bot.chasing.outbound import Job
from bot.chasing.preparing import CLAIMED_COLUMNS, Claimed, Preparing
from bot.chasing.recording import LEASE
from storage.db import Database
from storage.models import Nudge


def claimable(now: datetime | ColumnElement[Any], at: datetime | ColumnElement[Any]) -> ColumnElement[bool]:
    """Rows due by ``now``, and rows whose lease ran out by ``at`` (the real clock)."""
    return or_(
        and_(Nudge.status == "pending", Nudge.due_at <= now),
        and_(Nudge.status == "sending", Nudge.lease_until < at),
    )


@cache
def _claim(postgresql: bool) -> Update:
    """The claim, built once (a sweep that finds nothing due costs little more than the one statement).

    One statement: the CTE picks (and on PostgreSQL locks, skipping rows another worker is claiming right
    now) the candidates; the update claims them and returns them: no round trip, no list of ids sent back.
    A MATERIALIZED CTE, not ``IN (subquery)``: PostgreSQL may pull a subquery up into a join and scan it
    again, locking more rows than the limit (it did in our tests); a materialized CTE is run once.
    PostgreSQL checks each row is still claimable as it updates it; on SQLite, in the one write transaction
    (they begin IMMEDIATE, so claims run one at a time), the candidates are, and the check would make it scan
    every due row rather than look up the chosen ones."""
    due_rows = claimable(bindparam("now", type_=Nudge.due_at.type), bindparam("at", type_=Nudge.due_at.type))
    due = select(Nudge.id).where(due_rows).order_by(Nudge.due_at, Nudge.id).limit(bindparam("limit", type_=Integer))
    if postgresql:
        due = due.with_for_update(skip_locked=True)
    chosen = Nudge.id.in_(select(due.cte("due").prefix_with("MATERIALIZED").c.id))
    return (
        update(Nudge)
        .where(and_(chosen, due_rows) if postgresql else chosen)
        .values(
            status="sending",
            claimed_by=bindparam("worker", type_=Nudge.claimed_by.type),
            lease_until=bindparam("lease_until", type_=Nudge.lease_until.type),
            attempts=Nudge.attempts + 1,
        )
        .returning(*CLAIMED_COLUMNS)
    )


class Claiming(Preparing):
    """Claims batches of due rows for this worker (``_take``)."""

    db: Database
    worker: str
    clock: Callable[[], datetime]

    def _take(self, now: datetime, limit: int) -> tuple[list[int], list[Job]]:
        """Atomically claim up to ``limit`` due rows (and rows whose lease ran out) for this worker, and
        prepare them for sending, in one transaction. Returns the claimed ids and the jobs to send."""
        at = max(now, self.clock())  # leases run on the real clock, also in a sweep for another moment
        values = {"now": now, "at": at, "limit": limit, "worker": self.worker, "lease_until": at + LEASE}
        with self.db.transaction() as session:
            # On the session's connection: plain rows back, without the ORM's bulk-update bookkeeping.
            rows = session.connection().execute(_claim(self.db.dialect == "postgresql"), values)
            claimed = sorted((Claimed._make(row) for row in rows), key=lambda row: row.id)
            if not claimed:
                return [], []
            return [row.id for row in claimed], self._prepare(session, claimed, now)
