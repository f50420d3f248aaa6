"""Planning the outbox: after any change to actions, queue the next nudge on each of their tracks.

Set-based, so planning one action (a chair's change) and a thousand (after a sweep) cost the same
handful of statements: drop the actions' pending ladder rows, read what each track last sent, and
insert the next occurrence of each (bot.chasing.ladder does the arithmetic).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.capture.dates import WorkCalendar
from bot.chasing.ladder import TRACKS, Occurrence, escalation_track, next_occurrence, owner_track, review_track
from bot.config import ChaseSettings
from storage.bulk import among, insert_rows
from storage.models import OPEN_STATUSES, Action, Nudge, Person

LADDER_STEPS = tuple(step for steps in TRACKS.values() for step in steps)
_STEP_TRACK = {step: track for track, steps in TRACKS.items() for step in steps}
_TICK = timedelta(microseconds=1)
ANYONE = "*"  # the owner track continues across reassignments: its history is not per recipient


def person_key(person_id: int) -> str:
    return f"p:{person_id}"


def conversation_key(platform: str, conversation_id: str) -> str:
    return f"c:{platform}:{conversation_id}"


class Recipient(Protocol):
    """Whom a nudge goes to, as planning sees them: a stored person, or a view of one."""

    @property
    def id(self) -> int: ...
    @property
    def timezone(self) -> str | None: ...
    @property
    def working_days(self) -> str | None: ...


class Dated(Protocol):
    """The dates a ladder is computed from."""

    @property
    def deadline(self) -> datetime: ...
    @property
    def review_on(self) -> date | None: ...


class Planned(Dated, Protocol):
    """What planning reads of an action: a stored Action, or a ``LadderState`` read in bulk by the sweep."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def deadline_version(self) -> int: ...
    @property
    def deadline_set_at(self) -> datetime: ...
    @property
    def remind_from(self) -> datetime | None: ...
    @property
    def owner(self) -> Recipient: ...


@dataclass(frozen=True)
class Someone:
    id: int
    timezone: str | None
    working_days: str | None


@dataclass(frozen=True)
class LadderState:
    """An action's state as planning needs it, read as plain columns (no ORM objects on the sweep's path)."""

    id: int
    status: str
    deadline: datetime
    deadline_version: int
    deadline_set_at: datetime
    review_on: date | None
    remind_from: datetime | None
    owner: Someone


def ladder_states(session: Session, action_ids: Iterable[int]) -> dict[int, LadderState]:
    """The actions' current ladder state, in one query."""
    rows = session.execute(
        select(
            Action.id,
            Action.status,
            Action.deadline,
            Action.deadline_version,
            Action.deadline_set_at,
            Action.review_on,
            Action.remind_from,
            Action.owner_id,
            Person.timezone,
            Person.working_days,
        )
        .join(Person, Person.id == Action.owner_id)
        .where(among(Action.id, set(action_ids), session))
    )
    # Unpacked by position: a row's attributes by name cost more than building the state (a sweep reads
    # hundreds of these per group).
    return {
        action_id: LadderState(
            action_id, status, deadline, version, set_at, review_on, remind_from, Someone(owner_id, zone, days)
        )
        for action_id, status, deadline, version, set_at, review_on, remind_from, owner_id, zone, days in rows
    }


@dataclass
class _History:
    """What each track has already sent (or is sending) for the actions being planned."""

    last: dict[tuple[int, str, int, str], datetime]
    in_flight: set[tuple[int, str, int, str]]


def _history(session: Session, action_ids: Sequence[int]) -> _History:
    rows = session.execute(
        select(
            Nudge.action_id,
            Nudge.step,
            Nudge.deadline_version,
            Nudge.recipient_key,
            Nudge.status,
            func.max(Nudge.due_at),
        )
        .where(
            among(Nudge.action_id, action_ids, session),
            Nudge.step.in_(LADDER_STEPS),
            Nudge.status.in_(("sent", "sending", "unreachable")),
        )
        .group_by(Nudge.action_id, Nudge.step, Nudge.deadline_version, Nudge.recipient_key, Nudge.status)
    )
    history = _History({}, set())
    for action_id, step, version, recipient, status, due in rows:
        track = _STEP_TRACK[step]
        for who in (recipient, ANYONE):
            key = (action_id, track, version, who)
            history.last[key] = max(due, history.last.get(key, due))
            if status == "sending":
                history.in_flight.add(key)
    return history


class Planner:
    def __init__(self, calendar: WorkCalendar, cfg: ChaseSettings) -> None:
        self.calendar = calendar
        self.cfg = cfg
        #: Each (time zone, working days) seen, so a sweep builds a person's calendar (and its memos) once.
        self._calendars: dict[tuple[str | None, str | None], WorkCalendar] = {}

    def calendar_of(self, person: Recipient) -> WorkCalendar:
        """The person's own calendar: their time zone and the weekdays they work."""
        key = (person.timezone, person.working_days)
        cal = self._calendars.get(key)
        if cal is None:
            cal = self._calendars[key] = self.calendar.for_person(person.timezone, person.working_days)
        return cal

    # -- who --------------------------------------------------------------------------------------
    def _dsls(self, session: Session) -> list[Person]:
        return list(
            session.scalars(
                select(Person).where(Person.role == "dsl", Person.active.is_(True)).order_by(Person.id)
            ).unique()
        )

    def escalation_recipients(self, action: Action, dsls: list[Person], people: dict[int, Person]) -> list[Person]:
        """The chair who recorded it, the meeting's chair and DSL (else the DSLs of the owner's agency, else
        every DSL), and the owner's escalation contact; never the owner."""
        chosen: dict[int, Person] = {action.created_by.id: action.created_by}
        meeting = action.meeting
        if meeting is not None:
            chosen[meeting.chair.id] = meeting.chair
        if meeting is not None and meeting.dsl_id is not None and meeting.dsl_id in people:
            leads = [people[meeting.dsl_id]]
        else:
            leads = [p for p in dsls if p.agency_id is not None and p.agency_id == action.owner.agency_id] or dsls
        for person in leads:
            chosen[person.id] = person
        contact = action.owner.escalation_contact_id
        if contact is not None and contact in people:
            chosen[contact] = people[contact]
        chosen.pop(action.owner_id, None)
        return list(chosen.values())

    def recipients_context(self, session: Session, actions: Iterable[Action]) -> tuple[list[Person], dict[int, Person]]:
        """The DSLs and every meeting DSL or escalation contact the actions name, in two queries."""
        wanted = set()
        for action in actions:
            if action.meeting is not None and action.meeting.dsl_id is not None:
                wanted.add(action.meeting.dsl_id)
            if action.owner.escalation_contact_id is not None:
                wanted.add(action.owner.escalation_contact_id)
        people = (
            {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(wanted))).unique()} if wanted else {}
        )
        return self._dsls(session), people

    @staticmethod
    def review_recipients(action: Action) -> list[Person]:
        chosen = {action.created_by.id: action.created_by}
        if action.meeting is not None:
            chosen[action.meeting.chair.id] = action.meeting.chair
        return list(chosen.values())

    # -- when -------------------------------------------------------------------------------------
    def series(self, action: Dated, track: str, recipient: Recipient) -> Iterable[Occurrence]:
        cal = self.calendar_of(recipient)
        if track == "owner":
            return owner_track(action.deadline, cal, self.cfg)
        if track == "escalation":
            return escalation_track(action.deadline, cal, self.cfg)
        assert action.review_on is not None
        return review_track(action.review_on, cal, self.cfg)

    @staticmethod
    def row(action: Planned, item: Occurrence, recipient: Recipient, now: datetime) -> dict[str, Any]:
        return {
            "action_id": action.id,
            "step": item.step,
            "deadline_version": action.deadline_version,
            "occurrence": item.occurrence,
            "recipient_key": person_key(recipient.id),
            "recipient_id": recipient.id,
            "due_at": item.due_at,
            "status": "pending",
            "attempts": 0,
            "stuck": False,
            "created_at": now,
        }

    # -- plan -------------------------------------------------------------------------------------
    def plan(self, session: Session, actions: Sequence[Action], now: datetime, *, new: bool = False) -> None:
        """Replace the actions' pending ladder rows with the next occurrence on each track, for their state now.

        A track whose row is being sent right now is left alone: that row plans its successor when it
        finishes. A closed action's pending rows of every kind are cancelled. ``new``: the actions were
        created in this transaction, so they have no ladder rows to replace and no history to read."""
        if not actions:
            return
        ids = [a.id for a in actions]
        if not new:
            session.execute(
                delete(Nudge).where(Nudge.action_id.in_(ids), Nudge.status == "pending", Nudge.step.in_(LADDER_STEPS))
            )
        closed = [a.id for a in actions if a.status not in OPEN_STATUSES]
        if closed:
            session.execute(
                update(Nudge).where(Nudge.action_id.in_(closed), Nudge.status == "pending").values(status="cancelled")
            )
        live = [a for a in actions if a.status in OPEN_STATUSES]
        if not live:
            return
        dsls, people = self.recipients_context(session, live)
        wanted: list[tuple[Planned, str, Recipient]] = []
        for action in live:
            if action.status == "open":
                wanted.append((action, "owner", action.owner))
            wanted += [(action, "escalation", p) for p in self.escalation_recipients(action, dsls, people)]
            if action.review_on is not None and action.reviewed_at is None:
                wanted += [(action, "review", p) for p in self.review_recipients(action)]
        self._queue_next(session, wanted, now, new=new)

    def plan_after_send(self, session: Session, sent: Sequence[tuple[Planned, str, Recipient]], now: datetime) -> None:
        """Queue the successor of each ladder row just sent: (the action as it is now, the row's step, the
        recipient it went to). Only the sent row's own track moves on; the action's other tracks keep their
        pending rows, and the owner track follows the action's current owner."""
        wanted: list[tuple[Planned, str, Recipient]] = []
        for action, step, recipient in sent:
            track = _STEP_TRACK[step]
            if action.status not in OPEN_STATUSES or (track == "owner" and action.status != "open"):
                continue
            wanted.append((action, track, action.owner if track == "owner" else recipient))
        self._queue_next(session, wanted, now)

    def _queue_next(
        self, session: Session, wanted: Sequence[tuple[Planned, str, Recipient]], now: datetime, *, new: bool = False
    ) -> None:
        if not wanted:
            return
        history = _History({}, set()) if new else _history(session, sorted({action.id for action, _, _ in wanted}))
        rows: list[dict[str, Any]] = []
        # The next occurrence depends only on the track's dates, the recipient's calendar and ``after``: a
        # sweep's actions share a few deadlines and owners, so each distinct question is answered once.
        answers: dict[tuple[str, datetime, date | None, str | None, str | None, datetime], Occurrence | None] = {}
        for action, track, recipient in wanted:
            who = ANYONE if track == "owner" else person_key(recipient.id)
            key = (action.id, track, action.deadline_version, who)
            if key in history.in_flight:
                continue  # that row plans its successor when it finishes
            after = max(history.last.get(key, action.deadline_set_at), action.deadline_set_at)
            if track == "owner" and action.remind_from is not None:
                after = max(after, action.remind_from)  # snoozed: its own reminder comes then (a one-off row)
            question = (track, action.deadline, action.review_on, recipient.timezone, recipient.working_days, after)
            if question in answers:
                item = answers[question]
            else:
                item = answers[question] = next_occurrence(self.series(action, track, recipient), after, now)
            if item is not None:
                rows.append(self.row(action, item, recipient, now))
        insert_rows(session.connection(), Nudge, rows)  # plain rows: no ORM objects needed

    def held_until(
        self, step: str, occurrence: int, due_at: datetime, action: Dated, recipient: Recipient, moment: datetime
    ) -> Occurrence:
        """A claimed row held back until ``moment`` (the owner's return from leave, or the start of the
        recipient's working hours): a ladder row becomes the most advanced occurrence of its track due by
        then, a one-off keeps its step; either is due at ``moment``."""
        if step in _STEP_TRACK:
            latest = next_occurrence(self.series(action, _STEP_TRACK[step], recipient), due_at - _TICK, moment)
            if latest is not None and latest.due_at <= moment:
                step, occurrence = latest.step, latest.occurrence
        return Occurrence(step, occurrence, moment, moment.date())

    def in_hours(self, person: Recipient, now: datetime) -> bool:
        """Whether it is within the person's working hours on one of their working days."""
        cal = self.calendar_of(person)
        local = cal.local(now)
        return (
            cal.is_working_day(local.date())
            and self.cfg.working_hours_start <= local.time() < self.cfg.working_hours_end
        )

    def opening(self, person: Recipient, now: datetime) -> datetime:
        """The start of the person's next working hours after ``now`` (outside them)."""
        cal = self.calendar_of(person)
        local = cal.local(now)
        day = local.date()
        if not (cal.is_working_day(day) and local.time() < self.cfg.working_hours_start):
            day = cal.next_working_day(day + timedelta(days=1))
        return cal.at(day, self.cfg.working_hours_start)

    def return_moment(self, until: date, recipient: Recipient) -> datetime:
        """The nudge hour of the first working day after a leave's last day, in the person's time zone."""
        cal = self.calendar_of(recipient)
        day = cal.next_working_day(until + timedelta(days=1))
        return cal.at(day, self.cfg.nudge_hour)

    def collapse(
        self, step: str, occurrence: int, due_at: datetime, action: Dated, recipient: Recipient | None, now: datetime
    ) -> Occurrence | None:
        """After downtime, the most advanced occurrence now due on a claimed ladder row's track, when that is
        not the row itself (the row then moves on to it): one overdue nudge, not five."""
        track = _STEP_TRACK.get(step)
        if track is None or track == "review" or recipient is None:
            return None
        latest = next_occurrence(self.series(action, track, recipient), due_at - _TICK, now)
        if latest is not None and latest.due_at <= now and (latest.step, latest.occurrence) != (step, occurrence):
            return latest
        return None
