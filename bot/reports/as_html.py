"""The drift report as an HTML page (Jinja2, autoescaped) with its trend chart; printable, the marking on
every printed page."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.reports.as_markdown import _numeric
from bot.reports.as_text import text_cell
from bot.reports.definitions import MARKING, TREND_MEASURE, DriftReport, reason_label
from bot.reports.sections import _cfg, sections, summary_pairs
from bot.reports.summary import headline_text, unreachable_text


# =================================================================================================
# HTML
# =================================================================================================
@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    overdue_y: float
    overdue_height: float
    overdue: int
    label: str
    current: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, int], ...]
    description: str


def trend_chart(report: DriftReport, width: int = 640, height: int = 220) -> Chart:
    """The trend as bar geometry for the page's inline SVG (drifting, with the overdue part darker)."""
    points = report.trend
    top, bottom, left, right = 16, 40, 36, 8
    plot_h = height - top - bottom
    peak = max([p.drifting for p in points] + [1])
    step = max(1, -(-peak // 4))  # about four gridlines
    scale_top = step * -(-peak // step)
    slot = (width - left - right) / max(1, len(points))
    bars = []
    for index, p in enumerate(points):
        bar_h = plot_h * p.drifting / scale_top
        over_h = plot_h * p.overdue / scale_top
        label = "now" if p.current else f"{p.week_ending.day} {p.week_ending:%b}"
        bars.append(
            Bar(
                x=round(left + index * slot + slot * 0.15, 1),
                y=round(top + plot_h - bar_h, 1),
                width=round(slot * 0.7, 1),
                height=round(bar_h, 1),
                value=p.drifting,
                overdue_y=round(top + plot_h - over_h, 1),
                overdue_height=round(over_h, 1),
                overdue=p.overdue,
                label=label,
                current=p.current,
            )
        )
    ticks = tuple((round(top + plot_h - plot_h * v / scale_top, 1), v) for v in range(0, scale_top + 1, step))
    description = "; ".join(f"{b.label}: {b.value} drifting, {b.overdue} overdue" for b in bars)
    return Chart(width, height, float(top + plot_h), tuple(bars), ticks, description)


def _environment() -> Environment:
    # Templates ship inside the package (bot/templates) and are found through the package, not a path.
    return Environment(
        loader=PackageLoader("bot", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: DriftReport) -> str:
    zone = ZoneInfo(report.timezone)
    template = _environment().get_template("drift_report.html.j2")
    every = sections(report)
    numeric = {s.key: [_numeric(s, i) for i in range(len(s.columns))] for s in every}
    cfg = _cfg(report)
    items = [
        {
            "ref": i.ref,
            "status": i.status,
            "task": i.task,
            "case": i.case_ref or "",
            "meeting": i.meeting_title or "",
            "owner": i.owner,
            "agency": i.agency or "",
            "away": text_cell(i.owner_away_until, zone),
            "deadline": text_cell(i.deadline, zone),
            "late": text_cell(i.days_late, zone),
            "extensions": i.extensions,
            "review": text_cell(i.review_on, zone),
            "active": text_cell(i.owner_active_at, zone),
            "created": text_cell(i.created_at, zone),
            "recorded_by": i.recorded_by,
            "reasons": "; ".join(reason_label(r, cfg) for r in i.reasons),
            "note": i.latest_note or "",
        }
        for i in report.items
    ]
    return template.render(
        items=items,
        drifting=every[0],
        report=report,
        marking=MARKING,
        headline=report.headline,
        headline_text=headline_text(report),
        generated=text_cell(report.generated_at, zone),
        summary=[(label, text_cell(value, zone)) for label, value in summary_pairs(report)],
        sections=[(s, [[text_cell(v, zone) for v in row] for row in s.rows], numeric[s.key]) for s in every[1:]],
        chart=trend_chart(report),
        trend_measure=TREND_MEASURE,
        unreachable=unreachable_text(report),
        median=text_cell(report.headline.median_days_overdue, zone) or "-",
    )
