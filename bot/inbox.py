"""The durable inbox: what a platform sends is written down before it is acknowledged, then worked.

An adapter calls ``Inbox.accept`` with a verified request before it acknowledges it, and registers a
``Processor`` for its platform that does the work later from the stored body. Worker threads (``start``)
claim requests with a lease and run them; on start-up they pick up what a crashed or stopped instance
left. The processor's first write transaction marks the request done in the same commit as its change
(storage.inbox.completing), so a request is neither lost nor done twice. A request that fails is tried
again with back-off, and given up (the processor told, to apologise) after ``max_attempts``.

``pressure()`` tells adapters how far behind the workers are, so they can say "busy" in the ack, or
refuse with a status the platform retries, instead of taking on work that cannot be done soon.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.capture.dates import utcnow
from bot.config import InboxSettings
from storage import inbox as store
from storage.db import Database

log = logging.getLogger("actionbot.inbox")

#: How often idle workers look for requests accepted by other instances (or whose lease ran out).
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Work:
    """One request handed to its platform's processor."""

    kind: str
    payload: dict[str, Any]
    attempt: int
    last: bool  # no further attempt follows if this one fails: the processor should tell the person


Processor = Callable[[Work], None]


@dataclass(frozen=True)
class Receipt:
    """What ``accept`` did: ``new`` is False for a re-delivery of a request already received."""

    new: bool


@dataclass(frozen=True)
class Pressure:
    backlog: int
    busy: bool  # acknowledge, but say it will take a moment
    full: bool  # refuse with a status the platform retries later


def _error_code(error: BaseException) -> str:
    """The exception's class (never its text, which may quote task text or database parameters)."""
    return error.__class__.__name__


class Inbox:
    def __init__(self, db: Database, settings: InboxSettings, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock  # the real clock: leases and back-off are about wall time, not a test's "now"
        self.worker = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._processors: dict[str, Processor] = {}
        self._wake = threading.Condition()
        self._signalled = False
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._waiting = 0  # worker threads waiting for work
        self._handed: deque[store.Claimed] = deque()  # accepted here, claimed for this process's workers
        self._busy = 0  # requests being worked in this process
        self._idle = threading.Condition()
        self._pressure_cache: tuple[float, int] = (0.0, 0)
        store.install(db)

    # -- adapters ---------------------------------------------------------------------------------
    def register(self, platform: str, processor: Processor) -> None:
        self._processors[platform] = processor

    def accept(self, key: str, platform: str, kind: str, payload: dict[str, Any]) -> Receipt:
        """Write the request down (committed) and wake a worker. Call before acknowledging it.

        When a worker thread of this process is waiting for work, the row is written already claimed by this
        process and handed to it: it starts at once, without a claim of its own (one write transaction fewer
        per request). The claim is the same lease as ever: if this process dies first, the row is claimed
        again when the lease runs out, here or elsewhere."""
        body = json.dumps(payload, separators=(",", ":"))
        lease = timedelta(seconds=self.settings.lease_seconds)
        hand_over = platform in self._processors and self._a_worker_waits()
        claim = (self.worker, lease) if hand_over else None
        item_id = store.accept(self.db, key, platform, kind, body, self.clock(), claim)
        with self._wake:
            if hand_over and item_id is not None:
                self._handed.append(store.Claimed(item_id, key, platform, kind, body, 1))
            self._signalled = True
            self._wake.notify()
        return Receipt(item_id is not None)

    def _a_worker_waits(self) -> bool:
        with self._wake:
            return not self._stopping.is_set() and self._waiting > len(self._handed)

    def pressure(self) -> Pressure:
        """The backlog across every instance, counted at most every quarter second."""
        taken, count = self._pressure_cache
        if time.monotonic() - taken > 0.25:
            count = store.backlog(self.db)
            self._pressure_cache = (time.monotonic(), count)
        return Pressure(count, count >= self.settings.busy_backlog, count >= self.settings.max_backlog)

    # -- working ----------------------------------------------------------------------------------
    def run_once(self, limit: int = 1) -> int:
        """Claim and work up to ``limit`` requests in this thread; returns how many were claimed."""
        claimed = store.claim(
            self.db,
            self.worker,
            tuple(self._processors),
            limit,
            self.clock(),
            timedelta(seconds=self.settings.lease_seconds),
        )
        for index, item in enumerate(claimed):
            if self._stopping.is_set() and index > 0:
                store.release(self.db, self.worker, [c.id for c in claimed[index:]])
                break
            self._work(item)
        return len(claimed)

    def drain(self, timeout: float = 30.0) -> None:
        """Work until nothing is claimable (tests and the console, which run no worker threads)."""
        deadline = time.monotonic() + timeout
        while self.run_once(limit=50):
            if time.monotonic() > deadline:
                raise TimeoutError("the inbox did not drain")

    def _work(self, item: store.Claimed) -> None:
        processor = self._processors[item.platform]
        last = item.attempts >= self.settings.max_attempts
        with self._idle:
            self._busy += 1
        failure: Exception | None = None
        try:
            with store.completing(item.id, self.worker, self.clock()) as completion:
                try:
                    processor(Work(item.kind, json.loads(item.payload), item.attempts, last))
                except store.ClaimLost:
                    log.warning("inbox item %s was taken over by another worker; its change was not made", item.id)
                    return
                except Exception as error:
                    failure = error
            # outside the completion context: these transactions must not mark the request done
            if failure is not None:
                self._failed(item, completion.done, failure, last)
            elif not completion.done:
                store.finish(self.db, item.id, self.worker, self.clock())
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def _failed(self, item: store.Claimed, done: bool, error: Exception, last: bool) -> None:
        code = _error_code(error)
        if done:  # the change is recorded; what failed came after it (a reply): nothing to do again
            log.error(
                "inbox %s %s (item %s): failed after its change was recorded: %s",
                item.platform,
                item.kind,
                item.id,
                code,
            )
            return
        if last:
            log.error(
                "inbox %s %s (item %s): gave up after %s attempts: %s",
                item.platform,
                item.kind,
                item.id,
                item.attempts,
                code,
            )
            store.give_up(self.db, item.id, self.worker, self.clock(), code)
            return
        wait = timedelta(seconds=self.settings.retry_seconds * item.attempts**2)
        log.warning(
            "inbox %s %s (item %s): attempt %s failed (%s); again in %s s",
            item.platform,
            item.kind,
            item.id,
            item.attempts,
            code,
            int(wait.total_seconds()),
        )
        store.retry_later(self.db, item.id, self.worker, self.clock() + wait, code)

    # -- worker threads ---------------------------------------------------------------------------
    def wake(self) -> None:
        with self._wake:
            self._signalled = True
            self._wake.notify()

    def start(self, threads: int | None = None) -> None:
        """Worker threads that work the inbox until ``stop`` (first what earlier runs left unfinished)."""
        for n in range(threads or self.settings.workers):
            thread = threading.Thread(target=self._loop, name=f"inbox-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self.wake()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            if (handed := self._take_handed()) is not None:
                self._work(handed)
                continue
            try:
                if self.run_once():
                    continue
            except Exception as error:  # the database is unreachable: wait and try again; nothing is lost
                log.error("inbox worker could not claim work: %s", _error_code(error))
            with self._wake:
                if not self._signalled and not self._handed:
                    self._waiting += 1
                    self._wake.wait(POLL_SECONDS)
                    self._waiting -= 1
                self._signalled = False

    def _take_handed(self) -> store.Claimed | None:
        with self._wake:
            return self._handed.popleft() if self._handed else None

    def _release_handed(self) -> None:
        """Hand back to the inbox what was handed to this process's workers and not started (a stop)."""
        with self._wake:
            left = [item.id for item in self._handed]
            self._handed.clear()
        store.release(self.db, self.worker, left)

    def alive(self) -> bool:
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def wait_idle(self, timeout: float = 20.0) -> bool:
        """Until nothing is being worked in this process and nothing of its platforms waits (tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._idle:
                self._idle.wait_for(lambda: self._busy == 0, max(0.0, deadline - time.monotonic()))
            if self._busy == 0 and store.backlog(self.db, tuple(self._processors)) == 0:
                return True
            time.sleep(0.01)
        return False

    def stop(self, timeout: float) -> bool:
        """Stop claiming; let work in progress finish for up to ``timeout`` s. True if all finished.
        Whatever is unfinished stays in the database and is claimed again (here or elsewhere) later."""
        self._stopping.set()
        with self._wake:
            self._signalled = True
            self._wake.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        finished = not any(t.is_alive() for t in self._threads)
        self._threads = [t for t in self._threads if t.is_alive()]
        self._release_handed()
        return finished

    def prune(self, now: datetime | None = None) -> int:
        """Forget requests finished longer ago than the retention window (their bodies are gone already)."""
        moment = now or self.clock()
        return store.prune(self.db, moment - timedelta(hours=self.settings.keep_hours))
