"""A fake Slack Web API on 127.0.0.1 (a free port): the methods actionbot calls, answered with the
documented response shapes (https://api.slack.com/methods), every call recorded.

It also receives ``response_url`` posts (``/hooks/...``) and file uploads (``/upload/...``). Failures can
be injected per method: HTTP 429 with Retry-After, HTTP 500, or ``{"ok": false, "error": ...}``, for a
number of calls or until healed, optionally only for calls matching a predicate.

For load, each Web API call can take ``latency`` seconds, and ``rate_limits`` makes chat.postMessage
answer as Slack does past its documented limits (about one message per second per channel, short bursts
allowed, within a workspace-wide limit): HTTP 429, ``ratelimited``, with Retry-After.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

JSON_FIELDS = ("blocks", "view", "files", "attachments")
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yaml"


def manifest_scopes() -> set[str]:
    """The bot scopes the app manifest asks for."""
    return set(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"])


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    ok: bool = True
    response: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)  # when the answer was ready

    def blocks_text(self) -> str:
        """Every text in the call's blocks (or view's blocks) joined, for assertions."""
        source = self.params.get("blocks") or (self.params.get("view") or {}).get("blocks") or []
        out: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "text" and isinstance(value, str):
                        out.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(source)
        return "\n".join(out)

    def button_values(self) -> list[tuple[str, str]]:
        blocks = self.params.get("blocks") or (self.params.get("view") or {}).get("blocks") or []
        return [
            (element["action_id"], element.get("value", ""))
            for block in blocks
            if block.get("type") == "actions"
            for element in block["elements"]
        ]


@dataclass
class PostLimits:
    """chat.postMessage's limits: token buckets per channel and for the workspace."""

    per_channel_per_second: float = 1.0
    channel_burst: int = 3
    workspace_per_minute: float = 600.0
    workspace_burst: int = 10


class _Bucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.at = float(burst), time.monotonic()

    def wait(self, now: float) -> float:
        """Seconds until a token is there (0: there is one now); refills first."""
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class Failure:
    method: str
    status: int = 200
    error: str = "fatal_error"
    retry_after: int | None = None
    times: int | None = 1  # None: until healed
    when: Callable[[dict[str, Any]], bool] | None = None
    #: Let this many matching calls through before failing.
    after: int = 0
    used: int = 0
    seen: int = 0


def default_users() -> dict[str, dict[str, Any]]:
    def user(uid: str, name: str, real: str, email: str, tz: str = "Europe/London", **extra: Any) -> dict[str, Any]:
        return {
            "id": uid,
            "team_id": "T0TEST",
            "name": name,
            "deleted": False,
            "real_name": real,
            "tz": tz,
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "is_bot": False,
            "profile": {"real_name": real, "display_name": name, "email": email},
            **extra,
        }

    return {
        "UCHAIR": user("UCHAIR", "chris.chair", "Chris Chair", "chris.chair@council.example"),
        "U1": user("U1", "jo.bloggs", "Jo Bloggs", "jo.bloggs@police.example"),
        "U2": user("U2", "sam.patel", "Sam Patel", "sam.patel@health.example", "Europe/Dublin"),
        "U3": user("U3", "alex.other", "Alex Other", "alex.other@school.example"),
        "UDSL": user("UDSL", "dee.lead", "Dee Lead", "dee.lead@council.example"),
        "UBOT": user("UBOT", "actionbot", "actionbot", "", is_bot=True),
        "UGONE": user("UGONE", "left.org", "Left Org", "left@council.example", deleted=True),
    }


class FakeSlack:
    def __init__(self, token: str, *, app_token: str | None = None) -> None:
        self.token = token
        self.app_token = app_token
        self.users = default_users()
        self.members: dict[str, list[str]] = {}
        #: Each conversation's kind (channel, group, mpim, im); by its id's first letter when not given.
        self.kinds: dict[str, str] = {}
        #: The bot token's scopes: the app manifest's, as Slack grants at install.
        self.scopes: set[str] = manifest_scopes()
        #: Slack may return fewer members than asked for; this caps each page.
        self.page_size = 1000
        #: The Socket Mode endpoint apps.connections.open hands out (tests.slack.fake_socket), if any.
        self.socket_url: str | None = None
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        #: Files shared in the workspace, by id: served at their url_private_download to the bot token.
        self.files: dict[str, bytes] = {}
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        #: Seconds each Web API call takes; chat.postMessage's rate limits when set.
        self.latency = 0.0
        self.rate_limits: PostLimits | None = None
        self._buckets: dict[str, _Bucket] = {}
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True)

    # -- lifecycle --------------------------------------------------------------------------------
    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.url}/hooks/commands/T0TEST/{name}"

    # -- failures ---------------------------------------------------------------------------------
    def fail(self, method: str, **kwargs: Any) -> Failure:
        failure = Failure(method, **kwargs)
        with self._cond:
            self.failures.append(failure)
        return failure

    def heal(self) -> None:
        with self._cond:
            self.failures.clear()

    def _failure_for(self, method: str, params: dict[str, Any]) -> Failure | None:
        with self._cond:
            for failure in self.failures:
                if failure.method != method or (failure.when and not failure.when(params)):
                    continue
                failure.seen += 1
                if failure.seen <= failure.after:
                    continue
                if failure.times is not None and failure.used >= failure.times:
                    continue
                failure.used += 1
                return failure
        return None

    def _rate_limited(self, method: str, params: dict[str, Any]) -> int | None:
        """Retry-After (whole seconds, as Slack sends it) when this post is past a limit, else None."""
        limits = self.rate_limits
        if limits is None or method != "chat.postMessage":
            return None
        channel = str(params.get("channel", ""))
        now = time.monotonic()
        with self._cond:
            workspace = self._buckets.setdefault(
                "", _Bucket(limits.workspace_per_minute / 60.0, limits.workspace_burst)
            )
            room = self._buckets.setdefault(channel, _Bucket(limits.per_channel_per_second, limits.channel_burst))
            wait = max(workspace.wait(now), room.wait(now))
            if wait > 0:
                return max(1, math.ceil(wait))
            workspace.tokens -= 1
            room.tokens -= 1
        return None

    # -- inspection -------------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def calls_to(
        self, method: str, where: Callable[[Call], bool] | None = None, *, ok: bool | None = True
    ) -> list[Call]:
        with self._cond:
            return [
                c
                for c in self.calls
                if c.method == method and (ok is None or c.ok == ok) and (where is None or where(c))
            ]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
        with self._cond:
            if not self._cond.wait_for(predicate, timeout):
                methods = [c.method for c in self.calls]
                raise AssertionError(f"fake Slack: timed out waiting for {what}; calls so far: {methods}")

    def wait_calls(
        self, method: str, count: int = 1, where: Callable[[Call], bool] | None = None, timeout: float = 10.0
    ) -> list[Call]:
        self.wait_for(lambda: len(self._matching(method, where)) >= count, timeout, f"{count} x {method}")
        return self.calls_to(method, where)

    def _matching(self, method: str, where: Callable[[Call], bool] | None) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.ok and (where is None or where(c))]

    def posts_to(self, channel: str) -> list[Call]:
        return self.calls_to("chat.postMessage", lambda c: c.params.get("channel") == channel)

    def replies(self) -> list[Call]:
        return self.calls_to("response_url")

    # -- the API ----------------------------------------------------------------------------------
    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test Partnership",
                "user": "actionbot",
                "team_id": "T0TEST",
                "user_id": "UBOT",
                "bot_id": "B0BOT",
                "is_enterprise_install": False,
            }
        if method == "apps.connections.open":
            if self.socket_url is None:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": self.socket_url}
        if method == "chat.postMessage":
            channel = str(p.get("channel", ""))
            if channel.startswith(("U", "W")):
                if channel not in self.users or self.users[channel].get("deleted"):
                    return {"ok": False, "error": "user_not_found" if channel not in self.users else "account_inactive"}
                channel = "D" + channel[1:]
            ts = f"{1_790_000_000 + next(self._ts)}.000100"
            self.messages[(channel, ts)] = dict(p)
            return {"ok": True, "channel": channel, "ts": ts, "message": {"type": "message", "text": p.get("text")}}
        if method == "chat.update":
            key = (str(p.get("channel")), str(p.get("ts")))
            if key not in self.messages:
                return {"ok": False, "error": "message_not_found"}
            self.messages[key] = dict(p)
            return {"ok": True, "channel": key[0], "ts": key[1], "text": p.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1_790_000_000 + next(self._ts)}.000200"}
        if method == "conversations.open":
            users = str(p.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users[1:]}}
        if method == "conversations.members":
            channel = str(p.get("channel"))
            if channel not in self.members:
                return {"ok": False, "error": "channel_not_found"}
            kind = self.kinds.get(channel) or {"C": "channel", "G": "group", "D": "im"}.get(channel[:1], "channel")
            needed = {"channel": "channels:read", "group": "groups:read", "mpim": "mpim:read", "im": "im:read"}[kind]
            if needed not in self.scopes:  # Slack's answer when the token lacks the conversation type's scope
                provided = ",".join(sorted(self.scopes))
                return {"ok": False, "error": "missing_scope", "needed": needed, "provided": provided}
            everyone = self.members[channel]
            start = int(p.get("cursor") or 0)
            limit = min(int(p.get("limit") or 100), self.page_size)
            page = everyone[start : start + limit]
            cursor = str(start + limit) if start + limit < len(everyone) else ""
            return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}
        if method == "users.list":  # every member, deleted ones and bots too, a page at a time (cursor)
            everyone = list(self.users.values())
            start = int(p.get("cursor") or 0)
            limit = min(int(p.get("limit") or 100), self.page_size)
            page = everyone[start : start + limit]
            cursor = str(start + limit) if start + limit < len(everyone) else ""
            return {
                "ok": True,
                "members": page,
                "cache_ts": 1_790_000_000,
                "response_metadata": {"next_cursor": cursor},
            }
        if method == "users.info":
            user = self.users.get(str(p.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            email = str(p.get("email", "")).lower()
            for user in self.users.values():
                if user["profile"].get("email", "").lower() == email and not user.get("deleted"):
                    return {"ok": True, "user": user}
            return {"ok": False, "error": "users_not_found"}
        if method in ("views.open", "views.publish", "views.update"):
            view = p.get("view") or {}
            return {"ok": True, "view": {"id": f"V{next(self._ts):06d}", **view}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):06d}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = p.get("files") or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        return {"ok": False, "error": "unknown_method"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                self._send(status, json.dumps(data).encode(), "application/json; charset=utf-8", headers)

            def _params(self, raw: bytes) -> dict[str, Any]:
                parts = urlsplit(self.path)
                params: dict[str, Any] = dict(parse_qsl(parts.query))
                kind = self.headers.get("Content-Type", "")
                if raw and "json" in kind:
                    params.update(json.loads(raw))
                elif raw and "x-www-form-urlencoded" in kind:
                    params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
                elif raw and "multipart/form-data" in kind:
                    raise AssertionError("multipart uploads are not expected by the fake")
                for key in JSON_FIELDS:
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                return params

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                headers = {k.lower(): v for k, v in self.headers.items()}
                if path.startswith("/hooks/"):
                    fake._record(Call("response_url", {**json.loads(raw or b"{}"), "_path": path}, headers))
                    self._send(200, b"ok", "text/plain")
                    return
                if path.startswith("/files-pri/"):
                    file_id = path.split("/")[2].split("-", 1)[-1]
                    allowed = headers.get("authorization") == f"Bearer {fake.token}" and "files:read" in fake.scopes
                    fake._record(Call("file_download", {"file_id": file_id}, headers, ok=allowed))
                    if allowed and file_id in fake.files:
                        self._send(200, fake.files[file_id], "application/octet-stream")
                    else:  # as Slack does: the sign-in page, with 200
                        self._send(200, b"<!DOCTYPE html><html><title>Slack</title></html>", "text/html")
                    return
                if path.startswith("/upload/"):
                    fake._record(Call("upload", {"file_id": path.rsplit("/", 1)[-1], "content": raw}, headers))
                    self._send(200, b"OK - " + str(len(raw)).encode(), "text/plain")
                    return
                if not path.startswith("/api/"):
                    self._send(404, b"not found", "text/plain")
                    return
                method = path[len("/api/") :]
                params = self._params(raw)
                expected = fake.app_token if method == "apps.connections.open" else fake.token
                if headers.get("authorization") != f"Bearer {expected}":
                    fake._record(Call(method, params, headers, ok=False))
                    self._json(200, {"ok": False, "error": "invalid_auth"})
                    return
                if fake.latency:
                    time.sleep(fake.latency)
                limited = fake._rate_limited(method, params)
                if limited is not None:
                    fake._record(Call(method, params, headers, ok=False))
                    self._json(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(limited)})
                    return
                failure = fake._failure_for(method, params)
                if failure is not None:
                    fake._record(Call(method, params, headers, ok=False))
                    if failure.status == 429:
                        self._json(
                            429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(failure.retry_after)}
                        )
                    elif failure.status != 200:
                        self._send(failure.status, b"<html>upstream error</html>", "text/html")
                    else:
                        self._json(200, {"ok": False, "error": failure.error})
                    return
                with fake._cond:
                    answer = fake._answer(method, params)
                fake._record(Call(method, params, headers, ok=bool(answer.get("ok")), response=answer))
                self._json(200, answer)

        return Handler
