"""Grammar throughput against plain dateparser.parse on the same phrases (goal: >= 20x, p99 < 2 ms).

Two rows for us: the date-phrase reader alone (``parse_when``, like for like with dateparser) and the
whole ``/action`` command (owner, case reference, task, deadline, warnings, personal-data guard).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import dateparser

from bot.capture.dates import WorkCalendar
from bot.capture.grammar import parse_action, parse_when
from bot.capture.phrases import warm_up
from tests.bench.common import percentile

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
PHRASES = [
    "by Friday", "by next Friday", "by Friday week", "by 27/11", "by 5/3", "by 4 Dec", "by 4th December",
    "by Fri 4 Dec", "by Friday 3pm", "by tomorrow", "EOD", "by close of play", "in 5 working days",
    "in 3 days", "within 2 weeks", "in a fortnight", "by end of month", "by end of next week",
    "by 2026-12-04", "by the 30th",
]  # fmt: skip
ROUNDS = 200


def _time(fn: Callable[[str], object], items: list[str]) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        for item in items:
            started = time.perf_counter()
            fn(item)
            samples.append(time.perf_counter() - started)
    return samples


def _row(label: str, samples: list[float]) -> str:
    return (
        f"| {label} | {len(samples) / sum(samples):,.0f} | {percentile(samples, 50) * 1e3:.3f} ms"
        f" | {percentile(samples, 99) * 1e3:.3f} ms | {max(samples) * 1e3:.3f} ms |"
    )


def run() -> list[str]:
    cal = WorkCalendar.uk()
    warm_up()
    settings = {"DATE_ORDER": "DMY", "PREFER_DATES_FROM": "future", "RELATIVE_BASE": NOW.replace(tzinfo=None)}
    commands = [f"<@U0OWNER1> Share the CAD log with social care #CR-1042 {p}" for p in PHRASES]
    bare = [p.removeprefix("by ") for p in PHRASES]
    phrases = _time(lambda text: parse_when(text, NOW, cal), PHRASES)
    whole = _time(lambda text: parse_action(text, NOW, cal), commands)
    theirs = _time(lambda text: dateparser.parse(text, languages=["en"], settings=settings), bare)
    speedup = (sum(theirs) / len(theirs)) / (sum(phrases) / len(phrases))
    speedup_whole = (sum(theirs) / len(theirs)) / (sum(whole) / len(whole))
    return [
        "## Grammar: date phrases and whole `/action` commands vs `dateparser.parse`",
        "",
        f"{len(PHRASES)} common phrases x {ROUNDS} rounds, one call timed at a time (a warm process).",
        "",
        "| | parses/s | p50 | p99 | max |",
        "|---|---:|---:|---:|---:|",
        _row("actionbot date phrase (`parse_when`)", phrases),
        _row("actionbot whole command (`parse_action`)", whole),
        _row("dateparser.parse (same phrases)", theirs),
        "",
        f"Date phrases: **{speedup:.0f}x** dateparser's speed (goal >= 20x). Whole commands, which also read the"
        f" owner, task and case reference and run the personal-data guard: **{speedup_whole:.0f}x**."
        f" Whole-command p99 **{percentile(whole, 99) * 1e3:.3f} ms** (goal < 2 ms).",
    ]
