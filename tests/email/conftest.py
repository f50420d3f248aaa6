"""Fixtures for the email transports: a real SMTP relay and a fake GOV.UK Notify on 127.0.0.1, and a chat
platform (the test double every chasing test uses) that reaches the chair and the DSL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.actions.directory import set_role
from bot.app import Core
from tests.chasing.hourly import DSL
from tests.conftest import Clock
from tests.email.fake_notify import FakeNotify
from tests.email.fake_smtp import RelayServer
from tests.support import RecordingMessenger


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayServer]:
    server = RelayServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    fake = FakeNotify().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def chat(core: Core, clock: Clock) -> RecordingMessenger:
    """Reaches @chair and @dsl (the partnership's DSL) by handle; email-only owners are left to email."""
    recorder = RecordingMessenger(clock=clock)
    core.router.add(recorder)
    set_role(core.db, DSL, "dsl", now=clock())
    return recorder
