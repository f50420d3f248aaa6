"""The Monday job: the drift report sent to each DSL through the platform port, then the audit check."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.actions.directory import set_role, update_person
from bot.actions.messages import Message, render_text
from bot.actions.people import PersonInput
from bot.actions.ports import Delivered, DeliveryError
from bot.actions.records import PersonView
from bot.app import Core, build_core
from bot.capture.owners import OwnerRef
from bot.reports.definitions import MARKING
from bot.reports.weekly import FULL_REPORT_HINT, send_weekly_reports, weekly_job
from storage.db import Database
from storage.models import ActionEvent, EventContent
from tests.conftest import Clock
from tests.drift_fixtures.scenario import ALEX, EXPECTED_ORDER, NOW, History, build_history

DANA = PersonInput(OwnerRef("email", "dana.dsl@police.example.gov.uk"))  # a DSL with no chat account
EVAN = PersonInput(OwnerRef("slack", "U0EVAN"))  # a DSL who has left (inactive)
FAY = PersonInput(OwnerRef("slack", "U0FAY"))  # a DSL whose Slack delivery fails


class BrokenForFay:
    """A messenger that reaches only Fay, and fails (a fake of the platform port)."""

    channel = "slack"

    def can_reach(self, person: PersonView) -> bool:
        return person.slack_user_id == "U0FAY"

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        raise DeliveryError("slack: ratelimited", retry_after=30)

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        raise DeliveryError("slack: ratelimited", retry_after=30)

    def update(self, ref: str, message: Message) -> None:
        raise DeliveryError("slack: ratelimited", retry_after=30)


@pytest.fixture
def history(core: Core, clock: Clock) -> History:
    history = build_history(core, clock, snapshots=False)
    for who, name in ((DANA, "Dana Dsl"), (EVAN, "Evan Dsl"), (FAY, "Fay Dsl")):
        update_person(core.db, who, name=name, now=NOW)
        set_role(core.db, who, "dsl", now=NOW)
    update_person(core.db, EVAN, active=False, now=NOW)
    core.router.messengers.insert(0, BrokenForFay())
    return history


def weekly_messages(history: History) -> list[tuple[PersonView, Message]]:
    return [(p, m) for p, m in history.slack.sent if m.title.startswith("Weekly drift report")]


def test_several_instances_send_the_week_s_report_once(
    core: Core, history: History, db_url: tuple[str, str | None]
) -> None:
    # A second bot instance: its own core (own engine and worker id) over the same database, both firing
    # the Monday job at the same time.
    url, schema = db_url
    other = build_core(core.settings, db=Database.from_url(url, search_path=schema), clock=core.service.clock)
    other.router.messengers.extend(core.router.messengers)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda job: job(NOW), [weekly_job(core), weekly_job(other)]))
        assert [person.name for person, _ in weekly_messages(history)] == ["Alex Morgan"]
        weekly_job(other)(NOW + timedelta(hours=1))  # a late re-run in the same week sends nothing either
        assert len(weekly_messages(history)) == 1
        weekly_job(core)(NOW + timedelta(days=7))  # next Monday's is sent
        assert len(weekly_messages(history)) == 2
    finally:
        other.db.dispose()


def test_each_reachable_dsl_gets_the_report(core: Core, history: History, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="actionbot")
    weekly_job(core)(NOW)
    sent = weekly_messages(history)
    assert [person.name for person, _ in sent] == ["Alex Morgan"]  # not Dana (no address), Evan (left), Fay (failed)
    message = sent[0][1]
    assert message.title == "Weekly drift report: 8 drifting of 10 open actions"
    assert {f.label: f.value for f in message.fields} == {
        "Drifting": "8",
        "Overdue": "4",
        "Median working days overdue": "7.5",
        "Done in the last 7 days": "1",
        "Nudges not delivered": "2",
    }
    text = message.text or ""
    lines = text.splitlines()
    assert lines[0] == MARKING
    listed = [line.split()[0] for line in lines if line.startswith("A-")]
    assert listed == EXPECTED_ORDER
    assert (
        "A-2 #CR-1042  Book the health assessment  (Priya Shah, due Fri 23 Oct 2026, 17:00, 34 working days late)"
        in text
    )
    assert message.notes[0].startswith("2 nudges could not be delivered (1 stuck, 1 to people with no chat")
    assert FULL_REPORT_HINT in message.notes and message.notes[-1] == MARKING
    assert message.buttons == ()
    assert "Weekly drift report" in render_text(message)

    logged = caplog.text
    assert "audit: " in logged and "chain intact" in logged  # the audit check still runs first
    ids = {who: core.service.person(who).id for who in (DANA, FAY)}  # type: ignore[union-attr]
    assert f"no configured channel reaches DSL person {ids[DANA]}" in logged
    assert f"weekly report to person {ids[FAY]} via slack failed: slack: ratelimited" in logged
    for secret in ("Dana", "Fay", "Alex", "Priya", "health assessment", "Evan"):  # ids only, never names or text
        assert secret not in logged


def _checkpoints(core: Core) -> list[dict[str, object]]:
    with core.db.reading() as session:
        rows = session.execute(
            select(EventContent.details)
            .join(ActionEvent, EventContent.event_id == ActionEvent.id)
            .where(ActionEvent.kind == "audit_verified")
            .order_by(ActionEvent.seq)
        )
        return [dict(details) for (details,) in rows]


def test_the_report_goes_out_before_the_audit_check_which_is_full_in_a_month_s_first_week(
    core: Core, history: History
) -> None:
    checkpoints_when_sent: list[int] = []
    send = history.slack.send_direct

    def watching(person: PersonView, message: Message) -> Delivered:
        checkpoints_when_sent.append(len(_checkpoints(core)))
        return send(person, message)

    history.slack.send_direct = watching  # type: ignore[method-assign]
    weekly_job(core)(NOW)
    assert checkpoints_when_sent == [0]  # the report did not wait for the audit
    [first] = _checkpoints(core)
    weekly_job(core)(NOW + timedelta(days=7))
    second = _checkpoints(core)[1]
    assert second["through_seq"] > first["through_seq"]  # type: ignore[operator]
    full = [
        NOW.astimezone(core.calendar.zone).day <= 7,
        (NOW + timedelta(days=7)).astimezone(core.calendar.zone).day <= 7,
    ]
    assert [first["full"], second["full"]] == [True, full[1]]  # the first check has no checkpoint: it is full


def test_the_outcome_names_who_was_reached(core: Core, history: History) -> None:
    outcome = send_weekly_reports(core, NOW)
    ids = {name: core.service.person(who).id for name, who in (("alex", ALEX), ("dana", DANA), ("fay", FAY))}  # type: ignore[union-attr]
    assert outcome.sent == (ids["alex"],)
    assert outcome.unreachable == (ids["dana"],)
    assert outcome.failed == (ids["fay"],)


def test_nothing_drifting_says_so(core: Core, clock: Clock) -> None:
    from tests.drift_fixtures.scenario import RecordingMessenger

    slack = RecordingMessenger()
    core.router.add(slack)
    set_role(core.db, ALEX, "dsl", now=NOW)
    send_weekly_reports(core, NOW)
    ((_, message),) = slack.sent
    assert message.title == "Weekly drift report: 0 drifting of 0 open actions"
    assert "Nothing is drifting." in (message.text or "")
