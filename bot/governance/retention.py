"""Retention: remove the personal data of actions closed longer than their retention period.

What goes: the task text, the reason and details of every event of the action (its history's words),
its delivery records and request keys, and, once all its actions are gone, the meeting's title and
participant list. What stays: the action's reference, dates, status, case reference and people links,
and every event row with its hash, so the log still proves its order and completeness. A ``redacted``
tombstone event records what was removed, when, and under which rule; ``actionbot audit verify``
accepts missing event contents only for actions that carry such a tombstone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from bot.config import RetentionSettings
from storage.db import Database
from storage.log import NewEvent, append_events
from storage.models import Action, ActionEvent, EventContent, Meeting, MeetingParticipant, Nudge, RequestKey

REMOVED = "[removed under the retention policy]"


@dataclass(frozen=True)
class Expired:
    action_id: int
    status: str
    closed_at: datetime
    rule: str

    @property
    def ref(self) -> str:
        return f"A-{self.action_id}"


def _rules(cfg: RetentionSettings) -> dict[str, int]:
    return {"done": cfg.done_days, "cancelled": cfg.cancelled_days}


def find_expired(session: Session, cfg: RetentionSettings, now: datetime, limit: int = 10_000) -> list[Expired]:
    conditions = [
        and_(Action.status == status, Action.closed_at < now - timedelta(days=days))
        for status, days in _rules(cfg).items()
    ]
    rows = session.execute(
        select(Action.id, Action.status, Action.closed_at)
        .where(Action.redacted_at.is_(None), or_(*conditions))
        .order_by(Action.closed_at, Action.id)
        .limit(limit)
    )
    found = []
    for action_id, status, closed_at in rows:
        assert closed_at is not None  # the query selects closed actions only
        days = _rules(cfg)[status]
        found.append(Expired(action_id, status, closed_at, f"{status} actions are kept {days} days after closing"))
    return found


def _redact(session: Session, items: list[Expired], now: datetime) -> None:
    ids = [item.action_id for item in items]
    event_ids = select(ActionEvent.id).where(ActionEvent.action_id.in_(ids))
    session.execute(delete(EventContent).where(EventContent.event_id.in_(event_ids)))
    session.execute(delete(Nudge).where(Nudge.action_id.in_(ids)))
    session.execute(delete(RequestKey).where(RequestKey.action_id.in_(ids)))
    session.execute(update(Action).where(Action.id.in_(ids)).values(task=REMOVED, redacted_at=now))
    append_events(
        session,
        [
            NewEvent(
                "redacted",
                now,
                item.action_id,
                None,
                None,
                {
                    "rule": item.rule,
                    "closed_at": item.closed_at.isoformat(),
                    "removed": ["task", "the reasons and details of its events", "its delivery records"],
                },
            )
            for item in items
        ],
    )
    # A meeting all of whose actions are gone loses its title and participant list too.
    live = exists(select(Action.id).where(Action.meeting_id == Meeting.id, Action.redacted_at.is_(None)))
    spent = select(Meeting.id).where(
        Meeting.id.in_(select(Action.meeting_id).where(Action.id.in_(ids))), Meeting.ended_at.is_not(None), ~live
    )
    spent_ids = list(session.scalars(spent))
    if spent_ids:
        session.execute(delete(MeetingParticipant).where(MeetingParticipant.meeting_id.in_(spent_ids)))
        session.execute(update(Meeting).where(Meeting.id.in_(spent_ids)).values(title=REMOVED))


def apply_retention(
    db: Database, cfg: RetentionSettings, now: datetime, *, dry_run: bool = False, batch: int = 500
) -> list[Expired]:
    """Redact every expired action (in batches, one transaction each); returns what was (or would be) done."""
    if dry_run:
        with db.reading() as session:
            return find_expired(session, cfg, now)
    done: list[Expired] = []
    while True:
        with db.transaction() as session:
            items = find_expired(session, cfg, now, limit=batch)
            if not items:
                return done
            _redact(session, items, now)
        done.extend(items)
