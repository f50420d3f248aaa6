"""Email through an authenticated SMTP relay (``ACTIONBOT_EMAIL=smtp``): NHSmail's ``send.nhs.net:587``, or a
council's own relay. Standard library only (smtplib).

Each message: connect, EHLO, STARTTLS (certificate and host name verified), EHLO again, AUTH (LOGIN or PLAIN,
whichever the relay offers) with ``ACTIONBOT_SMTP_USER`` and ``ACTIONBOT_SMTP_PASSWORD``, send, QUIT. One
connection per message is deliberate: nudges go at most 20 a minute here, a relay closes idle connections
anyway, and nothing is shared between the sender's threads. The Message-ID is derived from the message's key
(handlers.email.render.message_id), so a message sent again after an error carries the same id.

Errors as the chaser understands them (bot.actions.ports.DeliveryError): the recipient refused with 550, 551
or 553 (not a 5.7.x policy refusal), or any 5.1.x addressing status, is an address failure: permanent, and no
more email is tried to that address (bot.chasing.bounces); other 5xx replies are permanent; 4xx replies,
connection failures and timeouts are temporary (tried again later); an Exchange Online sending quota
(``SubmissionQuotaExceeded``, a 5xx) is temporary too. Logs and errors carry person ids and reply codes only:
never the address, the relay's reply text (which may repeat the address) or the message.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage

from bot.actions.messages import Message
from bot.actions.ports import Delivered, DeliveryError
from bot.actions.records import PersonView
from bot.chasing.pacing import SendLimits
from bot.config import ConfigError, Settings
from handlers.email.channel import EmailChannel
from handlers.email.render import mime_message

log = logging.getLogger("actionbot.email.smtp")

PASSWORD_VARIABLE = "ACTIONBOT_SMTP_PASSWORD"  # noqa: S105 - the variable's name, not a password
#: RFC 3463 enhanced status code at the start of a reply's text ("5.1.1 ...").
_ENHANCED = re.compile(rb"^\s*([245]\.\d{1,3}\.\d{1,3})\b")
#: Reply codes that refuse a recipient's address (RFC 5321: mailbox unavailable, user not local, mailbox
#: name not allowed).
ADDRESS_REFUSED = (550, 551, 553)
#: Seconds before trying again when Exchange Online says the mailbox's sending quota is used up.
QUOTA_WAIT = 600.0


def _reply(what: str, code: int, text: bytes | str) -> DeliveryError:
    """A relay's reply to one stage of the transaction as a DeliveryError (the code and enhanced status only)."""
    raw = text.encode("utf-8", "replace") if isinstance(text, str) else text
    found = _ENHANCED.match(raw)
    enhanced = found.group(1).decode() if found else ""
    shown = f"{code} {enhanced}".strip()
    if b"QuotaExceeded" in raw:
        return DeliveryError(f"smtp {what}: the mailbox's sending quota is used up ({shown})", retry_after=QUOTA_WAIT)
    if 400 <= code < 500:
        return DeliveryError(f"smtp {what}: try again later ({shown})")
    if 500 <= code < 600:
        about_them = what in ("recipient", "message")  # a refused sender (ours) is a configuration problem
        address = about_them and (
            enhanced.startswith("5.1.")
            or (what == "recipient" and code in ADDRESS_REFUSED and not enhanced.startswith("5.7."))
        )
        reason = "the address was refused" if address else "refused"
        return DeliveryError(f"smtp {what}: {reason} ({shown})", permanent=True, address_failed=address)
    return DeliveryError(f"smtp {what}: unexpected reply ({shown})")


def smtp_error(error: BaseException) -> DeliveryError:
    """An smtplib or network failure as the chaser understands it."""
    if isinstance(error, DeliveryError):
        return error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (0, b""))
        return _reply("recipient", code, text)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return DeliveryError(
            f"smtp login: the relay refused ACTIONBOT_SMTP_USER's password ({error.smtp_code})", permanent=True
        )
    if isinstance(error, smtplib.SMTPSenderRefused):
        return _reply("sender", error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPDataError):
        return _reply("message", error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPResponseException):
        return _reply("session", error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return DeliveryError(
            "smtp: the relay does not offer STARTTLS or AUTH (check the host and port)", permanent=True
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        return DeliveryError("smtp: the relay's certificate could not be verified")
    return DeliveryError(f"smtp: relay unreachable ({error.__class__.__name__})")


class SmtpMessenger(EmailChannel):
    """The ``email`` channel through an SMTP relay. Conversations do not exist by email."""

    #: NHSmail runs on Exchange Online, which lets one mailbox send 30 messages a minute and 10,000 recipients
    #: a day by SMTP AUTH, over at most 3 connections at once (learn.microsoft.com, "Exchange Online limits":
    #: "Sending limits", "SMTP AUTH client submission"). Council relays are rarely more generous. Nudges keep
    #: to two thirds of both, leaving room for a second instance and the account's other use; the daily
    #: limit is far above a partnership's nudges (hundreds a day).
    limits = SendLimits(per_minute=20, in_flight=2)

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        minimal: bool = True,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """``ssl_context``: the certificates STARTTLS trusts (default: the system's; tests pass their own)."""
        if user and not password:
            raise ValueError("an SMTP user needs a password")
        self.host = host
        self.port = port
        self.sender = sender
        self.user = user or None
        self._password = password
        self.starttls = starttls
        self.minimal = minimal
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    def __repr__(self) -> str:
        return f"SmtpMessenger({self.host}:{self.port})"

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        if not person.email:
            raise DeliveryError("email: the person has no address", permanent=True)
        mail = mime_message(self.sender, person, message, minimal=self.minimal)
        try:
            self._send(mail, person.email)
        except (smtplib.SMTPException, OSError) as error:
            raise smtp_error(error) from None
        log.info("emailed person %s by SMTP", person.id)
        return Delivered(self.channel, str(mail["Message-ID"]))

    def _send(self, mail: EmailMessage, to: str) -> None:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)  # connects (STARTTLS checks this host)
        try:
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
            if self.user is not None:
                assert self._password is not None
                smtp.login(self.user, self._password)
            smtp.send_message(mail, from_addr=self.sender, to_addrs=[to])
        finally:
            try:  # the message is the relay's once it answered the data: a failed goodbye changes nothing
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def smtp_messenger_from_env(environ: Mapping[str, str], settings: Settings) -> SmtpMessenger:
    """The relay from settings (host, port, user, STARTTLS) and its password from ``ACTIONBOT_SMTP_PASSWORD``.
    Raises ConfigError naming what is missing."""
    email = settings.email
    password = environ.get(PASSWORD_VARIABLE, "")
    if email.smtp_user and not password:
        raise ConfigError(f"{PASSWORD_VARIABLE} is not set: ACTIONBOT_SMTP_USER needs its password (environment only)")
    if password and not email.smtp_user:
        raise ConfigError(f"{PASSWORD_VARIABLE} is set but ACTIONBOT_SMTP_USER is not: set the account to log in as")
    return SmtpMessenger(
        email.smtp_host,
        email.smtp_port,
        email.sender,
        user=email.smtp_user or None,
        password=password or None,
        starttls=email.smtp_starttls,
        minimal=email.body == "minimal",
    )
