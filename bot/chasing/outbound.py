"""Sending one claimed batch: concurrently, within each platform's limits, recorded as it goes.

Each job travels in a lane (its platform and destination). One loop decides what starts next: the lane
whose destination and platform are both ready (``bot.chasing.pacing``), with at most ``in_flight`` calls
open per platform; a bounded pool of threads makes the calls. A "429, Retry-After" pauses that platform
only, and the job goes back to the front of its lane, so nobody else's message waits behind another
owner's. Finished jobs are handed to ``record`` in groups (``FLUSH_SECONDS`` after the first of a group
finished, or every ``GROUP`` jobs), so a crash can send again only what was in flight or finished since,
not a whole batch. Jobs not started when ``stop()`` says so (out of time, stopping) are ``released``.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from bot.actions.messages import Message
from bot.actions.ports import Delivered, DeliveryError, Messenger
from bot.actions.records import ActionView, PersonView
from bot.chasing.delivery import Router
from bot.chasing.pacing import Pacer, SendLimits, limits_of

#: Record finished jobs at least this often (a crash can repeat only what finished since), and whenever
#: this many wait. Paced platforms finish a few messages in that time; a platform that answers at once
#: (the console) is recorded a batch at a time, each group costing a transaction.
FLUSH_SECONDS = 0.2
GROUP = 500
#: Times one job is tried again within a batch after the platform said "wait" (then: back to the outbox).
RETRIES_IN_BATCH = 3
#: Waits longer than this are not spent holding a claimed row: the outbox tries again later.
LONGEST_HOLD = 60.0


@dataclass
class Job:
    """One claimed row on its way out."""

    nudge_id: int
    step: str
    occurrence: int
    recipient_key: str
    recipient: PersonView | None
    action: ActionView
    reason: str | None
    late: int
    messenger: Messenger | None = None
    delivered: Delivered | None = None
    error: Exception | None = None
    released: bool = False  # given back unsent: the batch ran out of time, or the process is stopping
    retries: int = 0
    #: The owner on leave whose reminder this is, when it goes to the colleague covering for them.
    covering: PersonView | None = None
    #: A digest: the other rows sent in this job's one message (they share its outcome when recorded).
    bundle: tuple[Job, ...] = ()
    in_digest: bool = False
    #: A chair's notice that email failed (bot.chasing.bounces): the person whose address was refused.
    about: PersonView | None = None

    def rows(self) -> list[Job]:
        """This job and the rows it carried in a digest, each with the outcome of the one message."""
        for member in self.bundle:
            member.messenger, member.delivered, member.error = self.messenger, self.delivered, self.error
            member.released = self.released
        return [self, *self.bundle]

    @property
    def who(self) -> str:
        return self.recipient.name if self.recipient else self.recipient_key.split(":", 2)[-1]

    @property
    def conversation(self) -> tuple[str, str] | None:
        """(platform, conversation id) for a post to a conversation, else None (a direct message)."""
        if not self.recipient_key.startswith("c:"):
            return None
        _, platform, conversation = self.recipient_key.split(":", 2)
        return platform, conversation

    def route(self, router: Router) -> None:
        """Choose the messenger (None: nobody can reach them; the job is done unsent)."""
        where = self.conversation
        if where is not None:
            self.messenger = router.for_conversation(where[0])
        elif self.recipient is not None:
            self.messenger = router.for_person(self.recipient)

    def deliver(self, compose: Callable[[Job], Message]) -> None:
        """Build the message and send it through the chosen messenger (outside any transaction). Never
        raises: a failure (building or sending) is kept in ``error`` and the row is tried again later."""
        assert self.messenger is not None
        try:
            message = compose(self)
            where = self.conversation
            if where is not None:
                self.delivered = self.messenger.post_to_conversation(where[1], message)
            else:
                assert self.recipient is not None
                self.delivered = self.messenger.send_direct(self.recipient, message)
        except Exception as error:  # any failure keeps the row pending and is retried: nothing is lost
            self.error = error


def _wait_asked(job: Job) -> float | None:
    """Seconds the platform asked to wait, when trying this job again within the batch makes sense."""
    error = job.error
    if not isinstance(error, DeliveryError) or error.permanent or error.retry_after is None:
        return None
    if job.retries >= RETRIES_IN_BATCH or error.retry_after > LONGEST_HOLD:
        return None
    return error.retry_after


class _Lanes:
    """The jobs waiting to start, per platform a heap of destinations by when they are next ready."""

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer
        self.queues: dict[tuple[str, Hashable], deque[Job]] = {}
        self.heaps: dict[str, list[tuple[float, int, Hashable]]] = {}
        self.limits: dict[str, SendLimits] = {}
        self.open: dict[str, int] = {}
        self._order = itertools.count()

    def add(self, job: Job, *, front: bool = False) -> None:
        assert job.messenger is not None
        platform, destination = job.messenger.channel, job.recipient_key
        self.limits.setdefault(platform, limits_of(job.messenger))
        self.open.setdefault(platform, 0)
        queue = self.queues.get((platform, destination))
        if queue is None:
            queue = self.queues[(platform, destination)] = deque()
            ready = self.pacer.destination_ready(platform, destination)
            heapq.heappush(self.heaps.setdefault(platform, []), (ready, next(self._order), destination))
        if front:
            queue.appendleft(job)
        else:
            queue.append(job)

    def __bool__(self) -> bool:
        return any(self.heaps.values())

    def next_start(self) -> float | None:
        """The earliest moment a waiting job could start (None when every platform is at its call limit)."""
        times = [
            max(heap[0][0], self.pacer.platform_ready(platform))
            for platform, heap in self.heaps.items()
            if heap and self.open[platform] < self.limits[platform].in_flight
        ]
        return min(times, default=None)

    def pop_ready(self, now: float) -> Job | None:
        """A job that may start now (taking its slot), else None."""
        for platform, heap in self.heaps.items():
            limits = self.limits[platform]
            if not heap or self.open[platform] >= limits.in_flight or self.pacer.platform_ready(platform) > now:
                continue
            ready, order, destination = heap[0]
            if ready > now:
                continue
            queue = self.queues[(platform, destination)]
            job = queue.popleft()
            self.pacer.take(platform, destination, limits, now)
            if queue:
                heapq.heapreplace(heap, (self.pacer.destination_ready(platform, destination), order, destination))
            else:
                heapq.heappop(heap)
                del self.queues[(platform, destination)]
            self.open[platform] += 1
            return job
        return None

    def one_at_a_time(self, job: Job) -> bool:
        assert job.messenger is not None
        return self.limits[job.messenger.channel].in_flight == 1

    def finished(self, job: Job) -> None:
        assert job.messenger is not None
        self.open[job.messenger.channel] -= 1

    def drain(self) -> list[Job]:
        """Every job still waiting (in order of arrival per lane), leaving none."""
        left = [job for queue in self.queues.values() for job in queue]
        self.queues.clear()
        self.heaps.clear()
        return left


class Sender:
    """Sends batches of jobs through a pool of ``workers`` threads, pacing each platform across batches."""

    def __init__(self, workers: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.workers = max(1, workers)
        self.clock = clock
        self.pacer = Pacer()
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="send")
            return self._pool

    def send(
        self,
        jobs: Sequence[Job],
        router: Router,
        compose: Callable[[Job], Message],
        record: Callable[[list[Job]], None],
        *,
        stop: Callable[[], bool],
    ) -> None:
        """Send every job (jobs nobody can reach are done at once, unsent), calling ``record`` with each
        finished group. Returns when all are recorded; jobs not started when ``stop()`` turns true (out of
        time, or the process is stopping) are released."""
        lanes = _Lanes(self.pacer)
        finished: list[Job] = []
        for job in jobs:
            job.route(router)
            if job.messenger is None:
                finished.append(job)
            else:
                lanes.add(job)
        in_flight: dict[Future[None], Job] = {}
        first_finished: float | None = self.clock() if finished else None
        while lanes or in_flight:
            now = self.clock()
            if stop():
                for job in lanes.drain():
                    job.released = True
                    finished.append(job)
                first_finished = first_finished or now
            done: list[Job] = []
            while len(in_flight) < self.workers and (ready := lanes.pop_ready(now)) is not None:
                if lanes.one_at_a_time(ready) and not in_flight:
                    # One call at a time anyway: made here, without a hop to the pool and back.
                    ready.deliver(compose)
                    lanes.finished(ready)
                    done.append(ready)
                    break
                in_flight[self._executor().submit(ready.deliver, compose)] = ready
            for job in done or self._collect(in_flight, lanes, now):
                asked = _wait_asked(job)
                if asked is not None:
                    assert job.messenger is not None
                    self.pacer.hold(job.messenger.channel, self.clock() + asked)
                    job.error, job.retries = None, job.retries + 1
                    lanes.add(job, front=True)
                else:
                    finished.append(job)
                    first_finished = first_finished or self.clock()
            due = first_finished is not None and self.clock() - first_finished >= FLUSH_SECONDS
            if finished and (len(finished) >= GROUP or due or not (lanes or in_flight)):
                record(finished)
                finished, first_finished = [], None
        if finished:
            record(finished)

    def _collect(self, in_flight: dict[Future[None], Job], lanes: _Lanes, now: float) -> list[Job]:
        """Wait until a call finishes, the next job may start, or a group is due to be recorded."""
        start = lanes.next_start() if len(in_flight) < self.workers else None
        timeout = FLUSH_SECONDS if start is None else min(FLUSH_SECONDS, max(0.0, start - now))
        if not in_flight:
            if lanes and timeout > 0:
                time.sleep(timeout)
            return []
        done, _ = wait(list(in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        jobs = [in_flight.pop(future) for future in done]
        for job in jobs:
            lanes.finished(job)
        return jobs

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
