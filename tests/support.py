"""Test doubles for the platform port (the chat platforms are external; the core is always real)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from bot.messages import Message
from bot.ports import Delivered, DeliveryError
from bot.records import PersonView


@dataclass
class Sent:
    to: str
    title: str
    at: datetime | None


@dataclass
class RecordingMessenger:
    """Reaches anyone with a handle or a Slack id; records what it sends; can be told to fail."""

    clock: object = None
    channel: str = "slack"
    sent: list[Sent] = field(default_factory=list)
    failures: int = 0  # fail this many sends before succeeding
    permanent: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def can_reach(self, person: PersonView) -> bool:
        return bool(person.handle or person.slack_user_id)

    def _send(self, to: str, message: Message) -> Delivered:
        with self.lock:
            if self.failures > 0:
                self.failures -= 1
                raise DeliveryError("platform said: internal_error", retry_after=None, permanent=self.permanent)
            now = self.clock() if callable(self.clock) else None
            self.sent.append(Sent(to, message.title, now))
            return Delivered(self.channel, f"m{len(self.sent)}")

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        return self._send(person.name, message)

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        return self._send(f"#{conversation_id}", message)

    def update(self, ref: str, message: Message) -> None:
        self._send(ref, message)

    def titles(self) -> list[tuple[str, str]]:
        return [(s.to, s.title) for s in self.sent]
