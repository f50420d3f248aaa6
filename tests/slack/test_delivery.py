"""Nudges through the served Slack app: sent by the sweeper's own thread, within Slack's limits, exactly once
when Slack answers 429 (with Retry-After) or 500. The real Bolt app, slack_sdk client and fake Web API."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from bot.app import Core
from storage.models import Nudge
from tests.conftest import Clock
from tests.slack.conftest import SlackHarness
from tests.slack.fake_slack import PostLimits

OWNERS = ("U1", "U2", "U3")


def _dm_to(user: str):  # type: ignore[no-untyped-def]
    return lambda params: params.get("channel") == user


def _confirmations(slack: SlackHarness, user: str) -> list[str]:
    return [c.params.get("text", "") for c in slack.fake.posts_to(user)]


def test_a_request_only_wakes_the_sweeper_which_sends_in_its_own_thread(
    slack: SlackHarness, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    sweep = core.chaser.sweep

    def watched(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread().name)
        return sweep(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(core.chaser, "sweep", watched)
    slack.record("<@U1> Share the CAD log with social care by Friday")
    slack.record("<@U2> Book the GP review by Friday")
    assert len(_confirmations(slack, "U1")) == len(_confirmations(slack, "U2")) == 1
    assert threads and set(threads) == {"chase-sweep"}


def test_429s_and_500s_from_slack_lose_nothing_and_send_nothing_twice(
    slack: SlackHarness, core: Core, clock: Clock
) -> None:
    slack.fake.rate_limits = PostLimits(per_channel_per_second=1.0, channel_burst=1)
    slack.fake.fail("chat.postMessage", status=429, retry_after=1, times=3, when=_dm_to("U2"))
    slack.fake.fail("chat.postMessage", status=500, times=1, when=_dm_to("U3"))
    for user in OWNERS:
        slack.record(f"<@{user}> Send the chronology to the school by Friday")
    assert len(_confirmations(slack, "U1")) == len(_confirmations(slack, "U2")) == 1  # U2's after its 429s
    assert _confirmations(slack, "U3") == []  # a 500: back to the outbox, with back-off
    with core.db.reading() as session:
        row = session.scalars(select(Nudge).where(Nudge.step == "confirmation", Nudge.status == "pending")).one()
        assert (row.attempts, row.stuck) == (1, False)
    clock.advance(minutes=6)
    core.sweeper.wake()
    slack.settle()
    for user in OWNERS:
        assert len(_confirmations(slack, user)) == 1
    with core.db.reading() as session:
        sent = session.scalars(select(Nudge.status).where(Nudge.step == "confirmation"))
        assert list(sent) == ["sent"] * 3
