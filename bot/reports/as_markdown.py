"""The drift report as Markdown: typed text made inert (bot.actions.markup)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.actions import markup
from bot.reports.as_text import text_cell
from bot.reports.definitions import MARKING, DriftReport
from bot.reports.sections import Section, sections, summary_pairs
from bot.reports.summary import unreachable_text


# =================================================================================================
# Markdown
# =================================================================================================
def _md(text: str) -> str:
    """A table cell: one line, no markup (bot.actions.markup)."""
    return markup.markdown(text)


def render_markdown(report: DriftReport) -> str:
    zone = ZoneInfo(report.timezone)
    h = report.headline
    lines = [
        f"**{MARKING}**",
        "",
        f"# Drift report: {_md(report.filters.describe())}",
        "",
        f"Generated {text_cell(report.generated_at, zone)} ({report.timezone}).",
        "",
        f"- **Open actions:** {h.open}",
        f"- **Overdue:** {h.overdue}",
        f"- **Drifting (all reasons):** {h.drifting}",
        f"- **Done in the last 7 days:** {h.done_this_week}",
        f"- **Median working days overdue:** {text_cell(h.median_days_overdue, zone) or '-'}",
        f"- **Cannot be reached:** {report.reasons.get('owner_unknown')}",
        f"- **Nudges not delivered:** {report.delivery_total}"
        f" ({report.stuck_total} stuck, {report.unreachable_total} with no address)",
        "",
    ]
    notes = [f"> {_md(note)}" for note in (unreachable_text(report), *report.notes) if note]
    lines += [*notes, ""] if notes else []
    # As on the page: the headline, then the drifting actions, then the summary and the breakdowns.
    drifting, *others = sections(report)
    lines += _table(drifting, zone)
    lines += ["", "## Summary", "", "| Item | Value |", "|---|---|"]
    lines += [f"| {_md(label)} | {_md(text_cell(value, zone))} |" for label, value in summary_pairs(report)]
    for section in others:
        lines += ["", *_table(section, zone)]
    lines += ["", f"**{MARKING}**", ""]
    return "\n".join(lines)


def _table(section: Section, zone: ZoneInfo) -> list[str]:
    lines = [f"## {section.title}", ""]
    if not section.rows:
        lines.append("None.")
    else:
        lines.append("| " + " | ".join(_md(c) for c in section.columns) + " |")
        lines.append(
            "|" + "|".join("---:" if _numeric(section, i) else "---" for i in range(len(section.columns))) + "|"
        )
        lines += ["| " + " | ".join(_md(text_cell(v, zone)) for v in row) + " |" for row in section.rows]
    if section.note:
        lines += ["", f"_{_md(section.note)}_"]
    return lines


def _numeric(section: Section, index: int) -> bool:
    values = [row[index] for row in section.rows if row[index] is not None]
    return bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
