"""Use cases for the statutory steps that follow a meeting: proposed from its type's timescales (at /meeting end,
or earlier with /meeting next), then given an owner (an action due on the step's day), dismissed with a
reason, or met when a meeting of the type that fulfils it starts for the same case. A case's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.actions import authz
from bot.actions.base import (
    ConversationRef,
    InvalidChange,
    NotAllowed,
    NotFound,
    ServiceBase,
    clean_reason,
    parse_ref,
)
from bot.actions.people import PersonInput, identify
from bot.actions.records import ActionView, MeetingView, StepView
from bot.capture.grammar import ActionDraft
from bot.capture.owners import OwnerRef
from bot.process.timescales import timescales
from storage.log import append_event
from storage.models import Action, Meeting, Person, StatutoryStep

#: Steps that still need something: an owner, or the meeting that meets them.
PENDING = ("proposed", "owned")


@dataclass(frozen=True)
class CaseTimeline:
    case_ref: str
    meetings: tuple[MeetingView, ...]
    steps: tuple[StepView, ...]
    #: The case's actions the person asking may see, by meeting (None: recorded outside a meeting).
    actions: tuple[ActionView, ...]


class StatutorySteps(ServiceBase):
    """The process clock of each meeting, as steps with owners."""

    @staticmethod
    def _steps_query(meeting_id: int) -> Select[StatutoryStep]:
        return (
            select(StatutoryStep)
            .where(StatutoryStep.meeting_id == meeting_id)
            .order_by(StatutoryStep.due_on, StatutoryStep.id)
        )

    def _propose_steps(self, session: Session, meeting: Meeting, now: datetime) -> None:
        """Propose the steps the meeting's type requires in this nation, each once (asking again adds none)."""
        existing = set(session.scalars(select(StatutoryStep.step).where(StatutoryStep.meeting_id == meeting.id)))
        held_on = self.calendar.today(meeting.started_at)
        for step in timescales().steps_after(meeting.kind, self.settings.nation):
            if step.key in existing:
                continue
            session.add(
                StatutoryStep(
                    meeting_id=meeting.id,
                    case_ref=meeting.case_ref,
                    step=step.key,
                    task=step.task,
                    condition=step.condition,
                    clock=step.clock.describe(),
                    basis=step.basis,
                    source=step.source,
                    met_by=step.met_by,
                    due_on=step.clock.due(held_on, self.calendar),
                    status="proposed",
                    proposed_at=now,
                )
            )
        session.flush()

    def _meet_steps(self, session: Session, meeting: Meeting, chair: Person, now: datetime) -> list[StatutoryStep]:
        """A meeting of this type for this case meets the case's steps it fulfils; their owners' actions are
        done. Logged as "step_met" with the meeting."""
        if meeting.case_ref is None or meeting.kind is None:
            return []
        steps = list(
            session.scalars(
                select(StatutoryStep).where(
                    StatutoryStep.case_ref == meeting.case_ref,
                    StatutoryStep.met_by == meeting.kind,
                    StatutoryStep.status.in_(PENDING),
                    StatutoryStep.meeting_id != meeting.id,
                )
            ).unique()
        )
        held_on = self.calendar.today(meeting.started_at)
        for step in steps:
            step.status, step.met_meeting_id, step.decided_at, step.decided_by_id = "met", meeting.id, now, chair.id
            late = self.calendar.working_days_between(step.due_on, held_on)
            # the type, not the title: a title is free text the chair typed, and the log keeps reasons for years
            kind = timescales().type_named(meeting.kind).name
            reason = f"Met by meeting {meeting.id} ({kind}) on {held_on.isoformat()}" + (
                f", {late} working days late" if late > 0 else ""
            )
            append_event(
                session,
                kind="step_met",
                at=now,
                action_id=step.action_id,
                actor_id=chair.id,
                reason=reason,
                details=self._step_details(step),
            )
            action = step.action
            if action is not None and action.status in ("open", "blocked"):
                action.status, action.closed_at = "done", now
                self._record(session, action, "completed", chair, now, reason)
        return steps

    @staticmethod
    def _step_details(step: StatutoryStep) -> dict[str, object]:
        return {
            "step_id": step.id,
            "step": step.step,
            "meeting_id": step.meeting_id,
            "case_ref": step.case_ref,
            "due_on": step.due_on.isoformat(),
        }

    def _decidable(self, session: Session, ref: str, actor: PersonInput, now: datetime) -> tuple[StatutoryStep, Person]:
        step = session.scalars(
            select(StatutoryStep)
            .where(StatutoryStep.id == parse_ref(ref, "S", "a step"))
            .with_for_update(of=StatutoryStep)
        ).first()
        if step is None:
            raise NotFound(f"There is no statutory step {ref.strip().upper()[:20]}.")
        person = identify(session, actor, now)
        if person.id != step.meeting.chair_id and not authz.has_oversight(person):
            raise NotAllowed(
                f"Only the meeting's chair ({step.meeting.chair.display_name}) or a DSL can decide {step.ref}."
            )
        if step.status != "proposed":
            owner = f" ({step.action.ref}, {step.action.owner.display_name})" if step.action is not None else ""
            raise InvalidChange(f"{step.ref} is already {step.status}{owner}; nothing was changed.")
        return step, person

    def meeting_steps(self, meeting_id: int) -> list[StepView]:
        """The steps proposed after this meeting, soonest due first."""
        with self.db.reading() as session:
            return [StepView.of(s) for s in session.scalars(self._steps_query(meeting_id)).unique()]

    def steps_met_by(self, meeting_id: int) -> list[StepView]:
        """The earlier meetings' steps that this meeting met."""
        with self.db.reading() as session:
            query = select(StatutoryStep).where(StatutoryStep.met_meeting_id == meeting_id).order_by(StatutoryStep.id)
            return [StepView.of(s) for s in session.scalars(query).unique()]

    def assign_step(
        self, ref: str, owner: PersonInput, actor: PersonInput, *, now: datetime | None = None
    ) -> tuple[StepView, ActionView]:
        """Give a proposed step an owner: an action due at the end of its due day, tied to its meeting."""
        now = self._now(now)
        with self.db.transaction() as session:
            step, person = self._decidable(session, ref, actor, now)
            who = identify(session, owner, now, by_name=True)
            draft = ActionDraft(
                owner=owner.ref if owner.ref is not None else OwnerRef("name", who.display_name),
                task=f"{step.task} (statutory step {step.ref}: within {step.clock} of meeting {step.meeting_id})",
                deadline=self.calendar.end_of(step.due_on),
                review=None,
                case_ref=step.case_ref,
            )
            conversation = (
                ConversationRef(step.meeting.platform, step.meeting.conversation_id)
                if step.meeting.conversation_id
                else None
            )
            action, _ = self._insert_action(
                session, draft, person, who, step.meeting, conversation, now, details={"step_id": step.id}
            )
            step.status, step.action, step.decided_at, step.decided_by_id = "owned", action, now, person.id
            session.flush()
            return StepView.of(step), ActionView.of(action)

    def dismiss_step(
        self, ref: str, reason: str | None, actor: PersonInput, *, now: datetime | None = None
    ) -> StepView:
        """Record that a proposed step will not happen, and why (it shows in the drift report)."""
        now = self._now(now)
        why = clean_reason(reason, True, "dismiss a statutory step")
        with self.db.transaction() as session:
            step, person = self._decidable(session, ref, actor, now)
            step.status, step.reason, step.decided_at, step.decided_by_id = "dismissed", why, now, person.id
            append_event(
                session, kind="step_dismissed", at=now, actor_id=person.id, reason=why, details=self._step_details(step)
            )
            session.flush()
            return StepView.of(step)

    def case_timeline(self, case_ref: str, actor: PersonInput, *, now: datetime | None = None) -> CaseTimeline:
        """A case's meetings, statutory steps and actions, for a DSL or admin, or someone who chaired or took
        part in one of its meetings (who then sees only the actions they may see)."""
        now = self._now(now)
        case = case_ref.strip().lstrip("#").upper()
        if not case:
            raise InvalidChange("Name the case: /case CR-1042")
        with self.db.transaction() as session:
            person = identify(session, actor, now)
            meetings = list(
                session.scalars(select(Meeting).where(Meeting.case_ref == case).order_by(Meeting.started_at)).unique()
            )
            involved = any(
                m.chair_id == person.id or any(p.person_id == person.id for p in m.participants) for m in meetings
            )
            if not (authz.has_oversight(person) or involved):
                raise NotAllowed(
                    f"Only a DSL, an admin, or someone who took part in a meeting about {case} can see its timeline."
                )
            steps = session.scalars(
                select(StatutoryStep).where(StatutoryStep.case_ref == case).order_by(StatutoryStep.due_on)
            ).unique()
            today = self.calendar.today(now)
            actions = [
                a
                for a in session.scalars(select(Action).where(Action.case_ref == case).order_by(Action.id)).unique()
                if authz.may_see(person, a, today)
            ]
            return CaseTimeline(
                case,
                tuple(MeetingView.of(m) for m in meetings),
                tuple(StepView.of(s) for s in steps),
                tuple(ActionView.of(a) for a in actions),
            )
