"""The report turned once into sections (a summary of key/value pairs, then tables with typed cells): the one
place that decides what each format shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.config import DriftSettings
from bot.reports.definitions import (
    NO_OWNER,
    REASON_HEADINGS,
    REASONS,
    STATUTORY_AT_RISK_WORKING_DAYS,
    TREND_MEASURE,
    DriftReport,
    Tally,
    reason_label,
)
from bot.reports.statutory import statutory_counts

Cell = str | int | float | bool | date | datetime | None


# =================================================================================================
# The report as sections: the one place that decides what each format shows
# =================================================================================================
@dataclass(frozen=True)
class Section:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    #: "Showing 100 of 2,345." when the list is capped (the totals elsewhere are exact).
    note: str | None = None


def _cfg(report: DriftReport) -> DriftSettings:
    t = report.thresholds
    return DriftSettings(
        extensions_threshold=t.extensions, silence_working_days=t.silence_working_days, trend_weeks=t.trend_weeks
    )


def _reasons(report: DriftReport, codes: Sequence[str]) -> str:
    cfg = _cfg(report)
    return "; ".join(reason_label(code, cfg) for code in codes)


def _shown(shown: int, total: int, what: str) -> str | None:
    return None if shown >= total else f"Showing {shown:,} of {total:,} {what}."


#: The reasons beside the counts in the agency and owner tables (``overdue`` is already a column).
TABLE_REASONS = tuple(r for r in REASONS if r != "overdue")
TALLY_COLUMNS = ("Open", "Overdue", "Drifting", "Done (7 days)", *(REASON_HEADINGS[r] for r in TABLE_REASONS))


def _tally_cells(tally: Tally) -> tuple[Cell, ...]:
    return (
        tally.open,
        tally.overdue,
        tally.drifting,
        tally.done_this_week,
        *(tally.reasons.get(r) for r in TABLE_REASONS),
    )


def summary_pairs(report: DriftReport) -> list[tuple[str, Cell]]:
    h, t = report.headline, report.thresholds
    cfg = _cfg(report)
    statutory = statutory_counts(report)
    pairs: list[tuple[str, Cell]] = [
        ("Marking", report.marking),
        ("Generated", report.generated_at),
        ("Time zone", report.timezone),
        ("Covers", report.filters.describe()),
        ("Open actions", h.open),
        ("Overdue", h.overdue),
        ("Drifting (all reasons)", h.drifting),
        ("Done in the last 7 days", h.done_this_week),
        ("Median working days overdue", h.median_days_overdue),
    ]
    pairs += [(f"Drifting: {reason_label(r, cfg)}", report.reasons.get(r)) for r in REASONS]
    pairs += [
        ("Nudges not delivered", report.delivery_total),
        ("Nudges stuck (still retried)", report.stuck_total),
        ("Nudges undeliverable (no address)", report.unreachable_total),
        ("Statutory steps missed", statutory["missed"]),
        ("Statutory steps at risk", statutory["at risk"]),
        ("Statutory steps dismissed (7 days)", statutory["dismissed"]),
        ("Owners with drift", report.owners_total),
        ("Meetings with drift", report.meetings_total),
        ("Threshold: extensions", t.extensions),
        ("Threshold: silence (working days)", t.silence_working_days),
        ("Trend weeks", t.trend_weeks),
    ]
    pairs += [("Note", note) for note in report.notes]
    return pairs


def sections(report: DriftReport) -> list[Section]:
    """The report's tables, in the order every format shows them."""
    items = Section(
        "drifting",
        "Drifting actions",
        (
            "Ref",
            "Task",
            "Status",
            "Owner",
            "Owner away until",
            "Agency",
            "Case",
            "Meeting",
            "Recorded by",
            "Recorded",
            "Deadline",
            "Working days late",
            "Extensions",
            "Review",
            "Owner's last update",
            "Reasons",
            "Latest reason or note",
        ),
        tuple(
            (
                i.ref,
                i.task,
                i.status,
                i.owner,
                i.owner_away_until,
                i.agency,
                i.case_ref,
                i.meeting_title,
                i.recorded_by,
                i.created_at,
                i.deadline,
                i.days_late,
                i.extensions,
                i.review_on,
                i.owner_active_at,
                _reasons(report, i.reasons),
                i.latest_note,
            )
            for i in report.items
        ),
        _shown(len(report.items), report.items_total, "drifting actions, longest overdue first"),
    )
    agencies = Section(
        "agencies",
        "By agency",
        ("Agency", *TALLY_COLUMNS),
        tuple((a.agency, *_tally_cells(a.tally)) for a in report.agencies),
    )
    owners = Section(
        "owners",
        "Owners with drift",
        ("Owner", "Agency", "Active", "Reachable", *TALLY_COLUMNS),
        tuple((o.name, o.agency, o.active, o.reachable, *_tally_cells(o.tally)) for o in report.owners),
        _shown(len(report.owners), report.owners_total, "owners with drift"),
    )
    meetings = Section(
        "meetings",
        "Meetings with the most drift",
        ("Meeting", "Title", "Case", "Chair", "Started", "Open", "Overdue", "Drifting"),
        tuple(
            (m.meeting_id, m.title, m.case_ref, m.chair, m.started_at, m.open, m.overdue, m.drifting)
            for m in report.meetings
        ),
        _shown(len(report.meetings), report.meetings_total, "meetings with drift"),
    )
    statutory = Section(
        "statutory",
        f"Statutory timescales missed, at risk (due within {STATUTORY_AT_RISK_WORKING_DAYS} working days) "
        "or dismissed this week",
        (
            "Step",
            "Task",
            "Case",
            "Meeting",
            "Due",
            "State",
            "Working days late",
            "Owner",
            "Agency",
            "Action",
            "Reason dismissed",
        ),
        tuple(
            (
                r.ref,
                r.task,
                r.case_ref,
                f"{r.meeting_id}: {r.meeting_title}",
                r.due_on,
                r.state,
                r.working_days_late,
                r.owner or NO_OWNER,
                r.agency,
                r.action_ref,
                r.reason,
            )
            for r in report.statutory
        ),
    )
    statutory_by = Section(
        "statutory_by",
        "Statutory timescales by agency and by case",
        ("By", "Agency or case", "Missed", "At risk", "Dismissed"),
        tuple((t.by, t.name, t.missed, t.at_risk, t.dismissed) for t in report.statutory_by),
    )
    trend = Section(
        "trend",
        f"Trend: {TREND_MEASURE} at the end of each of the last {report.thresholds.trend_weeks} weeks",
        (
            "Week ending",
            "As at",
            "Open",
            f"Drifting ({TREND_MEASURE})",
            "Overdue",
            "Blocked",
            "Extended",
            "Review missed",
        ),
        tuple(
            (
                "now" if p.current else p.week_ending,
                p.at,
                p.open,
                p.drifting,
                p.overdue,
                p.blocked,
                p.extended,
                p.review_missed,
            )
            for p in report.trend
        ),
        "Rebuilt from the action log, so it counts only what the log can replay: not silence or owners, which "
        "the headline's Drifting (all reasons) also counts.",
    )
    delivery = Section(
        "delivery",
        "Nudges not delivered",
        ("Nudge", "Ref", "Step", "Problem", "Recipient", "Attempts", "Last error", "When"),
        tuple(
            (d.nudge_id, d.ref, d.step, d.problem, d.recipient, d.attempts, d.last_error, d.at) for d in report.delivery
        ),
        _shown(len(report.delivery), report.delivery_total, "delivery problems"),
    )
    return [items, agencies, owners, meetings, statutory, statutory_by, trend, delivery]
