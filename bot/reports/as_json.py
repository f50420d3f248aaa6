"""The drift report as JSON: ISO 8601 instants in UTC."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.reports.definitions import REASONS, DriftReport, Tally
from bot.reports.filters import DriftFilters


# =================================================================================================
# JSON
# =================================================================================================
def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _filters_dict(filters: DriftFilters) -> dict[str, Any]:
    return {
        "agency": filters.agency,
        "meeting_id": filters.meeting_id,
        "case_ref": filters.case_ref,
        "chair": filters.chair.as_dict() if filters.chair else None,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
    }


def _tally_dict(tally: Tally) -> dict[str, Any]:
    return {
        "open": tally.open,
        "overdue": tally.overdue,
        "drifting": tally.drifting,
        "done_this_week": tally.done_this_week,
        "reasons": {r: tally.reasons.get(r) for r in REASONS},
    }


def report_dict(report: DriftReport) -> dict[str, Any]:
    """The report as JSON-ready data (the ``json`` format; its keys are a contract for scripts)."""
    h = report.headline
    return {
        "marking": report.marking,
        "report": "drift",
        "generated_at": _iso(report.generated_at),
        "timezone": report.timezone,
        "today": report.today.isoformat(),
        "period_start": _iso(report.period_start),
        "filters": _filters_dict(report.filters),
        "thresholds": {
            "extensions": report.thresholds.extensions,
            "silence_working_days": report.thresholds.silence_working_days,
            "trend_weeks": report.thresholds.trend_weeks,
        },
        "headline": {
            "open": h.open,
            "overdue": h.overdue,
            "drifting": h.drifting,
            "done_this_week": h.done_this_week,
            "median_days_overdue": h.median_days_overdue,
        },
        "reasons": {r: report.reasons.get(r) for r in REASONS},
        "drifting": {
            "total": report.items_total,
            "items": [
                {
                    "ref": i.ref,
                    "task": i.task,
                    "status": i.status,
                    "owner": {
                        "id": i.owner_id,
                        "name": i.owner,
                        "agency": i.agency,
                        "away_until": i.owner_away_until.isoformat() if i.owner_away_until else None,
                    },
                    "case_ref": i.case_ref,
                    "meeting": {"id": i.meeting_id, "title": i.meeting_title} if i.meeting_id else None,
                    "recorded_by": i.recorded_by,
                    "created_at": _iso(i.created_at),
                    "deadline": _iso(i.deadline),
                    "days_late": i.days_late,
                    "extensions": i.extensions,
                    "review_on": i.review_on.isoformat() if i.review_on else None,
                    "owner_active_at": _iso(i.owner_active_at),
                    "reasons": list(i.reasons),
                    "latest_note": i.latest_note,
                }
                for i in report.items
            ],
        },
        "agencies": [{"agency": a.agency, **_tally_dict(a.tally)} for a in report.agencies],
        "owners": {
            "total": report.owners_total,
            "rows": [
                {
                    "id": o.person_id,
                    "name": o.name,
                    "agency": o.agency,
                    "active": o.active,
                    "reachable": o.reachable,
                    **_tally_dict(o.tally),
                }
                for o in report.owners
            ],
        },
        "meetings": {
            "total": report.meetings_total,
            "rows": [
                {
                    "id": m.meeting_id,
                    "title": m.title,
                    "case_ref": m.case_ref,
                    "chair": m.chair,
                    "started_at": _iso(m.started_at),
                    "open": m.open,
                    "overdue": m.overdue,
                    "drifting": m.drifting,
                }
                for m in report.meetings
            ],
        },
        "trend": [
            {
                "week_ending": p.week_ending.isoformat(),
                "at": _iso(p.at),
                "current": p.current,
                "open": p.open,
                "drifting": p.drifting,
                "overdue": p.overdue,
                "blocked": p.blocked,
                "extended": p.extended,
                "review_missed": p.review_missed,
            }
            for p in report.trend
        ],
        "delivery_problems": {
            "total": report.delivery_total,
            "stuck": report.stuck_total,
            "unreachable": report.unreachable_total,
            "items": [
                {
                    "nudge_id": d.nudge_id,
                    "ref": d.ref,
                    "step": d.step,
                    "problem": d.problem,
                    "recipient": {"id": d.recipient_id, "name": d.recipient},
                    "attempts": d.attempts,
                    "last_error": d.last_error,
                    "at": _iso(d.at),
                }
                for d in report.delivery
            ],
        },
        "statutory": {
            "items": [
                {
                    "ref": r.ref,
                    "task": r.task,
                    "case_ref": r.case_ref,
                    "meeting": {"id": r.meeting_id, "title": r.meeting_title},
                    "due_on": r.due_on.isoformat(),
                    "state": r.state,
                    "working_days_late": r.working_days_late,
                    "owner": r.owner,
                    "agency": r.agency,
                    "action_ref": r.action_ref,
                    "reason": r.reason,
                }
                for r in report.statutory
            ],
            "by": [
                {"by": t.by, "name": t.name, "missed": t.missed, "at_risk": t.at_risk, "dismissed": t.dismissed}
                for t in report.statutory_by
            ],
        },
        "notes": list(report.notes),
    }


def render_json(report: DriftReport) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"
