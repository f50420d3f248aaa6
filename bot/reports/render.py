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

from bot.reports.as_html import render_html
from bot.reports.as_json import render_json
from bot.reports.as_markdown import render_markdown
from bot.reports.as_text import render_csv
from bot.reports.as_xlsx import render_xlsx
from bot.reports.definitions import (
    DriftReport,
)

FORMATS = ("md", "csv", "json", "xlsx", "html")


def render(report: DriftReport, fmt: str, section: str | None = None) -> str | bytes:
    """The report in one of FORMATS (xlsx is bytes, the others text). ``section`` picks the table a CSV
    holds (``CSV_SECTIONS``; by default the drifting actions); the other formats hold every section."""
    if section is not None and fmt != "csv":
        raise ValueError(f"a section is for the csv format, which holds one table; {fmt} holds them all")
    if fmt == "md":
        return render_markdown(report)
    if fmt == "csv":
        return render_csv(report, section or "drifting")
    if fmt == "json":
        return render_json(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    if fmt == "html":
        return render_html(report)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
