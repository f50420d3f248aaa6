"""The inbox table's statements: accept a request once, claim it with a lease, finish it with its work.

A request's row is written (and committed) before the platform is told it was received. Workers claim
rows with a lease, as the outbox does (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's write
transactions run one at a time), so several instances share one inbox. The work marks its row done in
the same transaction as its change (``completing``): a crash before that commit leaves the row to be
claimed again once its lease runs out; a crash after it leaves nothing to redo. A worker whose lease ran
out and was taken over cannot commit its change at all (``ClaimLost``), so nothing is done twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, Executable, and_, delete, event, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.db import SQLITE_BUSY_TIMEOUT, Database
from storage.models import InboxItem

PENDING, WORKING, DONE, FAILED = "pending", "working", "done", "failed"
#: How long accepting a request may wait for the database (Slack wants its ack within 3 seconds).
ACCEPT_WAIT_MS = 1500
SQLITE_ACCEPT_WAIT = "PRAGMA busy_timeout=1500"  # the same, for SQLite's busy handler
#: The same for PostgreSQL's locks and statements, set for the accepting transaction in one round trip.
ACCEPT_TIMEOUTS = text("SELECT set_config('lock_timeout', :wait, true), set_config('statement_timeout', :wait, true)")


def _changed(session: Session, statement: Executable) -> int:
    """Rows an INSERT, UPDATE or DELETE changed."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


class ClaimLost(Exception):
    """This worker's lease on a request ran out and another worker took it: its change must not commit."""


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    platform: str
    kind: str
    payload: str
    attempts: int


@dataclass
class Completion:
    """The request whose work runs in this context; ``done`` once a transaction marked it done."""

    item_id: int
    worker: str
    now: datetime
    done: bool = False


# The request being worked on in this thread or task. A context variable, not state shared between
# threads: each worker thread (and each asyncio task) sees only its own.
_current: ContextVar[Completion | None] = ContextVar("actionbot_inbox_completion", default=None)


def accept(
    db: Database,
    key: str,
    platform: str,
    kind: str,
    payload: str,
    now: datetime,
    claim: tuple[str, timedelta] | None = None,
) -> int | None:
    """Write a request's row and commit it; returns its id, or None when the key is already there (a
    re-delivery). ``claim`` (worker, lease): the row is written already claimed by that worker, as ``claim``
    would leave it, for a worker of this process that is waiting for work (one statement fewer)."""
    values = {
        "key": key,
        "platform": platform,
        "kind": kind,
        "payload": payload,
        "status": PENDING,
        "attempts": 0,
        "received_at": now,
        "available_at": now,
    }
    if claim is not None:
        worker, lease = claim
        values.update(status=WORKING, claimed_by=worker, lease_until=now + lease, attempts=1)
    insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
    statement = (
        insert(InboxItem).values(**values).on_conflict_do_nothing(index_elements=["key"]).returning(InboxItem.id)
    )
    # Slack waits 3 seconds for the acknowledgement: a database that cannot take the row within
    # ACCEPT_WAIT_MS fails here, and the request is answered with a status that Slack retries.
    with db.writing(timeout=ACCEPT_WAIT_MS / 1000, urgent=True), db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        sqlite = db.dialect == "sqlite"
        if sqlite and raw is not None:
            raw.execute(SQLITE_ACCEPT_WAIT)
        try:
            with connection.begin():
                if not sqlite:
                    connection.execute(ACCEPT_TIMEOUTS, {"wait": str(ACCEPT_WAIT_MS)})
                inserted = connection.execute(statement).scalar()
        finally:
            if sqlite and raw is not None:
                raw.execute(SQLITE_BUSY_TIMEOUT)
    return inserted


def backlog(db: Database, platforms: Sequence[str] | None = None) -> int:
    """Requests received and not yet done (waiting or being worked on), across every instance; only
    these platforms' when given."""
    query = select(func.count()).select_from(InboxItem).where(InboxItem.status.in_((PENDING, WORKING)))
    if platforms is not None:
        query = query.where(InboxItem.platform.in_(platforms))
    with db.reading() as session:
        return int(session.scalar(query) or 0)


def claim(
    db: Database, worker: str, platforms: Sequence[str], limit: int, now: datetime, lease: timedelta
) -> list[Claimed]:
    """Claim up to ``limit`` requests of these platforms that are due (or whose lease ran out), oldest first."""
    if not platforms:
        return []
    claimable = and_(
        InboxItem.platform.in_(platforms),
        or_(
            and_(InboxItem.status == PENDING, InboxItem.available_at <= now),
            and_(InboxItem.status == WORKING, InboxItem.lease_until < now),
        ),
    )
    due = select(InboxItem.id).where(claimable).order_by(InboxItem.id).limit(limit)
    if db.dialect == "postgresql":
        due = due.with_for_update(skip_locked=True)
    with db.transaction() as session:
        ids = list(session.scalars(due))
        if not ids:
            return []
        rows = session.execute(
            update(InboxItem)
            .where(InboxItem.id.in_(ids), claimable)
            .values(status=WORKING, claimed_by=worker, lease_until=now + lease, attempts=InboxItem.attempts + 1)
            .returning(
                InboxItem.id,
                InboxItem.key,
                InboxItem.platform,
                InboxItem.kind,
                InboxItem.payload,
                InboxItem.attempts,
            )
        ).all()
    claimed = [Claimed(r.id, r.key, r.platform, r.kind, r.payload, r.attempts) for r in rows if r.payload is not None]
    return sorted(claimed, key=lambda c: c.id)


def _finish(session: Session, item_id: int, worker: str, now: datetime, status: str, error: str | None) -> bool:
    statement = (
        update(InboxItem)
        .where(InboxItem.id == item_id, InboxItem.status == WORKING, InboxItem.claimed_by == worker)
        .values(status=status, payload=None, finished_at=now, lease_until=None, last_error=error)
    )
    return _changed(session, statement) == 1


def finish(db: Database, item_id: int, worker: str, now: datetime) -> bool:
    """Mark a request done (its work changed nothing, or already marked it). False if the claim was lost."""
    with db.transaction() as session:
        return _finish(session, item_id, worker, now, DONE, None)


def give_up(db: Database, item_id: int, worker: str, now: datetime, error: str) -> bool:
    """Stop trying a request that kept failing; its body is cleared like a done one's."""
    with db.transaction() as session:
        return _finish(session, item_id, worker, now, FAILED, error[:100])


def retry_later(db: Database, item_id: int, worker: str, at: datetime, error: str) -> None:
    """Hand a request back to be tried again from ``at``."""
    with db.transaction() as session:
        session.execute(
            update(InboxItem)
            .where(InboxItem.id == item_id, InboxItem.status == WORKING, InboxItem.claimed_by == worker)
            .values(status=PENDING, available_at=at, claimed_by=None, lease_until=None, last_error=error[:100])
        )


def release(db: Database, worker: str, ids: Sequence[int]) -> int:
    """Hand back requests this worker claimed but has not started (a graceful stop): not counted as tried."""
    if not ids:
        return 0
    with db.transaction() as session:
        return _changed(
            session,
            update(InboxItem)
            .where(InboxItem.id.in_(ids), InboxItem.status == WORKING, InboxItem.claimed_by == worker)
            .values(status=PENDING, claimed_by=None, lease_until=None, attempts=InboxItem.attempts - 1),
        )


def prune(db: Database, before: datetime) -> int:
    """Delete the rows of requests finished before ``before`` (their bodies are already gone)."""
    with db.transaction() as session:
        return _changed(
            session, delete(InboxItem).where(InboxItem.status.in_((DONE, FAILED)), InboxItem.finished_at < before)
        )


@contextmanager
def completing(item_id: int, worker: str, now: datetime) -> Iterator[Completion]:
    """Within this block, the first write transaction that commits also marks the request done."""
    completion = Completion(item_id, worker, now)
    token = _current.set(completion)
    try:
        yield completion
    finally:
        _current.reset(token)


def _mark_done_before_commit(session: Session) -> None:
    completion = _current.get()
    if completion is None or completion.done or session.info.get("inbox_marked"):
        return
    if session.in_nested_transaction():
        return  # SQLAlchemy calls this hook as a savepoint is released too; the mark belongs in the real commit
    session.info["inbox_marked"] = True
    if not _finish(session, completion.item_id, completion.worker, completion.now, DONE, None):
        raise ClaimLost(f"inbox item {completion.item_id} is no longer claimed by this worker")

    def committed(_: Session) -> None:
        completion.done = True  # only once the commit succeeded: a failed commit leaves the row to retry

    event.listen(session, "after_commit", committed, once=True)


def install(db: Database) -> None:
    """Make ``completing`` work on this database (however often it is asked: the hook is added once)."""
    db.before_each_commit(_mark_done_before_commit)
