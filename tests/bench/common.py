"""Shared helpers: the machine description and percentile arithmetic."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

#: A Tuesday at 10:00 in London: inside everyone's working hours, so a bench run at night or at a weekend
#: measures delivery, not the wait for Monday morning.
OFFICE_HOURS = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores{memory}; {system}; Python {sys.version.split()[0]}"


def office_clock() -> Callable[[], datetime]:
    """A clock that starts at ``OFFICE_HOURS`` and runs at real speed (leases and send windows still hold)."""
    started = time.monotonic()
    return lambda: OFFICE_HOURS + timedelta(seconds=time.monotonic() - started)


def percentile(samples: Sequence[float], pct: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(samples: Sequence[float]) -> str:
    """'p50 0.12 ms, p99 0.40 ms, max 0.90 ms' from seconds."""
    return (
        f"p50 {percentile(samples, 50) * 1000:.2f} ms, p99 {percentile(samples, 99) * 1000:.2f} ms, "
        f"mean {statistics.fmean(samples) * 1000:.2f} ms"
    )
