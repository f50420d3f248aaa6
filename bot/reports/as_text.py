"""Cells as text (Markdown, HTML: "Fri 4 Dec 2026, 17:00") and as CSV (local ISO 8601 with the offset, formulas
defused); the CSV rendering and its reader."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.governance.export import spreadsheet_safe as defuse
from bot.reports.definitions import (
    MARKING,
    DriftReport,
)
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
