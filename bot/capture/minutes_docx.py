"""The action table of a minutes document (.docx), as `/action` lines.

Minutes carry their actions in a table whose header names the columns loosely: "Owner", "Lead", "Who",
"Action", "Task", "By when", "Deadline", "Due", "Review" ... Each row becomes one line for the `/action`
grammar: ``OWNER to ACTION by DEADLINE review REVIEW`` (an email address owner without "to"); the grammar
then checks it like any typed line, so a role in the owner column is refused, not recorded. The document is read with
python-docx, never executed or rendered; a file over MAX_BYTES, or one that is not a real .docx, is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from docx import Document
from docx.table import Table

from bot.capture.minutes_phrases import week_mark
from bot.capture.when import clean_word

MAX_BYTES = 5 * 1024 * 1024
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: Header words, by the column they name (compared lower-case, punctuation dropped).
HEADERS: dict[str, tuple[str, ...]] = {
    "owner": ("owner", "lead", "who", "responsible", "by whom", "action owner", "named person", "person"),
    "action": ("action", "actions", "task", "what", "action required", "agreed action", "description"),
    "deadline": ("by when", "deadline", "due", "due date", "when", "timescale", "target date", "date", "by"),
    "review": ("review", "review date", "review on"),
}
_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(?:\.[\w-]+)+$")
_LEADING_BY = re.compile(r"^(?:by|before|due|no later than)\s+", re.IGNORECASE)


class NotMinutes(ValueError):
    """The file cannot be read as minutes; the message says why, for the person who sent it."""


def _cells(table: Table) -> Iterator[list[str]]:
    for row in table.rows:
        yield [" ".join(cell.text.split()) for cell in row.cells]


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        word = re.sub(r"[^\w\s]", " ", text.lower())
        word = " ".join(word.split())
        for column, names in HEADERS.items():
            if column not in found and word in names:
                found[column] = index
    return found


def _line(row: list[str], columns: dict[str, int]) -> str | None:
    def cell(column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    owner, action, deadline, review = cell("owner"), cell("action"), cell("deadline"), cell("review")
    if not (owner or action or deadline):
        return None  # an empty row
    # A name is written as minutes write it ("Jo Bloggs to ..."), so that the grammar reads the name and
    # refuses a role ("Social worker to ...") as it would in a typed line; an address stays as it is.
    parts = (
        [owner, action] if _EMAIL.match(owner) or owner.startswith("@") else [f"{owner} to" if owner else "", action]
    )
    if deadline:
        deadline = _LEADING_BY.sub("", deadline)
        # A week in a "By when" column is due in that week ("w/c 14/12" alone: its Friday); "by w/c 14/12",
        # typed, is refused as ambiguous, and the "by" would be this reader's, not the minutes'.
        parts.append(deadline if week_mark([clean_word(w) for w in deadline.split()[:2]]) else f"by {deadline}")
    if review:
        parts.append(f"review {review}")
    return " ".join(part for part in parts if part)


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
        rows = list(_cells(table))
        if not rows:
            continue
        columns = _columns(rows[0])
        if "owner" not in columns or "action" not in columns:
            continue
        lines += [line for row in rows[1:] if (line := _line(row, columns))]
    if not lines:
        raise NotMinutes(
            "I found no action table in that document: it needs a table with an owner column (Owner, Lead or "
            "Who) and an action column (Action or Task), with a deadline column (By when, Deadline or Due)."
        )
    return lines
