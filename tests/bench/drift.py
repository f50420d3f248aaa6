"""The weekly drift report on PostgreSQL at 10k and 1M actions with their events (goal: < 2 s and < 300 MB
peak memory at 1M).

Each size gets a scratch schema, migrated with ``storage.migrate.upgrade`` and dropped afterwards. The data
is generated in the database with ``generate_series`` (not through the service: a million actions through
the service would take hours): a partnership's three years, with about 5% of actions still open, a fifth
of them extended, some blocked, reviews missed, inactive and unknown owners, and a log of created,
extended, blocked, completed/cancelled, reviewed and nudged events (about 3.4 events per action). The
report then runs in a fresh Python process, so its peak memory (``VmHWM``) is the report's own.

``python -m tests.bench drift`` (``BENCH_DATABASE_URL`` or ``TEST_DATABASE_URL``, default
postgresql+psycopg://localhost/test; ``BENCH_DRIFT_SIZES=10000,1000000``).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, text

from storage.db import make_engine
from storage.migrate import upgrade

URL = (
    os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://localhost/test"
)
SIZES = tuple(int(n) for n in os.environ.get("BENCH_DRIFT_SIZES", "10000,1000000").split(","))
NOW = datetime(2026, 12, 14, 8, 30, tzinfo=ZoneInfo("Europe/London"))  # a Monday, when the weekly job runs
RUNS = 5

# One statement per step; :n actions, :people people, :meetings meetings, :now the report's moment.
GENERATE = (
    "SET LOCAL work_mem = '256MB'",
    "SELECT setseed(0.42)",
    "INSERT INTO agencies (id, name) SELECT i, 'Agency ' || i FROM generate_series(1, 20) AS i",
    """INSERT INTO people (id, display_name, email, slack_user_id, agency_id, active, role, created_at)
       SELECT i, 'Person ' || i,
              CASE WHEN i % 100 = 7 THEN NULL ELSE 'person' || i || '@example.gov.uk' END,
              CASE WHEN i % 100 = 7 THEN NULL ELSE 'U' || lpad(i::text, 9, '0') END,
              1 + i % 20, i % 100 <> 13, CASE WHEN i <= 5 THEN 'dsl' ELSE 'member' END, :now - interval '4 years'
       FROM generate_series(1, :people) AS i""",
    """INSERT INTO meetings (id, title, case_ref, chair_id, platform, conversation_id, started_at, ended_at)
       SELECT i, 'Meeting ' || i, 'CR-' || (1000 + i % 5000), 1 + i % 200, 'slack', 'C' || i,
              :now - (random() * interval '1100 days'), NULL
       FROM generate_series(1, :meetings) AS i""",
    """CREATE TEMP TABLE g ON COMMIT DROP AS
       SELECT i AS id, random() AS r_status, random() AS r_ext, random() AS r_review, random() AS r_act,
              random() AS r_close, 1 + floor(random() * :people)::int AS owner_id,
              CASE WHEN random() < 0.6 THEN 1 + floor(random() * :meetings)::int END AS meeting_id,
              :now - (random() * interval '1100 days') AS created_at, 3 + floor(random() * 25)::int AS days
       FROM generate_series(1, :n) AS i""",
    """CREATE TEMP TABLE a ON COMMIT DROP AS
       SELECT g.*, CASE WHEN g.created_at < :now - interval '8 days' AND r_ext >= 0.8
                        THEN CASE WHEN r_ext < 0.95 THEN 1 ELSE 2 + floor((r_ext - 0.95) * 40)::int END
                        ELSE 0 END AS ext,
              CASE WHEN r_status < 0.03 THEN 'open' WHEN r_status < 0.035 THEN 'blocked'
                   WHEN g.created_at > :now - interval '30 days' AND r_status < 0.6 THEN 'open'
                   WHEN r_status < 0.97 THEN 'done' ELSE 'cancelled' END AS status
       FROM g""",
    """CREATE TEMP TABLE b ON COMMIT DROP AS
       SELECT a.*, created_at + days * interval '1 day' AS first_deadline,
              created_at + days * interval '1 day' + ext * interval '7 days' AS deadline,
              CASE WHEN status IN ('done', 'cancelled')
                   THEN least(created_at + ext * interval '2 days' + (1 + r_close * 40) * interval '1 day',
                              :now - interval '1 minute') END AS closed_at,
              CASE WHEN r_review < 0.3 THEN (created_at + interval '14 days')::date END AS review_on,
              CASE WHEN r_review < 0.15 AND created_at + interval '14 days 10 hours' < :now
                   THEN created_at + interval '14 days 10 hours' END AS reviewed_at
       FROM a""",
    """INSERT INTO actions (id, meeting_id, task, owner_id, deadline, review_on, case_ref, status, created_by_id,
                            created_at, updated_at, deadline_version, extensions, deadline_set_at, owner_active_at,
                            closed_at, reviewed_at)
       SELECT id, meeting_id, 'Task ' || id, owner_id, deadline, review_on,
              CASE WHEN meeting_id IS NOT NULL THEN 'CR-' || (1000 + meeting_id % 5000) END, status,
              1 + id % 200, created_at, coalesce(closed_at, created_at), 1 + ext, ext,
              created_at + ext * interval '2 days',
              coalesce(closed_at, created_at + r_act * (:now - created_at)), closed_at, reviewed_at
       FROM b""",
    """CREATE TEMP TABLE e ON COMMIT DROP AS
       SELECT id AS action_id, 'created' AS kind, 1 + id % 200 AS actor_id, created_at AS at, NULL::text AS reason,
              json_build_object('owner_id', owner_id, 'deadline', first_deadline) AS details FROM b
       UNION ALL
       SELECT id, 'nudged', NULL, created_at + interval '30 minutes', NULL, json_build_object('step', 'confirmation')
       FROM b WHERE created_at + interval '30 minutes' < :now
       UNION ALL
       SELECT id, 'extended', owner_id, created_at + j * interval '2 days', 'bench extension',
              json_build_object('from', first_deadline + (j - 1) * interval '7 days',
                                'to', first_deadline + j * interval '7 days', 'deadline_version', j + 1)
       FROM b, generate_series(1, b.ext) AS j
       UNION ALL
       SELECT id, 'blocked', owner_id, created_at + (:now - created_at) / 2, 'bench block', '{}'::json
       FROM b WHERE status = 'blocked'
       UNION ALL
       SELECT id, CASE WHEN status = 'done' THEN 'completed' ELSE 'cancelled' END, owner_id, closed_at, NULL,
              '{}'::json FROM b WHERE closed_at IS NOT NULL
       UNION ALL
       SELECT id, 'reviewed', 1 + id % 200, reviewed_at, NULL, '{}'::json FROM b WHERE reviewed_at IS NOT NULL""",
    """CREATE TEMP TABLE es ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY at, action_id, kind) AS seq, * FROM e""",
    """INSERT INTO action_events (id, seq, action_id, kind, actor_id, at, content_digest, prev_hash, hash)
       SELECT seq, seq, action_id, kind, actor_id, at, md5(seq::text) || md5('c' || seq),
              md5((seq - 1)::text) || md5('h' || (seq - 1)), md5(seq::text) || md5('h' || seq)
       FROM es ORDER BY seq""",
    "INSERT INTO event_contents (event_id, reason, details) SELECT seq, reason, details FROM es ORDER BY seq",
    "UPDATE log_head SET seq = (SELECT max(seq) FROM es), last_hash = 'bench' WHERE id = 1",
    """INSERT INTO nudges (action_id, step, deadline_version, occurrence, recipient_key, recipient_id, due_at,
                           status, attempts, stuck, last_error, sent_at, created_at)
       SELECT id, 'overdue', 1 + ext, 0, 'p:' || owner_id, owner_id, greatest(deadline, :now) + interval '1 day',
              'pending', 0, false, NULL, NULL, created_at FROM b WHERE status IN ('open', 'blocked')
       UNION ALL
       SELECT id, 'confirmation', 1, 0, 'p:' || owner_id, owner_id, created_at,
              CASE WHEN r_act < 0.5 THEN 'unreachable' ELSE 'pending' END, 1, r_act >= 0.5,
              CASE WHEN r_act >= 0.5 THEN 'slack: account_inactive' END,
              CASE WHEN r_act < 0.5 THEN created_at END, created_at
       FROM b WHERE owner_id % 100 = 7 AND created_at > :now - interval '60 days'""",
    "SELECT setval(pg_get_serial_sequence('actions', 'id'), :n)",
)

CHILD = """
import json, sys, time
from datetime import datetime
from bot.config import Settings
from bot.capture.dates import WorkCalendar
from bot.reports.filters import DriftFilters
from bot.reports.drift import build_report
from bot.reports.render import render
from bot.reports.weekly import weekly_message
from storage.db import Database

def peak_kb():
    # VmHWM is this process's own peak RSS. (ru_maxrss would not do: Linux carries it over from the
    # parent across fork and exec, so the child would report the benchmark runner's own peak.)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

url, schema, now, runs = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3]), int(sys.argv[4])
db = Database.from_url(url, search_path=schema)
settings = Settings(database_url=url)
calendar = WorkCalendar.from_settings(settings)
baseline = peak_kb()
times = []
for _ in range(runs):
    started = time.perf_counter()
    report = build_report(db, settings, calendar, now, DriftFilters())
    weekly_message(report, settings.drift)
    times.append(time.perf_counter() - started)
started = time.perf_counter()
sizes = {fmt: len(render(report, fmt)) for fmt in ("md", "csv", "json", "xlsx", "html")}
render_time = time.perf_counter() - started
print(json.dumps({
    "times": times, "render": render_time, "sizes": sizes,
    "baseline_kb": baseline, "peak_kb": peak_kb(),
    "open": report.headline.open, "drifting": report.headline.drifting, "overdue": report.headline.overdue,
    "items": len(report.items), "delivery": report.delivery_total,
    "trend": [p.drifting for p in report.trend],
}))
"""


def _generate(connection: Connection, n: int) -> dict[str, int]:
    people = max(250, n // 200)  # the first 200 also chair meetings and record actions
    meetings = max(10, n // 20)
    params = {"n": n, "people": people, "meetings": meetings, "now": NOW}
    for statement in GENERATE:
        names = [name for name in params if f":{name}" in statement]
        connection.execute(text(statement), {name: params[name] for name in names})
    counts = {}
    for table in ("actions", "action_events", "event_contents", "nudges", "people"):
        counts[table] = int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    return counts


def _measure(n: int) -> tuple[dict[str, int], dict[str, object], float]:
    schema = f"bench_drift_{uuid.uuid4().hex[:10]}"
    admin = make_engine(URL, pool=False)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        engine = make_engine(URL, search_path=schema, pool=False)
        upgrade(engine)
        started = time.perf_counter()
        with engine.begin() as connection:
            counts = _generate(connection, n)
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        generated = time.perf_counter() - started
        engine.dispose()
        child = subprocess.run(
            [sys.executable, "-c", CHILD, URL, schema, NOW.isoformat(), str(RUNS)],
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return counts, result, generated


def run() -> list[str]:
    lines = [
        "## Drift report: the weekly report on PostgreSQL",
        "",
        f"Report at {NOW:%a %d %b %Y %H:%M} London over the generated history; {RUNS} runs in a fresh process",
        "(the first is cold: a new connection and empty caches). Time is `build_report` plus the weekly message;",
        "rendering all five formats of the capped report is timed apart. Peak memory is the report process's",
        "peak resident set (`VmHWM`: Python and its libraries included; the baseline after imports is beside it).",
        "",
        "| actions | events | open | drifting | first run | median run | render (5 formats) | peak memory | goal |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n in SIZES:
        counts, result, generated = _measure(n)
        times = [float(t) for t in result["times"]]  # type: ignore[attr-defined]
        peak = int(result["peak_kb"]) / 1024  # type: ignore[call-overload]
        baseline = int(result["baseline_kb"]) / 1024  # type: ignore[call-overload]
        median = statistics.median(times)
        goal = "met" if n < 1_000_000 or (median < 2 and peak < 300) else "**missed** (< 2 s, < 300 MB)"
        lines.append(
            f"| {counts['actions']:,} | {counts['action_events']:,} | {result['open']:,} | {result['drifting']:,}"
            f" | {times[0]:.2f} s | {median:.2f} s | {float(result['render']):.2f} s"  # type: ignore[arg-type]
            f" | {peak:.0f} MB (baseline {baseline:.0f} MB) | {goal} |"
        )
        lines.append(f"<!-- {n:,}: generated in {generated:.0f} s; trend {result['trend']} -->")
    lines += [
        "",
        f"Peak memory of this (parent) process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB.",
    ]
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
