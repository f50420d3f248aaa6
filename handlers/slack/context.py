"""What every Slack listener shares: the core, the Web API, and the ways of answering someone.

One SlackContext is built per Bolt app and handed to the listeners (no module-level state). A request
that may change something is written into the durable inbox before it is acknowledged (``durable()``)
and worked from there (``process()``); what changes nothing (opening a modal, the App Home) runs as a
Bolt lazy listener (``lazy()``). A failure is logged with ids and error codes only (an exception's text
may quote the database's parameters) and the person who asked is told it did not finish.
"""

from __future__ import annotations

import hashlib
import json
import logging
import traceback
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack
from slack_bolt.request import BoltRequest

from bot.actions.messages import Message, action_card
from bot.actions.people import PersonInput
from bot.actions.ports import Delivered, DeliveryError
from bot.actions.records import ActionView
from bot.app import Core
from bot.capture.owners import OwnerRef
from bot.inbox import Work as InboxWork
from handlers.slack.blocks import escape, fallback, message_blocks
from handlers.slack.client import CALL_ERRORS, error_code, webhook_client
from handlers.slack.directory import SlackDirectory
from handlers.slack.messenger import SlackMessenger

log = logging.getLogger("actionbot.slack")

SORRY = Message(
    title="Sorry: something went wrong on actionbot's side and this was not finished.",
    text="Check /actions before you try again. The operator's log has the details.",
)

#: A listener's work on a request body (run later: by an inbox worker, or as a Bolt lazy listener).
Work = Callable[[dict[str, Any]], None]
#: Answers a request in the ack instead of storing it (returns True when it did): a modal's errors.
Check = Callable[[Ack, dict[str, Any]], bool]
Listener = Callable[[Ack, dict[str, Any], BoltRequest], None]

BUSY = "Got it. I am busy just now: your answer will take a moment to appear here."


class Overloaded(Exception):
    """The inbox cannot take the request now (too far behind, or the database did not answer in time):
    answered with 503, so Slack delivers the request again later."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def ack_now(ack: Ack) -> None:
    ack()


def request_key(body: dict[str, Any]) -> str:
    """The inbox key of a Slack request: Slack's own id for it, the same on every re-delivery."""
    for field in ("trigger_id", "event_id"):
        value = body.get(field)
        if isinstance(value, str) and value:
            if len(value) <= 120 and value.isascii() and value.isprintable():
                return f"slack:{field}:{value}"
            return f"slack:{field}#" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return "slack:body:" + hashlib.sha256(canonical).hexdigest()


def retry_number(request: BoltRequest) -> int:
    """Slack's X-Slack-Retry-Num (0 for a first delivery)."""
    values = request.headers.get("x-slack-retry-num") or ["0"]
    try:
        return int(values[0])
    except (TypeError, ValueError):
        return 0


class SlackContext:
    def __init__(
        self, core: Core, messenger: SlackMessenger, directory: SlackDirectory, *, bot_user_id: str | None
    ) -> None:
        self.core = core
        self.messenger = messenger
        self.directory = directory
        self.client = messenger.client
        self.bot_user_id = bot_user_id
        self.works: dict[str, Work] = {}

    # -- the core's view of things ----------------------------------------------------------------
    def now(self) -> datetime:
        return self.core.service.clock()

    @property
    def zone(self) -> ZoneInfo:
        return self.core.calendar.zone

    def person(self, user_id: str) -> PersonInput:
        """A Slack user as the core wants them: their id plus what users.info says (name, email, zone).
        A failed lookup costs only the detail; the id is enough to act."""
        try:
            profile = self.directory.profile(user_id)
        except CALL_ERRORS as error:
            log.warning("users.info for %s failed: %s", user_id, error_code(error))
            profile = None
        return PersonInput(OwnerRef("slack", user_id), profile)

    def card(self, action: ActionView, heading: str, notes: tuple[str, ...] = ()) -> Message:
        return action_card(action, self.zone, self.now(), heading=heading, notes=notes)

    def wake_sweeper(self) -> None:
        """Ask the sweeper to send what the change made due (owners' confirmations, escalations, re-posted
        cards). Only wakes its thread: a request's worker never sends nudges itself."""
        self.core.sweeper.wake()

    # -- answering --------------------------------------------------------------------------------
    def post(self, channel: str, message: Message) -> Delivered:
        return self.messenger.post_to_conversation(channel, message)

    def reply(self, response_url: str | None, message: Message, *, public: bool = False) -> bool:
        """Answer a slash command through its response_url: only the caller sees it unless ``public``."""
        if not response_url:
            return False
        try:
            response = webhook_client(response_url).send(
                text=fallback(message),
                blocks=message_blocks(message),
                response_type="in_channel" if public else "ephemeral",
                replace_original=False,
            )
        except CALL_ERRORS as error:
            log.warning("response_url reply failed: %s", error_code(error))
            return False
        if response.status_code != 200:
            log.warning("response_url reply failed: http_%s", response.status_code)
            return False
        return True

    def reply_blocks(self, response_url: str | None, text: str, blocks: list[dict[str, Any]]) -> bool:
        """A private answer already rendered as Block Kit (the drift report's own blocks)."""
        if not response_url:
            return False
        try:
            response = webhook_client(response_url).send(
                text=escape(text), blocks=blocks, response_type="ephemeral", replace_original=False
            )
        except CALL_ERRORS as error:
            log.warning("response_url reply failed: %s", error_code(error))
            return False
        return response.status_code == 200

    def tell(self, user_id: str, channel: str | None, message: Message) -> None:
        """Something only this person should see: ephemeral in the conversation, else a direct message."""
        if channel:
            try:
                self.messenger.ephemeral(channel, user_id, message)
                return
            except DeliveryError:
                pass  # logged by the messenger; fall back to a direct message
        try:
            self.messenger.post_to_conversation(user_id, message)
        except DeliveryError:
            log.error("could not tell user %s anything (ephemeral and DM both failed)", user_id)

    def apologise(self, body: dict[str, Any]) -> None:
        user = body.get("user_id") or (body.get("user") or {}).get("id")
        if self.reply(body.get("response_url"), SORRY):
            return
        channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
        if user:
            self.tell(str(user), channel, SORRY)

    # -- running listener bodies -----------------------------------------------------------------
    def durable(self, kind: str, work: Work, check: Check | None = None) -> Listener:
        """A listener that writes the request into the inbox (committed) and only then acknowledges it;
        ``work`` runs later on an inbox worker (``process``). ``check`` may answer at once instead (a modal's
        errors go back into the modal, and nothing is stored). A backlog past the inbox's limit is refused
        with 503 (``Overloaded``) so that Slack delivers it again later; a busy one is acknowledged with a
        note that the answer will take a moment."""
        self.works[kind] = work

        def listener(ack: Ack, body: dict[str, Any], request: BoltRequest) -> None:
            if check is not None and check(ack, body):
                return
            inbox = self.core.inbox
            pressure = inbox.pressure()
            if pressure.full:
                raise Overloaded(f"{pressure.backlog} requests behind")
            try:
                receipt = inbox.accept(request_key(body), "slack", kind, {"body": body, "retry": retry_number(request)})
            except Exception as error:  # not stored, so not acknowledged: Slack sends it again
                raise Overloaded(f"the database did not take it ({error_code(error)})") from None
            if not receipt.new:
                log.info("slack %s re-delivered (retry %s): already received", kind, retry_number(request))
            if pressure.busy and "command" in body:
                ack(text=BUSY)
            else:
                ack()

        listener.__name__ = listener.__qualname__ = f"durable_{kind.replace(' ', '_').replace('/', '')}"
        return listener

    def process(self, item: InboxWork) -> None:
        """The inbox's processor for Slack: run the stored request's work. An exception goes back to the
        inbox, which tries again later; on the last attempt the person is told it did not finish."""
        body: dict[str, Any] = item.payload["body"]
        try:
            self.works[item.kind](body)
        except Exception as error:
            if item.last:
                self._failed(item.kind, body, error)
            raise

    def lazy(self, kind: str, work: Work) -> Callable[[dict[str, Any]], None]:
        """Wrap a listener body for Bolt's lazy runner, for what changes nothing (opening a modal, the App
        Home): nothing to keep if it is lost, and a modal's trigger id lives only 3 seconds."""

        def run(body: dict[str, Any]) -> None:
            try:
                work(body)
            except Exception as error:  # logged without its text, and the person is told; nothing to re-raise to
                self._failed(kind, body, error)

        run.__name__ = run.__qualname__ = f"lazy_{kind.replace(' ', '_').replace('/', '')}"
        return run

    def _failed(self, kind: str, body: dict[str, Any], error: Exception) -> None:
        frames = "".join(traceback.format_tb(error.__traceback__))
        log.error("slack %s failed: %s\n%s", kind, error_code(error), frames)
        try:
            self.apologise(body)
        except Exception as second:  # the apology is best effort; the error above is what matters
            log.error("slack %s: apology failed too: %s", kind, error_code(second))
