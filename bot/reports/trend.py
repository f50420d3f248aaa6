"""The drift report's 8-week trend, rebuilt from the hash-chained action log: at each week's end it replays
which actions were open or blocked, which deadline was in force, how many extensions had been made and
whether the action had been reviewed (docs/drift.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    and_,
    case,
    cast,
    extract,
    false,
    func,
    literal,
    or_,
    select,
)

from bot.reports.definitions import MOVES, TREND_REASONS, TrendPoint
from bot.reports.measures import count_if, week_ends
from bot.reports.queries import SectionQueries
from storage.models import Action, ActionEvent, EventContent


class TrendQueries(SectionQueries):
    """The sections, and the trend over the weeks."""

    def _epoch(self, column: Any) -> ColumnElement[int]:
        """Whole seconds since 1970 (UTC) of a timestamp column, on either backend."""
        if self.dialect == "postgresql":
            return cast(func.floor(extract("epoch", column)), BigInteger)
        return cast(func.strftime("%s", column), BigInteger)

    def _epoch_of_text(self, text: ColumnElement[Any]) -> ColumnElement[int]:
        """The same for an ISO 8601 string with an offset (an extension's ``from`` in the log)."""
        if self.dialect == "postgresql":
            return cast(func.floor(extract("epoch", cast(text, DateTime(timezone=True)))), BigInteger)
        return cast(func.strftime("%s", text), BigInteger)

    def trend(self, weeks: int, *, replay_all: bool = False) -> list[TrendPoint]:
        """The trend's measures at each week's end and now, rebuilt from the action log.

        Only actions that could be open at one of the moments take part: recorded by the last one and
        not closed (for the last time) before the first one. They are split in two:

        - *steady* actions, whose history inside the window the actions table already tells: never
          blocked, unblocked or reopened, and not extended or reviewed since the first moment. Each is
          open from its ``created`` event to its ``completed``/``cancelled`` event (``created_at`` and
          ``closed_at``), and its deadline, extension count and review are the same at every moment. They
          are counted with one GROUP BY over the moment each change falls in (``_steady``);
        - the others are replayed from their events (``_replayed``).

        ``replay_all`` replays every candidate (the tests check both ways agree).
        """
        moments = [*week_ends(self.cal, self.now, weeks), self.now]
        first = moments[0]
        candidates = [
            Action.created_at <= self.now,
            or_(Action.closed_at.is_(None), Action.closed_at > first),
            *self.scope,
        ]
        # Blocked, unblocked or reopened at any time; extended or reviewed since the first moment.
        changed = select(ActionEvent.action_id).where(
            ActionEvent.kind.in_(("blocked", "unblocked", "reopened")), ActionEvent.action_id.is_not(None)
        )
        steady = and_(
            Action.id.not_in(changed),
            or_(Action.extensions == 0, Action.deadline_set_at <= first),
            or_(Action.reviewed_at.is_(None), Action.reviewed_at <= first),
        )
        unsteady = or_(
            Action.id.in_(changed),
            and_(Action.extensions > 0, Action.deadline_set_at > first),
            Action.reviewed_at > first,
        )
        totals = {measure: [0] * len(moments) for measure in ("open", "drifting", *TREND_REASONS)}
        if replay_all:
            parts = [self._replayed(moments, candidates)]
        else:
            parts = [self._steady(moments, [*candidates, steady]), self._replayed(moments, [*candidates, unsteady])]
        for part in parts:
            for measure, counts in part.items():
                totals[measure] = [a + b for a, b in zip(totals[measure], counts, strict=True)]
        points = []
        for k, moment in enumerate(moments):
            current = k == len(moments) - 1
            points.append(
                TrendPoint(
                    at=moment,
                    week_ending=self.today if current else self.cal.today(moment) - timedelta(days=1),
                    current=current,
                    open=totals["open"][k],
                    drifting=totals["drifting"][k],
                    overdue=totals["overdue"][k],
                    blocked=totals["blocked"][k],
                    extended=totals["extended"][k],
                    review_missed=totals["review_missed"][k],
                )
            )
        return points

    def _steady(self, moments: Sequence[datetime], where: Sequence[ColumnElement[bool]]) -> dict[str, list[int]]:
        """Steady actions, counted by the moment each of their changes falls in.

        Per action, in SQL: ``born``, the first moment at or after its creation; ``closed``, the first
        moment at or after it was closed; ``late``, the first moment after its deadline; ``review``, the
        first moment whose day is after its review date (when it has not been reviewed). Then here, per
        group: open at moment k when born <= k < closed, overdue when also k >= late, and so on."""
        count = len(moments)

        def first_at_or_after(column: Any) -> ColumnElement[int]:  # the number of moments before it
            return case(*[(column <= m, k) for k, m in enumerate(moments)], else_=count)

        def first_after(column: Any) -> ColumnElement[int]:
            return case(*[(column < m, k) for k, m in enumerate(moments)], else_=count)

        days = [self.cal.today(m) for m in moments]
        born = first_at_or_after(Action.created_at).label("born")
        closed = case((Action.closed_at.is_(None), count), else_=first_at_or_after(Action.closed_at)).label("closed")
        late = first_after(Action.deadline).label("late")
        review = case(
            (or_(Action.review_on.is_(None), Action.reviewed_at.is_not(None)), count),
            *[(Action.review_on < day, k) for k, day in enumerate(days)],
            else_=count,
        ).label("review")
        threshold = self.cfg.extensions_threshold
        # (A constant would be read as a column number in SQLite's GROUP BY: leave it out when the rule is off.)
        extended = [(Action.extensions >= threshold).label("extended")] if threshold > 0 else []
        keys = [born, closed, late, review, *extended]
        groups = self.session.execute(select(*keys, func.count()).where(*where).group_by(*keys)).all()
        totals = {measure: [0] * count for measure in ("open", "drifting", *TREND_REASONS)}
        for group in groups:
            born_k, closed_k, late_k, review_k = group[:4]
            is_extended, number = (group[4], group[5]) if extended else (False, group[4])
            for k in range(born_k, closed_k):
                reasons = {
                    "overdue": k >= late_k,
                    "extended": bool(is_extended),
                    "review_missed": k >= review_k,
                    "blocked": False,
                }
                totals["open"][k] += number
                totals["drifting"][k] += number if any(reasons.values()) else 0
                for reason, applies in reasons.items():
                    totals[reason][k] += number if applies else 0
        return totals

    def _replayed(self, moments: Sequence[datetime], where: Sequence[ColumnElement[bool]]) -> dict[str, list[int]]:
        """Replay the event log at each moment, in one aggregate query.

        Per action and moment T, over its status events, extensions and reviews:

        - status at T: the kind of its last status event at or before T. The last one is found with
          ``max(seq * 8 + code)``, a standard trick to carry a value along with an arg-max in a plain
          aggregate (SQLite has no arrays and no FIRST_VALUE aggregate); ``% 8`` reads the code back.
        - deadline at T: the ``from`` of its first extension after T (that extension moved it away),
          read with ``min(seq * 2^32 + epoch(from))`` in the same way; else its current deadline.
        - extensions made by T, and whether a ``reviewed`` event came by T.
        """
        e = ActionEvent
        status_kinds = ("created", "reopened", "unblocked", "completed", "cancelled", "blocked")
        code = case(
            (e.kind.in_(("created", "reopened", "unblocked")), 1),
            (e.kind == "completed", 2),
            (e.kind == "cancelled", 3),
            (e.kind == "blocked", 4),
            else_=0,
        )
        shift = literal(2**32, BigInteger)
        seq = cast(e.seq, BigInteger)
        moved_from = select(self._epoch_of_text(EventContent.details["from"].as_string())).where(
            EventContent.event_id == e.id
        )
        events = (
            select(
                e.action_id,
                e.at,
                case((e.kind.in_(status_kinds), seq * 8 + code)).label("status_key"),
                case((e.kind == "extended", 1), else_=0).label("extension"),
                case((e.kind == "reviewed", 1), else_=0).label("review"),
                case((e.kind.in_(MOVES), seq * shift + moved_from.scalar_subquery())).label("moved_key"),
                Action.review_on,
                self._epoch(Action.deadline).label("deadline"),
            )
            .join(Action, Action.id == e.action_id)
            .where(e.kind.in_((*status_kinds, *MOVES, "reviewed")), *where)
            .cte("replay_events")
            # Worked out once per event (PostgreSQL would otherwise inline it into every aggregate below).
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        ev = events.c
        columns: list[ColumnElement[Any]] = [
            func.max(ev.review_on).label("review_on"),
            func.max(ev.deadline).label("deadline"),
        ]
        for k, moment in enumerate(moments):
            columns += [
                func.max(case((ev.at <= moment, ev.status_key))).label(f"st{k}"),
                func.sum(case((ev.at <= moment, ev.extension), else_=0)).label(f"ex{k}"),
                func.max(case((ev.at <= moment, ev.review), else_=0)).label(f"rv{k}"),
                func.min(case((ev.at > moment, ev.moved_key))).label(f"dl{k}"),
            ]
        per_action = select(*columns).group_by(ev.action_id).subquery()
        c = per_action.c
        sums: list[ColumnElement[Any]] = []
        threshold = self.cfg.extensions_threshold
        for k, moment in enumerate(moments):
            status = c[f"st{k}"] % 8
            open_ = status.in_((1, 4))
            deadline = func.coalesce(c[f"dl{k}"] % shift, c.deadline)
            reasons = {
                "overdue": and_(open_, deadline < math.ceil(moment.timestamp())),
                "blocked": status == 4,
                "extended": and_(open_, c[f"ex{k}"] >= threshold) if threshold > 0 else false(),
                "review_missed": and_(
                    open_, c.review_on.is_not(None), c.review_on < self.cal.today(moment), c[f"rv{k}"] == 0
                ),
            }
            sums += [count_if(open_).label(f"open{k}"), count_if(or_(*reasons.values())).label(f"drifting{k}")]
            sums += [count_if(condition).label(f"{reason}{k}") for reason, condition in reasons.items()]
        row = self.session.execute(select(*sums).select_from(per_action)).mappings().one()
        return {
            measure: [int(row[f"{measure}{k}"]) for k in range(len(moments))]
            for measure in ("open", "drifting", *TREND_REASONS)
        }
