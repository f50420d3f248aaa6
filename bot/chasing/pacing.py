"""Pacing: when the next message may go to a platform and to one destination on it, within the limits the
platform documents, and a pause for the whole platform when it answers "429, Retry-After".

A messenger declares its limits as ``limits`` (a ``SendLimits``); a messenger that declares none is sent
to one message at a time, in order (the console, test doubles). Hand-written rather than a rate-limit
library (pyrate-limiter, limits): those answer "may I send now?" and block the caller, whereas the sender
(``bot.chasing.outbound``) must know *when* each of thousands of waiting lanes becomes ready so that one
loop can order them without a thread waiting per message.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class SendLimits:
    """One platform's limits for this app. ``per_minute``: messages per minute across the platform (None:
    no platform-wide limit); ``gap_seconds``: the least time between two messages to one destination (a
    channel, a DM, a chat); ``in_flight``: calls open at once."""

    per_minute: float | None = None
    gap_seconds: float = 0.0
    in_flight: int = 1


#: Without declared limits: one message at a time, in order.
SEQUENTIAL = SendLimits()

#: Spacing is kept from when calls start, but a platform counts them when they arrive, and one call's set-up
#: (a connection, a token) can delay it more than the next one's: a little room keeps apart what must be.
MARGIN = 1.05


def limits_of(messenger: object) -> SendLimits:
    """A messenger's declared limits (its optional ``limits`` attribute), else one at a time."""
    declared = getattr(messenger, "limits", None)
    return declared if isinstance(declared, SendLimits) else SEQUENTIAL


class Pacer:
    """The earliest moment (on a monotonic clock) the next message may start, per platform and per
    destination. Not thread-safe: one sending loop owns it."""

    def __init__(self) -> None:
        self._platform_next: dict[str, float] = {}
        self._destination_next: dict[tuple[str, Hashable], float] = {}

    def platform_ready(self, platform: str) -> float:
        return self._platform_next.get(platform, 0.0)

    def destination_ready(self, platform: str, destination: Hashable) -> float:
        return self._destination_next.get((platform, destination), 0.0)

    def take(self, platform: str, destination: Hashable, limits: SendLimits, at: float) -> None:
        """A message to ``destination`` starts at ``at``: the next one waits for the platform's rate and
        the destination's gap."""
        if limits.per_minute:
            start = max(at, self.platform_ready(platform))
            self._platform_next[platform] = start + MARGIN * 60.0 / limits.per_minute
        if limits.gap_seconds:
            self._destination_next[(platform, destination)] = at + MARGIN * limits.gap_seconds

    def hold(self, platform: str, until: float) -> None:
        """The platform said to wait (Retry-After): nothing more goes to it before ``until``."""
        self._platform_next[platform] = max(self.platform_ready(platform), until)
