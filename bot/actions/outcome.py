"""What a chat command hands back (an Outcome), and the small readers every command shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.actions.base import ServiceError
from bot.actions.messages import Message
from bot.actions.people import PersonInput
from bot.actions.records import ActionView, PersonView
from bot.capture.owners import OwnerRef

if TYPE_CHECKING:
    from bot.actions.names import Candidate
    from bot.actions.service import ActionService
    from bot.capture.grammar import ActionDraft

# "because" may end the text with the reason missing: the reason is then refused as missing, not read as a date.
# "because of the snow", "due to illness": the reason is "the snow", "illness" (it was "of the snow", or the date
# unreadable).
_BECAUSE = re.compile(
    r"\s+(?:(?:because(?:\s+of)?|reason:)(?:\s+|$)|(?:as|due\s+to|owing\s+to|--|-|\u2013|\u2014)\s+)", re.IGNORECASE
)
LEADING_BECAUSE = re.compile(r"^(?:because(?:\s+of)?|reason:|as|due\s+to|owing\s+to|--|\u2014)(?:\s+|$)", re.IGNORECASE)
# A reason after a comma or in brackets, when no word above says where it starts: "Monday 21st, mum ill".
_ASIDE = re.compile(r"^(?P<before>.+?)\s*(?:,\s*|\(\s*)(?P<reason>[^,()]+?)\s*\)?$")


@dataclass(frozen=True)
class Outcome:
    private: Message | None = None  # for the speaker only
    public: Message | None = None  # for the room
    action: ActionView | None = None
    ok: bool = True
    #: A repeat of a request already recorded (nothing new was written; the room already has the card).
    duplicate: bool = False
    #: Actions recorded together from a pasted list (one summary in the room, not a card each).
    recorded: tuple[ActionView, ...] = ()


#: Where one owner is given (/reassign, /meeting assign) and two are named.
TWO_OWNERS = (
    "One owner per action: that names two people. Give one; for work two people share, record one action each, "
    "so that each is chased for their own part."
)


def note(title: str, text: str | None = None) -> Message:
    return Message(title=title, text=text)


def error(text: str) -> Outcome:
    return Outcome(private=note(text), ok=False)


def split_ref(text: str) -> tuple[str, str]:
    """``A-12 because ...`` -> (``A-12``, ``...``)."""
    ref, _, rest = text.strip().partition(" ")
    if not ref:
        raise ServiceError("Say which action, e.g. A-12.")
    return ref, LEADING_BECAUSE.sub("", rest.strip())


def split_reason(text: str) -> tuple[str, str | None]:
    parts = _BECAUSE.split(text, maxsplit=1)
    return parts[0].strip(), (parts[1].strip().strip("()").strip() if len(parts) > 1 else None)


def reason_aside(text: str) -> tuple[str, str] | None:
    """``Monday 21st, mum ill`` -> (``Monday 21st``, ``mum ill``); ``23/12 (mum ill)`` the same; else None. For
    a caller to try when the whole text does not read and no "because" says where the reason starts."""
    found = _ASIDE.match(text)
    return (found["before"], found["reason"]) if found else None


class CommandPart:
    """What the command mixins of bot.actions.commands.Commands share: the service, its time zone, and
    looking up an owner as written."""

    service: ActionService
    _look_up: Callable[[OwnerRef], PersonInput]
    with_names_in_task: Callable[[ActionDraft], ActionDraft]
    candidates_for: Callable[[str], list[Candidate]]
    owner_notes: Callable[[PersonView], tuple[str, ...]]

    @property
    def zone(self) -> ZoneInfo:
        return self.service.calendar.zone
