"""Exports of the action log: actions (current state) and events, as CSV or JSON lines.

Rows are streamed from the database in batches, so an export of a large log uses little memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from storage.models import Action, ActionEvent, Agency, EventContent, Meeting, Person

ACTION_COLUMNS = (
    "ref", "task", "owner", "owner_email", "owner_agency", "deadline", "review_on", "case_ref", "status",
    "meeting", "created_by", "created_at", "extensions", "closed_at",
)  # fmt: skip
EVENT_COLUMNS = ("seq", "at", "action", "kind", "actor", "reason", "details", "hash")


def action_rows(
    session: Session, query: Select[tuple[Action]] | None = None, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    owner, creator = aliased(Person), aliased(Person)
    base = (
        select(
            Action.id,
            Action.task,
            owner.display_name,
            owner.email,
            Agency.name,
            Action.deadline,
            Action.review_on,
            Action.case_ref,
            Action.status,
            Meeting.title,
            creator.display_name,
            Action.created_at,
            Action.extensions,
            Action.closed_at,
        )
        .join(owner, owner.id == Action.owner_id)
        .join(creator, creator.id == Action.created_by_id)
        .outerjoin(Agency, Agency.id == owner.agency_id)
        .outerjoin(Meeting, Meeting.id == Action.meeting_id)
        .order_by(Action.id)
    )
    if query is not None:
        base = base.where(Action.id.in_(query.with_only_columns(Action.id).scalar_subquery()))
    for row in session.execute(base.execution_options(yield_per=batch)):
        (aid, task, owner_name, email, agency, deadline, review, case, status, meeting, by, created, ext, closed) = row
        yield {
            "ref": f"A-{aid}",
            "task": task,
            "owner": owner_name,
            "owner_email": email,
            "owner_agency": agency,
            "deadline": deadline.isoformat(),
            "review_on": review.isoformat() if review else None,
            "case_ref": case,
            "status": status,
            "meeting": meeting,
            "created_by": by,
            "created_at": created.isoformat(),
            "extensions": ext,
            "closed_at": closed.isoformat() if closed else None,
        }


def event_rows(
    session: Session, action_ids: Select[tuple[int]] | None = None, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    query = (
        select(ActionEvent, EventContent.reason, EventContent.details, Person.display_name)
        .outerjoin(EventContent, EventContent.event_id == ActionEvent.id)
        .outerjoin(Person, Person.id == ActionEvent.actor_id)
        .order_by(ActionEvent.seq)
    )
    if action_ids is not None:
        query = query.where(ActionEvent.action_id.in_(action_ids.scalar_subquery()))
    for event, reason, details, actor in session.execute(query.execution_options(yield_per=batch)):
        yield {
            "seq": event.seq,
            "at": event.at.isoformat(),
            "action": f"A-{event.action_id}" if event.action_id else None,
            "kind": event.kind,
            "actor": actor or "actionbot",
            "reason": reason,
            "details": details if details is not None else None,
            "hash": event.hash,
        }


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
        count += 1
    return count


def _cell(value: Any) -> Any:
    """Flatten JSON values, and defuse spreadsheet formulas (a cell starting =, +, -, @ would run in Excel)."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(rows: Iterable[dict[str, Any]], columns: tuple[str, ...], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
        count += 1
    return count
