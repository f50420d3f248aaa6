"""UK date semantics: Europe/London wall clock, end of the working day, weekends and bank holidays.

Everything stored is UTC; everything a person sees or is scheduled for is local wall-clock time.
Wall-clock arithmetic is done on local dates and only then turned into an instant with zoneinfo, so
"17:00" and "09:00" stay what they say across the March and October clock changes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from bot.config import Settings


def ensure_aware(moment: datetime) -> datetime:
    """Reject naive datetimes at the boundary: every instant in the core is timezone-aware."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime reached the core; attach a time zone first")
    return moment


FULL_WEEK = frozenset(range(5))
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekdays_of(working_days: str | None) -> frozenset[int]:
    """A stored ``working_days`` ("012": Monday to Wednesday) as weekday numbers; None: Monday to Friday."""
    return frozenset(int(c) for c in working_days) if working_days else FULL_WEEK


def parse_working_days(text: str) -> str:
    """``Mon-Wed``, ``mon,tue,thu``, ``Tuesday Thursday`` -> the stored form ("012"). Raises ValueError."""
    days: set[int] = set()
    for part in text.replace(",", " ").split():
        first, _, last = part.lower().partition("-")
        try:
            start = _DAY_NAMES.index(first[:3])
            end = _DAY_NAMES.index(last[:3]) if last else start
        except ValueError:
            raise ValueError(f"{part!r} is not a day or a range of days, such as Mon-Wed") from None
        if end < start:
            raise ValueError(f"{part!r} runs backwards: write the first day first, such as Mon-Wed")
        days.update(range(start, end + 1))
    if not days:
        raise ValueError("name the days worked, such as Mon-Wed")
    return "".join(str(d) for d in sorted(days))


def describe_working_days(working_days: str | None) -> str:
    """The stored form as people write it: "Mon, Tue, Wed"; "Mon-Fri" when unset."""
    if not working_days:
        return "Mon-Fri"
    return ", ".join(_DAY_NAMES[int(c)].capitalize() for c in working_days)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and local times for one UK nation and one time zone (and, for a person who works
    part-time, their own weekdays)."""

    zone: ZoneInfo
    end_of_day: time
    bank_holidays: holidays.HolidayBase = field(repr=False, compare=False)
    #: Weekdays worked (Monday 0): Monday to Friday unless a person works fewer.
    weekdays: frozenset[int] = FULL_WEEK
    # Memos, because a sweep asks the same few days thousands of times: a holidays lookup converts its key
    # and checks the year's expansion on every call, and ``at`` takes three time zone conversions. Working
    # days are shared between the zones of one calendar; instants are per zone.
    _working: dict[date, bool] = field(default_factory=dict, repr=False, compare=False)
    _instants: dict[tuple[date, time], datetime] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def uk(cls, subdivision: str = "ENG", zone: str = "Europe/London", end_of_day: time = time(17, 0)) -> WorkCalendar:
        # The holidays package expands years lazily on lookup, so one table serves any date.
        return cls(ZoneInfo(zone), end_of_day, holidays.country_holidays("GB", subdiv=subdivision))

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkCalendar:
        return cls.uk(settings.holiday_subdivision, settings.timezone, settings.end_of_day)

    def with_zone(self, zone: ZoneInfo) -> WorkCalendar:
        """The same calendar seen from another time zone (a person's own), sharing the holiday table."""
        return self if zone == self.zone else replace(self, zone=zone, _instants={})

    def for_person(self, timezone: str | None, working_days: str | None) -> WorkCalendar:
        """A person's own calendar: their time zone (when valid) and their weekdays (``working_days``)."""
        cal = self.with_zone(zone_of(timezone, self.zone))
        weekdays = weekdays_of(working_days)
        return cal if weekdays == cal.weekdays else replace(cal, weekdays=weekdays, _working={})

    # -- days -------------------------------------------------------------------------------------
    def bank_holiday_name(self, day: date) -> str | None:
        name = self.bank_holidays.get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        working = self._working.get(day)
        if working is None:
            working = self._working[day] = day.weekday() in self.weekdays and day not in self.bank_holidays
        return working

    def add_working_days(self, day: date, count: int) -> date:
        """``count`` working days after ``day`` (before it when negative); ``day`` itself is not counted."""
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def last_working_day_of_month(self, year: int, month: int) -> date:
        day = date(year, month, calendar.monthrange(year, month)[1])
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    # -- instants ---------------------------------------------------------------------------------
    def local(self, moment: datetime) -> datetime:
        return ensure_aware(moment).astimezone(self.zone)

    def today(self, now: datetime) -> date:
        return self.local(now).date()

    def at(self, day: date, wall: time) -> datetime:
        """The UTC instant of a local wall-clock time on a local date.

        In the autumn repeated hour the first occurrence is taken (fold=0); a time that does not exist in
        the spring gap is moved forward by the gap, as a wall clock would be.
        """
        instant = self._instants.get((day, wall))
        if instant is None:
            local = datetime.combine(day, wall, tzinfo=self.zone)
            roundtrip = local.astimezone(UTC).astimezone(self.zone)
            if roundtrip.replace(tzinfo=None) != local.replace(tzinfo=None):
                local = roundtrip  # non-existent local time (spring forward)
            instant = self._instants[(day, wall)] = local.astimezone(UTC)
        return instant

    def end_of(self, day: date) -> datetime:
        return self.at(day, self.end_of_day)


# English names, whatever the process's locale (strftime's %a and %b follow it, and cost more: a sweep
# formats thousands of dates).
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_when(moment: datetime, zone: ZoneInfo, now: datetime | None = None) -> str:
    """'Fri 27 Nov, 17:00'; the year is added when it differs from ``now``'s."""
    local = ensure_aware(moment).astimezone(zone)
    year = ""
    if now is not None and local.year != ensure_aware(now).astimezone(zone).year:
        year = f" {local.year}"
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}{year}, {local.hour:02}:{local.minute:02}"


def format_day(day: date, now: datetime | None = None, zone: ZoneInfo | None = None) -> str:
    """'Mon 7 Dec' (with the year when it differs from now's)."""
    text = f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    if now is not None and day.year != ensure_aware(now).astimezone(zone or UTC).year:
        text += f" {day.year}"
    return text


def zone_of(timezone: str | None, default: ZoneInfo) -> ZoneInfo:
    """A person's own time zone when they have a valid one, else the deployment's."""
    if timezone:
        try:
            return ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return default


def utcnow() -> datetime:
    return datetime.now(UTC)
