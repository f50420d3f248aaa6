"""Email through an SMTP relay: smtplib against a real relay (aiosmtpd) on 127.0.0.1 that requires STARTTLS and
AUTH, as NHSmail's does, through the real core on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import smtplib
import socket
from pathlib import Path

import pytest

from bot.actions.messages import Message
from bot.actions.ports import DeliveryError
from bot.actions.records import PersonView
from bot.app import Core
from bot.cli import main
from handlers.email.render import message_id
from handlers.email.smtp import SmtpMessenger, smtp_error
from tests.chasing.hourly import CHAIR
from tests.conftest import Clock, london
from tests.email.fake_smtp import PASSWORD, SENDER, USER, RelayServer, free_port
from tests.email.support import OWNER_EMAIL, OWNER_NAME, TASK, nudges, person, record_for
from tests.support import RecordingMessenger


def smtp(relay: RelayServer, *, password: str = PASSWORD) -> SmtpMessenger:
    return SmtpMessenger(
        "127.0.0.1", relay.port, SENDER, user=USER, password=password, timeout=10, ssl_context=relay.client_tls()
    )


def test_a_nudge_arrives_once_over_starttls_and_auth_with_a_minimal_body(
    core: Core, clock: Clock, relay: RelayServer, chat: RecordingMessenger
) -> None:
    core.router.add(smtp(relay))
    ref = record_for(core, clock)
    report = core.chaser.sweep()
    assert [(i.step, i.outcome, i.channel) for i in report.items] == [("confirmation", "sent", "email")]
    assert core.chaser.sweep().items == []  # nothing twice
    [received] = relay.relay.received
    assert received.tls and received.login == USER.encode()  # STARTTLS, then AUTH, before the message
    assert received.mail_from == SENDER and received.rcpt_tos == [OWNER_EMAIL]
    mail = received.mail
    assert mail["To"] == f"{OWNER_NAME} <{OWNER_EMAIL}>" and mail["From"] == f"actionbot <{SENDER}>"
    [row] = nudges(core, "confirmation")
    # The Message-ID comes from the outbox row: a send tried again carries the same one.
    assert mail["Message-ID"] == message_id(SENDER, f"nudge-{row.id}") == row.delivery_ref
    text = received.text()
    assert ref in text and "Deadline" in text
    assert TASK not in text and TASK not in received.data.decode()  # minimal: the task stays out of mailboxes


def test_a_recipient_refused_with_550_is_marked_and_the_chair_told_once(
    core: Core, clock: Clock, relay: RelayServer, chat: RecordingMessenger
) -> None:
    core.router.add(smtp(relay))
    ref = record_for(core, clock)
    relay.relay.refuse[OWNER_EMAIL] = ["550 5.1.1 <sam.taylor@school.sch.uk>: Recipient address rejected"]
    report = core.chaser.sweep()
    outcomes = {(i.step, i.recipient, i.outcome) for i in report.items}
    assert ("confirmation", OWNER_NAME, "unreachable") in outcomes  # an answer, not a failure to retry
    assert ("email_failed", "@chair", "sent") in outcomes  # told in the same sweep, through the outbox
    assert relay.relay.received == []
    assert person(core).email_failed_at is not None
    [row] = nudges(core, "confirmation")
    assert (row.status, row.stuck) == ("unreachable", False)
    assert row.last_error == "smtp recipient: the address was refused (550 5.1.1)"  # no address in it
    notices = [s for s in chat.sent if s.title.startswith("Email to")]
    assert [(s.to, s.title) for s in notices] == [
        ("@chair", f"Email to {OWNER_NAME} for {ref} could not be delivered (the address was refused)")
    ]
    assert notices[0].message is not None
    assert f'actionbot people set "{OWNER_NAME}" --email ADDRESS' in notices[0].message.notes[0]
    history = core.service.history(ref, CHAIR)
    refused = [e for e in history if e.kind == "nudged" and e.details["step"] == "confirmation"]
    assert refused[0].details["delivered"] is False and "refused" in refused[0].details["why"]
    [told] = [e for e in history if e.kind == "nudged" and e.details["step"] == "email_failed"]
    assert told.details["about_id"] == person(core).id and told.details["delivered"] is True
    # No more email is tried to the address: Thursday's reminder is recorded as not reached, with no RCPT.
    attempts = len(relay.relay.rcpt_attempts)
    clock.set(london(2026, 11, 26, 9, 0))
    assert [(i.step, i.outcome) for i in core.chaser.sweep().items] == [("due_soon", "unreachable")]
    assert len(relay.relay.rcpt_attempts) == attempts
    assert [s.title for s in chat.sent if s.title.startswith("Email to")] == [notices[0].title]  # told once


def test_a_4xx_is_tried_again_later_and_nothing_is_marked(
    core: Core, clock: Clock, relay: RelayServer, chat: RecordingMessenger
) -> None:
    core.router.add(smtp(relay))
    record_for(core, clock)
    relay.relay.refuse[OWNER_EMAIL] = ["451 4.3.0 Mailbox temporarily unavailable"]
    assert [i.outcome for i in core.chaser.sweep().items] == ["failed"]
    [row] = nudges(core, "confirmation")
    assert (row.status, row.stuck, row.attempts) == ("pending", False, 1)
    assert row.last_error == "smtp recipient: try again later (451 4.3.0)"
    assert person(core).email_failed_at is None
    assert core.chaser.sweep().items == []  # backing off
    clock.advance(minutes=6)
    assert [i.outcome for i in core.chaser.sweep().items] == ["sent"]
    assert len(relay.relay.to(OWNER_EMAIL)) == 1
    assert not [s for s in chat.sent if s.title.startswith("Email to")]


def test_a_wrong_password_is_permanent_and_no_address_failure(
    core: Core, clock: Clock, relay: RelayServer, chat: RecordingMessenger
) -> None:
    core.router.add(smtp(relay, password="wrong"))
    record_for(core, clock)
    assert [i.outcome for i in core.chaser.sweep().items] == ["failed"]
    [row] = nudges(core, "confirmation")
    assert row.stuck and row.last_error == "smtp login: the relay refused ACTIONBOT_SMTP_USER's password (535)"
    assert person(core).email_failed_at is None and relay.relay.received == []


def _person(email: str = OWNER_EMAIL) -> PersonView:
    return PersonView(1, OWNER_NAME, email, None, None, None, None, "member", None, True)


def test_a_relay_that_cannot_be_reached_is_temporary() -> None:
    closed = SmtpMessenger("127.0.0.1", free_port(), SENDER, starttls=False, timeout=2)
    with pytest.raises(DeliveryError) as caught:
        closed.send_direct(_person(), Message("Reminder: A-1 is due Fri 27 Nov, 17:00", key="nudge-1"))
    assert not caught.value.permanent and str(caught.value) == "smtp: relay unreachable (ConnectionRefusedError)"


def _rcpt(code: int, text: bytes) -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({"a@b.example": (code, text)})


QUOTA = b"5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException"  # Exchange Online's rate limit


@pytest.mark.parametrize(
    ("error", "permanent", "address", "retry_after"),
    [
        (_rcpt(550, b"5.1.1 User unknown"), True, True, None),
        (_rcpt(553, b"mailbox name not allowed"), True, True, None),
        (_rcpt(551, b"5.1.6 user has moved"), True, True, None),
        # a policy refusal (the relay will not relay for us) is about our set-up, not their address
        (_rcpt(550, b"5.7.1 Unable to relay"), True, False, None),
        (_rcpt(552, b"5.2.2 Mailbox full"), True, False, None),
        (_rcpt(450, b"4.2.1 try later"), False, False, None),
        (smtplib.SMTPDataError(550, b"5.1.1 Recipient unknown"), True, True, None),
        (smtplib.SMTPDataError(554, b"5.6.0 Message rejected as spam"), True, False, None),
        (smtplib.SMTPDataError(554, QUOTA), False, False, 600.0),
        (smtplib.SMTPSenderRefused(550, b"5.7.60 Client does not have permissions to send", "x"), True, False, None),
        (smtplib.SMTPSenderRefused(553, b"5.1.8 Bad sender address", "x"), True, False, None),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False, False, None),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), True, False, None),
        (TimeoutError("timed out"), False, False, None),
        (socket.gaierror(-2, "Name or service not known"), False, False, None),
    ],
)
def test_relay_replies_map_to_what_the_chaser_does(
    error: Exception, permanent: bool, address: bool, retry_after: float | None
) -> None:
    mapped = smtp_error(error)
    assert (mapped.permanent, mapped.address_failed, mapped.retry_after) == (permanent, address, retry_after)
    assert "a@b.example" not in str(mapped) and "User unknown" not in str(mapped)  # codes only, never reply text


def test_chase_once_sends_email_with_no_chat_platform(
    core: Core,
    clock: Clock,
    relay: RelayServer,
    cli_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``actionbot chase --once`` configured with the SMTP relay only: the relay's certificate is trusted the way
    an operator adds a private CA (SSL_CERT_FILE), the password comes from the environment."""
    record_for(core, clock)
    for name, value in {
        "ACTIONBOT_EMAIL": "smtp",
        "MAIL_SENDER": SENDER,
        "ACTIONBOT_SMTP_HOST": "127.0.0.1",
        "ACTIONBOT_SMTP_PORT": str(relay.port),
        "ACTIONBOT_SMTP_USER": USER,
        "ACTIONBOT_SMTP_PASSWORD": PASSWORD,
        "SSL_CERT_FILE": str(relay.cert),
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("SLACK_BOT_TOKEN", "TEAMS_CLIENT_ID", "GRAPH_CLIENT_ID", "NOTIFY_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    out = io.StringIO()
    assert main(["chase", "--once", "--now", "2026-11-23T10:05"], out=out) == 0
    assert out.getvalue().splitlines() == [
        f"sent         A-1     confirmation  to {OWNER_NAME} via email",
        "1 sent, 0 unreachable, 0 failed.",
    ]
    [received] = relay.relay.received
    assert received.rcpt_tos == [OWNER_EMAIL] and received.tls and received.login == USER.encode()
