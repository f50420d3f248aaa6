"""What every served endpoint shares: a listening socket, uvicorn with graceful stops, and /healthz.

uvicorn (the ASGI server the Teams SDK already runs on) serves Slack's HTTP mode and the Teams bot: an
event loop with a listen backlog of 2,048 instead of a thread per request. The first SIGTERM or SIGINT
stops taking new connections and lets requests in flight finish (at most ``GRACE_SECONDS``); a second
signal exits at once. Either way nothing is lost: a request is acknowledged only once it is in the
inbox, and what a stopped process had claimed is claimed again when its lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import h11
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.config import ConfigError
from bot.health import Health

log = logging.getLogger("actionbot.serve")

#: Connections the kernel queues while the server is busy (uvicorn's default).
BACKLOG = 2048
#: Seconds requests in flight get to finish after the first stop signal.
GRACE_SECONDS = 10
#: Seconds the inbox's workers get to finish what they are doing after the server has stopped.
DRAIN_SECONDS = 20


def listen(host: str, port: int) -> socket.socket:
    """A bound socket (port 0 picks a free one); a port in use is a one-line ConfigError."""
    if not 0 <= port < 65536:
        raise ConfigError(f"--port must be between 0 and 65535, not {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)  # connections queue from here on, even before the server's loop accepts them
    except OSError as error:
        sock.close()
        raise ConfigError(f"--port {port}: cannot listen on {host}:{port} ({error.strerror})") from None
    return sock


def configure_logging(*quiet: str) -> None:
    """INFO to stderr unless the host application configured logging; the ``quiet`` loggers (SDKs whose
    debug output can include payloads) stay at WARNING."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)


def exit_now(signum: int, frame: FrameType | None) -> None:
    log.warning("second stop signal: exiting at once (unfinished requests are picked up on the next start)")
    os._exit(128 + signum)


#: A client has this long after connecting to send a whole request (line, headers and body).
REQUEST_SECONDS = 10.0


class RequestTimeoutH11(H11Protocol):
    """uvicorn's h11 protocol, with the timeout for receiving a request that uvicorn lacks.

    Written here because uvicorn only times out idle keep-alive connections: a client that connects and
    sends half a request (a line, some headers, part of a body) would hold its socket for as long as it
    liked (slowloris). Each stalled connection costs a socket, not a thread, but sockets are limited too.
    A request that has fully arrived is never cut off, however long the app takes to answer it."""

    _request_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._request_timer = self.loop.call_later(REQUEST_SECONDS, self._request_too_slow)

    def _request_too_slow(self) -> None:
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):  # the request has not (fully) arrived
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
        super().connection_lost(exc)


class Server(uvicorn.Server):
    """uvicorn whose second stop signal (SIGTERM as well as SIGINT) exits at once."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            exit_now(sig, frame)
        super().handle_exit(sig, frame)


def server(app: Any) -> Server:
    """A uvicorn server for an ASGI app: quiet (no access log: paths may carry ids), graceful stops."""
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=GRACE_SECONDS,
        lifespan="on",
        http=RequestTimeoutH11,
    )
    return Server(config)


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by the first SIGINT or SIGTERM; a second one exits at once (handlers restored afterwards)."""
    stop = threading.Event()
    previous = {}

    def first(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            exit_now(signum, frame)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, first)
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def second_signal_exits() -> Iterator[None]:
    """While the process finishes its work after the server stopped, another signal exits at once."""
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, exit_now) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def health_endpoint(probe: Callable[[], Health]) -> Callable[[Request], Any]:
    """``GET /healthz``: 200 when every check is "ok", else 503 (a load balancer takes the instance out)."""

    async def healthz(request: Request) -> JSONResponse:
        health = await asyncio.to_thread(probe)
        return JSONResponse(health.as_json(), status_code=200 if health.ok else 503)

    return healthz


class InThread:
    """A server run on its own thread and event loop (tests and benchmarks); ``stop`` is graceful."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.socket = listen(host, port)
        self.port: int = self.socket.getsockname()[1]
        self.server = server(app)
        self.thread = threading.Thread(target=self._run, name="http-server", daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=[self.socket]))

    def start(self) -> InThread:
        self.thread.start()
        while not self.server.started and self.thread.is_alive():
            threading.Event().wait(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=GRACE_SECONDS + 5)
        self.socket.close()
