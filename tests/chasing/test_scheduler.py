"""bot.chasing.scheduler: what starting the ticking does to the process."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.chasing.scheduler import start


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_starting_the_scheduler_freezes_the_start_up_objects(unfrozen: None) -> None:
    """A set-up process's objects live as long as it does: full collections need not scan them at every sweep."""
    assert gc.get_freeze_count() == 0
    scheduler = start([])
    try:
        assert gc.get_freeze_count() > 1000
    finally:
        scheduler.shutdown(wait=False)
