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

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
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
    text,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from bot.actions.people import find_person
from bot.capture.dates import WorkCalendar, ensure_aware
from bot.capture.grammar import OwnerRef
from bot.config import DriftSettings, Settings
from storage.db import Database
from storage.models import OPEN_STATUSES, Action, ActionEvent, Agency, EventContent, Meeting, Nudge, Person

MARKING = "OFFICIAL-SENSITIVE"

#: Every reason an action can drift for, in the order reports show them.
REASONS: tuple[str, ...] = (
    "overdue",
    "extended",
    "silent",
    "review_missed",
    "owner_inactive",
    "owner_unknown",
    "blocked",
)
#: The reasons the weekly trend rebuilds from the event log.
TREND_REASONS: tuple[str, ...] = ("overdue", "blocked", "extended", "review_missed")
#: Events that move a deadline (each records "from" and "to"); only "extended" counts as an extension.
MOVES = ("extended", "brought_forward")

#: How many rows each list carries (the totals beside them are exact).
ITEM_LIMIT = 100
OWNER_LIMIT = 50
MEETING_LIMIT = 10
DELIVERY_LIMIT = 50
#: "Done this week" is the 7 days up to the report's moment.
REPORT_PERIOD = timedelta(days=7)
NO_AGENCY = "(no agency)"


def reason_label(reason: str, cfg: DriftSettings) -> str:
    """How a reason reads in a report."""
    labels = {
        "overdue": "Overdue",
        "extended": f"Deadline extended {cfg.extensions_threshold} or more times",
        "silent": f"No update from the owner for {cfg.silence_working_days} working days",
        "review_missed": "Review date passed without a review",
        "owner_inactive": "Owner is inactive",
        "owner_unknown": "Owner cannot be reached (no Slack, Teams or email)",
        "blocked": "Blocked",
    }
    return labels[reason]


#: Short column headings for tables.
REASON_HEADINGS: dict[str, str] = {
    "overdue": "Overdue",
    "extended": "Extended",
    "silent": "Silent",
    "review_missed": "Review missed",
    "owner_inactive": "Owner inactive",
    "owner_unknown": "Owner unknown",
    "blocked": "Blocked",
}


# =================================================================================================
# The report's shape
# =================================================================================================
@dataclass(frozen=True)
class DriftFilters:
    """Which actions a report covers. Every filter is optional; they combine with AND."""

    agency: str | None = None  # the owner's agency, by name (case-insensitive)
    meeting_id: int | None = None
    case_ref: str | None = None  # upper case, without '#'
    chair: OwnerRef | None = None  # recorded the action, or chaired its meeting
    since: date | None = None  # recorded on or after (local date)
    until: date | None = None  # recorded on or before (local date)

    @property
    def empty(self) -> bool:
        return self == DriftFilters()

    def describe(self) -> str:
        """'agency Police; case CR-1042' (or 'all actions')."""
        parts = []
        if self.agency:
            parts.append(f"agency {self.agency}")
        if self.meeting_id is not None:
            parts.append(f"meeting {self.meeting_id}")
        if self.case_ref:
            parts.append(f"case {self.case_ref}")
        if self.chair is not None:
            parts.append(f"chair {self.chair.label or self.chair.value}")
        if self.since:
            parts.append(f"recorded from {self.since.isoformat()}")
        if self.until:
            parts.append(f"recorded until {self.until.isoformat()}")
        return "; ".join(parts) or "all actions"


@dataclass(frozen=True)
class ReasonCounts:
    """How many open actions drift for each reason (an action with two reasons counts in both)."""

    overdue: int = 0
    extended: int = 0
    silent: int = 0
    review_missed: int = 0
    owner_inactive: int = 0
    owner_unknown: int = 0
    blocked: int = 0

    def get(self, reason: str) -> int:
        value = getattr(self, reason)
        assert isinstance(value, int)
        return value

    def __add__(self, other: ReasonCounts) -> ReasonCounts:
        return ReasonCounts(**{r: self.get(r) + other.get(r) for r in REASONS})


@dataclass(frozen=True)
class Tally:
    """One row of the per-agency and per-owner tables."""

    open: int = 0
    overdue: int = 0
    drifting: int = 0
    done_this_week: int = 0
    reasons: ReasonCounts = field(default_factory=ReasonCounts)

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.open + other.open,
            self.overdue + other.overdue,
            self.drifting + other.drifting,
            self.done_this_week + other.done_this_week,
            self.reasons + other.reasons,
        )


@dataclass(frozen=True)
class Headline:
    open: int
    overdue: int
    drifting: int
    done_this_week: int
    #: The median of the overdue actions' working days late (None when nothing is overdue).
    median_days_overdue: float | None


@dataclass(frozen=True)
class DriftItem:
    """One drifting action with all its reasons."""

    action_id: int
    ref: str
    task: str
    status: str
    owner_id: int
    owner: str
    agency: str | None
    case_ref: str | None
    meeting_id: int | None
    meeting_title: str | None
    recorded_by: str
    created_at: datetime
    deadline: datetime
    review_on: date | None
    extensions: int
    owner_active_at: datetime
    #: Working days between the deadline's day and today (None when not overdue).
    days_late: int | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class AgencyRow:
    agency: str
    tally: Tally


@dataclass(frozen=True)
class OwnerRow:
    person_id: int
    name: str
    agency: str | None
    active: bool
    reachable: bool
    tally: Tally


@dataclass(frozen=True)
class MeetingRow:
    meeting_id: int
    title: str
    case_ref: str | None
    chair: str
    started_at: datetime
    open: int
    overdue: int
    drifting: int


@dataclass(frozen=True)
class TrendPoint:
    """The drifting count (trend reasons only) at the end of one week, or now for the last point."""

    at: datetime
    #: The last day of the week (Sunday); for the "now" point, today.
    week_ending: date
    current: bool
    open: int
    drifting: int
    overdue: int
    blocked: int
    extended: int
    review_missed: int


@dataclass(frozen=True)
class DeliveryProblem:
    """A nudge that is stuck (failing, still retried) or could not be delivered (nobody to send it to)."""

    nudge_id: int
    action_id: int
    ref: str
    step: str
    problem: str  # "stuck" | "unreachable"
    recipient_id: int | None
    recipient: str
    attempts: int
    last_error: str | None
    at: datetime


@dataclass(frozen=True)
class Thresholds:
    extensions: int
    silence_working_days: int
    trend_weeks: int


@dataclass(frozen=True)
class DriftReport:
    generated_at: datetime
    timezone: str
    today: date
    period_start: datetime
    filters: DriftFilters
    thresholds: Thresholds
    headline: Headline
    reasons: ReasonCounts
    #: The drifting actions, longest overdue first (then soonest due); at most ITEM_LIMIT of them.
    items: tuple[DriftItem, ...]
    agencies: tuple[AgencyRow, ...]
    #: Owners with drifting actions, most drift first; at most OWNER_LIMIT of ``owners_total``.
    owners: tuple[OwnerRow, ...]
    owners_total: int
    #: Meetings with drifting actions, most drift first; at most MEETING_LIMIT of ``meetings_total``.
    meetings: tuple[MeetingRow, ...]
    meetings_total: int
    trend: tuple[TrendPoint, ...]
    delivery: tuple[DeliveryProblem, ...]
    delivery_total: int
    stuck_total: int
    unreachable_total: int
    notes: tuple[str, ...] = ()
    marking: str = MARKING

    @property
    def items_total(self) -> int:
        return self.headline.drifting


# =================================================================================================
# Parsing /drift's argument and one-line summaries
# =================================================================================================
_MEETING = re.compile(r"^(?:meeting|mtg|m)\s*#?\s*(\d{1,9})$", re.IGNORECASE)
_CASE = re.compile(r"^(?:case\s+)?#\s*([A-Za-z0-9][A-Za-z0-9/_\-]{0,39})$", re.IGNORECASE)
_CASE_WORD = re.compile(r"^case\s+([A-Za-z0-9][A-Za-z0-9/_\-]{0,39})$", re.IGNORECASE)
_AGENCY = re.compile(r"^agency\s+(.+)$", re.IGNORECASE)


def parse_filter_text(text: str) -> DriftFilters:
    """``/drift [agency|#CASEREF|meeting]``: ``#CR-1042`` (or ``case CR-1042``) is a case reference;
    ``12`` or ``meeting 12`` a meeting; ``agency NAME`` or any other text an agency's name; nothing
    means no filter. It never raises: text that names nothing gives an empty report that says so."""
    words = " ".join(text.split())[:200]
    if not words:
        return DriftFilters()
    if words.isdigit() and len(words) <= 9:
        return DriftFilters(meeting_id=int(words))
    if match := _MEETING.match(words):
        return DriftFilters(meeting_id=int(match.group(1)))
    if match := _CASE.match(words) or _CASE_WORD.match(words):
        return DriftFilters(case_ref=match.group(1).upper())
    if match := _AGENCY.match(words):
        return DriftFilters(agency=match.group(1))
    return DriftFilters(agency=words)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"


def nudge_count(number: int) -> str:
    """'1 nudge', '2 nudges'."""
    return f"{number} nudge" if number == 1 else f"{number} nudges"


def headline_text(report: DriftReport) -> str:
    """One line: '3 drifting of 5 open actions · 2 overdue (median 4 working days) · 1 done in 7 days'."""
    h = report.headline
    overdue = f"{h.overdue} overdue"
    if h.median_days_overdue is not None:
        overdue += f" (median {_number(h.median_days_overdue)} working days late)"
    scope = "" if report.filters.empty else f" [{report.filters.describe()}]"
    line = (
        f"{h.drifting} drifting of {h.open} open actions \u00b7 {overdue} \u00b7 "
        f"{h.done_this_week} done in the last 7 days{scope}"
    )
    if report.delivery_total:
        line += f" \u00b7 {nudge_count(report.delivery_total)} not delivered"
    return line


# =================================================================================================
# Building it
# =================================================================================================
def silence_cutoff(cal: WorkCalendar, today: date, working_days: int) -> datetime:
    """The instant before which an owner's last event means silence.

    An owner is silent when ``cal.working_days_between(day of their last event, today) >= n``. Walking
    back from today to the day where n working days have been counted gives the first day that is
    *not* silent; its local midnight is the cutoff (``owner_active_at < cutoff`` is silence)."""
    day = today
    counted = 0
    while True:
        if cal.is_working_day(day):
            counted += 1
            if counted == working_days:
                return cal.at(day, time(0))
        day -= timedelta(days=1)


def week_ends(cal: WorkCalendar, now: datetime, weeks: int) -> list[datetime]:
    """The ends of the last ``weeks`` weeks (Monday 00:00 local), oldest first."""
    today = cal.today(now)
    monday = today - timedelta(days=today.weekday())
    return [cal.at(monday - timedelta(weeks=back), time(0)) for back in reversed(range(weeks))]


def _working_days_late(days: Iterable[date], today: date, cal: WorkCalendar) -> dict[date, int]:
    """Working days in (day, today] for each day, walking the calendar once (not once per day)."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    result: dict[date, int] = {}
    counted = 0
    cursor = today
    for day in reversed(wanted):  # latest first: count working days back from today
        while cursor > day:
            if cal.is_working_day(cursor):
                counted += 1
            cursor -= timedelta(days=1)
        result[day] = counted if day <= today else 0
    return result


def _case(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _sum(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(_case(condition)), 0)


def _blank(column: Any) -> ColumnElement[bool]:
    return func.coalesce(column, "") == ""


class _Builder:
    """One report: the SQL for each part, run in one read transaction."""

    def __init__(
        self, session: Session, settings: Settings, cal: WorkCalendar, now: datetime, filters: DriftFilters
    ) -> None:
        self.session = session
        self.settings = settings
        self.cfg = settings.drift
        self.cal = cal
        self.now = now
        self.filters = filters
        self.today = cal.today(now)
        self.period_start = now - REPORT_PERIOD
        self.dialect = session.get_bind().dialect.name
        self.notes: list[str] = []
        self.owner = aliased(Person, name="owner")
        self.scope = self._scope()

    # -- filters ----------------------------------------------------------------------------------
    def _scope(self) -> list[ColumnElement[bool]]:
        f, s = self.filters, self.session
        conditions: list[ColumnElement[bool]] = []
        if f.agency and f.agency.strip():
            name = " ".join(f.agency.split())
            agency_id = s.scalar(select(Agency.id).where(func.lower(Agency.name) == name.lower()))
            if agency_id is None:
                known = ", ".join(s.scalars(select(Agency.name).order_by(Agency.name).limit(30)))
                listed = f" Agencies: {known}." if known else ""
                self.notes.append(f"No agency is called \u201c{name}\u201d.{listed}")
                conditions.append(false())
            else:
                conditions.append(Action.owner_id.in_(select(Person.id).where(Person.agency_id == agency_id)))
        if f.meeting_id is not None:
            if s.get(Meeting, f.meeting_id) is None:
                self.notes.append(f"There is no meeting {f.meeting_id}.")
            conditions.append(Action.meeting_id == f.meeting_id)
        if f.case_ref:
            case_ref = f.case_ref.strip().lstrip("#").upper()
            if s.scalar(select(Action.id).where(Action.case_ref == case_ref).limit(1)) is None:
                self.notes.append(f"No action has the case reference {case_ref}.")
            conditions.append(Action.case_ref == case_ref)
        if f.chair is not None:
            chair = find_person(s, f.chair)
            if chair is None:
                self.notes.append(f"Nobody known as {f.chair.label or f.chair.value} has recorded or chaired actions.")
                conditions.append(false())
            else:
                chaired = select(Meeting.id).where(Meeting.chair_id == chair.id)
                conditions.append(or_(Action.created_by_id == chair.id, Action.meeting_id.in_(chaired)))
        if f.since:
            conditions.append(Action.created_at >= self.cal.at(f.since, time(0)))
        if f.until:
            conditions.append(Action.created_at < self.cal.at(f.until + timedelta(days=1), time(0)))
        return conditions

    # -- the drift conditions, as SQL -------------------------------------------------------------
    def action_flags(self) -> dict[str, ColumnElement[bool]]:
        """The reasons that depend on the action alone (the owner's are added with a join)."""
        cfg = self.cfg
        flags: dict[str, ColumnElement[bool]] = {"overdue": Action.deadline < self.now}
        flags["extended"] = Action.extensions >= cfg.extensions_threshold if cfg.extensions_threshold > 0 else false()
        if cfg.silence_working_days > 0:
            flags["silent"] = Action.owner_active_at < silence_cutoff(self.cal, self.today, cfg.silence_working_days)
        else:
            flags["silent"] = false()
        flags["review_missed"] = and_(
            Action.review_on.is_not(None), Action.review_on < self.today, Action.reviewed_at.is_(None)
        )
        flags["blocked"] = Action.status == "blocked"
        return flags

    def owner_flags(self) -> dict[str, ColumnElement[bool]]:
        o = self.owner
        return {
            "owner_inactive": o.active.is_(False),
            "owner_unknown": and_(_blank(o.slack_user_id), _blank(o.teams_object_id), _blank(o.email)),
        }

    def all_flags(self) -> dict[str, ColumnElement[bool]]:
        flags = {**self.action_flags(), **self.owner_flags()}
        return {reason: flags[reason] for reason in REASONS}

    @property
    def is_open(self) -> ColumnElement[bool]:
        return Action.status.in_(OPEN_STATUSES)

    # -- tables -----------------------------------------------------------------------------------
    def owner_tallies(self) -> list[tuple[OwnerRow, bool]]:
        """Every owner with open actions or actions done in the period, with their tallies."""
        flags = self.action_flags()
        drifts = or_(*flags.values())
        per_owner = (
            select(
                Action.owner_id.label("owner_id"),
                func.count().label("open"),
                *[_sum(flags[r]).label(r) for r in flags],
                _sum(drifts).label("drifting"),
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
        late = _working_days_late(per_day, self.today, self.cal)
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
                *[_case(flags[r]) for r in REASONS],
            )
            .join(o, o.id == Action.owner_id)
            .join(creator, creator.id == Action.created_by_id)
            .outerjoin(Agency, Agency.id == o.agency_id)
            .outerjoin(Meeting, Meeting.id == Action.meeting_id)
            .where(Action.id.in_(chosen))
            .order_by(Action.deadline, Action.id)
        ).all()
        deadline_days = {self.cal.today(r[11]) for r in rows if r[11] < self.now}
        late = _working_days_late(deadline_days, self.today, self.cal)
        items = []
        for r in rows:
            reasons = tuple(reason for reason, flag in zip(REASONS, r[15:], strict=True) if flag)
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
                )
            )
        return items

    def meetings(self, limit: int) -> tuple[list[MeetingRow], int]:
        o = self.owner
        flags = self.all_flags()
        per_meeting = (
            select(
                Action.meeting_id.label("meeting_id"),
                func.count().label("open"),
                _sum(flags["overdue"]).label("overdue"),
                _sum(or_(*flags.values())).label("drifting"),
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
            select(_sum(stuck), _sum(Nudge.status == "unreachable"))
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
            sums += [_sum(open_).label(f"open{k}"), _sum(or_(*reasons.values())).label(f"drifting{k}")]
            sums += [_sum(condition).label(f"{reason}{k}") for reason, condition in reasons.items()]
        row = self.session.execute(select(*sums).select_from(per_action)).mappings().one()
        return {
            measure: [int(row[f"{measure}{k}"]) for k in range(len(moments))]
            for measure in ("open", "drifting", *TREND_REASONS)
        }


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
        builder = _Builder(session, settings, calendar, now, filters)
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
    )


__all__ = [
    "MARKING",
    "REASONS",
    "TREND_REASONS",
    "AgencyRow",
    "DeliveryProblem",
    "DriftFilters",
    "DriftItem",
    "DriftReport",
    "Headline",
    "MeetingRow",
    "OwnerRow",
    "ReasonCounts",
    "Tally",
    "Thresholds",
    "TrendPoint",
    "build_report",
    "headline_text",
    "nudge_count",
    "parse_filter_text",
    "reason_label",
    "silence_cutoff",
    "week_ends",
]
