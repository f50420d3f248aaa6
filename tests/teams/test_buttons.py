"""Card buttons (Action.Submit): each calls bot.actions.service as the person who pressed it."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.actions.messages import digest_message, nudge_message
from bot.actions.records import ActionView, PersonView
from handlers.teams.cards import card_json
from storage.models import Action
from tests.conftest import Clock, london
from tests.teams.conftest import CHAIR, CHANNEL, OWNER, STRANGER, Teams
from tests.teams.fakes import card_text

THREAD = f"{CHANNEL};messageid=1700000000000"
LONDON = ZoneInfo("Europe/London")


def record(teams: Teams) -> int:
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    [action] = teams.actions()
    return action.id


def state(teams: Teams, action_id: int) -> Action:
    return next(a for a in teams.actions() if a.id == action_id)


def last_event(teams: Teams, action_id: int) -> tuple[str, str | None, str | None]:
    event = teams.core.service.history(action_id, CHAIR.ref)[-1]
    return event.kind, event.actor_name, event.reason


def updates(teams: Teams) -> list[dict[str, Any]]:
    return [c.json for c in teams.connector.calls_to("PUT", r"/v3/conversations/.+/activities/act-card")]


def test_done_completes_the_action_as_the_person_who_pressed_it_and_updates_the_card(teams: Teams) -> None:
    action_id = record(teams)
    response = teams.press(OWNER, {"actionbot": "action_done", "ref": f"A-{action_id}"})
    assert response.status_code == 200
    assert state(teams, action_id).status == "done"
    assert last_event(teams, action_id) == ("completed", "Olu Owner", None)
    [update] = updates(teams)
    assert f"A-{action_id} done" in card_text(update["attachments"][0]["content"])
    assert "actions" not in update["attachments"][0]["content"]  # a closed action has no buttons


def test_need_more_time_moves_the_deadline_with_the_reason_given(teams: Teams) -> None:
    action_id = record(teams)
    teams.press(
        OWNER,
        {
            "actionbot": "action_more_time",
            "ref": f"A-{action_id}",
            "new_deadline": "2026-12-04",
            "more_time_reason": "The school is closed until Thursday",
        },
    )
    action = state(teams, action_id)
    assert action.deadline == london(2026, 12, 4, 17)
    assert action.extensions == 1
    assert last_event(teams, action_id) == ("extended", "Olu Owner", "The school is closed until Thursday")


def test_blocked_needs_a_reason_and_records_it(teams: Teams) -> None:
    action_id = record(teams)
    teams.press(OWNER, {"actionbot": "action_blocked", "ref": f"A-{action_id}", "block_reason": ""})
    assert state(teams, action_id).status == "open"  # refused: no reason
    teams.press(OWNER, {"actionbot": "action_blocked", "ref": f"A-{action_id}", "block_reason": "Waiting for consent"})
    assert state(teams, action_id).status == "blocked"
    assert last_event(teams, action_id) == ("blocked", "Olu Owner", "Waiting for consent")


def test_reassign_to_someone_picked_from_the_directory(teams: Teams) -> None:
    action_id = record(teams)
    teams.press(
        CHAIR,
        {
            "actionbot": "action_reassign",
            "ref": f"A-{action_id}",
            "new_owner": STRANGER.aad,
            "reassign_reason": "Olu is on leave",
        },
    )
    action = state(teams, action_id)
    assert action.owner.teams_object_id == STRANGER.aad
    assert last_event(teams, action_id) == ("reassigned", "Chris Chair", "Olu is on leave")


def test_reassign_to_a_partner_by_email(teams: Teams) -> None:
    action_id = record(teams)
    teams.press(
        CHAIR,
        {
            "actionbot": "action_reassign",
            "ref": f"A-{action_id}",
            "new_owner": "",
            "new_owner_email": "Pat.Partner@Health.example",
            "reassign_reason": "Health hold the records",
        },
    )
    action = state(teams, action_id)
    assert action.owner.email == "pat.partner@health.example"
    assert action.owner.teams_object_id is None


def test_a_refusal_comes_back_privately_and_changes_nothing(teams: Teams) -> None:
    action_id = record(teams)
    before = teams.connector.cards(THREAD)
    # someone who is neither the owner, the chair nor a DSL presses Done
    teams.press(STRANGER, {"actionbot": "action_done", "ref": f"A-{action_id}"})
    assert state(teams, action_id).status == "open"
    assert last_event(teams, action_id)[0] == "created"
    assert updates(teams) == []
    assert teams.connector.cards(THREAD) == before  # nothing in the channel
    # the refusal went to the stranger's own 1:1 chat, opened for them
    chat = teams.connector.created[STRANGER.user_id]
    [refusal] = teams.connector.cards(chat)
    assert "Only the owner, the chair who recorded" in card_text(refusal)
    # the chair may not say "on track" for the owner either
    teams.press(CHAIR, {"actionbot": "action_on_track", "ref": f"A-{action_id}"})
    assert last_event(teams, action_id)[0] == "created"
    chair_chat = teams.connector.created[CHAIR.user_id]
    assert "Only the owner of" in card_text(teams.connector.cards(chair_chat)[-1])


def test_on_track_from_the_owner_in_their_personal_chat(teams: Teams, clock: Clock) -> None:
    action_id = record(teams)
    chat = "a:1chat-owner"
    teams.press(OWNER, {"actionbot": "action_on_track", "ref": f"A-{action_id}"}, conversation=chat, kind="personal")
    assert last_event(teams, action_id) == ("acknowledged", "Olu Owner", None)
    [update] = teams.connector.calls_to("PUT", rf"/v3/conversations/{chat}/activities/act-card")
    assert f"A-{action_id} is on track" in card_text(update.json["attachments"][0]["content"])


def test_a_card_for_an_action_from_another_room_is_never_updated_in_this_one(teams: Teams) -> None:
    action_id = record(teams)
    other = "19:elsewhere@thread.tacv2"
    teams.press(OWNER, {"actionbot": "action_done", "ref": f"A-{action_id}"}, conversation=other)
    assert state(teams, action_id).status == "done"
    assert teams.connector.calls_to("PUT", r"/v3/conversations/19:elsewhere.+") == []
    assert teams.connector.cards(f"{other};messageid=1700000000000") == []
    chat = teams.connector.created[OWNER.user_id]
    assert f"A-{action_id} done" in card_text(teams.connector.cards(chat)[-1])


def test_submits_that_are_not_ours_or_lack_a_reference_are_refused(teams: Teams) -> None:
    action_id = record(teams)
    teams.press(OWNER, {"actionbot": "action_explode", "ref": f"A-{action_id}"})
    teams.press(OWNER, {"actionbot": "action_done"})
    assert state(teams, action_id).status == "open"
    chat = teams.connector.created[OWNER.user_id]
    texts = [card_text(c) for c in teams.connector.cards(chat)]
    assert any("not one actionbot knows" in t for t in texts)
    assert any("does not name an action" in t for t in texts)


def test_reviewed_from_the_chair_records_the_review_and_nobody_else_may(teams: Teams) -> None:
    action_id = record(teams)
    teams.press(STRANGER, {"actionbot": "action_reviewed", "ref": f"A-{action_id}"})
    assert last_event(teams, action_id)[0] == "created"
    teams.press(CHAIR, {"actionbot": "action_reviewed", "ref": f"A-{action_id}"})
    assert last_event(teams, action_id) == ("reviewed", CHAIR.name, None)
    assert state(teams, action_id).reviewed_at is not None
    [update] = updates(teams)
    assert f"A-{action_id} reviewed" in card_text(update["attachments"][0]["content"])


def test_remind_me_later_moves_the_next_reminder_to_the_choice_or_the_day_picked(teams: Teams) -> None:
    action_id = record(teams)  # due Fri 27 Nov; today is Mon 23 Nov
    teams.press(OWNER, {"actionbot": "action_snooze", "ref": f"A-{action_id}", "snooze_choice": "1"})
    assert state(teams, action_id).remind_from == london(2026, 11, 24, 9)
    assert last_event(teams, action_id) == ("snoozed", "Olu Owner", None)
    teams.press(
        OWNER,
        {"actionbot": "action_snooze", "ref": f"A-{action_id}", "snooze_choice": "1", "snooze_day": "2026-11-26"},
    )
    action = state(teams, action_id)
    assert action.remind_from == london(2026, 11, 26, 9) and action.deadline == london(2026, 11, 27, 17)
    teams.press(OWNER, {"actionbot": "action_snooze", "ref": f"A-{action_id}", "snooze_day": "2026-11-30"})
    assert state(teams, action_id).remind_from == london(2026, 11, 26, 9)  # past the deadline: refused


def olus_action(n: int) -> ActionView:
    """A-n for Olu (a Teams user), due Fri 27 Nov 17:00, as the core hands it to the adapter."""
    owner = PersonView(1, "Olu Owner", None, None, None, "o-1", None, "member", None, True)
    due, recorded = london(2026, 11, 27, 17), london(2026, 11, 23, 10)
    return ActionView(
        n, f"A-{n}", f"Task {n}", owner, due, None, None, "open", owner, recorded, None, None, None, 1, 0, None
    )


def test_the_owners_reminder_card_offers_remind_me_later_with_its_choices() -> None:
    card = card_json(nudge_message("due_soon", olus_action(1), LONDON, london(2026, 11, 26, 9)), date(2026, 11, 26))
    [later] = [a for a in card["actions"] if a["title"] == "Remind me later"]
    assert later["type"] == "Action.ShowCard"
    inputs = {item["id"]: item for item in later["card"]["body"] if "id" in item}
    assert [c["value"] for c in inputs["snooze_choice"]["choices"]] == ["1", "2"]
    assert inputs["snooze_day"]["type"] == "Input.Date" and inputs["snooze_day"]["min"] == "2026-11-27"
    assert later["card"]["actions"][0]["data"] == {"actionbot": "action_snooze", "ref": "A-1"}


def test_a_digest_card_gives_each_action_its_own_buttons_marked_as_in_a_digest() -> None:
    cards = [nudge_message("due_soon", olus_action(n), LONDON, london(2026, 11, 26, 9)) for n in (1, 2)]
    card = card_json(digest_message(cards), date(2026, 11, 26))
    assert "actions" not in card  # no card-level buttons: each action's are beside it
    sets = [item for item in card["body"] if item["type"] == "ActionSet"]
    assert len(sets) == 2 and len([item for item in card["body"] if item["type"] == "Container"]) == 2
    done = [a for s in sets for a in s["actions"] if a["title"] == "Done"]
    assert [a["data"] for a in done] == [
        {"actionbot": "action_done", "ref": "A-1", "digest": True},
        {"actionbot": "action_done", "ref": "A-2", "digest": True},
    ]


def test_a_press_in_a_digest_answers_with_a_new_card_and_leaves_the_digest(teams: Teams) -> None:
    action_id = record(teams)
    teams.press(OWNER, {"actionbot": "action_on_track", "ref": f"A-{action_id}", "digest": True})
    assert last_event(teams, action_id) == ("acknowledged", "Olu Owner", None)
    assert updates(teams) == []


def test_a_task_that_looks_like_personal_data_is_not_shown_again_in_the_channel(teams: Teams) -> None:
    teams.command(CHAIR, "action <at>Olu Owner</at> Send the discharge summary for NHS 943 476 5919 by Friday", OWNER)
    assert teams.actions() == []  # held for the chair first
    teams.command(CHAIR, "action confirm B-1")
    [action] = teams.actions()
    teams.press(OWNER, {"actionbot": "action_done", "ref": f"A-{action.id}"})
    assert state(teams, action.id).status == "done"
    [update] = updates(teams)
    shown = card_text(update["attachments"][0]["content"])
    assert f"A-{action.id} done" in shown
    assert "943 476 5919" not in shown and "not shown in the room" in shown
