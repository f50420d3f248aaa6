"""Test doubles for the platform port (the chat platforms are external; the core is always real)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from bot.actions.messages import Message
from bot.actions.ports import Delivered, DeliveryError
from bot.actions.records import PersonView


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


class FileMessenger:
    """Appends one line per message to a file (O_APPEND keeps lines whole across processes)."""

    channel = "slack"

    def __init__(self, path: str) -> None:
        self.path = path

    def can_reach(self, person: PersonView) -> bool:
        return bool(person.handle or person.slack_user_id)

    def _append(self, line: str) -> Delivered:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return Delivered(self.channel, line)

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        return self._append(f"{person.name}\t{message.title}")

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        return self._append(f"#{conversation_id}\t{message.title}")

    def update(self, ref: str, message: Message) -> None:
        self._append(f"{ref}\t{message.title}")


def sweep_in_another_process(url: str, search_path: str | None, now_iso: str, out_path: str) -> int:
    """Run one sweep as a separate bot process would (its own engine, its own worker id)."""
    from bot.app import build_core
    from bot.config import Settings
    from storage.db import Database

    now = datetime.fromisoformat(now_iso)
    db = Database.from_url(url, search_path=search_path)
    try:
        core = build_core(Settings(database_url=url), db=db, clock=lambda: now, messengers=[FileMessenger(out_path)])
        return core.chaser.sweep(now).sent
    finally:
        db.dispose()
