"""The core service on SQLite and PostgreSQL: every use case writes its change and its event together."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bot.actions.directory import set_role
from bot.actions.people import PersonInput, Profile
from bot.actions.service import ConversationRef, InvalidChange, NotAllowed, NotFound
from bot.app import Core
from bot.capture.grammar import parse_action
from bot.capture.owners import OwnerRef
from storage.log import verify_chain
from storage.models import Action, ActionEvent, Person
from tests.conftest import Clock, london

CHAIR = PersonInput(OwnerRef("slack", "U0CHAIR"))
OWNER = PersonInput(OwnerRef("slack", "U0OWNER1"))
STRANGER = PersonInput(OwnerRef("slack", "U0STRANGER"))
DSL = PersonInput(OwnerRef("email", "dsl@council.example.gov.uk"))
ROOM = ConversationRef("slack", "C0ROOM")


def record(core: Core, text: str = "<@U0OWNER1> Share CAD log by Friday", **kw: object) -> str:
    draft = parse_action(text, core.service.clock(), core.calendar)
    return core.service.record(draft, CHAIR, **kw).action.ref  # type: ignore[arg-type]


def events(core: Core, ref: str) -> list[tuple[str, str | None]]:
    return [(e.kind, e.reason) for e in core.service.history(ref, CHAIR)]


def make_dsl(core: Core) -> None:
    set_role(core.db, DSL, "dsl", now=core.service.clock())


def count(core: Core, model: type) -> int:
    with core.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_record_writes_the_action_and_its_created_event(core: Core) -> None:
    ref = record(core, "<@U0OWNER1> Share CAD log #CR-1042 by Friday review 7/12")
    action = core.service.get(ref, CHAIR)
    assert (action.task, action.case_ref, action.status) == ("Share CAD log", "CR-1042", "open")
    assert action.owner.slack_user_id == "U0OWNER1"
    assert action.created_by.slack_user_id == "U0CHAIR"
    history = core.service.history(ref, CHAIR)
    assert [e.kind for e in history] == ["created"]
    assert history[0].details["task"] == "Share CAD log"
    assert history[0].actor_name == "U0CHAIR"


def test_a_repeated_request_records_nothing_twice(core: Core) -> None:
    draft = parse_action("<@U0OWNER1> Share CAD log by Friday", core.service.clock(), core.calendar)
    first = core.service.record(draft, CHAIR, idempotency_key="slack:trigger:1")
    again = core.service.record(draft, CHAIR, idempotency_key="slack:trigger:1")
    assert again.duplicate and not first.duplicate
    assert again.action.ref == first.action.ref
    assert count(core, Action) == 1
    assert count(core, ActionEvent) == 1


def test_concurrent_copies_of_one_request_record_one_action(core: Core) -> None:
    draft = parse_action("<@U0OWNER1> Share CAD log by Friday", core.service.clock(), core.calendar)
    core.service.ensure_person(CHAIR)
    core.service.ensure_person(OWNER)

    def send(_: int) -> str:
        return core.service.record(draft, CHAIR, idempotency_key="slack:trigger:race").action.ref

    with ThreadPoolExecutor(max_workers=6) as pool:
        refs = set(pool.map(send, range(12)))
    assert len(refs) == 1
    assert count(core, Action) == 1


def test_concurrent_commands_naming_the_same_new_people_all_record(core: Core) -> None:
    """Four chairs at once name the same owner (and the same agency) the bot has never seen, ten times over."""
    core.service.ensure_person(CHAIR)
    start = threading.Barrier(4)

    def send(turn: tuple[int, int]) -> str:
        round_, seat = turn
        text = f"<@U0NEW{round_}> Share CAD log by Friday"
        draft = parse_action(text, core.service.clock(), core.calendar)
        owner = PersonInput(draft.owner, Profile(display_name=f"New {round_}", agency=f"Agency {round_}"))
        start.wait()
        recorded = core.service.record(draft, CHAIR, owner_profile=owner, idempotency_key=f"k{round_}.{seat}")
        return recorded.action.owner.slack_user_id or ""

    with ThreadPoolExecutor(max_workers=4) as pool:
        owners = list(pool.map(send, [(r, s) for r in range(10) for s in range(4)]))
    assert sorted(owners) == sorted(f"U0NEW{r}" for r in range(10) for _ in range(4))
    assert count(core, Action) == 40
    with core.db.reading() as session:
        people = session.scalars(select(Person.slack_user_id).where(Person.slack_user_id.like("U0NEW%"))).all()
    assert sorted(people) == sorted(f"U0NEW{r}" for r in range(10))


def test_owner_completes(core: Core, clock: Clock) -> None:
    ref = record(core)
    clock.advance(days=2)
    done = core.service.complete(ref, OWNER, "sent to police")
    assert done.status == "done" and done.closed_at == clock()
    assert events(core, ref)[-1] == ("completed", "sent to police")
    with pytest.raises(InvalidChange, match="already done"):
        core.service.complete(ref, OWNER)


@pytest.mark.parametrize("verb", ["complete", "extend", "reassign", "block", "cancel"])
def test_a_stranger_can_change_nothing(core: Core, verb: str) -> None:
    ref = record(core)
    calls = {
        "complete": lambda: core.service.complete(ref, STRANGER),
        "extend": lambda: core.service.extend(ref, STRANGER, london(2026, 12, 4, 17), "no reason"),
        "reassign": lambda: core.service.reassign(ref, STRANGER, STRANGER, "mine now"),
        "block": lambda: core.service.block(ref, STRANGER, "blocked"),
        "cancel": lambda: core.service.cancel(ref, STRANGER, "not needed"),
    }
    with pytest.raises(NotAllowed, match="Nothing was changed"):
        calls[verb]()
    assert core.service.get(ref, CHAIR).status == "open"
    assert [k for k, _ in events(core, ref)] == ["created"]


def test_the_chair_and_a_dsl_may_change_it(core: Core) -> None:
    make_dsl(core)
    ref = record(core)
    assert core.service.block(ref, CHAIR, "waiting for consent").status == "blocked"
    assert core.service.unblock(ref, DSL).status == "open"
    assert core.service.cancel(ref, DSL, "duplicate of A-2").status == "cancelled"


@pytest.mark.parametrize("reason", [None, "", "  ", "no"])
def test_decisions_need_a_reason(core: Core, reason: str | None) -> None:
    ref = record(core)
    for call in (
        lambda: core.service.extend(ref, OWNER, london(2026, 12, 4, 17), reason),
        lambda: core.service.reassign(ref, CHAIR, STRANGER, reason),
        lambda: core.service.block(ref, OWNER, reason),
        lambda: core.service.cancel(ref, CHAIR, reason),
    ):
        with pytest.raises(InvalidChange, match="reason is required"):
            call()
    assert [k for k, _ in events(core, ref)] == ["created"]


def test_extension_moves_the_deadline_and_records_both_dates(core: Core) -> None:
    ref = record(core)
    extended = core.service.extend(ref, OWNER, london(2026, 12, 4, 17), "awaiting GP records")
    assert extended.deadline == london(2026, 12, 4, 17)
    assert (extended.deadline_version, extended.extensions) == (2, 1)
    last = core.service.history(ref, CHAIR)[-1]
    assert last.kind == "extended" and last.reason == "awaiting GP records"
    assert last.details == {
        "from": "2026-11-27T17:00:00+00:00",
        "to": "2026-12-04T17:00:00+00:00",
        "deadline_version": 2,
    }
    with pytest.raises(InvalidChange, match="in the past"):
        core.service.extend(ref, OWNER, london(2026, 11, 20, 17), "oops")


def test_reassignment_changes_the_owner(core: Core) -> None:
    ref = record(core)
    new_owner = PersonInput(OwnerRef("email", "sam@school.example.org"))
    moved = core.service.reassign(ref, CHAIR, new_owner, "Jo is on leave")
    assert moved.owner.email == "sam@school.example.org"
    last = core.service.history(ref, CHAIR)[-1]
    assert last.kind == "reassigned" and last.details["to_owner_id"] == moved.owner.id
    with pytest.raises(InvalidChange, match="already"):
        core.service.reassign(ref, CHAIR, new_owner, "again")


def test_only_the_owner_says_on_track(core: Core) -> None:
    ref = record(core)
    with pytest.raises(NotAllowed):
        core.service.acknowledge(ref, CHAIR)
    core.service.acknowledge(ref, OWNER, "visit booked")
    assert events(core, ref)[-1] == ("acknowledged", "visit booked")


def test_closed_actions_change_only_by_reopening(core: Core) -> None:
    ref = record(core)
    core.service.cancel(ref, CHAIR, "agreed at review")
    with pytest.raises(InvalidChange, match="reopen it"):
        core.service.extend(ref, CHAIR, london(2026, 12, 4, 17), "more time")
    assert core.service.reopen(ref, CHAIR, "cancelled in error").status == "open"
    assert [k for k, _ in events(core, ref)] == ["created", "cancelled", "reopened"]


def test_unknown_and_malformed_references(core: Core) -> None:
    with pytest.raises(NotFound, match="no action A-99"):
        core.service.complete("A-99", OWNER)
    with pytest.raises(NotFound, match="not an action reference"):
        core.service.complete("DROP TABLE", OWNER)


def test_lists_only_what_the_viewer_may_see(core: Core, clock: Clock) -> None:
    make_dsl(core)
    first = record(core)
    second = record(core, "<@U0OTHER> Chase GP by 25/11 #CR-7")
    clock.set(london(2026, 11, 26, 9))
    assert [a.ref for a in core.service.list_actions(OWNER, scope="mine")] == [first]
    assert [a.ref for a in core.service.list_actions(CHAIR, scope="all")] == [second, first]
    assert [a.ref for a in core.service.list_actions(CHAIR, scope="overdue")] == [second]
    assert [a.ref for a in core.service.list_actions(DSL, scope="all", case_ref="#cr-7")] == [second]
    assert core.service.list_actions(STRANGER, scope="all") == []
    core.service.ensure_person(STRANGER)
    assert core.service.list_actions(STRANGER, scope="all") == []
    with pytest.raises(NotFound):
        core.service.get(first, STRANGER)


def test_meetings_collect_their_actions(core: Core) -> None:
    set_role(core.db, CHAIR, "chair", now=core.service.clock())
    meeting = core.service.start_meeting(ROOM, CHAIR, "Strategy meeting", "CR-1042", participants=[OWNER, STRANGER])
    ref = record(core, "<@U0OWNER1> Share CAD log by Friday", conversation=ROOM)
    action = core.service.get(ref, CHAIR)
    assert (action.meeting_id, action.case_ref) == (meeting.id, "CR-1042")
    # participants recorded at the time may see the meeting's actions
    assert [a.ref for a in core.service.list_actions(STRANGER, scope="all")] == [ref]
    with pytest.raises(InvalidChange, match="still running"):
        core.service.start_meeting(ROOM, CHAIR, "Another")
    with pytest.raises(NotAllowed, match="Only the chair"):
        core.service.end_meeting(ROOM, OWNER)
    ended, actions = core.service.end_meeting(ROOM, CHAIR)
    assert ended.ended_at is not None and [a.ref for a in actions] == [ref]
    assert core.service.current_meeting(ROOM) is None
    with pytest.raises(InvalidChange, match="No meeting"):
        core.service.end_meeting(ROOM, CHAIR)


def test_refuse_mode_records_nothing_with_personal_data(core: Core) -> None:
    core.service.settings = replace(core.service.settings, pii_mode="refuse")
    draft = parse_action("<@U0OWNER1> Ring mum on 07700 900123 by Friday", core.service.clock(), core.calendar)
    with pytest.raises(InvalidChange, match="phone number"):
        core.service.record(draft, CHAIR)
    assert count(core, Action) == 0


def test_one_person_across_platforms(core: Core) -> None:
    teams = PersonInput(OwnerRef("teams", "0b1c-entra"), Profile(display_name="Priya Shah", email="priya@nhs.example"))
    slack = PersonInput(OwnerRef("slack", "U0PRIYA"), Profile(display_name="Priya", email="Priya@NHS.example"))
    a = core.service.ensure_person(teams)
    b = core.service.ensure_person(slack)
    assert a.id == b.id
    assert (b.slack_user_id, b.teams_object_id, b.name) == ("U0PRIYA", "0b1c-entra", "Priya Shah")
    # someone else's Slack id with the same email is not merged into her row
    other = core.service.ensure_person(PersonInput(OwnerRef("slack", "U0IMPOSTER"), Profile(email="priya@nhs.example")))
    assert other.id != a.id and other.email is None
    assert count(core, Person) == 2


def test_every_change_keeps_the_chain_verifiable(core: Core, clock: Clock) -> None:
    make_dsl(core)
    ref = record(core)
    core.service.comment(ref, CHAIR, "Police to confirm by phone")
    core.service.extend(ref, OWNER, london(2026, 12, 4, 17), "awaiting records")
    core.service.block(ref, OWNER, "consent not given")
    core.service.complete(ref, DSL, "closed at review")
    with core.db.reading() as session:
        report = verify_chain(session)
    assert report.ok and report.checked == 6  # the DSL's role grant, then five changes to the action


def test_a_directory_manager_becomes_the_escalation_contact(core: Core) -> None:
    boss = Profile(display_name="Insp. Grey", email="grey@police.example", teams_object_id="mgr-1")
    who = PersonInput(OwnerRef("teams", "owner-1"), Profile(display_name="PC Jones", manager=boss))
    person = core.service.ensure_person(who)
    with core.db.reading() as session:
        row = session.get_one(Person, person.id)
        assert row.escalation_contact_id is not None
        contact = session.get_one(Person, row.escalation_contact_id)
        assert (contact.display_name, contact.teams_object_id) == ("Insp. Grey", "mgr-1")


def test_a_person_known_only_by_their_id_takes_their_real_name_from_the_directory(core: Core) -> None:
    """An admin sets a role before the person ever used the bot; their first command brings their name."""
    set_role(core.db, PersonInput(OwnerRef("slack", "U0LATER")), "chair", now=core.service.clock())
    assert core.service.person(PersonInput(OwnerRef("slack", "U0LATER"))).name == "U0LATER"  # type: ignore[union-attr]
    named = core.service.ensure_person(PersonInput(OwnerRef("slack", "U0LATER"), Profile(display_name="Chris Chair")))
    assert (named.name, named.role) == ("Chris Chair", "chair")
    again = core.service.ensure_person(PersonInput(OwnerRef("slack", "U0LATER"), Profile(display_name="Someone Else")))
    assert again.name == "Chris Chair"  # a real name is never overwritten by a profile


def test_bringing_a_deadline_forward_is_not_an_extension(core: Core) -> None:
    ref = record(core, "<@U0OWNER1> Share CAD log by Friday")  # Fri 27 Nov
    earlier = core.service.move_deadline(ref, CHAIR, london(2026, 11, 25, 17), "records arrived early")
    assert earlier.brought_forward and earlier.verb == "brought forward" and earlier.action.extensions == 0
    later = core.service.move_deadline(ref, OWNER, london(2026, 12, 4, 17), "GP away")
    assert not later.brought_forward and later.verb == "extended" and later.action.extensions == 1
    assert [kind for kind, _ in events(core, ref)] == ["created", "brought_forward", "extended"]
    outcome = core.commands.run("extend", f"{ref} 2/12 because school asked", CHAIR, ROOM)
    assert outcome.action is not None and outcome.action.extensions == 1
    card = outcome.private or outcome.public
    assert card is not None and card.title == f"{ref} brought forward"


def test_history_says_what_changed_from_what_to_what_by_whom_and_why(core: Core) -> None:
    ref = record(core, "<@U0OWNER1> Share CAD log by Friday")
    core.service.extend(ref, OWNER, london(2026, 12, 4, 17), "GP away")
    core.service.reassign(ref, CHAIR, PersonInput(OwnerRef("slack", "U0OTHER"), Profile(display_name="Sam")), "leave")
    outcome = core.commands.run("history", ref, CHAIR, None)
    assert outcome.private is not None
    lines = (outcome.private.text or "").splitlines()
    assert lines[0].endswith("recorded for U0OWNER1, due Fri 27 Nov, 17:00, by U0CHAIR")
    assert lines[1].endswith("deadline extended from Fri 27 Nov, 17:00 to Fri 4 Dec, 17:00, by U0OWNER1: GP away")
    assert lines[2].endswith("reassigned from U0OWNER1 to Sam, by U0CHAIR: leave")


def test_the_same_action_recorded_twice_is_flagged_to_the_chair(core: Core) -> None:
    first = record(core, "<@U0OWNER1> Share CAD log by Friday")
    draft = parse_action("<@U0OWNER1> share cad log by Friday", core.service.clock(), core.calendar)
    again = core.service.record(draft, CHAIR)
    assert any(f"This repeats {first}" in w and f"/cancel {again.action.ref}" in w for w in again.warnings)
    other = core.service.record(
        parse_action("<@U0OWNER1> Share CAD log by Monday", core.service.clock(), core.calendar), CHAIR
    )
    assert not any("repeats" in w for w in other.warnings)  # another deadline: another action
    core.service.cancel(again.action.ref, CHAIR, "duplicate")
    core.service.complete(first, CHAIR)
    third = core.service.record(draft, CHAIR)
    assert not any("repeats" in w for w in third.warnings)  # the earlier ones are closed
