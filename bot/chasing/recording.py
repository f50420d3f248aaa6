"""Recording what a batch sent: each finished group in one transaction (rows marked sent or not reached,
their events appended to the log in bulk, each track's next nudge planned), tried again while the
database is away; a failed send goes back to the outbox with back-off, and is flagged stuck after
``max_send_attempts`` (docs/chasing.md). A send whose email address was refused is not tried again: it is
recorded as not reached, the address is marked failed and the chair told (bot.chasing.bounces)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.actions.ports import DeliveryError
from bot.chasing.bounces import Bounces, refused
from bot.chasing.ladder import ESCALATION_STEPS
from bot.chasing.outbound import Job
from bot.chasing.planner import LADDER_STEPS, Planner, ladder_states
from bot.config import ChaseSettings
from storage.bulk import among, update_rows
from storage.db import Database
from storage.log import NewEvent, queue_events
from storage.models import Nudge

log = logging.getLogger("actionbot.chase")

#: A claim lasts this long (real time); a batch still sending after SEND_WINDOW gives back the rest, well
#: before its lease runs out, so recording what it sent has the remaining time.
LEASE = timedelta(minutes=10)
SEND_WINDOW = LEASE / 2
#: A failed send is tried again after at most this long (a permanent failure: this long exactly).
MAX_BACKOFF = timedelta(hours=6)


class Recording:
    """The chaser's half that writes down what happened to sent rows."""

    db: Database
    cfg: ChaseSettings
    planner: Planner
    worker: str
    bounces: Bounces

    def _record(self, jobs: Sequence[Job], now: datetime) -> None:
        """Record a finished group, trying again while the database is away: what was sent must be written
        down before anything more is sent (the sender waits for this), or it would be sent again."""
        wait = 0.5
        give_up = time.monotonic() + (LEASE - SEND_WINDOW).total_seconds()
        while True:
            try:
                self._finish(jobs, now)
                return
            except DBAPIError as error:
                if time.monotonic() + wait > give_up:
                    raise
                log.error(
                    "recording %s sent nudges failed (%s); trying again in %.1f s",
                    len(jobs),
                    error.orig.__class__.__name__ if error.orig is not None else error.__class__.__name__,
                    wait,
                )
                time.sleep(wait)
                wait = min(wait * 2, 10.0)

    def _finish(self, jobs: Sequence[Job], now: datetime) -> None:
        """Record a batch's outcomes, log its nudges and plan the next ones, in one transaction."""
        if not jobs:
            return
        with self.db.transaction() as session:
            ours = set(
                session.scalars(
                    select(Nudge.id).where(
                        among(Nudge.id, [j.nudge_id for j in jobs], session),
                        Nudge.status == "sending",
                        Nudge.claimed_by == self.worker,
                    )
                )
            )  # a row whose lease ran out and was taken over by another worker is theirs now
            # An address refused is an answer, not a failure to try again: recorded as not reached.
            done = [j for j in jobs if j.nudge_id in ours and not j.released and (j.error is None or refused(j.error))]
            failed = [j for j in jobs if j.nudge_id in ours and j.error is not None and not refused(j.error)]
            released = [j.nudge_id for j in jobs if j.nudge_id in ours and j.released]
            if released:  # back in the queue as they were: not sending them was no failed attempt
                session.connection().execute(
                    update(Nudge)
                    .where(among(Nudge.id, released, session))
                    .values(status="pending", claimed_by=None, lease_until=None, attempts=Nudge.attempts - 1)
                )
            if done:
                update_rows(
                    session.connection(),
                    Nudge,
                    "id",
                    [
                        {
                            "id": j.nudge_id,
                            "status": "sent" if j.delivered else "unreachable",
                            "channel": j.delivered.channel if j.delivered else None,
                            "delivery_ref": j.delivered.ref if j.delivered else None,
                        }
                        for j in done
                    ],
                    same={"sent_at": now, "lease_until": None},
                )
                queue_events(session, [self._event(j, now) for j in done if j.step != "card"])  # at the commit
                self._refused(session, [j for j in done if refused(j.error)], now)
            for job in failed:
                self._failed(session, job, now)
            ladder = [(j.action.id, j.step, j.recipient) for j in done if j.step in LADDER_STEPS and j.recipient]
            if ladder:
                # The actions as they are now: one may have been extended, reassigned or closed during sending.
                states = ladder_states(session, {action_id for action_id, _, _ in ladder})
                sent = [(states[action_id], step, recipient) for action_id, step, recipient in ladder]
                self.planner.plan_after_send(session, sent, now)

    @staticmethod
    def _event(job: Job, now: datetime) -> NewEvent:
        details: dict[str, Any] = {
            "step": job.step,
            "occurrence": job.occurrence,
            "recipient_id": job.recipient.id if job.recipient else None,
            "delivered": job.delivered is not None,
            "channel": job.delivered.channel if job.delivered else None,
        }
        if job.covering is not None:
            details["covering_for"] = job.covering.id
        if job.in_digest:
            details["digest"] = True
        if job.about is not None:
            details["about_id"] = job.about.id  # a chair's notice: whose email failed
        if refused(job.error):
            details["why"] = "their email address was refused: no more email is tried to it until it is changed"
        elif job.delivered is None:
            details["why"] = "no chat platform or email address is known for this person"
        kind = "escalated" if job.step in ESCALATION_STEPS else "nudged"
        return NewEvent(kind, now, job.action.id, None, None, details)

    def _refused(self, session: Session, jobs: Sequence[Job], now: datetime) -> None:
        """Sends whose email address was refused: the reason kept on the row (no address in it), the address
        marked failed and the chairs told, in the group's transaction."""
        if not jobs:
            return
        session.connection().execute(
            update(Nudge).where(Nudge.id == bindparam("b_id")).values(last_error=bindparam("b_error")),
            [{"b_id": j.nudge_id, "b_error": str(j.error)[:300]} for j in jobs],
        )
        self.bounces.address_failed(
            session, [(j.recipient.id, j.action.id) for j in jobs if j.recipient is not None], now
        )

    def _failed(self, session: Session, job: Job, now: datetime) -> None:
        error = job.error
        retry_after = error.retry_after if isinstance(error, DeliveryError) else None
        permanent = isinstance(error, DeliveryError) and error.permanent
        row = session.get_one(Nudge, job.nudge_id)
        backoff = timedelta(seconds=self.cfg.retry_backoff_seconds * 2 ** max(0, row.attempts - 1))
        if retry_after is not None:
            backoff = max(backoff, timedelta(seconds=retry_after))
        row.status = "pending"
        row.due_at = now + (MAX_BACKOFF if permanent else min(backoff, MAX_BACKOFF))
        row.lease_until = None
        row.claimed_by = None
        # DeliveryError messages carry no personal data by contract; other errors are named by type only.
        row.last_error = (str(error) if isinstance(error, DeliveryError) else error.__class__.__name__)[:300]
        if (row.attempts >= self.cfg.max_send_attempts or permanent) and not row.stuck:
            row.stuck = True
            log.error(
                "nudge %s (action %s, %s) is stuck after %s attempts: %s",
                row.id,
                row.action_id,
                row.step,
                row.attempts,
                row.last_error,
            )
        else:
            log.warning(
                "nudge %s (action %s, %s) failed, attempt %s: %s",
                row.id,
                row.action_id,
                row.step,
                row.attempts,
                row.last_error,
            )
