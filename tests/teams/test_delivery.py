"""Proactive delivery: the chase sweep (at a controlled clock) reaching people in Teams, by the activity
feed, and by email, through the real Bot Connector client and msgraph-sdk against the fakes."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from bot.actions.messages import action_card
from storage.models import Nudge, Person
from tests.conftest import Clock, london
from tests.teams.conftest import BOT_ID, CHAIR, FRAN, MAIL_SENDER, MANAGER, OWNER, TENANT, Teams
from tests.teams.fakes import card_text


def nudges(teams: Teams, step: str = "confirmation") -> list[Nudge]:
    with teams.core.db.reading() as session:
        return list(session.scalars(select(Nudge).where(Nudge.step == step).order_by(Nudge.id)))


def titles(teams: Teams, conversation: str) -> list[str]:
    return [card_text(card).splitlines()[0] for card in teams.connector.cards(conversation)]


def test_nudges_arrive_as_cards_in_the_owners_personal_chat(teams: Teams, clock: Clock) -> None:
    teams.install(OWNER, "a:1chat-owner")
    assert titles(teams, "a:1chat-owner") == ["Hello from actionbot"]
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    [action] = teams.actions()

    report = teams.core.chaser.sweep(clock())
    assert [(i.step, i.outcome, i.channel) for i in report.items] == [("confirmation", "sent", "teams")]
    clock.set(london(2026, 11, 26, 9))
    teams.core.chaser.sweep(clock())
    assert titles(teams, "a:1chat-owner") == [
        "Hello from actionbot",
        f"Your action A-{action.id}, agreed Mon 23 Nov",
        f"Reminder: A-{action.id} is due Fri 27 Nov, 17:00",
    ]
    reminder = teams.connector.cards("a:1chat-owner")[-1]
    assert "Need more time" in card_text(reminder)  # the owner's buttons come with it
    # a second sweep at the same moment sends nothing again
    assert teams.core.chaser.sweep(clock()).sent == 0
    assert len(teams.connector.cards("a:1chat-owner")) == 3


def test_a_chat_is_opened_for_someone_the_bot_only_knows_from_a_channel(teams: Teams, clock: Clock) -> None:
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    teams.core.chaser.sweep(clock())
    [create] = teams.connector.calls_to("POST", r"/v3/conversations")
    assert create.json["members"] == [{"id": OWNER.user_id}]
    assert create.json["tenantId"] == TENANT
    chat = teams.connector.created[OWNER.user_id]
    assert titles(teams, chat) == ["Your action A-1, agreed Mon 23 Nov"]
    reference = teams.store.person(OWNER.aad)
    assert reference is not None and reference.conversation_id == chat


def test_the_activity_feed_tells_someone_with_no_chat_to_open_the_app(teams: Teams, clock: Clock) -> None:
    # Fran is named by email; Graph knows her Entra id, but the bot has never been in a chat with her
    teams.command(CHAIR, "action fran.feed@council.example Check the referral by Friday")
    [action] = teams.actions()
    assert action.owner.teams_object_id == FRAN.aad

    report = teams.core.chaser.sweep(clock())
    assert [(i.outcome, i.channel) for i in report.items] == [("sent", "teams")]
    [(recipient, body)] = teams.graph.notifications
    assert recipient == FRAN.aad
    assert body["activityType"] == "actionNeedsYou"
    assert body["topic"] == {
        "source": "text",
        "value": "actionbot",
        "webUrl": f"https://teams.microsoft.com/l/chat/0/0?users=28:{BOT_ID}",
    }
    assert body["templateParameters"] == [{"name": "summary", "value": f"Your action A-{action.id}, agreed Mon 23 Nov"}]
    assert body["teamsAppId"] == BOT_ID
    assert nudges(teams)[0].delivery_ref == f"feed:{FRAN.aad}"
    assert teams.graph.mail == []

    # she opens the app: the bot stores the chat, lists her actions, and the next nudge is a card there
    teams.install(FRAN, "a:1chat-fran")
    [welcome] = teams.connector.cards("a:1chat-fran")
    assert f"A-{action.id}  Check the referral" in card_text(welcome)
    clock.set(london(2026, 11, 26, 9))
    teams.core.chaser.sweep(clock())
    assert titles(teams, "a:1chat-fran")[-1] == f"Reminder: A-{action.id} is due Fri 27 Nov, 17:00"
    assert len(teams.graph.notifications) == 1


def test_when_teams_cannot_reach_someone_at_all_their_email_is_used(teams: Teams, clock: Clock) -> None:
    teams.graph.not_installed.add(FRAN.aad)  # the app is not installed for her: the feed refuses
    teams.command(CHAIR, "action fran.feed@council.example Check the referral by Friday")
    report = teams.core.chaser.sweep(clock())
    assert [(i.outcome, i.channel) for i in report.items] == [("sent", "email")]
    [mail] = teams.graph.mail
    assert mail.to == f"{FRAN.name} <{FRAN.email}>"


def test_the_owners_manager_from_graph_receives_the_escalation(teams: Teams, clock: Clock) -> None:
    teams.install(MANAGER, "a:1chat-manager")
    teams.install(OWNER, "a:1chat-owner")
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    owner = teams.person(OWNER)
    manager = teams.person(MANAGER)
    assert owner is not None and manager is not None
    assert owner.escalation_contact_id == manager.id  # Graph's /users/{id}/manager
    day = london(2026, 11, 23, 9)
    while day < london(2026, 12, 5, 9):
        day += timedelta(days=1)
        clock.set(day)
        teams.core.chaser.sweep(clock())
    escalations = [t for t in titles(teams, "a:1chat-manager") if t.startswith("Escalation")]
    assert escalations == ["Escalation: A-1 for Olu Owner is 3 working days overdue"]
    assert not any(t.startswith("Escalation") for t in titles(teams, "a:1chat-owner"))


def test_an_owner_on_neither_platform_is_emailed_with_html_and_plain_text(teams: Teams, clock: Clock) -> None:
    # angle brackets and ampersands typed in Teams arrive HTML-encoded
    teams.command(
        CHAIR, "action pat.partner@health.example Send the &lt;b&gt;discharge&lt;/b&gt; summary &amp; plan by Friday"
    )
    [action] = teams.actions()
    assert action.task == "Send the <b>discharge</b> summary & plan"
    assert action.owner.teams_object_id is None and action.owner.slack_user_id is None

    report = teams.core.chaser.sweep(clock())
    assert [(i.outcome, i.channel) for i in report.items] == [("sent", "email")]
    [mail] = teams.graph.mail
    assert mail.sender == MAIL_SENDER
    assert mail.to == "pat.partner@health.example"  # no name known but the address
    assert mail.subject == f"Your action A-{action.id}, agreed Mon 23 Nov"
    plain, html = mail.part("plain"), mail.part("html")
    # the minimal form (the default): the reference and deadline, not the task (escaping: tests/web/test_render)
    assert f"A-{action.id}" in plain and "Deadline  Fri 27 Nov, 17:00" in plain
    assert "discharge" not in plain and "discharge" not in html
    [call] = teams.graph.calls_to("POST", rf"/v1\.0/users/{MAIL_SENDER}/sendMail")
    assert call.headers["content-type"].startswith("text/plain")


def test_graph_throttling_is_retried_by_the_sdk_after_retry_after(teams: Teams, clock: Clock) -> None:
    teams.command(CHAIR, "action pat.partner@health.example Send the summary by Friday")
    teams.graph.fail(429, path="/sendMail", headers={"Retry-After": "1"})
    started = time.monotonic()
    report = teams.core.chaser.sweep(clock())
    assert time.monotonic() - started >= 1.0  # it waited as Graph asked
    assert [(i.outcome, i.channel) for i in report.items] == [("sent", "email")]
    assert len(teams.graph.calls_to("POST", r"/v1\.0/users/.+/sendMail")) == 2
    assert len(teams.graph.mail) == 1


def test_graph_server_errors_are_retried_by_the_sdk(teams: Teams, clock: Clock) -> None:
    teams.command(CHAIR, "action pat.partner@health.example Send the summary by Friday")
    teams.graph.fail(503, path="/sendMail", times=2)
    report = teams.core.chaser.sweep(clock())
    assert [i.outcome for i in report.items] == ["sent"]
    assert len(teams.graph.calls_to("POST", r"/v1\.0/users/.+/sendMail")) == 3


def test_graph_down_leaves_the_nudge_pending_and_it_is_sent_later(teams: Teams, clock: Clock) -> None:
    teams.command(CHAIR, "action pat.partner@health.example Send the summary by Friday")
    teams.graph.down()
    try:
        report = teams.core.chaser.sweep(clock())
    finally:
        teams.graph.up()
    assert [i.outcome for i in report.items] == ["failed"]
    [row] = nudges(teams)
    assert (row.status, row.attempts, row.stuck) == ("pending", 1, False)
    assert row.last_error is not None and "unreachable" in row.last_error
    assert "@" not in row.last_error  # no address (or any personal data) in the operator's view
    assert row.due_at > clock()  # backed off
    assert teams.graph.mail == []

    assert teams.core.chaser.sweep(clock()).items == []  # not before its time
    clock.advance(minutes=6)
    report = teams.core.chaser.sweep(clock())
    assert [(i.outcome, i.channel) for i in report.items] == [("sent", "email")]
    assert len(teams.graph.mail) == 1
    assert teams.core.chaser.sweep(clock()).items == []  # and never twice


def test_bot_connector_throttling_keeps_the_nudge_for_after_retry_after(teams: Teams, clock: Clock) -> None:
    teams.install(OWNER, "a:1chat-owner")
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    teams.connector.fail(429, path="a:1chat-owner/activities", times=10, headers={"Retry-After": "900"})
    report = teams.core.chaser.sweep(clock())
    assert [i.outcome for i in report.items] == ["failed"]
    [row] = nudges(teams)
    assert row.status == "pending"
    assert row.due_at == clock() + timedelta(seconds=900)
    assert row.last_error == "teams send: throttled (429)"


def test_a_chat_the_bot_was_removed_from_is_replaced_by_a_new_one(teams: Teams, clock: Clock) -> None:
    teams.install(OWNER, "a:1old-chat")
    teams.connector.fail(403, path="a:1old-chat/activities")
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    report = teams.core.chaser.sweep(clock())
    assert [(i.outcome, i.channel) for i in report.items] == [("sent", "teams")]
    chat = teams.connector.created[OWNER.user_id]
    assert titles(teams, chat) == ["Your action A-1, agreed Mon 23 Nov"]
    reference = teams.store.person(OWNER.aad)
    assert reference is not None and reference.conversation_id == chat


def test_everyone_with_no_address_is_recorded_as_unreachable(teams: Teams, clock: Clock) -> None:
    teams.command(CHAIR, 'action "Nobody Known" Find the file by Friday')
    report = teams.core.chaser.sweep(clock())
    assert [i.outcome for i in report.items] == ["unreachable"]
    with teams.core.db.reading() as session:
        person = session.scalars(select(Person).where(Person.display_name == "Nobody Known")).one()
        assert person.email is None and person.teams_object_id is None


def test_a_card_sent_earlier_can_be_replaced(teams: Teams, clock: Clock) -> None:
    teams.install(OWNER, "a:1chat-owner")
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    [item] = teams.core.chaser.sweep(clock()).items
    [row] = nudges(teams)
    assert row.delivery_ref is not None and row.delivery_ref.startswith("a:1chat-owner|act-")
    [action] = teams.core.service.list_actions(CHAIR.ref, scope="all")
    changed = action_card(action, teams.core.calendar.zone, clock(), heading="Changed")
    teams.teams_messenger.update(row.delivery_ref, changed)
    activity_id = row.delivery_ref.split("|")[1]
    [put] = teams.connector.calls_to("PUT", rf"/v3/conversations/a:1chat-owner/activities/{activity_id}")
    assert card_text(put.json["attachments"][0]["content"]).startswith("Changed")
    assert item.outcome == "sent"
