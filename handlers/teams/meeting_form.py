"""``meeting start`` with nothing after it, in Teams: the card offering the form (built in cards.py) and its
submission, read into the core's start of a meeting with the chosen type."""

from __future__ import annotations

from typing import Any

from bot.actions.outcome import Outcome
from bot.actions.people import PersonInput
from bot.actions.service import ConversationRef
from bot.app import Core
from handlers.teams.cards import MEETING_CASE, MEETING_KIND, MEETING_TITLE


def start_from_form(core: Core, speaker: PersonInput, conversation: str, data: dict[str, Any]) -> Outcome:
    """The form's chosen type, title and case reference, as ``meeting start`` with that type."""
    case = " ".join(str(data.get(MEETING_CASE) or "").split()).lstrip("#")
    text = " ".join(str(data.get(MEETING_TITLE) or "").split()) + (f" #{case}" if case else "")
    kind = str(data.get(MEETING_KIND) or "") or None
    return core.commands.start_meeting(text, speaker, ConversationRef("teams", conversation), kind=kind)
