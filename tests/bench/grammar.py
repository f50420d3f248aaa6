"""Grammar throughput against plain dateparser.parse on the same phrases (goal: >= 20x, p99 < 2 ms).

Three rows for us: the date-phrase reader alone (``parse_when``, like for like with dateparser), the whole
``/action`` command (owner, case reference, task, deadline, review, warnings, personal-data guard), and the
whole command refused (vague times such as "by Christmas", named in the refusal).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import dateparser

from bot.capture.dates import WorkCalendar
from bot.capture.grammar import GrammarError, parse_action, parse_when
from tests.bench.common import percentile

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
PHRASES = [
    "by Friday", "by next Friday", "by Friday week", "by 27/11", "by 5/3", "by 4 Dec", "by 4th December",
    "by Fri 4 Dec", "by Friday 3pm", "by tomorrow", "EOD", "by close of play", "in 5 working days",
    "in 3 days", "within 2 weeks", "in a fortnight", "by end of month", "by end of next week",
    "by 2026-12-04", "by the 30th",
    # what minutes say (issue #14)
    "w/c 14 Dec", "wc 14/12", "week commencing 14 December", "within the next fortnight", "in the next fortnight",
    "within a fortnight", "in the next 5 working days", "within the next 3 days", "by 1700 Friday",
    "by Friday at 3", "end of day tomorrow",
    # parts of the day, glued units, a named month's end (session 10)
    "by tomorrow am", "by Monday morning", "by first thing Friday", "within 24hrs", "by end of January",
    "by 15:00hrs Friday",
    # a weekday of a named week, "12 noon", minutes' keywords, numbers in words (session 11)
    "by Tuesday next week", "by 12 noon Friday", "on or before 11/12", "within fourteen days", "by EOW",
]  # fmt: skip
#: Read in a whole command only: an urgency marker beside the deadline, a review at a meeting on a date.
IN_COMMANDS = [
    "by Friday (urgent)", "by Fri - urgent", "by Friday - URGENT", "by Friday, urgent", "urgent by Friday",
    "by Friday review at the core group on 4 Jan", "by Friday review at the next core group on 4 Jan",
    "by Friday review at the RCPC on 4/1", "by Friday review on 14/12",
]  # fmt: skip
#: Refused by name, without asking dateparser: vague times, a review at a meeting with no date.
REFUSED = [
    "by Christmas", "by the end of term", "by half term", "asap", "by next meeting",
    "by Friday review at the next meeting", "by w/c 14 Dec",
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


def _command(text: str) -> str:
    return f"<@U0OWNER1> Share the CAD log with social care #CR-1042 {text}"


def run() -> list[str]:
    cal = WorkCalendar.uk()
    dateparser.parse("next tuesday", languages=["en"], settings={"DATE_ORDER": "DMY"})  # its first-call cost
    settings = {"DATE_ORDER": "DMY", "PREFER_DATES_FROM": "future", "RELATIVE_BASE": NOW.replace(tzinfo=None)}
    commands = [_command(p) for p in PHRASES + IN_COMMANDS]
    refused = [_command(p) for p in REFUSED]
    bare = [p.removeprefix("by ") for p in PHRASES + IN_COMMANDS + REFUSED]

    def refuse(text: str) -> None:
        try:
            parse_action(text, NOW, cal)
        except GrammarError:
            return
        raise AssertionError(f"not refused: {text}")

    phrases = _time(lambda text: parse_when(text, NOW, cal), PHRASES)
    whole = _time(lambda text: parse_action(text, NOW, cal), commands)
    refusals = _time(refuse, refused)
    theirs = _time(lambda text: dateparser.parse(text, languages=["en"], settings=settings), bare)
    speedup = (sum(theirs) / len(theirs)) / (sum(phrases) / len(phrases))
    speedup_whole = (sum(theirs) / len(theirs)) / (sum(whole) / len(whole))
    return [
        "## Grammar: date phrases and whole `/action` commands vs `dateparser.parse`",
        "",
        f"{len(PHRASES)} common phrases ({len(IN_COMMANDS)} more in whole commands, {len(REFUSED)} refused) x"
        f" {ROUNDS} rounds, one call timed at a time (a warm process).",
        "",
        "| | parses/s | p50 | p99 | max |",
        "|---|---:|---:|---:|---:|",
        _row("actionbot date phrase (`parse_when`)", phrases),
        _row("actionbot whole command (`parse_action`)", whole),
        _row("actionbot whole command refused (vague: `by Christmas` ...)", refusals),
        _row("dateparser.parse (same phrases)", theirs),
        "",
        f"Date phrases: **{speedup:.0f}x** dateparser's speed (goal >= 20x). Whole commands, which also read the"
        f" owner, task and case reference and run the personal-data guard: **{speedup_whole:.0f}x**."
        f" Whole-command p99 **{percentile(whole, 99) * 1e3:.3f} ms** (goal < 2 ms).",
    ]
