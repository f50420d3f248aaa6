"""UK working days, wall-clock instants across clock changes, and display formats."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.capture.dates import WorkCalendar, format_day, format_when

ENG = WorkCalendar.uk("ENG")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 27), True),  # Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 28), False),  # Boxing Day (substitute)
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert ENG.is_working_day(day) is working


def test_nations_differ() -> None:
    assert WorkCalendar.uk("SCT").bank_holiday_name(date(2026, 11, 30)) == "Saint Andrew's Day"
    assert ENG.is_working_day(date(2026, 11, 30))
    assert not WorkCalendar.uk("NIR").is_working_day(date(2027, 3, 17))  # St Patrick's Day
    assert not WorkCalendar.uk("SCT").is_working_day(date(2027, 1, 4))  # 2 January, substitute


def test_working_day_arithmetic() -> None:
    assert ENG.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert ENG.add_working_days(date(2026, 12, 29), -1) == date(2026, 12, 24)
    assert ENG.working_days_between(date(2026, 12, 24), date(2026, 12, 31)) == 3
    assert ENG.working_days_between(date(2026, 12, 31), date(2026, 12, 24)) == -3
    assert ENG.next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)
    assert ENG.last_working_day_of_month(2027, 1) == date(2027, 1, 29)


def test_wall_clock_instants_across_clock_changes() -> None:
    assert ENG.at(date(2027, 3, 26), time(9)) == datetime(2027, 3, 26, 9, tzinfo=UTC)
    assert ENG.at(date(2027, 3, 29), time(9)) == datetime(2027, 3, 29, 8, tzinfo=UTC)
    assert ENG.end_of(date(2027, 10, 29)) == datetime(2027, 10, 29, 16, tzinfo=UTC)
    assert ENG.end_of(date(2027, 11, 1)) == datetime(2027, 11, 1, 17, tzinfo=UTC)
    # 01:30 does not exist on 28 March 2027; the wall clock moves it on by the gap
    assert ENG.at(date(2027, 3, 28), time(1, 30)) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    # 01:30 happens twice on 31 October 2027; the first is taken
    assert ENG.at(date(2027, 10, 31), time(1, 30)) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_formats() -> None:
    london = ZoneInfo("Europe/London")
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert format_when(datetime(2026, 11, 27, 17, tzinfo=UTC), london, now) == "Fri 27 Nov, 17:00"
    assert format_when(datetime(2027, 6, 4, 16, tzinfo=UTC), london, now) == "Fri 4 Jun 2027, 17:00"
    assert format_day(date(2026, 12, 7), now, london) == "Mon 7 Dec"
    assert format_day(date(2027, 1, 4), now, london) == "Mon 4 Jan 2027"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        ENG.today(datetime(2026, 11, 23, 10))
