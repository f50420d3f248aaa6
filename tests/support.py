"""Test doubles for the platform port (the chat platforms are external; the core is always real)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.actions.messages import Message
from bot.actions.ports import Delivered, DeliveryError
from bot.actions.records import PersonView
from bot.chasing.pacing import SendLimits


class Addressed:
    """The port's three sends as one ``_send(to, message)``: a person by name, a conversation as #id."""

    def _send(self, to: str, message: Message) -> Delivered:
        raise NotImplementedError

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        return self._send(person.name, message)

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        return self._send(f"#{conversation_id}", message)

    def update(self, ref: str, message: Message) -> None:
        self._send(ref, message)


@dataclass
class Sent:
    to: str
    title: str
    at: datetime | None
    message: Message | None = None


@dataclass
class RecordingMessenger(Addressed):
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
            self.sent.append(Sent(to, message.title, now, message))
            return Delivered(self.channel, f"m{len(self.sent)}")

    def titles(self) -> list[tuple[str, str]]:
        return [(s.to, s.title) for s in self.sent]


class FileMessenger:
    """Appends one line per message (per card of a digest) to a file (O_APPEND keeps lines whole across
    processes)."""

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
        """A digest writes a line per card it carries, in one write."""
        return self._append("\n".join(f"{person.name}\t{part.title}" for part in message.parts or (message,)))

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        return self._append(f"#{conversation_id}\t{message.title}")

    def update(self, ref: str, message: Message) -> None:
        self._append(f"{ref}\t{message.title}")


def sweep_in_another_process(
    url: str, search_path: str | None, now_iso: str, out_path: str, digest: bool = False
) -> int:
    """Run one sweep as a separate bot process would (its own engine, its own worker id)."""
    from bot.app import build_core
    from bot.config import ChaseSettings, Settings
    from storage.db import Database

    now = datetime.fromisoformat(now_iso)
    db = Database.from_url(url, search_path=search_path)
    try:
        settings = Settings(database_url=url, chase=ChaseSettings(digest=digest))
        core = build_core(settings, db=db, clock=lambda: now, messengers=[FileMessenger(out_path)])
        return core.chaser.sweep(now).sent
    finally:
        db.dispose()


@dataclass
class Call:
    to: str
    title: str
    started: float
    ended: float = 0.0


@dataclass
class PacedMessenger(Addressed):
    """A platform with latency and declared limits (bot.chasing.pacing): records when each call started
    and ended and the most calls ever open at once; ``refuse`` maps a recipient to the errors their next
    calls raise (a 429 with Retry-After, a 5xx...)."""

    limits: SendLimits
    latency: float = 0.0
    channel: str = "slack"
    calls: list[Call] = field(default_factory=list)
    refuse: dict[str, list[Exception]] = field(default_factory=dict)
    on_send: Callable[[str], None] | None = None
    peak: int = 0
    _open: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def can_reach(self, person: PersonView) -> bool:
        return bool(person.handle or person.slack_user_id)

    def _send(self, to: str, message: Message) -> Delivered:
        call = Call(to, message.title, time.monotonic())
        with self.lock:
            self._open += 1
            self.peak = max(self.peak, self._open)
            failures = self.refuse.get(to)
            failure = failures.pop(0) if failures else None
        try:
            time.sleep(self.latency)
            if failure is not None:
                raise failure
            if self.on_send is not None:
                self.on_send(to)
            call.ended = time.monotonic()
            with self.lock:
                self.calls.append(call)
                return Delivered(self.channel, f"m{len(self.calls)}")
        finally:
            with self.lock:
                self._open -= 1

    def starts(self, to: str) -> list[float]:
        return sorted(c.started for c in self.calls if c.to == to)


class BlockingFileMessenger(FileMessenger):
    """A FileMessenger on a concurrent platform whose ``block_at``-th message is accepted (written) and
    then never answered: the process is killed with that call in flight."""

    limits = SendLimits(in_flight=4)

    def __init__(self, path: str, block_at: int) -> None:
        super().__init__(path)
        self.block_at = block_at
        self.count = 0
        self.lock = threading.Lock()

    def _append(self, line: str) -> Delivered:
        delivered = super()._append(line)
        with self.lock:
            self.count += 1
            block = self.count == self.block_at
        if block:
            threading.Event().wait()
        return delivered


def sweep_until_killed(url: str, search_path: str | None, now_iso: str, out_path: str, block_at: int) -> None:
    """A bot process sweeping on a concurrent platform that hangs at its ``block_at``-th message."""
    from bot.app import build_core
    from bot.config import Settings
    from storage.db import Database

    now = datetime.fromisoformat(now_iso)
    db = Database.from_url(url, search_path=search_path)
    core = build_core(
        Settings(database_url=url), db=db, clock=lambda: now, messengers=[BlockingFileMessenger(out_path, block_at)]
    )
    core.chaser.sweep(now)
