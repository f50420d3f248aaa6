"""People in other organisations, through the real Teams SDK app, Bot Connector client and msgraph-sdk against the
fakes: someone in another tenant is emailed and never tried in Teams, a guest in our tenant is tried in Teams
first, and the chair is told once, privately, how the owner will be reached."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.reports.drift import build_report
from bot.reports.filters import DriftFilters
from storage.models import Nudge
from tests.conftest import Clock, london
from tests.teams.conftest import BOT_ID, CHAIR, OWNER, TENANT, Teams, User
from tests.teams.fakes import card_text

OTHER_TENANT = "0f0f0f0f-0000-4000-8000-0000000000ff"
#: A police officer in the force's own Microsoft 365 tenant, in a federated chat with the council.
EXTERNAL = User("e1e1e1e1-0000-4000-8000-000000000031", "29:external", "Eve External", "eve.external@police.example")
#: A health visitor with a guest (B2B) account in the council's tenant.
GUEST = User("9a9a9a9a-0000-4000-8000-000000000032", "29:guest", "Gus Guest", "gus.guest@health.example")
ELSEWHERE = "is in another organisation"


def add_external(teams: Teams, *, roster_email: bool = True) -> None:
    """Teams' roster knows Eve with her own tenant's id; our Graph has no user with her object id."""
    teams.connector.members[EXTERNAL.user_id] = {
        "id": EXTERNAL.user_id,
        "name": EXTERNAL.name,
        "aadObjectId": EXTERNAL.aad,
        "email": EXTERNAL.email if roster_email else None,
        "userPrincipalName": EXTERNAL.email if roster_email else None,
        "tenantId": OTHER_TENANT,
        "userRole": "user",
    }


def add_guest(teams: Teams) -> None:
    """A B2B guest: in our tenant's roster and in our Graph, as userType Guest with an #EXT# principal name."""
    teams.connector.members[GUEST.user_id] = {
        "id": GUEST.user_id,
        "name": GUEST.name,
        "aadObjectId": GUEST.aad,
        "email": GUEST.email,
        "userPrincipalName": "gus.guest_health.example#EXT#@council.onmicrosoft.com",
        "tenantId": TENANT,
        "userRole": "guest",
    }
    user = teams.graph.add_user(GUEST.aad, GUEST.name, GUEST.email, upn="gus.guest_health.example#EXT#@council.example")
    user["userType"] = "Guest"


def command(teams: Teams, text: str, *mentioned: dict[str, Any]) -> dict[str, Any]:
    """``@actionbot <text>`` from the chair in the channel, with these mention entities."""
    bot = {"type": "mention", "text": "<at>actionbot</at>", "mentioned": {"id": f"28:{BOT_ID}", "name": "actionbot"}}
    return teams.activity(CHAIR, f"<at>actionbot</at> {text}", entities=[bot, *mentioned])


def chair_notes(teams: Teams) -> list[str]:
    """What reached the chair's own 1:1 chat with the bot that says an owner is elsewhere."""
    chat = teams.connector.created.get(CHAIR.user_id)
    texts = [card_text(card) for card in teams.connector.cards(chat)] if chat else []
    return [text for text in texts if ELSEWHERE in text or "cannot be reached" in text]


def conversations_opened(teams: Teams) -> list[str]:
    """The Teams user ids the bot tried to open a 1:1 chat with."""
    return [call.json["members"][0]["id"] for call in teams.connector.calls_to("POST", r"/v3/conversations")]


def feed_calls(teams: Teams) -> int:
    return len(teams.graph.calls_to("POST", r"/v1\.0/users/.+/teamwork/sendActivityNotification"))


def test_an_owner_in_another_tenant_is_emailed_without_a_teams_call_and_the_chair_told_once(
    teams: Teams, clock: Clock
) -> None:
    add_external(teams)
    activity = command(teams, "action <at>Eve External</at> Share the CAD log by Friday", EXTERNAL.mention())
    assert teams.post(activity).status_code == 200
    [action] = teams.actions()
    person = teams.person(EXTERNAL)
    assert person is not None and person.outside_org is True and person.guest is False
    assert person.email == EXTERNAL.email  # from the roster: our Graph does not know her
    [note] = chair_notes(teams)
    assert f"Eve External {ELSEWHERE}" in note and f"by email to {EXTERNAL.email}" in note

    report = teams.core.chaser.sweep(clock())
    assert [(i.step, i.outcome, i.channel) for i in report.items] == [("confirmation", "sent", "email")]
    [mail] = teams.graph.mail
    assert mail.to == f"{EXTERNAL.name} <{EXTERNAL.email}>"
    clock.set(london(2026, 11, 26, 9))
    report = teams.core.chaser.sweep(clock())
    assert [i.channel for i in report.items] == ["email"]
    assert len(teams.graph.mail) == 2
    # Teams was never asked to reach her: no chat opened, nothing posted to her, no activity-feed notification
    assert EXTERNAL.user_id not in conversations_opened(teams)
    assert feed_calls(teams) == 0
    with teams.core.db.reading() as session:
        refs = list(session.scalars(select(Nudge.delivery_ref).where(Nudge.action_id == action.id)))
    assert refs and not any("|" in (ref or "") or (ref or "").startswith("feed:") for ref in refs)

    # Teams delivering the same message again records nothing and tells the chair nothing more
    teams.post(activity)
    assert len(teams.actions()) == 1
    assert len(chair_notes(teams)) == 1


def test_an_owner_in_another_tenant_with_no_address_cannot_be_reached_and_the_chair_is_told(
    teams: Teams, clock: Clock
) -> None:
    # the mention carries her object id, so nobody asks the roster: Graph not knowing the id is what says so
    add_external(teams, roster_email=False)
    mention = {
        **EXTERNAL.mention(),
        "mentioned": {"id": EXTERNAL.user_id, "name": EXTERNAL.name, "aadObjectId": EXTERNAL.aad},
    }
    teams.post(command(teams, "action <at>Eve External</at> Share the CAD log by Friday", mention))
    person = teams.person(EXTERNAL)
    assert person is not None and person.outside_org is True and person.email is None
    assert not teams.connector.calls_to("GET", r"/v3/conversations/.+/members/.+")
    [note] = chair_notes(teams)
    assert "Eve External cannot be reached" in note

    report = teams.core.chaser.sweep(clock())
    assert [i.outcome for i in report.items] == ["unreachable"]
    assert EXTERNAL.user_id not in conversations_opened(teams) and feed_calls(teams) == 0
    assert teams.graph.mail == []
    # and the DSL's drift report counts her action as one nobody can chase (a Teams id in another tenant is none)
    drift = build_report(teams.core.db, teams.core.settings, teams.core.calendar, clock(), DriftFilters())
    assert drift.reasons.owner_unknown == 1


def test_a_guest_with_the_app_installed_is_reached_in_teams(teams: Teams, clock: Clock) -> None:
    add_guest(teams)
    teams.install(GUEST, "a:1chat-guest")
    teams.command(CHAIR, "action <at>Gus Guest</at> Send the health chronology by Friday", GUEST)
    person = teams.person(GUEST)
    assert person is not None and person.outside_org is True and person.guest is True
    [note] = chair_notes(teams)  # the chair learns the guest is elsewhere, and what happens if Teams fails
    assert f"Gus Guest {ELSEWHERE}: actionbot tries Teams first" in note and f"by email to {GUEST.email}" in note

    report = teams.core.chaser.sweep(clock())
    assert [(i.outcome, i.channel) for i in report.items] == [("sent", "teams")]
    [card] = [c for c in teams.connector.cards("a:1chat-guest") if "Your action A-1" in card_text(c)]
    assert "Need more time" in card_text(card)
    assert teams.graph.mail == []


def test_a_guest_teams_cannot_reach_is_tried_in_teams_then_emailed(teams: Teams, clock: Clock) -> None:
    add_guest(teams)
    teams.command(CHAIR, "action <at>Gus Guest</at> Send the health chronology by Friday", GUEST)
    person = teams.person(GUEST)
    assert person is not None and person.outside_org is True and person.guest is True
    # the app is not installed for him: Teams refuses the chat, and the activity feed refuses too
    teams.connector.fail(403, path="/v3/conversations", times=1)
    teams.graph.not_installed.add(GUEST.aad)

    report = teams.core.chaser.sweep(clock())
    assert [(i.outcome, i.channel) for i in report.items] == [("sent", "email")]
    assert GUEST.user_id in conversations_opened(teams)  # Teams first
    assert feed_calls(teams) == 1
    [mail] = teams.graph.mail
    assert mail.to == f"{GUEST.name} <{GUEST.email}>"


def test_reassigning_to_someone_in_another_tenant_tells_the_chair_privately(teams: Teams, clock: Clock) -> None:
    add_external(teams)
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    assert chair_notes(teams) == []
    teams.command(CHAIR, "reassign A-1 <at>Eve External</at> because the force holds the log", EXTERNAL)
    [action] = teams.actions()
    assert action.owner.teams_object_id == EXTERNAL.aad
    [note] = chair_notes(teams)
    assert f"Eve External {ELSEWHERE}" in note and f"by email to {EXTERNAL.email}" in note
    # the room sees the reassigned card, never how the owner is reached: that went to the chair's chat alone
    chat = teams.connector.created[CHAIR.user_id]
    told = [call.path for call in teams.connector.activities() if ELSEWHERE in json.dumps(call.json)]
    assert told == [f"/v3/conversations/{chat}/activities"]
