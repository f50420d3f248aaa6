"""Leave read from Outlook automatic replies: the real msgraph-sdk client against the fake Graph's
mailboxSettings, applied through the core (never over leave a person set themselves)."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from sqlalchemy import select

from handlers.teams.graph import graph_client
from handlers.teams.leave import OutlookLeave, sync_outlook_leave
from handlers.teams.runner import LoopRunner
from storage.models import ActionEvent
from tests.conftest import Clock
from tests.teams.conftest import CHAIR, OWNER, Teams


def scheduled(start: str, end: str, zone: str = "UTC") -> dict[str, object]:
    return {
        "status": "scheduled",
        "scheduledStartDateTime": {"dateTime": f"{start}.0000000", "timeZone": zone},
        "scheduledEndDateTime": {"dateTime": f"{end}.0000000", "timeZone": zone},
    }


@pytest.fixture
def reader(teams: Teams, runner: LoopRunner) -> OutlookLeave:
    client = graph_client(AnonymousAuthenticationProvider(), teams.graph.base_url, retry_delay=0.0)
    return OutlookLeave(client, runner, teams.core.calendar.zone)


def owner_leave(teams: Teams) -> tuple[object, object, object]:
    person = teams.core.service.person(OWNER.ref)
    assert person is not None
    return person.away_from, person.away_until, person.cover_id


def test_scheduled_replies_become_leave_and_switching_them_off_ends_it(
    teams: Teams, reader: OutlookLeave, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday 4 Dec", OWNER)
    teams.graph.automatic_replies[OWNER.aad] = scheduled("2026-11-30T00:00:00", "2026-12-07T00:00:00")
    caplog.set_level(logging.INFO, "actionbot.teams.leave")
    report = sync_outlook_leave(teams.core, reader, clock())
    assert report.counts == {"set": 1}
    assert owner_leave(teams) == (date(2026, 11, 30), date(2026, 12, 6), None)  # back on Monday 7th
    assert sync_outlook_leave(teams.core, reader, clock()).counts == {"unchanged": 1}
    del teams.graph.automatic_replies[OWNER.aad]
    assert sync_outlook_leave(teams.core, reader, clock()).counts == {"ended": 1}
    assert owner_leave(teams) == (None, None, None)
    with teams.core.db.reading() as session:
        events = list(
            session.scalars(select(ActionEvent).where(ActionEvent.kind.like("away%")).order_by(ActionEvent.seq))
        )
    assert [(e.kind, e.details.get("source"), e.actor_id) for e in events] == [
        ("away_set", "outlook", None),
        ("away_ended", "outlook", None),
    ]
    assert "I am on leave" not in caplog.text and OWNER.aad not in caplog.text  # counts only, never who or what


def test_leave_a_person_set_is_never_overwritten(teams: Teams, reader: OutlookLeave, clock: Clock) -> None:
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday 4 Dec", OWNER)
    teams.command(OWNER, "away until Fri 11 Dec")
    teams.graph.automatic_replies[OWNER.aad] = scheduled("2026-11-30T00:00:00", "2026-12-02T00:00:00")
    assert sync_outlook_leave(teams.core, reader, clock()).counts == {"unchanged": 1}
    assert owner_leave(teams)[1] == date(2026, 12, 11)


def test_a_tenant_that_does_not_permit_it_is_said_once(
    teams: Teams, reader: OutlookLeave, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday 4 Dec", OWNER)
    teams.command(CHAIR, "action <at>Chris Chair</at> Write the minutes by Friday 4 Dec", CHAIR)
    teams.graph.mailbox_forbidden = True
    assert sync_outlook_leave(teams.core, reader, clock()).counts == {"not permitted": 1}
    assert caplog.text.count("MailboxSettings.Read") == 1


def test_times_in_another_zone_and_replies_always_on(teams: Teams, reader: OutlookLeave, clock: Clock) -> None:
    teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday 4 Dec", OWNER)
    # 23:00 UTC on Sunday 29 Nov is still Sunday in London (GMT); the end at 17:00 UTC Friday is Friday
    teams.graph.automatic_replies[OWNER.aad] = scheduled("2026-11-29T23:00:00", "2026-12-04T17:00:00")
    sync_outlook_leave(teams.core, reader, clock())
    assert owner_leave(teams)[:2] == (date(2026, 11, 29), date(2026, 12, 4))
    teams.graph.automatic_replies[OWNER.aad] = {"status": "alwaysEnabled"}
    assert sync_outlook_leave(teams.core, reader, clock()).counts == {"always on, no dates": 1}
    assert owner_leave(teams)[:2] == (date(2026, 11, 29), date(2026, 12, 4))  # left as it was
