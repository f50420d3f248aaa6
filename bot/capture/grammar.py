"""`/action` text -> ActionDraft.

Shape: ``OWNER TASK [#CASEREF] DEADLINE [review REVIEW]``; the case reference, deadline and review clauses
may come in any order after the task. The owner comes first.

How it reads a command:
1. the owner is taken from the start (a Slack or Teams mention, ``@handle``, an email, a quoted name);
2. ``#CR-1042`` style case references are lifted out wherever they stand;
3. date clauses are peeled off the end, longest first: ``by|before|due|no later than PHRASE``,
   ``in|within N units``, the bare ``EOD``/``close of play``/``end of ...``/``today``/``tomorrow``, and
   ``review [on|date] PHRASE``. What is left is the task, so "Visit by bus by Friday" keeps "by bus".

Dates follow UK conventions, fixed and documented in docs/grammar.md: day first, Europe/London, a date
without a time means the end of the working day (17:00). A small hand grammar reads the common phrases;
dateparser is the fallback for the rest, and only its date is used (it is slow, and misreads some
phrases: see ``_fallback``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from bot.capture.controls import refusal
from bot.capture.dates import WorkCalendar, ensure_aware, format_day, format_when
from bot.capture.pii import find_personal_data, personal_data_warning

EXAMPLE = "/action @jo.bloggs Share the CAD log with social care #CR-1042 by Friday review in 2 weeks"
MAX_CLAUSE_WORDS = 8
FAR_AHEAD = timedelta(days=183)
#: A day and month (no year) that passed this recently is a mistake, not next year's date.
RECENTLY_PASSED = timedelta(days=62)

OwnerKind = Literal["slack", "teams", "email", "handle", "name"]


class GrammarError(ValueError):
    """The command cannot be recorded as it stands. The message says why and shows an example."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"{problem}\nExample: {EXAMPLE}")


@dataclass(frozen=True)
class OwnerRef:
    """Who an action is for, as written. Turning it into a person is the adapters' and service's job."""

    kind: OwnerKind
    value: str
    label: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value}


@dataclass(frozen=True)
class ActionDraft:
    owner: OwnerRef
    task: str
    deadline: datetime  # timezone-aware UTC
    review: date | None
    case_ref: str | None
    warnings: tuple[str, ...] = ()
    #: Kinds of personal data the task seems to hold (see bot.capture.pii); the service refuses these when so set.
    personal_data: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "owner": self.owner.as_dict(),
            "task": self.task,
            "deadline": self.deadline.isoformat(),
            "review": self.review.isoformat() if self.review else None,
            "case_ref": self.case_ref,
            "warnings": list(self.warnings),
        }


# ---------------------------------------------------------------------------------------------------
# Owners
# ---------------------------------------------------------------------------------------------------
_EMAIL = r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
_OWNER_PATTERNS: tuple[tuple[OwnerKind, re.Pattern[str]], ...] = (
    ("slack", re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")),
    ("email", re.compile(rf"<mailto:({_EMAIL})(?:\|[^>]*)?>")),
    ("teams", re.compile(r"<at(?:\s[^>]*)?>([^<]{1,200})</at>", re.IGNORECASE)),
    ("name", re.compile(r"\"([^\"]{1,200})\"|\u201c([^\u201d]{1,200})\u201d")),
    ("email", re.compile(rf"({_EMAIL})(?![\w@])")),
    ("handle", re.compile(r"@([A-Za-z0-9][A-Za-z0-9._\-]{0,79})(?![\w@])")),
)


_BROADCASTS = {"here", "channel", "everyone"}


def parse_owner(text: str) -> tuple[OwnerRef, str] | None:
    """The owner at the start of ``text`` and the text after it, or None."""
    for kind, pattern in _OWNER_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        groups = [g for g in match.groups() if g is not None]
        value = groups[0].strip()
        if not value:
            continue
        label = (groups[1].strip() or None) if kind == "slack" and len(groups) > 1 else None
        if kind == "email":
            value = value.lower()
        elif kind == "handle":
            value = value.rstrip(".")
            if value.lower() in _BROADCASTS:
                return None  # "@here" and "@channel" address a room, not a person who can own an action
        return OwnerRef(kind, value, label), text[match.end() :]
    return None


# ---------------------------------------------------------------------------------------------------
# Case references
# ---------------------------------------------------------------------------------------------------
_CASE_REF = re.compile(r"(?<![\w<&#])#([A-Za-z0-9][A-Za-z0-9/_\-]{0,38}[A-Za-z0-9])(?![\w/\-])")


def extract_case_refs(text: str) -> tuple[list[str], str]:
    """Case references (``#CR-1042``; they must contain a digit) and the text without them."""
    found: list[str] = []
    if "#" not in text:
        return found, text

    def lift(match: re.Match[str]) -> str:
        ref = match.group(1)
        if not any(c.isdigit() for c in ref):
            return match.group(0)
        ref = ref.upper()
        if ref not in found:
            found.append(ref)
        return " "

    return found, _CASE_REF.sub(lift, text)


# ---------------------------------------------------------------------------------------------------
# Date phrases
# ---------------------------------------------------------------------------------------------------
_WEEKDAYS = {
    name: index
    for index, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed", "weds"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
}  # fmt: skip
_UNITS = {
    "day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "month": "months", "months": "months",
    "fortnight": "fortnights", "fortnights": "fortnights", "hour": "hours", "hours": "hours", "hrs": "hours",
}  # fmt: skip
_WORKING = {"working", "business", "work", "school"}
_END_OF_DAY_WORDS = {"eod", "cop", "cob", "eob", "eop", "today", "tonight"}
# "Friday COP", "end of day tomorrow", "COB Fri 11 Dec": the end of that day (17:00 unless a time is given).
_END_OF_DAY_PHRASES = tuple(
    p.split()
    for p in (
        "end of the working day", "close of business", "end of business", "end of the day", "close of play",
        "end of play", "end of day", "eod", "cop", "cob", "eob", "eop",
    )
)  # fmt: skip
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)?$")
_TRAILING = ".,;:!?)"


class _Unreadable(Exception):
    """This span is not a date phrase (not an error by itself: it may be part of the task)."""


class _Impossible(Exception):
    """The span is plainly a date, but no such date exists (``31/02``)."""


@dataclass
class _When:
    day: date | None = None
    wall: time | None = None
    instant: datetime | None = None  # exact (``in 2 hours``)
    notes: list[str] = field(default_factory=list)
    #: Read from an end-of-day word alone (``EOD``, ``COP``): today unless a day stands next to it.
    end_of_day_only: bool = False


@dataclass(frozen=True)
class _Context:
    now: datetime
    cal: WorkCalendar
    today: date = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "today", self.cal.today(self.now))


def _clean_word(word: str) -> str:
    """Lower case, without surrounding punctuation or a possessive: ``Friday's,`` -> ``friday``."""
    word = word.lower().strip(_TRAILING).lstrip("(")
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    return word.rstrip("'\u2019")


def _clean(words: Sequence[str]) -> list[str]:
    """Cleaned words, dropping those that were only punctuation."""
    return [c for c in map(_clean_word, words) if c]


def _take_time(words: list[str]) -> tuple[list[str], time | None]:
    """Remove a time of day (``5pm``, ``17:00``, ``5.30 pm``, ``noon``, ``at 3pm``) from the words."""
    for i, word in enumerate(words):
        if word in {"noon", "midday"}:
            rest = words[:i] + words[i + 1 :]
            return [w for j, w in enumerate(rest) if not (w == "at" and j == i - 1)], time(12, 0)
        match = _TIME.match(word)
        suffix = match.group(3) if match else None
        used = 1
        if match and suffix is None and i + 1 < len(words) and words[i + 1] in {"am", "pm"}:
            suffix, used = words[i + 1], 2
        if not match or (suffix is None and match.group(2) is None):
            continue
        if suffix is None and "." in word and 1 <= int(match.group(2)) <= 12:
            continue  # "5.12" is 5 December; "17.30" and "17.00" are times
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if suffix:
            if not 1 <= hour <= 12:
                raise _Impossible(f"{word} is not a time of day")
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        if hour > 23 or minute > 59:
            raise _Impossible(f"{word} is not a time of day")
        start = i - 1 if i > 0 and words[i - 1] == "at" else i
        return words[:start] + words[i + used :], time(hour, minute)
    return words, None


def _number(word: str) -> int | None:
    if word.isdigit() and len(word) <= 3:
        return int(word)
    return _NUMBER_WORDS.get(word)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _relative(words: list[str], ctx: _Context) -> _When:
    """``in|within N [working] days|weeks|months|hours`` (the keyword already removed), ``N weeks' time``."""
    if words[-1:] == ["time"]:
        words = words[:-1]
    if words[:3] == ["a", "couple", "of"]:
        words = ["2", *words[3:]]
    if len(words) == 1 and words[0] in {"fortnight", "week", "month"}:
        words = ["1", words[0]]
    if len(words) not in (2, 3):
        raise _Unreadable
    count = _number(words[0])
    working = len(words) == 3 and words[1] in _WORKING
    unit = _UNITS.get(words[-1])
    if count is None or unit is None or (len(words) == 3 and not working):
        raise _Unreadable
    if working and unit != "days":
        raise _Unreadable
    if count > 366:
        raise _Impossible(f"{count} {unit} is too far ahead for a deadline")
    today = ctx.today
    if unit == "hours":
        return _When(instant=ctx.now + timedelta(hours=count))
    if working:
        return _When(day=ctx.cal.add_working_days(today, count))
    if unit == "days":
        return _When(day=today + timedelta(days=count))
    if unit == "weeks":
        return _When(day=today + timedelta(weeks=count))
    if unit == "fortnights":
        return _When(day=today + timedelta(weeks=2 * count))
    return _When(day=_add_months(today, count))


def _coming(weekday: int, today: date) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _week_friday(today: date, weeks_ahead: int) -> date:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)
    return monday + timedelta(days=4)


def _end_of_month(ctx: _Context, months_ahead: int) -> date:
    first = _add_months(ctx.today.replace(day=1), months_ahead)
    day = ctx.cal.last_working_day_of_month(first.year, first.month)
    if day < ctx.today:  # "end of month" on a month's last, non-working days means next month's
        nxt = _add_months(first, 1)
        day = ctx.cal.last_working_day_of_month(nxt.year, nxt.month)
    return day


def _special(words: list[str], ctx: _Context) -> _When | None:
    """Phrases that need no keyword: EOD, close of play, today, tomorrow, end of week/month, next week."""
    phrase = " ".join(w for w in words if w != "the")
    today = ctx.today
    if phrase in _END_OF_DAY_WORDS or phrase.split() in _END_OF_DAY_PHRASES:
        return _When(day=today, end_of_day_only=phrase not in {"today", "tonight"})
    if phrase == "tomorrow":
        return _When(day=today + timedelta(days=1))
    if phrase in {"end of week", "end of this week"}:
        friday = _week_friday(today, 0)
        return _When(day=friday if friday >= today else _week_friday(today, 1))
    if phrase in {"end of next week", "next week"}:
        return _When(day=_week_friday(today, 1))
    if phrase in {"end of month", "end of this month"}:
        return _When(day=_end_of_month(ctx, 0))
    if phrase in {"end of next month", "next month"}:
        return _When(day=_end_of_month(ctx, 1))
    return None


def _make_date(year: int, month: int, day: int, shown: str, year_given: bool = True) -> date:
    if not 1 <= month <= 12:
        raise _Impossible(f"{shown} is not a real date (there is no month {month})")
    if not 2000 <= year <= 2999:
        raise _Impossible(f"{shown} is not a date this system can use (year {year})")
    try:
        return date(year, month, day)
    except ValueError:
        last = calendar.monthrange(year, month)[1]
        which = f"{calendar.month_name[month]} {year}" if year_given else calendar.month_name[month]
        raise _Impossible(f"{shown} is not a real date ({which} has {last} days)") from None


def _when_it_was(day: date, today: date) -> str:
    """``last Tuesday (Tue 1 Dec)`` or ``Tue 10 Nov, 4 weeks ago``: how a chair would say a past day."""
    days = (today - day).days
    if days == 1:
        return f"yesterday ({format_day(day)})"
    if days < 7:
        return f"last {day:%A} ({format_day(day)})"
    return f"{format_day(day)}, {days // 7} week{'s' if days >= 14 else ''} ago"


def _yearless(month: int, day: int, shown: str, today: date) -> tuple[date, str | None]:
    """A date without a year, and a note when it is not this year's.

    This year's date if it is today or later. A date that passed up to ``RECENTLY_PASSED`` ago is a
    mistake (a typo, the wrong month), not next year's: it is refused, naming the day it was. One further
    back is next year's (29/02 waits for a leap year), with a note saying so."""
    this_year = _make_date(today.year, month, day, shown, year_given=False) if month != 2 or day != 29 else None
    if this_year is not None and this_year >= today:
        return this_year, None
    if this_year is not None and today - this_year <= RECENTLY_PASSED:
        month_after = _add_months(this_year, 1)
        likely = f"Did you mean {format_day(month_after)}? " if month_after.day == day and month_after >= today else ""
        raise _Impossible(
            f"{shown} was {_when_it_was(this_year, today)}, so it cannot be a deadline or a review. {likely}"
            f"For {format_day(this_year).split(' ', 1)[1]} next year, write {day}/{month}/{today.year + 1}"
        )
    for year in range(today.year, today.year + 9):
        if month == 2 and day == 29 and not calendar.isleap(year):
            continue
        candidate = _make_date(year, month, day, shown, year_given=False)
        if candidate >= today:
            note = None if candidate.year == today.year else f"{shown} is read as {format_day(candidate)} {year}."
            return candidate, note
    raise _Impossible(f"{shown} is not a real date")  # unreachable for real dates


def _full_year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def _calendar_date(words: list[str], ctx: _Context) -> _When | None:
    """``27/11``, ``27/11/2026``, ``2026-11-27``, ``[Fri] 27[th] [of] Nov[ember] [2026]``, ``Nov 27``, ``the 5th``."""
    today = ctx.today
    notes: list[str] = []
    weekday: int | None = None
    if words and words[0] in _WEEKDAYS and len(words) > 1:
        weekday = _WEEKDAYS[words[0]]
        words = words[1:]
    words = [w for w in words if w not in {"the", "of"}]
    found: date | None = None
    note: str | None = None
    if len(words) == 1 and (m := _ISO_DATE.match(words[0])):
        found = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), words[0])
    elif len(words) == 1 and (m := _NUMERIC_DATE.match(words[0])):
        day, month = int(m.group(1)), int(m.group(2))
        if m.group(3):
            found = _make_date(_full_year(m.group(3)), month, day, words[0])
        else:
            found, note = _yearless(month, day, words[0], today)
    elif len(words) in (2, 3):
        day_word, month_word = (words[0], words[1]) if words[1] in _MONTHS else (words[1], words[0])
        day_match = _ORDINAL.match(day_word)
        year_word = words[2] if len(words) == 3 else None
        if month_word not in _MONTHS or not day_match or (year_word and not re.fullmatch(r"\d{4}", year_word)):
            return None
        month, day = _MONTHS[month_word], int(day_match.group(1))
        shown = f"{day} {month_word.capitalize()}" + (f" {year_word}" if year_word else "")
        if year_word:
            found = _make_date(int(year_word), month, day, shown)
        else:
            found, note = _yearless(month, day, shown, today)
    elif len(words) == 1 and (m := _ORDINAL.match(words[0])) and m.group(2):
        day = int(m.group(1))
        month_start = today.replace(day=1)
        for offset in range(0, 3):
            first = _add_months(month_start, offset)
            if day <= calendar.monthrange(first.year, first.month)[1] and first.replace(day=day) >= today:
                found = first.replace(day=day)
                break
        if found is None:
            raise _Impossible(f"{words[0]} is not a day of the month")
    if found is None:
        return None
    if note:
        notes.append(note)
    if weekday is not None and found.weekday() != weekday:
        notes.append(f"{format_day(found)} is a {found:%A}, not a {calendar.day_name[weekday]}: check the date.")
    return _When(day=found, notes=notes)


def _weekday_phrase(words: list[str], ctx: _Context) -> _When | None:
    """``Friday``, ``this Friday``, ``next Friday`` (next calendar week), ``Friday week``, ``a week on Friday``."""
    today = ctx.today
    bare = words[1:] if len(words) == 2 and words[0] == "this" else words
    if len(bare) == 1 and bare[0] in _WEEKDAYS:
        day = _coming(_WEEKDAYS[bare[0]], today)
        notes = []
        if day == today:  # the same rule for every weekday: said on that day, it means today
            name = calendar.day_name[day.weekday()]
            notes.append(
                f"\u201c{name}\u201d is read as today, {format_day(day)}; for next week's, say \u201cnext {name}\u201d."
            )
        return _When(day=day, notes=notes)
    if len(words) == 2 and words[0] == "next" and words[1] in _WEEKDAYS:
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return _When(day=monday + timedelta(days=_WEEKDAYS[words[1]]))
    if len(words) == 2 and words[0] in _WEEKDAYS and words[1] == "week":
        return _When(day=_coming(_WEEKDAYS[words[0]], today) + timedelta(weeks=1))
    if len(words) == 4 and words[:3] == ["a", "week", "on"] and words[3] in _WEEKDAYS:
        return _When(day=_coming(_WEEKDAYS[words[3]], today) + timedelta(weeks=1))
    return None


def _without_end_of_day(words: list[str]) -> list[str]:
    """The words without an end-of-day phrase before or after a day (``Friday COP`` -> ``Friday``)."""
    for phrase in _END_OF_DAY_PHRASES:
        size = len(phrase)
        if len(words) > size and words[:size] == phrase:
            return [w for w in words[size:] if w not in ("on", "at")] if words[size] in ("on", "at") else words[size:]
        if len(words) > size and words[-size:] == phrase:
            return words[:-size]
    return words


def _hand_phrase(words: list[str], ctx: _Context, relative: bool) -> _When:
    """Read a (cleaned) date phrase with the hand grammar; raise _Unreadable when it is not one."""
    if not words:
        raise _Unreadable
    if relative:
        if words[0] not in {"in", "within"}:
            raise _Unreadable
        return _relative(words[1:], ctx)
    words, wall = _take_time(words)
    if words and words[0] in {"on", "at"}:
        words = words[1:]
    words = _without_end_of_day(words)
    if not words:
        if wall is None:
            raise _Unreadable
        return _When(day=ctx.today, wall=wall)
    for reader in (_special, _weekday_phrase, _calendar_date):
        found = reader(words, ctx)
        if found is not None:
            found.wall = wall or found.wall
            return found
    raise _Unreadable


def _fallback(words: list[str], ctx: _Context) -> _When:
    """dateparser for what the hand grammar does not know. Only its date is used.

    dateparser is slow (~1 ms a call, 150-300 ms the first), returns a far-future year (2113, 2032) for
    some impossible dates, and loses the zone across clock changes for weekday phrases; so the local
    date is taken from it, checked, and the time and zone are attached here.
    """
    import dateparser  # imported lazily: a slow import that most commands never need

    words, wall = _take_time(words)
    phrase = " ".join(words)
    if not phrase or not re.search(r"[a-z]", phrase) or len(phrase) > 60:
        raise _Unreadable
    base = ctx.cal.local(ctx.now).replace(tzinfo=None)
    parsed = dateparser.parse(
        phrase,
        languages=["en"],
        settings={"DATE_ORDER": "DMY", "PREFER_DATES_FROM": "future", "RELATIVE_BASE": base},
    )
    if parsed is None:
        raise _Unreadable
    if parsed.year > ctx.today.year + 2 and str(parsed.year) not in phrase:
        raise _Unreadable  # dateparser's way of saying it could not read the date
    return _When(day=parsed.date(), wall=wall)


def warm_up() -> None:
    """Pay dateparser's first-call cost at start-up rather than on a chair's first command."""
    import dateparser

    dateparser.parse("next tuesday", languages=["en"], settings={"DATE_ORDER": "DMY"})


# ---------------------------------------------------------------------------------------------------
# Clauses
# ---------------------------------------------------------------------------------------------------
_DEADLINE_KEYWORDS = tuple(k.split() for k in ("no later than", "due by", "due on", "due", "by", "before", "until"))
_RELATIVE_KEYWORDS = {"in", "within"}


@dataclass(frozen=True)
class _Clause:
    kind: Literal["deadline", "review"]
    start: int
    when: _When


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


def _read_clause(
    span: list[str], ctx: _Context, use_fallback: bool, previous: str = "", review_only: bool = False
) -> tuple[str, _When] | None:
    """Read cleaned words as one whole clause, or return None. ``previous`` is the word before them."""
    head = span[0] if span else ""
    if (head != "review") if review_only else (head not in _CLAUSE_HEADS and head not in _SPECIAL_HEADS):
        return None
    words = [w for w in span if w]

    def reader(phrase: list[str], relative: bool) -> _When:
        return _fallback(phrase, ctx) if use_fallback else _hand_phrase(phrase, ctx, relative)

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
            special = _special(words, ctx)
            if special is None and _without_end_of_day(words) != words:
                special = _hand_phrase(words, ctx, False)  # "EOD Friday", "close of play tomorrow"
            if special is not None:
                return "deadline", special
    except _Unreadable:
        return None
    return None


def _tail_clause(clean: list[str], ctx: _Context, wanted: set[str], use_fallback: bool) -> _Clause | None:
    """The longest clause of a wanted kind that ends the (cleaned) words."""
    review_only = wanted == {"review"}
    heads = {"review"} if review_only else _ANY_HEAD
    for start in range(max(0, len(clean) - MAX_CLAUSE_WORDS), len(clean)):
        if clean[start] not in heads:
            continue  # cheap rejection: most spans start with an ordinary word of the task
        found = _read_clause(clean[start:], ctx, use_fallback, clean[start - 1] if start else "", review_only)
        if found and found[0] in wanted:
            kind: Literal["deadline", "review"] = "deadline" if found[0] == "deadline" else "review"
            return _Clause(kind, start, found[1])
    return None


def _with_day_before(clause: _Clause, clean: list[str], ctx: _Context) -> _Clause:
    """``Friday EOD``, ``tomorrow COP``: an end-of-day word takes the day written just before it."""
    if not clause.when.end_of_day_only:
        return clause
    for size in range(min(4, clause.start), 0, -1):
        span = clean[clause.start - size : clause.start]
        if not span[0]:
            continue
        try:
            day = _hand_phrase(span, ctx, False)
        except _Unreadable:
            continue
        if day.day is not None and not day.end_of_day_only:
            return _Clause("deadline", clause.start - size, day)
    return clause


def _peel_clauses(words: list[str], ctx: _Context) -> tuple[list[str], _When | None, _When | None]:
    """Peel deadline and review clauses off the end; returns the words left (the task) and both dates.

    A second deadline left at the end of the task (``by Friday by Monday``) is refused, never kept in the
    task while the other is recorded."""
    # Only the last two clauses' worth of words (and the word before them) can take part in a clause.
    reach = 2 * MAX_CLAUSE_WORDS + 1
    clean = [""] * max(0, len(words) - reach) + [_clean_word(w) for w in words[-reach:]]
    deadline: _When | None = None
    deadline_text = ""
    review: _When | None = None
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
                review = clause.when
            words, clean = words[: clause.start], clean[: clause.start]
        if deadline is not None:
            break
    if deadline is not None and (other := _tail_clause(clean, ctx, {"deadline"}, False)) is not None:
        raise _Impossible(
            f"There are two deadlines, \u201c{' '.join(words[other.start :])}\u201d and \u201c{deadline_text}\u201d: "
            "give one"
        )
    return words, deadline, review


def _unread_tail(words: list[str]) -> str | None:
    """The last keyword-led phrase at the end of the words, to quote in an error."""
    for start in range(len(words) - 1, max(-1, len(words) - MAX_CLAUSE_WORDS - 1), -1):
        if _clean_word(words[start]) in {"by", "before", "due", "in", "within", "until"}:
            return " ".join(words[start:])
    return None


# ---------------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------------
def _unescape(text: str) -> str:
    """Slack and Teams escape these three characters in message text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# Slack's markup for links, channels and broadcasts, as it arrives in a slash command's text: stored as the
# words a person reads (and the address), so that Teams, email and the log do not show raw markup.
_SLACK_MARKUP = (
    (re.compile(r"<(https?://[^|<>\s]+)\|([^<>]+)>"), r"\2 (\1)"),
    (re.compile(r"<(https?://[^|<>\s]+)>"), r"\1"),
    (re.compile(rf"<mailto:({_EMAIL})(?:\|[^<>]*)?>"), r"\1"),
    (re.compile(r"<#[CG][A-Z0-9]+\|([^<>]+)>"), r"#\1"),
    (re.compile(r"<#([CG][A-Z0-9]+)>"), r"#\1"),
    (re.compile(r"<!(here|channel|everyone)(?:\|[^<>]*)?>"), r"@\1"),
    (re.compile(r"<!subteam\^[A-Z0-9]+\|([^<>]+)>"), r"\1"),
)


def _readable(text: str) -> str:
    for pattern, replacement in _SLACK_MARKUP:
        text = pattern.sub(replacement, text)
    return text


# A second owner straight after the first: "@jo and @sam to visit", "<@U1> & <@U2> ...", "@jo, @sam ...".
_JOINT = re.compile(r"\s*(?:,|&amp;|&|\+|/|and\b)?\s*", re.IGNORECASE)


def _second_owner(rest: str) -> bool:
    """Whether the text after the owner starts with another owner (a quoted phrase only after a joiner:
    ``@jo "Signs of Safety" training`` is one owner and a task)."""
    joint = _JOINT.match(rest)
    if joint is None or joint.end() >= len(rest):
        return False
    second = parse_owner(rest[joint.end() :])
    return second is not None and (second[0].kind != "name" or bool(joint.group().strip()))


_LEADING_TO = re.compile(r"^\s*[:\-\u2013\u2014]?\s*to\s+", re.IGNORECASE)


def _instant(when: _When, ctx: _Context) -> datetime:
    if when.instant is not None:
        return when.instant
    assert when.day is not None
    return ctx.cal.at(when.day, when.wall) if when.wall else ctx.cal.end_of(when.day)


def _day_warning(label: str, day: date, cal: WorkCalendar) -> str | None:
    holiday = cal.bank_holiday_name(day)
    if holiday:
        return f"The {label} {format_day(day)} is a bank holiday ({holiday})."
    if day.weekday() >= 5:
        return f"The {label} {format_day(day)} is a {day:%A}."
    return None


def parse_action(text: str, now: datetime, cal: WorkCalendar, max_length: int = 1000) -> ActionDraft:
    """Parse the text after ``/action``. Raises GrammarError, and only GrammarError, for bad input."""
    ensure_aware(now)
    if len(text) > max_length:
        raise GrammarError(f"That is {len(text)} characters; an action can be at most {max_length}.")
    if problem := refusal(text, "action"):
        raise GrammarError(problem)
    text = " ".join(text.replace("\u00a0", " ").split())
    if not text:
        raise GrammarError("Say who will do what, and by when.")
    owned = parse_owner(text)
    if owned is None:
        raise GrammarError(
            'Start with the owner: a mention (@name), an email address, or a name in quotes ("Dr A. Khan").'
        )
    owner, rest = owned
    if _second_owner(rest):
        raise GrammarError(
            "One owner per action: two people are named at the start. Record one action for each, so that each "
            "is chased for their own part (for a joint visit, one action each with the same task)."
        )
    rest = _LEADING_TO.sub(" ", rest)  # minutes say "Jo to share ..."; the task is "share ..."
    case_refs, rest = extract_case_refs(rest)
    ctx = _Context(now, cal)
    words = rest.split()
    try:
        words, deadline, review = _peel_clauses(words, ctx)
    except _Impossible as exc:
        raise GrammarError(f"{exc}.") from None
    task = _unescape(_readable(" ".join(words))).strip(" ,;:-\u2013\u2014")
    if deadline is None:
        tail = _unread_tail(words)
        if tail:
            raise GrammarError(
                f"I could not read a deadline in \u201c{tail}\u201d. "
                "Try \u201cby Fri 27 Nov\u201d or \u201cby 27/11\u201d."
            )
        raise GrammarError(
            "There is no deadline. Add one such as \u201cby Friday\u201d or \u201cin 5 working days\u201d."
        )
    if not task:
        raise GrammarError("There is no task: say what the owner will do.")

    deadline_at = _instant(deadline, ctx)
    if deadline_at <= now:
        passed = f"The deadline {format_when(deadline_at, cal.zone, now)} is in the past."
        if cal.local(deadline_at).date() == ctx.today:  # "by Friday" said on a Friday evening, "EOD" at 18:00
            passed += " For a later day, say which: \u201cby tomorrow\u201d, \u201cby next Friday\u201d or a date."
        raise GrammarError(passed)
    warnings: list[str] = list(deadline.notes)
    deadline_day = cal.local(deadline_at).date()
    if warning := _day_warning("deadline", deadline_day, cal):
        warnings.append(warning)
    if deadline_at - now > FAR_AHEAD:
        warnings.append(f"The deadline {format_when(deadline_at, cal.zone, now)} is more than six months away.")

    review_day: date | None = None
    if review is not None:
        review_day = cal.local(_instant(review, ctx)).date()
        warnings.extend(review.notes)
        if review_day < ctx.today:
            raise GrammarError(f"The review date {format_day(review_day, now, cal.zone)} is in the past.")
        if review_day < deadline_day:
            warnings.append(
                f"The review date {format_day(review_day, now, cal.zone)} is before the deadline "
                f"{format_day(deadline_day, now, cal.zone)}."
            )
        if warning := _day_warning("review date", review_day, cal):
            warnings.append(warning)
    if len(case_refs) > 1:
        warnings.append(f"Several case references ({', '.join('#' + r for r in case_refs)}): recorded #{case_refs[0]}.")
    kinds = find_personal_data(task, ctx.today)
    if kinds:
        warnings.append(personal_data_warning(kinds))
    return ActionDraft(
        owner=owner,
        task=task,
        deadline=deadline_at.astimezone(UTC),
        review=review_day,
        case_ref=case_refs[0] if case_refs else None,
        warnings=tuple(warnings),
        personal_data=tuple(kinds),
    )


def parse_when(text: str, now: datetime, cal: WorkCalendar, what: str = "deadline") -> tuple[datetime, tuple[str, ...]]:
    """A date phrase on its own (``Friday``, ``by 4/12``, ``in 3 working days``, ``2026-12-04``) as a
    UTC instant in the future, with any warnings. Used for new deadlines and the modals' fields."""
    ensure_aware(now)
    words = " ".join(text.split()).split()
    if not words:
        raise GrammarError(f"Give the {what}, such as \u201cFriday\u201d or \u201c4/12\u201d.")
    if len(words) > MAX_CLAUSE_WORDS:
        raise GrammarError(f"I could not read a {what} in \u201c{' '.join(words)}\u201d.")
    ctx = _Context(now, cal)
    clean = [_clean_word(w) for w in words]
    when: _When | None = None
    try:
        for use_fallback in (False, True):
            clause = _read_clause(clean, ctx, use_fallback)
            if clause is not None and clause[0] == "deadline":
                when = clause[1]
                break
            try:
                phrase = [w for w in clean if w]
                when = _fallback(phrase, ctx) if use_fallback else _hand_phrase(phrase, ctx, False)
                break
            except _Unreadable:
                continue
    except _Impossible as exc:
        raise GrammarError(f"{exc}.") from None
    if when is None:
        raise GrammarError(f"I could not read a {what} in \u201c{' '.join(words)}\u201d.")
    instant = _instant(when, ctx)
    if instant <= now and not (what == "review date" and cal.local(instant).date() == ctx.today):
        raise GrammarError(f"The {what} {format_when(instant, cal.zone, now)} is in the past.")
    warnings = list(when.notes)
    if warning := _day_warning(what, cal.local(instant).date(), cal):
        warnings.append(warning)
    return instant.astimezone(UTC), tuple(warnings)
