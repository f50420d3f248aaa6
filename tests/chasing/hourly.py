"""Running the chase the way a scheduler would: record actions as the chair, sweep every hour."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.actions.people import PersonInput
from bot.app import Core
from bot.capture.grammar import parse_action
from bot.capture.owners import OwnerRef
from tests.conftest import Clock
from tests.support import RecordingMessenger

LONDON = ZoneInfo("Europe/London")
CHAIR = PersonInput(OwnerRef("handle", "chair"))
OWNER = PersonInput(OwnerRef("handle", "jo"))
DSL = PersonInput(OwnerRef("handle", "dsl"))


def record(core: Core, text: str) -> str:
    draft = parse_action(text, core.service.clock(), core.calendar)
    return core.service.record(draft, CHAIR).action.ref


def run_hourly(core: Core, clock: Clock, until: datetime, messenger: RecordingMessenger) -> list[tuple[str, str, str]]:
    """Sweep at every hour up to ``until``; returns (local time, recipient, title) of everything sent."""
    start = len(messenger.sent)
    moment = clock().replace(minute=0, second=0, microsecond=0)
    while moment <= until:
        if moment >= clock():
            clock.set(moment)
            core.chaser.sweep(moment)
        moment += timedelta(hours=1)
    sent = [(s.at, s.to, s.title) for s in messenger.sent[start:] if s.at]
    # the order of nudges due at the same moment is not part of the contract
    return [(f"{at.astimezone(LONDON):%a %d %b %H:%M}", to, title) for at, to, title in sorted(sent)]
