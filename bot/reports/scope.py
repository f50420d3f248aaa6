"""The drift report's scope as SQL: which actions the filters select (with a note for a filter that
matches nothing), and each drift reason as a condition (docs/drift.md)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import (
    ColumnElement,
    and_,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from bot.actions.people import find_person
from bot.capture.dates import WorkCalendar
from bot.config import Settings
from bot.reports.definitions import REASONS, REPORT_PERIOD
from bot.reports.filters import DriftFilters
from bot.reports.measures import blank, silence_cutoff
from storage.models import OPEN_STATUSES, Action, Agency, Meeting, Person


class ReportScope:
    """What one report looks at: the actions its filters select, and the drift reasons as SQL conditions,
    in one read transaction. The sections (bot.reports.queries) build their SQL on these."""

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
            # No chat account the bot can message (a Teams account in another tenant is none: docs/teams.md), and
            # no email address that works (email to it failed for good: bot.chasing.bounces).
            "owner_unknown": and_(
                blank(o.slack_user_id),
                or_(blank(o.teams_object_id), o.outside_org.is_(True)),
                or_(blank(o.email), o.email_failed_at.is_not(None)),
            ),
        }

    def all_flags(self) -> dict[str, ColumnElement[bool]]:
        flags = {**self.action_flags(), **self.owner_flags()}
        return {reason: flags[reason] for reason in REASONS}

    @property
    def is_open(self) -> ColumnElement[bool]:
        return Action.status.in_(OPEN_STATUSES)
