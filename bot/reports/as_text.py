"""Cells as text (Markdown, HTML: "Fri 4 Dec 2026, 17:00") and as CSV (local ISO 8601 with the offset, formulas
defused); the CSV rendering and its reader."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.governance.export import spreadsheet_safe as defuse
from bot.reports.definitions import CSV_SECTIONS, MARKING, DriftReport
from bot.reports.sections import Cell, sections, summary_pairs


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


#: The tables ``--format csv`` can give, one per file: the summary, then the report's sections.
def csv_table(
    report: DriftReport, section: str = "drifting"
) -> tuple[tuple[str, ...], list[tuple[Cell, ...]], str | None]:
    """One of ``CSV_SECTIONS``: its columns, its rows and its note (a cap: "Showing 100 of ...")."""
    if section == "summary":
        return ("Item", "Value"), [tuple(pair) for pair in summary_pairs(report)], None
    for found in sections(report):
        if found.key == section:
            return found.columns, list(found.rows), found.note
    raise ValueError(f"unknown section {section!r}; use one of {', '.join(CSV_SECTIONS)}")


def render_csv(report: DriftReport, section: str = "drifting") -> str:
    """One flat table that a spreadsheet or a script loads as it is: a header row, then one row per item
    (by default one per drifting action, with every column of the HTML list). Every row starts with the
    marking, so that it stays marked however the rows are filtered, sorted or copied."""
    zone = ZoneInfo(report.timezone)
    columns, rows, _ = csv_table(report, section)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Marking", *columns])
    for row in rows:
        writer.writerow([MARKING, *(csv_cell(value, zone) for value in row)])
    return out.getvalue()
