"""Teams backpressure: past the in-flight limit an activity is refused 503 with Retry-After (Bot Framework
delivers it again), never queued without bound; below it everything passes. A real uvicorn server."""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from handlers.serving import InThread
from handlers.teams.inbound import InFlightLimit


def post(port: int) -> tuple[int, str | None]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/messages", data=b"{}", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")


def test_activities_past_the_in_flight_limit_are_refused_with_503_and_retry_after() -> None:
    release = threading.Event()
    entered = threading.Semaphore(0)

    async def slow(request: Request) -> PlainTextResponse:
        entered.release()
        await asyncio.to_thread(release.wait, 10)
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/api/messages", slow, methods=["POST"])])
    server = InThread(InFlightLimit(app, limit=2)).start()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            held = [pool.submit(post, server.port) for _ in range(2)]
            assert entered.acquire(timeout=5) and entered.acquire(timeout=5)
            assert post(server.port) == (503, "30")
            release.set()
            assert [f.result() for f in held] == [(200, None), (200, None)]
        assert post(server.port) == (200, None)  # and once they are done, the next is taken
    finally:
        release.set()
        server.stop()
