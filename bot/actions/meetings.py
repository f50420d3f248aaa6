"""Use cases for meetings: start, end (owners' confirmations go then), take over as chair, and the
meeting open in a conversation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.actions import authz
from bot.actions.base import ConversationRef, InvalidChange, NotAllowed, clean_reason
from bot.actions.people import PersonInput, identify
from bot.actions.records import ActionView, MeetingView, StepView
from bot.actions.statutory import StatutorySteps
from bot.capture.controls import refusal
from bot.process.timescales import OTHER, timescales
from storage.log import append_event
from storage.models import Action, Meeting, MeetingParticipant


class Meetings(StatutorySteps):
    """A meeting's life in one conversation, with the statutory steps its type sets off."""

    def _open_meeting(self, session: Session, conversation: ConversationRef) -> Meeting | None:
        return session.scalars(
            select(Meeting)
            .where(
                Meeting.platform == conversation.platform,
                Meeting.conversation_id == conversation.conversation_id,
                Meeting.ended_at.is_(None),
            )
            .order_by(Meeting.id.desc())
            .limit(1)
        ).first()

    def _chaired_meeting(
        self, session: Session, conversation: ConversationRef, actor: PersonInput, now: datetime, what: str
    ) -> Meeting:
        """The conversation's running meeting, once ``actor`` is shown to be its chair or a DSL."""
        meeting = self._open_meeting(session, conversation)
        if meeting is None:
            raise InvalidChange("No meeting is running here. Start one with /meeting start <type> [title].")
        person = identify(session, actor, now)
        if person.id != meeting.chair_id and not authz.has_oversight(person):
            raise NotAllowed(f"Only the chair ({meeting.chair.display_name}) or a DSL can {what}.")
        return meeting

    def current_meeting(self, conversation: ConversationRef) -> MeetingView | None:
        with self.db.reading() as session:
            meeting = self._open_meeting(session, conversation)
            return MeetingView.of(meeting) if meeting else None

    def start_meeting(
        self,
        conversation: ConversationRef,
        chair: PersonInput,
        title: str,
        case_ref: str | None = None,
        *,
        participants: Sequence[PersonInput] = (),
        now: datetime | None = None,
        kind: str | None = None,
    ) -> MeetingView:
        """Start a meeting in the conversation. Its type is ``kind`` when given (a form's choice; the title then
        defaults to the type's name), else read from the title's first words ("strategy", "icpc", "core
        group" ...). Any of the case's statutory steps it fulfils are met (see steps_met_by)."""
        now = self._now(now)
        if kind is not None:
            try:
                chosen = timescales().type_named(kind)
            except KeyError:
                raise InvalidChange(f"There is no meeting type \u201c{kind[:40]}\u201d; /meeting lists them.") from None
            title = title.strip() or chosen.name
        if problem := refusal(title, "meeting title"):
            raise InvalidChange(problem)
        title = " ".join(title.split())
        if not title:
            raise InvalidChange("Give the meeting a type or a title, e.g. /meeting start strategy #CR-1042")
        read, only_the_type = timescales().read_type(title)
        if kind is None and only_the_type and read.key != OTHER and len(title.split()) == 1:
            title = read.name  # "icpc": its name; "Core group" stays as typed
        if len(title) > 300:
            raise InvalidChange("The meeting title is too long (at most 300 characters).")
        with self.db.transaction() as session:
            person = identify(session, chair, now)
            if not authz.may_chair(person):
                raise NotAllowed(
                    "Only people with the chair, DSL or admin role can start a meeting; nothing was started. "
                    "You can still record actions with /action. An admin can give you the role: "
                    "actionbot people set-role PERSON chair."
                )
            running = self._open_meeting(session, conversation)
            if running is not None:
                raise InvalidChange(
                    f"\u201c{running.title}\u201d is still running here; end it first with /meeting end."
                )
            meeting = Meeting(
                title=title,
                case_ref=case_ref.upper().lstrip("#") if case_ref else None,
                chair_id=person.id,
                platform=conversation.platform,
                conversation_id=conversation.conversation_id,
                started_at=now,
                kind=kind if kind is not None else read.key,
            )
            session.add(meeting)
            session.flush()
            member_ids = {identify(session, who, now).id for who in participants} | {person.id}
            meeting.participants = [
                MeetingParticipant(meeting_id=meeting.id, person_id=pid) for pid in sorted(member_ids)
            ]
            session.flush()
            self._meet_steps(session, meeting, person, now)
            return MeetingView.of(meeting)

    def take_over_meeting(
        self, conversation: ConversationRef, actor: PersonInput, reason: str | None, *, now: datetime | None = None
    ) -> MeetingView:
        """A DSL or admin becomes the chair of the conversation's running meeting (logged with the reason)."""
        now = self._now(now)
        reason = clean_reason(reason, True, "take over a meeting")
        with self.db.transaction() as session:
            meeting = self._open_meeting(session, conversation)
            if meeting is None:
                raise InvalidChange("No meeting is running here. Start one with /meeting start <type> [title].")
            person = identify(session, actor, now)
            if not authz.may_take_over(person):
                raise NotAllowed(
                    f"Only a DSL or an admin can take over a meeting. Ask the chair ({meeting.chair.display_name}) "
                    "to end it with /meeting end."
                )
            if meeting.chair_id == person.id:
                raise InvalidChange("You already chair this meeting.")
            previous = meeting.chair_id
            meeting.chair = person  # the relationship, not only the id: planning below reads meeting.chair
            if all(p.person_id != person.id for p in meeting.participants):
                meeting.participants.append(MeetingParticipant(meeting_id=meeting.id, person_id=person.id))
            append_event(
                session,
                kind="chair_changed",
                at=now,
                actor_id=person.id,
                reason=reason,
                details={"meeting_id": meeting.id, "from_chair_id": previous, "to_chair_id": person.id},
            )
            session.flush()
            # The meeting's chair is told when its actions drift: the new chair from now on, not the old.
            owners = sorted(set(session.scalars(select(Action.owner_id).where(Action.meeting_id == meeting.id))))
            for listener in self.listeners:
                listener.people_changed(session, owners, now)
            session.refresh(meeting)
            return MeetingView.of(meeting)

    def end_meeting(
        self, conversation: ConversationRef, actor: PersonInput, *, now: datetime | None = None
    ) -> tuple[MeetingView, list[ActionView]]:
        """End the conversation's meeting; returns it with every action agreed in it. The statutory steps its
        type requires next are proposed now, unless /meeting next already did (see meeting_steps)."""
        now = self._now(now)
        with self.db.transaction() as session:
            meeting = self._chaired_meeting(session, conversation, actor, now, "end this meeting")
            meeting.ended_at = now
            for listener in self.listeners:
                listener.meeting_ended(session, meeting, now)
            actions = session.scalars(
                select(Action).where(Action.meeting_id == meeting.id).order_by(Action.id)
            ).unique()
            self._propose_steps(session, meeting, now)
            return MeetingView.of(meeting), [ActionView.of(a) for a in actions]

    def next_steps(
        self, conversation: ConversationRef, actor: PersonInput, *, now: datetime | None = None
    ) -> list[StepView]:
        """The running meeting's statutory steps, proposed now if they were not yet."""
        now = self._now(now)
        with self.db.transaction() as session:
            meeting = self._chaired_meeting(session, conversation, actor, now, "propose the next steps")
            self._propose_steps(session, meeting, now)
            return [StepView.of(s) for s in session.scalars(self._steps_query(meeting.id)).unique()]
