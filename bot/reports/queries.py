"""The drift report's sections as SQL, over its scope (bot.reports.scope): the owners' tallies, the
longest-overdue items with their latest notes, the meetings and the delivery problems (docs/drift.md).
Every number is aggregated in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    cast,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from bot.reports.definitions import (
    REASONS,
    DeliveryProblem,
    DriftItem,
    MeetingRow,
    OwnerRow,
    ReasonCounts,
    Tally,
)
from bot.reports.measures import count_if, flag, working_days_late
from bot.reports.scope import ReportScope
from storage.models import OPEN_STATUSES, Action, ActionEvent, Agency, EventContent, Meeting, Nudge, Person

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


class SectionQueries(ReportScope):
    """One report's sections: the SQL for each part, run in one read transaction."""

    # -- tables -----------------------------------------------------------------------------------
    def owner_tallies(self) -> list[tuple[OwnerRow, bool]]:
        """Every owner with open actions or actions done in the period, with their tallies."""
        flags = self.action_flags()
        drifts = or_(*flags.values())
        per_owner = (
            select(
                Action.owner_id.label("owner_id"),
                func.count().label("open"),
                *[count_if(flags[r]).label(r) for r in flags],
                count_if(drifts).label("drifting"),
            )
            .where(self.is_open, *self.scope)
            .group_by(Action.owner_id)
            .subquery()
        )
        done = (
            select(Action.owner_id.label("owner_id"), func.count().label("done"))
            .where(Action.status == "done", Action.closed_at > self.period_start, Action.closed_at <= self.now)
            .where(*self.scope)
            .group_by(Action.owner_id)
            .subquery()
        )
        counts: dict[int, dict[str, int]] = {}
        for row in self.session.execute(select(per_owner)).mappings():
            counts[int(row["owner_id"])] = {k: int(v) for k, v in row.items()}
        for row in self.session.execute(select(done)).mappings():
            counts.setdefault(int(row["owner_id"]), {})["done"] = int(row["done"])
        if not counts:
            return []
        o = self.owner
        people: dict[int, Any] = {}
        ids = sorted(counts)
        for start in range(0, len(ids), 1000):
            rows = self.session.execute(
                select(o.id, o.display_name, Agency.name, o.active, *self.owner_flags().values())
                .outerjoin(Agency, Agency.id == o.agency_id)
                .where(o.id.in_(ids[start : start + 1000]))
            ).all()
            people.update({int(r[0]): r for r in rows})
        result = []
        for owner_id, c in counts.items():
            _, name, agency, active, inactive, unknown = people[owner_id]
            open_ = c.get("open", 0)
            reasons = ReasonCounts(
                overdue=c.get("overdue", 0),
                extended=c.get("extended", 0),
                silent=c.get("silent", 0),
                review_missed=c.get("review_missed", 0),
                owner_inactive=open_ if inactive else 0,
                owner_unknown=open_ if unknown else 0,
                blocked=c.get("blocked", 0),
            )
            drifting = open_ if (inactive or unknown) else c.get("drifting", 0)
            tally = Tally(open_, c.get("overdue", 0), drifting, c.get("done", 0), reasons)
            owner = OwnerRow(owner_id, name, agency, bool(active), not unknown, tally)
            result.append((owner, bool(inactive or unknown)))
        return result

    def median_days_overdue(self) -> float | None:
        """The median working days late of the overdue open actions, from a count per deadline day."""
        if self.dialect == "postgresql":
            day: ColumnElement[Any] = cast(func.timezone(self.cal.zone.key, Action.deadline), Date)
        else:  # SQLite keeps naive UTC text: group by the minute, then find its local day here
            day = func.strftime("%Y-%m-%d %H:%M", Action.deadline)
        rows = self.session.execute(
            select(day.label("day"), func.count())
            .where(self.is_open, Action.deadline < self.now, *self.scope)
            .group_by(day)
        ).all()
        per_day: dict[date, int] = {}
        for value, count in rows:
            if isinstance(value, str):
                value = self.cal.today(datetime.fromisoformat(value).replace(tzinfo=UTC))
            per_day[value] = per_day.get(value, 0) + int(count)
        if not per_day:
            return None
        late = working_days_late(per_day, self.today, self.cal)
        pairs = sorted((late[day], count) for day, count in per_day.items())
        total = sum(count for _, count in pairs)

        def nth(index: int) -> int:  # the index-th value of the multiset, without expanding it
            seen = 0
            for value, count in pairs:
                seen += count
                if index < seen:
                    return value
            raise AssertionError("index beyond the multiset")

        return (nth((total - 1) // 2) + nth(total // 2)) / 2

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

    def meetings(self, limit: int) -> tuple[list[MeetingRow], int]:
        o = self.owner
        flags = self.all_flags()
        per_meeting = (
            select(
                Action.meeting_id.label("meeting_id"),
                func.count().label("open"),
                count_if(flags["overdue"]).label("overdue"),
                count_if(or_(*flags.values())).label("drifting"),
            )
            .join(o, o.id == Action.owner_id)
            .where(self.is_open, Action.meeting_id.is_not(None), *self.scope)
            .group_by(Action.meeting_id)
            .subquery()
        )
        chair = aliased(Person, name="chair")
        rows = self.session.execute(
            select(
                per_meeting.c.meeting_id,
                Meeting.title,
                Meeting.case_ref,
                chair.display_name,
                Meeting.started_at,
                per_meeting.c.open,
                per_meeting.c.overdue,
                per_meeting.c.drifting,
                func.count().over().label("total"),
            )
            .join(Meeting, Meeting.id == per_meeting.c.meeting_id)
            .join(chair, chair.id == Meeting.chair_id)
            .where(per_meeting.c.drifting > 0)
            .order_by(per_meeting.c.drifting.desc(), per_meeting.c.overdue.desc(), per_meeting.c.meeting_id)
            .limit(limit)
        ).all()
        total = int(rows[0][8]) if rows else 0
        return [MeetingRow(r[0], r[1], r[2], r[3], r[4], int(r[5]), int(r[6]), int(r[7])) for r in rows], total

    def delivery(self, limit: int) -> tuple[list[DeliveryProblem], int, int, int]:
        stuck = and_(Nudge.stuck.is_(True), Nudge.status.in_(("pending", "sending")))
        unreachable = and_(Nudge.status == "unreachable", or_(self.is_open, and_(Nudge.sent_at > self.period_start)))
        where = [or_(stuck, unreachable), *self.scope]
        totals = self.session.execute(
            select(count_if(stuck), count_if(Nudge.status == "unreachable"))
            .select_from(Nudge)
            .join(Action, Action.id == Nudge.action_id)
            .where(*where)
        ).one()
        when = func.coalesce(Nudge.sent_at, Nudge.due_at)
        rows = self.session.execute(
            select(
                Nudge.id,
                Nudge.action_id,
                Nudge.step,
                Nudge.status,
                Nudge.recipient_id,
                Nudge.recipient_key,
                Person.display_name,
                Nudge.attempts,
                Nudge.last_error,
                Nudge.sent_at,
                Nudge.due_at,
            )
            .join(Action, Action.id == Nudge.action_id)
            .outerjoin(Person, Person.id == Nudge.recipient_id)
            .where(*where)
            .order_by(when.desc(), Nudge.id.desc())
            .limit(limit)
        ).all()
        problems = []
        for r in rows:
            recipient = r[6] if r[6] is not None else "channel " + str(r[5]).split(":", 2)[-1]
            problems.append(
                DeliveryProblem(
                    nudge_id=r[0],
                    action_id=r[1],
                    ref=f"A-{r[1]}",
                    step=r[2],
                    problem="unreachable" if r[3] == "unreachable" else "stuck",
                    recipient_id=r[4],
                    recipient=recipient,
                    attempts=int(r[7]),
                    last_error=r[8],
                    at=r[9] if r[9] is not None else r[10],
                )
            )
        n_stuck, n_unreachable = int(totals[0]), int(totals[1])
        return problems, n_stuck + n_unreachable, n_stuck, n_unreachable

    # -- the trend --------------------------------------------------------------------------------
