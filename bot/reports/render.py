"""The drift report dressed for people: Markdown, CSV, JSON, an Excel workbook, an HTML page, Slack blocks.

Every format carries the same data: the report is turned once into sections (a summary of key/value
pairs, then tables with typed cells), and each renderer only decides how a cell looks. Times are shown
in the report's time zone (Europe/London by default): JSON carries ISO 8601 instants in UTC, CSV local
ISO 8601 with the offset, the workbook naive local date-times (Excel has no time zones; each sheet
says so), Markdown and HTML "Fri 4 Dec 2026, 17:00".

Every format carries the "OFFICIAL-SENSITIVE" marking at its top and bottom (the HTML page on every
printed page, the workbook in each sheet and in its printed header and footer).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.actions import markup
from bot.config import DriftSettings
from bot.governance.export import spreadsheet_safe as defuse
from bot.reports.drift import (
    MARKING,
    REASON_HEADINGS,
    REASONS,
    DriftFilters,
    DriftReport,
    Tally,
    headline_text,
    nudge_count,
    reason_label,
)

FORMATS = ("md", "csv", "json", "xlsx", "html")
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
    pairs: list[tuple[str, Cell]] = [
        ("Marking", report.marking),
        ("Generated", report.generated_at),
        ("Time zone", report.timezone),
        ("Covers", report.filters.describe()),
        ("Open actions", h.open),
        ("Overdue", h.overdue),
        ("Drifting", h.drifting),
        ("Done in the last 7 days", h.done_this_week),
        ("Median working days overdue", h.median_days_overdue),
    ]
    pairs += [(f"Drifting: {reason_label(r, cfg)}", report.reasons.get(r)) for r in REASONS]
    pairs += [
        ("Nudges not delivered", report.delivery_total),
        ("Nudges stuck (still retried)", report.stuck_total),
        ("Nudges undeliverable (no address)", report.unreachable_total),
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
        ),
        tuple(
            (
                i.ref,
                i.task,
                i.status,
                i.owner,
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
    trend = Section(
        "trend",
        f"Trend: drifting at the end of each of the last {report.thresholds.trend_weeks} weeks",
        ("Week ending", "As at", "Open", "Drifting", "Overdue", "Blocked", "Extended", "Review missed"),
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
        "Rebuilt from the action log: overdue, blocked, extended and missed reviews (not silence or owners).",
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
    return [items, agencies, owners, meetings, trend, delivery]


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
                    "owner": {"id": i.owner_id, "name": i.owner, "agency": i.agency},
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
        "notes": list(report.notes),
    }


def render_json(report: DriftReport) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"


# =================================================================================================
# Text cells (Markdown, HTML) and CSV cells
# =================================================================================================
def text_cell(value: Cell, zone: ZoneInfo) -> str:
    """How a cell reads in Markdown and HTML: 'Fri 4 Dec 2026, 17:00', 'Fri 4 Dec 2026', 'yes'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        local = value.astimezone(zone)
        return f"{local:%a} {local.day} {local:%b} {local.year}, {local:%H:%M}"
    if isinstance(value, date):
        return f"{value:%a} {value.day} {value:%b} {value.year}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def csv_cell(value: Cell, zone: ZoneInfo) -> str | int | float:
    """How a cell reads in CSV: local ISO 8601 with its offset, and spreadsheet formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    cell = defuse(value)
    assert isinstance(cell, str)
    return cell


def render_csv(report: DriftReport) -> str:
    """Sections one after another, each a ``[key]`` line, a header row and its rows, then a blank
    line; the marking is the first and the last line."""
    zone = ZoneInfo(report.timezone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([MARKING])
    writer.writerow(["[summary]"])
    writer.writerow(["Item", "Value"])
    for label, value in summary_pairs(report):
        writer.writerow([csv_cell(label, zone), csv_cell(value, zone)])
    for section in sections(report):
        writer.writerow([])
        writer.writerow([f"[{section.key}]"])
        writer.writerow(section.columns)
        for row in section.rows:
            writer.writerow([csv_cell(value, zone) for value in row])
        if section.note:
            writer.writerow([csv_cell(f"Note: {section.note}", zone)])
    writer.writerow([])
    writer.writerow([MARKING])
    return out.getvalue()


def parse_csv(text: str) -> dict[str, list[list[str]]]:
    """Read a CSV written by ``render_csv`` back into its sections (header row first; notes dropped)."""
    found: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for row in csv.reader(io.StringIO(text)):
        if not row or row == [MARKING]:
            current = None
            continue
        if len(row) == 1 and row[0].startswith("[") and row[0].endswith("]"):
            current = found.setdefault(row[0][1:-1], [])
            continue
        if current is not None and not (len(row) == 1 and row[0].startswith("Note: ")):
            current.append(row)
    return found


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
        f"- **Drifting:** {h.drifting}",
        f"- **Done in the last 7 days:** {h.done_this_week}",
        f"- **Median working days overdue:** {text_cell(h.median_days_overdue, zone) or '-'}",
        f"- **Nudges not delivered:** {report.delivery_total}"
        f" ({report.stuck_total} stuck, {report.unreachable_total} with no address)",
        "",
    ]
    lines += [f"> {_md(note)}" for note in report.notes]
    lines += ["## Summary", "", "| Item | Value |", "|---|---|"]
    lines += [f"| {_md(label)} | {_md(text_cell(value, zone))} |" for label, value in summary_pairs(report)]
    for section in sections(report):
        lines += ["", f"## {section.title}", ""]
        if not section.rows:
            lines.append("None.")
        else:
            lines.append("| " + " | ".join(_md(c) for c in section.columns) + " |")
            lines.append(
                "|" + "|".join("---:" if _numeric(section, i) else "---" for i in range(len(section.columns))) + "|"
            )
            for row in section.rows:
                lines.append("| " + " | ".join(_md(text_cell(v, zone)) for v in row) + " |")
        if section.note:
            lines += ["", f"_{_md(section.note)}_"]
    lines += ["", f"**{MARKING}**", ""]
    return "\n".join(lines)


def _numeric(section: Section, index: int) -> bool:
    values = [row[index] for row in section.rows if row[index] is not None]
    return bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


# =================================================================================================
# Excel
# =================================================================================================
def _xlsx_value(value: Cell, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(zone).replace(tzinfo=None)  # naive local: Excel has no time zones
    return value


def render_xlsx(report: DriftReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    zone = ZoneInfo(report.timezone)
    workbook = Workbook()
    bold = Font(bold=True)
    marking_font = Font(bold=True, color="B00000")
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    note = (
        f"Drift report, {report.filters.describe()}; generated {text_cell(report.generated_at, zone)}. "
        f"Dates and times are {report.timezone} local time."
    )

    def sheet(title: str, columns: Sequence[str], rows: Sequence[Sequence[Cell]], extra: str | None = None) -> None:
        ws = workbook.create_sheet(title)
        ws.append([MARKING])
        ws["A1"].font = marking_font
        ws.append([note + (f" {extra}" if extra else "")])
        ws.append(list(columns))
        for cell in ws[3]:
            cell.font = bold
            cell.fill = header_fill
        widths = [len(c) for c in columns]
        for row in rows:
            values = []
            for index, value in enumerate(row):
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                values.append(_xlsx_value(value, zone))
                widths[index] = max(widths[index], min(60, len(text_cell(value, zone))))
            ws.append(values)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula stays text
                elif isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, str) and len(cell.value) > 40:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.append([])
        ws.append([MARKING])
        ws.cell(ws.max_row, 1).font = marking_font
        ws.freeze_panes = "A4"  # the marking, the note and the header row stay in view
        ws.print_title_rows = "3:3"
        ws.oddHeader.center.text = MARKING
        ws.oddFooter.center.text = MARKING
        ws.oddFooter.right.text = "Page &P of &N"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if len(columns) > 6 else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = max(8, width + 2)

    workbook.remove(workbook.active)
    sheet("Summary", ("Item", "Value"), summary_pairs(report))
    titles = {
        "drifting": "Drifting",
        "agencies": "By agency",
        "owners": "By owner",
        "meetings": "Meetings",
        "trend": "Trend",
        "delivery": "Delivery",
    }
    for section in sections(report):
        sheet(titles[section.key], section.columns, section.rows, section.note)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


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
            "deadline": text_cell(i.deadline, zone),
            "late": text_cell(i.days_late, zone),
            "extensions": i.extensions,
            "review": text_cell(i.review_on, zone),
            "active": text_cell(i.owner_active_at, zone),
            "created": text_cell(i.created_at, zone),
            "recorded_by": i.recorded_by,
            "reasons": "; ".join(reason_label(r, cfg) for r in i.reasons),
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
        median=text_cell(report.headline.median_days_overdue, zone) or "-",
    )


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


# =================================================================================================
def render(report: DriftReport, fmt: str) -> str | bytes:
    """The report in one of FORMATS (xlsx is bytes, the others text)."""
    if fmt == "md":
        return render_markdown(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    if fmt == "html":
        return render_html(report)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
