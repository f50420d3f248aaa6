"""Date phrases, read by a hand grammar with UK semantics (docs/grammar.md); what it does not know is
refused (bot.capture.grammar says why dateparser is no longer behind it): times of day (``5pm``, ``17:00``),
end-of-day words (``EOD``, ``close of play``), relative phrases (``in 3 working days``, ``end of next week``)
and weekdays (``Friday``, ``next Friday``, ``Friday week``); calendar dates (``27/11``, ``27 Nov``) are
bot.capture.calendar_dates'. A phrase becomes a ``When`` (a day, a wall-clock time, or an exact instant) or
raises ``Unreadable`` (not a date: perhaps part of the task) or ``Impossible`` (plainly a date, but no such
day): bot.capture.when."""

from __future__ import annotations

import calendar
import re
from datetime import date, time, timedelta

from bot.capture.calendar_dates import add_months, calendar_date_from
from bot.capture.dates import WorkCalendar, format_day
from bot.capture.when import MONTHS, WEEKDAYS, Context, Impossible, Unreadable, When

_ONES = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}
# Numbers as minutes write them, up to sixty ("fifteen working days", "twenty-one days", "forty five"): a
# handful of words, read here rather than with a library for so few.
_NUMBER_WORDS = {
    "a": 1, "an": 1, **_ONES, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, **_TENS,
    **{f"{ten}-{one}": tens + ones for ten, tens in _TENS.items() for one, ones in _ONES.items()},
}  # fmt: skip
#: Working days abbreviated: "10 wd", "10 w/days".
_WORKING_DAYS = {"wd", "wds", "w/d", "w/ds", "w/days", "wdays"}
_UNITS = {
    "day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "month": "months", "months": "months",
    "fortnight": "fortnights", "fortnights": "fortnights", "hour": "hours", "hours": "hours", "hrs": "hours",
    "hr": "hours", "h": "hours", "wk": "weeks", "wks": "weeks",
}  # fmt: skip
_WORKING = {"working", "business", "work", "school"}
_END_OF_DAY_WORDS = {"eod", "cop", "cob", "eob", "eop", "today", "tonight"}
# "Friday COP", "end of day tomorrow", "COB Fri 11 Dec": the end of that day (17:00 unless a time is given).
_END_OF_DAY_PHRASES = tuple(
    p.split()
    for p in (
        "end of the working day", "end of working day", "close of business", "end of business", "end of the day",
        "close of play", "end of play", "end of day", "eod", "cop", "cob", "eob", "eop",
    )
)  # fmt: skip
_END_OF_DAY_FIRST = frozenset(phrase[0] for phrase in _END_OF_DAY_PHRASES)
_END_OF_DAY_LAST = frozenset(phrase[-1] for phrase in _END_OF_DAY_PHRASES)
# A part of the day with no clock time ("Monday morning", "tomorrow am", "first thing Friday"): the end of
# that part, so the deadline is never later than what was said. The note says which time it became.
_PARTS_OF_DAY: tuple[tuple[tuple[str, ...], time, str | None], ...] = tuple(
    (tuple(words.split()), at, note)
    for words, at, note in (
        ("first thing in the morning", time(9, 0), "first thing"),
        ("first thing", time(9, 0), "first thing"),
        ("in the morning", time(12, 0), "morning"),
        ("this morning", time(12, 0), "morning"),
        ("morning", time(12, 0), "morning"),
        ("am", time(12, 0), "morning"),
        ("lunchtime", time(12, 0), "lunchtime"),
        ("in the afternoon", time(17, 0), None),
        ("this afternoon", time(17, 0), None),
        ("afternoon", time(17, 0), None),
        ("pm", time(17, 0), None),
        ("this evening", time(17, 0), "evening"),
        ("evening", time(17, 0), "evening"),
        ("night", time(17, 0), "night"),
    )
)
_PART_OF_DAY_NOTES = {
    "first thing": "\u201cfirst thing\u201d is read as 09:00.",
    "morning": "\u201cmorning\u201d is read as 12:00, the end of the morning; "
    "for an earlier time, give it (\u201c9am\u201d).",
    "lunchtime": "\u201clunchtime\u201d is read as 12:00.",
    **{
        word: f"\u201c{word}\u201d is read as 17:00, the end of the working day; "
        "for a later time, give it (\u201c7pm\u201d)."
        for word in ("evening", "night")
    },
}
#: Words that name a time of day; a phrase keeping one after the readers above is not read by guesswork.
PART_OF_DAY_WORDS = frozenset(w for phrase, _, _ in _PARTS_OF_DAY for w in phrase) - {"in", "the", "this"}
# The words a part of the day starts or ends with: one set lookup each rules most phrases out.
_PART_EDGES = frozenset(w for phrase, _, _ in _PARTS_OF_DAY for w in (phrase[0], phrase[-1]))
# A bare hour just before one of these is a time ("by 3 tomorrow"), not a day of the month ("by 3 Dec"); after
# one of them, "by" a bare hour is that day's time ("Friday by 3").
DAYS_OF_A_TIME = frozenset({"today", "tonight", "tomorrow", *WEEKDAYS})


def bare_hour(word: str) -> int | None:
    """``3``, ``10``: an hour written alone (1-12), or None."""
    return int(word) if word.isascii() and word.isdigit() and 1 <= int(word) <= 12 else None


def _day_after_hour(after: list[str]) -> bool:
    """Whether the words after a bare hour name its day: ``3 tomorrow``, ``3 Friday``, ``3 this Friday``, ``3 on
    Friday``, ``10 on 11/12`` (a bare hour and then "on" is never a day of the month). "by 3 on Friday" kept
    "by 3" in the task and was due at 17:00; "by 3 this Friday" was read as 3 December."""
    first = after[0] if after else ""
    if first in DAYS_OF_A_TIME:
        return True
    if first in ("this", "next"):
        return after[1:2] != [] and after[1] in WEEKDAYS
    return first == "on" and len(after) > 1


_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?(am|pm|a\.m|p\.m|h|hrs)?$")
# midnight: the last minute of that day, not its first
_NAMED_TIMES = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(23, 59)}
_TWELVE = {"12", "12.00", "12:00", "12am", "12pm"}
_HHMM = re.compile(r"^([01]\d|2[0-3])([0-5]\d)(?:h|hrs)?$")


_CLOCK = {"o'clock", "oclock", "o\u2019clock"}
_HALF_OF_DAY = {"morning": "am", "afternoon": "pm", "evening": "pm"}
_SPOKEN = frozenset({*_CLOCK, *_HALF_OF_DAY, "am", "pm", "half", "quarter", "clock"})
#: "half past N", "quarter past N", "quarter to N": the hours to add, and the minutes.
_PAST = {("half", "past"): (0, 30), ("quarter", "past"): (0, 15), ("quarter", "to"): (-1, 45)}
_HOURS = {word: value for word, value in _NUMBER_WORDS.items() if 1 <= value <= 12 and word not in ("a", "an")}


def _spoken_time(words: list[str]) -> list[str]:
    """A time as it is said, as the clock time the readers know: ``10 o'clock`` (as ``at 10``), ``five pm``,
    ``9 in the morning`` (``9am``), ``half past 10``, ``quarter to 3``, ``half 10`` (10:30, as said in the UK).
    Without this, "by 10 o'clock tomorrow" kept "by 10 o'clock" in the task and was due at 17:00."""
    for i, word in enumerate(words):
        hour = bare_hour(word) or _HOURS.get(word)
        if hour is None:
            continue
        after, before = words[i + 1 : i + 4], words[max(0, i - 2) : i]
        clock = 2 if after[:1] and after[0] in _CLOCK else 3 if after[:2] == ["o", "clock"] else 0  # "10 o clock"
        if clock:
            return [*words[:i], "at", str(hour), *words[i + clock :]]
        if after[:1] and after[0] in ("am", "pm"):
            return [*words[:i], f"{hour}{after[0]}", *words[i + 2 :]]
        if after[:2] == ["in", "the"] and after[2:] and after[2] in _HALF_OF_DAY:
            return [*words[:i], f"{hour}{_HALF_OF_DAY[after[2]]}", *words[i + 4 :]]
        if len(before) == 2 and (past := _PAST.get((before[0], before[1]))) is not None:  # "quarter to 1": 12:45
            return [*words[: i - 2], f"{(hour + past[0] - 1) % 12 + 1}:{past[1]:02d}", *words[i + 1 :]]
        if before[-1:] == ["half"]:
            return [*words[: i - 1], f"{hour}:30", *words[i + 1 :]]
    return words


def _refuse_seven(hour: int, word: str) -> None:
    """Seven o'clock is outside working hours either way (a breakfast meeting, a visit after school): "by 7.45
    Friday" was due at 19:45. Asked rather than guessed, as 1-6 (the afternoon) and 8-12 (the morning) are not."""
    if hour == 7:
        raise Impossible(f"\u201c{word}\u201d could be the morning or the evening: write {word}am or {word}pm")


def take_time(words: list[str]) -> tuple[list[str], time | None]:
    """Remove a time of day (``5pm``, ``17:00``, ``5.30 pm``, ``noon``, ``at 3pm``, ``@ 3pm``, ``1700``,
    ``15:00hrs``, ``15h30``, ``at 3``) from the words."""
    words = ["at" if w == "@" else w for w in words]
    if not _SPOKEN.isdisjoint(words):  # most phrases: one set operation
        words = _spoken_time(words)
    has_month = any(w in MONTHS for w in words)
    if not _NAMED_TIMES.keys().isdisjoint(words):  # first: "at 12 noon" is one time, never "the 12th"
        i = next(i for i, word in enumerate(words) if word in _NAMED_TIMES)
        start = i - 1 if i and words[i - 1] in _TWELVE else i
        start = start - 1 if start and words[start - 1] == "at" else start
        return words[:start] + words[i + 1 :], _NAMED_TIMES[words[i]]
    for i, word in enumerate(words):
        if (clock := _HHMM.match(word)) and not has_month:
            # "1700", "0930h": a 24-hour time (with a month in the phrase, four digits are its year)
            hour, minute = int(clock.group(1)), int(clock.group(2))
            after_at = i > 0 and words[i - 1] == "at"
            if hour != 20 or after_at or word.endswith(("h", "hrs")):  # "2026" alone is a year, not 20:26
                start = i - 1 if i > 0 and words[i - 1] == "at" else i
                return words[:start] + words[i + 1 :], time(hour, minute)
        alone = bare_hour(word) if word.isdigit() else None  # most words are not numbers: no call
        if alone and ((i > 0 and words[i - 1] == "at") or _day_after_hour(words[i + 1 : i + 3])):
            # "Friday at 3", "by 3 tomorrow": meetings' times are working hours, so 1-6 is the afternoon
            _refuse_seven(alone, word)
            hour = alone + 12 if alone <= 6 else alone
            start = i - 1 if i > 0 and words[i - 1] == "at" else i
            return words[:start] + words[i + 1 :], time(hour, 0)
        match = _TIME.match(word)
        suffix = match.group(3).replace(".", "") if match and match.group(3) else None  # "3p.m" is "3pm"
        if suffix in ("h", "hrs"):  # "15:00hrs", "1500h" (above): a 24-hour time
            if match is None or match.group(2) is None:
                continue
            suffix = None
        used = 1
        if match and suffix is None and i + 1 < len(words) and words[i + 1] in {"am", "pm"}:
            suffix, used = words[i + 1], 2
        if not match or (suffix is None and match.group(2) is None):
            continue
        if suffix is None and "." in word and 1 <= int(match.group(2)) <= 12:
            continue  # "5.12" is 5 December; "17.30" and "17.00" are times
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not suffix and 1 <= hour <= 7 and not word.startswith("0"):
            _refuse_seven(hour, word)
            hour += 12  # "by tomorrow 4.30": meetings' times are working hours, as "at 3" ("04:30" is 04:30)
        elif suffix:
            if not 1 <= hour <= 12:
                raise Impossible(f"{word} is not a time of day")
            if hour == 12 and suffix == "am":  # often meant as midday: "by 12am Friday" was due at 00:00 Friday
                raise Impossible(
                    f"\u201c{hour}:{minute:02d}am\u201d is in the night, at the start of that day: for midday write "
                    f"\u201c{hour}:{minute:02d}pm\u201d, for the end of the day \u201cmidnight\u201d"
                )
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        if hour > 23 or minute > 59:
            raise Impossible(f"{word} is not a time of day")
        start = i - 1 if i > 0 and words[i - 1] == "at" else i
        return words[:start] + words[i + used :], time(hour, minute)
    return words, None


def take_part_of_day(words: list[str]) -> tuple[list[str], time | None, list[str]]:
    """Remove a part of the day (``morning``, ``am``, ``first thing``, ``afternoon``) before or after the day:
    ``Monday morning`` -> (``Monday``, 12:00, its note). ``this morning`` alone is today's."""
    if not words or (words[0] not in _PART_EDGES and words[-1] not in _PART_EDGES):
        return words, None, []
    for phrase, at, note in _PARTS_OF_DAY:
        size = len(phrase)
        for start in (0, len(words) - size):
            if start >= 0 and tuple(words[start : start + size]) == phrase:
                rest = words[:start] + words[start + size :]
                if start and rest[start - 1 : start] == ["at"]:  # "tomorrow at lunchtime"
                    rest = rest[: start - 1] + rest[start:]
                if not rest and phrase[0] != "this":
                    return words, None, []  # "by the morning": which morning?
                return rest, at, [_PART_OF_DAY_NOTES[note]] if note else []
    return words, None, []


_GLUED_UNIT = re.compile(r"^(\d{1,3})([a-z]+)$")


def starts_with_count(words: list[str]) -> bool:
    """Whether the words start with a number (``15``, ``two``, ``a``, ``24hrs``): a length of time may follow."""
    if not words:
        return False
    first = words[0]
    return first.isdigit() or first in _NUMBER_WORDS or first in _UNITS or _GLUED_UNIT.match(first) is not None


def _number(word: str) -> int | None:
    if word.isascii() and word.isdigit() and len(word) <= 3:  # "²" is a digit that int() refuses
        return int(word)
    return _NUMBER_WORDS.get(word)


#: Health notes' shorthand for a length of time: "2/52" two weeks, "3/7" three days, "6/12" six months.
_CLINICAL = re.compile(r"^(\d{1,2})/(7|52|12)$")
_CLINICAL_UNITS = {"7": "days", "52": "weeks", "12": "months"}


def clinical(word: str) -> str | None:
    """The length of time a word is in health notes' shorthand (``2/52``: "2 weeks", ``3/7``, ``6/12``), or None."""
    found = _CLINICAL.match(word)
    return None if found is None else f"{found.group(1)} {_CLINICAL_UNITS[found.group(2)]}"


def _length(words: list[str]) -> tuple[int, str, bool]:
    """A length of time as (count, unit, whether working days): ``3 working days``, ``2 weeks``, ``a
    fortnight``, ``the next 3 days``, ``a couple of weeks``, ``24hrs``, ``10 wd``; Unreadable otherwise."""
    if words[-1:] == ["time"]:
        words = words[:-1]
    if words[:2] in (["the", "next"], ["the", "coming"]):  # "within the next 3 days" is "within 3 days"
        words = words[2:]
    if words[:3] == ["a", "couple", "of"] or words[:2] == ["couple", "of"]:
        words = ["2", *words[3 if words[0] == "a" else 2 :]]
    if len(words) == 1 and words[0] in {"fortnight", "week", "month"}:
        words = ["1", words[0]]
    if words and (glued := _GLUED_UNIT.match(words[0])) and glued.group(2) in _UNITS:
        words = [glued.group(1), glued.group(2), *words[1:]]  # "24hrs", "2wks", "3days"
    if len(words) > 2 and words[0] in _TENS and words[1] in _ONES:  # "twenty eight days"
        words = [f"{words[0]}-{words[1]}", *words[2:]]
    if len(words) == 2 and words[1] in _WORKING_DAYS:  # "10 wd"
        words = [words[0], "working", "days"]
    if len(words) not in (2, 3):
        raise Unreadable
    count = _number(words[0])
    working = len(words) == 3 and words[1] in _WORKING
    unit = _UNITS.get(words[-1])
    if count is None or unit is None or (len(words) == 3 and not working):
        raise Unreadable
    if working and unit != "days":
        raise Unreadable
    if count > 366:
        raise Impossible(f"{count} {unit} is too far ahead for a deadline")
    return count, unit, working


def _moved(day: date, count: int, unit: str, working: bool, cal: WorkCalendar) -> date:
    """``day`` moved by a length of days, working days, weeks, fortnights or months (back when negative)."""
    if working:
        return cal.add_working_days(day, count)
    if unit == "days":
        return day + timedelta(days=count)
    if unit == "weeks":
        return day + timedelta(weeks=count)
    if unit == "fortnights":
        return day + timedelta(weeks=2 * count)
    return add_months(day, count)


def _relative(words: list[str], ctx: Context) -> When:
    """``in|within N [working] days|weeks|months|hours`` (the keyword already removed), ``N weeks' time``,
    ``in 2/52`` (health notes' shorthand, said in a note: never a date)."""
    if len(words) == 1 and (clinical := _CLINICAL.match(words[0])) is not None:
        count, unit = clinical.group(1), _CLINICAL_UNITS[clinical.group(2)]
        when = _relative([count, unit], ctx)
        length = f"{count} {unit[:-1] if count == '1' else unit}"
        when.notes.append(f"\u201c{words[0]}\u201d is read as {length}, as health notes write it.")
        return when
    if words[:1] == ["this"] and (this := special(words, ctx)) is not None:
        return this  # "in this week", "within this month": its end (dateparser read them as today)
    count, unit, working = _length(words)
    if unit == "hours":  # to the minute: a deadline is never recorded with seconds
        return When(instant=ctx.now.replace(second=0, microsecond=0) + timedelta(hours=count))
    when = When(day=_moved(ctx.today, count, unit, working, ctx.cal))
    if "school" in words:  # counted as working days, which go on through the school holidays
        when.notes.append(
            "\u201cschool days\u201d are counted as working days (term dates differ between schools): check the "
            "date if the school is on holiday before it."
        )
    return when


def length_before(words: list[str], day: date, cal: WorkCalendar, after: bool = False) -> date | None:
    """The day a length of time before ``day`` (``2 working days`` before Mon 14 Dec: Thu 10 Dec), or with
    ``after`` after it; None when the words are not a length of days, weeks or months."""
    try:
        count, unit, working = _length(words)
    except (Unreadable, Impossible):
        return None
    return None if unit == "hours" else _moved(day, count if after else -count, unit, working, cal)


#: A day counted from may have passed: the referral a month ago. Read as this year's up to this far back.
_COUNTED_FROM_BACK = timedelta(days=183)


def day_counted_from(words: list[str], ctx: Context) -> date | None:
    """The day a length is counted from (``14/12``, ``1 Dec``, ``Monday``), which may have passed; or None."""
    if (found := calendar_date_from(words, ctx.today - _COUNTED_FROM_BACK)) is not None and found.day is not None:
        return found.day
    found = _weekday_phrase(words, ctx) or special(words, ctx)
    return None if found is None else found.day


_NEXT_WORKING_DAY = {
    f"{end}next {kind} day" for end in ("", "end of ") for kind in ("working", "business", "work")
}  # "by the next working day", "by end of next working day"
_WEEKS = {"week": 1, "weeks": 1, "fortnight": 2, "fortnights": 2}


def weeks_after_day(words: list[str], today: date) -> date | None:
    """``a week today``, ``a week on Friday``, ``two weeks tomorrow``, ``3 weeks on Monday``, ``a fortnight on
    Friday``: that many weeks after the day named (today, tomorrow or the coming weekday), or None."""
    if not 3 <= len(words) <= 4 or words[1] not in _WEEKS or (len(words) == 4 and words[2] != "on"):
        return None
    count = int(words[0]) if words[0].isascii() and words[0].isdigit() else _NUMBER_WORDS.get(words[0])
    day = words[-1]
    if not count or count > 12 or (day not in WEEKDAYS and day not in ("today", "tomorrow")):
        return None
    start = _coming(WEEKDAYS[day], today) if day in WEEKDAYS else today + timedelta(days=day == "tomorrow")
    return start + timedelta(weeks=count * _WEEKS[words[1]])


def _coming(weekday: int, today: date) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _week_friday(today: date, weeks_ahead: int) -> date:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)
    return monday + timedelta(days=4)


def _end_of_month(ctx: Context, months_ahead: int) -> date:
    first = add_months(ctx.today.replace(day=1), months_ahead)
    day = ctx.cal.last_working_day_of_month(first.year, first.month)
    if day < ctx.today:  # "end of month" on a month's last, non-working days means next month's
        nxt = add_months(first, 1)
        day = ctx.cal.last_working_day_of_month(nxt.year, nxt.month)
    return day


def month_alone(words: list[str]) -> tuple[int, int | None] | None:
    """``January``, ``Jan 2027``: a month (and its year) named with no day, or None."""
    if not words or len(words) > 2 or words[0] not in MONTHS:
        return None
    if len(words) == 1:
        return MONTHS[words[0]], None
    year = words[1]
    return (MONTHS[words[0]], int(year)) if year.isascii() and year.isdigit() and len(year) == 4 else None


def month_end(month: int, year: int | None, ctx: Context) -> date:
    """A month's last working day: of that year, or the next one not yet past. Raises Impossible when past."""
    if year is not None:
        day = ctx.cal.last_working_day_of_month(year, month)
        if day < ctx.today:
            raise Impossible(f"the end of {calendar.month_name[month]} {year} has passed")
        return day
    year = ctx.today.year
    while (day := ctx.cal.last_working_day_of_month(year, month)) < ctx.today:
        year += 1
    return day


def _end_of_named_month(words: list[str], ctx: Context) -> When | None:
    """``end of January``, ``end Jan``, ``end of Jan 2027``: that month's last working day, the next one not yet
    past."""
    rest = words[2:] if words[1:2] == ["of"] else words[1:]  # "end of January", "end Jan"
    if words[:1] != ["end"] or (named := month_alone(rest)) is None:
        return None
    return When(day=month_end(*named, ctx))


def special(words: list[str], ctx: Context) -> When | None:
    """Phrases that need no keyword: EOD, close of play, today, tomorrow, end of week/month, next week,
    end of January."""
    bare = [w for w in words if w != "the"]
    if bare[:1] == ["end"] and (month_end := _end_of_named_month(bare, ctx)) is not None:
        return month_end
    phrase = " ".join(bare)
    today = ctx.today
    if phrase in _END_OF_DAY_WORDS or phrase.split() in _END_OF_DAY_PHRASES:
        # "tonight" is the evening's: read as the end of the working day, as "this evening" is, and said so
        notes = [_PART_OF_DAY_NOTES["evening"].replace("evening", "tonight")] if phrase == "tonight" else []
        return When(day=today, end_of_day_only=phrase not in {"today", "tonight"}, wall_notes=notes)
    if phrase == "end of today":
        return When(day=today)
    if phrase in ("this time next week", "same time next week"):  # to the minute, as "in 48 hours"
        return When(instant=ctx.now.replace(second=0, microsecond=0) + timedelta(weeks=1))
    if bare[1:2] and bare[1] in _WEEKS and (weeks_on := weeks_after_day(bare, today)):  # "a week today"
        return When(day=weeks_on)
    if phrase in ("tomorrow", "end of tomorrow"):
        return When(day=today + timedelta(days=1))
    if phrase == "day after tomorrow":
        return When(day=today + timedelta(days=2))
    if phrase in ("today week", "tomorrow week"):  # a week from that day, as "Friday week" is
        return When(day=today + timedelta(days=7 + (phrase == "tomorrow week")))
    if phrase in _NEXT_WORKING_DAY:
        return When(day=ctx.cal.add_working_days(today, 1))
    if phrase in {"end of week", "end of this week", "this week", "later this week", "eow", "weekend", "this weekend"}:
        friday = _week_friday(today, 0)
        day = friday if friday >= today else _week_friday(today, 1)
        if "weekend" not in phrase:
            return When(day=day)
        return When(
            day=day, notes=[f"\u201cThe weekend\u201d is read as the end of the working week, {format_day(day)}."]
        )
    if phrase in {"end of next week", "next week", "later next week"}:
        return When(day=_week_friday(today, 1))
    if phrase in {"end of month", "end of this month", "this month", "eom"}:
        return When(day=_end_of_month(ctx, 0))
    if phrase in {"end of next month", "next month"}:
        return When(day=_end_of_month(ctx, 1))
    return None


def _calendar_date(words: list[str], ctx: Context) -> When | None:
    """``27/11``, ``27/11/2026``, ``2026-11-27``, ``[Fri] 27[th] [of] Nov[ember] [2026]``, ``Nov 27``, ``the 5th``."""
    return calendar_date_from(words, ctx.today)


_WEEKS_AHEAD: dict[tuple[str, ...], int] = {("next", "week"): 1, ("this", "week"): 0}


def _weekday_of_week(words: list[str]) -> tuple[int, int] | None:
    """``Tuesday next week``, ``Tuesday of next week``, ``next week Tuesday``, ``Thursday this week``: the
    weekday and how many calendar weeks ahead (weeks run Mon-Sun), or None."""
    if len(words) < 3:
        return None
    if words[0] in WEEKDAYS:
        weekday, rest = words[0], words[2:] if words[1] == "of" else words[1:]
    elif words[-1] in WEEKDAYS:
        weekday, rest = words[-1], words[:-2] if words[-2] == "on" else words[:-1]
    else:
        return None
    ahead = _WEEKS_AHEAD.get(tuple(rest))
    return None if ahead is None else (WEEKDAYS[weekday], ahead)


def _weekday_phrase(words: list[str], ctx: Context) -> When | None:
    """``Friday``, ``this Friday``, ``next Friday`` (next calendar week), ``Friday week``, ``a week on Friday``."""
    today = ctx.today
    if (in_week := _weekday_of_week(words)) is not None:  # "Tuesday next week", "Thursday this week"
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=in_week[1])
        return When(day=monday + timedelta(days=in_week[0]))
    if "coming" in words and len(words) <= 4:  # "Friday coming", "this coming Friday": the coming Friday
        words = [w for w in words if w not in ("the", "this", "coming")]
    bare = words[1:] if len(words) == 2 and words[0] == "this" else words
    if len(bare) == 1 and bare[0] in WEEKDAYS:
        day = _coming(WEEKDAYS[bare[0]], today)
        notes = []
        if day == today:  # the same rule for every weekday: said on that day, it means today
            name = calendar.day_name[day.weekday()]
            notes.append(
                f"\u201c{name}\u201d is read as today, {format_day(day)}; for next week's, say \u201cnext {name}\u201d."
            )
        return When(day=day, notes=notes)
    if len(words) == 2 and words[0] == "next" and words[1] in WEEKDAYS:
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return When(day=monday + timedelta(days=WEEKDAYS[words[1]]))
    if words[-2:] == ["after", "next"] and words[:-3] in ([], ["the"]) and words[-3:-2] and words[-3] in WEEKDAYS:
        after_next = _weekday_phrase(["next", words[-3]], ctx)  # "Monday after next": a week after next Monday
        return When(day=after_next.day + timedelta(weeks=1)) if after_next and after_next.day else None
    if len(words) == 2 and words[0] in WEEKDAYS and words[1] == "week":
        return When(day=_coming(WEEKDAYS[words[0]], today) + timedelta(weeks=1))
    if len(words) == 2 and words[0] in WEEKDAYS and words[1] == "fortnight":  # "Friday fortnight"
        return When(day=_coming(WEEKDAYS[words[0]], today) + timedelta(weeks=2))
    if words[1:2] and words[1] in _WEEKS and (weeks_on := weeks_after_day(words, today)):  # "a week on Friday"
        return When(day=weeks_on)
    return None


def without_end_of_day(words: list[str]) -> list[str]:
    """The words without an end-of-day phrase before or after a day (``Friday COP`` -> ``Friday``), or "(the) end
    of" before one (``the end of Monday``, ``end of 14/12``, which were refused): the day's end is its deadline."""
    if not words:
        return words
    start = 1 if words[0] == "the" else 0
    if words[0] in ("the", "end") and words[start : start + 2] == ["end", "of"] and words[start + 2 :]:
        after = words[start + 2]
        if after in WEEKDAYS or after in ("today", "tomorrow") or after[:1].isdigit():
            return words[start + 2 :]
    if words[0] not in _END_OF_DAY_FIRST and words[-1] not in _END_OF_DAY_LAST:
        return words  # most phrases: two set lookups
    for phrase in _END_OF_DAY_PHRASES:
        size = len(phrase)
        if len(words) > size and words[:size] == phrase:
            return [w for w in words[size:] if w not in ("on", "at")] if words[size] in ("on", "at") else words[size:]
        if len(words) > size and words[-size:] == phrase and words[:-size] != ["the"]:  # "the end of the day"
            return words[:-size]
    return words


def hand_phrase(words: list[str], ctx: Context, relative: bool) -> When:
    """Read a (cleaned) date phrase with the hand grammar; raise Unreadable when it is not one."""
    if not words:
        raise Unreadable
    if relative:
        if words[0] not in {"in", "within"}:
            raise Unreadable
        return _relative(words[1:], ctx)
    words, wall, notes = take_wall(words)
    if words and words[0] in {"on", "at"}:
        words = words[1:]
    unended = without_end_of_day(words)
    if wall is not None and unended != words and wall != ctx.cal.end_of_day:
        # "phone the GP first thing EOD Friday" was due at 09:00: two times of one day, never one guessed
        raise Impossible(
            f"Two times for one day, {wall:%H:%M} and the end of the day ({ctx.cal.end_of_day:%H:%M}): give one (a "
            "time in the task, such as \u201cfirst thing\u201d, goes before \u201cby\u201d: \u201cphone the GP first "
            "thing, by Friday\u201d)"
        )
    words = unended
    if not words:
        if wall is None:
            raise Unreadable
        return When(day=ctx.today, wall=wall, wall_notes=notes, time_only=True)
    if wall is not None and words in (["next", "week"], ["this", "week"]):  # "first thing next week"
        monday = ctx.today + timedelta(days=7 * (words[0] == "next") - ctx.today.weekday())
        example = monday if monday > ctx.today else ctx.cal.add_working_days(ctx.today, 1)
        raise Impossible(
            f"A time of day needs a day, not a week (\u201c{' '.join(words)}\u201d is read as its Friday): give the "
            f"day, such as \u201cby {format_day(example)}, 9am\u201d"
        )
    for reader in (special, _weekday_phrase, _calendar_date):
        found = reader(words, ctx)
        if found is not None:
            if wall is not None:  # "9pm tonight": the time given, not the note on "tonight" alone
                found.wall, found.wall_notes = wall, notes
            return found
    raise Unreadable


def take_wall(words: list[str]) -> tuple[list[str], time | None, list[str]]:
    """A clock time (``5pm``) or, failing that, a part of the day (``morning``, ``at lunchtime``), with its
    note."""
    words, wall = take_time(words)
    if wall is not None:
        return words, wall, []
    rest, wall, notes = take_part_of_day(words[1:] if words[:1] == ["at"] else words)
    return (rest, wall, notes) if wall is not None else (words, None, [])
