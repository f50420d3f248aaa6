"""Hostile and random text: the grammar returns a draft or raises GrammarError, nothing else, quickly."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.capture.dates import WorkCalendar
from bot.capture.grammar import ActionDraft, GrammarError, parse_action, parse_when

CAL = WorkCalendar.uk()
WORDS = [
    "by", "before", "due", "in", "within", "review", "on", "next", "this", "week", "Friday", "fri", "the",
    "end", "of", "month", "EOD", "close", "play", "3pm", "17:00", "31/02", "5/3", "2026-12-04", "working",
    "days", "a", "fortnight", "#CR-1042", "@jo", "<@U123>", "\"Dr Khan\"", "jo@example.org", "noon", "tomorrow",
    "32nd", "13pm", "0/0", "99/99/9999", "Dec", "4th", "&amp;", "<at>Jo</at>", "\u202e", "\x00", "-", "'s",
    "w/c", "wc", "commencing", "14/12", "(urgent)", "URGENT", "asap", "Christmas", "term", "half", "at",
    "core", "group", "meeting", "for", "during",
]  # fmt: skip
NOW = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))


def _check(text: str, now: datetime) -> None:
    started = time.perf_counter()
    try:
        draft = parse_action(text, now, CAL)
    except GrammarError as exc:
        message = str(exc)
    else:
        message = ""
        assert isinstance(draft, ActionDraft)
        assert draft.task
        assert draft.deadline > now
        assert draft.deadline.utcoffset() == timedelta(0)
    assert time.perf_counter() - started < 1.0
    if message:
        assert "Example: /action" in message


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), NOW)
def test_random_text(text: str, now: datetime) -> None:
    _check(text, now)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), max_size=14), NOW)
def test_grammar_shaped_text(words: list[str], now: datetime) -> None:
    _check(" ".join(["@owner", *words]), now)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6), NOW)
def test_date_phrases(words: list[str], now: datetime) -> None:
    try:
        when, _ = parse_when(" ".join(words), now, CAL)
    except GrammarError:
        return
    assert when > now
