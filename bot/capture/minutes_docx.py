"""The action table of a minutes document (.docx), as `/action` lines (bot.capture.minutes_table reads the
table). The document is read with python-docx, never executed or rendered; a file over MAX_BYTES, or one that
is not a real .docx, is refused.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from docx import Document
from docx.table import Table

from bot.capture.minutes_table import table_lines

MAX_BYTES = 5 * 1024 * 1024
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class NotMinutes(ValueError):
    """The file cannot be read as minutes; the message says why, for the person who sent it."""


def _cells(table: Table) -> Iterator[list[str]]:
    for row in table.rows:
        yield [" ".join(cell.text.split()) for cell in row.cells]


def read_docx(data: bytes) -> list[str]:
    """The action lines of the document's action tables (every table whose header names an owner and an
    action). Raises NotMinutes for a file that is too big, not a .docx, or has no such table."""
    if len(data) > MAX_BYTES:
        raise NotMinutes(f"That file is {len(data) / 1024 / 1024:.1f} MB; minutes can be at most 5 MB.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise NotMinutes("That file is not a Word document (.docx); save the minutes as .docx and try again.")
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # untrusted bytes: python-docx fails in many ways on a malformed package
        raise NotMinutes("That file is not a Word document (.docx) that can be read.") from exc
    lines: list[str] = []
    for table in document.tables:
        lines += table_lines(list(_cells(table))) or []
    if not lines:
        raise NotMinutes(
            "I found no action table in that document: it needs a table with an owner column (Owner, Lead, Who "
            "or Responsible) and an action column (Action or Task), with a deadline column (By when, Deadline, Due "
            "or Timescale)."
        )
    return lines
