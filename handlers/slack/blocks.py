"""bot.actions.messages.Message -> Slack Block Kit.

Everything that came from a person (tasks, titles, reasons, names) is escaped, so a task cannot ping
``<!channel>`` or forge a link. People with a Slack id are shown as mentions. Slack's limits (3000
characters a section, 10 fields a section, 50 blocks a message) are respected by cutting, never by
failing: the action log holds the full text.
"""

from __future__ import annotations

from typing import Any

from bot.actions import markup
from bot.actions.messages import Field, Message
from bot.actions.records import PersonView

Block = dict[str, Any]

MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_BLOCKS = 50
MAX_BUTTON_TEXT = 75
MAX_FALLBACK = 3000


def escape(text: str) -> str:
    """Typed text made inert in mrkdwn (bot.actions.markup)."""
    return markup.mrkdwn(text)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def person_text(person: PersonView | None, name: str) -> str:
    if person is not None and person.slack_user_id:
        return f"<@{person.slack_user_id}>"
    return escape(name)


def _field_text(field: Field) -> str:
    value = person_text(field.person, field.value) if field.person is not None else escape(field.value)
    return cut(f"*{escape(field.label)}*\n{value}", MAX_FIELD)


def mrkdwn(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, MAX_SECTION)}}


def plain(text: str, limit: int = MAX_SECTION) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit), "emoji": True}


def _chunks(lines: list[str], limit: int = MAX_SECTION) -> list[str]:
    """Lines joined into sections of at most ``limit`` characters (a long line is cut)."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = cut(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            out.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        out.append(current)
    return out


def fallback(message: Message) -> str:
    """The notification text (also what screen readers and old clients show)."""
    return cut(escape(message.fallback), MAX_FALLBACK)


#: The actions block of a digest's part is named with this prefix: a press there must not replace the
#: whole digest with one card (handlers/slack/actions.py).
DIGEST_BLOCK = "digest:"
#: Blocks one digest part may take (a divider, the title, fields, notes, buttons).
PART_BLOCKS = 6


def buttons_block(message: Message, block_id: str | None = None) -> Block | None:
    if not message.buttons:
        return None
    elements = []
    for button in message.buttons[:25]:
        element: dict[str, Any] = {
            "type": "button",
            "action_id": button.action_id,
            "text": plain(button.label, MAX_BUTTON_TEXT),
            "value": button.value,
        }
        if button.style in ("primary", "danger"):
            element["style"] = button.style
        elements.append(element)
    block: Block = {"type": "actions", "elements": elements}
    if block_id:
        block["block_id"] = block_id
    return block


def digest_blocks(message: Message) -> list[Block]:
    """A digest: its title, then each part as a card of its own (a divider between), each with buttons."""
    blocks: list[Block] = [mrkdwn(f"*{escape(message.title)}*")]
    for index, part in enumerate(message.parts):
        if len(blocks) + PART_BLOCKS > MAX_BLOCKS:
            blocks.append(mrkdwn(f"_(and {len(message.parts) - index} more: see /actions)_"))
            break
        card = message_blocks(part, f"{DIGEST_BLOCK}{index}")
        if len(card) > PART_BLOCKS - 1:  # keep its buttons, the last block
            card = [*card[: PART_BLOCKS - 2], card[-1]]
        blocks.extend([{"type": "divider"}, *card])
    return blocks


def message_blocks(message: Message, block_id: str | None = None) -> list[Block]:
    if message.parts:
        return digest_blocks(message)
    blocks: list[Block] = [mrkdwn(f"*{escape(message.title)}*")]
    if message.text:
        blocks.extend(mrkdwn(chunk) for chunk in _chunks(escape(message.text).splitlines()))
        mentions = list(
            dict.fromkeys(f"<@{f.person.slack_user_id}>" for f in message.fields if f.person and f.person.slack_user_id)
        )
        if mentions:
            blocks.append(
                {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(" ".join(mentions), MAX_SECTION)}]}
            )
    elif message.fields:
        for start in range(0, len(message.fields), MAX_FIELDS):
            group = message.fields[start : start + MAX_FIELDS]
            blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": _field_text(f)} for f in group]})
    if message.notes:
        blocks.extend(mrkdwn(chunk) for chunk in _chunks([f":warning: {escape(note)}" for note in message.notes]))
    actions = buttons_block(message, block_id)
    if len(blocks) > MAX_BLOCKS - (1 if actions else 0):
        blocks = blocks[: MAX_BLOCKS - 2 if actions else MAX_BLOCKS - 1]
        blocks.append(mrkdwn("_(cut short: see /actions or the action log for the rest)_"))
    if actions is not None:
        blocks.append(actions)
    return blocks
