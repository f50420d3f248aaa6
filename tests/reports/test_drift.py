"""The drift report as data, on SQLite and PostgreSQL, over a history built through the real service.

The numbers asserted here are worked out by hand in tests/drift_fixtures/scenario.py.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.actions.people import PersonInput
from bot.app import Core
from bot.capture.dates import WorkCalendar
from bot.capture.grammar import parse_action
from bot.capture.owners import OwnerRef
from bot.cli import main
from bot.reports.definitions import REASONS, DriftReport
from bot.reports.drift import build_report
from bot.reports.filters import DriftFilters, parse_filter_text
from bot.reports.measures import silence_cutoff, week_ends
from bot.reports.summary import headline_text
from bot.reports.trend import TrendQueries
from tests.conftest import Clock, london
from tests.drift_fixtures.scenario import (
    EXPECTED_AGENCIES,
    EXPECTED_DAYS_LATE,
    EXPECTED_DELIVERY,
    EXPECTED_HEADLINE,
    EXPECTED_MEETINGS,
    EXPECTED_ORDER,
    EXPECTED_OWNERS,
    EXPECTED_REASON_COUNTS,
    EXPECTED_REASONS,
    EXPECTED_TREND,
    NOW,
    WEEK_ENDS,
    History,
    build_history,
)

CAL = WorkCalendar.uk()


def report_at(core: Core, filters: DriftFilters | None = None, **kw: int) -> DriftReport:
    return build_report(core.db, core.settings, core.calendar, NOW, filters or DriftFilters(), **kw)


def headline(report: DriftReport) -> dict[str, object]:
    h = report.headline
    return {
        "open": h.open,
        "overdue": h.overdue,
        "drifting": h.drifting,
        "done_this_week": h.done_this_week,
        "median_days_overdue": h.median_days_overdue,
    }


@pytest.fixture
def history(core: Core, clock: Clock) -> History:
    return build_history(core, clock, snapshots=False)


# -- now ----------------------------------------------------------------------------------------------
def test_every_drifting_action_carries_all_its_reasons(core: Core, history: History) -> None:
    report = report_at(core)
    assert headline(report) == EXPECTED_HEADLINE
    assert {r: report.reasons.get(r) for r in REASONS} == EXPECTED_REASON_COUNTS
    assert [item.ref for item in report.items] == EXPECTED_ORDER
    assert {item.ref: item.reasons for item in report.items} == EXPECTED_REASONS
    assert {item.ref: item.days_late for item in report.items if item.days_late is not None} == EXPECTED_DAYS_LATE
    assert report.items_total == len(report.items) == 8
    a5 = next(item for item in report.items if item.ref == "A-5")
    assert (a5.extensions, a5.owner, a5.agency, a5.deadline) == (2, "DC Jo Bloggs", "Police", london(2026, 12, 18, 17))
    a2 = next(item for item in report.items if item.ref == "A-2")
    assert (a2.case_ref, a2.meeting_title, a2.review_on, a2.recorded_by) == (
        "CR-1042",
        "Strategy meeting",
        date(2026, 11, 2),
        "Sarah Patel",
    )
    assert a2.owner_active_at == london(2026, 11, 3, 9)  # the unblock, Priya's last word
    assert report.notes == ()


def test_not_drifting_the_day_before(core: Core, history: History) -> None:
    """A-5's owner went quiet on Thu 26 Nov: on Wed 9 Dec that is 9 working days, not yet silence."""
    report = build_report(core.db, core.settings, core.calendar, london(2026, 12, 9, 10), DriftFilters())
    a5 = next(item for item in report.items if item.ref == "A-5")
    assert a5.reasons == ("extended",)


def test_tables_per_agency_owner_and_meeting(core: Core, history: History) -> None:
    report = report_at(core)
    agencies = {
        row.agency: (
            row.tally.open,
            row.tally.overdue,
            row.tally.drifting,
            row.tally.done_this_week,
            *(row.tally.reasons.get(r) for r in REASONS if r != "overdue"),
        )
        for row in report.agencies
    }
    assert agencies == EXPECTED_AGENCIES
    assert [row.agency for row in report.agencies] == ["Health", "Police", "Oakfield Primary", "(no agency)"]
    for row in report.agencies:
        assert row.tally.reasons.overdue == row.tally.overdue
    owners = [(o.name, o.tally.open, o.tally.overdue, o.tally.drifting, o.reachable) for o in report.owners]
    assert owners == EXPECTED_OWNERS
    assert report.owners_total == 4
    sam = next(o for o in report.owners if o.name == "Sam Lee")
    assert not sam.active and sam.tally.reasons.owner_inactive == 1
    meetings = [(m.title, m.case_ref, m.open, m.overdue, m.drifting) for m in report.meetings]
    assert meetings == EXPECTED_MEETINGS
    assert report.meetings_total == 2
    assert report.meetings[0].meeting_id == history.meetings["M1"]
    assert report.meetings[0].chair == "Sarah Patel"


def test_undelivered_nudges_show_in_the_report(core: Core, history: History) -> None:
    """The chase issue's promise: a nudge that cannot be delivered is in the DSL's report."""
    report = report_at(core)
    assert {(d.ref, d.step, d.problem, d.recipient) for d in report.delivery} == EXPECTED_DELIVERY
    assert (report.delivery_total, report.stuck_total, report.unreachable_total) == (2, 1, 1)
    stuck = next(d for d in report.delivery if d.problem == "stuck")
    assert stuck.last_error == "teams: 403 Forbidden" and stuck.attempts == 1
    assert "2 nudges not delivered" in headline_text(report)


# -- the trend ----------------------------------------------------------------------------------------
def test_the_trend_is_rebuilt_from_the_log(core: Core, clock: Clock) -> None:
    """Live reports taken at each week's end while the history ran, and the hand count, both agree with
    the trend rebuilt afterwards from the event log."""
    history = build_history(core, clock, snapshots=True)
    report = report_at(core)
    trend = report.trend
    assert [p.at for p in trend] == [*WEEK_ENDS, NOW]
    assert [p.week_ending for p in trend[:-1]] == [(w - timedelta(hours=12)).date() for w in WEEK_ENDS]
    assert [p.current for p in trend] == [False] * 8 + [True]
    for measure, expected in EXPECTED_TREND.items():
        assert [getattr(p, measure) for p in trend] == expected, measure
    for point, live in zip(trend, history.live, strict=False):
        assert live == {
            "open": point.open,
            "drifting": point.drifting,
            "overdue": point.overdue,
            "blocked": point.blocked,
            "extended": point.extended,
            "review_missed": point.review_missed,
        }
    assert len(history.live) == 8
    # The "now" point, rebuilt from the log, agrees with the actions' current state.
    now = trend[-1]
    assert now.overdue == report.reasons.overdue and now.blocked == report.reasons.blocked
    assert now.drifting == sum(
        1 for i in report.items if {"overdue", "blocked", "extended", "review_missed"} & set(i.reasons)
    )


def test_steady_actions_counted_from_the_table_agree_with_a_full_replay(core: Core, clock: Clock) -> None:
    """The trend counts most actions from the actions table and replays only those that changed in the
    window; replaying every action from the log must give the same numbers."""
    build_history(core, clock, snapshots=False)
    for moment in (NOW, london(2026, 11, 20, 12), london(2026, 12, 7, 0)):
        for filters in (DriftFilters(), DriftFilters(agency="Health"), DriftFilters(case_ref="CR-1042")):
            with core.db.reading() as session:
                builder = TrendQueries(session, core.settings, core.calendar, moment, filters)
                assert builder.trend(8) == builder.trend(8, replay_all=True), (moment, filters)


def test_trend_weeks_follow_the_setting(core: Core, history: History) -> None:
    settings = replace(core.settings, drift=replace(core.settings.drift, trend_weeks=3))
    report = build_report(core.db, settings, core.calendar, NOW, DriftFilters())
    assert [p.drifting for p in report.trend] == EXPECTED_TREND["drifting"][-4:]


def test_week_ends_are_local_mondays_across_the_clock_change() -> None:
    ends = week_ends(CAL, london(2026, 11, 2, 8, 30), 3)
    assert [CAL.local(e).strftime("%a %d %b %H:%M") for e in ends] == [
        "Mon 19 Oct 00:00",
        "Mon 26 Oct 00:00",
        "Mon 02 Nov 00:00",
    ]
    assert ends[0].utcoffset() == timedelta(0) and CAL.local(ends[0]).utcoffset() == timedelta(hours=1)


# -- thresholds -----------------------------------------------------------------------------------------
def test_thresholds_are_settings(core: Core, history: History) -> None:
    drift = core.settings.drift
    longer = replace(core.settings, drift=replace(drift, silence_working_days=20, extensions_threshold=3))
    report = build_report(core.db, longer, core.calendar, NOW, DriftFilters())
    silent = {i.ref for i in report.items if "silent" in i.reasons}
    assert silent == {"A-2", "A-3", "A-4"}  # quiet since 3 Nov, 12 Oct and 9 Nov; not A-7 (13), A-5 (10)
    assert report.reasons.extended == 0
    assert "A-5" not in {i.ref for i in report.items}  # only extended and silent: neither counts now
    off = replace(core.settings, drift=replace(drift, silence_working_days=0, extensions_threshold=0))
    report = build_report(core.db, off, core.calendar, NOW, DriftFilters())
    assert report.reasons.silent == 0 and report.reasons.extended == 0
    assert {i.ref for i in report.items} == {"A-2", "A-4", "A-7", "A-8", "A-11", "A-12"}


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)), st.integers(min_value=1, max_value=30))
def test_silence_cutoff_agrees_with_counting_working_days(today: date, days: int) -> None:
    cutoff = silence_cutoff(CAL, today, days)
    last_silent_day = CAL.today(cutoff) - timedelta(days=1)
    assert CAL.working_days_between(last_silent_day, today) >= days
    assert CAL.working_days_between(CAL.today(cutoff), today) < days
    assert CAL.local(cutoff).hour == 0 and CAL.local(cutoff).minute == 0


# -- filters -------------------------------------------------------------------------------------------
def test_filter_by_agency_case_meeting_chair_and_dates(core: Core, history: History) -> None:
    health = report_at(core, DriftFilters(agency="health"))
    assert (health.headline.open, health.headline.drifting) == (5, 3)
    assert {i.ref for i in health.items} == {"A-2", "A-7", "A-11"}
    assert [a.agency for a in health.agencies] == ["Health"]

    case = report_at(core, DriftFilters(case_ref="CR-1042"))
    assert (case.headline.open, case.headline.drifting) == (2, 2)
    assert {i.ref for i in case.items} == {"A-2", "A-3"}
    assert [p.drifting for p in case.trend] == [0, 1, 2, 2, 2, 1, 1, 1, 1]  # A-2 from W2; A-1 in W3 to W5

    meeting = report_at(core, DriftFilters(meeting_id=history.meetings["M2"]))
    assert [i.ref for i in meeting.items] == ["A-4"]

    chris = report_at(core, DriftFilters(chair=OwnerRef("email", "chris.chair@council.example.gov.uk")))
    assert [i.ref for i in chris.items] == ["A-11"] and chris.headline.open == 1
    sarah = report_at(core, DriftFilters(chair=OwnerRef("slack", "U0SARAH")))
    assert sarah.headline.open == 9 and "A-11" not in {i.ref for i in sarah.items}

    recent = report_at(core, DriftFilters(since=date(2026, 11, 30)))
    assert recent.headline.open == 5  # A-10 (30 Nov), A-11 (1 Dec), A-12 (7 Dec)
    assert {i.ref for i in recent.items} == {"A-8", "A-11", "A-12"}
    window = report_at(core, DriftFilters(since=date(2026, 11, 9), until=date(2026, 11, 23)))
    assert {i.ref for i in window.items} == {"A-5", "A-7"}  # A-6 (16 Nov) is done
    assert window.headline.done_this_week == 1


def test_filters_that_name_nothing_say_so(core: Core, history: History) -> None:
    report = report_at(core, DriftFilters(agency="Polce"))
    assert report.headline.open == 0 and report.items == ()
    assert report.notes and "No agency is called \u201cPolce\u201d" in report.notes[0] and "Police" in report.notes[0]
    nobody = report_at(core, DriftFilters(chair=OwnerRef("slack", "U0NOBODY")))
    assert nobody.headline.open == 0 and "U0NOBODY" in nobody.notes[0]
    missing = report_at(core, DriftFilters(meeting_id=999))
    assert missing.notes == ("There is no meeting 999.",)
    unknown_case = report_at(core, DriftFilters(case_ref="#cr-9999"))
    assert unknown_case.headline.open == 0 and unknown_case.notes == ("No action has the case reference CR-9999.",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", DriftFilters()),
        ("   ", DriftFilters()),
        ("#CR-1042", DriftFilters(case_ref="CR-1042")),
        ("#cr-1042", DriftFilters(case_ref="CR-1042")),
        ("case CR-77", DriftFilters(case_ref="CR-77")),
        ("12", DriftFilters(meeting_id=12)),
        ("meeting 12", DriftFilters(meeting_id=12)),
        ("Meeting #7", DriftFilters(meeting_id=7)),
        ("Police", DriftFilters(agency="Police")),
        ("  Children's   Social Care ", DriftFilters(agency="Children's Social Care")),
        ("agency Health", DriftFilters(agency="Health")),
        ("meeting abc", DriftFilters(agency="meeting abc")),
        # a case reference typed without "#" was read as an agency, and the report came back empty
        ("CR-1042", DriftFilters(case_ref="CR-1042")),
        ("cr1042", DriftFilters(case_ref="CR1042")),
        ("LA/2026/17", DriftFilters(case_ref="LA/2026/17")),
        ("agency: Health", DriftFilters(agency="Health")),
        ("CAMHS", DriftFilters(agency="CAMHS")),
        ("Team 2", DriftFilters(agency="Team 2")),
    ],
)
def test_parse_filter_text(text: str, expected: DriftFilters) -> None:
    assert parse_filter_text(text) == expected


def test_caps_lists_but_keeps_exact_totals(core: Core, history: History) -> None:
    report = report_at(core, item_limit=3, owner_limit=2, meeting_limit=1, delivery_limit=1)
    assert [i.ref for i in report.items] == EXPECTED_ORDER[:3]
    assert report.items_total == report.headline.drifting == 8
    assert len(report.owners) == 2 and report.owners_total == 4
    assert len(report.meetings) == 1 and report.meetings_total == 2
    assert len(report.delivery) == 1 and report.delivery_total == 2


def test_headline_text_is_one_line(core: Core, history: History) -> None:
    text = headline_text(report_at(core))
    assert text == (
        "8 drifting of 10 open actions \u00b7 4 overdue (median 7.5 working days late) \u00b7 "
        "1 done in the last 7 days \u00b7 1 cannot be reached \u00b7 2 nudges not delivered"
    )
    assert "\n" not in text
    assert headline_text(report_at(core, DriftFilters(case_ref="CR-1042"))).endswith("[case CR-1042]")


def test_an_empty_database_gives_an_empty_report(core: Core) -> None:
    report = report_at(core)
    assert headline(report) == {
        "open": 0,
        "overdue": 0,
        "drifting": 0,
        "done_this_week": 0,
        "median_days_overdue": None,
    }
    assert report.items == () and report.agencies == () and len(report.trend) == 9
    assert all(p.drifting == 0 for p in report.trend)


# -- the CLI -------------------------------------------------------------------------------------------
class Cli:
    """``actionbot report drift --now <NOW> ...``: (exit status, what it printed); ``err`` its stderr."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.err = ""

    def __call__(self, *argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = main(["report", "drift", "--now", "2026-12-10T10:00:00", *argv], out=out)
        captured = self.capsys.readouterr()
        self.err = captured.err
        return code, out.getvalue() + captured.out


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def test_cli_report_for_a_dsl(core: Core, history: History, cli_url: str, cli: Cli) -> None:
    code, out = cli("--format", "json", "--as", "<@U0ALEX>")
    assert code == 0
    data = json.loads(out)
    assert data["headline"] == EXPECTED_HEADLINE
    assert [item["ref"] for item in data["drifting"]["items"]] == EXPECTED_ORDER
    assert data["marking"] == "OFFICIAL-SENSITIVE"


def test_cli_refuses_a_non_dsl(core: Core, history: History, cli_url: str, cli: Cli) -> None:
    code, out = cli("--as", "<@U0SARAH>")  # the chair: not a DSL
    assert (code, out) == (1, "")
    assert "Drift reports are for DSLs and admins" in cli.err
    code, out = cli("--as", "<@U0NOBODY>")
    assert (code, out) == (1, "")


def test_cli_filters(core: Core, history: History, cli_url: str, cli: Cli) -> None:
    def refs(*argv: str) -> set[str]:
        code, out = cli("--format", "json", *argv)
        assert code == 0
        return {item["ref"] for item in json.loads(out)["drifting"]["items"]}

    assert refs("--agency", "Health") == {"A-2", "A-7", "A-11"}
    assert refs("--case", "#cr-1042") == {"A-2", "A-3"}
    assert refs("--meeting", str(history.meetings["M2"])) == {"A-4"}
    assert refs("--chair", "chris.chair@council.example.gov.uk") == {"A-11"}
    assert refs("--since", "2026-11-30") == {"A-8", "A-11", "A-12"}
    assert refs("--since", "2026-11-09", "--until", "2026-11-23") == {"A-5", "A-7"}


def test_cli_writes_files(core: Core, history: History, cli_url: str, cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path
    code, _ = cli("--format", "xlsx", "--out", str(folder / "drift.xlsx"))
    assert code == 0 and (folder / "drift.xlsx").read_bytes()[:2] == b"PK"
    assert cli("--format", "xlsx")[0] == 2  # a workbook needs a file
    code, out = cli("--format", "md", "--out", str(folder / "drift.md"))
    assert code == 0 and out == ""
    assert (folder / "drift.md").read_text(encoding="utf-8").startswith("**OFFICIAL-SENSITIVE**")


def test_cli_csv_is_one_flat_table_per_section(core: Core, history: History, cli_url: str, cli: Cli) -> None:
    code, out = cli("--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0][:3] == ["Marking", "Ref", "Task"]
    assert [row[1] for row in rows[1:]] == EXPECTED_ORDER  # one row per drifting action, nothing else
    assert {len(row) for row in rows} == {len(rows[0])}
    code, out = cli("--format", "csv", "--section", "agencies")
    assert code == 0 and next(csv.reader(io.StringIO(out)))[:2] == ["Marking", "Agency"]
    assert cli("--format", "md", "--section", "owners")[0] == 2 and "--section picks one table" in cli.err
    with pytest.raises(SystemExit) as refused:  # argparse: exit status 2 and the choices on stderr
        cli("--format", "csv", "--section", "nonsense")
    assert refused.value.code == 2


def test_each_drifting_action_shows_its_latest_reason_or_note(core: Core, clock: Clock) -> None:
    from bot.actions.people import PersonInput
    from bot.capture.grammar import parse_action
    from bot.reports.render import render

    chair, owner = PersonInput(OwnerRef("slack", "U0CHAIR")), PersonInput(OwnerRef("slack", "U0JO"))
    draft = parse_action("<@U0JO> Send the GP chronology by Tuesday", clock(), core.calendar)
    ref = core.service.record(draft, chair).action.ref
    core.service.block(ref, owner, "waiting for the GP's *records* [see](https://evil.example)")
    later = london(2026, 11, 30, 10)
    [item] = build_report(core.db, core.settings, core.calendar, later, DriftFilters()).items
    assert item.latest_note == "Blocked: waiting for the GP's *records* [see](https://evil.example)"
    markdown = str(render(build_report(core.db, core.settings, core.calendar, later, DriftFilters()), "md"))
    assert "Blocked: waiting for the GP's \\*records\\* \\[see\\](https://evil.example)" in markdown
    core.service.comment(ref, owner, "chased the surgery again " + "x" * 300)
    [item] = build_report(core.db, core.settings, core.calendar, later, DriftFilters()).items
    assert item.latest_note is not None and item.latest_note.startswith("Comment: chased the surgery again")
    assert len(item.latest_note) <= len("Comment: ") + 200 and item.latest_note.endswith("\u2026")


def test_an_owner_on_leave_is_shown_with_the_day_they_are_back(core: Core, clock: Clock) -> None:
    from bot.actions.away import AwayRequest, set_away
    from bot.actions.people import PersonInput
    from bot.capture.grammar import parse_action
    from bot.reports.render import render

    chair, owner = PersonInput(OwnerRef("slack", "U0CHAIR")), PersonInput(OwnerRef("slack", "U0JO"))
    draft = parse_action("<@U0JO> Send the GP chronology by Tuesday", clock(), core.calendar)
    core.service.record(draft, chair)
    request = AwayRequest(None, None, date(2026, 12, 4), None)
    set_away(core.db, owner, request, actor=owner, cover=None, now=clock(), today=date(2026, 11, 23))
    during, after = london(2026, 11, 30, 10), london(2026, 12, 7, 10)
    [item] = build_report(core.db, core.settings, core.calendar, during, DriftFilters()).items
    assert item.owner_away_until == date(2026, 12, 4)
    page = str(render(build_report(core.db, core.settings, core.calendar, during, DriftFilters()), "html"))
    assert "away until Fri 4 Dec 2026" in page
    [item] = build_report(core.db, core.settings, core.calendar, after, DriftFilters()).items
    assert item.owner_away_until is None  # back: nothing to say


def test_bringing_deadlines_forward_is_not_drift_by_extension(core: Core, clock: Clock) -> None:
    chair = PersonInput(OwnerRef("slack", "U0CHAIR"))
    draft = parse_action("<@U0OWNER1> Share CAD log by 4/12", clock(), core.calendar)
    ref = core.service.record(draft, chair).action.ref
    core.service.move_deadline(ref, chair, london(2026, 12, 2, 17), "records arrived early")
    core.service.move_deadline(ref, chair, london(2026, 11, 30, 17), "conference brought forward")
    report = build_report(core.db, core.settings, core.calendar, london(2026, 11, 26, 10), DriftFilters())
    assert report.reasons.get("extended") == 0  # two moves, both earlier: threshold 2 not reached
    core.service.move_deadline(ref, chair, london(2026, 12, 3, 17), "GP away")
    core.service.move_deadline(ref, chair, london(2026, 12, 4, 17), "GP still away")
    report = build_report(core.db, core.settings, core.calendar, london(2026, 11, 26, 10), DriftFilters())
    assert report.reasons.get("extended") == 1 and report.items[0].extensions == 2
