"""The shared action log: append an event to the hash chain, and verify the chain.

Chain rule: ``hash = sha256(canonical([seq, action_id, kind, actor_id, at, content_digest, prev_hash]))``
with ``content_digest = sha256(canonical({"reason": ..., "details": ...}))``; the first row's
``prev_hash`` is 64 zeros. ``log_head`` holds the last seq and hash; every append locks it, so events
get one order with no gaps, and deleting the newest rows is detected too. Changes queue their events
(``queue_events``) to be appended as their transaction commits, so the lock is held only that long.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as orm_events
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, SessionTransaction

from storage.bulk import insert_rows
from storage.models import ActionEvent, EventContent, LogHead

GENESIS = "0" * 64


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_digest(reason: str | None, details: dict[str, Any] | None) -> str:
    return hashlib.sha256(_canonical({"reason": reason, "details": details})).hexdigest()


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def row_hash(
    seq: int, action_id: int | None, kind: str, actor_id: int | None, at: datetime, digest: str, prev_hash: str
) -> str:
    return hashlib.sha256(_canonical([seq, action_id, kind, actor_id, _instant(at), digest, prev_hash])).hexdigest()


@dataclass(frozen=True)
class NewEvent:
    kind: str
    at: datetime
    action_id: int | None = None
    actor_id: int | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def append_events(session: Session, events: Sequence[NewEvent]) -> list[int]:
    """Append events in order, in the caller's transaction (they commit with the changes they record).

    The head row is locked once for the whole batch; rows are inserted in bulk on the session's connection
    (``storage.bulk``: a sweep appends hundreds at once, where ORM bookkeeping would double the cost).
    Returns their ids."""
    if not events:
        return []
    session.flush()  # Core statements below do not flush the session's pending changes themselves
    connection = session.connection()
    head_seq, prev = connection.execute(
        select(LogHead.seq, LogHead.last_hash).where(LogHead.id == 1).with_for_update()
    ).one()
    seq = head_seq
    rows: list[dict[str, Any]] = []
    for event in events:
        seq += 1
        at = event.at.astimezone(UTC)
        digest = content_digest(event.reason, event.details)
        digest_hash = row_hash(seq, event.action_id, event.kind, event.actor_id, at, digest, prev)
        rows.append(
            {
                "seq": seq, "action_id": event.action_id, "kind": event.kind, "actor_id": event.actor_id, "at": at,
                "content_digest": digest, "prev_hash": prev, "hash": digest_hash,
            }
        )  # fmt: skip
        prev = digest_hash
    insert_rows(connection, ActionEvent, rows)
    # The ids by seq, in one query (COPY returns nothing; INSERT ... RETURNING in parameter order would cost
    # SQLite a statement per row).
    written = connection.execute(select(ActionEvent.seq, ActionEvent.id).where(ActionEvent.seq > head_seq))
    by_seq = {number: event_id for number, event_id in written}
    ids = [by_seq[row["seq"]] for row in rows]
    insert_rows(
        connection,
        EventContent,
        [{"event_id": i, "reason": e.reason, "details": dict(e.details)} for i, e in zip(ids, events, strict=True)],
    )
    connection.execute(update(LogHead).where(LogHead.id == 1).values(seq=seq, last_hash=prev))
    return ids


#: The session's events waiting for its commit (``queue_events``).
_QUEUED = "actionbot_log_queued"


def queue_events(session: Session, events: Sequence[NewEvent]) -> None:
    """Append events when the caller's transaction commits, in the order queued, with whatever else it wrote.

    ``append_events`` locks the log's head row until the commit, so two transactions appending at once take
    turns for everything the first does after its append: a change's outbox planning, its view, its inbox row.
    Queued, the head row is locked only for the append itself and the commit. Not for use inside a savepoint
    that may roll back alone (its events would still be appended); nothing queues events in one."""
    if not events:
        return
    queued = session.info.get(_QUEUED)
    if queued is None:
        queued = session.info[_QUEUED] = []
        orm_events.listen(session, "before_commit", _append_queued)
        orm_events.listen(session, "after_transaction_end", _forget_queued)
    queued.extend(events)


def _append_queued(session: Session) -> None:
    if session.in_nested_transaction():
        return  # called as a savepoint is released too: the events belong in the real commit
    if queued := session.info.get(_QUEUED):
        append_events(session, list(queued))
        queued.clear()


def _forget_queued(session: Session, transaction: SessionTransaction) -> None:
    """The whole transaction is over (committed: already appended; rolled back: not to be appended). A
    savepoint's end changes nothing: SQLAlchemy reports a savepoint rolled back as a rollback too, and the
    events queued before it still belong to the transaction."""
    if transaction.parent is None and (queued := session.info.get(_QUEUED)):
        queued.clear()


def append_event(
    session: Session,
    *,
    kind: str,
    at: datetime,
    action_id: int | None = None,
    actor_id: int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append one event in the caller's transaction; returns its id (not the row: loading it would cost
    every change a query nobody reads)."""
    [event_id] = append_events(session, [NewEvent(kind, at, action_id, actor_id, reason, dict(details or {}))])
    return event_id


#: The log's record of a verification: ``details`` say through which event (seq and hash) it was intact.
CHECKPOINT = "audit_verified"


@dataclass(frozen=True)
class Checkpoint:
    """The last event a verification found intact; the next one starts after it."""

    seq: int
    hash: str


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str | None = None
    #: The first event checked (1 for a full verification) and the last one found intact.
    first: int = 1
    last: Checkpoint | None = None

    def describe(self) -> str:
        if not self.ok:
            return f"BROKEN at event #{self.broken_seq}: {self.problem} ({self.checked} events checked before it)."
        if self.first == 1:
            return f"OK: {self.checked} events, chain intact."
        through = self.last.seq if self.last else self.first - 1
        return (
            f"OK: {self.checked} events since the last verified checkpoint (#{self.first - 1}) checked, chain intact"
            f" through #{through}. Earlier events: actionbot audit verify --full."
        )


def last_checkpoint(session: Session) -> Checkpoint | None:
    """The most recent verification's checkpoint (checkpoints are recent, so this reads the log's tail)."""
    details = session.execute(
        select(EventContent.details)
        .join(ActionEvent, EventContent.event_id == ActionEvent.id)
        .where(ActionEvent.kind == CHECKPOINT)
        .order_by(ActionEvent.seq.desc())
        .limit(1)
    ).scalar_one_or_none()
    if not details:
        return None
    return Checkpoint(int(details["through_seq"]), str(details["through_hash"]))


def record_checkpoint(session: Session, report: ChainReport, at: datetime, *, full: bool) -> None:
    """Append the verification's result to the log (itself chained): the next one starts after it."""
    if report.ok and report.last is not None:
        details = {"through_seq": report.last.seq, "through_hash": report.last.hash, "full": full}
        append_events(session, [NewEvent(CHECKPOINT, at, details=details)])


def verify_chain(session: Session, since: Checkpoint | None = None, batch: int = 2000) -> ChainReport:
    """Walk the log in order and report the first broken link: all of it, or (``since`` a checkpoint) the
    events after it, starting from the hash the checkpoint vouched for.

    An event's reason and details may be missing only where retention removed them: for an event of an
    action with a ``redacted`` tombstone, written before that tombstone. Any content that is present must
    match the digest the event was written with (a content row replaced with empty details does not)."""
    expected_seq = since.seq + 1 if since else 1
    expected_prev = since.hash if since else GENESIS
    if since is not None:
        vouched = session.execute(select(ActionEvent.hash).where(ActionEvent.seq == since.seq)).scalar_one_or_none()
        if vouched != since.hash:
            what = "the event the last verified checkpoint vouched for was changed or removed"
            return ChainReport(False, 0, since.seq, what + " (run actionbot audit verify --full)", expected_seq)
    redacted_at_seq: dict[int | None, int] = {
        action_id: seq
        for action_id, seq in session.execute(
            select(ActionEvent.action_id, func.min(ActionEvent.seq))
            .where(ActionEvent.kind == "redacted", ActionEvent.seq >= expected_seq)
            .group_by(ActionEvent.action_id)
        )
    }
    first, checked = expected_seq, 0
    rows = session.execute(
        select(ActionEvent, EventContent)
        .outerjoin(EventContent, EventContent.event_id == ActionEvent.id)
        .where(ActionEvent.seq >= first)
        .order_by(ActionEvent.seq)
        .execution_options(yield_per=batch)
    )
    for event, content in rows:
        problem: str | None = None
        if event.seq != expected_seq:
            problem = f"expected event #{expected_seq} next, found #{event.seq} (events missing)"
        elif event.prev_hash != expected_prev:
            problem = "its link to the previous event does not match (an earlier event was changed or removed)"
        elif event.hash != row_hash(
            event.seq, event.action_id, event.kind, event.actor_id, event.at, event.content_digest, event.prev_hash
        ):
            problem = "the event's own fields were changed after it was written"
        elif content is not None and content_digest(content.reason, content.details) != event.content_digest:
            problem = "its reason or details were changed after it was written"
        elif content is None and not event.seq < redacted_at_seq.get(event.action_id, 0):
            problem = "its reason and details are missing and no retention record explains why"
        if problem:
            broken = event.seq if event.seq == expected_seq else expected_seq
            return ChainReport(False, checked, broken, problem, first)
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = session.execute(select(LogHead).where(LogHead.id == 1)).scalar_one()
    last = expected_seq - 1
    if head.seq != last or head.last_hash != expected_prev:
        return ChainReport(False, checked, last + 1, f"the log ends at #{last} but its head says #{head.seq}", first)
    return ChainReport(True, checked, first=first, last=Checkpoint(last, expected_prev) if last else None)
