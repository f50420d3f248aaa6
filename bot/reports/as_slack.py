"""The drift report as Slack blocks (plain dicts: the core imports no chat SDK): the headline and the most
overdue drifting actions."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.actions import markup
from bot.reports.as_text import text_cell
from bot.reports.definitions import MARKING, DriftReport, reason_label
from bot.reports.sections import _cfg
from bot.reports.statutory import statutory_text
from bot.reports.summary import nudge_count, unreachable_text


# =================================================================================================
# Slack Block Kit (plain dicts: the core imports no chat SDK)
# =================================================================================================
def _mrkdwn(text: str) -> str:
    """Typed text made inert in mrkdwn (bot.actions.markup)."""
    return markup.mrkdwn(text)


def slack_blocks(report: DriftReport, top: int = 8) -> list[dict[str, Any]]:
    """The headline and the most overdue drifting actions, for a private reply or the App Home."""
    zone = ZoneInfo(report.timezone)
    h = report.headline
    cfg = _cfg(report)
    blocks: list[dict[str, Any]] = [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"*{MARKING}*"}]},
        {"type": "header", "text": {"type": "plain_text", "text": f"Drift report: {report.filters.describe()}"[:150]}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Drifting*\n{h.drifting} of {h.open} open"},
                {"type": "mrkdwn", "text": f"*Overdue*\n{h.overdue}"},
                {
                    "type": "mrkdwn",
                    "text": f"*Median working days overdue*\n{text_cell(h.median_days_overdue, zone) or '-'}",
                },
                {"type": "mrkdwn", "text": f"*Done in the last 7 days*\n{h.done_this_week}"},
            ],
        },
    ]
    if report.delivery_total:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f":warning: *{nudge_count(report.delivery_total)} could not be delivered* "
                    f"({report.stuck_total} stuck, {report.unreachable_total} with no address for the person).",
                },
            }
        )
    if unreachable := unreachable_text(report):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f":warning: {_mrkdwn(unreachable)}"}})
    if statutory := statutory_text(report):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f":warning: {_mrkdwn(statutory)}"}})
    for note in report.notes:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _mrkdwn(note)}]})
    if report.items:
        blocks.append({"type": "divider"})
    for item in report.items[:top]:
        late = f", {item.days_late} working days late" if item.days_late is not None else ""
        where = f" \u00b7 #{item.case_ref}" if item.case_ref else ""
        reasons = "; ".join(reason_label(r, cfg) for r in item.reasons)
        text = (
            f"*{item.ref}* {_mrkdwn(item.task)}{_mrkdwn(where)}\n"
            f"{_mrkdwn(item.owner)} ({_mrkdwn(item.agency or 'no agency')}), due {text_cell(item.deadline, zone)}"
            f"{late}\n_{_mrkdwn(reasons)}_"
        )
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}})
    more = report.items_total - min(top, len(report.items))
    footer = f"{more} more drifting actions in the full report. " if more > 0 else ""
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": footer + "The full report (workbook, by agency, owner and meeting, and the weekly trend): "
                    "`/drift` in Slack, or `actionbot report drift --format xlsx --out drift.xlsx`.",
                }
            ],
        }
    )
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"*{MARKING}*"}]})
    return blocks
