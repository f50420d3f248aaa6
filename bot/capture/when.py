"""What reading a date phrase gives, shared by every reader of one: a ``When`` (a day, a wall-clock time, or
an exact instant, with notes for the chair) read in a ``Context`` (the moment and the work calendar), or one
of two refusals, ``Unreadable`` (not a date: perhaps part of the task) and ``Impossible`` (plainly a date,
but no such day); and the words every reader knows: weekday and month names, and a word cleaned of its
punctuation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time

from bot.capture.dates import WorkCalendar

WEEKDAYS = {
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
MONTHS = {
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
_TRAILING = ".,;:!?)]"


class Unreadable(Exception):
    """This span is not a date phrase (not an error by itself: it may be part of the task)."""


class Impossible(Exception):
    """The span is plainly a date, but no such date exists (``31/02``)."""


@dataclass
class When:
    day: date | None = None
    wall: time | None = None
    instant: datetime | None = None  # exact (``in 2 hours``)
    notes: list[str] = field(default_factory=list)
    #: Notes about the time of day ("morning" is read as 12:00): said for a deadline, not for a review's day.
    wall_notes: list[str] = field(default_factory=list)
    #: Read from an end-of-day word alone (``EOD``, ``COP``): today unless a day stands next to it.
    end_of_day_only: bool = False
    #: Read from a time alone (``by 3pm``): today unless a day stands just before it (``Friday by 3pm``).
    time_only: bool = False

    def moment(self, ctx: Context) -> datetime:
        """The UTC instant it names: its own, or its day at its time (the end of the working day if none)."""
        if self.instant is not None:
            return self.instant
        assert self.day is not None
        return ctx.cal.at(self.day, self.wall) if self.wall else ctx.cal.end_of(self.day)


@dataclass(frozen=True)
class Context:
    now: datetime
    cal: WorkCalendar
    today: date = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "today", self.cal.today(self.now))


# How "tomorrow" (and "midday", "p.m.") are typed in a hurry (the echo shows the date it was read as).
_SPELLINGS = {
    **{
        spelling: "tomorrow"
        for spelling in ("tmrw", "tmw", "tmrow", "tomorow", "tommorow", "tommorrow", "tomoz", "2moro", "2morrow")
    },
    "mid-day": "midday",
    "a.m": "am",  # "3 p.m." (its last full stop gone above): "3 pm"; glued, "3p.m", it is read as a time
    "p.m": "pm",
}


_EMOJI_CODE = re.compile(r"^:[a-z0-9_+\-]+:$")  # Slack's ":rotating_light:", ":+1:"
_EMPHASIS = "*_~`"


def clean_word(word: str) -> str:
    """Lower case, without surrounding punctuation, Slack's emphasis (``*Friday*``) or a possessive:
    ``Friday's,`` -> ``friday``; ``tmrw`` -> ``tomorrow``. An emoji (``:+1:``, ``🙂``) is no word: empty."""
    word = word.lower()
    if word and not word.isalnum():  # most words are letters or digits alone: nothing to take off (this is hot)
        if word[0] in ":~" and (
            _EMOJI_CODE.match(word.rstrip(".,;!?")) or (len(word) > 2 and word[0] == word[-1] == "~")
        ):
            return ""  # "by Friday :rotating_light:" was refused; "by ~Friday~ Monday": struck out in Slack
        word = word.strip(_TRAILING).lstrip("([")
        if word and (word[0] in _EMPHASIS or word[-1] in _EMPHASIS):
            word = word.strip(_EMPHASIS)
        if word and not word.isascii() and all(unicodedata.category(c) in ("So", "Sk", "Mn", "Cf") for c in word):
            return ""  # "by Friday 🙂" was refused as unreadable
        if word.endswith(("'s", "\u2019s")):
            word = word[:-2]
        word = word.rstrip("'\u2019")
    return _SPELLINGS.get(word, word)
