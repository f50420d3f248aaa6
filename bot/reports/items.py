"""The drift report's items as SQL: the drifting actions, longest overdue first, each with all its reasons
and the latest reason or note given on it, so that the DSL need not open each action's history
(docs/drift.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select, union_all
from sqlalchemy.orm import aliased

from bot.reports.definitions import REASONS, DriftItem
from bot.reports.measures import flag, working_days_late
from bot.reports.scope import ReportScope
from storage.models import OPEN_STATUSES, Action, ActionEvent, Agency, EventContent, Meeting, Person

#: The events whose reason is shown on a drifting action, with how the report names each.
NOTE_KINDS = {
    "blocked": "Blocked",
    "unblocked": "Unblocked",
    "extended": "Extended",
    "brought_forward": "Brought forward",
    "acknowledged": "On track",
    "commented": "Comment",
    "reassigned": "Reassigned",
    "reopened": "Reopened",
    "reviewed": "Reviewed",
}
NOTE_LENGTH = 200


class ItemQueries(ReportScope):
    """The drifting actions themselves, with their latest notes."""

    def items(self, limit: int) -> list[DriftItem]:
        """The drifting actions, longest overdue first (then soonest due), at most ``limit``."""
        o = self.owner
        creator = aliased(Person, name="creator")
        flags = self.all_flags()

        def first_of(status: str) -> Any:
            # One ordered walk per status along the (status, deadline) index, stopping at ``limit``
            # drifting actions, rather than testing every open action and sorting them all.
            return (
                select(Action.id, Action.deadline)
                .join(o, o.id == Action.owner_id)
                .where(Action.status == status, or_(*flags.values()), *self.scope)
                .order_by(Action.deadline, Action.id)
                .limit(limit)
                .subquery()
            )

        heads = union_all(*(select(first_of(status)) for status in OPEN_STATUSES)).subquery()
        chosen = select(heads.c.id).order_by(heads.c.deadline, heads.c.id).limit(limit)
        rows = self.session.execute(
            select(
                Action.id,
                Action.task,
                Action.status,
                o.id,
                o.display_name,
                Agency.name,
                Action.case_ref,
                Action.meeting_id,
                Meeting.title,
                creator.display_name,
                Action.created_at,
                Action.deadline,
                Action.review_on,
                Action.extensions,
                Action.owner_active_at,
                o.away_from,
                o.away_until,
                *[flag(flags[r]) for r in REASONS],
            )
            .join(o, o.id == Action.owner_id)
            .join(creator, creator.id == Action.created_by_id)
            .outerjoin(Agency, Agency.id == o.agency_id)
            .outerjoin(Meeting, Meeting.id == Action.meeting_id)
            .where(Action.id.in_(chosen))
            .order_by(Action.deadline, Action.id)
        ).all()
        notes = self.latest_notes([r[0] for r in rows])
        deadline_days = {self.cal.today(r[11]) for r in rows if r[11] < self.now}
        late = working_days_late(deadline_days, self.today, self.cal)
        items = []
        for r in rows:
            reasons = tuple(reason for reason, flag in zip(REASONS, r[17:], strict=True) if flag)
            away_from, away_until = r[15], r[16]
            away = away_until is not None and (away_from or self.today) <= self.today <= away_until
            items.append(
                DriftItem(
                    action_id=r[0],
                    ref=f"A-{r[0]}",
                    task=r[1],
                    status=r[2],
                    owner_id=r[3],
                    owner=r[4],
                    agency=r[5],
                    case_ref=r[6],
                    meeting_id=r[7],
                    meeting_title=r[8],
                    recorded_by=r[9],
                    created_at=r[10],
                    deadline=r[11],
                    review_on=r[12],
                    extensions=r[13],
                    owner_active_at=r[14],
                    days_late=late[self.cal.today(r[11])] if r[11] < self.now else None,
                    reasons=reasons,
                    latest_note=notes.get(r[0]),
                    owner_away_until=away_until if away else None,
                )
            )
        return items

    def latest_notes(self, action_ids: Sequence[int]) -> dict[int, str]:
        """Each action's latest reason or note (a block's reason, an extension's, the owner's comment), as
        "Blocked: waiting for GP records", so that the DSL need not open each action's history."""
        if not action_ids:
            return {}
        said = and_(
            ActionEvent.action_id.in_(action_ids),
            ActionEvent.kind.in_(tuple(NOTE_KINDS)),
            EventContent.reason.is_not(None),
            EventContent.reason != "",
        )
        latest = (
            select(ActionEvent.action_id, func.max(ActionEvent.seq).label("seq"))
            .join(EventContent, EventContent.event_id == ActionEvent.id)
            .where(said)
            .group_by(ActionEvent.action_id)
            .subquery()
        )
        rows = self.session.execute(
            select(latest.c.action_id, ActionEvent.kind, EventContent.reason)
            .join(ActionEvent, ActionEvent.seq == latest.c.seq)
            .join(EventContent, EventContent.event_id == ActionEvent.id)
        )
        notes = {}
        for action_id, kind, reason in rows:
            text = " ".join(str(reason).split())
            text = text if len(text) <= NOTE_LENGTH else text[: NOTE_LENGTH - 1] + "\u2026"
            notes[action_id] = f"{NOTE_KINDS[kind]}: {text}"
        return notes
