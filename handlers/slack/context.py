"""What every Slack listener shares: the core, the Web API, and the ways of answering someone.

One SlackContext is built per Bolt app and handed to the listeners (no module-level state). Listener
bodies run as Bolt lazy listeners, after the ack: ``lazy()`` wraps them so a failure is logged with
ids and error codes only (an exception's text may quote the database's parameters) and the person who
asked is told it did not finish.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.request import BoltRequest

from bot.app import Core
from bot.grammar import OwnerRef
from bot.messages import Message, action_card
from bot.people import PersonInput
from bot.ports import Delivered, DeliveryError
from bot.records import ActionView
from handlers.slack.blocks import escape, fallback, message_blocks
from handlers.slack.client import CALL_ERRORS, error_code, webhook_client
from handlers.slack.directory import SlackDirectory
from handlers.slack.messenger import SlackMessenger

log = logging.getLogger("actionbot.slack")

SORRY = Message(
    title="Sorry: something went wrong on actionbot's side and this was not finished.",
    text="Check /actions before you try again. The operator's log has the details.",
)

LazyWork = Callable[[dict[str, Any], BoltRequest], None]


class RecentKeys:
    """Keys seen in the last few minutes (a bounded map): drops Slack's re-deliveries of a button press.
    Per process; recording an action is protected across processes by the database's request keys."""

    def __init__(self, ttl: float = 600.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now:
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now + self.ttl
            while len(self._seen) > self.max_entries:
                self._seen.popitem(last=False)
            return True


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
        self.recent = RecentKeys()

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

    def sweep(self) -> None:
        """Send what the change made due now (owners' confirmations, escalations, re-posted cards).

        Best effort: what it does not send stays in the outbox for the scheduler's next sweep, so a
        failure here is logged and does not turn the (already recorded) change into an error."""
        try:
            report = self.core.chaser.sweep()
        except Exception as error:  # the outbox keeps everything; the next scheduled sweep retries
            log.error("sweep after a change failed: %s", error_code(error))
            return
        if report.items:
            log.info("sweep: %s sent, %s failed", report.sent, report.count("failed"))

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
    def lazy(self, kind: str, work: LazyWork) -> Callable[[dict[str, Any], BoltRequest], None]:
        """Wrap a listener body for Bolt's lazy runner (which would log the exception's text)."""

        def run(body: dict[str, Any], request: BoltRequest) -> None:
            try:
                work(body, request)
            except Exception as error:  # logged without its text, and the person is told; nothing to re-raise to
                frames = "".join(traceback.format_tb(error.__traceback__))
                log.error("slack %s failed: %s\n%s", kind, error_code(error), frames)
                try:
                    self.apologise(body)
                except Exception as second:  # the apology is best effort; the error above is what matters
                    log.error("slack %s: apology failed too: %s", kind, error_code(second))

        run.__name__ = run.__qualname__ = f"lazy_{kind.replace(' ', '_').replace('/', '')}"
        return run
