"""Commands typed in a Teams channel: recorded through the core, answered with Adaptive Cards."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot.actions.service import ConversationRef
from storage.models import Nudge
from tests.conftest import Clock, london
from tests.teams.conftest import CHAIR, CHANNEL, DSL, OWNER, Teams
from tests.teams.fakes import card_text, submit_actions

THREAD = f"{CHANNEL};messageid=1700000000000"


def test_a_channel_action_is_recorded_for_the_mentioned_owner_and_answered_with_a_card(teams: Teams) -> None:
    response = teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log #CR-1042 by Friday", OWNER)
    assert response.status_code == 200

    [action] = teams.actions()
    assert action.task == "Share the CAD log"
    assert action.deadline == london(2026, 11, 27, 17)
    assert action.case_ref == "CR-1042"
    # the mention resolved (through the conversation's roster) to the owner's Entra object id
    assert action.owner.teams_object_id == OWNER.aad
    assert action.owner.display_name == "Olu Owner"
    assert action.owner.email == OWNER.email  # from Microsoft Graph
    assert action.created_by.teams_object_id == CHAIR.aad
    assert action.origin == f"teams:{CHANNEL}"

    [card] = teams.connector.cards(THREAD)
    text = card_text(card)
    assert f"Action A-{action.id} recorded" in text
    assert "Share the CAD log" in text and "CR-1042" in text
    assert set(submit_actions(card)) == {
        "action_done",
        "action_on_track",
        "action_more_time",
        "action_blocked",
        "action_reassign",
    }
    # the owner is mentioned by Entra id in the card
    assert card["msteams"]["entities"][0]["mentioned"]["id"] == OWNER.aad
    # the bot's own token was presented to the connector
    assert all(c.headers["authorization"].startswith("Bearer ") for c in teams.connector.activities())


def test_a_command_wakes_the_sweeper_which_sends_the_owners_confirmation(teams: Teams) -> None:
    """No scheduler runs here: only the command's wake makes the sweeper send the confirmation now."""
    teams.core.sweeper.start()
    try:
        teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
        deadline = time.monotonic() + 15
        while _confirmation_statuses(teams) in ([], ["pending"], ["sending"]):
            assert time.monotonic() < deadline, "the owner's confirmation was never sent"
            time.sleep(0.05)
        assert _confirmation_statuses(teams) == ["sent"]
    finally:
        teams.core.sweeper.stop(10)


def _confirmation_statuses(teams: Teams) -> list[str]:
    with teams.core.db.reading() as session:
        return list(session.scalars(select(Nudge.status).where(Nudge.step == "confirmation")))


def test_a_meeting_releases_each_owners_confirmation_when_it_ends(teams: Teams, clock: Clock) -> None:
    teams.command(CHAIR, "meeting start Strategy meeting #CR-1042")
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    teams.command(CHAIR, "action pat.partner@health.example Send the discharge summary by Thursday")
    assert [a.case_ref for a in teams.actions()] == ["CR-1042", "CR-1042"]
    assert teams.core.chaser.sweep(clock()).sent == 0  # confirmations wait for the end of the meeting

    teams.command(CHAIR, "meeting end")
    channel = [card_text(c).splitlines()[0] for c in teams.connector.cards(THREAD)]
    assert channel[0] == "Meeting \u201cStrategy meeting\u201d started for CR-1042, chaired by Chris Chair."
    assert channel[-1] == "Actions agreed at \u201cStrategy meeting\u201d (2)"

    report = teams.core.chaser.sweep(clock())
    assert sorted((i.recipient, i.channel) for i in report.items) == [
        ("Olu Owner", "teams"),
        ("pat.partner@health.example", "email"),
    ]


def test_private_answers_in_a_channel_go_to_the_speakers_own_chat(teams: Teams) -> None:
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    posted = len(teams.connector.cards(THREAD))
    teams.command(OWNER, "actions")
    teams.command(OWNER, "help")
    assert len(teams.connector.cards(THREAD)) == posted  # nothing more in the channel
    chat = teams.connector.created[OWNER.user_id]
    answers = [card_text(c) for c in teams.connector.cards(chat)]
    assert answers[0].startswith("Your open actions (1)")
    assert "A-1  Share the CAD log  (Olu Owner, by Fri 27 Nov, 17:00)" in answers[0]
    assert answers[1].startswith("How to use actionbot")


def test_only_a_chair_starts_a_meeting(teams: Teams) -> None:
    posted = len(teams.connector.cards(THREAD))
    teams.command(OWNER, "meeting start Strategy meeting")
    assert len(teams.connector.cards(THREAD)) == posted  # the refusal is private
    [refusal] = [card_text(c) for c in teams.connector.cards(teams.connector.created[OWNER.user_id])]
    assert "chair, DSL or admin role" in refusal
    teams.command(CHAIR, "meeting start Strategy meeting")
    assert "chaired by Chris Chair" in card_text(teams.connector.cards(THREAD)[-1])


def test_in_the_personal_chat_commands_need_no_mention(teams: Teams) -> None:
    teams.install(OWNER, "a:1chat-owner")
    chat = {"conversation": "a:1chat-owner", "kind": "personal"}
    teams.command(OWNER, "action <at>Olu Owner</at> Read the referral by tomorrow", OWNER, **chat)
    teams.command(OWNER, "/actions", **chat)
    [action] = teams.actions()
    assert action.owner.teams_object_id == OWNER.aad and action.origin == "teams:a:1chat-owner"
    cards = [card_text(c) for c in teams.connector.cards("a:1chat-owner")]
    assert cards[1].startswith(f"Action A-{action.id} recorded")
    assert cards[2].startswith("Your open actions (1)")


def test_bad_input_is_explained_to_the_speaker_and_records_nothing(teams: Teams) -> None:
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log", OWNER)
    teams.command(CHAIR, "frobnicate")
    assert teams.actions() == []
    chat = teams.connector.created[CHAIR.user_id]
    [no_deadline, unknown] = [card_text(c) for c in teams.connector.cards(chat)]
    assert "Example: /action" in no_deadline
    assert unknown.startswith("I do not know /frobnicate")


def test_a_card_the_channel_did_not_accept_is_posted_by_the_sweep(teams: Teams, clock: Clock) -> None:
    teams.connector.fail(502, path=f"{THREAD}/activities")
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    [action] = teams.actions()
    assert teams.connector.cards(THREAD) == []
    report = teams.core.chaser.sweep(clock())
    assert ("card", "sent", "teams") in [(i.step, i.outcome, i.channel) for i in report.items]
    [card] = teams.connector.cards(CHANNEL)
    assert card_text(card).startswith(f"Action A-{action.id} recorded")


def test_drift_reports_go_privately_to_dsls_and_are_refused_to_others(teams: Teams, clock: Clock) -> None:
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    clock.set(london(2026, 12, 2, 10))
    teams.command(DSL, "drift")
    teams.command(CHAIR, "drift")
    assert [card_text(c).splitlines()[0] for c in teams.connector.cards(THREAD)] == ["Action A-1 recorded"]
    [report] = teams.connector.cards(teams.connector.created[DSL.user_id])
    text = card_text(report)
    assert text.startswith("Drift report: all actions")
    assert "1 drifting of 1 open actions" in text
    assert "OFFICIAL-SENSITIVE" in text
    assert "Share the CAD log" in text
    [refusal] = teams.connector.cards(teams.connector.created[CHAIR.user_id])
    assert card_text(refusal) == "Drift reports are for DSLs and admins. Nothing was produced."


@pytest.mark.parametrize("teams_options", [{"calendar_reviews": True}])
def test_review_dates_go_into_the_chairs_calendar_when_switched_on(teams: Teams) -> None:
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday review 11/12", OWNER)
    deadline = time.monotonic() + 10
    while not teams.graph.events and time.monotonic() < deadline:
        time.sleep(0.05)
    [(chair, event)] = teams.graph.events
    assert chair == CHAIR.aad
    assert event["subject"] == "Review action A-1"
    assert event["isAllDay"] is True
    assert event["start"] == {"dateTime": "2026-12-11T00:00:00", "timeZone": "Europe/London"}
    assert event["sensitivity"] == "private"
    assert event["transactionId"] == "actionbot-review-1-2026-12-11"


def test_review_dates_stay_out_of_calendars_by_default(teams: Teams) -> None:
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday review 11/12", OWNER)
    [action] = teams.actions()
    assert action.review_on is not None
    time.sleep(0.3)
    assert teams.graph.events == []
    assert teams.graph.calls_to("POST", r"/v1\.0/users/.+/events") == []


def test_a_strategy_discussion_in_teams_proposes_its_statutory_steps(teams: Teams, clock: Clock) -> None:
    teams.command(CHAIR, "meeting start strategy #CR-1042")
    teams.command(CHAIR, "meeting end")
    summary = card_text(teams.connector.cards(THREAD)[-1])
    # Mon 23 Nov 2026 + 15 working days
    assert "Statutory next steps (England; working days skip weekends and bank holidays)" in summary
    assert "Hold the initial child protection conference (if section 47 enquiries were started): due Mon 14 Dec" in (
        summary
    )
    [icpc] = [s for s in teams.core.service.meeting_steps(1) if s.task.startswith("Hold the initial")]
    teams.command(CHAIR, f"meeting assign {icpc.ref} <at>Olu Owner</at>", OWNER)
    [action] = teams.actions()
    assert (action.owner.teams_object_id, action.deadline) == (OWNER.aad, london(2026, 12, 14, 17))
    teams.command(CHAIR, "case CR-1042")  # answered in the chair's own chat, not the channel
    chat = teams.connector.created[CHAIR.user_id]
    timeline = card_text(teams.connector.cards(chat)[-1])
    assert timeline.startswith("Timeline of CR-1042") and f"{icpc.ref} Hold the initial" in timeline


def test_a_pasted_action_list_is_checked_in_the_chairs_chat_then_recorded_once(teams: Teams, clock: Clock) -> None:
    pasted = (
        "<p>actions from</p><ol><li><at>Olu Owner</at> Share the CAD log by Friday</li>"
        "<li>pat.partner@health.example Send the discharge summary by Thursday</li>"
        "<li>Social worker to visit by Monday</li></ol>"
    )
    teams.command(CHAIR, pasted, OWNER)
    assert teams.actions() == []  # nothing recorded before the chair checks it
    chat = teams.connector.created[CHAIR.user_id]
    preview = card_text(teams.connector.cards(chat)[-1])
    assert preview.startswith("2 of 3 lines read as actions (B-1): nothing is recorded yet")
    assert "1. Olu Owner: Share the CAD log \u2014 by Fri 27 Nov, 17:00" in preview
    assert "3. NOT READ: \u201cSocial worker\u201d is a role, not a person" in preview
    teams.command(CHAIR, "action confirm B-1")
    assert sorted(a.task for a in teams.actions()) == ["Send the discharge summary", "Share the CAD log"]
    summary = card_text(teams.connector.cards(THREAD)[-1])
    assert summary.startswith("2 actions recorded from a list (B-1)") and "Lines left out: 3." in summary
    teams.command(CHAIR, "action confirm B-1")
    assert len(teams.actions()) == 2


def test_a_minutes_table_pasted_into_teams_is_read_by_its_columns(teams: Teams) -> None:
    """Teams sends a table pasted from Word as HTML: its cells ran together ("Send the summarypat...") and
    every row was refused. Each row is now a line, its cells in the header's columns."""
    pasted = (
        "<p>actions from</p><table><tr><th>Action</th><th>Owner</th><th>By when</th></tr>"
        "<tr><td><p>Send the discharge summary</p></td><td>pat.partner@health.example</td><td>Thu 26/11</td></tr>"
        "<tr><td>Visit the family</td><td>Social worker</td><td>Fri</td></tr></table>"
    )
    teams.command(CHAIR, pasted, OWNER)
    preview = card_text(teams.connector.cards(teams.connector.created[CHAIR.user_id])[-1])
    assert preview.startswith("1 of 2 lines read as actions (B-1): nothing is recorded yet"), preview
    assert "1. pat.partner@health.example: Send the discharge summary \u2014 by Thu 26 Nov, 17:00" in preview
    assert "2. NOT READ: \u201cSocial worker\u201d is a role, not a person" in preview
    teams.command(CHAIR, "action confirm B-1")
    assert [(a.task, a.deadline) for a in teams.actions()] == [("Send the discharge summary", london(2026, 11, 26, 17))]


def test_meeting_start_alone_offers_a_form_with_the_types(teams: Teams) -> None:
    teams.command(CHAIR, "meeting start")
    [form] = teams.connector.cards(THREAD)
    choices = [
        c["value"] for c in form["actions"][0]["card"]["body"][0]["choices"]
    ]  # the ShowCard's ChoiceSet of meeting types
    assert choices[:3] == ["strategy", "icpc", "rcpc"] and "other" in choices
    data = submit_actions(form)["meeting_start"]
    teams.press(CHAIR, {**data, "meeting_kind": "rcpc", "meeting_title": "", "meeting_case": "#cr-1042"})
    meeting = teams.core.service.current_meeting(ConversationRef("teams", CHANNEL))
    assert meeting is not None
    assert (meeting.kind, meeting.title, meeting.case_ref) == ("rcpc", "Review child protection conference", "CR-1042")
    started = card_text(teams.connector.cards(THREAD)[-1])
    assert "Type: Review child protection conference (sets off 1 statutory step" in started
    # a member who is not a chair is refused, privately
    teams.press(OWNER, {**data, "meeting_kind": "strategy"})
    assert teams.core.service.current_meeting(ConversationRef("teams", CHANNEL)) == meeting
