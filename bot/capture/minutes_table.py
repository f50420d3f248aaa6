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
from bot.capture.phrases import clinical
from bot.capture.when import clean_word

#: The words a header names its column by (lower case, punctuation dropped), tried in this order: "Review date"
#: is the review's, "Date due" and "By when?" the deadline's, "Action owner" and "Action by" the owner's.
_DEADLINE_WORDS = {
    "when", "deadline", "due", "timescale", "timescales", "timeframe", "date", "target", "completion", "frame",
}  # fmt: skip
_OWNER_WORDS = {
    "owner", "owners", "lead", "who", "whom", "responsible", "person", "professional", "assigned", "allocated",
}  # fmt: skip
HEADER_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("status", frozenset({"status", "rag", "progress"})),  # "Status", "RAG", "Action status", "Progress"
    ("review", frozenset({"review"})),
    ("deadline", frozenset(_DEADLINE_WORDS)),
    ("owner", frozenset(_OWNER_WORDS)),
    ("case", frozenset({"case"})),  # "Case ref", "Case no.", "Case ID" (not "Ref": an action's own number)
    ("action", frozenset({"action", "actions", "task", "tasks", "what", "description"})),
)
#: Words that make a date column a record of the past, not the deadline ("Date raised", "Date completed").
_NOT_DUE = frozenset({
    "raised", "agreed", "opened", "logged", "created", "recorded", "completed", "closed", "updated", "started",
    "meeting",
})  # fmt: skip
#: A column that says when (or whether) the row was done: "Date completed", "Completed on", "Date closed", "Done?".
_COMPLETED = frozenset({"completed", "complete", "closed", "done"})
_DONE = frozenset({"taken", "completed", "update"})  # "Action taken", "Action update": what was done
_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(?:\.[\w-]+)+$")
_READS_ALONE = re.compile(r"^(?:in|within|over)\s|\s(?:before|prior\s+to)\s", re.IGNORECASE)
_LEADING_BY = re.compile(r"^(?:by|before|due|no later than)\s+", re.IGNORECASE)


def columns(header: list[str]) -> dict[str, int]:
    """Which cell of a header row names which column (the first cell naming each); a table of actions has at
    least "owner" and "action"."""
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        words = re.sub(r"[^\w\s]", " ", text.lower()).split()
        if words in (["by"], ["action", "by"]):  # a "By" column: the deadline; "Action by": who
            column: str | None = "deadline" if words == ["by"] else "owner"
        else:
            column = next((name for name, named_by in HEADER_WORDS if named_by.intersection(words)), None)
            to_be = "to" in words and "be" in words  # "Date to be completed by": when it is due
            if column in (None, "deadline") and _COMPLETED.intersection(words) and not to_be:
                column = "completed"  # "Date completed", "Completed on", "Done?": filled in, the row is finished
            elif (column == "deadline" and _NOT_DUE.intersection(words) and not to_be) or (
                column == "action" and _DONE.intersection(words)
            ):
                continue  # "Date raised", "Action taken": not when it is due, nor what is to do
        if column is not None and column not in found:
            found[column] = index
    return found


#: A deadline column that holds a length of time: "3/7" there is health notes' three days, not 3 July.
_LENGTH_HEADER = frozenset({"timescale", "timescales", "timeframe", "frame"})


def length_column(header: list[str], found: dict[str, int]) -> bool:
    """Whether the deadline column is a timescale ("Timescale", "Time frame"), not a date ("Deadline", "Due")."""
    index = found.get("deadline")
    return index is not None and not _LENGTH_HEADER.isdisjoint(re.sub(r"[^\w\s]", " ", header[index].lower()).split())


def row_line(row: list[str], found: dict[str, int], lengths: bool = False) -> str | None:
    """One row as an `/action` line, or None for an empty row. With ``lengths`` (a timescale column), "3/7",
    "2/52" and "6/12" there are lengths: "Timescale 3/7" was read as Sat 3 Jul."""

    def cell(column: str) -> str:
        index = found.get(column)
        return " ".join(row[index].split()) if index is not None and index < len(row) else ""

    owner, action, deadline, review, status = (cell(c) for c in ("owner", "action", "deadline", "review", "status"))
    completed = cell("completed")
    if completed.lower().strip(" .") not in ("", "no", "n", "-", "n/a", "tbc"):  # a date, "Yes", a tick: finished
        status = f"completed {completed}" if any(c.isdigit() for c in completed) else "completed"
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
        # typed, is refused as ambiguous, and the "by" would be this reader's, not the minutes'. So is a length
        # counted from today or before a day ("in 2/52", "2 working days before the RCPC on 14/12").
        whole = week_mark([clean_word(w) for w in deadline.split()[:2]]) or _READS_ALONE.search(deadline)
        if lengths and clinical(deadline):  # "3/7" under "Timescale": labelled as typed, for the grammar to read
            parts.append(f"timescale: {deadline}")
        else:
            parts.append(deadline if whole else f"by {deadline}")
    if _CASE_VALUE.fullmatch(case := cell("case")) and any(c.isdigit() for c in case):  # not "TBC"
        parts.append(f"#{case}")
    if review and review.lower().strip(" .") not in ("n/a", "na", "none", "nil", "-", "\u2013"):  # no review
        parts.append(f"review {review}")
    if status:
        parts.append(f"status: {status}")  # read by the grammar (done_status): a finished row is not recorded
    return " ".join(part for part in parts if part)


#: A status column's (or a "Status:" field's) words for an action that is finished; and for one still open.
_FINISHED = frozenset({
    "complete", "completed", "done", "closed", "achieved", "met", "finished", "cancelled", "canceled",
    "withdrawn", "superseded", "no longer required", "not required", "n/a", "na", "blue", "actioned",
})  # fmt: skip
_OPEN = frozenset({
    "open", "ongoing", "in progress", "not started", "outstanding", "pending", "overdue", "red", "amber",
    "green", "on track", "delayed", "new", "carried forward", "c/f", "partially complete", "part complete",
})  # fmt: skip
_STATUS_FIELD = re.compile(
    r"[\s,;.|\-\u2013\u2014(]+(?:status|rag)\s*:\s*(?:rag\s*:?\s*)?(?P<status>[^:()]{1,40}?)[\s.)]*$", re.IGNORECASE
)


#: A case reference as a table's cell or a labelled field holds it: letters, digits, "-", "/", "_", with a digit.
_CASE_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_\-]{0,38}", re.ASCII)
_CASE_LABEL = re.compile(
    r"(?<![\w#])case(?:\s*(?:ref(?:erence)?|no|number|id)\b\.?\s*[:#]?|\s*:)\s*"
    r"(?P<ref>[A-Za-z0-9][A-Za-z0-9/_\-]{0,38})(?![\w/\-])",
    re.IGNORECASE,
)


def labelled_case_refs(text: str) -> str:
    """``Case ref: CR-1042``, ``(case no. 1042)``, ``Case: 12345`` as the grammar's ``#CR-1042``: they were
    left in the task ("Visit (case ref CR-1042)") and the action filed under no case. ``re case 1042`` (no
    label) stays the task's."""
    if "case" not in text.lower():
        return text  # most commands: one scan

    def tag(found: re.Match[str]) -> str:
        ref = found["ref"]
        return f"#{ref}" if any(c.isdigit() for c in ref) else found[0]

    return _CASE_LABEL.sub(tag, text)


#: A line marked done before the owner: a ticked box ("[x]", "☑", "✅") or "DONE", "CLOSED", "COMPLETE" in capitals.
_DONE_MARK = re.compile(r"^\s*(\[[xX\u2713\u2714]\]|\u2611|\u2705|(?:DONE|CLOSED|COMPLETED?)\b)")


def done_status(text: str) -> tuple[str, str | None]:
    """The text without a status field at its end (``... status: Open``), and the status when it says the
    action is finished (``status: Complete``): a minutes table of last meeting's actions lists the done ones
    too, and each was recorded as a new open action and chased. Any other status is dropped, as the column was."""
    if (ticked := _DONE_MARK.match(text)) is not None:  # "[x] Jo Bloggs to ...", "DONE Jo Bloggs to ..."
        return text, ticked.group(1)
    if "status" not in text.lower():
        return text, None  # most commands: one scan
    found = _STATUS_FIELD.search(text)
    if found is None:
        return text, None
    said = " ".join(found["status"].split())
    words = said.lower()
    first = words.split(" ")[0]
    finished = words in _FINISHED or (first in _FINISHED and first != "met")  # "Done 3/12"; not "Met with mum"
    # Any other status ("Open", "Amber", "Awaiting the GP's reply") is the table's note, not the task's words.
    return text[: found.start()], said if finished else None


def table_lines(rows: list[list[str]]) -> list[str] | None:
    """The action lines of a table whose first row is its header, or None when the header names no owner
    and action column."""
    if not rows:
        return None
    found = columns(rows[0])
    if "owner" not in found or "action" not in found:
        return None
    lengths = length_column(rows[0], found)
    return [line for row in rows[1:] if (line := row_line(row, found, lengths))]


# One action written as labelled fields, as a form or a minutes template copies: "Owner: Jo Bloggs. Action:
# chase GP. Deadline: 11/12", "Who: Jo Bloggs, What: ..., When: Friday" (the labels are the headers above).
_FIELD_LABEL = re.compile(
    r"(?:^|[.;,|]\s*|\s+)(?P<label>action\s+owner|owner|lead(?:\s+professional)?|who|responsible(?:\s+person)?"
    r"|action|task|what|deadline|by\s+when|due(?:\s+date)?|target\s+date|timescale|when|by|review(?:\s+date)?"
    r"|status|rag|case(?:\s+(?:ref(?:erence)?|no|number|id))?)"
    r"\s*:\s*",
    re.IGNORECASE,
)


def labelled_line(text: str) -> str | None:
    """An action written as labelled fields as an `/action` line (``Jo Bloggs to chase GP by 11/12``); an owner's
    label alone before the rest (``Lead: Jo Bloggs - chase GP - 11/12``) is dropped. None unless it starts with
    a field and names an owner."""
    if ":" not in text or _FIELD_LABEL.match(text) is None:
        return None  # most commands: one scan for a colon
    marks = list(_FIELD_LABEL.finditer(text))
    labels = [" ".join(mark["label"].split()) for mark in marks]
    ends = [mark.start() for mark in marks[1:]] + [len(text)]
    cells = [text[mark.end() : end].strip(" .;,|") for mark, end in zip(marks, ends, strict=True)]
    found = columns(labels)
    if found == {"owner": 0} and len(marks) == 1:
        return cells[0]
    if "owner" not in found or "action" not in found:
        return None
    return row_line(cells, found, length_column(labels, found))
