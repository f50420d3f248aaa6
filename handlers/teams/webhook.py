"""A Teams outgoing webhook (``POST /api/webhook``): for channels where the app cannot be installed.

Teams signs each request: ``Authorization: HMAC <base64>`` is the HMAC-SHA256 of the raw body keyed
with the base64-decoded security token shown when the webhook was created (TEAMS_WEBHOOK_SECRET).
Anything else is refused with 401 before the body is even parsed. The reply is the response itself
(within Teams' 5 seconds) and goes to the channel, so commands whose answers are private (``actions``,
``history``) are pointed to the personal chat instead. There is no proactive delivery here.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from bot.commands import Outcome
from bot.messages import Message
from bot.service import ConversationRef
from handlers.teams.cards import card_json
from handlers.teams.conversations import base_conversation_id
from handlers.teams.text import Mentioned, command_text, split_command

if TYPE_CHECKING:
    from handlers.teams.app import TeamsBot

log = logging.getLogger("actionbot.teams.webhook")

PATH = "/api/webhook"
MAX_BODY = 256 * 1024
#: Teams waits 5 s for the answer; leave room for the network.
ANSWER_WITHIN = 4.0
PRIVATE_COMMANDS = frozenset({"actions", "history", "drift"})


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


def add_webhook(app: FastAPI, bot: TeamsBot, secret: bytes) -> None:
    core = bot.core

    async def outgoing_webhook(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
            return JSONResponse({"error": "too large"}, status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "too large"}, status_code=413)
        if not verify(secret, body, request.headers.get("authorization")):
            log.warning("refused an outgoing-webhook request with a bad signature")
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        try:
            payload = json.loads(body)
            sender = payload["from"]
            object_id = str(sender["aadObjectId"]).lower()
            conversation = base_conversation_id(str(payload["conversation"]["id"]))
            text = str(payload.get("text") or "")
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "not a Teams message"}, status_code=400)
        tenant = ((payload.get("channelData") or {}).get("tenant") or {}).get("id")
        if bot.settings.tenant_id and str(tenant or "").lower() != bot.settings.tenant_id:
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        mentions = [
            Mentioned(
                e.get("text"), str(e["mentioned"]["id"]), e["mentioned"].get("name"), e["mentioned"].get("aadObjectId")
            )
            for e in payload.get("entities") or []
            if isinstance(e, dict) and e.get("type") == "mention" and isinstance(e.get("mentioned"), dict)
        ]
        command, rest = split_command(command_text(text, mentions, {}))
        command = command or "help"
        today = core.calendar.today(core.service.clock())
        if command in PRIVATE_COMMANDS:
            note = Message(
                f"\u201c{command}\u201d answers only to you",
                text="Ask in your personal chat with actionbot: this webhook can only answer in the channel.",
            )
            return JSONResponse(_reply(note, today=today))
        from handlers.teams.app import request_key, speaker_of

        work = asyncio.to_thread(
            core.commands.run,
            command,
            rest,
            speaker_of(object_id, sender.get("name")),
            ConversationRef("teams", conversation),
            idempotency_key=request_key(conversation, str(payload["id"])) if payload.get("id") else None,
        )
        try:
            outcome: Outcome = await asyncio.wait_for(work, ANSWER_WITHIN)
        except TimeoutError:
            # the command carries on in its thread; its effect shows in the channel's next answers
            slow = Message("Still working on that.", text="Check with the app (or ask again) in a minute.")
            return JSONResponse(_reply(slow, today=today))
        log.info("teams webhook command from %s: %s", object_id, "ok" if outcome.ok else "refused")
        messages = [m for m in (outcome.public, outcome.private) if m is not None]
        return JSONResponse(_reply(*messages, today=today))

    app.post(PATH)(outgoing_webhook)
