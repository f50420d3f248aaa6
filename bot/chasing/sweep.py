"""Chasing: queue each action's nudges into the outbox as it changes, and sweep the outbox to send what is due.

The database is the source of truth; the sweeper thread (``bot.chasing.runner``) calls ``sweep``. Each
nudge is a row with a unique key (action, step, deadline version, occurrence, recipient). A sweep claims
due rows atomically (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's write transactions run one at a
time), so two bot instances, a restart or a re-run never send a row twice. A claim is a lease: rows of a process that
dies mid-send are claimed again when the lease runs out (such a row may then be sent twice: a repeated
nudge is better than a lost one). A live batch still sending halfway through its lease gives back the rows
it has not reached, so they are never taken over while it may still send them. A failed send goes back to
pending with backoff and is retried for ever; after ``max_send_attempts`` it is flagged ``stuck`` for the
operator log and the DSL report.

Claimed rows are handled in batches: one transaction claims and prepares a batch; the sender
(``bot.chasing.outbound``) sends it concurrently within each platform's limits and hands back finished
rows in small groups, each recorded in one transaction (events appended to the log in bulk, the next
nudges planned set-wise) before more is sent, so a crash can repeat only what was in flight. This path
reads and writes plain columns, never ORM objects: a sweep after a bank holiday may send thousands of
nudges, and building ORM objects cost more than everything else together.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.actions.messages import AnswerLink, Message, digest_message, email_failed_message, nudge_message
from bot.actions.records import ActionView, PersonView
from bot.capture.dates import WorkCalendar, ensure_aware, utcnow, zone_of
from bot.chasing.bounces import NOTICE_STEP, Bounces, refused
from bot.chasing.claiming import Claiming, claimable
from bot.chasing.delivery import Router
from bot.chasing.outbound import Job, Sender
from bot.chasing.planner import Planner
from bot.chasing.preparing import CLAIMED_COLUMNS, Claimed
from bot.chasing.queueing import Queueing
from bot.chasing.recording import SEND_WINDOW, Recording
from bot.config import Settings
from storage.db import Database
from storage.models import Nudge

log = logging.getLogger("actionbot.chase")

#: (recipient, action, their zone, now) -> the card's answer link, or None (bot.actions.answer_links).
AnswerLinkMaker = Callable[[PersonView, ActionView, ZoneInfo, datetime], AnswerLink | None]


@dataclass(frozen=True)
class SweepItem:
    nudge_id: int
    action_ref: str
    step: str
    recipient: str
    outcome: str  # sent | would send | failed | unreachable | skipped | released
    channel: str | None = None


@dataclass
class SweepReport:
    items: list[SweepItem] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)

    @property
    def sent(self) -> int:
        return self.count("sent")


class Chaser(Claiming, Queueing, Recording):
    """Plans nudges when actions change (the service's listener), and sends them when they fall due."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        calendar: WorkCalendar,
        router: Router,
        clock: Callable[[], datetime] = utcnow,
        worker: str | None = None,
    ) -> None:
        self.db = db
        self.cfg = settings.chase
        self.calendar = calendar
        self.router = router
        self.clock = clock
        self.planner = Planner(calendar, settings.chase)
        #: Makes an emailed card's answer link (bot.actions.answer_links), when the page is configured.
        self.answer_link: AnswerLinkMaker | None = None
        #: Email addresses that failed for good, and the statuses email services report back.
        self.bounces = Bounces(db, router, clock)
        self.sender = Sender(settings.chase.send_workers)
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stopping = threading.Event()

    def stop_sending(self) -> None:
        """A graceful stop: a sweep in progress sends nothing more, hands back the rows it has not reached
        (pending again, not counted as tried) and records what it sent; later sweeps claim nothing."""
        self._stopping.set()

    # ===== sweeping ==============================================================================
    def sweep(self, now: datetime | None = None, *, dry_run: bool = False, max_rows: int | None = None) -> SweepReport:
        """Send every nudge that is due (or, with ``dry_run``, say what would be sent and change nothing)."""
        now = ensure_aware(now) if now is not None else self.clock()
        report = SweepReport()
        if dry_run:
            report.items.extend(self._would_send(now, max_rows or 10_000))
            return report
        handled = 0
        while (max_rows is None or handled < max_rows) and not self._stopping.is_set():
            limit = self.cfg.batch_size if max_rows is None else min(self.cfg.batch_size, max_rows - handled)
            claimed, jobs = self._take(now, limit)
            if not claimed:
                break
            handled += len(claimed)
            # Rate limits or a slow platform can stretch a batch; rows it has not reached in time go back to
            # the queue, so no other instance takes them over (when the lease runs out) while they wait here.
            self.sender.send(
                jobs,
                self.router,
                lambda job: self._compose(job, now),
                lambda group: self._record([row for job in group for row in job.rows()], now),
                stop=partial(self._must_stop, self.clock() + SEND_WINDOW),
            )
            report.items.extend(self._items(claimed, [row for job in jobs for row in job.rows()]))
        return report

    def _must_stop(self, stop_at: datetime) -> bool:
        """The process is stopping, or the batch's sending window is over."""
        return self._stopping.is_set() or self.clock() >= stop_at

    def _compose(self, job: Job, now: datetime) -> Message:
        """The message a job carries: a room's card, a person's nudge in their own time zone, or a digest of
        several nudges. Its key is the outbox row's (a digest's: its first row's)."""
        key = f"nudge-{job.nudge_id}"
        if job.bundle:
            parts = [self._compose(part, now) for part in (replace(job, bundle=()), *job.bundle)]
            return replace(digest_message(parts), key=key)
        if job.recipient is None:
            return replace(nudge_message(job.step, job.action, self.calendar.zone, now), key=key)
        if job.step == NOTICE_STEP:
            return replace(email_failed_message(job.action, job.about), key=key)
        zone = zone_of(job.recipient.timezone, self.calendar.zone)
        message = nudge_message(
            job.step, job.action, zone, now, working_days_late=job.late, reason=job.reason, covering=job.covering
        )
        answer = None
        if self.answer_link is not None and message.buttons and job.recipient.email:
            answer = self.answer_link(job.recipient, job.action, zone, now)
        return replace(message, key=key, answer=answer)

    @staticmethod
    def _items(claimed: list[int], jobs: list[Job]) -> Iterator[SweepItem]:
        by_id = {j.nudge_id: j for j in jobs}
        for nudge_id in claimed:
            job = by_id.get(nudge_id)
            if job is None:
                yield SweepItem(nudge_id, "", "", "", "skipped")
                continue
            if job.released:
                outcome = "released"
            elif job.error is not None and not refused(job.error):
                outcome = "failed"
            else:
                outcome = "sent" if job.delivered else "unreachable"  # an address refused: not reached
            channel = job.delivered.channel if job.delivered else None
            yield SweepItem(nudge_id, job.action.ref, job.step, job.who, outcome, channel)

    def _would_send(self, now: datetime, limit: int) -> Iterator[SweepItem]:
        """Exactly what a real sweep at ``now`` would send (the same rows, cancellations and collapsed steps)."""
        with self.db.reading() as session:
            rows = session.execute(
                select(*CLAIMED_COLUMNS)
                .where(claimable(now, max(now, self.clock())))
                .order_by(Nudge.due_at, Nudge.id)
                .limit(limit)
            )
            claimed = [Claimed._make(row) for row in rows]
            jobs = self._jobs_for(session, claimed, now).jobs
        for job in jobs:
            yield SweepItem(job.nudge_id, job.action.ref, job.step, job.who, "would send")
