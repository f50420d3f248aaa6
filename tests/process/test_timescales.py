"""The reviewed timescales file: every step sourced and well-formed, and due days on each nation's working
days across Christmas, Easter, St Patrick's Day and month ends (expected days counted by hand)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.capture.dates import WorkCalendar
from bot.process.timescales import BASES, PROCESS_NATIONS, Step, TimescalesError, parse, timescales

CALENDARS = {
    "england": WorkCalendar.uk("ENG"),
    "wales": WorkCalendar.uk("WLS"),
    "scotland": WorkCalendar.uk("SCT"),
    "northern-ireland": WorkCalendar.uk("NIR"),
}


def step(nation: str, after: str, key: str) -> Step:
    [found] = [s for s in timescales().steps_after(after, nation) if s.key == key]
    return found


def due(nation: str, after: str, key: str, held_on: date) -> date:
    return step(nation, after, key).clock.due(held_on, CALENDARS[PROCESS_NATIONS[nation]])


def test_every_step_names_its_source_and_basis() -> None:
    every = timescales().steps
    assert {s.nation for s in every} == set(PROCESS_NATIONS.values())
    assert all(s.basis in BASES and len(s.source) > 20 for s in every)
    # the strategy record is a local standard, never presented as statutory
    assert step("england", "strategy", "strategy-record").basis == "local"
    # Northern Ireland's figures are not yet checked against the guidance text, and say so
    assert {s.basis for s in timescales().steps_after("icpc", "northern-ireland")} == {"check"}


@pytest.mark.parametrize(
    ("nation", "after", "key", "held_on", "expected"),
    [
        # Christmas 2026: Fri 25 Dec, Mon 28 Dec (Boxing Day moved from the Saturday), Fri 1 Jan 2027
        ("england", "strategy", "icpc", date(2026, 12, 14), date(2027, 1, 7)),
        ("england-and-wales", "strategy", "icpc", date(2026, 12, 14), date(2027, 1, 7)),
        ("england", "icpc", "first-core-group", date(2026, 12, 14), date(2026, 12, 30)),
        # Scotland also closes on Mon 4 Jan 2027 (2 January moved from the Saturday)
        ("scotland", "icpc", "first-core-group", date(2026, 12, 14), date(2027, 1, 8)),
        ("scotland", "strategy", "icpc", date(2026, 12, 14), date(2027, 1, 11)),  # 28 calendar days
        # Easter 2027: Good Friday 26 Mar, Easter Monday 29 Mar (not a Scottish bank holiday); clocks go
        # forward on Sun 28 Mar
        ("england", "strategy", "icpc", date(2027, 3, 18), date(2027, 4, 12)),
        ("scotland", "icpc", "first-core-group", date(2027, 3, 18), date(2027, 4, 9)),
        ("wales", "icpc", "first-core-group", date(2027, 3, 18), date(2027, 4, 5)),
        # St Patrick's Day (Wed 17 Mar 2027) as well as Easter in Northern Ireland
        ("northern-ireland", "strategy", "icpc", date(2027, 3, 15), date(2027, 4, 8)),
        # months: 3 months from 30 Nov is 28 Feb 2027, a Sunday: brought back to Friday 26 Feb
        ("england", "icpc", "first-review", date(2026, 11, 30), date(2027, 2, 26)),
        ("england", "rcpc", "next-review", date(2026, 12, 2), date(2027, 6, 2)),
        ("wales", "core-group", "next-core-group", date(2027, 4, 5), date(2027, 5, 5)),
    ],
)
def test_due_days_count_the_nations_working_days(
    nation: str, after: str, key: str, held_on: date, expected: date
) -> None:
    assert due(nation, after, key, held_on) == expected


def test_meeting_types_are_read_from_the_titles_first_words() -> None:
    read = timescales().read_type
    assert (read("strategy")[0].key, read("strategy")[1]) == ("strategy", True)
    assert read("Strategy meeting re the Smith children")[0].key == "strategy"
    assert read("ICPC: Smith children")[0].key == "icpc"
    assert read("Core group")[0].key == "core-group"
    assert read("review conference")[0].key == "rcpc"
    assert read("CIN review")[0].key == "cin-review"
    assert read("Weekly catch-up")[0].key == "other"
    assert read("Strategic planning")[0].key == "other"  # whole words only


def _document(**step: object) -> dict[str, object]:
    entry = {"after": "strategy", "key": "icpc", "task": "Hold it", "basis": "statutory", "source": "a source"}
    entry.update(step)
    return {"types": {"strategy": {"name": "Strategy"}, "other": {"name": "Other"}}, "england": [entry]}


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        ({}, "give exactly one of"),
        ({"working_days": 15, "months": 3}, "give exactly one of"),
        ({"working_days": 0}, "whole number"),
        ({"working_days": "15"}, "whole number"),
        ({"working_days": 15, "source": " "}, "source is required"),
        ({"working_days": 15, "basis": "guess"}, "basis must be one of"),
        ({"working_days": 15, "after": "icpc"}, "must be meeting types"),
        ({"working_days": 15, "met_by": "nonsense"}, "must be meeting types"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_entry(step: dict[str, object], problem: str) -> None:
    with pytest.raises(TimescalesError, match=problem) as caught:
        parse(_document(**step))
    assert "[[england]] entry 1" in str(caught.value) or "types" in str(caught.value)
