"""The drift report's tallies as SQL: each owner's open, overdue, drifting and done actions with a count
per drift reason (they add up to the agencies' and the headline's), and the median working days overdue
(docs/drift.md). Every number is aggregated in the database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, func, or_, select

from bot.reports.definitions import OwnerRow, ReasonCounts, Tally
from bot.reports.measures import count_if, working_days_late
from bot.reports.scope import ReportScope
from storage.models import Action, Agency


class TallyQueries(ReportScope):
    """How much drifts, and whose: the owners' tallies and the median lateness."""

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
