"""A minutes action table as `/action` lines, whether it comes from a Word document (bot.capture.minutes_docx)
or is pasted as text (bot.capture.minutes: cells separated by tabs, as Word, Excel and Teams copy a table, or
by ``|``).

The header names the columns loosely: "Owner", "Lead", "Who", "Action", "Task", "By when", "Deadline", "Due",
"Review" ... Each row becomes one line for the `/action` grammar: ``OWNER to ACTION by DEADLINE review
REVIEW`` (an email address owner without "to"); the grammar then checks it like any typed line, so a role in
the owner column is refused, not recorded."""

from __future__ import annotations

import re

from bot.capture.minutes_phrases import week_mark
from bot.capture.when import clean_word

#: Header words, by the column they name (compared lower-case, punctuation dropped).
HEADERS: dict[str, tuple[str, ...]] = {
    "owner": ("owner", "lead", "who", "responsible", "by whom", "action owner", "named person", "person"),
    "action": ("action", "actions", "task", "what", "action required", "agreed action", "description"),
    "deadline": ("by when", "deadline", "due", "due date", "when", "timescale", "target date", "date", "by"),
    "review": ("review", "review date", "review on"),
}
_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(?:\.[\w-]+)+$")
_LEADING_BY = re.compile(r"^(?:by|before|due|no later than)\s+", re.IGNORECASE)


def columns(header: list[str]) -> dict[str, int]:
    """Which cell of a header row names which column; a table of actions has at least "owner" and "action"."""
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        word = re.sub(r"[^\w\s]", " ", text.lower())
        word = " ".join(word.split())
        for column, names in HEADERS.items():
            if column not in found and word in names:
                found[column] = index
    return found


def row_line(row: list[str], found: dict[str, int]) -> str | None:
    """One row as an `/action` line, or None for an empty row."""

    def cell(column: str) -> str:
        index = found.get(column)
        return " ".join(row[index].split()) if index is not None and index < len(row) else ""

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


def table_lines(rows: list[list[str]]) -> list[str] | None:
    """The action lines of a table whose first row is its header, or None when the header names no owner
    and action column."""
    if not rows:
        return None
    found = columns(rows[0])
    if "owner" not in found or "action" not in found:
        return None
    return [line for row in rows[1:] if (line := row_line(row, found))]
