"""Email that failed for good: the address is marked (``people.email_failed_at``) so no more email is tried to
it, and the chairs of the actions concerned are told once, by a direct message through the outbox.

Two ways in, one rule:

- a send refused outright: an SMTP relay's 550 for the recipient arrives as
  ``DeliveryError(address_failed=True)``; bot.chasing.recording records that nudge as not reached and calls
  ``address_failed`` in the same transaction;
- a message an email service accepted and later reported as a permanent failure: GOV.UK Notify's status,
  read back by a periodic job (``read_statuses``) through the ``DeliveryStatus`` port, which the Notify
  adapter implements (the core never imports its SDK).

Marking is a conditional update (``email_failed_at IS NULL``): of several transactions that see the same
failure (two chasers, the job run by two instances) exactly one marks the person, and only that one queues
the chairs' notices (step ``email_failed``, one outbox row per chair: sent like any nudge, exactly once).
A notice's ``occurrence`` is the id of the person whose address failed, so it is told once per person, action
and chair. From then on the person is not reachable by email (``PersonView.email_failed``): their nudges are
recorded as not reached (the drift report counts them, and their open actions under "Cannot be reached"),
and the escalation track, planned independently of whether the owner's nudges arrive, still runs.
``actionbot people set NAME --email ADDRESS`` clears the mark.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.actions.ports import DeliveryError, DeliveryStatus
from bot.chasing.delivery import Router
from bot.chasing.ladder import Occurrence
from bot.chasing.planner import Planner, person_key
from storage.db import Database
from storage.models import Action, Nudge, Person

log = logging.getLogger("actionbot.chase.bounces")

#: The outbox step of a chair's notice that email to someone failed.
NOTICE_STEP = "email_failed"
#: What an email service says once it will say nothing more about a message (GOV.UK Notify's email statuses).
FINAL_STATUSES = frozenset({"delivered", "permanent-failure", "temporary-failure", "technical-failure"})
#: The one that means the address does not work: the provider said it does not exist or refused it.
PERMANENT_FAILURE = "permanent-failure"
#: Messages are asked about for this long after they were sent: GOV.UK Notify keeps a notification 7 days
#: (its default data retention), after which it cannot be asked about.
STATUS_WINDOW = timedelta(days=7)
#: Messages asked about in one run (one API call each), oldest first; the next run takes the rest.
STATUS_BATCH = 1000


def refused(error: BaseException | None) -> bool:
    """Whether a send failed because the person's email address was refused."""
    return isinstance(error, DeliveryError) and error.address_failed


class Bounces:
    """Marks failed addresses and tells chairs; reads delivery statuses back from services that report them."""

    def __init__(self, db: Database, router: Router, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.router = router
        self.clock = clock

    # -- marking ----------------------------------------------------------------------------------
    def address_failed(self, session: Session, failures: Iterable[tuple[int, int]], now: datetime) -> list[int]:
        """In the caller's transaction: mark each person's address failed, given (person id, action id of the
        message that failed). A person marked here (not already marked) gets one notice queued to each
        chair of those actions. Returns the people marked."""
        by_person: dict[int, set[int]] = {}
        for person_id, action_id in failures:
            by_person.setdefault(person_id, set()).add(action_id)
        marked: list[int] = []
        for person_id, action_ids in sorted(by_person.items()):
            result = session.connection().execute(
                update(Person)
                .where(Person.id == person_id, Person.email_failed_at.is_(None))
                .values(email_failed_at=now)
            )
            if result.rowcount != 1:
                continue  # marked already (by another transaction, or earlier): its chairs were told then
            marked.append(person_id)
            log.warning(
                "email to person %s failed for good: none is tried again until their address changes", person_id
            )
            self._tell_chairs(session, person_id, sorted(action_ids), now)
        return marked

    @staticmethod
    def _tell_chairs(session: Session, person_id: int, action_ids: list[int], now: datetime) -> None:
        """One notice per chair (who recorded the action, and the meeting's chair), never to the person."""
        told: set[int] = set()
        actions = session.scalars(select(Action).where(Action.id.in_(action_ids)).order_by(Action.id)).unique()
        for action in actions:
            for chair in Planner.review_recipients(action):
                if chair.id in told or chair.id == person_id:
                    continue
                told.add(chair.id)
                exists = session.scalar(
                    select(Nudge.id).where(
                        Nudge.action_id == action.id,
                        Nudge.step == NOTICE_STEP,
                        Nudge.deadline_version == action.deadline_version,
                        Nudge.occurrence == person_id,
                        Nudge.recipient_key == person_key(chair.id),
                    )
                )
                # (A row exists when they were told of this person and action before, and the address, changed
                # since, failed again: not told twice.)
                if exists is None:
                    notice = Occurrence(NOTICE_STEP, person_id, now, now.date())
                    session.add(Nudge(**Planner.row(action, notice, chair, now)))

    # -- reading statuses back --------------------------------------------------------------------
    def readers(self) -> list[DeliveryStatus]:
        """The configured messengers that report what became of the messages they sent."""
        return [m for m in self.router.messengers if isinstance(m, DeliveryStatus)]

    def status_job(self) -> Callable[[datetime], object] | None:
        """The scheduler's job reading statuses back, or None when no messenger reports them (call it once
        the messengers are added: ``build_jobs(delivery_status=core.chaser.bounces.status_job())``)."""
        return self.read_statuses if self.readers() else None

    def read_statuses(self, now: datetime | None = None) -> int:
        """Ask each reporting service about email sent in the last ``STATUS_WINDOW`` whose fate is not known
        yet; store final statuses (``nudges.delivery_status``) and act on permanent failures. Returns how
        many messages got a final status."""
        now = now or self.clock()
        return sum(self._read(reader, now) for reader in self.readers())

    def _read(self, reader: DeliveryStatus, now: datetime) -> int:
        with self.db.reading() as session:
            refs = list(
                session.scalars(
                    select(Nudge.delivery_ref)
                    .where(
                        Nudge.status == "sent",
                        Nudge.channel == "email",
                        Nudge.delivery_ref.startswith(reader.ref_prefix, autoescape=True),
                        Nudge.sent_at >= now - STATUS_WINDOW,
                        Nudge.delivery_status.is_(None),
                    )
                    .group_by(Nudge.delivery_ref)  # a digest's rows share one message
                    .order_by(func.min(Nudge.sent_at), Nudge.delivery_ref)
                    .limit(STATUS_BATCH)
                )
            )
        found: dict[str, str] = {}
        for ref in refs:
            if ref is None:
                continue
            try:
                status = reader.status_of(ref)
            except DeliveryError as error:  # the service is unwell or throttling: the next run goes on
                log.warning("reading email delivery statuses stopped after %s of %s: %s", len(found), len(refs), error)
                break
            if status in FINAL_STATUSES:
                found[ref] = status
        if not found:
            return 0
        failures: list[tuple[int, int]] = []
        with self.db.transaction() as session:
            for ref, status in found.items():
                rows = session.execute(
                    update(Nudge)
                    .where(Nudge.delivery_ref == ref, Nudge.delivery_status.is_(None))
                    .values(delivery_status=status)
                    .returning(Nudge.recipient_id, Nudge.action_id)
                    .execution_options(synchronize_session=False)
                ).all()
                if status == PERMANENT_FAILURE:
                    failures += [(person_id, action_id) for person_id, action_id in rows if person_id is not None]
            marked = self.address_failed(session, failures, now)
        log.info(
            "email delivery statuses: %s final (%s permanent failures, %s people marked)",
            len(found),
            sum(1 for status in found.values() if status == PERMANENT_FAILURE),
            len(marked),
        )
        return len(found)
