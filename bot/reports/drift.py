"""The DSL drift report, as data: what is drifting now, where, and how drift has moved over the weeks.

An open action (status open or blocked) is *drifting* when any of these holds (docs/drift.md):

- ``overdue``: its deadline has passed;
- ``extended``: its deadline has been extended ``drift.extensions_threshold`` (2) times or more;
- ``silent``: no event from its owner for ``drift.silence_working_days`` (10) working days (counted from
  the owner's last event, or from when the action was recorded or handed to them);
- ``review_missed``: its review date has passed and nobody has marked it reviewed;
- ``owner_inactive``: its owner has been made inactive;
- ``owner_unknown``: its owner has no Slack id, no Teams id and no email (nobody can chase them);
- ``blocked``: it is marked blocked.

Every number is computed in the database with aggregate queries (GROUP BY over the actions and the
action log), so a report over a million actions loads only the aggregated rows and the capped lists
(the longest-overdue drifting actions, the owners and meetings with the most drift) into Python. The
totals are always exact; only the lists are capped, and each list says how many rows it has in all.

The 8-week trend is rebuilt from the hash-chained event log, not from the actions' current state: at
each week's end (Monday 00:00 local) it replays which actions were open or blocked (created, completed,
cancelled, reopened, blocked, unblocked events), which deadline was in force (the ``from`` of the first
extension after that moment, else the current deadline), how many extensions had been made and whether
the action had been reviewed. The trend therefore counts the reasons ``overdue``, ``blocked``,
``extended`` and ``review_missed``; ``silent`` and the owner reasons are not in it (the people table
keeps no history of who was active or reachable, and an owner's silence depends on who owned the action
at the time). Its last point, "now", is computed the same way, so it is comparable with the weeks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import (
    text,
)

from bot.capture.dates import WorkCalendar, ensure_aware
from bot.config import Settings
from bot.reports.definitions import (
    DELIVERY_LIMIT,
    ITEM_LIMIT,
    MEETING_LIMIT,
    NO_AGENCY,
    OWNER_LIMIT,
    REPORT_PERIOD,
    AgencyRow,
    DriftReport,
    Headline,
    OwnerRow,
    Tally,
    Thresholds,
)
from bot.reports.filters import DriftFilters
from bot.reports.statutory import statutory_rows, statutory_tallies
from bot.reports.trend import TrendQueries
from storage.db import Database


def _agency_rows(owners: Sequence[OwnerRow]) -> list[AgencyRow]:
    by_agency: dict[str, Tally] = {}
    for owner in owners:
        key = owner.agency or NO_AGENCY
        by_agency[key] = by_agency.get(key, Tally()) + owner.tally
    ordered = sorted(by_agency.items(), key=lambda kv: (-kv[1].drifting, -kv[1].open, kv[0] == NO_AGENCY, kv[0]))
    return [AgencyRow(name, tally) for name, tally in ordered]


# PostgreSQL settings for the report's transaction only (see build_report).
_REPORT_SETTINGS = (
    text("SET LOCAL jit = off"),
    text("SET LOCAL work_mem = '64MB'"),
    text("SET LOCAL random_page_cost = 1.1"),
)


def build_report(
    db: Database,
    settings: Settings,
    calendar: WorkCalendar,
    now: datetime,
    filters: DriftFilters,
    *,
    item_limit: int = ITEM_LIMIT,
    owner_limit: int = OWNER_LIMIT,
    meeting_limit: int = MEETING_LIMIT,
    delivery_limit: int = DELIVERY_LIMIT,
) -> DriftReport:
    """The drift report at ``now`` for the actions the filters select. Reads only; anyone calling it
    must have checked that the person asking may see reports (bot.actions.authz.may_report)."""
    now = ensure_aware(now).astimezone(UTC)
    with db.reading() as session:
        if db.dialect == "postgresql":
            # Every query of the report sees the same snapshot, so its totals and lists agree. For this
            # transaction only: its wide aggregates gain nothing from JIT compilation (which costs more than
            # they take), they sort in memory, and index lookups into the log are priced as on SSD or cache
            # (the default assumes spinning disks and would scan the whole log to replay a few actions).
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            for setting in _REPORT_SETTINGS:
                session.execute(setting)
        builder = TrendQueries(session, settings, calendar, now, filters)
        tallies = builder.owner_tallies()
        owners = [row for row, _ in tallies]
        total = sum((row.tally for row in owners), Tally())
        median = builder.median_days_overdue()
        items = builder.items(item_limit)
        drifting_owners = sorted(
            (row for row in owners if row.tally.drifting),
            key=lambda r: (-r.tally.drifting, -r.tally.overdue, r.name.lower(), r.person_id),
        )
        meetings, meetings_total = builder.meetings(meeting_limit)
        trend = builder.trend(settings.drift.trend_weeks)
        delivery, delivery_total, stuck, unreachable = builder.delivery(delivery_limit)
        notes = tuple(builder.notes)
        statutory = statutory_rows(session, calendar, calendar.today(now), now - REPORT_PERIOD, filters)
    cfg = settings.drift
    return DriftReport(
        generated_at=now,
        timezone=calendar.zone.key,
        today=calendar.today(now),
        period_start=now - REPORT_PERIOD,
        filters=filters,
        thresholds=Thresholds(cfg.extensions_threshold, cfg.silence_working_days, cfg.trend_weeks),
        headline=Headline(total.open, total.overdue, total.drifting, total.done_this_week, median),
        reasons=total.reasons,
        items=tuple(items),
        agencies=tuple(_agency_rows(owners)),
        owners=tuple(drifting_owners[:owner_limit]),
        owners_total=len(drifting_owners),
        meetings=tuple(meetings),
        meetings_total=meetings_total,
        trend=tuple(trend),
        delivery=tuple(delivery),
        delivery_total=delivery_total,
        stuck_total=stuck,
        unreachable_total=unreachable,
        notes=notes,
        statutory=tuple(statutory),
        statutory_by=tuple(statutory_tallies(statutory)),
    )
