"""SQLite's one writer at a time, taken in turn by this process's threads, with urgent writers first.

SQLite lets one connection write at a time, and its busy handler polls with growing sleeps (up to 100 ms),
so under contention a writer can miss many turns in a row. Threads of this process therefore queue here
instead, woken the moment the turn is free (other processes still meet SQLite's busy timeout).

Written by hand because the standard library's locks have no notion of priority: a request being
acknowledged (a Slack command waits at most 3 seconds for its answer) must not wait behind every inbox
worker's and sweeper's transaction queued before it. An urgent writer gets the next turn; the others
wait while any urgent one does. The turn is re-entrant, as the ``RLock`` it replaces was: a thread that
holds it may take it again.
"""

from __future__ import annotations

import threading


class WriterTurn:
    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._owner: int | None = None
        self._depth = 0
        self._urgent_waiting = 0
        self.waiting = 0  # threads waiting for the turn (tests, diagnostics)

    def acquire(self, *, urgent: bool = False, timeout: float | None = None) -> bool:
        """Wait for the turn (at most ``timeout`` s; None waits as long as it takes). False on timeout."""
        me = threading.get_ident()
        with self._changed:
            if self._owner == me:
                self._depth += 1
                return True
            if urgent:
                self._urgent_waiting += 1
            self.waiting += 1
            try:
                mine = self._changed.wait_for(
                    lambda: self._owner is None and (urgent or self._urgent_waiting == 0), timeout
                )
            finally:
                self.waiting -= 1
                if urgent:
                    self._urgent_waiting -= 1
            if not mine:
                if urgent:  # the others may have been waiting for this one only
                    self._changed.notify_all()
                return False
            self._owner = me
            self._depth = 1
            return True

    def release(self) -> None:
        with self._changed:
            if self._owner != threading.get_ident():
                raise RuntimeError("the writer's turn is released by a thread that does not hold it")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._changed.notify_all()
