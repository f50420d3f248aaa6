"""Exports of the action log: actions (current state), events, a person's data (subject access) and a
case chronology, as CSV, JSON lines or JSON. Every record carries the OFFICIAL-SENSITIVE marking.

Rows are streamed from the database in batches, so an export of a large log uses little memory. What
may be exported is decided by bot.actions.authz (the caller passes the visibility condition); that an export
happened, by whom and of what, is itself written to the action log by the CLI.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, aliased

from storage.models import Action, ActionEvent, Agency, EventContent, Meeting, Nudge, Person, StatutoryStep

MARKING = "OFFICIAL-SENSITIVE"
ACTION_COLUMNS = (
    "marking", "ref", "task", "owner", "owner_email", "owner_agency", "deadline", "review_on", "case_ref",
    "status", "meeting", "created_by", "created_at", "extensions", "closed_at",
)  # fmt: skip
EVENT_COLUMNS = ("marking", "seq", "at", "action", "kind", "actor", "reason", "details", "hash")
CHRONOLOGY_COLUMNS = ("marking", "seq", "at", "action", "task", "case_ref", "kind", "actor", "reason", "details")


def action_rows(
    session: Session, where: ColumnElement[bool] | None = None, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    owner, creator = aliased(Person), aliased(Person)
    query = (
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
    if where is not None:
        query = query.where(where)
    for row in session.execute(query.execution_options(yield_per=batch)):
        (aid, task, owner_name, email, agency, deadline, review, case, status, meeting, by, created, ext, closed) = row
        yield {
            "marking": MARKING,
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
    session: Session, where: ColumnElement[bool] | None = None, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    """Events in log order, each with its action's task and case reference (for chronologies)."""
    query = (
        select(
            ActionEvent, EventContent.reason, EventContent.details, Person.display_name, Action.task, Action.case_ref
        )
        .outerjoin(EventContent, EventContent.event_id == ActionEvent.id)
        .outerjoin(Person, Person.id == ActionEvent.actor_id)
        .outerjoin(Action, Action.id == ActionEvent.action_id)
        .order_by(ActionEvent.seq)
    )
    if where is not None:
        query = query.where(where)
    for event, reason, details, actor, task, case_ref in session.execute(query.execution_options(yield_per=batch)):
        yield {
            "marking": MARKING,
            "seq": event.seq,
            "at": event.at.isoformat(),
            "action": f"A-{event.action_id}" if event.action_id else None,
            "task": task,
            "case_ref": case_ref,
            "kind": event.kind,
            "actor": actor or "actionbot",
            "reason": reason,
            "details": details,
            "hash": event.hash,
        }


def _person_record(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.display_name,
        "email": person.email,
        "handle": person.handle,
        "agency": person.agency.name if person.agency else None,
        "slack_user_id": person.slack_user_id,
        "teams_object_id": person.teams_object_id,
        "timezone": person.timezone,
        "role": person.role,
        "active": person.active,
        "created_at": person.created_at.isoformat(),
        "working_days": person.working_days,
        "digest": person.digest,
        "away_from": person.away_from.isoformat() if person.away_from else None,
        "away_until": person.away_until.isoformat() if person.away_until else None,
        "cover_id": person.cover_id,
    }


def _changes_to(session: Session, kind: str, person_id: int) -> list[dict[str, Any]]:
    """The person's ``role_changed``, ``person_changed``, ``away_set`` or ``away_ended`` events. Few rows,
    filtered here: reading a JSON field in SQL differs between SQLite and PostgreSQL."""
    return [
        row
        for row in event_rows(session, ActionEvent.kind == kind)
        if (row["details"] or {}).get("person_id") == person_id
    ]


def subject_access(session: Session, person: Person, now: datetime) -> dict[str, Any]:
    """Everything held about one person: their details, the actions they own or recorded, every event
    they made or that concerns those actions, the changes made to their role and record, their leave as
    set and ended, and every message the bot sent them."""
    owned = Action.owner_id == person.id
    recorded = Action.created_by_id == person.id
    concerned = select(Action.id).where(or_(owned, recorded))
    messages = session.execute(
        select(Nudge.action_id, Nudge.step, Nudge.due_at, Nudge.status, Nudge.sent_at, Nudge.channel)
        .where(Nudge.recipient_id == person.id)
        .order_by(Nudge.due_at, Nudge.id)
    )
    return {
        "marking": MARKING,
        "kind": "subject access export",
        "generated_at": now.isoformat(),
        "subject": _person_record(person),
        "actions_owned": list(action_rows(session, owned)),
        "actions_recorded": list(action_rows(session, recorded)),
        "events": list(
            event_rows(session, or_(ActionEvent.actor_id == person.id, ActionEvent.action_id.in_(concerned)))
        ),
        "role_changes": _changes_to(session, "role_changed", person.id),
        "record_changes": _changes_to(session, "person_changed", person.id),
        "leave": sorted(
            _changes_to(session, "away_set", person.id) + _changes_to(session, "away_ended", person.id),
            key=lambda row: row["seq"],
        ),
        "messages_sent_to_them": [
            {
                "action": f"A-{action_id}",
                "step": step,
                "due_at": due.isoformat(),
                "status": status,
                "sent_at": sent.isoformat() if sent else None,
                "channel": channel,
            }
            for action_id, step, due, status, sent, channel in messages
        ],
    }


def _step_rows(session: Session, case_ref: str) -> list[dict[str, Any]]:
    steps = session.scalars(
        select(StatutoryStep).where(StatutoryStep.case_ref == case_ref).order_by(StatutoryStep.due_on)
    ).unique()
    return [
        {
            "ref": s.ref,
            "meeting_id": s.meeting_id,
            "task": s.task,
            "condition": s.condition,
            "clock": s.clock,
            "basis": s.basis,
            "source": s.source,
            "due_on": s.due_on.isoformat(),
            "status": s.status,
            "action": f"A-{s.action_id}" if s.action_id else None,
            "reason": s.reason,
            "met_by_meeting_id": s.met_meeting_id,
        }
        for s in steps
    ]


def case_chronology(session: Session, case_ref: str, where: ColumnElement[bool], now: datetime) -> dict[str, Any]:
    """A case's meetings (with their type), the statutory steps they set off and what became of each, its
    actions and every event about them or its steps, in the order they happened."""
    in_case = Action.case_ref == case_ref
    meetings = session.execute(
        select(Meeting.id, Meeting.title, Meeting.kind, Meeting.started_at, Meeting.ended_at)
        .where(Meeting.case_ref == case_ref)
        .order_by(Meeting.started_at)
    )
    about_actions = ActionEvent.action_id.in_(select(Action.id).where(in_case & where))
    # a step's own events (dismissed, met) name its case in their details, which no dialect-neutral SQL reads
    step_events = ActionEvent.kind.in_(("step_dismissed", "step_met")) & ActionEvent.action_id.is_(None)
    events = [
        row
        for row in event_rows(session, or_(about_actions, step_events))
        if row["action"] is not None or (row["details"] or {}).get("case_ref") == case_ref
    ]
    return {
        "marking": MARKING,
        "kind": "case chronology",
        "case_ref": case_ref,
        "generated_at": now.isoformat(),
        "meetings": [
            {
                "id": mid,
                "title": title,
                "type": kind or "other",
                "started_at": start.isoformat(),
                "ended_at": end.isoformat() if end else None,
            }
            for mid, title, kind, start, end in meetings
        ],
        "statutory_steps": _step_rows(session, case_ref),
        "actions": list(action_rows(session, in_case & where)),
        "events": events,
    }


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def spreadsheet_safe(value: Any) -> Any:
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
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
        count += 1
    return count


def _flatten(document: dict[str, Any], sections: tuple[str, ...]) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """One CSV table from a JSON document: a row per record, its section named in ``record``."""
    rows: list[dict[str, Any]] = []
    for section in sections:
        value = document.get(section)
        records = value if isinstance(value, list) else [value] if value else []
        rows.extend({"marking": MARKING, "record": section, **record} for record in records)
    columns: dict[str, None] = {"marking": None, "record": None}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return rows, tuple(columns)


@dataclass(frozen=True)
class ExportRequest:
    """What to export: ``actions`` | ``events`` | ``person`` | ``case`` in ``csv`` | ``jsonl`` | ``json``."""

    what: str
    fmt: str
    person_id: int | None = None
    case_ref: str | None = None


def export(session: Session, request: ExportRequest, visible: ColumnElement[bool], out: IO[str], now: datetime) -> int:
    """Write the export; returns the number of records. ``visible`` is bot.actions.authz's condition for the caller."""
    if request.what in ("actions", "events"):
        if request.fmt == "json":
            raise ValueError("actions and events export as csv or jsonl")
        if request.what == "actions":
            rows = action_rows(session, visible)
        else:
            rows = event_rows(session, ActionEvent.action_id.in_(select(Action.id).where(visible)))
        if request.fmt == "jsonl":
            return write_jsonl(rows, out)
        return write_csv(rows, ACTION_COLUMNS if request.what == "actions" else EVENT_COLUMNS, out)
    if request.fmt == "jsonl":
        raise ValueError("a subject access export or a case chronology is one document: use json or csv")
    if request.what == "person":
        assert request.person_id is not None
        document = subject_access(session, session.get_one(Person, request.person_id), now)
        sections: tuple[str, ...] = (
            "subject", "actions_owned", "actions_recorded", "events", "role_changes", "record_changes", "leave",
            "messages_sent_to_them",
        )  # fmt: skip
    else:
        assert request.case_ref is not None
        document = case_chronology(session, request.case_ref, visible, now)
        sections = ("meetings", "statutory_steps", "actions", "events")
    if request.fmt == "json":
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        rows_, columns = _flatten(document, sections)
        write_csv(rows_, columns, out)
    return sum(len(document[s]) if isinstance(document[s], list) else 1 for s in sections)
