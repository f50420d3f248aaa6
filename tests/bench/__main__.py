"""``python -m tests.bench [section ...]``: run the benchmarks and print Markdown for docs/benchmarks.md."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date

from tests.bench import delivery, delivery_teams, drift, grammar, slack_ack, slack_load, sweep
from tests.bench.common import machine

SECTIONS: dict[str, Callable[[], list[str]]] = {
    "grammar": grammar.run,
    "sweep": sweep.run,
    "slack_ack": slack_ack.run,
    "slack_load": slack_load.run,
    "delivery": delivery.run,
    "delivery_teams": delivery_teams.run,
    "drift": drift.run,
}


def main(argv: list[str]) -> int:
    wanted = argv or list(SECTIONS)
    unknown = [name for name in wanted if name not in SECTIONS]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    print(f"# Benchmarks ({date.today():%Y-%m-%d})\n\nMachine: {machine()}\n")
    for name in wanted:
        print("\n".join(SECTIONS[name]()) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
