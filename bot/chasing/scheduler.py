"""APScheduler wiring: the periodic chase sweep, the weekly drift report, reading email delivery statuses back
(when a transport reports them), and readying the process that runs them (its start-up objects frozen out of
garbage collection). Nothing else lives here.

The database is the source of truth and APScheduler only ticks: jobs live in the default in-memory job
store, one scheduler per process. (APScheduler 3 must never share a persistent job store between
processes: it runs jobs twice and then stops silently.) Several processes may each run a scheduler:
the sweep's claims make that safe.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.capture.dates import utcnow

log = logging.getLogger("actionbot.scheduler")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: How often what email services say of sent messages is read back (bot.chasing.bounces). GOV.UK Notify
#: knows within minutes whether a provider delivered or refused a message; every 10 minutes tells a chair
#: the same morning, at one API call per message sent.
DELIVERY_STATUS_MINUTES = 10


@dataclass(frozen=True)
class Job:
    name: str
    describe: str
    trigger: IntervalTrigger | CronTrigger
    run: Callable[[datetime], object]


def _runner(job: Job, clock: Callable[[], datetime]) -> Callable[[], None]:
    def tick() -> None:
        started = clock()
        try:
            job.run(started)
        except Exception:
            # The next tick tries again (the outbox keeps what was not sent); say so loudly, without data.
            log.exception("scheduled job %s failed", job.name)

    return tick


def build_jobs(
    *,
    sweep: Callable[[datetime], object],
    weekly_report: Callable[[datetime], object] | None,
    prune_inbox: Callable[[datetime], object] | None = None,
    delivery_status: Callable[[datetime], object] | None = None,
    interval_seconds: int,
    zone: str,
    weekday: int,
    hour: int,
    minute: int,
) -> list[Job]:
    jobs = [
        Job(
            "chase-sweep",
            f"every {interval_seconds} s: send the nudges that are due",
            IntervalTrigger(seconds=interval_seconds),
            sweep,
        )
    ]
    if prune_inbox is not None:
        jobs.append(
            Job(
                "inbox-prune",
                "hourly: forget inbound requests finished more than a day ago, and action lists never recorded",
                IntervalTrigger(hours=1),
                prune_inbox,
            )
        )
    if delivery_status is not None:
        jobs.append(
            Job(
                "email-delivery-status",
                f"every {DELIVERY_STATUS_MINUTES} min: read back whether sent email was delivered (an address "
                "refused for good gets no more email, and the chair is told)",
                IntervalTrigger(minutes=DELIVERY_STATUS_MINUTES),
                delivery_status,
            )
        )
    if weekly_report is not None:
        jobs.append(
            Job(
                "weekly-drift-report",
                f"{DAYS[weekday].title()} {hour:02d}:{minute:02d} {zone}: drift report to every DSL, audit check",
                CronTrigger(day_of_week=DAYS[weekday], hour=hour, minute=minute, timezone=zone),
                weekly_report,
            )
        )
    return jobs


def daily(name: str, what: str, run: Callable[[datetime], object], *, zone: str, hour: int) -> Job:
    """A job run every day at ``hour``:00 local time (an adapter's own, such as reading Outlook leave)."""
    return Job(name, f"daily {hour:02d}:00 {zone}: {what}", CronTrigger(hour=hour, minute=0, timezone=zone), run)


def freeze_start_up_objects() -> None:
    """Take what the process holds once it is set up (modules, mappings, SDK clients: it lives until the
    process stops) out of the garbage collector's full collections, which would otherwise scan all of it
    whenever one falls in the middle of a sweep (about 40 ms of a 1,000-nudge sweep on the benchmark machine)."""
    gc.collect()
    gc.freeze()


def start(jobs: list[Job], clock: Callable[[], datetime] = utcnow) -> BackgroundScheduler:
    """Start a background scheduler running the jobs (one at a time each, late runs coalesced). The
    process is set up by now: its start-up objects are frozen out of garbage collection."""
    freeze_start_up_objects()
    scheduler = BackgroundScheduler(timezone="UTC")
    for job in jobs:
        scheduler.add_job(
            _runner(job, clock),
            job.trigger,
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )
    scheduler.start()
    for job in jobs:
        log.info("scheduled %s: %s", job.name, job.describe)
    return scheduler
