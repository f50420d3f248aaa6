"""The message shortcut "Record actions from this message": the message's action list (its text, or the action
table of a minutes .docx shared with it), read line by line and shown to the person who used it; nothing is
recorded until they confirm with /action confirm B-N."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.actions.messages import Message
from bot.actions.service import ConversationRef
from bot.capture.minutes import split_minutes
from bot.capture.minutes_docx import NotMinutes, read_docx
from handlers.slack.context import SlackContext
from handlers.slack.files import FileUnavailable, download, is_docx

RECORD_ACTIONS = "record_actions"
NO_TEXT = Message(
    title="That message has no text to read actions from.",
    text="Use the shortcut on a message that lists the actions, one per line (numbered or bulleted).",
)


def _lines(ctx: SlackContext, message: dict[str, Any]) -> list[str] | Message:
    """The message's action lines: its minutes document's table, else its text; or what to tell the person."""
    documents = [f for f in message.get("files") or [] if isinstance(f, dict) and is_docx(f)]
    if documents:
        try:
            data = download(documents[0], str(ctx.client.token), ctx.client.base_url)
            return read_docx(data)
        except (NotMinutes, FileUnavailable) as problem:
            return Message(title=str(problem))
    if message.get("files") and not str(message.get("text") or "").strip():
        return Message(title="That file is not a Word document (.docx); save the minutes as .docx and share it again.")
    lines = split_minutes(str(message.get("text") or ""))
    return lines or NO_TEXT


def register(app: App, ctx: SlackContext) -> None:
    def record_actions(body: dict[str, Any]) -> None:
        response_url = body.get("response_url")
        lines = _lines(ctx, body.get("message") or {})
        if isinstance(lines, Message):
            ctx.reply(response_url, lines)
            return
        outcome = ctx.core.commands.hold_lines(
            lines,
            ctx.person(str(body["user"]["id"])),
            ConversationRef("slack", str(body["channel"]["id"])),
            idempotency_key=f"slack:{body['trigger_id']}",
        )
        if outcome.private is not None:
            ctx.reply(response_url, outcome.private)

    app.shortcut(RECORD_ACTIONS)(ctx.durable("record actions shortcut", record_actions))
