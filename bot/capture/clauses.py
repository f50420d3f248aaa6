"""Clauses: the deadline and review phrases peeled off the end of an ``/action`` text, longest first, leaving
the task. One deadline per action: a second is refused, never left in the task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.capture.phrases import (
    Context,
    Impossible,
    Unreadable,
    When,
    clean_word,
    fallback,
    hand_phrase,
    special,
    without_end_of_day,
)

MAX_CLAUSE_WORDS = 8

# ---------------------------------------------------------------------------------------------------
# Clauses
# ---------------------------------------------------------------------------------------------------
_DEADLINE_KEYWORDS = tuple(k.split() for k in ("no later than", "due by", "due on", "due", "by", "before", "until"))
_RELATIVE_KEYWORDS = {"in", "within"}


@dataclass(frozen=True)
class Clause:
    kind: Literal["deadline", "review"]
    start: int
    when: When


def _strip_keyword(words: list[str]) -> list[str] | None:
    """The words after a deadline keyword (``by``, ``due on`` ...), or None when they do not start with one."""
    for keyword in _DEADLINE_KEYWORDS:
        if words[: len(keyword)] == keyword and len(words) > len(keyword):
            return words[len(keyword) :]
    return None


# A clause can only start with one of these words; anything else is rejected before any parsing.
_CLAUSE_HEADS = {"review", "in", "within", "no", "due", "by", "before", "until"}
_SPECIAL_HEADS = {"eod", "cop", "eob", "today", "tonight", "tomorrow", "close", "end", "next", "the"}
_ANY_HEAD = _CLAUSE_HEADS | _SPECIAL_HEADS
# A keywordless phrase ("tomorrow", "EOD") after one of these words belongs to a longer phrase.
_JOINERS = {
    "the",
    "after",
    "before",
    "by",
    "day",
    "of",
    "than",
    "from",
    "until",
    "due",
    "in",
    "on",
    "for",
    "since",
    "at",
}


def read_clause(
    span: list[str], ctx: Context, use_fallback: bool, previous: str = "", review_only: bool = False
) -> tuple[str, When] | None:
    """Read cleaned words as one whole clause, or return None. ``previous`` is the word before them."""
    head = span[0] if span else ""
    if (head != "review") if review_only else (head not in _CLAUSE_HEADS and head not in _SPECIAL_HEADS):
        return None
    words = [w for w in span if w]

    def reader(phrase: list[str], relative: bool) -> When:
        return fallback(phrase, ctx) if use_fallback else hand_phrase(phrase, ctx, relative)

    try:
        if head == "review":
            rest = words[1:]
            if not rest or rest[0] in ("by", "of", "with", "and"):
                return None
            if rest[0] in ("on", "date", "at"):
                rest = rest[1:]
            if not rest:
                return None
            return "review", reader(rest, rest[0] in _RELATIVE_KEYWORDS)
        if head in _RELATIVE_KEYWORDS:
            return "deadline", reader(words, True)
        after_keyword = _strip_keyword(words)
        if after_keyword is not None:
            return "deadline", reader(after_keyword, after_keyword[0] in _RELATIVE_KEYWORDS)
        if not use_fallback and head in _SPECIAL_HEADS and previous not in _JOINERS:
            found = special(words, ctx)
            if found is None and without_end_of_day(words) != words:
                found = hand_phrase(words, ctx, False)  # "EOD Friday", "close of play tomorrow"
            if found is not None:
                return "deadline", found
    except Unreadable:
        return None
    return None


def _tail_clause(clean: list[str], ctx: Context, wanted: set[str], use_fallback: bool) -> Clause | None:
    """The longest clause of a wanted kind that ends the (cleaned) words."""
    review_only = wanted == {"review"}
    heads = {"review"} if review_only else _ANY_HEAD
    for start in range(max(0, len(clean) - MAX_CLAUSE_WORDS), len(clean)):
        if clean[start] not in heads:
            continue  # cheap rejection: most spans start with an ordinary word of the task
        found = read_clause(clean[start:], ctx, use_fallback, clean[start - 1] if start else "", review_only)
        if found and found[0] in wanted:
            kind: Literal["deadline", "review"] = "deadline" if found[0] == "deadline" else "review"
            return Clause(kind, start, found[1])
    return None


def _with_day_before(clause: Clause, clean: list[str], ctx: Context) -> Clause:
    """``Friday EOD``, ``tomorrow COP``: an end-of-day word takes the day written just before it."""
    if not clause.when.end_of_day_only:
        return clause
    for size in range(min(4, clause.start), 0, -1):
        span = clean[clause.start - size : clause.start]
        if not span[0]:
            continue
        try:
            day = hand_phrase(span, ctx, False)
        except Unreadable:
            continue
        if day.day is not None and not day.end_of_day_only:
            return Clause("deadline", clause.start - size, day)
    return clause


def peel_clauses(words: list[str], ctx: Context) -> tuple[list[str], When | None, When | None]:
    """Peel deadline and review clauses off the end; returns the words left (the task) and both dates.

    A second deadline left at the end of the task (``by Friday by Monday``) is refused, never kept in the
    task while the other is recorded."""
    # Only the last two clauses' worth of words (and the word before them) can take part in a clause.
    reach = 2 * MAX_CLAUSE_WORDS + 1
    clean = [""] * max(0, len(words) - reach) + [clean_word(w) for w in words[-reach:]]
    deadline: When | None = None
    deadline_text = ""
    review: When | None = None
    before_review: tuple[list[str], list[str], int] | None = None  # the words, cleaned, and where it started
    for use_fallback in (False, True):
        while True:
            wanted = ({"deadline"} if deadline is None else set()) | ({"review"} if review is None else set())
            if not wanted:
                break
            clause = _tail_clause(clean, ctx, wanted, use_fallback)
            if clause is None:
                break
            if clause.kind == "deadline":
                clause = _with_day_before(clause, clean, ctx)
                deadline, deadline_text = clause.when, " ".join(words[clause.start :])
            else:
                review, before_review = clause.when, (words, clean, clause.start)
            words, clean = words[: clause.start], clean[: clause.start]
        if deadline is not None:
            break
    if deadline is None and before_review is not None:
        words, clean, deadline, deadline_text = _review_as_task(*before_review, ctx) or (words, clean, None, "")
        review = None if deadline is not None else review
    if deadline is not None and (other := _tail_clause(clean, ctx, {"deadline"}, False)) is not None:
        raise Impossible(
            f"There are two deadlines, \u201c{' '.join(words[other.start :])}\u201d and \u201c{deadline_text}\u201d: "
            "give one"
        )
    return words, deadline, review


def _review_as_task(
    words: list[str], clean: list[str], start: int, ctx: Context
) -> tuple[list[str], list[str], When, str] | None:
    """``Book the GP review in 5 working days`` with no other deadline: "review" belongs to the task (a GP,
    health or CIN review is a common action) and what follows it is the deadline, said in a warning."""
    span = clean[start + 1 :]
    if not span or span[0] not in _RELATIVE_KEYWORDS:
        return None  # "review on 5 Jan", "review date ...": a review date, and the deadline is missing
    found = read_clause(span, ctx, False, "review")
    if found is None or found[0] != "deadline":
        return None
    said = " ".join(words[start + 1 :])
    note = (
        f"\u201creview\u201d is read as part of the task and \u201c{said}\u201d as the deadline. For a review date "
        "as well, give both: \u201cby Friday review in 2 weeks\u201d."
    )
    when = found[1]
    when.notes.append(note)
    return words[: start + 1], clean[: start + 1], when, said


def unread_tail(words: list[str]) -> str | None:
    """The last keyword-led phrase at the end of the words, to quote in an error."""
    for start in range(len(words) - 1, max(-1, len(words) - MAX_CLAUSE_WORDS - 1), -1):
        if clean_word(words[start]) in {"by", "before", "due", "in", "within", "until"}:
            return " ".join(words[start:])
    return None
