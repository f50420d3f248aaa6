"""The drift report's vocabulary: its reasons and their labels, its limits, and the report as data (the
dataclasses every renderer reads). No SQL here: bot.reports.queries and bot.reports.trend fill them. The
filters are bot.reports.filters'; the report's one-line summaries bot.reports.summary's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.config import DriftSettings
from bot.reports.filters import DriftFilters

#: The tables ``--format csv --section`` can write, one at a time.
CSV_SECTIONS = (
    "summary",
    "drifting",
    "agencies",
    "owners",
    "meetings",
    "statutory",
    "statutory_by",
    "trend",
    "delivery",
)

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
#: What the trend counts (the reasons the log can replay), said wherever its "drifting" is shown.
TREND_MEASURE = "overdue, blocked, extended or review missed"
#: Events that move a deadline (each records "from" and "to"); only "extended" counts as an extension.
MOVES = ("extended", "brought_forward")

#: How many rows each list carries (the totals beside them are exact).
ITEM_LIMIT = 100
OWNER_LIMIT = 50
MEETING_LIMIT = 10
DELIVERY_LIMIT = 50
#: A statutory step not yet met is "at risk" from this many working days before its due day.
STATUTORY_AT_RISK_WORKING_DAYS = 5
STATUTORY_STATES = ("missed", "at risk", "dismissed")
NO_OWNER = "(no owner named)"
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
    "owner_unknown": "Cannot be reached",
    "blocked": "Blocked",
}


# =================================================================================================
# The report's shape
# =================================================================================================
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
    #: The latest reason or note given on it ("Blocked: waiting for GP records"), trimmed; None if none.
    latest_note: str | None = None
    #: The owner is on leave until this day (``/away``), else None.
    owner_away_until: date | None = None


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
class StatutoryRow:
    """A statutory step missed (past its due day, not met), at risk (due soon, not met) or dismissed this
    week, with its owner's action when it has one."""

    ref: str
    task: str
    case_ref: str | None
    meeting_id: int
    meeting_title: str
    due_on: date
    state: str  # one of STATUTORY_STATES
    working_days_late: int
    owner: str | None
    agency: str | None
    action_ref: str | None
    reason: str | None


@dataclass(frozen=True)
class StatutoryTally:
    """Statutory steps missed, at risk and dismissed for one agency or one case."""

    by: str  # "agency" or "case"
    name: str
    missed: int
    at_risk: int
    dismissed: int


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
    #: Statutory steps missed, at risk or dismissed this week, most late first (bot.reports.statutory).
    statutory: tuple[StatutoryRow, ...] = ()
    statutory_by: tuple[StatutoryTally, ...] = ()

    @property
    def items_total(self) -> int:
        return self.headline.drifting
