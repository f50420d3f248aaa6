"""The drift report's sections as SQL: the scope the filters select, the reasons as SQL conditions, the
owners' tallies, the longest-overdue items, the meetings and the delivery problems (docs/drift.md). Every
number is aggregated in the database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    case,
    cast,
    false,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from bot.actions.people import find_person
from bot.capture.dates import WorkCalendar
from bot.config import Settings
from bot.reports.definitions import (
    REASONS,
    REPORT_PERIOD,
    DeliveryProblem,
    DriftFilters,
    DriftItem,
    MeetingRow,
    OwnerRow,
    ReasonCounts,
    Tally,
)
from storage.models import OPEN_STATUSES, Action, ActionEvent, Agency, EventContent, Meeting, Nudge, Person


def silence_cutoff(cal: WorkCalendar, today: date, working_days: int) -> datetime:
    """The instant before which an owner's last event means silence.

    An owner is silent when ``cal.working_days_between(day of their last event, today) >= n``. Walking
    back from today to the day where n working days have been counted gives the first day that is
    *not* silent; its local midnight is the cutoff (``owner_active_at < cutoff`` is silence)."""
    day = today
    counted = 0
    while True:
        if cal.is_working_day(day):
            counted += 1
            if counted == working_days:
                return cal.at(day, time(0))
        day -= timedelta(days=1)


def week_ends(cal: WorkCalendar, now: datetime, weeks: int) -> list[datetime]:
    """The ends of the last ``weeks`` weeks (Monday 00:00 local), oldest first."""
    today = cal.today(now)
    monday = today - timedelta(days=today.weekday())
    return [cal.at(monday - timedelta(weeks=back), time(0)) for back in reversed(range(weeks))]


def _working_days_late(days: Iterable[date], today: date, cal: WorkCalendar) -> dict[date, int]:
    """Working days in (day, today] for each day, walking the calendar once (not once per day)."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    result: dict[date, int] = {}
    counted = 0
    cursor = today
    for day in reversed(wanted):  # latest first: count working days back from today
        while cursor > day:
            if cal.is_working_day(cursor):
                counted += 1
            cursor -= timedelta(days=1)
        result[day] = counted if day <= today else 0
    return result


#: The events whose reason is shown on a drifting action, with how the report names each.
NOTE_KINDS = {
    "blocked": "Blocked",
    "unblocked": "Unblocked",
    "extended": "Extended",
    "brought_forward": "Brought forward",
    "acknowledged": "On track",
    "commented": "Comment",
    "reassigned": "Reassigned",
    "reopened": "Reopened",
    "reviewed": "Reviewed",
}
NOTE_LENGTH = 200


def _case(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _sum(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(_case(condition)), 0)


def _blank(column: Any) -> ColumnElement[bool]:
    return func.coalesce(column, "") == ""


class SectionQueries:
    """One report's sections: the SQL for each part, run in one read transaction."""

    def __init__(
        self, session: Session, settings: Settings, cal: WorkCalendar, now: datetime, filters: DriftFilters
    ) -> None:
        self.session = session
        self.settings = settings
        self.cfg = settings.drift
        self.cal = cal
        self.now = now
        self.filters = filters
        self.today = cal.today(now)
        self.period_start = now - REPORT_PERIOD
        self.dialect = session.get_bind().dialect.name
        self.notes: list[str] = []
        self.owner = aliased(Person, name="owner")
        self.scope = self._scope()

    # -- filters ----------------------------------------------------------------------------------
    def _scope(self) -> list[ColumnElement[bool]]:
        f, s = self.filters, self.session
        conditions: list[ColumnElement[bool]] = []
        if f.agency and f.agency.strip():
            name = " ".join(f.agency.split())
            agency_id = s.scalar(select(Agency.id).where(func.lower(Agency.name) == name.lower()))
            if agency_id is None:
                known = ", ".join(s.scalars(select(Agency.name).order_by(Agency.name).limit(30)))
                listed = f" Agencies: {known}." if known else ""
                self.notes.append(f"No agency is called \u201c{name}\u201d.{listed}")
                conditions.append(false())
            else:
                conditions.append(Action.owner_id.in_(select(Person.id).where(Person.agency_id == agency_id)))
        if f.meeting_id is not None:
            if s.get(Meeting, f.meeting_id) is None:
                self.notes.append(f"There is no meeting {f.meeting_id}.")
            conditions.append(Action.meeting_id == f.meeting_id)
        if f.case_ref:
            case_ref = f.case_ref.strip().lstrip("#").upper()
            if s.scalar(select(Action.id).where(Action.case_ref == case_ref).limit(1)) is None:
                self.notes.append(f"No action has the case reference {case_ref}.")
            conditions.append(Action.case_ref == case_ref)
        if f.chair is not None:
            chair = find_person(s, f.chair)
            if chair is None:
                self.notes.append(f"Nobody known as {f.chair.label or f.chair.value} has recorded or chaired actions.")
                conditions.append(false())
            else:
                chaired = select(Meeting.id).where(Meeting.chair_id == chair.id)
                conditions.append(or_(Action.created_by_id == chair.id, Action.meeting_id.in_(chaired)))
        if f.since:
            conditions.append(Action.created_at >= self.cal.at(f.since, time(0)))
        if f.until:
            conditions.append(Action.created_at < self.cal.at(f.until + timedelta(days=1), time(0)))
        return conditions

    # -- the drift conditions, as SQL -------------------------------------------------------------
    def action_flags(self) -> dict[str, ColumnElement[bool]]:
        """The reasons that depend on the action alone (the owner's are added with a join)."""
        cfg = self.cfg
        flags: dict[str, ColumnElement[bool]] = {"overdue": Action.deadline < self.now}
        flags["extended"] = Action.extensions >= cfg.extensions_threshold if cfg.extensions_threshold > 0 else false()
        if cfg.silence_working_days > 0:
            flags["silent"] = Action.owner_active_at < silence_cutoff(self.cal, self.today, cfg.silence_working_days)
        else:
            flags["silent"] = false()
        flags["review_missed"] = and_(
            Action.review_on.is_not(None), Action.review_on < self.today, Action.reviewed_at.is_(None)
        )
        flags["blocked"] = Action.status == "blocked"
        return flags

    def owner_flags(self) -> dict[str, ColumnElement[bool]]:
        o = self.owner
        return {
            "owner_inactive": o.active.is_(False),
            "owner_unknown": and_(_blank(o.slack_user_id), _blank(o.teams_object_id), _blank(o.email)),
        }

    def all_flags(self) -> dict[str, ColumnElement[bool]]:
        flags = {**self.action_flags(), **self.owner_flags()}
        return {reason: flags[reason] for reason in REASONS}

    @property
    def is_open(self) -> ColumnElement[bool]:
        return Action.status.in_(OPEN_STATUSES)

    # -- tables -----------------------------------------------------------------------------------
    def owner_tallies(self) -> list[tuple[OwnerRow, bool]]:
        """Every owner with open actions or actions done in the period, with their tallies."""
        flags = self.action_flags()
        drifts = or_(*flags.values())
        per_owner = (
            select(
                Action.owner_id.label("owner_id"),
                func.count().label("open"),
                *[_sum(flags[r]).label(r) for r in flags],
                _sum(drifts).label("drifting"),
            )
            .where(self.is_open, *self.scope)
            .group_by(Action.owner_id)
            .subquery()
        )
        done = (
            select(Action.owner_id.label("owner_id"), func.count().label("done"))
            .where(Action.status == "done", Action.closed_at > self.period_start, Action.closed_at <= self.now)
            .where(*self.scope)
            .group_by(Action.owner_id)
            .subquery()
        )
        counts: dict[int, dict[str, int]] = {}
        for row in self.session.execute(select(per_owner)).mappings():
            counts[int(row["owner_id"])] = {k: int(v) for k, v in row.items()}
        for row in self.session.execute(select(done)).mappings():
            counts.setdefault(int(row["owner_id"]), {})["done"] = int(row["done"])
        if not counts:
            return []
        o = self.owner
        people: dict[int, Any] = {}
        ids = sorted(counts)
        for start in range(0, len(ids), 1000):
            rows = self.session.execute(
                select(o.id, o.display_name, Agency.name, o.active, *self.owner_flags().values())
                .outerjoin(Agency, Agency.id == o.agency_id)
                .where(o.id.in_(ids[start : start + 1000]))
            ).all()
            people.update({int(r[0]): r for r in rows})
        result = []
        for owner_id, c in counts.items():
            _, name, agency, active, inactive, unknown = people[owner_id]
            open_ = c.get("open", 0)
            reasons = ReasonCounts(
                overdue=c.get("overdue", 0),
                extended=c.get("extended", 0),
                silent=c.get("silent", 0),
                review_missed=c.get("review_missed", 0),
                owner_inactive=open_ if inactive else 0,
                owner_unknown=open_ if unknown else 0,
                blocked=c.get("blocked", 0),
            )
            drifting = open_ if (inactive or unknown) else c.get("drifting", 0)
            tally = Tally(open_, c.get("overdue", 0), drifting, c.get("done", 0), reasons)
            owner = OwnerRow(owner_id, name, agency, bool(active), not unknown, tally)
            result.append((owner, bool(inactive or unknown)))
        return result

    def median_days_overdue(self) -> float | None:
        """The median working days late of the overdue open actions, from a count per deadline day."""
        if self.dialect == "postgresql":
            day: ColumnElement[Any] = cast(func.timezone(self.cal.zone.key, Action.deadline), Date)
        else:  # SQLite keeps naive UTC text: group by the minute, then find its local day here
            day = func.strftime("%Y-%m-%d %H:%M", Action.deadline)
        rows = self.session.execute(
            select(day.label("day"), func.count())
            .where(self.is_open, Action.deadline < self.now, *self.scope)
            .group_by(day)
        ).all()
        per_day: dict[date, int] = {}
        for value, count in rows:
            if isinstance(value, str):
                value = self.cal.today(datetime.fromisoformat(value).replace(tzinfo=UTC))
            per_day[value] = per_day.get(value, 0) + int(count)
        if not per_day:
            return None
        late = _working_days_late(per_day, self.today, self.cal)
        pairs = sorted((late[day], count) for day, count in per_day.items())
        total = sum(count for _, count in pairs)

        def nth(index: int) -> int:  # the index-th value of the multiset, without expanding it
            seen = 0
            for value, count in pairs:
                seen += count
                if index < seen:
                    return value
            raise AssertionError("index beyond the multiset")

        return (nth((total - 1) // 2) + nth(total // 2)) / 2

    def items(self, limit: int) -> list[DriftItem]:
        """The drifting actions, longest overdue first (then soonest due), at most ``limit``."""
        o = self.owner
        creator = aliased(Person, name="creator")
        flags = self.all_flags()

        def first_of(status: str) -> Any:
            # One ordered walk per status along the (status, deadline) index, stopping at ``limit``
            # drifting actions, rather than testing every open action and sorting them all.
            return (
                select(Action.id, Action.deadline)
                .join(o, o.id == Action.owner_id)
                .where(Action.status == status, or_(*flags.values()), *self.scope)
                .order_by(Action.deadline, Action.id)
                .limit(limit)
                .subquery()
            )

        heads = union_all(*(select(first_of(status)) for status in OPEN_STATUSES)).subquery()
        chosen = select(heads.c.id).order_by(heads.c.deadline, heads.c.id).limit(limit)
        rows = self.session.execute(
            select(
                Action.id,
                Action.task,
                Action.status,
                o.id,
                o.display_name,
                Agency.name,
                Action.case_ref,
                Action.meeting_id,
                Meeting.title,
                creator.display_name,
                Action.created_at,
                Action.deadline,
                Action.review_on,
                Action.extensions,
                Action.owner_active_at,
                *[_case(flags[r]) for r in REASONS],
            )
            .join(o, o.id == Action.owner_id)
            .join(creator, creator.id == Action.created_by_id)
            .outerjoin(Agency, Agency.id == o.agency_id)
            .outerjoin(Meeting, Meeting.id == Action.meeting_id)
            .where(Action.id.in_(chosen))
            .order_by(Action.deadline, Action.id)
        ).all()
        notes = self.latest_notes([r[0] for r in rows])
        deadline_days = {self.cal.today(r[11]) for r in rows if r[11] < self.now}
        late = _working_days_late(deadline_days, self.today, self.cal)
        items = []
        for r in rows:
            reasons = tuple(reason for reason, flag in zip(REASONS, r[15:], strict=True) if flag)
            items.append(
                DriftItem(
                    action_id=r[0],
                    ref=f"A-{r[0]}",
                    task=r[1],
                    status=r[2],
                    owner_id=r[3],
                    owner=r[4],
                    agency=r[5],
                    case_ref=r[6],
                    meeting_id=r[7],
                    meeting_title=r[8],
                    recorded_by=r[9],
                    created_at=r[10],
                    deadline=r[11],
                    review_on=r[12],
                    extensions=r[13],
                    owner_active_at=r[14],
                    days_late=late[self.cal.today(r[11])] if r[11] < self.now else None,
                    reasons=reasons,
                    latest_note=notes.get(r[0]),
                )
            )
        return items

    def latest_notes(self, action_ids: Sequence[int]) -> dict[int, str]:
        """Each action's latest reason or note (a block's reason, an extension's, the owner's comment), as
        "Blocked: waiting for GP records", so that the DSL need not open each action's history."""
        if not action_ids:
            return {}
        said = and_(
            ActionEvent.action_id.in_(action_ids),
            ActionEvent.kind.in_(tuple(NOTE_KINDS)),
            EventContent.reason.is_not(None),
            EventContent.reason != "",
        )
        latest = (
            select(ActionEvent.action_id, func.max(ActionEvent.seq).label("seq"))
            .join(EventContent, EventContent.event_id == ActionEvent.id)
            .where(said)
            .group_by(ActionEvent.action_id)
            .subquery()
        )
        rows = self.session.execute(
            select(latest.c.action_id, ActionEvent.kind, EventContent.reason)
            .join(ActionEvent, ActionEvent.seq == latest.c.seq)
            .join(EventContent, EventContent.event_id == ActionEvent.id)
        )
        notes = {}
        for action_id, kind, reason in rows:
            text = " ".join(str(reason).split())
            text = text if len(text) <= NOTE_LENGTH else text[: NOTE_LENGTH - 1] + "\u2026"
            notes[action_id] = f"{NOTE_KINDS[kind]}: {text}"
        return notes

    def meetings(self, limit: int) -> tuple[list[MeetingRow], int]:
        o = self.owner
        flags = self.all_flags()
        per_meeting = (
            select(
                Action.meeting_id.label("meeting_id"),
                func.count().label("open"),
                _sum(flags["overdue"]).label("overdue"),
                _sum(or_(*flags.values())).label("drifting"),
            )
            .join(o, o.id == Action.owner_id)
            .where(self.is_open, Action.meeting_id.is_not(None), *self.scope)
            .group_by(Action.meeting_id)
            .subquery()
        )
        chair = aliased(Person, name="chair")
        rows = self.session.execute(
            select(
                per_meeting.c.meeting_id,
                Meeting.title,
                Meeting.case_ref,
                chair.display_name,
                Meeting.started_at,
                per_meeting.c.open,
                per_meeting.c.overdue,
                per_meeting.c.drifting,
                func.count().over().label("total"),
            )
            .join(Meeting, Meeting.id == per_meeting.c.meeting_id)
            .join(chair, chair.id == Meeting.chair_id)
            .where(per_meeting.c.drifting > 0)
            .order_by(per_meeting.c.drifting.desc(), per_meeting.c.overdue.desc(), per_meeting.c.meeting_id)
            .limit(limit)
        ).all()
        total = int(rows[0][8]) if rows else 0
        return [MeetingRow(r[0], r[1], r[2], r[3], r[4], int(r[5]), int(r[6]), int(r[7])) for r in rows], total

    def delivery(self, limit: int) -> tuple[list[DeliveryProblem], int, int, int]:
        stuck = and_(Nudge.stuck.is_(True), Nudge.status.in_(("pending", "sending")))
        unreachable = and_(Nudge.status == "unreachable", or_(self.is_open, and_(Nudge.sent_at > self.period_start)))
        where = [or_(stuck, unreachable), *self.scope]
        totals = self.session.execute(
            select(_sum(stuck), _sum(Nudge.status == "unreachable"))
            .select_from(Nudge)
            .join(Action, Action.id == Nudge.action_id)
            .where(*where)
        ).one()
        when = func.coalesce(Nudge.sent_at, Nudge.due_at)
        rows = self.session.execute(
            select(
                Nudge.id,
                Nudge.action_id,
                Nudge.step,
                Nudge.status,
                Nudge.recipient_id,
                Nudge.recipient_key,
                Person.display_name,
                Nudge.attempts,
                Nudge.last_error,
                Nudge.sent_at,
                Nudge.due_at,
            )
            .join(Action, Action.id == Nudge.action_id)
            .outerjoin(Person, Person.id == Nudge.recipient_id)
            .where(*where)
            .order_by(when.desc(), Nudge.id.desc())
            .limit(limit)
        ).all()
        problems = []
        for r in rows:
            recipient = r[6] if r[6] is not None else "channel " + str(r[5]).split(":", 2)[-1]
            problems.append(
                DeliveryProblem(
                    nudge_id=r[0],
                    action_id=r[1],
                    ref=f"A-{r[1]}",
                    step=r[2],
                    problem="unreachable" if r[3] == "unreachable" else "stuck",
                    recipient_id=r[4],
                    recipient=recipient,
                    attempts=int(r[7]),
                    last_error=r[8],
                    at=r[9] if r[9] is not None else r[10],
                )
            )
        n_stuck, n_unreachable = int(totals[0]), int(totals[1])
        return problems, n_stuck + n_unreachable, n_stuck, n_unreachable

    # -- the trend --------------------------------------------------------------------------------
