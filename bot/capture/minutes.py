"""An action list as minutes write it, split into one line per action.

Chairs paste what they already have: the meeting chat's list, notes, the minutes' action table copied as
text (a header row and its cells separated by tabs or ``|``: bot.capture.minutes_table). Lines may be
numbered (``1.``, ``2)``, ``(3)``, ``a)``), bulleted (``-``, ``*``, ``•``, ``–``) or labelled (``ACTION:``,
``Action 3:``); the marker is dropped and each line is then read by the `/action` grammar. Blank lines and
headings ("Actions:", "Actions agreed"; in a numbered or bulleted list, any unmarked line ending in a colon,
and a title above it with no owner, digit or "to") are skipped; in such a list, an indented line without a
marker continues the item above it (a wrapped line).
"""

from __future__ import annotations

import re

from bot.capture.minutes_table import labelled_line, table_lines
from bot.capture.owners import ITEM_MARK, drop_minutes_label, minutes_owner, parse_owner, role_only

#: At most this many lines in one list (a meeting's actions, not a case file).
MAX_LINES = 50

# A letter marker is "a)" or "(a)" only: "A. Khan to ..." is a name, not item A.
_MARKER = re.compile(rf"^\s*(?:{ITEM_MARK}|\(?[a-z]\)\s)", re.IGNORECASE)
_HEADING = re.compile(
    r"^\s*(?:agreed\s+)?actions?(?:\s+(?:agreed|arising|list|log|plan|from\s+the\s+meeting))?\s*:?\s*$", re.IGNORECASE
)


_SEPARATOR_ROW = re.compile(r"^[\s|:\-+]+$")  # "|---|:---|" under a Markdown table's header


def _cells(line: str) -> list[str]:
    if "\t" in line:
        return line.split("\t")
    return line.strip().strip("|").split("|")


def pasted_table(text: str) -> list[str] | None:
    """A minutes action table pasted as text (cells separated by tabs, as Word, Excel and Teams copy a table,
    or by ``|``) as `/action` lines: from its header row (naming an owner and an action column) on, headings
    above it skipped; None when the text is not such a table."""
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    for start, line in enumerate(lines[:3]):  # a title or two ("Actions agreed") above the header
        if "\t" not in line and line.count("|") < 2:
            continue
        rows = [_cells(row) for row in lines[start:] if not _SEPARATOR_ROW.match(row)]
        return table_lines(rows)
    return None


def _starts_with_owner(line: str) -> bool:
    line = drop_minutes_label(labelled_line(line) or line)
    return parse_owner(line) is not None or minutes_owner(line) is not None or role_only(line) is not None


def _is_title(line: str) -> bool:
    """A line above a numbered or bulleted list that names it, not an action: no owner, no digit (a date, a case
    reference), no "to" (an unnumbered action above the list is still read, and refused if need be)."""
    return not _starts_with_owner(line) and " to " not in f" {line.lower()} " and not any(ch.isdigit() for ch in line)


def is_list(text: str) -> bool:
    """Whether the text is a pasted list rather than one `/action` typed over several lines: at least two of
    its lines are numbered or bulleted, or start with an owner (a role counts: it is refused line by line)."""
    lines = [line for line in text.replace("\r", "\n").split("\n") if line.strip()]
    if len(lines) < 2:
        return False
    if pasted_table(text) is not None:
        return True
    marked = sum(1 for line in lines if _MARKER.match(line))
    owners = sum(1 for line in split_minutes(text) if _starts_with_owner(line))
    return marked >= 2 or owners >= 2


def split_minutes(text: str) -> list[str]:
    """The action lines of a pasted list: markers dropped, whitespace collapsed (a pasted table's rows as
    lines)."""
    if (table := pasted_table(text)) is not None:
        return table
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    marked = sum(1 for line in lines if _MARKER.match(line))
    first = next((i for i, line in enumerate(lines) if _MARKER.match(line)), len(lines)) if marked >= 2 else 0
    items: list[str] = []
    for index, line in enumerate(lines):
        if not line.strip() or _HEADING.match(line):
            continue
        if marked >= 2 and not _MARKER.match(line) and line.rstrip().endswith(":"):
            continue  # "Actions agreed at the strategy meeting:" above a numbered list
        if index < first and _is_title(line):
            continue  # "Strategy meeting actions" above a numbered list
        continues = marked >= 2 and items and line[:1] in (" ", "\t") and not _MARKER.match(line)
        if continues:
            items[-1] = f"{items[-1]} {line.strip()}"
        else:
            items.append(" ".join(_MARKER.sub("", line, count=1).split()))
    return items
