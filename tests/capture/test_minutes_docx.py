"""A minutes document's action table as `/action` lines: one made here with python-docx, and one saved by a word
processor (tests/capture/fixtures/minutes_libreoffice.docx: LibreOffice 7.4 converted minutes_libreoffice.html
with ``soffice --headless --convert-to docx``). Bad files are refused with a reason."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document

from bot.capture.dates import WorkCalendar
from bot.capture.grammar import GrammarError, parse_action
from bot.capture.minutes_docx import MAX_BYTES, NotMinutes, read_docx

FIXTURES = Path(__file__).parent / "fixtures"


def made_here() -> bytes:
    document = Document()
    document.add_heading("Initial child protection conference: CR-2001", level=1)
    document.add_paragraph("Attendees and apologies are listed below the actions.")
    table = document.add_table(rows=1, cols=4)
    for cell, title in zip(table.rows[0].cells, ("Who", "Agreed action", "Deadline", "Review date"), strict=True):
        cell.text = title
    for row in (
        ("Jo Bloggs", "Share the CAD log with social care", "Friday", ""),
        ("dr.khan@nhs.example.uk", "Send the GP summary", "4/12", "7/12"),
        ("", "", "", ""),
        ("The school", "Send the register", "next Friday", ""),
    ):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    attendees = document.add_table(rows=2, cols=2)
    attendees.rows[0].cells[0].text, attendees.rows[0].cells[1].text = "Name", "Agency"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_document_made_with_python_docx() -> None:
    assert read_docx(made_here()) == [
        "Jo Bloggs to Share the CAD log with social care by Friday",
        "dr.khan@nhs.example.uk Send the GP summary by 4/12 review 7/12",
        "The school to Send the register by next Friday",
    ]


def test_a_document_saved_by_libreoffice() -> None:
    lines = read_docx((FIXTURES / "minutes_libreoffice.docx").read_bytes())
    assert lines == [
        "DC Jo Bloggs to Share the CAD log with social care by Friday 27 November",
        "priya.shah@nhs.example.uk Book the health assessment by 4/12 review 7/12",
        "Sam Lee (Oakfield Primary) to Send attendance records by 31/02",
        "Social worker to Visit the family with police by Monday",
    ]
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    first = parse_action(lines[0], now, WorkCalendar.uk())
    assert (first.owner.value, first.task) == ("DC Jo Bloggs", "Share the CAD log with social care")
    with pytest.raises(GrammarError, match="is a role, not a person"):  # never recorded against a role
        parse_action(lines[3], now, WorkCalendar.uk())


def _zip(**files: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"x" * (MAX_BYTES + 1), "at most 5 MB"),
        (b"%PDF-1.7 minutes", "not a Word document"),
        (_zip(**{"hello.txt": b"hi"}), "not a Word document"),
        (_zip(**{"[Content_Types].xml": b"<Types/>"}), "not a Word document"),
    ],
)
def test_bad_files_are_refused_with_a_reason(data: bytes, problem: str) -> None:
    with pytest.raises(NotMinutes, match=problem):
        read_docx(data)


def test_a_document_without_an_action_table_says_what_it_needs() -> None:
    document = Document()
    document.add_paragraph("1. Jo to share the CAD log by Friday")
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(NotMinutes, match="no action table"):
        read_docx(out.getvalue())


def test_a_timescale_column_is_read_as_the_minutes_mean_it() -> None:
    """A week in the deadline column is due in that week (not "by w/c", which is refused as ambiguous), and a
    length of time ("15 working days") counts from the meeting."""
    document = Document()
    table = document.add_table(rows=1, cols=3)
    for cell, title in zip(table.rows[0].cells, ("Lead", "Action", "Timescale"), strict=True):
        cell.text = title
    for row in (("Jo Bloggs", "Complete genogram", "w/c 14/12"), ("Sam Lee", "Convene ICPC", "15 working days")):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    lines = read_docx(out.getvalue())
    assert lines == ["Jo Bloggs to Complete genogram w/c 14/12", "Sam Lee to Convene ICPC by 15 working days"]
    now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    week, timescale = (parse_action(line, now, WorkCalendar.uk()) for line in lines)
    assert week.deadline == datetime(2026, 12, 18, 17, tzinfo=UTC)  # that week's Friday
    assert timescale.deadline == datetime(2026, 12, 30, 17, tzinfo=UTC)  # 15 working days, bank holidays skipped
