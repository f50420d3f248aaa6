"""The phrases minutes use that are not one date: a week (``w/c 14 Dec``: its Friday for a deadline, its
first working day for a review), a meeting named instead of a date (``at the next core group``), a season
(``by Christmas``, ``by the end of term``) and an urgency marker (``urgent``, ``ASAP``). Weeks become dates
with a note saying which day; meetings and seasons are refused with a suggestion computed from today (the
grammar does not know a meeting's date, and guessing one would record a wrong deadline)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.capture.calendar_dates import calendar_date_from
from bot.capture.dates import format_day
from bot.capture.when import MONTHS, WEEKDAYS, Context, Impossible, When

_WEEK_MARKS = {"w/c", "wc", "w.c", "w/b", "wb", "w.b"}
#: "w/e 18/12", "week ending 18 Dec": the week that ends on that day.
_ENDING_MARKS = {"w/e", "w.e", "w/ending", "wk/e"}
_WEEK_WORDS = {"commencing", "beginning", "starting", "ending"}
#: Words a week phrase can start with (``w/c``, ``week commencing``, ``w/e``).
WEEK_HEADS = frozenset(_WEEK_MARKS | _ENDING_MARKS | {"week", "wk"})


def week_mark(words: Sequence[str]) -> int:
    """How many words of ``w/c``, ``wc``, ``w/b``, ``week commencing|beginning|starting``, ``w/e``, ``week
    ending`` start the words."""
    if words and (words[0] in _WEEK_MARKS or words[0] in _ENDING_MARKS):
        return 1
    if len(words) > 1 and words[0] in ("week", "wk") and words[1] in _WEEK_WORDS:
        return 2
    return 0


@dataclass(frozen=True)
class Week:
    """The week a ``w/c`` phrase names, by its Monday; ``end_of``: said as ``end of w/c ...`` (or a week
    ending); ``ending``: the day a ``week ending`` phrase names."""

    monday: date
    end_of: bool
    notes: tuple[str, ...]
    ending: date | None = None


def week_phrase(words: list[str], ctx: Context) -> Week | None:
    """``[the] [end of [the]] w/c|wc|w/b|week commencing DATE``; None when the words are not one.

    The date must be a Monday (``w/c 15 Dec``, a Tuesday, is refused rather than guessed). It may be this
    week's Monday though it has passed: in the week itself, ``w/c 7 Dec`` still names this week."""
    if WEEK_HEADS.isdisjoint(words):
        return None  # most phrases: one set operation
    if words[:1] == ["the"]:
        words = words[1:]
    end_of = words[:2] == ["end", "of"]
    if end_of:
        words = words[2:] if words[2:3] != ["the"] else words[3:]
    size = week_mark(words)
    if not size or len(words) == size:
        return None
    ending = words[0] in _ENDING_MARKS or words[1] == "ending"
    date_words = words[size:]
    try:
        found = calendar_date_from(date_words, ctx.today)
    except Impossible:
        this_monday = ctx.today - timedelta(days=ctx.today.weekday())
        try:
            found = calendar_date_from(date_words, this_monday)
        except Impossible:
            found = None
        if found is None or found.day is None or found.day < this_monday:
            raise
    if found is None or found.day is None:
        return None
    day = found.day
    if ending:  # the week that ends that day (a Friday, or the Sunday some write): any day is its end
        notes = tuple(note for note in found.notes if " is read as " not in note)
        return Week(day - timedelta(days=day.weekday()), True, notes, ending=day)
    if day.weekday() != 0:
        monday = day - timedelta(days=day.weekday()) + timedelta(weeks=1 if day.weekday() >= 5 else 0)
        raise Impossible(
            f"The week commencing {format_day(day, ctx.now, ctx.cal.zone)}: that day is a {day:%A}, not a Monday. "
            f"Give the week's Monday (\u201cw/c {monday.day} {format_day(monday)[-3:]}\u201d) or the day itself "
            f"(\u201cby {format_day(week_end(monday, ctx), ctx.now, ctx.cal.zone)}\u201d)"
        )
    # The week's own note gives the year when it is next year's: "4 Jan is read as ..." would say it twice.
    return Week(day, end_of, tuple(note for note in found.notes if " is read as " not in note))


def week_end(monday: date, ctx: Context) -> date:
    """The week's Friday, or its last working day when the Friday is a bank holiday."""
    for offset in (4, 3, 2, 1, 0):
        if ctx.cal.is_working_day(day := monday + timedelta(days=offset)):
            return day
    return monday + timedelta(days=4)


def _week_start(monday: date, ctx: Context) -> date:
    for offset in range(5):
        if ctx.cal.is_working_day(day := monday + timedelta(days=offset)):
            return day
    return monday


def _ending_day(week: Week, ctx: Context) -> When:
    """The day a week ends (``w/e 18/12``, ``week.ending``): that day, or the week's last working day before it
    (``w/e 20/12``, a Sunday: the Friday), said in a note."""
    ending = week.ending
    assert ending is not None
    day = next(
        (d for d in (ending - timedelta(days=n) for n in range(ending.weekday() + 1)) if ctx.cal.is_working_day(d)),
        ending,
    )
    if day == ending:
        return When(day=day, notes=list(week.notes))
    why = ctx.cal.bank_holiday_name(ending)
    note = (
        f"Week ending {format_day(ending, ctx.now, ctx.cal.zone)}: the date is that week's last working day, "
        f"{format_day(day, ctx.now, ctx.cal.zone)} ({format_day(ending)} is "
        f"{f'a bank holiday, {why}' if why else 'not a working day'})."
    )
    return When(day=day, notes=[*week.notes, note])


def week_deadline(week: Week, ctx: Context) -> When:
    """A deadline in a week: its Friday (the last working day if Friday is a bank holiday), said in a note; in
    a week ending a day, that day (its last working day)."""
    if week.ending is not None:
        return _ending_day(week, ctx)
    end = week_end(week.monday, ctx)
    friday = week.monday + timedelta(days=4)
    shown = f"Week commencing {format_day(week.monday, ctx.now, ctx.cal.zone)}: the deadline is "
    if end == friday:
        shown += f"that week's Friday, {format_day(end, ctx.now, ctx.cal.zone)}."
    else:
        why = ctx.cal.bank_holiday_name(friday)
        shown += (
            f"that week's last working day, {format_day(end, ctx.now, ctx.cal.zone)} "
            f"({format_day(friday)} is {f'a bank holiday, {why}' if why else 'not a working day'})."
        )
    return When(day=end, notes=[*week.notes, shown])


def week_review(week: Week, ctx: Context) -> When:
    """A review in a week: its first working day (the chair is reminded as the week starts), said in a note; in
    a week ending a day, that day (its last working day), as for a deadline."""
    if week.ending is not None:
        return _ending_day(week, ctx)
    start = _week_start(week.monday, ctx)
    note = f"Week commencing {format_day(week.monday, ctx.now, ctx.cal.zone)}: the review date is "
    if start == week.monday:
        note += "that Monday."
    else:
        why = ctx.cal.bank_holiday_name(week.monday)
        note += (
            f"that week's first working day, {format_day(start, ctx.now, ctx.cal.zone)} "
            f"(the Monday is {f'a bank holiday, {why}' if why else 'not a working day'})."
        )
    return When(day=start, notes=[*week.notes, note])


# Meetings: their dates are not known to the grammar. A name is made of these words and ends with a noun.
_MEETING_WORDS = {
    "core", "group", "groups", "meeting", "meetings", "cgm", "rcpc", "icpc", "cpc", "child", "protection",
    "conference", "review", "cin", "in", "need", "lac", "cla", "strategy", "discussion", "tac", "tam", "mdt",
    "panel", "network", "professionals", "professional", "planning", "multi-agency", "initial",
}  # fmt: skip
_MEETING_NOUNS = {
    "group", "meeting", "cgm", "rcpc", "icpc", "cpc", "conference", "review", "discussion", "tac", "tam", "mdt",
    "panel", "cin", "lac", "cla",
}  # fmt: skip
_NEXT = {"next", "following", "this"}
#: A meeting's own name in one word (not "group", "meeting", "panel", which may be any group or meeting).
MEETING_ABBREVIATIONS = frozenset({"cgm", "rcpc", "icpc", "cpc", "tac", "tam", "mdt", "cin", "lac", "cla"})


def meeting_name(words: Sequence[str], start: int = 0) -> tuple[int, bool]:
    """The size of ``[the] [next|following|this] MEETING`` at ``start`` (0 when none), and whether it was
    qualified (``next``): ``the next core group``, ``the RCPC``, ``next CIN meeting``."""
    i = start
    if i < len(words) and words[i] == "the":
        i += 1
    qualified = i < len(words) and words[i] in _NEXT
    if qualified:
        i += 1
    size = 0
    j = i
    while j < len(words) and words[j] in _MEETING_WORDS and j - i < 5:
        j += 1
        if words[j - 1] in _MEETING_NOUNS:
            size = j - start
    return size, qualified


def meeting_words(words: Sequence[str]) -> str:
    """Cleaned words as a note quotes them: a meeting's abbreviation in capitals ("the ICPC"), a day's or a
    month's name with its capital ("from Friday", "1 December")."""
    return " ".join(
        w.upper() if w in MEETING_ABBREVIATIONS else w.title() if w in WEEKDAYS or w in MONTHS else w for w in words
    )


def meeting_deadline(
    keyword: Sequence[str], words: Sequence[str], ctx: Context, read: Callable[[list[str]], When]
) -> When | None:
    """``before the core group on 14/12``, ``by the RCPC on Mon 14 Dec``: a meeting with its date. What is due
    for a meeting is due before it starts, and its hour is not known here, so the deadline is the end of the
    working day before, said in a note; None when the words are not a meeting on a day."""
    size, _ = meeting_name(words)
    if not size or list(words[size : size + 1]) != ["on"] or len(words) == size + 1:
        return None
    day = read(list(words[size + 1 :]))
    if day.day is None or day.wall is not None:
        return day if day.day is not None else None  # "by the RCPC on 14/12 9am": the time the chair gave
    before = ctx.cal.add_working_days(day.day, -1)
    meeting_day = format_day(day.day, ctx.now, ctx.cal.zone)
    meeting = meeting_words(words[:size])
    said = f"{' '.join(keyword)} {meeting} on {meeting_day}"
    if before < ctx.today:
        raise Impossible(
            f"\u201c{said}\u201d: the working day before the meeting has passed; give the time it is due, such as "
            f"\u201cby {meeting_day} 9am\u201d"
        )
    note = (
        f"\u201c{said[0].upper()}{said[1:]}\u201d: the deadline is the working day before the meeting, "
        f"{format_day(before, ctx.now, ctx.cal.zone)} (for the day itself, give a time: "
        f"\u201cby {meeting_day} 9am\u201d)."
    )
    return When(day=before, notes=[*day.notes, note])


_VAGUE_WORDS = {
    "the", "this", "next", "end", "of", "start", "beginning", "half", "term", "half-term", "halfterm", "summer",
    "autumn", "spring", "christmas", "xmas", "eve", "day", "easter", "holidays", "holiday", "hols", "break",
    "school", "new", "year", "ongoing", "tbc", "tba", "asap", "a.s.a.p", "as", "soon", "possible", "urgent",
    "urgently", "week", "month", "early", "mid", "middle", "late", *MONTHS,
}  # fmt: skip
#: A part of a week or a month, not a day: "early next week", "mid-December", "the middle of next week".
PART_OF_PERIOD = frozenset({"early", "mid", "middle", "late", "beginning", "start"})
#: An urgency marker: never a date, and never kept silently beside a deadline (docs/grammar.md).
URGENT_MARKERS = (
    ("as", "soon", "as", "possible"), ("urgent",), ("urgently",), ("asap",), ("a.s.a.p",), ("at", "the", "latest"),
    ("latest",),
    # "by 14/12 or sooner", "... or earlier if possible", "... if not sooner": refused as a deadline inside the task
    ("or", "sooner", "if", "possible"), ("or", "earlier", "if", "possible"), ("or", "sooner"), ("or", "earlier"),
    ("if", "not", "sooner"), ("if", "not", "before"),
)  # fmt: skip
#: The words a vague time can end with: a quick test before reading one.
VAGUE_ENDS = frozenset(_VAGUE_WORDS | _MEETING_NOUNS | {f"mid-{month}" for month in MONTHS})


def vague(words: Sequence[str], meetings: bool) -> str | None:
    """What a vague time after a deadline keyword names (``christmas``, ``term``, ``meeting``, ``asap`` ...),
    or None when the words are something else. ``meetings``: a bare meeting (``the RCPC``) counts too, not
    only the next one (after ``by`` a meeting may be who does it: "agreed by the core group")."""
    if not words:
        return None
    if words[-1].startswith("mid-"):  # "mid-December"
        words = [*words[:-1], "mid", words[-1][4:]]
    size, qualified = meeting_name(words)
    if size == len(words) and (qualified or meetings):
        return "meeting"
    if any(w not in _VAGUE_WORDS for w in words):
        return None
    found = set(words)
    if found & {"christmas", "xmas"}:
        return "christmas"
    if "easter" in found:
        return "easter"
    if found & {"half-term", "halfterm"} or {"half", "term"} <= found:
        return "half term"
    if "term" in found:
        return "term"
    if found & {"holidays", "holiday", "hols", "break"}:
        return "holidays"
    if {"new", "year"} <= found:
        return "new year"
    if tuple(words) in URGENT_MARKERS:
        return "asap"
    if found & {"ongoing", "tbc", "tba"}:  # a minutes table's "By when" column
        return "ongoing"
    if found & PART_OF_PERIOD and found - PART_OF_PERIOD - {"the", "of", "this", "next"}:
        return "part"  # "by early next week", "by mid-December": which day?
    return None


def _christmas_eve(ctx: Context) -> date:
    """The last working day before Christmas Day still ahead: a suggestion for "by Christmas", never recorded."""
    year = ctx.today.year
    while True:
        day = date(year, 12, 24)
        while not ctx.cal.is_working_day(day):
            day -= timedelta(days=1)
        if ctx.cal.end_of(day) > ctx.now:
            return day
        year += 1


def vague_refusal(kind: str, said: str, ctx: Context) -> str:
    """Why a vague time cannot be a deadline, naming it as written and suggesting a date computed from now."""
    refused = f"\u201c{said}\u201d is not a date"
    example = f"\u201cby {format_day(ctx.cal.add_working_days(ctx.today, 5), ctx.now, ctx.cal.zone)}\u201d"
    if kind == "christmas":
        return f"{refused}: give one, such as \u201cby {format_day(_christmas_eve(ctx), ctx.now, ctx.cal.zone)}\u201d"
    if kind in ("term", "half term"):
        return f"{refused} ({kind.replace(' ', '-')} dates differ between schools): give one, such as {example}"
    if kind == "meeting":
        return f"{refused}: the meeting's date is not known here. Give one, such as {example}"
    if kind == "asap":
        return f"{refused}: give one, such as \u201cby tomorrow\u201d or {example}"
    if kind == "ongoing":
        return (
            f"{refused}: an action is chased to a deadline. Give one, such as {example} (for work that goes on, "
            "the day it is next checked)"
        )
    return f"{refused}: give one, such as {example}"


def review_example(ctx: Context) -> str:
    """A review date to suggest: four weeks from today (a working day)."""
    day = ctx.cal.next_working_day(ctx.today + timedelta(weeks=4))
    return f"review on {format_day(day, ctx.now, ctx.cal.zone)}"
