"""Fixtures for the Slack adapter: the fake Web API, and the real Bolt app served over HTTP.

``slack`` runs ``handlers.slack.app.build_app`` behind the production ASGI app and server (uvicorn) on a
free port, with its client pointed at the fake, over the ``core`` fixture (SQLite and PostgreSQL), and
the inbox's worker threads. Requests are signed as Slack signs them. ``slack.settle()`` waits (on
conditions, with a timeout) until the inbox is worked and every lazy listener has finished, so tests
can then assert on what reached the fake and the database.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.actions.directory import set_role
from bot.actions.people import PersonInput
from bot.app import Core
from bot.capture.owners import OwnerRef
from bot.health import check
from handlers.serving import InThread
from handlers.slack.app import build_app
from handlers.slack.server import asgi_app
from storage.models import Action, ActionEvent
from tests.email.conftest import relay  # noqa: F401 - a fixture: the real SMTP relay (Slack Connect's fallback)
from tests.slack.fake_slack import Call, FakeSlack

TOKEN = "xoxb-1000000001-2000000002-actionbotTestToken"
APP_TOKEN = "xapp-1-A0ACTIONBOT-3000000003-actionbotAppToken"
SECRET = "8f742231b10e8888abcd99b1d2e3f4a5"
PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def sign(secret: str, timestamp: str, body: str) -> str:
    """Slack's request signature: v0= HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


class TrackingExecutor(ThreadPoolExecutor):
    """The app's executor for lazy listeners, counting work in flight so tests can wait for it."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="slack-test")
        self._pending = 0
        self._cond = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._cond:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _: Future[Any]) -> None:
        with self._cond:
            self._pending -= 1
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 20.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._pending == 0, timeout):
                raise AssertionError(f"lazy listeners still running after {timeout} s")


def state(**fields: dict[str, Any]) -> dict[str, Any]:
    """A view's ``state.values`` from block id -> element state (block id == action id in our modals)."""
    return {block: {block: value} for block, value in fields.items()}


def user_value(uid: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": uid}


def text_value(text: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": text}


def date_value(day: str | None) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": day}


def time_value(wall: str | None) -> dict[str, Any]:
    return {"type": "timepicker", "selected_time": wall}


class SlackHarness:
    def __init__(self, url: str, fake: FakeSlack, core: Core, executor: TrackingExecutor) -> None:
        self.url = url
        self.fake = fake
        self.core = core
        self.executor = executor
        self._ids = itertools.count(1)

    # -- raw HTTP ---------------------------------------------------------------------------------
    def send(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        secret: str = SECRET,
        timestamp: int | None = None,
        signed: bool = True,
        timeout: float = 10.0,
    ) -> tuple[int, str]:
        moment = str(timestamp if timestamp is not None else int(time.time()))
        sent = {"Content-Type": content_type, **(headers or {})}
        if signed:
            sent["X-Slack-Request-Timestamp"] = moment
            sent["X-Slack-Signature"] = sign(secret, moment, body)
        request = urllib.request.Request(self.url + "/slack/events", data=body.encode(), headers=sent, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def settle(self) -> None:
        """Until the inbox has worked every stored request, no lazy listener is running and the sweeper
        has sent what they made due."""
        for _ in range(3):  # a lazy listener's work never adds inbox work, nor the reverse: one pass is enough
            if not self.core.inbox.wait_idle():
                raise AssertionError("inbox work still pending after 20 s")
            self.executor.wait_idle()
            if not self.core.sweeper.wait_idle():
                raise AssertionError("the sweeper was still sending after 20 s")

    # -- Slack's requests -------------------------------------------------------------------------
    def command_body(
        self, command: str, text: str, *, user: str = "UCHAIR", channel: str = "C1", trigger_id: str | None = None
    ) -> str:
        fields = payload("slash_command")
        n = next(self._ids)
        fields.update(
            command=command,
            text=text,
            user_id=user,
            user_name=user.lower(),
            channel_id=channel,
            trigger_id=trigger_id or f"trigger-{n}-{time.monotonic_ns()}",
            response_url=self.fake.response_url(f"r{n}"),
        )
        return urlencode(fields)

    def command(self, command: str, text: str = "", **kwargs: Any) -> tuple[int, str]:
        headers = kwargs.pop("headers", None)
        return self.send(
            self.command_body(command, text, **kwargs), "application/x-www-form-urlencoded", headers=headers
        )

    def interaction(self, data: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        return self.send(urlencode({"payload": json.dumps(data)}), "application/x-www-form-urlencoded", **kwargs)

    def press(
        self,
        action_id: str,
        ref: str,
        *,
        user: str,
        channel: str = "C1",
        ts: str | None = None,
        home: bool = False,
        block_id: str | None = None,
    ) -> tuple[int, str]:
        data = payload("block_actions")
        data["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0TEST"}
        data["trigger_id"] = f"press-{next(self._ids)}-{time.monotonic_ns()}"
        data["actions"][0].update(action_id=action_id, value=ref)
        if block_id is not None:
            data["actions"][0]["block_id"] = block_id
        if home:
            data["container"] = {"type": "view", "view_id": "VHOME"}
            data.pop("channel")
            data.pop("message")
            data["view"] = {"id": "VHOME", "type": "home"}
        else:
            ts = ts or self.card_ts(ref, channel)
            data["container"] = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False}
            data["channel"]["id"] = channel
            data["message"]["ts"] = ts
        return self.interaction(data)

    def submit(
        self, callback_id: str, values: dict[str, Any], *, user: str, metadata: str, view_id: str | None = None
    ) -> tuple[int, str]:
        data = payload("view_submission")
        data["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0TEST"}
        data["trigger_id"] = f"submit-{next(self._ids)}-{time.monotonic_ns()}"  # Slack's: new for each submission
        data["view"].update(
            id=view_id or f"V{next(self._ids):07d}",
            callback_id=callback_id,
            private_metadata=metadata,
            state={"values": values},
        )
        return self.interaction(data)

    def open_home(self, user: str) -> tuple[int, str]:
        data = payload("app_home_opened")
        data["event"]["user"] = user
        data["event_id"] = f"Ev{next(self._ids):010d}"
        return self.send(json.dumps(data), "application/json")

    # -- shortcuts --------------------------------------------------------------------------------
    def record(self, text: str, *, user: str = "UCHAIR", channel: str = "C1") -> Call:
        """Run /action and return the card posted for it."""
        before = len(self.fake.posts_to(channel))
        status, _ = self.command("/action", text, user=user, channel=channel)
        assert status == 200
        self.settle()
        posts = self.fake.posts_to(channel)
        assert len(posts) == before + 1, [c.params.get("text") for c in posts]
        return posts[-1]

    def card_ts(self, ref: str, channel: str = "C1") -> str:
        for call in reversed(self.fake.calls_to("chat.postMessage")):
            if ("action_done", ref) in call.button_values() and call.response["channel"] == channel:
                return str(call.response["ts"])
        raise AssertionError(f"no card for {ref} in {channel}")

    def modal(self, callback_id: str) -> dict[str, Any]:
        """The last modal opened with this callback id."""
        calls = self.fake.calls_to("views.open", lambda c: c.params["view"]["callback_id"] == callback_id)
        assert calls, f"no {callback_id} modal was opened"
        view: dict[str, Any] = calls[-1].params["view"]
        return view

    def make_dsl(self, user: str) -> None:
        set_role(self.core.db, PersonInput(OwnerRef("slack", user)), "dsl", now=self.core.service.clock())

    def make_chair(self, user: str = "UCHAIR") -> None:
        set_role(self.core.db, PersonInput(OwnerRef("slack", user)), "chair", now=self.core.service.clock())


def count_actions(core: Core) -> int:
    with core.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Action)) or 0)


def event_kinds(core: Core, action_id: int) -> list[str]:
    with core.db.reading() as session:
        return list(
            session.scalars(
                select(ActionEvent.kind).where(ActionEvent.action_id == action_id).order_by(ActionEvent.seq)
            )
        )


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(TOKEN, app_token=APP_TOKEN) as fake:
        fake.members["C1"] = ["UCHAIR", "U1", "U2", "UBOT", "UGONE"]
        yield fake


@pytest.fixture
def slack(core: Core, fake_slack: FakeSlack) -> Iterator[SlackHarness]:
    executor = TrackingExecutor()
    app = build_app(core, bot_token=TOKEN, signing_secret=SECRET, api_url=fake_slack.api_url, executor=executor)
    server = InThread(
        asgi_app(
            app,
            SECRET,
            health=lambda: check(core, scheduler_alive=None, inbox_running=True),
            full=lambda: core.inbox.pressure().full,
        )
    )
    core.inbox.start(threads=4)
    core.sweeper.start()
    server.start()
    harness = SlackHarness(f"http://127.0.0.1:{server.port}", fake_slack, core, executor)
    try:
        yield harness
    finally:
        harness.settle()
        server.stop()
        core.inbox.stop(timeout=10)
        core.sweeper.stop(timeout=10)
        executor.shutdown(wait=True)
