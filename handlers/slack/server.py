"""HTTP mode: the Bolt app as an ASGI app at ``/slack/events`` (served by uvicorn, handlers/serving.py).

Each request passes three checks before Bolt sees it, in this order: the body's size, Slack's signature
(with its five-minute replay window), and the payload's shape. Bolt's ``dispatch`` then runs on a bounded
pool of threads: its ack functions write the request into the durable inbox before they answer, and
more threads than the database has connections would only queue there. ``/healthz`` is for a load
balancer. Put a TLS-terminating reverse proxy in front (docs/slack.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import anyio
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.health import Health
from handlers.serving import health_endpoint
from handlers.slack.payloads import shape_problem

log = logging.getLogger("actionbot.slack.http")

PATH = "/slack/events"
#: Slack's payloads are a few kilobytes; refuse anything absurd before reading it.
MAX_BODY = 1_000_000
#: Seconds a refused (overloaded) request is asked to wait before it comes again.
RETRY_AFTER = 30
#: Requests handed to Bolt at once; the rest wait in the event loop (cheap) rather than in threads.
DISPATCH_THREADS = 16


class TooLarge(Exception):
    pass


def _malformed(body: bytes, content_type: str | None) -> str | None:
    """Why a signed body still cannot be a Slack request (it is not UTF-8, its JSON does not parse, or its
    fields do not have Slack's documented types), or None. Bolt would otherwise fail on it with a 500."""
    try:
        parsed = parse_body(body.decode("utf-8"), content_type)
    except (UnicodeDecodeError, ValueError):
        return "the body is not UTF-8 form data or JSON"
    return shape_problem(parsed)


def _signed(verifier: SignatureVerifier, body: bytes, request: Request) -> bool:
    timestamp = request.headers.get("x-slack-request-timestamp")
    signature = request.headers.get("x-slack-signature")
    if not timestamp or not signature:
        return False
    try:
        return verifier.is_valid(body, timestamp, signature)
    except ValueError:  # a timestamp that is not a number
        return False


async def _read(request: Request) -> bytes:
    """The body, refusing more than MAX_BODY bytes whatever the Content-Length says."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def asgi_app(
    app: App,
    signing_secret: str,
    *,
    health: Callable[[], Health],
    full: Callable[[], bool] = lambda: False,
    path: str = PATH,
    extra: Sequence[BaseRoute] = (),
) -> Starlette:
    """The Bolt app behind the size, signature and shape checks, plus ``/healthz``. While ``full()`` (the
    inbox is past its limit) a signed request is refused 503 here, without the cost of Bolt's dispatch:
    under saturation most requests are refusals, and they must not slow the ones being taken."""
    verifier = SignatureVerifier(signing_secret)
    limiter = anyio.CapacityLimiter(DISPATCH_THREADS)

    async def events(request: Request) -> Response:
        try:
            body = await _read(request)
        except TooLarge:
            return PlainTextResponse("request too large\n", status_code=413)
        # An unsigned, forged or replayed request is refused before anything reads its body.
        if not _signed(verifier, body, request):
            return PlainTextResponse("invalid request\n", status_code=401)
        if problem := _malformed(body, request.headers.get("content-type")):
            # Nothing reaches Bolt or a listener; the reason names no values, so it is safe to log.
            log.warning("refused a malformed request: %s", problem)
            return PlainTextResponse("malformed request\n", status_code=400)
        if full():
            return PlainTextResponse(
                "busy, try again shortly\n", status_code=503, headers={"Retry-After": str(RETRY_AFTER)}
            )
        headers: dict[str, Any] = {}
        for name, value in request.headers.items():
            headers.setdefault(name, []).append(value)
        bolt_request = BoltRequest(body=body.decode("utf-8"), query=str(request.query_params), headers=headers)
        answer = await anyio.to_thread.run_sync(app.dispatch, bolt_request, limiter=limiter)
        return Response(
            content=answer.body, status_code=answer.status, headers=answer.first_headers_without_set_cookie()
        )

    return Starlette(
        routes=[
            Route(path, events, methods=["POST"]),
            Route("/healthz", health_endpoint(health), methods=["GET"]),
            *extra,  # the answer page (handlers.web), when emailed answer links are configured
        ]
    )
