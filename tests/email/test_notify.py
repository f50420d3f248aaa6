"""Email through GOV.UK Notify: the official client against a fake Notify API on 127.0.0.1 that verifies its
JWTs, through the real core on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.actions.directory import update_person
from bot.actions.messages import Message
from bot.actions.ports import DeliveryError
from bot.actions.records import PersonView
from bot.app import Core, build_core
from bot.chasing.scheduler import build_jobs
from handlers.email.notify import DAILY_LIMIT_WAIT, RATE_LIMIT_WAIT, NotifyMessenger
from handlers.email.render import render_plain
from storage.models import Nudge
from tests.chasing.hourly import record
from tests.conftest import Clock
from tests.email.fake_notify import API_KEY, SERVICE_ID, TEMPLATE_ID, TRIAL_REFUSAL, FakeNotify
from tests.email.support import OWNER_EMAIL, OWNER_NAME, TASK, email_only, nudges, person, record_for
from tests.support import RecordingMessenger


def notifier(fake: FakeNotify, *, timeout: float = 10.0, key: str = API_KEY) -> NotifyMessenger:
    return NotifyMessenger(key, TEMPLATE_ID, base_url=fake.base_url, timeout=timeout)


def test_a_nudge_goes_once_with_a_reference_that_holds_no_personal_data(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    core.router.add(notifier(notify))
    ref = record_for(core, clock)
    report = core.chaser.sweep()
    assert [(i.step, i.outcome, i.channel) for i in report.items] == [("confirmation", "sent", "email")]
    assert core.chaser.sweep().items == []
    [sent] = notify.notifications.values()
    [row] = nudges(core, "confirmation")
    assert sent["reference"] == f"actionbot-nudge-{row.id}"  # the outbox row's id: nothing about the person
    assert row.channel == "email" and row.delivery_ref == f"notify:{sent['id']}"
    assert sent["email_address"] == OWNER_EMAIL and sent["template"]["id"] == TEMPLATE_ID
    assert sent["subject"].startswith(f"Your action {ref}")
    assert ref in sent["body"] and TASK not in sent["body"]  # plain text, minimal: the task stays out
    assert "<" not in sent["body"]  # Notify formats plain text itself: no HTML is sent
    assert notify.posts == 1


def test_a_send_whose_answer_was_lost_to_a_timeout_is_not_sent_again(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    core.router.add(notifier(notify, timeout=0.5))
    record_for(core, clock)
    notify.delay_next_post = 2.0  # Notify creates the email, then answers too late for the client
    assert [i.outcome for i in core.chaser.sweep().items] == ["failed"]
    [row] = nudges(core, "confirmation")
    assert (row.status, row.stuck) == ("pending", False) and "service unavailable (503)" in (row.last_error or "")
    assert len(notify.notifications) == 1  # it was sent all the same
    clock.advance(minutes=6)  # the retry, after back-off
    assert [i.outcome for i in core.chaser.sweep().items] == ["sent"]
    [sent] = notify.notifications.values()
    assert notify.posts == 1  # found by its reference: not sent a second time
    [row] = nudges(core, "confirmation")
    assert (row.status, row.delivery_ref) == ("sent", f"notify:{sent['id']}")


def test_two_chasers_sweeping_at_once_send_each_email_once(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    owners = [f"owner{n}@school.sch.uk" for n in range(8)]
    for n, address in enumerate(owners):
        record(core, f"{address} Task number {n} by Friday")
    chasers = []
    for _ in range(2):
        other = build_core(core.settings, db=core.db, clock=clock, messengers=[chat, notifier(notify)])
        chasers.append(other.chaser)
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda chaser: chaser.sweep(), chasers))
    assert sum(r.sent for r in reports) == len(owners)
    assert sorted(n["email_address"] for n in notify.notifications.values()) == sorted(owners)
    references = [n["reference"] for n in notify.notifications.values()]
    assert len(set(references)) == len(references) == notify.posts == len(owners)


def test_the_fake_checks_the_clients_token_and_a_refused_key_is_permanent(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    wrong_secret = API_KEY[:-12] + "000000000000"
    core.router.add(notifier(notify, key=wrong_secret))
    record_for(core, clock)
    assert [i.outcome for i in core.chaser.sweep().items] == ["failed"]
    [row] = nudges(core, "confirmation")
    assert row.stuck and row.last_error == "notify send: the API key was refused (403 AuthError)"
    assert person(core).email_failed_at is None  # our key, not their address
    assert notify.notifications == {} and notify.requests == [("GET", "/v2/notifications")]
    assert SERVICE_ID in API_KEY  # the fake knows the service; only the secret was wrong


def test_an_address_notify_refuses_is_marked_and_the_chair_told(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    core.router.add(notifier(notify))
    ref = record_for(core, clock)
    update_person(core.db, email_only(OWNER_EMAIL), email="sam.taylor@school", now=clock())  # no top-level domain
    report = core.chaser.sweep()
    assert {(i.step, i.outcome) for i in report.items} == {("confirmation", "unreachable"), ("email_failed", "sent")}
    [row] = nudges(core, "confirmation")
    assert row.last_error == "notify send: the address was refused (400 ValidationError)"
    assert person(core, "sam.taylor@school").email_failed_at is not None
    assert [s.title for s in chat.sent] == [
        f"Email to {OWNER_NAME} for {ref} could not be delivered (the address was refused)"
    ]


def _someone(email: str = OWNER_EMAIL) -> PersonView:
    return PersonView(7, OWNER_NAME, email, None, None, None, None, "member", None, True)


RATE = (429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds")
DAILY = (429, "TooManyRequestsError", "Exceeded send limits (250000) for today")
GUEST_LIST = "notify send: recipient not on the service's guest list (400 BadRequestError)"


@pytest.mark.parametrize(
    ("failure", "permanent", "address", "retry_after", "said"),
    [
        (RATE, False, False, RATE_LIMIT_WAIT, "notify send: rate limit reached (429)"),
        (DAILY, False, False, DAILY_LIMIT_WAIT, "notify send: daily limit reached (429)"),
        ((500, "Exception", "Internal server error"), False, False, None, "notify send: service unavailable (500)"),
        (
            (400, "BadRequestError", "Template not found"),
            True,
            False,
            None,
            "notify send: refused (400 BadRequestError)",
        ),
        ((400, "BadRequestError", TRIAL_REFUSAL), True, False, None, GUEST_LIST),
    ],
)
def test_notify_errors_map_to_what_the_chaser_does(
    notify: FakeNotify,
    failure: tuple[int, str, str],
    permanent: bool,
    address: bool,
    retry_after: float | None,
    said: str,
) -> None:
    notify.fail_next_posts.append(failure)
    with pytest.raises(DeliveryError) as caught:
        notifier(notify).send_direct(_someone(), Message("Reminder: A-1 is due Fri 27 Nov, 17:00", key="nudge-1"))
    error = caught.value
    assert (error.permanent, error.address_failed, error.retry_after, str(error)) == (
        permanent,
        address,
        retry_after,
        said,
    )


def test_a_trial_service_refuses_people_not_on_its_guest_list_without_marking_them(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    notify.trial_guest_list = {"someone.else@school.sch.uk"}
    core.router.add(notifier(notify))
    record_for(core, clock)
    assert [i.outcome for i in core.chaser.sweep().items] == ["failed"]
    assert person(core).email_failed_at is None and chat.sent == []


def test_a_message_without_a_key_is_sent_without_a_look_up(notify: FakeNotify) -> None:
    delivered = notifier(notify).send_direct(_someone(), Message("Drift report", text="3 drifting"))
    [sent] = notify.notifications.values()
    assert delivered.ref == f"notify:{sent['id']}" and sent["reference"] is None
    assert notify.requests == [("POST", "/v2/notifications/email")]
    assert sent["body"] == render_plain(Message("Drift report", text="3 drifting"))


def test_an_email_notify_failed_to_send_itself_is_sent_again(notify: FakeNotify) -> None:
    messenger = notifier(notify)
    message = Message("Reminder: A-1 is due Fri 27 Nov, 17:00", key="nudge-1")
    first = messenger.send_direct(_someone(), message)
    assert messenger.send_direct(_someone(), message) == first and notify.posts == 1  # found: not sent again
    notify.set_status(first.ref.removeprefix("notify:"), "technical-failure")  # Notify's own failure
    again = messenger.send_direct(_someone(), message)
    assert again != first and notify.posts == 2
    assert messenger.status_of(first.ref) == "technical-failure"
    assert messenger.status_of("notify:7b0c2d1e-0000-4000-8000-000000000000") is None  # unknown to Notify
    assert messenger.status_of("<actionbot.1@council.gov.uk>") is None  # not Notify's


def test_statuses_are_read_back_by_a_scheduled_job_only_when_notify_is_configured(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    assert core.chaser.bounces.status_job() is None  # a chat platform only: nothing reports statuses
    core.router.add(notifier(notify))
    job = core.chaser.bounces.status_job()
    assert job is not None
    jobs = build_jobs(
        sweep=lambda now: None,
        weekly_report=None,
        delivery_status=job,
        interval_seconds=60,
        zone="Europe/London",
        weekday=0,
        hour=8,
        minute=30,
    )
    [status] = [j for j in jobs if j.name == "email-delivery-status"]
    assert status.trigger.interval.total_seconds() == 600  # type: ignore[union-attr]
    without = build_jobs(
        sweep=lambda now: None,
        weekly_report=None,
        interval_seconds=60,
        zone="Europe/London",
        weekday=0,
        hour=8,
        minute=30,
    )
    assert "email-delivery-status" not in [j.name for j in without]
    # The job asks about what was sent and stores what is final.
    record_for(core, clock)
    record_for(core, clock, email="alex.jones@school.sch.uk", name="Alex Jones")
    core.chaser.sweep()
    first, second = notify.notifications.values()
    notify.set_status(first["id"], "delivered")
    assert status.run(clock()) == 1  # the other is still "sending": asked again next time
    with core.db.reading() as session:
        rows = session.execute(select(Nudge.delivery_ref, Nudge.delivery_status).where(Nudge.delivery_ref.is_not(None)))
        statuses = {ref: status for ref, status in rows}
    assert statuses == {f"notify:{first['id']}": "delivered", f"notify:{second['id']}": None}
    asked = len(notify.requests)
    assert status.run(clock()) == 0 and len(notify.requests) == asked + 1  # only the one still unknown
    assert person(core).email_failed_at is None
