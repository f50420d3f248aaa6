"""A private asyncio event loop in a daemon thread, so synchronous callers (the chase sweep, the core's
directory look-ups) can use the async Microsoft SDKs without ever blocking the loop the Teams app
serves on. The SDKs' HTTP clients are bound to the loop they first ran on: everything one client does
must go through the same runner.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

T = TypeVar("T")


class RunnerTimeout(Exception):
    """The coroutine did not finish in time (it is cancelled)."""


class LoopRunner:
    """Runs coroutines on one private loop; ``run`` blocks the calling thread until the result."""

    def __init__(self, name: str = "actionbot-teams-io") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()
        self._closed = False

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120.0) -> T:
        if self._closed:
            coro.close()
            raise RuntimeError("the runner is closed")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("LoopRunner.run called from its own loop (this would deadlock)")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise RunnerTimeout(f"gave up after {timeout:.0f} s") from None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        async def _drain() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(_drain(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
