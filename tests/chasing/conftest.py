from __future__ import annotations

import pytest

from bot.actions.directory import set_role
from bot.app import Core
from tests.chasing.hourly import DSL
from tests.conftest import Clock
from tests.support import RecordingMessenger


@pytest.fixture
def messenger(core: Core, clock: Clock) -> RecordingMessenger:
    """Reaches anyone by handle, records what it sends; @dsl is the partnership's DSL."""
    recorder = RecordingMessenger(clock=clock)
    core.router.add(recorder)
    set_role(core.db, DSL, "dsl", now=clock())
    return recorder
