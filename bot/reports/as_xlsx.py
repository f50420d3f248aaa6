"""The drift report as an Excel workbook (openpyxl): naive local date-times (each sheet says so), formulas
never, the marking in each sheet and its printed header and footer."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.reports.as_text import text_cell
from bot.reports.definitions import (
    MARKING,
    DriftReport,
)
from bot.reports.sections import Cell, sections, summary_pairs

#: What an empty table says, so that an empty sheet is not mistaken for a failed export.
NOTHING = "None this week"


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
        last_column = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A3:{last_column}{3 + len(rows)}"  # filters on the header row over the table
        if not rows:
            ws.append([NOTHING])
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
        "statutory": "Statutory",
        "statutory_by": "Statutory by agency, case",
        "trend": "Trend",
        "delivery": "Delivery",
    }
    for section in sections(report):
        sheet(titles[section.key], section.columns, section.rows, section.note)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
