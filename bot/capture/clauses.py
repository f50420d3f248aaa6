"""Clauses: the deadline and review phrases peeled off the end of an ``/action`` text, longest first, leaving
the task. One deadline per action: a second is refused, never left in the task."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from bot.capture.calendar_dates import calendar_date_from
from bot.capture.dates import format_day, format_when
from bot.capture.minutes_phrases import (
    MEETING_ABBREVIATIONS,
    PART_OF_PERIOD,
    URGENT_MARKERS,
    WEEK_HEADS,
    Week,
    meeting_deadline,
    meeting_name,
    meeting_words,
    week_deadline,
    week_end,
    week_mark,
    week_phrase,
    week_review,
)
from bot.capture.phrases import (
    DAYS_OF_A_TIME,
    PART_OF_DAY_WORDS,
    bare_hour,
    day_counted_from,
    hand_phrase,
    length_before,
    month_alone,
    month_end,
    special,
    starts_with_count,
    take_part_of_day,
    take_time,
    take_wall,
    without_end_of_day,
)
from bot.capture.vague_clauses import (
    DASHES,
    MAX_CLAUSE_WORDS,
    REVIEW_AS_OBJECT_AFTER,
    as_written,
    marker_size,
    meeting_review_in_task,
    refuse_vague_deadline,
    refuse_vague_review,
    strip_keyword,
    vague_deadline,
)
from bot.capture.when import MONTHS, WEEKDAYS, Context, Impossible, Unreadable, When, clean_word

#: The longest clause without a keyword ("the end of the week commencing 14 December").
KEYWORDLESS_CLAUSE_WORDS = 8

# ---------------------------------------------------------------------------------------------------
# Clauses
# ---------------------------------------------------------------------------------------------------
_RELATIVE_KEYWORDS = {"in", "within"}


@dataclass(frozen=True)
class Clause:
    kind: Literal["deadline", "review"]
    start: int
    when: When


# A clause can only start with one of these words; anything else is rejected before any parsing.
_CLAUSE_HEADS = {
    "review", "reviewed", "in", "within", "over", "during", "no", "not", "nlt", "due", "by", "before", "prior", "until",
    "till", "on", "at",
}  # fmt: skip
_REVIEW_HEADS = frozenset({"review", "reviewed"})
_SPECIAL_HEADS = {
    "eod", "cop", "eob", "eow", "eom", "today", "tonight", "tomorrow", "close", "end", "next", "the", "this", "same",
    "first", "later",
}  # fmt: skip
_KEYWORDLESS_HEADS = _SPECIAL_HEADS | WEEK_HEADS
_ANY_HEAD = _CLAUSE_HEADS | _KEYWORDLESS_HEADS
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
    "till",
    "due",
    "in",
    "within",
    "during",
    "on",
    "for",
    "since",
    "at",
    # "early next week", "the middle of next week": a part of it, never "next week" with "early" in the task
    *PART_OF_PERIOD,
}


def _is_time(word: str) -> bool:
    """``10``, ``10.30``, ``3pm``, ``lunchtime``: a time written just before a day ("10.30 tomorrow"), which
    belongs to it."""
    if word in PART_OF_DAY_WORDS:
        return True
    return bool(word) and word[0].isdigit() and take_time([word, "tomorrow"])[1] is not None


def starts_a_clause(word: str) -> bool:
    """Whether a (cleaned) word may start a date clause or an urgency marker (``by``, ``review``, ``w/c``,
    ``urgent``): brackets that start so are read as one, not kept as a note."""
    return word in _ANY_HEAD or any(word == marker[0] for marker in URGENT_MARKERS)


def read_clause(
    span: list[str], ctx: Context, previous: str = "", review_only: bool = False
) -> tuple[str, When] | None:
    """Read cleaned words as one whole clause, or return None. ``previous`` is the word before them."""
    head = span[0] if span else ""
    if (head not in _REVIEW_HEADS) if review_only else (head not in _ANY_HEAD):
        return None
    words = [w for w in span if w]
    if previous == "not" and head in ("before", "prior", "until", "till"):  # "Visit not before 14/12"
        raise Impossible(
            f"\u201cnot {meeting_words(words)}\u201d is the "
            "earliest it may be done, not a deadline: give the day it must be done by"
        )

    try:
        if head in _REVIEW_HEADS:  # "review 4/1", "(to be) reviewed at core group on 4/1"
            rest = words[1:]
            if not rest or rest[0] in ("by", "of", "with", "and"):
                return None
            at = rest[0] == "at"
            if rest[0] in ("on", "date", "at"):
                rest = rest[1:]
            # "review at the next core group on 4 Jan", "review CGM 4/1": the date is the review's. Without "at"
            # or "next" only a meeting's own name counts ("Send it to the review group EOD" is a task).
            size, qualified = meeting_name(rest)
            if size and (at or qualified or size > 1 or rest[0] in MEETING_ABBREVIATIONS):
                rest = rest[size + 1 :] if rest[size : size + 1] in (["on"], ["of"]) else rest[size:]
            if not rest:
                return None
            if (week := week_phrase(rest, ctx)) is not None:
                return "review", week_review(week, ctx)
            if rest == ["next", "week"]:  # as "review w/c 14 Dec": its first working day (it was the Friday)
                monday = ctx.today + timedelta(days=7 - ctx.today.weekday())
                return "review", week_review(Week(monday, False, ()), ctx)
            if (length := length_of_time(rest, ctx)) is not None:
                return "review", length  # "review 3 months", "Review: 6 weeks": as "review in 3 months"
            joined = rest[0] in ("in", "during", "by")  # "review in March": a month, not the review's day
            if month_alone(rest[1:] if joined else rest) is not None:
                said = ["review", *rest[:1]] if joined else ["review"]
                raise Impossible(_a_month(said, rest, "the review's date", ctx))
            return "review", hand_phrase(rest, ctx, rest[0] in _RELATIVE_KEYWORDS)
        if head in ("in", "during") and (week := week_phrase(words[1:], ctx)) is not None:
            return "deadline", week_deadline(week, ctx)  # "in w/c 14 Dec", "during the week commencing ..."
        if head in ("in", "during") and (month := month_alone(words[1:])) is not None:
            if previous in WEEKDAYS:
                return None  # "the first Monday in January": a day this reader does not know, never the month
            if previous in ("week", "weeks"):  # "by the 2nd week in January" was "by the 2nd week", due 29 Jan
                raise Impossible(
                    f"\u201cweek {meeting_words(words)}\u201d is a week, not a day: give the day it must be done by"
                )
            return "deadline", _whole_month(_as_written(words[:1], *month), *month, ctx)  # by its end
        if head == "during":
            return None
        if head in _RELATIVE_KEYWORDS:
            if (of := _of_a_day(words)) is not None:  # "within 15 working days of the strategy discussion"
                return "deadline", _counted_from(words, of, ctx)
            return "deadline", hand_phrase(words, ctx, True)
        if head == "over":  # "over the next week", "over the coming fortnight": within that time
            if words[1:3] not in (["the", "next"], ["the", "coming"]):
                return None  # "over the weekend" says when, not by when
            return "deadline", hand_phrase(["within", *words[1:]], ctx, True)
        if head == "at":  # "at 10 tomorrow", "at 3pm on Friday", "at lunchtime tomorrow": a time, then its day
            return ("deadline", hand_phrase(words, ctx, False)) if take_wall(words)[1] is not None else None
        after_keyword = strip_keyword(words)
        if after_keyword is not None and (counted := counted_phrase(after_keyword, ctx)) is not None:
            return "deadline", counted  # "by 10 days from today": dateparser read it as today
        if after_keyword is not None:
            keyword = words[: len(words) - len(after_keyword)]
            if keyword == ["by"] and previous in DAYS_OF_A_TIME and len(after_keyword) == 1 and bare_hour(words[-1]):
                after_keyword = ["at", words[-1]]  # "Friday by 3": a time, that day's (_with_day_before)
            meeting = meeting_deadline(keyword, after_keyword, ctx, lambda p: hand_phrase(p, ctx, False))
            if meeting is not None:
                return "deadline", meeting
            if (week := week_phrase(after_keyword, ctx)) is not None:
                if not week.end_of and keyword not in (["due"], ["due", "on"]):
                    raise Impossible(_by_a_week(keyword, week, ctx))
                return "deadline", week_deadline(week, ctx)
            if month_alone(after_keyword) is not None:  # "by January": before it starts, or by its end?
                raise Impossible(_a_month(keyword, after_keyword, "the day", ctx))
            if keyword[-1] in ("before", "to") and [w for w in after_keyword if w != "the"] in (
                ["next", "week"],
                ["next", "month"],
            ):
                raise Impossible(_before_next(keyword, after_keyword[-1], ctx))
            if (
                keyword[-1] not in ("on", "until", "till")
                and (length := length_of_time(after_keyword, ctx)) is not None
            ):
                return "deadline", length  # "by 15 working days" (a timescale column): "within 15 working days"
            return "deadline", hand_phrase(after_keyword, ctx, after_keyword[0] in _RELATIVE_KEYWORDS)
        if (
            head in _KEYWORDLESS_HEADS
            and previous not in _JOINERS
            # "Visit Tuesday next week": never "next week" with "Tuesday" left in the task ("Friday EOD" is one day)
            and not (previous in WEEKDAYS and head in ("next", "this"))
            and not _is_time(previous)
        ):
            if (week := week_phrase(words, ctx)) is not None:  # "w/c 14 Dec", "the week commencing 14 Dec"
                return "deadline", week_deadline(week, ctx)
            # "the weekend" is a deadline only after "by" or "before": "visit over the weekend" says when
            found = special(words, ctx) if "weekend" not in words else None
            if found is None and (
                without_end_of_day(words) != words
                or take_part_of_day(words)[1] is not None
                or take_time(words)[1] is not None
            ):  # "EOD Friday", "close of play tomorrow", "tomorrow am", "tomorrow at 10"
                found = hand_phrase(words, ctx, False)
            if found is not None:
                return "deadline", found
    except Unreadable:
        return None
    return None


#: What joins a length of time to the day it counts from: "within 15 working days of|following|after|from ...".
_COUNTED_FROM = {"of", "following", "after", "from"}


def _of_a_day(words: list[str]) -> int | None:
    """Where "of" (``following``, ``after``, ``from``) follows a length of time (``within 15 working days of
    ...``), or None (``a couple of weeks``)."""
    for at in range(2, len(words) - 1):
        if words[at] in _COUNTED_FROM and words[at - 1] not in ("couple", "few"):
            return at
    return None


def counted_phrase(words: list[str], ctx: Context) -> When | None:
    """``10 days from today``, ``2 weeks from Friday``, ``5 working days after the ICPC on 14/12`` (a length,
    then what it is counted from) read as "within" reads it; None for other words. dateparser read "10 days
    from today" as today and "a week from today" as a week ago."""
    if not starts_with_count(words):
        return None
    within = ["within", *words]
    if (at := _of_a_day(within)) is None:
        return None
    try:
        return _counted_from(within, at, ctx)
    except Unreadable:
        return None  # "3pm of ...", "week by of": no length


def _counted_from(words: list[str], at: int, ctx: Context) -> When:
    """``within 15 working days of the strategy discussion``: counted from a day written with it (``of the ICPC
    on 14/12``, ``of referral (1/12)``), or else from today: a meeting (or today) named is read as today's, said
    in a note unless "this" or "today" says so; anything else (``of the referral``, ``of the next core
    group``) is refused, asking for the date."""
    length, base = words[:at], words[at + 1 :]
    when = hand_phrase(length, ctx, True)
    said = meeting_words(words)
    shown = format_when(when.moment(ctx), ctx.cal.zone, ctx.now)
    if base in (["today"], ["now"]):
        return when
    if base[:3] == ["the", "date", "of"]:  # "from the date of the meeting"
        base = base[3:]
    named = base[1:] if base[:1] == ["today"] else base
    size, _ = meeting_name(named)
    since = "now" if when.instant is not None else "today"  # "within 24 hours": from now
    if (day := _named_day(base, ctx)) is not None and (moved := length_before(length[1:], day, ctx.cal, True)):
        # "within 10 working days of the ICPC on 14/12", "of 1/12": counted from that day (it was refused)
        shown_from, shown_due = format_day(day, ctx.now, ctx.cal.zone), format_day(moved, ctx.now, ctx.cal.zone)
        return When(day=moved, notes=[f"\u201c{said}\u201d is counted from {shown_from}: the deadline is {shown_due}."])
    if size and size == len(named) and not {"next", "following"} & set(named):
        if base[0] not in ("today", "this"):
            today = format_day(ctx.today, ctx.now, ctx.cal.zone)
            when.notes.append(
                f"\u201c{said}\u201d is counted from {since}, {today}, as this meeting's day: {shown}. If the "
                f"{meeting_words(named[1:] if named[0] == 'the' else named)} was held on another day, give the "
                "deadline's date instead."
            )
        return when
    raise Impossible(
        f"\u201c{said}\u201d: counted from when? Give the deadline's date ({' '.join(length[1:])} from {since} "
        f"would be {shown})"
    )


def _named_day(words: list[str], ctx: Context) -> date | None:
    """The day at the end of what a length is counted from: after a meeting's name or an event's (``the ICPC
    on 14/12``, ``referral (1/12)``, ``the ICPC held on 14/12``), or alone (``14/12``); None without one."""
    words = [w for w in words if w]
    for start in range(max(0, len(words) - 4), len(words)):  # the longest day phrase that ends the words
        if (day := day_counted_from(words[start:], ctx)) is not None:
            return day
    return None


def _whole_month(said: str, month: int, year: int | None, ctx: Context) -> When:
    """``in January``: due by the month's last working day, said in a note (as a week's Friday is)."""
    day = month_end(month, year, ctx)
    note = (
        f"\u201c{said}\u201d: the deadline is that month's last working day, {format_day(day, ctx.now, ctx.cal.zone)}."
    )
    return When(day=day, notes=[note])


def _as_written(keyword: list[str], month: int, year: int | None) -> str:
    """``in January 2027`` from the cleaned words: the keyword, and the month's name with its capital."""
    return " ".join([*keyword, calendar.month_name[month], *([str(year)] if year else [])])


def _a_month(keyword: list[str], words: list[str], what: str, ctx: Context) -> str:
    """A month named with no day where a day is needed ("by January", "review in March"): refused, never read
    as today's day of that month (dateparser's answer). The message offers the month's first and last days."""
    month, year = next(found for i in range(len(words)) if (found := month_alone(words[i:])) is not None)
    said = _as_written(keyword, month, year)
    try:
        last = month_end(month, year, ctx)
    except Impossible:
        return f"\u201c{said}\u201d is a month that has passed: give {what}"
    first = max(ctx.cal.add_working_days(last.replace(day=1) - timedelta(days=1), 1), ctx.today)
    shown = [format_day(d, ctx.now, ctx.cal.zone) for d in (first, last)]
    return (
        f"\u201c{said}\u201d is a month, not a day: give {what}, such as \u201c{shown[0]}\u201d or "
        f"\u201c{shown[1]}\u201d (its last working day)"
    )


def _before_next(keyword: list[str], period: str, ctx: Context) -> str:
    """``before next week`` could mean before it starts or by its end (as ``by w/c 14 Dec``): refused, with
    both days to choose from."""
    this_end, next_end = (special(["end", "of", when, period], ctx) for when in ("this", "next"))
    assert this_end is not None and next_end is not None and this_end.day and next_end.day
    shown = [format_day(d, ctx.now, ctx.cal.zone) for d in (this_end.day, next_end.day)]
    return (
        f"\u201c{' '.join(keyword)} next {period}\u201d could mean before it starts or by its end: give the day, "
        f"such as \u201cby {shown[0]}\u201d (before it starts) or \u201cby {shown[1]}\u201d (the end of next {period})"
    )


def length_of_time(words: list[str], ctx: Context) -> When | None:
    """``15 working days``, ``2 weeks``, ``a fortnight``, ``2/52`` (no month 52: health notes' two weeks) read
    as ``within ...``; None for anything else (``3/7`` is a date here)."""
    if not (starts_with_count(words) or (len(words) == 1 and words[0].endswith("/52"))):
        return None
    try:
        return hand_phrase(["within", *words], ctx, True)
    except Unreadable:
        return None


def _by_a_week(keyword: list[str], week: Week, ctx: Context) -> str:
    """``by w/c 14 Dec`` could mean before that week or by its end: refused, with both days to choose from."""
    end = week_end(week.monday, ctx)
    before = ctx.cal.add_working_days(week.monday, -1)
    said = f"{' '.join(keyword)} w/c {format_day(week.monday, ctx.now, ctx.cal.zone)}"
    choice = f"\u201cby {format_day(end, ctx.now, ctx.cal.zone)}\u201d (the end of that week)"
    if before >= ctx.today:
        choice += f" or \u201cby {format_day(before, ctx.now, ctx.cal.zone)}\u201d (before it starts)"
    return f"\u201c{said}\u201d could mean before that week starts or by its end: give the day, such as {choice}"


def _tail_clause(clean: list[str], ctx: Context, wanted: set[str]) -> Clause | None:
    """The longest clause of a wanted kind that ends the (cleaned) words."""
    review_only = wanted == {"review"}
    heads = _REVIEW_HEADS if review_only else _ANY_HEAD
    for start in range(max(0, len(clean) - MAX_CLAUSE_WORDS), len(clean)):
        if clean[start] not in heads:
            continue  # cheap rejection: most spans start with an ordinary word of the task
        if len(clean) - start > KEYWORDLESS_CLAUSE_WORDS and clean[start] not in _CLAUSE_HEADS:
            continue  # only a keyword's clause is that long ("by the end of the week commencing 14 December")
        found = read_clause(clean[start:], ctx, clean[start - 1] if start else "", review_only)
        if found and found[0] in wanted:
            kind: Literal["deadline", "review"] = "deadline" if found[0] == "deadline" else "review"
            return Clause(kind, start, found[1])
    return None


_DAY_KEYWORDS = {"by", "on", "before", "due"}


def _with_day_before(clause: Clause, clean: list[str], ctx: Context) -> Clause:
    """``Friday EOD``, ``tomorrow COP``: an end-of-day word takes the day written just before it; so does a
    time alone (``tomorrow by 4.30pm``, ``11/12 by 10am``, ``by Friday by 3pm``), at that time."""
    when = clause.when
    if not (when.end_of_day_only or when.time_only):
        return clause
    for size in range(min(4, clause.start), 0, -1):
        start = clause.start - size
        span = clean[start : clause.start]
        if not span[0] or (start and clean[start - 1] in _JOINERS and clean[start - 1] not in _DAY_KEYWORDS):
            continue  # "Book the room for Friday by 3pm": the day is the task's
        if span[0] in _JOINERS and span[0] != "the" and span[0] not in _DAY_KEYWORDS:
            continue  # "circulate the minutes of the 4th EOD": the day is the task's (it was due on the 4th)
        try:
            day = hand_phrase(span, ctx, False)
        except Unreadable:
            continue
        if day.day is None or day.end_of_day_only or day.time_only or day.instant is not None:
            continue
        if when.time_only:
            if day.wall is not None:
                continue  # "at 10 by 3pm": two times, refused as two deadlines
            day.wall, day.wall_notes = when.wall, when.wall_notes
            start -= start > 0 and clean[start - 1] in _DAY_KEYWORDS  # "by Friday by 3pm"
        return Clause("deadline", start, day)
    return clause


_WEEK_UNITS = {"week", "weeks", "fortnight", "fortnights"}


def _with_weeks_before(clause: Clause, clean: list[str], ctx: Context) -> Clause:
    """``a week on Friday``, ``two weeks today`` without "by": that many weeks after the day. "Visit a week on
    Friday" was due that Friday, with "a week" left in the task."""
    if clause.start < 2 or clean[clause.start - 1] not in _WEEK_UNITS:
        return clause  # most clauses: one set lookup
    start = clause.start - 2
    if (start > 0 and clean[start - 1] in _JOINERS) or not starts_with_count(clean[start:]):
        return clause  # "for a week on Friday": how long, not by when
    try:
        return Clause("deadline", start, hand_phrase(clean[start:], ctx, False))  # "a week on Friday at 3pm"
    except Unreadable:
        return clause


#: What says a task is done for a meeting (before it starts), not on its day: "for", "ahead of", "in time for".
_FOR_A_MEETING = (["in", "time", "for"], ["in", "advance", "of"], ["in", "preparation", "for"], ["ahead", "of"],
                  ["ready", "for"], ["for"])  # fmt: skip


def _for_a_meeting(clause: Clause, clean: list[str], ctx: Context) -> Clause:
    """``Update the chronology for the ICPC on 14/12``, ``... ahead of the core group on 14/12``: due before the
    meeting, the end of the working day before it (as ``before the ICPC on 14/12`` is), the task kept as
    written. It was due at 17:00 on the meeting's day, after the meeting had been held."""
    if clean[clause.start] != "on" or clause.when.wall is not None:
        return clause  # most deadlines; "for the ICPC on 14/12 9am" has its time
    for start in range(max(0, clause.start - 6), clause.start):
        if meeting_name(clean, start)[0] != clause.start - start:
            continue
        head = next((words for words in _FOR_A_MEETING if clean[max(0, start - len(words)) : start] == words), None)
        if head is None:
            return clause
        due = meeting_deadline(head, clean[start:], ctx, lambda phrase: hand_phrase(phrase, ctx, False))
        return clause if due is None else Clause("deadline", clause.start, due)
    return clause


def _with_length_before(clause: Clause, words: list[str], clean: list[str], ctx: Context) -> Clause:
    """``2 working days before the RCPC on 14/12``, ``3 days prior to Friday``, ``at least a week before
    14/12``: that long before the day named (a meeting's own day, not the working day before it, which
    ``before`` alone gives), said in a note. The length was left in the task ("Send the report 2 working
    days") and the deadline was the working day before."""
    after = strip_keyword(clean[clause.start :])
    if clause.start == 0 or after is None or clean[clause.start] not in ("before", "prior"):
        return clause
    size, _ = meeting_name(after)
    try:
        named = hand_phrase(after[size + 1 :] if size and after[size : size + 1] == ["on"] else after, ctx, False)
    except Unreadable:
        return clause
    if named.day is None or named.instant is not None:
        return clause
    if clean[max(0, clause.start - 2) : clause.start] in (["the", "day"], ["a", "day"]):
        # "Visit the day before the ICPC on 14/12": its working day before (the task was "Visit the day")
        before = ctx.cal.add_working_days(named.day, -1)
        return _counted(words, clause.start - 2, before, named, ctx, "the working day before, ")
    for length in (3, 2, 1):  # "2 working days", "a week", "48hrs"
        start = clause.start - length
        if start < 0 or (day := length_before(clean[start : clause.start], named.day, ctx.cal)) is None:
            continue
        start -= 2 if clean[max(0, start - 2) : start] == ["at", "least"] else 0
        return _counted(words, start, day, named, ctx)
    return clause


def _counted(words: list[str], start: int, day: date, named: When, ctx: Context, how: str = "") -> Clause:
    """The deadline a length counted from a named day gives, from ``start``, with a note quoting the words."""
    said = " ".join(words[start:]).strip(" ,;.")
    note = f"\u201c{said}\u201d: the deadline is {how}{format_day(day, ctx.now, ctx.cal.zone)}."
    return Clause("deadline", start, When(day=day, wall=named.wall, notes=[*named.notes, note]))


def _after_a_meeting(clause: Clause, words: list[str], clean: list[str], ctx: Context) -> Clause:
    """``the day after the ICPC on 14/12``, ``2 working days after the strategy meeting on 7/12``: that long after
    the day named, said in a note. It was due on the meeting's day, "the day after the ICPC" left in the task.
    Without a length (``call mum after the meeting on Friday``) it is that day's, as before."""
    if clean[clause.start : clause.start + 1] != ["on"] or clause.when.day is None:
        return clause
    end = clause.start
    for size in range(min(5, end - 1), 0, -1):  # the meeting's name between "after" and "on"
        if clean[end - size - 1] in ("after", "following") and meeting_name(clean[end - size : end])[0] == size:
            start = end - size - 1
            break
    else:
        return clause
    if clean[max(0, start - 2) : start] in (["the", "day"], ["a", "day"]):
        return _counted(words, start - 2, ctx.cal.add_working_days(clause.when.day, 1), clause.when, ctx)
    for length in (3, 2, 1):
        found = length_before(clean[max(0, start - length) : start], clause.when.day, ctx.cal, True)
        if start - length >= 0 and found is not None:
            return _counted(words, start - length, found, clause.when, ctx)
    return clause  # "call mum after the meeting on Friday": that day, after the meeting


def _review_is_the_tasks(words: list[str], clean: list[str], start: int) -> bool:
    """Whether "review" opening a review clause is also what the task is about: ``Book the review in 6 weeks``,
    ``Invite dad to review 4/1``, ``Attend review 4/1`` (the task was "Book the", "Invite dad to", "Attend").
    Not after a comma or a dash: ``Visit the GP, review 4/1``."""
    if clean[start] != "review" or start == 0 or words[start - 1].endswith((",", ";", ":", ".", ")")):
        return False
    before = clean[start - 1]
    if before == "next" and start > 1:  # "Agree a date for the next review 4/1" (not "by Friday next review 4/1")
        before = clean[start - 2]
    return before in REVIEW_AS_OBJECT_AFTER


#: Verbs whose work is done at the review itself: "Attend the review on 4/1" is due that day. "Book the review
#: on 4/1", "Prepare for review 4/1" are due before it, on a day not given: refused as having no deadline.
_AT_THE_REVIEW = frozenset(
    {"attend", "chair", "hold", "conduct", "complete", "undertake", "lead", "facilitate", "minute", "host", "convene"}
)
_BEFORE_A_REVIEW = frozenset({"the", "a", "an", "this", "that", "their", "his", "her", "next", "initial", "first"})


def _done_at_the_review(before: list[str]) -> bool:
    """Whether the task's words before "review" end with a verb whose work is done at the review."""
    words = [w for w in before[-3:] if w not in _BEFORE_A_REVIEW]
    return bool(words) and words[-1] in _AT_THE_REVIEW


def _kept_review_date(span: list[str], ctx: Context) -> When | None:
    """The words after a "review" kept in the task, read as a deadline (``on 4/1``, ``EOD Friday``, ``4/1``)."""
    if span[:1] == ["date"]:
        span = span[1:]
    for words in (span, ["by", *span]):
        found = read_clause(words, ctx)
        if found is not None and found[0] == "deadline":
            return found[1]
    return None


def _review_kept_note(words: list[str], start: int, end: int) -> str:
    said = " ".join(words[start:end]).strip(" ,;.")
    return f"\u201c{said}\u201d is read as the review date; \u201c{words[start]}\u201d is kept in the task too."


def _review_lead(clean: list[str]) -> int:
    """How many words at the end lead into a review that follows them: a dash ("by 14/12 - review 4/1"),
    "to be" ("by Friday, to be reviewed on 4/1"), "next" ("by Friday next review 4/1"), "and", "then"."""
    end = len(clean)
    while end and clean[end - 1] in DASHES:
        end -= 1
    if clean[max(0, end - 2) : end] == ["to", "be"]:
        end -= 2
    elif clean[end - 1 : end] == ["next"]:
        end -= 1
    if clean[max(0, end - 2) : end] == ["and", "then"]:
        end -= 2
    elif clean[end - 1 : end] in (["and"], ["then"]):
        end -= 1  # "by 14/12 and review on 4/1", "by 14/12 then review 4/1": left "by 14/12 and" unread
    return len(clean) - end


@dataclass
class Peeled:
    """What peeling the clauses leaves: the task's words, the deadline and review, and the urgency markers."""

    words: list[str]
    deadline: When | None
    review: When | None
    #: ``urgent``, ``ASAP`` ... beside the deadline, as written: left out of the task and the deadline, and
    #: said in a warning (grammar.py, which knows the deadline's instant).
    markers: list[str] = field(default_factory=list)


def peel_clauses(words: list[str], ctx: Context) -> Peeled:
    """Peel deadline and review clauses off the end; returns the words left (the task) and both dates.

    A second deadline left at the end of the task (``by Friday by Monday``, ``by Christmas by Friday``) is
    refused, never kept in the task while the other is recorded. A vague time (``by Christmas``, ``asap``,
    ``review at the next meeting``) is refused by name. An urgency marker beside the deadline is set aside."""
    # Only the last two clauses' worth of words (and the word before them) can take part in a clause.
    reach = 2 * MAX_CLAUSE_WORDS + 1
    clean = [""] * max(0, len(words) - reach) + [clean_word(w) for w in words[-reach:]]
    refuse_vague_review(words, clean, ctx)
    deadline: When | None = None
    deadline_text = ""
    review: When | None = None
    before_review: tuple[list[str], list[str], int] | None = None  # the words, cleaned, and where it started
    markers: list[str] = []
    kept: tuple[list[str], str] | None = None  # "review" kept in the task, done at it: its date's words, as written
    while True:
        wanted = ({"deadline"} if deadline is None else set()) | ({"review"} if review is None else set())
        if not wanted:
            break
        end = len(clean) - marker_size(clean)  # "by Friday (urgent)", "by Fri - URGENT": read without it
        clause = _tail_clause(clean[:end], ctx, wanted)
        if clause is None:
            break
        if end < len(clean):
            markers.append(as_written(words[end:]))
        if clause.kind == "deadline":
            clause = _for_a_meeting(_with_weeks_before(clause, clean[:end], ctx), clean[:end], ctx)
            clause = _with_length_before(_with_day_before(clause, clean, ctx), words, clean, ctx)
            clause = _after_a_meeting(clause, words, clean[:end], ctx)
            deadline, deadline_text = clause.when, " ".join(words[clause.start : end])
        else:
            review, before_review = clause.when, (words[:end], clean[:end], clause.start)
            if _review_is_the_tasks(words, clean, clause.start):
                review.notes.append(_review_kept_note(words, clause.start, end))
                clause = Clause("review", clause.start + 1, clause.when)  # "Book the review in 6 weeks"
                if _done_at_the_review(clean[: clause.start - 1]):
                    kept = (clean[clause.start : end], " ".join(words[clause.start : end]))
        words, clean = words[: clause.start], clean[: clause.start]
        if clause.kind == "review" and clean[-1:] != ["review"]:  # the words that lead into it go with it
            size = _review_lead(clean)
            words, clean = words[: len(words) - size], clean[: len(clean) - size]
        joined = int(clean[-1:] in (["and"], ["but"]))  # "ASAP and by 14/12", "ASAP but no later than ..."
        if deadline is not None and (size := marker_size(clean[: len(clean) - joined])):  # "urgent by Friday"
            markers.append(as_written(words[len(words) - size - joined : len(words) - joined]))
            words, clean = words[: -size - joined], clean[: -size - joined]
    if deadline is None:
        refuse_vague_deadline(words, clean, ctx, markers=False)  # "by Christmas": by name
    # "by Friday review by 4/1": the first date is the deadline, the one after "review by" the review's
    # ("Complete the case review by Friday", with no date before "review", stays a task and its deadline).
    if (
        deadline is not None
        and review is None
        and clean[-1:] == ["review"]
        and (first := _tail_clause(clean[:-1], ctx, {"deadline"})) is not None
    ):
        review, deadline = deadline, first.when
        deadline_text = " ".join(words[first.start : len(words) - 1])
        words, clean = words[: first.start], clean[: first.start]
    if deadline is None and kept is not None and (found := _kept_review_date(kept[0], ctx)) is not None:
        # "Book the review EOD Friday", "Attend the review on 4/1": what is done is the review; its date is the
        # deadline (it was refused as having none)
        deadline, review, deadline_text = found, None, kept[1]
        deadline.notes.append(_review_in_task_note("review", kept[1]))
    elif deadline is None and before_review is not None:
        words, clean, deadline, deadline_text = _review_as_task(*before_review, ctx) or (words, clean, None, "")
        review = None if deadline is not None else review
    if deadline is None:
        refuse_vague_deadline(words, clean, ctx)  # a bare "asap", "urgent"
    if deadline is not None and (other := _second_deadline(clean, ctx)) is not None:
        words, clean = _one_of_two(words, clean, other, deadline, deadline_text, ctx)
    if deadline is not None and (inner := _deadline_inside(words, ctx)) is not None:
        raise Impossible(
            f"There are two deadlines, \u201c{inner}\u201d and \u201c{deadline_text}\u201d: record one action for "
            "each part, so that each is chased by its own date, or give one deadline"
        )
    if deadline is not None and (vague_other := vague_deadline(clean)) is not None:
        raise Impossible(
            f"There are two deadlines, \u201c{as_written(words[vague_other[0] :])}\u201d and "
            f"\u201c{deadline_text}\u201d: give one"
        )
    if deadline is not None and (note := meeting_review_in_task(words, ctx, review)) is not None:
        deadline.notes.append(note)
    return Peeled(words, deadline, review, markers)


def _one_of_two(
    words: list[str], clean: list[str], other: int, deadline: When, deadline_text: str, ctx: Context
) -> tuple[list[str], list[str]]:
    """Two deadlines at the end: refused, with the day each names, unless both name the same moment, as
    minutes write it ("within 15 working days (by 30/12/2026)"); then the words without the other."""
    said, written = " ".join(words[other:]).strip("()"), deadline_text.strip("().,;")
    try:
        found = read_clause(clean[other:], ctx, clean[other - 1] if other else "")
    except Impossible:
        found = None
    if found is None or found[0] != "deadline":
        raise Impossible(f"There are two deadlines, \u201c{said}\u201d and \u201c{written}\u201d: give one")
    first, second = (format_when(when.moment(ctx), ctx.cal.zone, ctx.now) for when in (found[1], deadline))
    if found[1].moment(ctx) != deadline.moment(ctx):
        raise Impossible(
            f"There are two deadlines, \u201c{said}\u201d and \u201c{written}\u201d: give one ({first} and {second})"
        )
    deadline.notes.append(f"\u201c{said}\u201d and \u201c{written}\u201d are the same deadline, {second}.")
    return words[:other], clean[:other]


def _second_deadline(clean: list[str], ctx: Context) -> int | None:
    """Where a second deadline ends the task's words (they are never left in it), or None. A date after
    "within" or "during" counts here, though it is not read as the deadline ("within tomorrow")."""
    if (other := _tail_clause(clean, ctx, {"deadline"})) is not None:
        return other.start
    for start in range(max(1, len(clean) - KEYWORDLESS_CLAUSE_WORDS), len(clean)):
        if (
            clean[start - 1] in ("within", "during")
            and clean[start] in _KEYWORDLESS_HEADS
            and (found := read_clause(clean[start:], ctx)) is not None
            and found[0] == "deadline"
        ):
            return start - 1
    return None


# After a date inside the task, these start its next part: "visit by Friday then report to the core group".
_NEXT_PART = {"and", "or", "then", "&", "-", "\u2013", "+", "also", "after", "before"}


#: What a deadline for one part of a task starts with ("by Friday", "on Monday", "within 2 days", "tomorrow").
_PART_HEADS = frozenset({"by", "before", "on", "within", "in", "tomorrow", "today"})


def _deadline_inside(words: list[str], ctx: Context) -> str | None:
    """A deadline for one part of the task (``Visit by Friday, then report by 18/12``, ``Visit on Monday and
    call the GP on Tuesday``, ``Visit tomorrow and call the GP by Friday``), as written, or None. Only a date
    after ``by``, ``before``, ``on``, ``in``, ``within`` (or ``today``, ``tomorrow``) that ends at a comma, a
    full stop (``Visit by Friday. Sam Lee to call the GP by Monday``: two actions) or before ``and``/``then``:
    "Book the room for Friday" and "Ensure the child is seen by a GP" are tasks."""
    clean = [clean_word(w) for w in words]
    if _PART_HEADS.isdisjoint(clean[1:-1]):
        return None  # most tasks: one set operation
    for start, head in enumerate(clean[:-1]):
        if head not in _PART_HEADS or start == 0:
            continue
        for end in range(min(len(clean) - 1, start + MAX_CLAUSE_WORDS), start, -1):
            if not (words[end - 1].endswith((",", ";", ".")) or clean[end] in _NEXT_PART):
                continue
            try:
                found = read_clause(clean[start:end], ctx, clean[start - 1])
            except Impossible:
                found = None
            if found is not None and found[0] == "deadline":
                return " ".join(words[start:end]).rstrip(",;.")
    return None


def _review_as_task(
    words: list[str], clean: list[str], start: int, ctx: Context
) -> tuple[list[str], list[str], When, str] | None:
    """``Book the GP review in 5 working days``, ``Get the plan reviewed on Friday`` with no other deadline:
    "review" belongs to the task (a GP, health or CIN review is a common action) and what follows it is the
    deadline, said in a warning. After "reviewed" any deadline counts; after "review", only a length of time
    ("review on 5 Jan" is a review date, and the deadline is missing)."""
    span = clean[start + 1 :]
    if not span or (clean[start] == "review" and span[0] not in _RELATIVE_KEYWORDS):
        return None
    if start and _a_day_alone(clean[start - 1], ctx):
        return None  # "Visit 11/12 review in 4 weeks": 11/12 was left in the task, and the review made the deadline
    found = read_clause(span, ctx, clean[start])
    if found is None or found[0] != "deadline":
        return None
    said = " ".join(words[start + 1 :])
    when = found[1]
    when.notes.append(_review_in_task_note(clean[start], said))
    return words[: start + 1], clean[: start + 1], when, said


def _review_in_task_note(keyword: str, said: str) -> str:
    return (
        f"\u201c{keyword}\u201d is read as part of the task and \u201c{said}\u201d as the deadline. For a review date "
        "as well, give both: \u201cby Friday review in 2 weeks\u201d."
    )


def _a_day_alone(word: str, ctx: Context) -> bool:
    """Whether one (cleaned) word names a day: ``11/12``, ``Friday``, ``tomorrow``."""
    if word in WEEKDAYS or word in ("today", "tomorrow"):
        return True
    try:
        return any(c.isdigit() for c in word) and calendar_date_from([word], ctx.today) is not None
    except Impossible:
        return True


def misplaced_deadline(words: list[str], ctx: Context) -> tuple[int, int] | None:
    """Where a deadline stands inside a task that has none at its end (``Share it by Friday and copy in the
    DSL``), as (start, end) word indexes, the last one found; or None."""
    clean = [clean_word(w) for w in words]
    for start in range(len(clean) - 2, 0, -1):
        if clean[start] not in _CLAUSE_HEADS:
            continue
        for end in range(min(len(clean) - 2, start + MAX_CLAUSE_WORDS), start + 1, -1):
            if not clean[end].isalpha() or clean[end] in PART_OF_DAY_WORDS:
                continue  # "by 11 December 2026 15h": a time not read, not more of the task
            try:
                found = read_clause(clean[start:end], ctx, clean[start - 1])
            except Impossible:
                found = None
            if found is not None and found[0] == "deadline":
                return start, end
    return None


def date_without_keyword(words: list[str], ctx: Context) -> str | None:
    """A date ending the words with no "by", "on" or dash before it (``Visit Friday 11th December 2026``,
    ``Visit 11/12``), as written, or None. It is left in the task (``Get a statement re the incident Saturday``
    names a day that is not the deadline); the refusal says how to make it one."""
    clean = [clean_word(w) for w in words]
    for start in range(max(1, len(clean) - 4), len(clean)):
        if clean[start - 1] in _ANY_HEAD:
            continue
        try:
            found = read_clause(["by", *clean[start:]], ctx)
        except Impossible:
            continue
        if found is not None and found[0] == "deadline" and not found[1].time_only:  # not "PC 1234": 12:34
            return " ".join(words[start:]).strip(" ,;.")
    return None


def unread_tail(words: list[str]) -> str | None:
    """The last keyword-led phrase at the end of the words, to quote in an error (``w/c`` followed by a date
    counts: "Fix the WC" alone does not)."""
    for start in range(len(words) - 1, max(-1, len(words) - MAX_CLAUSE_WORDS - 1), -1):
        word = clean_word(words[start])
        if word in {"by", "before", "due", "nlt", "in", "within", "until", "till", "during"}:
            return " ".join(words[start:])
        size = week_mark([word, *map(clean_word, words[start + 1 : start + 2])])
        if size and start + size < len(words):
            after = clean_word(words[start + size])
            if after[:1].isdigit() or after in WEEKDAYS or after in MONTHS or after in ("the", "next"):
                return " ".join(words[start:])
    return None
