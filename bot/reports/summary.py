"""A drift report in a line or two, for the places that show no tables (a chat message, the weekly email,
the top of each format): the headline, the drifting actions whose owner nobody can reach, and how many
nudges were not delivered. The statutory steps' line is bot.reports.statutory's."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.reports.definitions import DriftReport


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"


def nudge_count(number: int) -> str:
    """'1 nudge', '2 nudges'."""
    return f"{number} nudge" if number == 1 else f"{number} nudges"


def unreachable_text(report: DriftReport) -> str | None:
    """The drifting actions whose owner nobody can reach, and what the chair can do (None when none)."""
    count = report.reasons.get("owner_unknown")
    if not count:
        return None
    actions = "1 drifting action has" if count == 1 else f"{count} drifting actions have"
    return (
        f"Cannot be reached: {actions} an owner with no Slack, Teams or email, so no reminder reaches them. "
        'Add an address (actionbot people set "NAME" --email ADDRESS) or reassign the action '
        "(/reassign A-12 @someone because ...)."
    )


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
    if unreachable := report.reasons.get("owner_unknown"):
        line += f" \u00b7 {unreachable} cannot be reached"
    if report.delivery_total:
        line += f" \u00b7 {nudge_count(report.delivery_total)} not delivered"
    return line
