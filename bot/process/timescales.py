"""Meeting types and their statutory next steps, loaded once from ``timescales.toml`` and checked as they load
(a malformed file fails at start-up, never in a meeting), and each step's due date on working days."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

from dateutil.relativedelta import relativedelta

from bot.capture.dates import WorkCalendar

#: The nations the file knows, as ``ACTIONBOT_NATION`` names them (England and Wales share bank holidays but
#: not timescales: ``england-and-wales`` follows England's).
PROCESS_NATIONS: dict[str, str] = {
    "england": "england",
    "wales": "wales",
    "england-and-wales": "england",
    "scotland": "scotland",
    "northern-ireland": "northern-ireland",
}
BASES = ("statutory", "local", "check")
CLOCKS = ("working_days", "calendar_days", "months")
OTHER = "other"


class TimescalesError(ValueError):
    """``timescales.toml`` is malformed; the message names the entry."""


@dataclass(frozen=True)
class MeetingType:
    key: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Clock:
    unit: str  # one of CLOCKS
    count: int

    def describe(self) -> str:
        words = {"working_days": "working day", "calendar_days": "calendar day", "months": "month"}[self.unit]
        return f"{self.count} {words}{'' if self.count == 1 else 's'}"

    def due(self, held_on: date, calendar: WorkCalendar) -> date:
        """The last day the step may happen, counted from the day the meeting was held."""
        if self.unit == "working_days":
            return calendar.add_working_days(held_on, self.count)
        end = held_on + (
            timedelta(days=self.count) if self.unit == "calendar_days" else relativedelta(months=self.count)
        )
        while not calendar.is_working_day(end):  # "within" a span that ends on a closed day: the day before
            end -= timedelta(days=1)
        return end


@dataclass(frozen=True)
class Step:
    """A step that follows a meeting of type ``after``: ``task`` within ``clock`` of the meeting."""

    nation: str
    after: str
    key: str
    task: str
    clock: Clock
    basis: str  # one of BASES
    source: str
    met_by: str | None = None
    #: When it applies ("if section 47 enquiries were started"); None: always.
    condition: str | None = None

    @property
    def checked(self) -> bool:
        return self.basis != "check"


@dataclass(frozen=True)
class Timescales:
    types: tuple[MeetingType, ...]
    steps: tuple[Step, ...]

    def type_named(self, key: str | None) -> MeetingType:
        for kind in self.types:
            if kind.key == (key or OTHER):
                return kind
        raise KeyError(key)

    def steps_after(self, meeting_type: str | None, nation: str) -> tuple[Step, ...]:
        process = PROCESS_NATIONS[nation]
        return tuple(s for s in self.steps if s.nation == process and s.after == (meeting_type or OTHER))

    def read_type(self, title: str) -> tuple[MeetingType, bool]:
        """The meeting type a title starts with (its longest alias, as whole words), and whether the title
        is nothing but that alias. A title naming no type is "other"."""
        words = title.lower().replace(":", " ").split()
        best: tuple[int, MeetingType] | None = None
        for kind in self.types:
            for alias in kind.aliases:
                size = len(alias.split())
                if words[:size] == alias.split() and (best is None or size > best[0]):
                    best = (size, kind)
        if best is None:
            return self.type_named(OTHER), False
        return best[1], best[0] == len(words)


def _clock(entry: dict[str, Any], where: str) -> Clock:
    given = [unit for unit in CLOCKS if unit in entry]
    if len(given) != 1:
        raise TimescalesError(f"{where}: give exactly one of {', '.join(CLOCKS)}")
    count = entry[given[0]]
    if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= 400:
        raise TimescalesError(f"{where}: {given[0]} must be a whole number from 1 to 400")
    return Clock(given[0], count)


def parse(document: dict[str, Any]) -> Timescales:
    """The file's content, checked: known meeting types, one clock per step, a basis and a source each."""
    raw_types = document.get("types")
    if not isinstance(raw_types, dict) or OTHER not in raw_types:
        raise TimescalesError(f"[types] must list the meeting types, including {OTHER!r}")
    types = tuple(
        MeetingType(key, str(t["name"]), tuple(" ".join(a.lower().split()) for a in t.get("aliases", ())))
        for key, t in raw_types.items()
    )
    known = {t.key for t in types}
    steps: list[Step] = []
    for nation in sorted(set(PROCESS_NATIONS.values())):
        for index, entry in enumerate(document.get(nation, ())):
            where = f"[[{nation}]] entry {index + 1}"
            for field in ("after", "key", "task", "basis", "source"):
                if not isinstance(entry.get(field), str) or not entry[field].strip():
                    raise TimescalesError(f"{where}: {field} is required")
            if entry["after"] not in known or entry.get("met_by", entry["after"]) not in known:
                raise TimescalesError(f"{where}: after and met_by must be meeting types ({', '.join(sorted(known))})")
            if entry["basis"] not in BASES:
                raise TimescalesError(f"{where}: basis must be one of {', '.join(BASES)}")
            steps.append(
                Step(
                    nation=nation,
                    after=entry["after"],
                    key=entry["key"],
                    task=entry["task"],
                    clock=_clock(entry, where),
                    basis=entry["basis"],
                    source=entry["source"],
                    met_by=entry.get("met_by"),
                    condition=entry.get("condition"),
                )
            )
    keys = [(s.nation, s.after, s.key) for s in steps]
    if len(keys) != len(set(keys)):
        raise TimescalesError("a step key repeats within one nation's meeting type")
    return Timescales(types, tuple(steps))


@cache
def timescales() -> Timescales:
    """The reviewed file shipped with the package, parsed once."""
    text = resources.files("bot.process").joinpath("timescales.toml").read_text(encoding="utf-8")
    return parse(tomllib.loads(text))
