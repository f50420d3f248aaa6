"""What the Teams HTTP app (``/api/messages``, ``/api/webhook``) refuses before the Teams SDK reads it.

The SDK reads and parses a whole body before it checks the caller's token, and fails with a 500 on a
body that is not JSON or not an activity the SDK's own models accept; a chunked request has no
Content-Length to refuse it by. This ASGI middleware reads at most ``limit`` bytes of a POST body,
answers 413 past that and 400 for a body that is not a JSON object (or, at ``/api/messages``, not a
valid activity), and hands anything else on unchanged. (Starlette has no body limit setting; uvicorn's
``h11_max_incomplete_event_size`` bounds headers, not bodies.)
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from microsoft_teams.api import ActivityTypeAdapter
from microsoft_teams.apps.events import CoreActivity
from pydantic import ValidationError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 256 * 1024
MESSAGES_PATH = "/api/messages"
#: Requests handled at once before new ones are refused 503 (the SDK handlers' database work runs on
#: asyncio's default thread pool, a few threads on a small machine).
MAX_IN_FLIGHT = 64
RETRY_AFTER = 30


class InboundGuard:
    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])  # ASGI header names are lower case
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _refuse(send, 413, b"request too large\n")
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.limit:
                await _refuse(send, 413, b"request too large\n")
                return
            if not message.get("more_body", False):
                break
        # An activity's shape is checked only on requests that carry a token: one without gets the SDK's
        # 401 whatever its body, so nothing here tells an unauthenticated caller more than that.
        bearer = headers.get(b"authorization", b"").startswith(b"Bearer ")
        problem = _problem(bytes(body), activity=scope.get("path") == MESSAGES_PATH and bearer)
        if problem is not None:
            await _refuse(send, 400, problem)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: wait for the client to go away
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


class InFlightLimit:
    """Backpressure: at most ``limit`` POSTs handled at once. The Teams SDK answers an activity only after
    our handler has made its change, so an activity waiting here has not been acknowledged; past the limit
    it is refused 503 with Retry-After (Bot Framework delivers it again) instead of queueing unbounded."""

    def __init__(self, app: ASGIApp, limit: int = MAX_IN_FLIGHT, retry_after: int = RETRY_AFTER) -> None:
        self.app = app
        self.limit = limit
        self.retry_after = str(retry_after).encode()
        self.in_flight = 0  # one event loop: no lock needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await _refuse(send, 503, b"busy, try again shortly\n", [(b"retry-after", self.retry_after)])
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def _problem(body: bytes, *, activity: bool) -> bytes | None:
    """Why the body cannot be handled (a short reason naming no values), or None."""
    try:
        parsed = json.loads(body)
    except ValueError:  # not UTF-8, or not JSON
        return b"the body is not JSON\n"
    if not isinstance(parsed, dict):
        return b"the body is not a JSON object\n"
    if activity:
        try:
            ActivityTypeAdapter.validate_python(
                CoreActivity.model_validate(parsed).model_dump(by_alias=True, exclude_none=True)
            )
        except ValidationError:
            return b"the body is not a Bot Framework activity\n"
    return None


async def _refuse(send: Send, status: int, text: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text})
