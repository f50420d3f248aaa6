"""Calendar dates as written: ``27/11``, ``27/11/2026``, ``2026-11-27``, ``27 Nov [2026]``, ``Nov 27``,
``the 5th`` (UK order: day first). A date without a year is this year's if it is today or later; one that
passed recently is refused as a mistake, naming the day it was; one further back is next year's, with a
note. A weekday written beside the date is checked against it."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from bot.capture.dates import format_day
from bot.capture.when import MONTHS, WEEKDAYS, Impossible, When

#: A day and month (no year) that passed this recently is a mistake, not next year's date.
RECENTLY_PASSED = timedelta(days=62)

_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)?$")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _make_date(year: int, month: int, day: int, shown: str, year_given: bool = True) -> date:
    if not 1 <= month <= 12:
        raise Impossible(f"{shown} is not a real date (there is no month {month})")
    if not 2000 <= year <= 2999:
        raise Impossible(f"{shown} is not a date this system can use (year {year})")
    try:
        return date(year, month, day)
    except ValueError:
        last = calendar.monthrange(year, month)[1]
        which = f"{calendar.month_name[month]} {year}" if year_given else calendar.month_name[month]
        raise Impossible(f"{shown} is not a real date ({which} has {last} days)") from None


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
        month_after = add_months(this_year, 1)
        likely = f"Did you mean {format_day(month_after)}? " if month_after.day == day and month_after >= today else ""
        raise Impossible(
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
    raise Impossible(f"{shown} is not a real date")  # unreachable for real dates


# "21-Dec", "21-Dec-2026", "21-Dec-26": how spreadsheets show a date
_DASHED = re.compile(r"^(\d{1,2})-([a-z]{3,9})(?:-(\d{2}|\d{4}))?$")


def _year_of(word: str, today: date) -> int | None:
    """A year after a month's name: four digits, or two within a few years of today's ("14th Dec 26", "14th Dec
    '26"); None for other numbers ("14 Dec 10" is not 2010)."""
    if re.fullmatch(r"\d{4}", word):
        return int(word)
    if re.fullmatch(r"['\u2019]?\d{2}", word) and today.year - 1 <= 2000 + int(word[-2:]) <= today.year + 5:
        return 2000 + int(word[-2:])
    return None


def _full_year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def calendar_date_from(words: list[str], today: date) -> When | None:
    """``27/11``, ``27/11/2026``, ``2026-11-27``, ``[Fri] 27[th] [of] Nov[ember] [2026]``, ``Nov 27``, ``the 5th``,
    with dates before ``today`` refused (recently passed) or read as next year's."""
    notes: list[str] = []
    weekday: int | None = None
    if words and words[0] in WEEKDAYS and len(words) > 1:
        weekday = WEEKDAYS[words[0]]
        words = words[1:]
    elif len(words) > 1 and words[-1] in WEEKDAYS:  # "9/12 (Thu)", "11th Fri": checked the same way
        weekday = WEEKDAYS[words[-1]]
        words = words[:-1]
    named_day = "the" in words  # "the 21": a day of the month, as "the 21st" is
    words = [w for w in words if w not in {"the", "of"}]
    if len(words) == 1 and (dashed := _DASHED.match(words[0])) and dashed.group(2) in MONTHS:
        words = [g for g in dashed.groups() if g]  # "21-Dec-26", a spreadsheet's date: "21 dec 26"
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
        day_word, month_word = (words[0], words[1]) if words[1] in MONTHS else (words[1], words[0])
        day_match = _ORDINAL.match(day_word)
        year_word = words[2] if len(words) == 3 else None
        year = _year_of(year_word, today) if year_word else None
        if month_word not in MONTHS or not day_match or (year_word and year is None):
            return None
        month, day = MONTHS[month_word], int(day_match.group(1))
        shown = f"{day} {month_word.capitalize()}" + (f" {year_word}" if year_word else "")
        if year:
            found = _make_date(year, month, day, shown)
        else:
            found, note = _yearless(month, day, shown, today)
    elif len(words) == 1 and (m := _ORDINAL.match(words[0])) and (m.group(2) or named_day):
        day = int(m.group(1))
        month_start = today.replace(day=1)
        for offset in range(0, 3):
            first = add_months(month_start, offset)
            if day <= calendar.monthrange(first.year, first.month)[1] and first.replace(day=day) >= today:
                found = first.replace(day=day)
                break
        if found is None:
            raise Impossible(f"{words[0]} is not a day of the month")
        if found.month != today.month:  # "by the 5th" on 7 Dec: next month's, said (it was 5 Jan, silently)
            why = "has passed this month" if day < today.day else f"is not in {today:%B}"
            note = f"\u201cthe {words[0]}\u201d {why}: read as {format_day(found)} {found.year}."
    if found is None:
        return None
    if note:
        notes.append(note)
    if weekday is not None and found.weekday() != weekday:
        notes.append(f"{format_day(found)} is a {found:%A}, not a {calendar.day_name[weekday]}: check the date.")
    return When(day=found, notes=notes)
