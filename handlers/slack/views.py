"""Block Kit view primitives the modals share: building an input block, a text element and a modal; reading
a submitted view's state and its date and time pickers. Pure functions: no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.capture.dates import WorkCalendar
from bot.capture.grammar import GrammarError, parse_when
from handlers.slack.blocks import Block, plain

#: The longest reason or note a modal takes.
MAX_REASON = 1000


# -- building -------------------------------------------------------------------------------------
def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": {**element, "action_id": block_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def text_element(
    multiline: bool = False, max_length: int = MAX_REASON, min_length: int = 0, placeholder: str = ""
) -> Block:
    element: Block = {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}
    if min_length:
        element["min_length"] = min_length
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def modal(callback_id: str, title: str, submit: str, metadata: str, blocks: list[Block]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "private_metadata": metadata,
        "blocks": blocks,
    }


# -- reading --------------------------------------------------------------------------------------
def state_of(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    """One input's submitted state (our modals give each block and its element the same id)."""
    values: dict[str, Any] = (view.get("state") or {}).get("values") or {}
    return dict((values.get(block_id) or {}).get(block_id) or {})


def text_value(view: dict[str, Any], block_id: str) -> str:
    return " ".join(str(state_of(view, block_id).get("value") or "").split())


def picked_when(
    view: dict[str, Any], date_block: str, time_block: str | None, now: datetime, cal: WorkCalendar, what: str
) -> tuple[datetime, tuple[str, ...]]:
    """A date picker (and an optional time picker) read as the typed command reads a date: 17:00 when no time
    is given, with the same warnings."""
    day = state_of(view, date_block).get("selected_date")
    if not day:
        raise GrammarError(f"Pick the {what}.")
    wall = state_of(view, time_block).get("selected_time") if time_block else None
    return parse_when(f"{day} {wall}" if wall else str(day), now, cal, what)
