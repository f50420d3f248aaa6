"""A Teams outgoing webhook (``POST /api/webhook``): for channels where the app cannot be installed.

Teams signs each request: ``Authorization: HMAC <base64>`` is the HMAC-SHA256 of the raw body keyed
with the base64-decoded security token shown when the webhook was created (TEAMS_WEBHOOK_SECRET).
Anything else is refused with 401 before the body is even parsed, and so is a signed request whose
``timestamp`` is more than five minutes from now (a replay). The reply is the response itself (within
Teams' 5 seconds) and goes to the channel, so commands whose answers are private (``actions``,
``history``) are pointed to the personal chat instead, and a card about an action recorded in another
conversation is never put in the reply. There is no proactive delivery here.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from bot.actions import authz
from bot.actions.messages import Message
from bot.actions.outcome import Outcome
from bot.actions.service import ConversationRef
from handlers.teams.cards import card_json
from handlers.teams.conversations import base_conversation_id
from handlers.teams.identity import request_key, speaker_of
from handlers.teams.text import Mentioned, command_text, split_command

if TYPE_CHECKING:
    from bot.app import Core

log = logging.getLogger("actionbot.teams.webhook")

PATH = "/api/webhook"
#: Teams waits 5 s for the answer; leave room for the network.
ANSWER_WITHIN = 4.0
PRIVATE_COMMANDS = frozenset({"actions", "history", "drift", "away", "snooze", "case"})
#: A signed request older (or newer) than this is refused as a replay.
REPLAY_WINDOW = timedelta(minutes=5)
ELSEWHERE = Message(
    "That answer is for you only",
    text="The action was recorded in another conversation: ask in your personal chat with actionbot.",
)


def signature(secret: bytes, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode("ascii")


def verify(secret: bytes, body: bytes, authorization: str | None) -> bool:
    """Whether ``Authorization: HMAC <base64>`` signs exactly this body with the shared secret."""
    scheme, _, given = (authorization or "").strip().partition(" ")
    if scheme != "HMAC" or not given:
        return False
    return hmac.compare_digest(signature(secret, body).encode(), given.strip().encode())


def _reply(*messages: Message, today: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card_json(m, today)} for m in messages
        ],
    }


@dataclass(frozen=True)
class WebhookMessage:
    """The fields of an outgoing-webhook activity that actionbot reads."""

    id: str | None
    sent_at: datetime
    sender_object_id: str
    sender_name: str | None
    conversation: str
    text: str
    tenant: str | None
    mentions: tuple[Mentioned, ...]


def read_message(body: bytes) -> WebhookMessage:
    """The activity's fields, type-checked. Raises ValueError for anything that is not a Teams message."""
    try:
        payload = json.loads(body)
        sender = payload["from"]
        channel_data = payload.get("channelData") or {}
        tenant = (channel_data.get("tenant") or {}).get("id")
        sent_at = datetime.fromisoformat(str(payload["timestamp"]).replace("Z", "+00:00"))
        if sent_at.tzinfo is None:
            raise ValueError("timestamp without an offset")
        mentions = tuple(
            Mentioned(
                e.get("text"), str(e["mentioned"]["id"]), e["mentioned"].get("name"), e["mentioned"].get("aadObjectId")
            )
            for e in payload.get("entities") or []
            if isinstance(e, dict) and e.get("type") == "mention" and isinstance(e.get("mentioned"), dict)
        )
        return WebhookMessage(
            id=str(payload["id"]) if payload.get("id") else None,
            sent_at=sent_at,
            sender_object_id=str(sender["aadObjectId"]).lower(),
            sender_name=sender.get("name"),
            conversation=base_conversation_id(str(payload["conversation"]["id"])),
            text=str(payload.get("text") or ""),
            tenant=str(tenant) if tenant else None,
            mentions=mentions,
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError("not a Teams message") from error


def answer_for_channel(outcome: Outcome, conversation: str) -> list[Message]:
    """What of an outcome may go in the channel's reply: the room's message, and the speaker's private one
    unless it is a card about an action recorded in another conversation."""
    messages = [outcome.public] if outcome.public is not None else []
    if outcome.private is not None:
        action = outcome.action
        shown_here = action is None or authz.may_show_in(action.origin, "teams", conversation)
        messages.append(outcome.private if shown_here else ELSEWHERE)
    return messages


def add_webhook(app: FastAPI, core: Core, tenant_id: str | None, secret: bytes) -> None:
    """``POST /api/webhook``: a channel's outgoing webhook, answered with the command's card within 5 s."""

    async def outgoing_webhook(request: Request) -> Response:
        body = await request.body()  # at most inbound.MAX_BODY: the app's middleware refuses more
        if not verify(secret, body, request.headers.get("authorization")):
            log.warning("refused an outgoing-webhook request with a bad signature")
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        try:
            message = read_message(body)
        except ValueError:
            return JSONResponse({"error": "not a Teams message"}, status_code=400)
        now = core.service.clock()
        if abs(now - message.sent_at) > REPLAY_WINDOW:
            log.warning("refused a stale outgoing-webhook request")
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        if tenant_id and (message.tenant or "").lower() != tenant_id:
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        command, rest = split_command(command_text(message.text, message.mentions, {}))
        command = command or "help"
        today = core.calendar.today(now)
        if command in PRIVATE_COMMANDS:
            note = Message(
                f"\u201c{command}\u201d answers only to you",
                text="Ask in your personal chat with actionbot: this webhook can only answer in the channel.",
            )
            return JSONResponse(_reply(note, today=today))
        work = asyncio.to_thread(
            core.commands.run,
            command,
            rest,
            speaker_of(message.sender_object_id, message.sender_name),
            ConversationRef("teams", message.conversation),
            idempotency_key=request_key(message.conversation, message.id) if message.id else None,
        )
        try:
            outcome: Outcome = await asyncio.wait_for(work, ANSWER_WITHIN)
        except TimeoutError:
            # the command carries on in its thread; its effect shows in the channel's next answers
            slow = Message("Still working on that.", text="Check with the app (or ask again) in a minute.")
            return JSONResponse(_reply(slow, today=today))
        log.info("teams webhook command from %s: %s", message.sender_object_id, "ok" if outcome.ok else "refused")
        return JSONResponse(_reply(*answer_for_channel(outcome, message.conversation), today=today))

    app.post(PATH)(outgoing_webhook)
