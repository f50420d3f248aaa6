"""The one thread that sweeps in a serving process. A change (a new action, a button) and the scheduler's
tick only wake it: a request's worker never sends nudges itself, so a chair's ``/action`` never waits
behind 09:00's thousand messages, and how fast nudges go out never depends on who happens to click.

Wakes that arrive during a sweep are not lost: another sweep follows at once. A process that runs no
runner (``--no-scheduler``) leaves sweeping to the one that does; waking it is then a no-op.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("actionbot.chase")


class SweepRunner:
    def __init__(self, sweep: Callable[[], object], stop_sending: Callable[[], None]) -> None:
        self._sweep = sweep
        self._stop_sending = stop_sending
        self._cond = threading.Condition()
        self._woken = False
        self._sweeping = False
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start sweeping (at once: what an earlier run left due goes out first)."""
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._woken = True
            self._thread = threading.Thread(target=self._loop, name="chase-sweep", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Ask for a sweep soon. Never blocks, never sends; safe to call from any request."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._woken or self._stopping)
                if self._stopping:
                    return
                self._woken, self._sweeping = False, True
            try:
                self._sweep()
            except Exception as error:  # the outbox keeps everything; the next wake tries again
                log.error("chase sweep failed: %s", error.__class__.__name__)
            finally:
                with self._cond:
                    self._sweeping = False
                    self._cond.notify_all()

    def wait_idle(self, timeout: float = 20.0) -> bool:
        """Until no sweep runs or is asked for (tests, and the console's synchronous flow)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._sweeping and (not self._woken or not self.alive()),
                max(0.0, deadline - time.monotonic()),
            )

    def stop(self, timeout: float = 20.0) -> bool:
        """Stop: a sweep in progress sends nothing more and hands back what it has not sent. True if the
        thread finished within ``timeout`` seconds."""
        self._stop_sending()
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                return False
        self._thread = None
        return True
