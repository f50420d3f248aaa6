"""The clauses minutes write that are not one date, found at the end of an ``/action``: urgency markers beside
the deadline (``- URGENT``), and vague times and meetings (``by Christmas``, ``review at the next meeting``),
refused by name with a date to give instead. Also the deadline keywords both this and bot.capture.clauses read."""

from __future__ import annotations

from bot.capture.minutes_phrases import (
    MEETING_ABBREVIATIONS,
    URGENT_MARKERS,
    VAGUE_ENDS,
    meeting_name,
    review_example,
    vague,
    vague_refusal,
)
from bot.capture.when import Context, Impossible, When, clean_word

#: The longest clause the hand grammar reads ("review at the next core group meeting on 4 Jan": 10 words).
MAX_CLAUSE_WORDS = 12

DEADLINE_KEYWORDS = tuple(
    k.split()
    for k in (
        "by no later than", "by not later than", "due no later than", "no later than", "not later than",
        "on or before", "on or by", "nlt", "due by", "due before", "due on", "due", "by", "before", "prior to",
        "until", "till", "on",
    )
)  # fmt: skip
# "on Monday" last: minutes say when a thing is done ("to speak to the school on Monday")
_KEYWORDS_BY_HEAD = {head: [k for k in DEADLINE_KEYWORDS if k[0] == head] for head, *_ in DEADLINE_KEYWORDS}


def strip_keyword(words: list[str]) -> list[str] | None:
    """The words after a deadline keyword (``by``, ``due on`` ...), or None when they do not start with one."""
    for keyword in _KEYWORDS_BY_HEAD.get(words[0] if words else "", ()):
        if words[: len(keyword)] == keyword and len(words) > len(keyword):
            return words[len(keyword) :]
    return None


DASHES = {"-", "--", "\u2013", "\u2014"}
_MARKER_ENDS = {marker[-1] for marker in URGENT_MARKERS} | DASHES


def marker_size(clean: list[str]) -> int:
    """How many words at the end are an urgency marker with its dashes: ``urgent``, ``- URGENT``, ``(urgent)``."""
    if not clean or clean[-1] not in _MARKER_ENDS:
        return 0  # most texts: one set lookup
    end = len(clean)
    while end and clean[end - 1] in DASHES:
        end -= 1
    for marker in URGENT_MARKERS:
        start = end - len(marker)
        if start >= 0 and tuple(clean[start:end]) == marker:
            while start and clean[start - 1] in DASHES:
                start -= 1
            return len(clean) - start
    return 0


def as_written(words: list[str]) -> str:
    """Words as the chair wrote them, without the punctuation around them: ``(URGENT)`` -> ``URGENT``."""
    return " ".join(w for w in words if w.strip("-\u2013\u2014")).strip(" ()[],.;:!?")


#: "review" after one of these words is what the task is about, not only the action's review date: "Book the
#: review in 6 weeks", "Invite dad to review 4/1", "Attend review 4/1", "Prepare for review at the next meeting"
#: (the task was "Book the", "Invite dad to", "Attend"): articles, prepositions, verbs that take a review, and
#: words that describe one. Not a kind of review that can stand alone ("Book the GP", "Close the case"): there
#: "review 4/1" may be the review date only, and the task is whole either way.
REVIEW_AS_OBJECT_AFTER = frozenset(
    {"a", "an", "the", "this", "that", "its", "their", "his", "her", "our", "your", "my", "each", "every", "any"}
    | {"for", "to", "of", "at", "into", "with", "from", "about"}
    | {"attend", "arrange", "book", "organise", "organize", "schedule", "reschedule", "rearrange", "convene"}
    | {"chair", "hold", "complete", "request", "lead", "prepare", "conduct", "undertake", "facilitate", "minute"}
    | {"host", "coordinate", "co-ordinate", "confirm", "cancel", "postpone", "expedite", "up", "out"}
    | {"annual", "statutory", "interim", "first", "initial", "final", "formal", "joint", "mid-point", "midpoint"}
)


def vague_deadline(clean: list[str]) -> tuple[int, str] | None:
    """Where a vague deadline ends the words, and what it names: ``by Christmas``, ``before the next core
    group``. After ``by`` or ``due`` only the next meeting counts ("agreed by the panel" is a task)."""
    if not clean or clean[-1] not in VAGUE_ENDS:
        return None  # most texts: one set lookup
    for start in range(max(0, len(clean) - MAX_CLAUSE_WORDS), len(clean)):
        if clean[start] not in ("by", "before", "until", "due", "no", "prior"):
            continue
        after = strip_keyword(clean[start:])
        if after is not None and (kind := vague(after, meetings=clean[start] not in ("by", "due"))):
            return start, kind
    return None


def refuse_vague_deadline(words: list[str], clean: list[str], ctx: Context, markers: bool = True) -> None:
    """No deadline was read: a vague one at the end (``by Christmas``; with ``markers``, a bare ``asap`` or
    ``urgent``, once dateparser too has found no deadline before it) is refused by name."""
    if (found := vague_deadline(clean)) is not None:
        raise Impossible(vague_refusal(found[1], as_written(words[found[0] :]), ctx))
    if markers and (size := marker_size(clean)):
        raise Impossible(vague_refusal("asap", as_written(words[-size:]), ctx))


def refuse_vague(words: list[str], ctx: Context) -> None:
    """A date phrase on its own (a new deadline) that is vague (``Christmas``, ``by next meeting``, ``asap``):
    refused by name, as in an ``/action``, before dateparser is asked."""
    clean = [clean_word(w) for w in words]
    if (kind := vague([w for w in clean if w], meetings=True)) is not None:
        raise Impossible(vague_refusal(kind, as_written(words), ctx))
    refuse_vague_deadline(words, clean, ctx)


def _meeting_review(clean: list[str], start: int) -> tuple[int, bool]:
    """The size of ``review at [the] [next] MEETING`` or ``review [the] next MEETING`` at ``start`` (0 when
    none), and whether it says "at"."""
    if clean[start] not in ("review", "reviewed"):
        return 0, False
    i = start + 1
    at = clean[i : i + 1] == ["at"]
    size, qualified = meeting_name(clean, i + at)
    named = clean[i + at : i + at + 1] and clean[i + at] in MEETING_ABBREVIATIONS  # "review RCPC", a table's cell
    return (1 + at + size if size and (at or qualified or named) else 0), at


def refuse_vague_review(words: list[str], clean: list[str], ctx: Context) -> None:
    """``review at the next meeting``, ``review at Christmas`` at the very end: the grammar does not know
    when that is, so it is refused (never recorded as a guessed date, nor left in the task)."""
    tail = clean[-MAX_CLAUSE_WORDS:]
    if "review" not in tail and "reviewed" not in tail:
        return  # most texts
    for start in range(max(0, len(clean) - MAX_CLAUSE_WORDS), len(clean)):
        if clean[start] not in ("review", "reviewed") or (start and clean[start - 1] in REVIEW_AS_OBJECT_AFTER):
            continue
        size, _ = _meeting_review(clean, start)
        rest = clean[start + 1 :]
        if rest[:1] == ["date"]:  # "review date TBC"
            rest = rest[1:]
        if rest[:1] in (["at"], ["on"], ["in"], ["after"]):
            rest = rest[1:]
        kind = "meeting" if size and start + size == len(clean) else vague(rest, meetings=False)
        if kind is None and rest in _NO_REVIEW_DATE:
            kind = "repeats" if rest[0] in _REPEATS else "none"
        if kind:
            raise Impossible(_vague_review_refusal(kind, as_written(words[start:]), ctx))


#: What a minutes' review column says instead of a date: "weekly" (it repeats), "n/a", "on completion". They were
#: refused as a deadline "inside the task".
_REPEATS = frozenset({"weekly", "fortnightly", "monthly", "daily", "ongoing"})
_NO_REVIEW_DATE = [[word] for word in (*_REPEATS, "n/a", "na", "none", "completion")] + [
    ["when", "complete"], ["when", "completed"], ["as", "needed"], ["as", "required"],
]  # fmt: skip


def _vague_review_refusal(kind: str, said: str, ctx: Context) -> str:
    example = review_example(ctx)
    if kind == "repeats":
        return (
            f"\u201c{said}\u201d repeats: a review reminder comes once. Give the next review's date, such as "
            f"\u201c{example}\u201d"
        )
    if kind == "none":
        return (
            f"\u201c{said}\u201d is not a date: give the review's date, such as \u201c{example}\u201d, or leave it out"
        )
    if kind == "meeting":
        return (
            f"\u201c{said}\u201d is not a date: the meeting's date is not known here. Give the review's date, such "
            f"as \u201c{example}\u201d, or leave the review out"
        )
    return f"\u201c{said}\u201d is not a date: give the review's date, such as \u201c{example}\u201d"


def meeting_review_in_task(words: list[str], ctx: Context, review: When | None) -> str | None:
    """``review at the next meeting`` left in the task. Just before the deadline it is refused, as at the
    end; after "for", "to" ... (part of what is to be done) or inside the task it is kept, with a warning."""
    if not any("review" in w.lower() for w in words):
        return None
    clean = [clean_word(w) for w in words]
    for start in range(len(clean)):
        size, at = _meeting_review(clean, start)
        if not size:
            continue
        said = as_written(words[start : start + size])
        at_end = start + size == len(clean)
        if at_end and (start == 0 or clean[start - 1] not in REVIEW_AS_OBJECT_AFTER):
            raise Impossible(_vague_review_refusal("meeting", said, ctx))
        if not at and not at_end:
            continue  # "Review the next meeting's minutes": a task
        note = (
            f"\u201c{said}\u201d is read as part of the task: it sets no review date (the meeting's date is not "
            "known here)."
        )
        if review is None:
            note += f" For a review reminder, add its date: \u201c{review_example(ctx)}\u201d."
        return note
    return None
