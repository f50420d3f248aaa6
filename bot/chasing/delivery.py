"""Choosing how to reach someone: their chat platform, else email, else nobody (recorded as unreachable)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.actions.ports import Messenger
from bot.actions.records import PersonView


class Router:
    """Messengers in order of preference (e.g. Slack, Teams, email). The first that can reach a person wins."""

    def __init__(self, messengers: Sequence[Messenger] = ()) -> None:
        self.messengers = list(messengers)

    def add(self, messenger: Messenger) -> None:
        self.messengers.append(messenger)

    def for_person(self, person: PersonView) -> Messenger | None:
        if not person.active:
            return None
        return next((m for m in self.messengers if m.can_reach(person)), None)

    def channels_for(self, person: PersonView) -> tuple[str, ...]:
        """Every channel that can reach the person, in order: the first is used, the later ones are where a
        messenger falls back to when its platform refuses (Slack's and Teams' email fallback). Empty: nobody."""
        if not person.active:
            return ()
        return tuple(m.channel for m in self.messengers if m.can_reach(person))

    def for_conversation(self, platform: str) -> Messenger | None:
        return next((m for m in self.messengers if m.channel == platform), None)
