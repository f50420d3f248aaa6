"""One chase sweep over 1k, 10k, 100k and 1M open actions with ~1% of them due (goal: < 150 ms at 100k).

The data is bulk-inserted (actions, owners, and each action's next ladder row), then one sweep sends
what is due through a messenger that returns at once, so the time is the bot's own work: claiming,
preparing, writing the log events and planning each action's next nudge. A second sweep with
nothing due shows the cost of looking (it should not grow with the number of open actions).

The bot's scheduler sweeps every minute in a long-running process, so the measured sweep runs warm: a
day earlier, a sweep sent a few nudges (of actions then closed), which configured the ORM and compiled the
statements once, as the first minute of a real process does (200 ms on a slow machine, paid once); and
the objects of the set-up process are frozen out of garbage collection, as ``bot.chasing.scheduler.start`` does;
and SQLite's WAL is checkpointed by a background thread, not by the commits, as in every serving process.
Each size up to 100k is measured ``ROUNDS`` times, each on a fresh database: the table gives the median and the
range; 1M is measured once (filling it takes minutes).
"""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text, update

from bot.actions.messages import Message
from bot.actions.ports import Delivered
from bot.actions.records import PersonView
from bot.app import build_core
from bot.chasing.scheduler import freeze_start_up_objects
from bot.config import Settings
from storage.db import Database, make_engine
from storage.migrate import upgrade
from storage.models import Action, Nudge, Person

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 09:00 in London (GMT)
WARM_UP = 20  # actions whose nudges the warm-up sweep sends a day earlier
GOAL_SIZE = 100_000
GOAL = 0.150
#: ``BENCH_SWEEP_SIZES=100000`` (comma-separated) measures only those sizes, e.g. while iterating on the
#: sweep; ``BENCH_SWEEP_ROUNDS`` sets the rounds per size up to 100k.
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SWEEP_SIZES", "1000,10000,100000,1000000").split(","))
ROUNDS = int(os.environ.get("BENCH_SWEEP_ROUNDS", "5"))
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://localhost/test")


class NullMessenger:
    channel = "bench"

    def can_reach(self, person: PersonView) -> bool:
        return True

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        return Delivered(self.channel, "x")

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        return Delivered(self.channel, "x")

    def update(self, ref: str, message: Message) -> None:
        return None


def _populate(db: Database, size: int) -> int:
    """``size`` open actions, ~1% with a nudge due now, then ``WARM_UP`` actions with a nudge due a day
    earlier (ids above ``size``); returns how many are due now."""
    created = NOW - timedelta(days=3)
    owners = max(10, size // 50)
    with db.engine.begin() as conn:
        conn.execute(
            insert(Person),
            [
                {
                    "id": i,
                    "display_name": f"Owner {i}",
                    "handle": f"owner{i}",
                    "active": True,
                    "role": "member",
                    "created_at": created,
                }
                for i in range(1, owners + 2)
            ],
        )
        rows, nudges, due = [], [], 0
        for n in range(1, size + 1):
            is_due = n % 100 == 0
            deadline = NOW + timedelta(days=1, hours=8) if is_due else NOW + timedelta(days=5 + n % 50, hours=8)
            rows.append(
                {
                    "id": n, "task": f"Task {n}", "owner_id": 2 + n % owners, "deadline": deadline, "status": "open",
                    "created_by_id": 1, "created_at": created, "updated_at": created, "deadline_version": 1,
                    "extensions": 0, "owner_active_at": created, "deadline_set_at": created,
                }
            )  # fmt: skip
            due_at = NOW if is_due else deadline - timedelta(days=1, hours=8)
            due += is_due
            nudges.append(
                {
                    "action_id": n, "step": "due_soon", "deadline_version": 1, "occurrence": 0,
                    "recipient_key": f"p:{2 + n % owners}", "recipient_id": 2 + n % owners, "due_at": due_at,
                    "status": "pending", "attempts": 0, "stuck": False, "created_at": created,
                }
            )  # fmt: skip
        for n in range(size + 1, size + WARM_UP + 1):  # due today at 17:00: "due soon" went yesterday at 09:00
            rows.append({**rows[0], "id": n, "task": f"Task {n}", "deadline": NOW + timedelta(hours=8)})
            nudges.append({**nudges[0], "action_id": n, "due_at": NOW - timedelta(days=1)})
        conn.execute(insert(Action), rows)
        conn.execute(insert(Nudge), nudges)
        if db.dialect == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('people', 'id'), (SELECT max(id) FROM people))"))
            conn.execute(text("SELECT setval(pg_get_serial_sequence('actions', 'id'), (SELECT max(id) FROM actions))"))
            conn.execute(text("ANALYZE"))
    return due


def _measure(url: str, size: int, search_path: str | None = None) -> tuple[int, float, float]:
    engine = make_engine(url, search_path=search_path)
    upgrade(engine)
    engine.dispose()
    db = Database.from_url(url, search_path=search_path)
    try:
        due = _populate(db, size)
        core = build_core(Settings(database_url=url), db=db, clock=lambda: NOW, messengers=[NullMessenger()])
        db.checkpoints.start()  # as serving processes and the scheduler do (SQLite: WAL checkpoints in a thread)
        freeze_start_up_objects()  # as a serving process does when its scheduler starts
        assert core.chaser.sweep(NOW - timedelta(days=1)).sent == WARM_UP
        with db.engine.begin() as conn:  # close the warm-up actions: they have nothing due now
            conn.execute(update(Action).where(Action.id > size).values(status="done"))
            conn.execute(
                update(Nudge).where(Nudge.action_id > size, Nudge.status == "pending").values(status="cancelled")
            )
        started = time.perf_counter()
        report = core.chaser.sweep(NOW)
        busy = time.perf_counter() - started
        assert report.sent == due, (report.sent, due)
        started = time.perf_counter()
        assert core.chaser.sweep(NOW).items == []
        idle = time.perf_counter() - started
        return due, busy, idle
    finally:
        gc.unfreeze()
        db.checkpoints.stop()
        db.dispose()


def _sqlite(size: int) -> tuple[int, float, float]:
    with tempfile.TemporaryDirectory() as folder:
        return _measure(f"sqlite:///{Path(folder) / 'bench.db'}", size)


def _postgres(size: int) -> tuple[int, float, float]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL, pool=False)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        return _measure(PG_URL, size, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _ms(values: list[float]) -> str:
    """The median, and the range when it is wide enough to matter."""
    median, low, high = statistics.median(values) * 1e3, min(values) * 1e3, max(values) * 1e3
    if median < 10:
        return f"{median:.1f} ms"
    return f"{median:,.0f} ms ({low:,.0f}-{high:,.0f})"


def run() -> list[str]:
    lines = [
        "## Chase sweep: one sweep over N open actions, ~1% due",
        "",
        "Each due nudge is claimed, sent (to a messenger that returns at once), logged as an event in the",
        'hash chain, and the action\'s next nudge planned. "Idle" is a second sweep with nothing due. The process',
        "has already swept once (a day earlier, a few nudges), as a bot's scheduler has after its first minute.",
        f"Median of {ROUNDS} rounds, each on a fresh database (the range in brackets); 1M once.",
        "",
        "| open actions | due | SQLite sweep | SQLite idle | PostgreSQL sweep | PostgreSQL idle |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    worst: dict[int, tuple[int, float]] = {}
    for size in SIZES:
        rounds = ROUNDS if size <= GOAL_SIZE else 1
        sqlite = [_sqlite(size) for _ in range(rounds)]
        postgres = [_postgres(size) for _ in range(rounds)]
        due = sqlite[0][0]
        cells = [_ms([r[1] for r in results]) + " | " + _ms([r[2] for r in results]) for results in (sqlite, postgres)]
        lines.append(f"| {size:,} | {due:,} | {cells[0]} | {cells[1]} |")
        worst[size] = (due, max(statistics.median(r[1] for r in results) for results in (sqlite, postgres)))
    most, largest = worst[max(SIZES)]
    summary = ""
    if GOAL_SIZE in worst:
        due, slowest = worst[GOAL_SIZE]
        verdict = "met" if slowest < GOAL else "**missed**"
        summary = (
            f"At {GOAL_SIZE:,} open actions ({due:,} due) the slower database's median is **{slowest * 1e3:,.0f}"
            f" ms**: goal (< {GOAL * 1e3:.0f} ms) {verdict}; that is {slowest / max(due, 1) * 1e3:.2f} ms per due"
            " nudge. "
        )
    if max(SIZES) != GOAL_SIZE:
        summary += f"At {max(SIZES):,} ({most:,} due): {largest / max(most, 1) * 1e3:.2f} ms per due nudge. "
    lines += [
        "",
        summary + "The idle sweep stays in milliseconds whatever the number of open actions: the cost follows the"
        " due count.",
    ]
    return lines
