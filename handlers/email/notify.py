"""Email through GOV.UK Notify (``ACTIONBOT_EMAIL=notify``), with its official client
(notifications-python-client).

One email template, whose subject is ``((subject))`` and whose body is ``((body))``; each message fills them
with its title and its plain-text form (handlers.email.render.render_plain: Notify lays out plain text
itself). The ``reference`` Notify keeps with each message is ``actionbot-`` and the message's key
(``actionbot-nudge-123``): no personal data. It makes a send exactly-once: before sending a message with a
key, Notify is asked for notifications with that reference, and one found (sent by an attempt whose answer
was lost to a timeout) is taken as this send. So one Notify service must serve one actionbot database.

What Notify says of each message later (delivered, or refused by the recipient's provider) is read back
through ``status_of`` (bot.actions.ports.DeliveryStatus; bot.chasing.bounces runs it every 10 minutes).

Errors (Notify's documented ones) as the chaser understands them: 400 ``ValidationError``/``BadRequestError``
about the email address is an address failure; a recipient refused because the service is in trial mode or
the key is a team key is permanent, as are other 400s and 403 (a bad key); 429 waits (seconds, or an hour
for the daily limit); 5xx, timeouts and connection failures are temporary. Errors and logs carry person ids,
status codes and Notify's error names only.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from typing import Any

from notifications_python_client.errors import APIError, HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from bot.actions.messages import Message
from bot.actions.ports import Delivered, DeliveryError
from bot.actions.records import PersonView
from bot.chasing.pacing import SendLimits
from bot.config import ConfigError, Settings
from handlers.email.channel import EmailChannel
from handlers.email.render import one_line, render_plain

log = logging.getLogger("actionbot.email.notify")

KEY_VARIABLE = "NOTIFY_API_KEY"
_UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
#: ``{key name}-{service id}-{secret}``, as Notify shows a new API key.
_API_KEY = re.compile(rf"^\S+-{_UUID}-{_UUID}$")
#: After a 429: Notify refills its per-minute allowance continuously (50 requests a second at 3,000 a minute), so
#: a short pause is enough; its daily limit resets at midnight, so an hour between tries is plenty.
RATE_LIMIT_WAIT = 10.0
DAILY_LIMIT_WAIT = 3600.0


def valid_api_key(key: str) -> bool:
    return bool(_API_KEY.match(key))


def _errors(error: APIError) -> list[tuple[str, str]]:
    """Notify's ``errors`` list as (error, message) pairs; empty when the answer had none (a timeout)."""
    try:
        body = error.response.json() if error.response is not None else None
    except ValueError:
        return []
    items = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return []
    return [(str(i.get("error", "")), str(i.get("message", ""))) for i in items if isinstance(i, dict)]


def notify_error(what: str, error: BaseException) -> DeliveryError:
    """A Notify client failure as the chaser understands it (no address or message text in it)."""
    if isinstance(error, DeliveryError):
        return error
    if not isinstance(error, HTTPError):
        return DeliveryError(f"notify {what}: {error.__class__.__name__}")  # an unreadable answer: try later
    status = error.status_code
    errors = _errors(error)
    names = ", ".join(sorted({name for name, _ in errors})) or "no details"
    if status == 429:
        daily = any(name == "TooManyRequestsError" for name, _ in errors)
        wait = DAILY_LIMIT_WAIT if daily else RATE_LIMIT_WAIT
        return DeliveryError(f"notify {what}: {'daily' if daily else 'rate'} limit reached (429)", retry_after=wait)
    if status == 400:
        if any("recipient" in message.lower() for _, message in errors):
            # "Can't send to this recipient when service is in trial mode" / "... using a team-only API key":
            # the address may be fine; the service must go live, or the person join its guest list.
            guest_list = f"notify {what}: recipient not on the service's guest list (400 {names})"
            return DeliveryError(guest_list, permanent=True)
        address = any(
            name in ("ValidationError", "BadRequestError") and ("email_address" in text or "email address" in text)
            for name, text in errors
        )
        reason = "the address was refused" if address else "refused"
        return DeliveryError(f"notify {what}: {reason} (400 {names})", permanent=True, address_failed=address)
    if status == 403:
        return DeliveryError(f"notify {what}: the API key was refused (403 {names})", permanent=True)
    if status >= 500:  # the client reports a timeout or a lost connection as 503 too
        return DeliveryError(f"notify {what}: service unavailable ({status})")
    return DeliveryError(f"notify {what}: refused ({status} {names})", permanent=400 <= status < 500)


class NotifyMessenger(EmailChannel):
    """The ``email`` channel through GOV.UK Notify; also reports what became of each message (``status_of``)."""

    ref_prefix = "notify:"
    #: GOV.UK Notify allows 3,000 requests a minute per API key type (docs.notifications.service.gov.uk, "Rate
    #: limits"). A send costs two (the look-up by reference, then the send) and its status is read once
    #: more later: 1,000 sends a minute stays within the limit with room for a second instance.
    limits = SendLimits(per_minute=1000, in_flight=8)

    def __init__(
        self,
        api_key: str,
        template_id: str,
        *,
        base_url: str = "https://api.notifications.service.gov.uk",
        minimal: bool = True,
        timeout: float = 30.0,
    ) -> None:
        self._api_key = api_key
        self.template_id = template_id
        self.base_url = base_url
        self.minimal = minimal
        self.timeout = timeout
        self._local = threading.local()  # the client is not thread-safe (one requests session each)

    def __repr__(self) -> str:
        return f"NotifyMessenger({self.base_url})"

    def _client(self) -> NotificationsAPIClient:
        client: NotificationsAPIClient | None = getattr(self._local, "client", None)
        if client is None:
            client = NotificationsAPIClient(  # type: ignore[no-untyped-call]
                self._api_key, base_url=self.base_url, timeout=self.timeout
            )
            self._local.client = client
        return client

    @staticmethod
    def reference(key: str) -> str:
        return f"actionbot-{key}"

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        if not person.email:
            raise DeliveryError("email: the person has no address", permanent=True)
        client = self._client()
        reference = self.reference(message.key) if message.key else None
        try:
            if reference is not None and (earlier := self._sent_before(client, reference)) is not None:
                log.info("GOV.UK Notify already had email %s for person %s: not sent again", reference, person.id)
                return Delivered(self.channel, f"{self.ref_prefix}{earlier}")
            answer: dict[str, Any] = client.send_email_notification(  # type: ignore[no-untyped-call]
                email_address=person.email,
                template_id=self.template_id,
                personalisation={
                    "subject": one_line(message.title),
                    "body": render_plain(message, minimal=self.minimal),
                },
                reference=reference,
            )
        except APIError as error:
            raise notify_error("send", error) from None
        log.info("emailed person %s by GOV.UK Notify (%s)", person.id, reference or "no reference")
        return Delivered(self.channel, f"{self.ref_prefix}{answer['id']}")

    @staticmethod
    def _sent_before(client: NotificationsAPIClient, reference: str) -> str | None:
        """The id of an email already sent with this reference (not one Notify itself failed to send)."""
        found: dict[str, Any] = client.get_all_notifications(  # type: ignore[no-untyped-call]
            reference=reference, template_type="email"
        )
        for notification in found.get("notifications") or []:
            if notification.get("status") != "technical-failure":
                return str(notification["id"])
        return None

    def status_of(self, ref: str) -> str | None:
        if not ref.startswith(self.ref_prefix):
            return None
        try:
            found: dict[str, Any] = self._client().get_notification_by_id(  # type: ignore[no-untyped-call]
                ref.removeprefix(self.ref_prefix)
            )
        except APIError as error:
            if isinstance(error, HTTPError) and error.status_code in (400, 404):
                return None  # not a notification of this service, or gone (past its data retention)
            raise notify_error("status", error) from None
        status = found.get("status")
        return status if isinstance(status, str) else None


def notify_messenger_from_env(environ: Mapping[str, str], settings: Settings) -> NotifyMessenger:
    """Notify from settings (template, base URL) and its API key from ``NOTIFY_API_KEY``. Raises ConfigError
    naming the variable (never showing the key)."""
    key = environ.get(KEY_VARIABLE, "").strip()
    if not key:
        raise ConfigError(f"{KEY_VARIABLE} is not set: ACTIONBOT_EMAIL=notify needs a GOV.UK Notify API key")
    if not valid_api_key(key):
        raise ConfigError(
            f"{KEY_VARIABLE} is malformed: use the whole key Notify showed ({{key name}}-{{service id}}-{{secret}})"
        )
    email = settings.email
    return NotifyMessenger(
        key, email.notify_template_id, base_url=email.notify_base_url, minimal=email.body == "minimal"
    )
