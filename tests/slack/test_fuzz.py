"""A fuzz run of random Slack payloads through the signed HTTP endpoint (10,000 by default; set
SLACK_FUZZ_PAYLOADS to change it). The app must never crash, never answer 5xx, and never write a
partial action; the log must still verify afterwards.

Payloads are generated from a fixed seed (reproducible) by mutating real payload shapes: slash commands
with hostile text, button presses with wrong action ids and references, modal submissions with broken
state, events of unknown types, missing and mistyped fields, and bodies that are not Slack's at all.
"""

from __future__ import annotations

import json
import os
import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select

from storage.log import verify_chain
from storage.models import Action, ActionEvent
from tests.slack.conftest import SlackHarness, payload

#: The full run on SQLite; a shorter one on PostgreSQL covers the other backend within the suite's time.
COUNT = int(os.environ.get("SLACK_FUZZ_PAYLOADS", "10000"))
COUNT_POSTGRES = min(COUNT, 2000)
SEED = 20261124
WORDS = [
    "<@U1>", "<@U2|jo>", "<@UCHAIR>", "@jo", "jo@example.org", '"Dr Khan"', "<at>Jo</at>", "Share", "the", "CAD", "log",
    "by", "Friday", "next", "review", "in", "2", "weeks", "#CR-1042", "31/02", "EOD", "start", "end", "status", "A-1",
    "A-2", "A-999999999999", "mine", "overdue", "all", "'; DROP TABLE actions; --", "&amp;", "&lt;script&gt;", "\u202e",
    "\u0000", "%s", "{{7*7}}", "${jndi:ldap://x}", "x" * 500, "🙂", "\n", "because", "blocked",
]  # fmt: skip
ACTION_IDS = [
    "action_done",
    "action_on_track",
    "action_more_time",
    "action_blocked",
    "action_reassign",
    "home_refresh",
    "nope",
    "",
]
CALLBACKS = ["record_action", "done_note", "more_time", "blocked_reason", "reassign", "unknown", ""]
JUNK: list[Any] = [None, 0, -1, 1e308, True, "", "x", [], {}, [None], {"a": None}, "A-1", "U1", "C1"]


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))


def _mutate(rng: random.Random, value: Any, depth: int = 0) -> Any:
    """Randomly delete keys, swap types and scramble strings, recursively."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            roll = rng.random()
            if roll < 0.08:
                continue  # drop the key
            out[key] = rng.choice(JUNK) if roll < 0.14 else _mutate(rng, item, depth + 1) if depth < 6 else item
        if rng.random() < 0.05:
            out[rng.choice(["extra", "__proto__", "type"])] = rng.choice(JUNK)
        return out
    if isinstance(value, list):
        return [_mutate(rng, item, depth + 1) for item in value if rng.random() > 0.05]
    if isinstance(value, str) and rng.random() < 0.2:
        return _text(rng)
    return value


def _users(rng: random.Random) -> str:
    return rng.choice(["UCHAIR", "U1", "U2", "UDSL", "U" + str(rng.randint(0, 10**6)), "", "W0ENT"])


def _request(harness: SlackHarness, rng: random.Random, n: int) -> tuple[str, str]:
    kind = rng.random()
    if kind < 0.35:
        fields: dict[str, Any] = payload("slash_command")
        fields.update(
            command=rng.choice(["/action", "/action", "/actions", "/meeting", "/drift", "/unknown"]),
            text=_text(rng),
            user_id=_users(rng),
            channel_id=rng.choice(["C1", "C2", "D0DM", "G0PRIV"]),
            trigger_id=rng.choice([f"fuzz-{n}", "fuzz-repeat"]),
            response_url=harness.fake.response_url(f"f{n}"),
        )
        if rng.random() < 0.1:
            fields = _mutate(rng, fields)
        return urlencode({k: v for k, v in fields.items() if v is not None}), "application/x-www-form-urlencoded"
    if kind < 0.6:
        data = payload("block_actions")
        data["user"]["id"] = _users(rng)
        data["actions"][0].update(action_id=rng.choice(ACTION_IDS), value=rng.choice(["A-1", "A-2", "A-3", _text(rng)]))
        data = _mutate(rng, data) if rng.random() < 0.5 else data
        return urlencode({"payload": json.dumps(data)}), "application/x-www-form-urlencoded"
    if kind < 0.8:
        data = payload("view_submission")
        data["user"]["id"] = _users(rng)
        data["view"]["callback_id"] = rng.choice(CALLBACKS)
        data["view"]["private_metadata"] = rng.choice(
            ['{"ref": "A-1", "channel": "C1", "ts": "1.2"}', "{}", "[]", _text(rng), ""]
        )
        data["view"]["state"] = {
            "values": {
                rng.choice(["owner", "task", "deadline", "deadline_time", "review", "case_ref", "reason", "date"]): {
                    "x": {"type": rng.choice(["plain_text_input", "datepicker", "users_select", "timepicker"]),
                          "value": _text(rng), "selected_date": rng.choice(["2026-12-04", "2026-02-31", "x", None]),
                          "selected_user": _users(rng), "selected_time": rng.choice(["09:30", "25:99", None])}
                }
                for _ in range(rng.randint(0, 6))
            }
        }  # fmt: skip
        data = _mutate(rng, data) if rng.random() < 0.3 else data
        return urlencode({"payload": json.dumps(data)}), "application/x-www-form-urlencoded"
    if kind < 0.9:
        data = payload("app_home_opened")
        data["event"]["type"] = rng.choice(["app_home_opened", "message", "reaction_added", "url_verification", ""])
        data["event"]["user"] = _users(rng)
        data["event_id"] = f"EvFUZZ{n}"
        return json.dumps(_mutate(rng, data) if rng.random() < 0.5 else data), "application/json"
    junk = rng.choice(
        [
            "", "payload=", "payload=%7B", "payload=null", "payload=%5B%5D", "command=/action", "{}", "[]", "null",
            "\x00\x01\x02", "a=" + "b" * 5000, json.dumps({"type": "url_verification", "challenge": "x"}),
            urlencode({"payload": json.dumps({"type": "shortcut"})}),
        ]
    )  # fmt: skip
    return junk, rng.choice(["application/x-www-form-urlencoded", "application/json", "text/plain"])


def test_random_payloads_never_crash_the_app_nor_write_half_an_action(slack: SlackHarness) -> None:
    rng = random.Random(SEED)
    count = COUNT if slack.core.db.dialect == "sqlite" else COUNT_POSTGRES
    requests = [_request(slack, rng, n) for n in range(count)]

    def send(item: tuple[str, str]) -> int:
        body, content_type = item
        return slack.send(body, content_type)[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, requests))
    slack.settle()
    assert len(statuses) == count
    assert all(200 <= status < 500 for status in statuses), sorted({s for s in statuses if s >= 500})
    with slack.core.db.reading() as session:
        actions = session.scalar(select(func.count()).select_from(Action))
        created = session.scalar(select(func.count()).select_from(ActionEvent).where(ActionEvent.kind == "created"))
        assert actions == created
        assert verify_chain(session).ok
    # and it still works
    card = slack.record("<@U1> Share the CAD log by Friday")
    assert "recorded" in str(card.params.get("text"))
