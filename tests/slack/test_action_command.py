"""/action through the real Bolt app over signed HTTP: record, card, private replies, safety."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from typing import Any

import pytest
from slack_sdk.models.views import View
from sqlalchemy import select, text

from bot.actions.messages import ON_TRACK
from bot.actions.people import PersonInput
from bot.app import Core
from bot.capture.owners import OwnerRef
from handlers.slack import modals, record_form
from storage.models import Nudge, Person
from tests.conftest import Clock
from tests.slack.conftest import (
    SECRET,
    SlackHarness,
    count_actions,
    date_value,
    sign,
    state,
    text_value,
    time_value,
    user_value,
)

CARD = "<@U1> Share CAD log #CR-1042 by Friday review 7/12"


def person(core: Core, uid: str) -> Person:
    with core.db.reading() as session:
        found = session.scalars(select(Person).where(Person.slack_user_id == uid)).first()
        assert found is not None, uid
        session.expunge(found)
        return found


# -- the happy path --------------------------------------------------------------------------------
def test_action_is_acknowledged_recorded_and_carded(slack: SlackHarness, core: Core) -> None:
    status, body = slack.command("/action", CARD)
    assert (status, body) == (200, "")
    slack.settle()

    assert count_actions(core) == 1
    [card] = slack.fake.posts_to("C1")
    shown = card.blocks_text()
    assert "Action A-1 recorded" in shown
    assert "<@U1>" in shown and "Share CAD log" in shown
    assert "Fri 27 Nov, 17:00" in shown and "Mon 7 Dec" in shown and "CR-1042" in shown
    assert ("action_done", "A-1") in card.button_values() and ("action_reassign", "A-1") in card.button_values()
    assert card.params["text"] == "Action A-1 recorded"
    # The owner was resolved through users.info: name, email and time zone on their people row.
    owner = person(core, "U1")
    assert (owner.display_name, owner.email, owner.timezone) == (
        "Jo Bloggs",
        "jo.bloggs@police.example",
        "Europe/London",
    )
    assert person(core, "UCHAIR").display_name == "Chris Chair"
    # No meeting is running, so the owner's written confirmation goes out at once, with their buttons.
    [dm] = slack.fake.posts_to("U1")
    assert dm.response["channel"] == "D1"
    assert "Your action A-1" in dm.blocks_text() and ("action_on_track", "A-1") in dm.button_values()
    # Nothing private to say: no warnings.
    assert slack.fake.replies() == []


def test_warnings_go_only_to_the_chair(slack: SlackHarness, core: Core) -> None:
    slack.command("/action", "<@U1> Visit family by Saturday")
    slack.settle()
    assert count_actions(core) == 1
    assert len(slack.fake.posts_to("C1")) == 1
    [reply] = slack.fake.replies()
    assert reply.params["response_type"] == "ephemeral"
    assert "Please check A-1" in reply.blocks_text() and "is a Saturday" in reply.blocks_text()


def test_personal_data_is_shown_to_the_chair_alone_before_anything_reaches_the_room(
    slack: SlackHarness, core: Core
) -> None:
    slack.command("/action", "<@U1> Send the discharge summary for NHS 943 476 5919 by Friday")
    slack.settle()
    assert count_actions(core) == 0 and slack.fake.posts_to("C1") == []
    [reply] = slack.fake.replies()
    assert reply.params["response_type"] == "ephemeral"
    assert "This looks like personal data (B-1): nothing is posted or recorded yet" in reply.blocks_text()
    slack.command("/action", "discard B-1")
    slack.settle()
    assert count_actions(core) == 0 and slack.fake.posts_to("C1") == []


def test_a_name_nobody_known_has_is_looked_for_in_the_workspace(slack: SlackHarness, core: Core) -> None:
    slack.fake.users["U9"] = {**slack.fake.users["U1"], "id": "U9", "name": "jo.smith", "real_name": "Jo Smith"}
    slack.fake.users["U9"]["profile"] = {"real_name": "Jo Smith", "display_name": "jo.smith", "email": "jo@x.example"}
    # minutes name people as the room knows them: "Sam" is the workspace's one Sam, chased in Slack
    card = slack.record("Sam to send the health chronology by Friday")
    assert "<@U2>" in card.blocks_text() and "Send the health chronology" in card.blocks_text()
    [reply] = slack.fake.replies()
    assert "\u201cSam\u201d is Sam Patel, the only match actionbot found" in reply.blocks_text()
    [action] = core.service.list_actions(PersonInput(OwnerRef("slack", "UCHAIR")), scope="all")
    assert action.owner.slack_user_id == "U2" and action.owner.email == "sam.patel@health.example"
    # a name two members share is refused with both, and nothing is recorded
    slack.command("/action", "Jo to share the CAD log by Friday")
    slack.settle()
    shown = slack.fake.replies()[-1].blocks_text()
    assert (
        "Which Jo?" in shown and "Jo Bloggs (jo.bloggs@police.example)" in shown and "Jo Smith (jo@x.example)" in shown
    )
    assert '/action "Jo Smith" to share the CAD log by Friday' in shown
    assert count_actions(core) == 1
    # one listing serves a meeting's names: users.list is read once, not for every command
    assert len(slack.fake.calls_to("users.list")) == 1
    # the full name, sent again as offered, is that member's
    chosen = slack.record('"Jo Smith" to share the CAD log by Friday')
    assert "<@U9>" in chosen.blocks_text()


def test_initials_are_looked_for_in_the_workspace(slack: SlackHarness, core: Core) -> None:
    card = slack.record("SP to send the health chronology by Friday")  # minutes' initials: the one Sam Patel
    assert "<@U2>" in card.blocks_text()
    [reply] = slack.fake.replies()
    assert "\u201cSP\u201d is Sam Patel, the only match actionbot found" in reply.blocks_text()
    slack.command("/action", "XY to send the health chronology by Friday")
    slack.settle()
    assert "Nobody actionbot knows has those initials" in slack.fake.replies()[-1].blocks_text()
    assert count_actions(core) == 1


def test_a_workspace_that_cannot_be_searched_still_records_the_name(
    slack: SlackHarness, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.fail("users.list", times=None, status=500)
    slack.record("Sam to send the health chronology by Friday")
    [action] = core.service.list_actions(PersonInput(OwnerRef("slack", "UCHAIR")), scope="all")
    assert action.owner.name == "Sam" and action.owner.slack_user_id is None  # a named person, flagged unreachable
    assert any("Sam cannot be reached" in r.blocks_text() for r in slack.fake.replies())
    assert "directory search by name on slack failed" in caplog.text and "Sam" not in caplog.text


def test_an_owner_nobody_can_reach_is_named_to_the_chair_at_once(slack: SlackHarness, core: Core) -> None:
    slack.command("/action", '"Dr A. Khan (GP)" Send the health chronology by Friday')
    slack.settle()
    assert count_actions(core) == 1
    [reply] = slack.fake.replies()
    shown = reply.blocks_text()
    assert reply.params["response_type"] == "ephemeral"
    assert "Dr A. Khan (GP) cannot be reached" in shown and "actionbot people set" in shown
    slack.command("/actions", "all")
    slack.settle()
    assert "CANNOT BE REACHED" in slack.fake.replies()[-1].blocks_text()
    before = len(slack.fake.replies())
    slack.record("<@U1> Share the CAD log by Friday")  # a Slack user is reachable: no warning at all
    assert len(slack.fake.replies()) == before


def test_grammar_error_goes_to_the_chair_with_the_example_and_records_nothing(slack: SlackHarness, core: Core) -> None:
    slack.command("/action", "<@U1> Share CAD log")
    slack.settle()
    assert count_actions(core) == 0
    assert slack.fake.calls_to("chat.postMessage") == []
    [reply] = slack.fake.replies()
    assert reply.params["response_type"] == "ephemeral"
    assert "no deadline" in reply.blocks_text() and "Example: /action" in reply.blocks_text()


def test_help_is_private(slack: SlackHarness) -> None:
    slack.command("/action", "help")
    slack.settle()
    [reply] = slack.fake.replies()
    assert "/meeting start" in reply.blocks_text() and reply.params["response_type"] == "ephemeral"


def test_email_owner_in_the_workspace_is_matched_with_lookup_by_email(slack: SlackHarness, core: Core) -> None:
    card = slack.record("sam.patel@health.example Call the GP by Friday")
    assert "<@U2>" in card.blocks_text()
    assert slack.fake.calls_to("users.lookupByEmail")
    owner = person(core, "U2")
    assert (owner.email, owner.timezone) == ("sam.patel@health.example", "Europe/Dublin")


def test_task_text_cannot_ping_the_channel(slack: SlackHarness) -> None:
    card = slack.record("<@U1> Tell <!channel> about <https://evil.example|this> by Friday")
    shown = card.blocks_text()
    # Slack's markup is stored as the words it shows: no ping, and the link's address in plain sight
    assert "<!channel>" not in shown and "Tell @channel about this (https://evil.example)" in shown
    assert "<https://evil.example" not in shown


# -- Slack's behaviour: retries, duplicates, signatures -------------------------------------------------
def test_a_retried_request_records_nothing_twice(slack: SlackHarness, core: Core) -> None:
    body = slack.command_body("/action", CARD, trigger_id="trigger-retried")
    kind = "application/x-www-form-urlencoded"
    assert slack.send(body, kind)[0] == 200
    slack.settle()
    assert slack.send(body, kind, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})[0] == 200
    slack.settle()
    assert count_actions(core) == 1
    assert len(slack.fake.posts_to("C1")) == 1


def test_a_duplicate_trigger_id_records_nothing_twice_even_concurrently(slack: SlackHarness, core: Core) -> None:
    bodies = [slack.command_body("/action", CARD, trigger_id="trigger-twice") for _ in range(4)]
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda b=b: statuses.append(slack.send(b, "application/x-www-form-urlencoded")[0]))
        for b in bodies
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slack.settle()
    assert statuses == [200] * 4
    assert count_actions(core) == 1
    assert len(slack.fake.posts_to("C1")) == 1


def test_bad_signature_is_401_and_writes_nothing(slack: SlackHarness, core: Core) -> None:
    body = slack.command_body("/action", CARD)
    status, _ = slack.send(body, "application/x-www-form-urlencoded", secret="0" * 32)
    assert status == 401
    slack.settle()
    assert count_actions(core) == 0
    assert {c.method for c in slack.fake.calls} == {"auth.test"}  # only the start-up token check


def test_stale_timestamp_is_401_even_when_correctly_signed(slack: SlackHarness, core: Core) -> None:
    body = slack.command_body("/action", CARD)
    status, _ = slack.send(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 6 * 60)
    assert status == 401
    slack.settle()
    assert count_actions(core) == 0


def test_unsigned_and_tampered_requests_are_401(slack: SlackHarness, core: Core) -> None:
    body = slack.command_body("/action", CARD)
    assert slack.send(body, "application/x-www-form-urlencoded", signed=False)[0] == 401
    moment = str(int(time.time()))
    forged = body.replace("U1", "U3")
    headers = {"X-Slack-Request-Timestamp": moment, "X-Slack-Signature": sign(SECRET, moment, body)}
    assert slack.send(forged, "application/x-www-form-urlencoded", headers=headers, signed=False)[0] == 401
    slack.settle()
    assert count_actions(core) == 0


def test_a_request_is_stored_before_its_ack_or_refused_with_a_status_slack_retries(
    slack: SlackHarness, core: Core
) -> None:
    """Hold the lock that recording an action needs. Nothing is acknowledged that is not stored:
    - PostgreSQL: the inbox row does not wait on that lock, so the ack comes at once, and the action is
      recorded once the lock is free;
    - SQLite (one write lock for the whole file): the request is answered 503 within Slack's 3 seconds,
      and its re-delivery (same trigger id) is recorded once the lock is free."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with core.db.transaction() as session:
            if core.db.dialect == "postgresql":
                session.execute(text("LOCK TABLE request_keys IN ACCESS EXCLUSIVE MODE"))
            else:
                session.execute(text("DELETE FROM request_keys WHERE 1 = 0"))  # BEGIN IMMEDIATE holds the lock
            locked.set()
            release.wait(20)

    holder = threading.Thread(target=hold)
    holder.start()
    body = slack.command_body("/action", CARD, trigger_id="trigger-held")
    try:
        assert locked.wait(10)
        started = time.monotonic()
        status, _ = slack.send(body, "application/x-www-form-urlencoded")
        assert time.monotonic() - started < 3
        assert status == (200 if core.db.dialect == "postgresql" else 503)
        assert count_actions(core) == 0
    finally:
        release.set()
        holder.join()
    if status == 503:
        status, _ = slack.send(body, "application/x-www-form-urlencoded", headers={"X-Slack-Retry-Num": "1"})
        assert status == 200
    slack.settle()
    assert count_actions(core) == 1
    assert len(slack.fake.posts_to("C1")) == 1


# -- Web API trouble ------------------------------------------------------------------------------------
def test_a_rate_limited_post_is_retried_after_retry_after(slack: SlackHarness, core: Core) -> None:
    slack.fake.fail("chat.postMessage", status=429, retry_after=0, times=1, when=lambda p: p["channel"] == "C1")
    slack.record(CARD)
    limited = slack.fake.calls_to("chat.postMessage", lambda c: c.params["channel"] == "C1", ok=False)
    assert len(limited) == 1 and count_actions(core) == 1


def test_a_card_that_cannot_be_posted_is_kept_and_posted_by_a_later_sweep(
    slack: SlackHarness, core: Core, clock: Clock
) -> None:
    failure = slack.fake.fail("chat.postMessage", times=None, when=lambda p: p["channel"] == "C1")
    slack.command("/action", CARD)
    slack.settle()
    assert count_actions(core) == 1  # the action stands
    assert slack.fake.posts_to("C1") == []
    notice, card = slack.fake.replies()
    assert "A-1 is recorded, but I could not post its card" in notice.blocks_text()
    assert "Action A-1 recorded" in card.blocks_text() and card.params["response_type"] == "ephemeral"
    with core.db.reading() as session:
        [queued] = session.scalars(select(Nudge).where(Nudge.step == "card")).all()
        assert queued.recipient_key == "c:slack:C1" and queued.status == "pending" and queued.last_error
        assert "fatal_error" in queued.last_error
    assert failure.used >= 1

    slack.fake.heal()
    clock.advance(hours=1)
    report = core.chaser.sweep()
    assert [(i.step, i.outcome) for i in report.items if i.step == "card"] == [("card", "sent")]
    [posted] = slack.fake.posts_to("C1")
    assert "Action A-1 recorded" in posted.blocks_text() and ("action_done", "A-1") in posted.button_values()


def test_not_in_channel_tells_the_chair_to_invite_the_bot(slack: SlackHarness, core: Core) -> None:
    slack.fake.fail("chat.postMessage", error="not_in_channel", times=None, when=lambda p: p["channel"] == "C9")
    slack.command("/action", CARD, channel="C9")
    slack.settle()
    assert count_actions(core) == 1
    assert "/invite @actionbot" in slack.fake.replies()[0].blocks_text()


def test_a_failing_directory_still_records_the_action(slack: SlackHarness, core: Core) -> None:
    slack.fake.fail("users.info", times=None, status=500)
    slack.record(CARD)
    assert count_actions(core) == 1
    assert core.service.person(PersonInput(OwnerRef("slack", "U1"))) is not None


# -- the modal ------------------------------------------------------------------------------------------
def record_values(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "owner": user_value("U1"),
        "task": text_value("Share the CAD log with social care"),
        "deadline": date_value("2026-11-27"),
        "deadline_time": time_value("15:00"),
        "review": date_value("2026-12-07"),
        "case_ref": text_value("#cr-1042"),
    }
    fields.update(overrides)
    return state(**fields)


def test_action_without_text_opens_the_modal(slack: SlackHarness) -> None:
    slack.command("/action", "", channel="C1")
    slack.settle()
    view = slack.modal(modals.RECORD)
    assert {b["block_id"] for b in view["blocks"]} == {
        "owner",
        "task",
        "deadline",
        "deadline_time",
        "review",
        "case_ref",
    }
    assert '"channel": "C1"' in view["private_metadata"]


def test_the_modal_records_the_same_way(slack: SlackHarness, core: Core) -> None:
    slack.command("/action", "")
    slack.settle()
    metadata = slack.modal(modals.RECORD)["private_metadata"]
    status, body = slack.submit(modals.RECORD, record_values(), user="UCHAIR", metadata=metadata, view_id="VREC1")
    assert (status, body) == (200, "")
    slack.settle()
    [card] = slack.fake.posts_to("C1")
    shown = card.blocks_text()
    assert "Action A-1 recorded" in shown and "Fri 27 Nov, 15:00" in shown and "CR-1042" in shown and "<@U1>" in shown
    [action] = core.service.list_actions(PersonInput(OwnerRef("slack", "UCHAIR")), scope="all")
    assert (action.task, action.case_ref, str(action.review_on)) == (
        "Share the CAD log with social care",
        "CR-1042",
        "2026-12-07",
    )
    # Slack re-sending the same submission records nothing more.
    slack.submit(modals.RECORD, record_values(), user="UCHAIR", metadata=metadata, view_id="VREC1")
    slack.settle()
    assert count_actions(core) == 1 and len(slack.fake.posts_to("C1")) == 1


def test_modal_problems_go_back_into_the_modal(slack: SlackHarness, core: Core) -> None:
    slack.command("/action", "")
    slack.settle()
    metadata = slack.modal(modals.RECORD)["private_metadata"]
    values = record_values(
        task=text_value(""), deadline=date_value("2026-11-20"), case_ref=text_value("not a ref"), owner=user_value(None)
    )
    status, body = slack.submit(modals.RECORD, values, user="UCHAIR", metadata=metadata)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"owner", "task", "deadline", "case_ref"}
    assert "in the past" in answer["errors"]["deadline"]
    slack.settle()
    assert count_actions(core) == 0 and slack.fake.calls_to("chat.postMessage") == []


def test_modal_warnings_reach_the_chair(slack: SlackHarness, core: Core) -> None:
    slack.command("/action", "")
    slack.settle()
    metadata = slack.modal(modals.RECORD)["private_metadata"]
    values = record_values(deadline=date_value("2026-11-28"), deadline_time=time_value(None), review=date_value(None))
    slack.submit(modals.RECORD, values, user="UCHAIR", metadata=metadata)
    slack.settle()
    assert count_actions(core) == 1
    assert any("is a Saturday" in r.blocks_text() for r in slack.fake.replies())


def test_a_form_whose_task_looks_like_personal_data_asks_again_before_anything_is_recorded(
    slack: SlackHarness, core: Core
) -> None:
    slack.command("/action", "")
    slack.settle()
    metadata = slack.modal(modals.RECORD)["private_metadata"]
    task = "Send the discharge summary for NHS 943 476 5919"
    values = record_values(task=text_value(task))
    status, body = slack.submit(modals.RECORD, values, user="UCHAIR", metadata=metadata, view_id="VPD1")
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "update"
    view = answer["view"]
    View(**view).validate_json()  # slack_sdk's own checks of a view's shape and limits
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert "This looks like personal data" in blocks["personal_data_warning"]["text"]["text"]
    assert "NHS number" in blocks["personal_data_warning"]["text"]["text"]
    # shown again as the chair filled it in, with the box to keep it
    assert blocks["task"]["element"]["initial_value"] == task
    assert blocks["owner"]["element"]["initial_user"] == "U1"
    assert blocks["deadline"]["element"]["initial_date"] == "2026-11-27"
    assert blocks[record_form.PERSONAL_DATA_OK]["element"]["type"] == "checkboxes"
    assert view["private_metadata"] == metadata and view["callback_id"] == modals.RECORD
    slack.settle()
    assert count_actions(core) == 0 and slack.fake.calls_to("chat.postMessage") == []
    # ticked: recorded as it is, the chair's choice
    ticked = {
        **values,
        **state(**{record_form.PERSONAL_DATA_OK: {"type": "checkboxes", "selected_options": [{"value": "yes"}]}}),
    }
    status, body = slack.submit(modals.RECORD, ticked, user="UCHAIR", metadata=metadata, view_id="VPD1")
    assert (status, body) == (200, "")
    slack.settle()
    [action] = core.service.list_actions(PersonInput(OwnerRef("slack", "UCHAIR")), scope="all")
    assert action.task == task
    # posted once, as the chair chose; the card changed in the room later does not show it again
    [card] = slack.fake.posts_to("C1")
    assert "943 476 5919" in card.blocks_text()
    slack.press(ON_TRACK, action.ref, user="U1")
    slack.settle()
    [update] = slack.fake.calls_to("chat.update", lambda c: c.params["channel"] == "C1")
    assert "943 476 5919" not in update.blocks_text() and "not shown in the room" in update.blocks_text()


def test_a_form_corrected_after_the_personal_data_warning_records_the_corrected_task(
    slack: SlackHarness, core: Core
) -> None:
    slack.command("/action", "")
    slack.settle()
    metadata = slack.modal(modals.RECORD)["private_metadata"]
    held = record_values(task=text_value("Visit, DOB 04/05/2019"))
    assert (
        json.loads(slack.submit(modals.RECORD, held, user="UCHAIR", metadata=metadata)[1])["response_action"]
        == "update"
    )
    fixed = record_values(task=text_value("Visit the family"), case_ref=text_value("CR-1042"))
    assert slack.submit(modals.RECORD, fixed, user="UCHAIR", metadata=metadata) == (200, "")
    slack.settle()
    [action] = core.service.list_actions(PersonInput(OwnerRef("slack", "UCHAIR")), scope="all")
    assert (action.task, action.case_ref) == ("Visit the family", "CR-1042")


# -- unexpected failures ------------------------------------------------------------------------------
def test_a_form_that_cannot_open_in_time_says_how_to_go_on(slack: SlackHarness) -> None:
    slack.fake.fail("views.open", error="expired_trigger_id")
    slack.command("/action", "")
    slack.settle()
    [reply] = slack.fake.replies()
    assert "could not open in time" in reply.blocks_text()


def test_an_unexpected_failure_is_tried_again_then_logged_by_code_and_the_chair_is_told(
    slack: SlackHarness, core: Core, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    core.inbox.settings = replace(core.inbox.settings, retry_seconds=0)
    calls: list[str] = []

    def broken(name: str, *args: object, **kwargs: object) -> None:
        calls.append(name)
        raise RuntimeError("-".join(("secret", "task", "text")))  # the joined text appears in no source line

    monkeypatch.setattr(core.commands, "run", broken)
    slack.command("/actions", "mine")
    slack.settle()
    assert calls == ["actions"] * core.inbox.settings.max_attempts
    [reply] = slack.fake.replies()
    assert "something went wrong on actionbot's side" in reply.blocks_text()
    [record] = [r for r in caplog.records if r.name == "actionbot.slack" and r.levelname == "ERROR"]
    assert record.getMessage().startswith("slack /actions failed: RuntimeError")
    assert "secret-task-text" not in caplog.text


def test_a_failed_sweep_does_not_undo_or_apologise_for_the_recording(
    slack: SlackHarness, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("database went away")  # fault injection: the sweep's own tests cover its logic

    monkeypatch.setattr(core.chaser, "sweep", broken)
    slack.record(CARD)
    assert count_actions(core) == 1
    assert slack.fake.replies() == []
