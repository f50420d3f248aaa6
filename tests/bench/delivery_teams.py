"""09:00 through Microsoft: nudges to Teams 1:1 chats (the Bot Connector) and by email (Graph sendMail).

N nudges fall due at once, one per person. The chaser sends them with the real Teams SDK client and the
real msgraph-sdk client to fakes on 127.0.0.1 (tests/teams/fakes.py) whose every call takes ``LATENCY`` and
which throttle as Microsoft documents: the Bot Connector 7 messages a second per conversation and 50 a
second per bot per tenant; Exchange Online 30 messages a minute from one mailbox. Past them: 429 with
Retry-After. Measured: from the sweep's start to the last accepted message, against the floor the limits
and the latency allow, and the ratio (goal <= 1.5, issue 19); every message accepted once.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
from microsoft_teams.api.auth.credentials import TokenCredentials
from sqlalchemy import func, insert, select, text

from bot.app import build_core
from bot.config import Settings
from handlers.teams.conversations import ConversationStore
from handlers.teams.graph import graph_client
from handlers.teams.messenger import build_messengers
from handlers.teams.runner import LoopRunner
from storage.db import Database
from storage.models import Action, Nudge, Person, TeamsConversation
from tests.bench.common import office_clock
from tests.bench.databases import on_each_database
from tests.teams.conftest import BOT_ID, TENANT, outbound_token, teams_settings
from tests.teams.fakes import FakeConnector, FakeGraph, Throttle

LATENCY = 0.150
TEAMS_PER_SECOND, TEAMS_BURST = 50.0, 50
MAIL_PER_MINUTE = 30.0
#: (channel, nudges): Teams at 1,000 and 10,000; email at 60 (two minutes of Exchange's rate).
RUNS = (("teams", 1_000), ("teams", 10_000), ("email", 60))


def _populate(db: Database, channel: str, due: int, now: datetime, service_url: str) -> None:
    created = now - timedelta(days=3)
    with db.engine.begin() as conn:
        conn.execute(
            insert(Person),
            [
                {"id": n + 1, "display_name": f"Owner {n}", "active": True, "role": "member", "created_at": created,
                 "email": f"owner{n}@partner.example",
                 "teams_object_id": f"00000000-0000-4000-8000-{n:012d}" if channel == "teams" else None}
                for n in range(due)
            ],
        )  # fmt: skip
        if channel == "teams":
            conn.execute(
                insert(TeamsConversation),
                [
                    {"aad_object_id": f"00000000-0000-4000-8000-{n:012d}", "conversation_id": f"a:1chat{n}",
                     "user_id": f"29:user{n}", "kind": "personal", "service_url": service_url, "tenant_id": TENANT,
                     "updated_at": created}
                    for n in range(due)
                ],
            )  # fmt: skip
        conn.execute(
            insert(Action),
            [
                {"id": n + 1, "task": f"Task {n}", "owner_id": n + 1, "status": "open", "created_by_id": 1,
                 "deadline": now + timedelta(days=1, hours=8), "created_at": created, "updated_at": created,
                 "deadline_version": 1, "extensions": 0, "owner_active_at": created, "deadline_set_at": created}
                for n in range(due)
            ],
        )  # fmt: skip
        conn.execute(
            insert(Nudge),
            [
                {"action_id": n + 1, "step": "due_soon", "deadline_version": 1, "occurrence": 0,
                 "recipient_key": f"p:{n + 1}", "recipient_id": n + 1, "due_at": now - timedelta(minutes=1),
                 "status": "pending", "attempts": 0, "stuck": False, "created_at": created}
                for n in range(due)
            ],
        )  # fmt: skip
        if db.dialect == "postgresql":
            for table in ("people", "actions", "teams_conversations"):
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
            conn.execute(text("ANALYZE"))


def _floor(channel: str, due: int) -> float:
    if channel == "teams":
        return max(0, due - TEAMS_BURST) / TEAMS_PER_SECOND + LATENCY
    return (due - 1) * 60.0 / MAIL_PER_MINUTE + LATENCY


def measure(db: Database, url: str, channel: str, due: int) -> dict[str, float]:
    clock = office_clock()
    now = clock()
    connector, graph, runner = FakeConnector(BOT_ID).start(), FakeGraph().start(), LoopRunner("bench-teams")
    try:
        _populate(db, channel, due, now, connector.url)
        connector.latency = graph.latency = LATENCY
        connector.throttles = [
            Throttle(r"/v3/conversations/([^/]+)/activities", 7.0, 7, per_match=True),
            Throttle(r"/v3/conversations/([^/]+)/activities", TEAMS_PER_SECOND, TEAMS_BURST),
        ]
        graph.throttles = [Throttle(r"/v1\.0/users/([^/]+)/sendMail", MAIL_PER_MINUTE / 60.0, 1, per_match=True)]
        core = build_core(Settings(database_url=url), db=db, clock=clock)
        settings = teams_settings(connector)
        cloud = with_overrides(PUBLIC, openid_metadata_url=f"{connector.url}/v1/.well-known/openidconfiguration")
        for messenger in build_messengers(
            settings,
            runner,
            store=ConversationStore(db, settings.service_url),
            today=lambda: core.calendar.today(now),
            credentials=TokenCredentials(client_id=BOT_ID, tenant_id=TENANT, token=outbound_token),
            cloud=cloud,
            graph=graph_client(AnonymousAuthenticationProvider(), graph.base_url, retry_delay=0.0),
        ):
            core.router.add(messenger)
        started = time.monotonic()
        core.chaser.sweep(now)
        if channel == "teams":
            accepted = connector.activities()
            distinct = {c.path for c in accepted}
        else:
            accepted = [c for c in graph.calls_to("POST", r"/v1\.0/users/([^/]+)/sendMail") if c.status < 300]
            distinct = {m.to for m in graph.mail}
        throttled = sum(1 for c in connector.calls + graph.calls if c.status == 429)
        last = max(c.at for c in accepted)
    finally:
        connector.stop()
        graph.stop()
        runner.close()
    with db.reading() as session:
        recorded = int(session.scalar(select(func.count()).where(Nudge.status == "sent")) or 0)
    return {
        "seconds": last - started,
        "floor": _floor(channel, due),
        "accepted": len(accepted),
        "twice": len(accepted) - len(distinct),
        "throttled": throttled,
        "recorded": recorded,
    }


def run() -> list[str]:
    lines = [
        "## Delivery through Microsoft: Teams 1:1 chats (Bot Connector) and email (Graph sendMail)",
        "",
        f"One nudge per person, all due at once; fakes at {LATENCY * 1e3:.0f} ms per call, throttling as documented"
        f" (Teams: 7 a second per conversation, {TEAMS_PER_SECOND:.0f} a second per tenant with a burst of"
        f" {TEAMS_BURST}; Exchange: {MAIL_PER_MINUTE:.0f} a minute from one mailbox), 429 + Retry-After past them.",
        "",
        "| database | channel | nudges | last accepted | floor | ratio | 429s | sent twice | recorded sent |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    worst = 0.0
    for channel, due in RUNS:
        for label, r in on_each_database(lambda db, url: measure(db, url, channel, due)):  # noqa: B023
            if isinstance(r, str):
                lines.append(f"| {label} | {channel} | {due:,} | {r} |")
                continue
            ratio = r["seconds"] / r["floor"]
            worst = max(worst, ratio)
            lines.append(
                f"| {label} | {channel} | {due:,} | {r['seconds']:,.1f} s | {r['floor']:,.1f} s | {ratio:.2f}x"
                f" | {r['throttled']:.0f} | {r['twice']:.0f} | {r['recorded']:,.0f} |"
            )
    lines += ["", f"Worst ratio to the floor **{worst:.2f}x** (goal <= 1.5x: {'met' if worst <= 1.5 else 'NOT met'})."]
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
