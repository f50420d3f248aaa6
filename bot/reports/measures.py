"""Building blocks the drift report's SQL shares: working-day cut-offs computed once in Python, and
conditions counted in the database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func

from bot.capture.dates import WorkCalendar


def silence_cutoff(cal: WorkCalendar, today: date, working_days: int) -> datetime:
    """The instant before which an owner's last event means silence.

    An owner is silent when ``cal.working_days_between(day of their last event, today) >= n``. Walking
    back from today to the day where n working days have been counted gives the first day that is
    *not* silent; its local midnight is the cutoff (``owner_active_at < cutoff`` is silence)."""
    day = today
    counted = 0
    while True:
        if cal.is_working_day(day):
            counted += 1
            if counted == working_days:
                return cal.at(day, time(0))
        day -= timedelta(days=1)


def week_ends(cal: WorkCalendar, now: datetime, weeks: int) -> list[datetime]:
    """The ends of the last ``weeks`` weeks (Monday 00:00 local), oldest first."""
    today = cal.today(now)
    monday = today - timedelta(days=today.weekday())
    return [cal.at(monday - timedelta(weeks=back), time(0)) for back in reversed(range(weeks))]


def working_days_late(days: Iterable[date], today: date, cal: WorkCalendar) -> dict[date, int]:
    """Working days in (day, today] for each day, walking the calendar once (not once per day)."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    result: dict[date, int] = {}
    counted = 0
    cursor = today
    for day in reversed(wanted):  # latest first: count working days back from today
        while cursor > day:
            if cal.is_working_day(cursor):
                counted += 1
            cursor -= timedelta(days=1)
        result[day] = counted if day <= today else 0
    return result


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(flag(condition)), 0)


def blank(column: Any) -> ColumnElement[bool]:
    return func.coalesce(column, "") == ""
