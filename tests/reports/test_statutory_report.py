"""The drift report's statutory timescales: a step missed, one at risk and one dismissed this week, listed and
counted per agency and per case, in every format (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.actions.directory import set_role, update_person
from bot.actions.people import PersonInput
from bot.actions.service import ConversationRef
from bot.app import Core
from bot.capture.owners import OwnerRef
from bot.reports.definitions import DriftReport
from bot.reports.drift import build_report
from bot.reports.filters import DriftFilters
from bot.reports.render import render
from tests.conftest import Clock, london

CHAIR = PersonInput(OwnerRef("slack", "U0CHAIR"))
SOCIAL_WORKER = PersonInput(OwnerRef("slack", "U0SW"))


@pytest.fixture
def report(core: Core, clock: Clock) -> DriftReport:
    """Two strategy discussions on Mon 14 Dec 2026, read on Mon 11 Jan 2027: CR-1042's ICPC (due Thu 7 Jan,
    owned by a social worker, not held) is missed by 2 working days; CR-2001's ICPC, proposed on Wed 30 Dec
    (due Thu 21 Jan), is not yet at risk; both strategy records were dismissed, one this week."""
    clock.set(london(2026, 12, 14, 10))
    set_role(core.db, CHAIR, "chair", now=clock())
    update_person(core.db, SOCIAL_WORKER, name="Sam Social", agency="Children's Social Care", now=clock())
    core.service.start_meeting(ConversationRef("slack", "C1"), CHAIR, "strategy", "CR-1042")
    first, _ = core.service.end_meeting(ConversationRef("slack", "C1"), CHAIR)
    icpc, record = core.service.meeting_steps(first.id)[::-1]
    core.service.assign_step(icpc.ref, SOCIAL_WORKER, CHAIR)
    core.service.dismiss_step(record.ref, "Shared in the meeting chat", CHAIR)
    clock.set(london(2026, 12, 30, 10))
    core.service.start_meeting(ConversationRef("slack", "C2"), CHAIR, "strategy", "CR-2001")
    second, _ = core.service.end_meeting(ConversationRef("slack", "C2"), CHAIR)
    clock.set(london(2027, 1, 11, 9))
    _, late_record = core.service.meeting_steps(second.id)[::-1]
    core.service.dismiss_step(late_record.ref, "Record sent the same day by the police", CHAIR)
    return build_report(core.db, core.settings, core.calendar, clock(), DriftFilters())


def test_missed_and_dismissed_steps_are_listed_most_late_first(report: DriftReport) -> None:
    rows = [(r.case_ref, r.task, r.state, r.working_days_late, r.owner, r.agency, r.reason) for r in report.statutory]
    assert rows == [
        (
            "CR-1042",
            "Hold the initial child protection conference",
            "missed",
            2,
            "Sam Social",
            "Children's Social Care",
            None,
        ),
        (
            "CR-2001",
            "Circulate the strategy discussion record",
            "dismissed",
            0,
            None,
            None,
            "Record sent the same day by the police",
        ),
    ]
    by = {(t.by, t.name): (t.missed, t.at_risk, t.dismissed) for t in report.statutory_by}
    assert by == {
        ("agency", "Children's Social Care"): (1, 0, 0),
        ("agency", "(no owner named)"): (0, 0, 1),
        ("case", "CR-1042"): (1, 0, 0),
        ("case", "CR-2001"): (0, 0, 1),
    }


def test_a_step_due_within_five_working_days_is_at_risk(core: Core, clock: Clock, report: DriftReport) -> None:
    later = build_report(core.db, core.settings, core.calendar, london(2027, 1, 18, 9), DriftFilters())
    states = {(r.case_ref, r.task): r.state for r in later.statutory}
    assert states[("CR-2001", "Hold the initial child protection conference")] == "at risk"  # due Thu 21 Jan
    assert states[("CR-1042", "Hold the initial child protection conference")] == "missed"
    filtered = build_report(core.db, core.settings, core.calendar, clock(), DriftFilters(case_ref="CR-2001"))
    assert [r.case_ref for r in filtered.statutory] == ["CR-2001"]


def test_every_format_shows_the_statutory_section(report: DriftReport) -> None:
    data = json.loads(str(render(report, "json")))
    assert [i["state"] for i in data["statutory"]["items"]] == ["missed", "dismissed"]
    table = list(csv.DictReader(io.StringIO(str(render(report, "csv", section="statutory")))))
    assert [(r["Case"], r["State"], r["Working days late"]) for r in table] == [
        ("CR-1042", "missed", "2"),
        ("CR-2001", "dismissed", "0"),
    ]
    summary = str(render(report, "md"))
    assert "| Statutory steps missed | 1 |" in summary and "Record sent the same day by the police" in summary
    assert "Statutory timescales missed" in str(render(report, "html"))
