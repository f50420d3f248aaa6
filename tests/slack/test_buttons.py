"""The owner's buttons and their modals: each writes its event with the real actor and updates the card."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.actions.messages import BLOCKED, DONE, MORE_TIME, ON_TRACK, REASSIGN, REVIEWED, SNOOZE
from bot.actions.people import PersonInput
from bot.app import Core
from bot.capture.owners import OwnerRef
from handlers.slack import modals
from storage.models import Action, ActionEvent, Person
from tests.conftest import Clock, london
from tests.slack.conftest import (
    SlackHarness,
    date_value,
    event_kinds,
    payload,
    state,
    text_value,
    time_value,
    user_value,
)

TEXT = "<@U1> Share CAD log #CR-1042 by Friday"


def actor_of_last_event(core: Core, action_id: int) -> str | None:
    with core.db.reading() as session:
        event = session.scalars(
            select(ActionEvent).where(ActionEvent.action_id == action_id).order_by(ActionEvent.seq.desc()).limit(1)
        ).one()
        actor = session.get(Person, event.actor_id) if event.actor_id else None
        return actor.slack_user_id if actor else None


def view_of(core: Core, ref: str = "A-1") -> Any:
    return core.service.get(ref, PersonInput(OwnerRef("slack", "UCHAIR")))


def open_modal(slack: SlackHarness, button: str, callback_id: str, *, user: str, **press: Any) -> str:
    status, body = slack.press(button, "A-1", user=user, **press)
    assert (status, body) == (200, "")
    slack.settle()
    return str(slack.modal(callback_id)["private_metadata"])


def updates_of(slack: SlackHarness, ts: str) -> list[Any]:
    return slack.fake.calls_to("chat.update", lambda c: c.params["ts"] == ts)


def refusals(slack: SlackHarness, user: str) -> list[str]:
    return [c.blocks_text() for c in slack.fake.calls_to("chat.postEphemeral", lambda c: c.params["user"] == user)]


@pytest.fixture
def recorded(slack: SlackHarness) -> str:
    """A-1 for Jo (U1), recorded by the chair in C1; returns the card's ts."""
    slack.record(TEXT)
    return slack.card_ts("A-1")


# -- Done -----------------------------------------------------------------------------------------------
def test_done_opens_a_modal_and_completes_with_the_owner_as_actor(
    slack: SlackHarness, core: Core, recorded: str
) -> None:
    metadata = open_modal(slack, DONE, modals.DONE, user="U1")
    assert json.loads(metadata) == {"ref": "A-1", "channel": "C1", "ts": recorded, "home": False}
    status, body = slack.submit(modals.DONE, state(note=text_value("Sent on 24/11")), user="U1", metadata=metadata)
    assert (status, body) == (200, "")
    slack.settle()
    action = view_of(core)
    assert action.status == "done"
    assert event_kinds(core, action.id)[-1] == "completed" and actor_of_last_event(core, action.id) == "U1"
    [update] = updates_of(slack, recorded)
    assert update.params["channel"] == "C1"
    assert "A-1 done" in update.blocks_text() and "Done" in update.blocks_text()
    assert update.button_values() == []  # a closed action has no buttons


def test_the_chair_who_recorded_it_may_complete_it(slack: SlackHarness, core: Core, recorded: str) -> None:
    metadata = open_modal(slack, DONE, modals.DONE, user="UCHAIR")
    slack.submit(modals.DONE, state(note=text_value(None)), user="UCHAIR", metadata=metadata)
    slack.settle()
    assert view_of(core).status == "done" and actor_of_last_event(core, 1) == "UCHAIR"


def test_a_dsl_may_complete_it(slack: SlackHarness, core: Core, recorded: str) -> None:
    slack.make_dsl("UDSL")
    metadata = open_modal(slack, DONE, modals.DONE, user="UDSL")
    slack.submit(modals.DONE, state(note=text_value(None)), user="UDSL", metadata=metadata)
    slack.settle()
    assert view_of(core).status == "done" and actor_of_last_event(core, 1) == "UDSL"


# -- On track -------------------------------------------------------------------------------------------
def test_on_track_is_recorded_for_the_owner_and_thanked(slack: SlackHarness, core: Core, recorded: str) -> None:
    status, _ = slack.press(ON_TRACK, "A-1", user="U1")
    assert status == 200
    slack.settle()
    assert event_kinds(core, 1)[-1] == "acknowledged" and actor_of_last_event(core, 1) == "U1"
    [update] = updates_of(slack, recorded)
    assert "A-1 is on track" in update.blocks_text()
    assert any("Thanks: A-1 is on track" in text for text in refusals(slack, "U1"))


def test_only_the_owner_can_say_it_is_on_track(slack: SlackHarness, core: Core, recorded: str) -> None:
    slack.press(ON_TRACK, "A-1", user="UCHAIR")
    slack.settle()
    assert "acknowledged" not in event_kinds(core, 1)
    assert any("Only the owner of A-1" in text for text in refusals(slack, "UCHAIR"))
    assert updates_of(slack, recorded) == []


# -- Need more time -------------------------------------------------------------------------------------
def test_more_time_moves_the_deadline_with_a_reason(slack: SlackHarness, core: Core, recorded: str) -> None:
    metadata = open_modal(slack, MORE_TIME, modals.MORE_TIME, user="U1")
    values = state(
        new_date=date_value("2026-12-04"), new_time=time_value("12:00"), reason=text_value("Waiting for the CAD export")
    )
    assert slack.submit(modals.MORE_TIME, values, user="U1", metadata=metadata) == (200, "")
    slack.settle()
    action = view_of(core)
    assert (action.extensions, action.deadline.isoformat()) == (1, "2026-12-04T12:00:00+00:00")
    assert actor_of_last_event(core, action.id) == "U1"
    [update] = updates_of(slack, recorded)
    assert "A-1 extended" in update.blocks_text() and "Fri 4 Dec, 12:00" in update.blocks_text()


def test_more_time_needs_a_date_in_the_future_and_a_reason(slack: SlackHarness, core: Core, recorded: str) -> None:
    metadata = open_modal(slack, MORE_TIME, modals.MORE_TIME, user="U1")
    values = state(new_date=date_value("2026-11-20"), new_time=time_value(None), reason=text_value(" "))
    status, body = slack.submit(modals.MORE_TIME, values, user="U1", metadata=metadata)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {"new_date", "reason"}
    slack.settle()
    assert view_of(core).extensions == 0 and updates_of(slack, recorded) == []


# -- Blocked --------------------------------------------------------------------------------------------
def test_blocked_needs_a_reason_and_escalates(slack: SlackHarness, core: Core, recorded: str) -> None:
    metadata = open_modal(slack, BLOCKED, modals.BLOCKED, user="U1")
    status, body = slack.submit(modals.BLOCKED, state(reason=text_value("")), user="U1", metadata=metadata)
    assert status == 200
    assert json.loads(body)["errors"] == {"reason": "Say why: a reason is required to mark an action blocked."}
    slack.settle()
    assert view_of(core).status == "open"
    slack.submit(modals.BLOCKED, state(reason=text_value("No CAD access until IT fix")), user="U1", metadata=metadata)
    slack.settle()
    assert view_of(core).status == "blocked"
    [update] = updates_of(slack, recorded)
    assert "A-1 blocked" in update.blocks_text()
    # The chair who recorded it hears at once (the blocked escalation), in their DM.
    chair_dms = slack.fake.posts_to("UCHAIR")
    assert any("is blocked" in c.blocks_text() and "No CAD access" in c.blocks_text() for c in chair_dms)


# -- Reassign -------------------------------------------------------------------------------------------
def test_reassign_hands_over_and_confirms_to_the_new_owner(slack: SlackHarness, core: Core, recorded: str) -> None:
    metadata = open_modal(slack, REASSIGN, modals.REASSIGN, user="UCHAIR")
    values = state(new_owner=user_value("U2"), reason=text_value("Jo is on leave"))
    slack.submit(modals.REASSIGN, values, user="UCHAIR", metadata=metadata)
    slack.settle()
    action = view_of(core)
    assert action.owner.slack_user_id == "U2" and action.owner.name == "Sam Patel"
    [update] = updates_of(slack, recorded)
    assert "reassigned to Sam Patel" in update.blocks_text() and "<@U2>" in update.blocks_text()
    assert any("Your action A-1" in c.blocks_text() for c in slack.fake.posts_to("U2"))


# -- Refusals -------------------------------------------------------------------------------------------
CHANGES = [
    (DONE, modals.DONE, state(note=text_value(None))),
    (MORE_TIME, modals.MORE_TIME, state(new_date=date_value("2026-12-04"), reason=text_value("More time please"))),
    (BLOCKED, modals.BLOCKED, state(reason=text_value("Something blocks it"))),
    (REASSIGN, modals.REASSIGN, state(new_owner=user_value("U3"), reason=text_value("I will take it"))),
]


@pytest.mark.parametrize(("button", "callback_id", "values"), CHANGES, ids=[c[1] for c in CHANGES])
def test_someone_else_is_refused_privately_and_nothing_changes(
    slack: SlackHarness, core: Core, recorded: str, button: str, callback_id: str, values: dict[str, Any]
) -> None:
    before = event_kinds(core, 1)
    metadata = open_modal(slack, button, callback_id, user="U3")
    assert slack.submit(callback_id, values, user="U3", metadata=metadata) == (200, "")
    slack.settle()
    assert event_kinds(core, 1) == before
    action = view_of(core)
    assert (action.status, action.extensions, action.owner.slack_user_id) == ("open", 0, "U1")
    assert any("Only the owner, the chair who recorded A-1, or a DSL" in t for t in refusals(slack, "U3"))
    assert updates_of(slack, recorded) == []


def test_starting_the_meeting_gives_no_rights_over_another_chairs_action(slack: SlackHarness, core: Core) -> None:
    slack.make_chair("U3")
    slack.command("/meeting", "start Strategy meeting", user="U3")
    slack.settle()
    slack.record(TEXT)  # UCHAIR records A-1 in U3's meeting
    metadata = open_modal(slack, DONE, modals.DONE, user="U3")
    assert slack.submit(modals.DONE, state(note=text_value(None)), user="U3", metadata=metadata) == (200, "")
    slack.settle()
    assert view_of(core).status == "open"
    assert any("Only the owner, the chair who recorded A-1, or a DSL" in t for t in refusals(slack, "U3"))


def test_the_owner_cannot_press_reviewed(slack: SlackHarness, core: Core, recorded: str) -> None:
    assert slack.press(REVIEWED, "A-1", user="U1") == (200, "")
    slack.settle()
    assert view_of(core).reviewed_at is None
    assert any("is yours" in t for t in refusals(slack, "U1"))
    slack.press(REVIEWED, "A-1", user="UCHAIR")
    slack.settle()
    assert view_of(core).reviewed_at is not None


def test_a_closed_action_cannot_be_completed_again(slack: SlackHarness, core: Core, recorded: str) -> None:
    metadata = open_modal(slack, DONE, modals.DONE, user="U1")
    slack.submit(modals.DONE, state(note=text_value(None)), user="U1", metadata=metadata)
    slack.settle()
    slack.submit(modals.DONE, state(note=text_value(None)), user="U1", metadata=metadata)
    slack.settle()
    assert event_kinds(core, 1).count("completed") == 1
    assert any("already done" in t for t in refusals(slack, "U1"))


# -- Where the card is ----------------------------------------------------------------------------------
def test_buttons_in_the_owners_dm_update_that_dm(slack: SlackHarness, core: Core, recorded: str) -> None:
    [dm] = slack.fake.posts_to("U1")
    channel, ts = dm.response["channel"], dm.response["ts"]
    slack.press(ON_TRACK, "A-1", user="U1", channel=channel, ts=ts)
    slack.settle()
    [update] = slack.fake.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (channel, ts)


def test_buttons_on_the_app_home_refresh_the_home(slack: SlackHarness, core: Core, recorded: str) -> None:
    metadata = open_modal(slack, DONE, modals.DONE, user="U1", home=True)
    assert json.loads(metadata)["home"] is True
    slack.submit(modals.DONE, state(note=text_value(None)), user="U1", metadata=metadata)
    slack.settle()
    assert view_of(core).status == "done"
    [published] = slack.fake.calls_to("views.publish")
    assert published.params["user_id"] == "U1" and "You have no open actions" in published.blocks_text()


def test_a_repeated_press_is_ignored(slack: SlackHarness, core: Core, recorded: str) -> None:
    data_before = event_kinds(core, 1)
    press = payload("block_actions")
    press["actions"][0].update(action_id=ON_TRACK, value="A-1")
    press["container"]["message_ts"] = press["message"]["ts"] = recorded
    press["trigger_id"] = "trigger-pressed-once"
    assert slack.interaction(press)[0] == 200
    slack.settle()
    assert slack.interaction(press, headers={"X-Slack-Retry-Num": "1"})[0] == 200
    slack.settle()
    assert event_kinds(core, 1) == [*data_before, "acknowledged"]


# -- Reviewed (the chair's button on a review-due reminder) --------------------------------------------
def test_the_review_reminder_reaches_the_chair_whose_reviewed_button_records_the_review(
    slack: SlackHarness, core: Core, clock: Clock
) -> None:
    slack.record("<@U1> Attend the core group by 4/12 review 3/12")
    clock.set(london(2026, 12, 3, 9, 5))
    core.chaser.sweep()
    [reminder] = [c for c in slack.fake.posts_to("UCHAIR") if c.params["text"] == "Review due: A-1"]
    assert ("action_reviewed", "A-1") in reminder.button_values()
    assert ("action_on_track", "A-1") not in reminder.button_values()  # the owner's word, not the chair's
    ts, channel = str(reminder.response["ts"]), str(reminder.response["channel"])

    slack.press(REVIEWED, "A-1", user="U3", channel=channel, ts=ts)  # not in the meeting, not the chair
    slack.settle()
    assert "reviewed" not in event_kinds(core, 1)

    assert slack.press(REVIEWED, "A-1", user="UCHAIR", channel=channel, ts=ts)[0] == 200
    slack.settle()
    assert event_kinds(core, 1)[-1] == "reviewed" and actor_of_last_event(core, 1) == "UCHAIR"
    with core.db.reading() as session:
        assert session.get(Action, 1).reviewed_at == london(2026, 12, 3, 9, 5)  # no longer "review missed"
    [update] = updates_of(slack, ts)
    assert "A-1 reviewed" in update.blocks_text()


# -- Remind me later ------------------------------------------------------------------------------------
def radio_value(value: str | None) -> dict[str, Any]:
    return {"type": "radio_buttons", "selected_option": {"value": value} if value else None}


def test_remind_me_later_is_on_the_owners_confirmation(slack: SlackHarness, recorded: str) -> None:
    slack.settle()
    [confirmation] = [c for c in slack.fake.posts_to("U1") if "Your action A-1" in c.blocks_text()]
    assert (SNOOZE, "A-1") in confirmation.button_values()


def test_remind_me_later_moves_the_next_reminder_and_never_the_deadline(
    slack: SlackHarness, core: Core, recorded: str
) -> None:
    metadata = open_modal(slack, SNOOZE, modals.SNOOZE, user="U1")
    assert slack.submit(
        modals.SNOOZE, state(when=radio_value("2"), on_day=date_value(None)), user="U1", metadata=metadata
    ) == (200, "")
    slack.settle()
    action = view_of(core)
    assert action.remind_from == london(2026, 11, 25, 9) and action.deadline == london(2026, 11, 27, 17)
    assert event_kinds(core, action.id)[-1] == "snoozed" and actor_of_last_event(core, action.id) == "U1"
    [update] = updates_of(slack, recorded)
    assert "A-1: next reminder Wed 25 Nov, 09:00" in update.blocks_text()


def test_remind_me_later_a_picked_day_wins_and_past_the_deadline_is_refused(
    slack: SlackHarness, core: Core, recorded: str
) -> None:
    metadata = open_modal(slack, SNOOZE, modals.SNOOZE, user="U1")
    values = state(when=radio_value("1"), on_day=date_value("2026-11-30"))  # Monday, after Friday's deadline
    assert slack.submit(modals.SNOOZE, values, user="U1", metadata=metadata) == (200, "")
    slack.settle()
    assert view_of(core).remind_from is None and "snoozed" not in event_kinds(core, 1)
    assert any("a reminder cannot wait past its deadline" in t for t in refusals(slack, "U1"))
    status, body = slack.submit(
        modals.SNOOZE, state(when=radio_value(None), on_day=date_value(None)), user="U1", metadata=metadata
    )
    assert status == 200 and json.loads(body)["errors"] == {"when": "Choose when to be reminded, or pick a day."}


# -- Digests --------------------------------------------------------------------------------------------
def test_a_digest_carries_each_actions_buttons_and_a_press_leaves_it_whole(
    slack: SlackHarness, core: Core, clock: Clock
) -> None:
    core.commands.run("digest", "on", PersonInput(OwnerRef("slack", "U1")))
    slack.record("<@U1> Share CAD log #CR-1042 by Friday")
    slack.record("<@U1> Book the interpreter by Friday")
    slack.settle()
    clock.set(london(2026, 11, 26, 9))  # the day before Friday's deadline
    core.chaser.sweep(clock())
    [morning] = [c for c in slack.fake.posts_to("U1") if "2 actions need your attention today" in c.blocks_text()]
    actions = [b for b in morning.params["blocks"] if b["type"] == "actions"]
    assert [b["block_id"] for b in actions] == ["digest:0", "digest:1"]
    assert {("action_on_track", "A-1"), ("action_on_track", "A-2")} <= set(morning.button_values())
    ts = str(morning.response["ts"])
    assert slack.press(ON_TRACK, "A-2", user="U1", ts=ts, channel=morning.response["channel"], block_id="digest:1") == (
        200,
        "",
    )
    slack.settle()
    assert event_kinds(core, 2)[-1] == "acknowledged"
    assert updates_of(slack, ts) == []  # the digest keeps A-1's buttons
    told = [c.blocks_text() for c in slack.fake.calls_to("chat.postEphemeral", lambda c: c.params["user"] == "U1")]
    assert any("A-2 is on track" in text and "Book the interpreter" in text for text in told)
