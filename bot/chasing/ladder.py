"""The nudge ladder as pure arithmetic: which nudge is due for an action, and when. No database here.

For an open action, at the nudge hour (09:00) local to the recipient, on working days only:

1. ``due_soon``: the working day before the deadline's day, to the owner;
2. ``due_today``: on the deadline's day (when it is a working day and the deadline is after 09:00);
3. ``overdue``: the first working day after the deadline's day, then every 2 working days, to the owner;
4. ``escalation``: from 3 working days overdue, then weekly, to the chair(s), the DSL and the owner's
   escalation contact;
5. ``review_due``: on the review date (or the next working day), to the chair(s).

Each track is an endless, ordered series of occurrences; ``next_occurrence`` picks what to queue next.
After downtime the missed occurrences collapse into the most advanced one that is due (one overdue
nudge, not five), and nothing is lost: the latest due occurrence is always the one sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.capture.dates import WorkCalendar
from bot.config import ChaseSettings

OWNER_STEPS = ("due_soon", "due_today", "overdue")
TRACKS: dict[str, tuple[str, ...]] = {
    "owner": OWNER_STEPS,
    "escalation": ("escalation",),
    "review": ("review_due",),
}
ESCALATION_STEPS = ("escalation", "blocked")


@dataclass(frozen=True)
class Occurrence:
    step: str
    occurrence: int
    due_at: datetime
    day: date


def owner_track(deadline: datetime, cal: WorkCalendar, cfg: ChaseSettings) -> Iterator[Occurrence]:
    day = cal.local(deadline).date()
    soon = cal.add_working_days(day, -cfg.due_soon_working_days)
    yield Occurrence("due_soon", 0, cal.at(soon, cfg.nudge_hour), soon)
    today = cal.at(day, cfg.nudge_hour)
    if cal.is_working_day(day) and today < deadline:
        yield Occurrence("due_today", 0, today, day)
    late = cal.add_working_days(day, 1)
    count = 1
    while True:
        yield Occurrence("overdue", count, cal.at(late, cfg.nudge_hour), late)
        late = cal.add_working_days(late, cfg.overdue_repeat_working_days)
        count += 1


def escalation_track(deadline: datetime, cal: WorkCalendar, cfg: ChaseSettings) -> Iterator[Occurrence]:
    day = cal.add_working_days(cal.local(deadline).date(), cfg.escalate_after_working_days)
    count = 1
    while True:
        yield Occurrence("escalation", count, cal.at(day, cfg.nudge_hour), day)
        day = cal.next_working_day(day + timedelta(days=cfg.escalation_repeat_days))
        count += 1


def review_track(review_on: date, cal: WorkCalendar, cfg: ChaseSettings) -> Iterator[Occurrence]:
    day = cal.next_working_day(review_on)
    yield Occurrence("review_due", 0, cal.at(day, cfg.nudge_hour), day)


def next_occurrence(track: Iterable[Occurrence], after: datetime, now: datetime) -> Occurrence | None:
    """The occurrence to queue: of those due after ``after`` (the last one sent, or the action's creation),
    the latest already due at ``now`` (missed ones collapse into it), else the first still to come."""
    latest_due: Occurrence | None = None
    for item in track:
        if item.due_at <= after:
            continue
        if item.due_at <= now:
            latest_due = item
            continue
        return latest_due or item
    return latest_due
