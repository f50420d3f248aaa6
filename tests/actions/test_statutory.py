"""Meetings with types and the statutory steps they set off, on SQLite and PostgreSQL: proposed at the end
(or on request) with working-day deadlines, given an owner, dismissed with a reason, met by the next meeting
of the case; each decision in the hash-chained log."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select, true

from bot.actions.directory import set_role
from bot.actions.people import PersonInput
from bot.actions.service import ConversationRef, InvalidChange, NotAllowed, NotFound
from bot.app import Core, build_core
from bot.capture.grammar import parse_action
from bot.capture.owners import OwnerRef
from bot.config import Settings
from bot.governance.export import case_chronology
from storage.db import Database
from storage.log import verify_chain
from storage.models import ActionEvent, Nudge, StatutoryStep
from tests.conftest import Clock, london

CHAIR = PersonInput(OwnerRef("slack", "U0CHAIR"))
SOCIAL_WORKER = PersonInput(OwnerRef("slack", "U0SW"))
MEMBER = PersonInput(OwnerRef("slack", "U0MEMBER"))
DSL = PersonInput(OwnerRef("email", "dsl@council.example.gov.uk"))
ROOM = ConversationRef("slack", "C0ROOM")
OTHER_ROOM = ConversationRef("slack", "C0OTHER")


@pytest.fixture
def chaired(core: Core, clock: Clock) -> Core:
    clock.set(london(2026, 12, 14, 10))  # Monday 14 December 2026: the 15 working days cross Christmas
    set_role(core.db, CHAIR, "chair", now=clock())
    return core


def strategy_ended(core: Core) -> dict[str, str]:
    """A strategy discussion for CR-1042, ended: its steps by key -> ref."""
    core.service.start_meeting(ROOM, CHAIR, "strategy", "CR-1042", participants=[MEMBER])
    meeting, _ = core.service.end_meeting(ROOM, CHAIR)
    return {_key(core, s.id): s.ref for s in core.service.meeting_steps(meeting.id)}


def _key(core: Core, step_id: int) -> str:
    with core.db.reading() as session:
        return session.get_one(StatutoryStep, step_id).step


def log_of(core: Core, kind: str) -> list[ActionEvent]:
    with core.db.reading() as session:
        events = list(session.scalars(select(ActionEvent).where(ActionEvent.kind == kind)).unique())
        for event in events:
            _ = (event.reason, event.details)  # loaded before the session closes
        return events


def test_a_strategy_discussion_proposes_the_icpc_on_working_days_across_christmas(chaired: Core) -> None:
    meeting = chaired.service.start_meeting(ROOM, CHAIR, "strategy", "CR-1042")
    assert (meeting.kind, meeting.title) == ("strategy", "Strategy discussion")
    ended, _ = chaired.service.end_meeting(ROOM, CHAIR)
    steps = {s.task: s for s in chaired.service.meeting_steps(ended.id)}
    icpc = steps["Hold the initial child protection conference"]
    # 15 working days from Mon 14 Dec skip Christmas Day, Mon 28 Dec (Boxing Day moved) and New Year's Day
    assert (icpc.due_on.isoformat(), icpc.clock, icpc.basis, icpc.status) == (
        "2027-01-07",
        "15 working days",
        "statutory",
        "proposed",
    )
    assert icpc.condition == "if section 47 enquiries were started" and "Working Together" in icpc.source
    assert steps["Circulate the strategy discussion record"].basis == "local"


def test_next_proposes_before_the_end_and_asking_again_adds_nothing(chaired: Core) -> None:
    chaired.service.start_meeting(ROOM, CHAIR, "Strategy meeting", "CR-1042")
    first = chaired.service.next_steps(ROOM, CHAIR)
    again = chaired.service.next_steps(ROOM, CHAIR)
    with pytest.raises(NotAllowed, match="Only the chair"):
        chaired.service.next_steps(ROOM, MEMBER)
    ended, _ = chaired.service.end_meeting(ROOM, CHAIR)
    assert [s.ref for s in first] == [s.ref for s in again] == [s.ref for s in chaired.service.meeting_steps(ended.id)]
    with chaired.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(StatutoryStep)) == 2


def test_giving_a_step_an_owner_records_an_action_due_on_the_statutory_day(chaired: Core, clock: Clock) -> None:
    refs = strategy_ended(chaired)
    step, action = chaired.service.assign_step(refs["icpc"], SOCIAL_WORKER, CHAIR)
    assert (step.status, step.action_ref, action.case_ref) == ("owned", action.ref, "CR-1042")
    assert action.deadline == london(2027, 1, 7, 17)  # the end of the working day on the due day
    assert action.task.startswith("Hold the initial child protection conference (statutory step S-")
    [created] = [e for e in chaired.service.history(action.ref, CHAIR) if e.kind == "created"]
    assert created.details["step_id"] == step.id
    # the meeting is over, so the owner's written confirmation goes at once, not at the fallback time
    with chaired.db.reading() as session:
        confirmation = session.scalars(
            select(Nudge).where(Nudge.action_id == action.id, Nudge.step == "confirmation")
        ).one()
        assert confirmation.due_at == clock()
    with pytest.raises(InvalidChange, match="already owned"):
        chaired.service.assign_step(refs["icpc"], MEMBER, CHAIR)


def test_a_dismissal_needs_a_reason_and_is_logged(chaired: Core) -> None:
    refs = strategy_ended(chaired)
    with pytest.raises(InvalidChange, match="reason is required"):
        chaired.service.dismiss_step(refs["icpc"], " ", CHAIR)
    step = chaired.service.dismiss_step(refs["icpc"], "No section 47 enquiry: single-agency plan agreed", CHAIR)
    assert (step.status, step.reason) == ("dismissed", "No section 47 enquiry: single-agency plan agreed")
    [event] = log_of(chaired, "step_dismissed")
    assert event.reason == step.reason and event.details["step_id"] == step.id
    assert event.details["due_on"] == "2027-01-07" and event.details["case_ref"] == "CR-1042"
    with chaired.db.reading() as session:
        assert verify_chain(session).ok
    with pytest.raises(InvalidChange, match="already dismissed"):
        chaired.service.dismiss_step(refs["icpc"], "again", CHAIR)


def test_only_the_chair_or_a_dsl_decides_a_step(chaired: Core) -> None:
    refs = strategy_ended(chaired)
    with pytest.raises(NotAllowed, match="chair"):
        chaired.service.dismiss_step(refs["icpc"], "not needed", MEMBER)
    with pytest.raises(NotAllowed):
        chaired.service.assign_step(refs["icpc"], MEMBER, MEMBER)
    set_role(chaired.db, DSL, "dsl", now=chaired.service.clock())
    assert chaired.service.dismiss_step(refs["strategy-record"], "sent in the meeting", DSL).status == "dismissed"
    with pytest.raises(NotFound, match="S-99"):
        chaired.service.dismiss_step("S-99", "not needed", CHAIR)
    with pytest.raises(NotFound, match="step reference"):
        chaired.service.dismiss_step("A-1", "not needed", CHAIR)


def test_the_next_meeting_of_the_case_meets_its_step_and_closes_the_owners_action(chaired: Core, clock: Clock) -> None:
    refs = strategy_ended(chaired)
    _, action = chaired.service.assign_step(refs["icpc"], SOCIAL_WORKER, CHAIR)
    # an ICPC for another case meets nothing
    chaired.service.start_meeting(OTHER_ROOM, CHAIR, "icpc", "CR-7")
    clock.set(london(2027, 1, 5, 10))
    icpc = chaired.service.start_meeting(ROOM, CHAIR, "ICPC for the Smith children", "#cr-1042")
    assert icpc.kind == "icpc" and icpc.title == "ICPC for the Smith children"
    [met] = chaired.service.steps_met_by(icpc.id)
    assert (met.ref, met.status, met.met_meeting_id) == (refs["icpc"], "met", icpc.id)
    assert chaired.service.get(action.ref, CHAIR).status == "done"
    [event] = log_of(chaired, "step_met")
    assert event.action_id == action.id and event.reason is not None and "late" not in event.reason
    # the log names the meeting's type, never its free-text title
    assert event.reason.startswith(f"Met by meeting {icpc.id} (Initial child protection conference)")
    assert "Smith" not in event.reason


def test_a_step_met_after_its_day_says_how_late(chaired: Core, clock: Clock) -> None:
    strategy_ended(chaired)
    clock.set(london(2027, 1, 11, 10))  # Mon 11 Jan: two working days after Thu 7 Jan
    chaired.service.start_meeting(ROOM, CHAIR, "icpc", "CR-1042")
    [event] = log_of(chaired, "step_met")
    assert event.reason is not None and event.reason.endswith("2 working days late")


def test_timescales_follow_the_nation(database: Database, clock: Clock, settings: Settings) -> None:
    clock.set(london(2026, 12, 14, 10))
    core = build_core(replace(settings, nation="scotland"), db=database, clock=clock)
    set_role(core.db, CHAIR, "chair", now=clock())
    core.service.start_meeting(ROOM, CHAIR, "cppm", "CR-1042")
    meeting, _ = core.service.end_meeting(ROOM, CHAIR)
    steps = {s.task: s.due_on.isoformat() for s in core.service.meeting_steps(meeting.id)}
    # 15 working days: Scotland also closes on Mon 4 Jan 2027 (2 January moved from the Saturday)
    assert steps == {
        "Send participants the record of the child protection planning meeting": "2026-12-30",
        "Hold the first core group meeting": "2027-01-08",
    }


def test_a_case_timeline_is_for_dsls_and_the_people_in_its_meetings(chaired: Core) -> None:
    refs = strategy_ended(chaired)
    _, in_meeting = chaired.service.assign_step(refs["icpc"], SOCIAL_WORKER, CHAIR)
    draft = parse_action(
        "<@U0SW> Check school attendance #CR-1042 by Friday", chaired.service.clock(), chaired.calendar
    )
    outside = chaired.service.record(draft, CHAIR).action
    timeline = chaired.service.case_timeline("#cr-1042", MEMBER)
    assert [m.kind for m in timeline.meetings] == ["strategy"]
    assert sorted(s.ref for s in timeline.steps) == sorted(refs.values())
    # a participant sees the meeting's actions, not the case's others they may not see
    assert [a.ref for a in timeline.actions] == [in_meeting.ref]
    assert [a.ref for a in chaired.service.case_timeline("CR-1042", CHAIR).actions] == [in_meeting.ref, outside.ref]
    with pytest.raises(NotAllowed, match="took part"):
        chaired.service.case_timeline("CR-1042", PersonInput(OwnerRef("slack", "U0STRANGER")))


def test_the_case_chronology_export_holds_the_types_steps_and_their_decisions(chaired: Core) -> None:
    refs = strategy_ended(chaired)
    chaired.service.dismiss_step(refs["strategy-record"], "Shared in the meeting chat", CHAIR)
    _, action = chaired.service.assign_step(refs["icpc"], SOCIAL_WORKER, CHAIR)
    chaired.service.start_meeting(OTHER_ROOM, CHAIR, "strategy", "CR-7")  # another case's meeting
    chaired.service.end_meeting(OTHER_ROOM, CHAIR)
    with chaired.db.reading() as session:
        document = case_chronology(session, "CR-1042", true(), chaired.service.clock())
    assert [(m["type"], m["title"]) for m in document["meetings"]] == [("strategy", "Strategy discussion")]
    steps = {s["ref"]: s for s in document["statutory_steps"]}
    assert steps[refs["icpc"]]["action"] == action.ref and steps[refs["icpc"]]["due_on"] == "2027-01-07"
    assert steps[refs["strategy-record"]]["reason"] == "Shared in the meeting chat"
    assert [(e["kind"], e["action"]) for e in document["events"]] == [("step_dismissed", None), ("created", action.ref)]


def test_a_step_due_after_easter_and_the_clock_change_is_due_at_5pm_local(chaired: Core, clock: Clock) -> None:
    clock.set(london(2027, 3, 18, 10))  # Thu 18 Mar 2027, GMT
    refs = strategy_ended(chaired)
    _, action = chaired.service.assign_step(refs["icpc"], SOCIAL_WORKER, CHAIR)
    # Good Friday and Easter Monday skipped; the clocks went forward on Sun 28 Mar: 17:00 BST is 16:00 UTC
    assert action.deadline == london(2027, 4, 12, 17) and action.deadline.hour == 16


def test_typed_refusals_name_the_step_and_never_a_role(chaired: Core) -> None:
    refs = strategy_ended(chaired)
    empty = chaired.commands.run("meeting", "dismiss", CHAIR, ROOM)
    assert empty.private is not None and empty.private.title == "Say which step: /meeting dismiss S-3 REASON"
    role = chaired.commands.run("meeting", f'assign {refs["icpc"]} "Social worker"', CHAIR, ROOM)
    assert not role.ok and role.private is not None and "is a role, not a person" in role.private.title
    assert {s.status for s in chaired.service.meeting_steps(1)} == {"proposed"}  # nothing was decided


def test_a_step_assigned_to_two_people_is_refused(chaired: Core) -> None:
    """ "/meeting assign S-1 @sam and Jo Bloggs" gave it to @sam alone; "Jo Bloggs and Sam Lee" to one person of
    that name, whom nobody could reach."""
    refs = strategy_ended(chaired)
    for owners in ("@sam and Jo Bloggs", "Jo Bloggs and Sam Lee", "Jo Bloggs, Sam Lee"):
        out = chaired.commands.run("meeting", f"assign {refs['icpc']} {owners}", CHAIR, ROOM)
        assert not out.ok and out.private is not None and "One owner per action" in out.private.title, owners
    assert {s.status for s in chaired.service.meeting_steps(1)} == {"proposed"}


def test_a_step_assigned_by_a_name_tells_the_chair_how_the_owner_is_reached(chaired: Core) -> None:
    refs = strategy_ended(chaired)
    out = chaired.commands.run("meeting", f"assign {refs['icpc']} Mrs Patel (school DSL)", CHAIR, ROOM)
    assert out.action is not None and out.action.owner.name == "Mrs Patel (school DSL)"
    assert out.public is not None and f"{refs['icpc']} owned by Mrs Patel (school DSL)" in out.public.title
    # nobody can reach her yet: the chair alone is told, with how to fix it
    assert out.private is not None and out.private.title == f"Please check {out.action.ref}"
    assert any("Mrs Patel (school DSL) cannot be reached" in n for n in out.private.notes)
