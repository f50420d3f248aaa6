"""SQLAlchemy 2 typed models. The schema changes only through Alembic migrations (storage/migrations)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.db import UTCDateTime

ACTION_STATUSES = ("open", "done", "blocked", "cancelled")
OPEN_STATUSES = ("open", "blocked")
EVENT_KINDS = (
    "created",
    "extended",
    "reassigned",
    "completed",
    "reopened",
    "blocked",
    "unblocked",
    "cancelled",
    "commented",
    "nudged",
    "escalated",
    "acknowledged",
    "reviewed",
    "redacted",
    "exported",
    "role_changed",
    "person_changed",
    "away_set",
    "away_ended",
    "snoozed",
    "step_dismissed",
    "step_met",
)
#: A statutory step's life: proposed at the meeting's end, then given an owner (an action), dismissed with a
#: reason, or met by a later meeting of the type that fulfils it.
STEP_STATUSES = ("proposed", "owned", "dismissed", "met")
ROLES = ("member", "chair", "dsl", "admin")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}  # noqa: RUF012 (SQLAlchemy reads it once)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    handle: Mapped[str | None] = mapped_column(String(80), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    teams_object_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    role: Mapped[str] = mapped_column(String(16), default="member")
    escalation_contact_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    #: Leave (``/away``): from this day (None: already away) to this day, both included, local dates. While
    #: away, their owner reminders go to ``cover`` or wait for their return; escalations still go out.
    away_from: Mapped[date | None] = mapped_column(Date)
    away_until: Mapped[date | None] = mapped_column(Date)
    #: Where the leave came from: None when a person set it (``/away``, the CLI), "outlook" when read from
    #: their Outlook automatic replies (which never overwrite leave a person set).
    away_source: Mapped[str | None] = mapped_column(String(16))
    cover_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", name="fk_people_cover_id"))
    #: Weekdays worked, Monday 0 ("012": Monday to Wednesday); None: Monday to Friday. Their own reminders
    #: count only these days, and nothing is sent to them on another.
    working_days: Mapped[str | None] = mapped_column(String(7))
    #: One message a morning with all their reminders (None: the partnership's default, ``chase.digest``).
    digest: Mapped[bool | None] = mapped_column(Boolean)
    #: When email to their address failed for good (GOV.UK Notify's permanent failure, an SMTP 5xx): no more
    #: email is tried until the address is changed (``actionbot people set NAME --email ...``).
    email_failed_at: Mapped[datetime | None]
    #: In another organisation, as their chat platform's directory said when last asked: another Microsoft 365
    #: tenant, a guest (B2B) account in ours, or another Slack organisation (Slack Connect). None: not known.
    outside_org: Mapped[bool | None] = mapped_column(Boolean)
    #: Their account is a guest account in our own tenant (Entra B2B: userType Guest): Teams can reach them
    #: when the app is installed for them, unlike people in another tenant. None: not known.
    guest: Mapped[bool | None] = mapped_column(Boolean)

    agency: Mapped[Agency | None] = relationship(lazy="joined")
    cover: Mapped[Person | None] = relationship(foreign_keys=[cover_id], remote_side=[id], lazy="selectin")


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    case_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    dsl_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    platform: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str | None] = mapped_column(String(128), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    #: The meeting type (bot.process.timescales: "strategy", "icpc", ...); None for meetings before types.
    kind: Mapped[str | None] = mapped_column(String(24))

    chair: Mapped[Person] = relationship(foreign_keys=[chair_id], lazy="joined")
    participants: Mapped[list[MeetingParticipant]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class MeetingParticipant(Base):
    """Who was in the meeting's conversation when it ran (they may see its actions)."""

    __tablename__ = "meeting_participants"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)


class StatutoryStep(Base):
    """A step the safeguarding process requires after a meeting (an ICPC within 15 working days of the
    strategy discussion), with its due day and what became of it."""

    __tablename__ = "statutory_steps"
    __table_args__ = (UniqueConstraint("meeting_id", "step", name="uq_statutory_steps_meeting_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    case_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    step: Mapped[str] = mapped_column(String(40))
    task: Mapped[str] = mapped_column(String(300))
    #: When it applies ("if section 47 enquiries were started"); None: always.
    condition: Mapped[str | None] = mapped_column(String(200))
    #: "15 working days": the clock as the chair reads it.
    clock: Mapped[str] = mapped_column(String(40))
    basis: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(300))
    #: The meeting type that fulfils it when held for the same case (None: only an owner's action can).
    met_by: Mapped[str | None] = mapped_column(String(24))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    proposed_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: The later meeting that met it.
    met_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))

    meeting: Mapped[Meeting] = relationship(foreign_keys=[meeting_id], lazy="joined")
    action: Mapped[Action | None] = relationship(lazy="joined")

    @property
    def ref(self) -> str:
        return f"S-{self.id}"


BATCH_STATUSES = ("pending", "recorded", "discarded", "expired")


class ActionBatch(Base):
    """A pasted action list (or a minutes document) waiting for the chair to check it: one line per action,
    read again as of ``created_at`` when confirmed. ``lines`` is personal data: cleared once decided."""

    __tablename__ = "action_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The platform's id for the request that sent the list: a retried request finds its batch.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    platform: Mapped[str | None] = mapped_column(String(16))
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    lines: Mapped[list[str] | None] = mapped_column(JSON)
    decided_at: Mapped[datetime | None]

    @property
    def ref(self) -> str:
        return f"B-{self.id}"


class Action(Base):
    __tablename__ = "actions"
    __table_args__ = (
        Index("ix_actions_status_deadline", "status", "deadline"),
        Index("ix_actions_owner_status", "owner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    task: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    deadline: Mapped[datetime]
    review_on: Mapped[date | None] = mapped_column(Date)
    case_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    #: Bumped by every extension: the nudge ladder is keyed on it, so a new deadline gets a new ladder.
    deadline_version: Mapped[int] = mapped_column(Integer, default=1)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    #: When the current deadline was set (creation or the latest extension): its ladder starts here.
    deadline_set_at: Mapped[datetime]
    #: Last time the owner did anything to the action (drift: "no update from the owner").
    owner_active_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    reviewed_at: Mapped[datetime | None]
    #: Where it was recorded ("slack:C0123"): the only conversation where the bot may show it publicly.
    origin: Mapped[str | None] = mapped_column(String(200))
    #: When retention removed its personal data (a "redacted" event says what and under which rule).
    redacted_at: Mapped[datetime | None]
    #: Snoozed (``/snooze``): no owner reminder before this moment; never later than the deadline.
    remind_from: Mapped[datetime | None]

    owner: Mapped[Person] = relationship(foreign_keys=[owner_id], lazy="joined")
    created_by: Mapped[Person] = relationship(foreign_keys=[created_by_id], lazy="joined")
    meeting: Mapped[Meeting | None] = relationship(lazy="joined")

    @property
    def ref(self) -> str:
        return f"A-{self.id}"


class ActionEvent(Base):
    """One row of the shared action log. Append-only: the code has no UPDATE or DELETE path for it, and
    database triggers (see the first migration) refuse both. Each row's ``hash`` covers its own fields,
    the digest of its content and the previous row's hash, so any edit breaks the chain."""

    __tablename__ = "action_events"
    __table_args__ = (Index("ix_action_events_action_seq", "action_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    content_digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    content: Mapped[EventContent | None] = relationship(lazy="joined")

    @property
    def reason(self) -> str | None:
        return self.content.reason if self.content else None

    @property
    def details(self) -> dict[str, Any]:
        return dict(self.content.details) if self.content else {}


class EventContent(Base):
    """What an event says (reason, details). Kept beside the chained row so that retention can erase
    personal data from an expired action's history while the chain, which covers only the content's
    digest, stays verifiable. Insert-only, except retention's erasure (which writes a tombstone event)."""

    __tablename__ = "event_contents"

    event_id: Mapped[int] = mapped_column(ForeignKey("action_events.id"), primary_key=True)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LogHead(Base):
    """The chain's head: one row, locked by every append so the chain has one order and no gaps."""

    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class JobRun(Base):
    """A scheduled job's run for one period ("weekly-drift-report", "2026-W49"): the first process to insert
    the row runs the job; every other scheduler instance sees the row and skips it."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    claimed_at: Mapped[datetime]
    claimed_by: Mapped[str] = mapped_column(String(200))


NUDGE_STEPS = ("card", "confirmation", "due_soon", "due_today", "overdue", "escalation", "blocked", "review_due")
NUDGE_STATUSES = ("pending", "sending", "sent", "cancelled", "unreachable")


class Nudge(Base):
    """One message the bot owes someone: a ladder step, an owner's written confirmation, or a card to
    re-post. The database is the outbox: a row is claimed before it is sent, so two bot instances, a
    restart or a re-run never send it twice, and a failed send stays pending and is retried.

    ``recipient_key`` is ``p:<person id>`` or ``c:<platform>:<conversation id>``; with the action, step,
    deadline version and occurrence it is unique (NULL-free, so the constraint holds on every backend)."""

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("action_id", "step", "deadline_version", "occurrence", "recipient_key", name="uq_nudges_key"),
        Index("ix_nudges_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lookups by action use uq_nudges_key, which starts with it (no index of its own: migration 0011).
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"))
    step: Mapped[str] = mapped_column(String(16))
    deadline_version: Mapped[int] = mapped_column(Integer)
    occurrence: Mapped[int] = mapped_column(Integer, default=0)
    recipient_key: Mapped[str] = mapped_column(String(200))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    stuck: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(String(300))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(16))
    delivery_ref: Mapped[str | None] = mapped_column(String(200))
    #: What the email service later said of a sent message (GOV.UK Notify: ``delivered``, ``permanent-failure``
    #: ...); None until it has said something final, or for channels that do not report back.
    delivery_status: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class AnswerLinkUse(Base):
    """An emailed answer link that has been used (bot.actions.answer_links): written in the same transaction
    as the change it made, so a link records at most one answer, and its page then says so. Holds no token
    (only the link's random id) and no words."""

    __tablename__ = "answer_link_uses"

    link_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    choice: Mapped[str] = mapped_column(String(16))
    used_at: Mapped[datetime]


class RequestKey(Base):
    """Idempotency keys of inbound requests (a retried Slack command records nothing twice)."""

    __tablename__ = "request_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"))
    created_at: Mapped[datetime]


INBOX_STATUSES = ("pending", "working", "done", "failed")


class InboxItem(Base):
    """A verified inbound request, written before it is acknowledged and worked from here (bot.inbox).

    ``key`` is the platform's own id for the request (a Slack trigger id, an event id), so a retried or
    replayed delivery finds its row and adds nothing. ``payload`` is the request body: personal data,
    cleared as soon as the work is done or given up; the row itself (key and times, no content) is kept
    for a retention window so late re-deliveries are still recognised, then pruned."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_status_available_at", "status", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime]
    available_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(100))


class TeamsConversation(Base):
    """Where Microsoft Teams can be reached proactively (handlers/teams/conversations.py).

    A person's row (``aad_object_id`` set, ``kind`` "personal") holds their 1:1 chat with the bot, or only
    their Teams user id (``29:...``) from which the bot can open one. A channel or group chat row
    (``aad_object_id`` NULL) holds the service URL to re-post a card there. Written when the bot is
    installed, first spoken to, or mentions someone; never holds message text."""

    __tablename__ = "teams_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    aad_object_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_id: Mapped[str | None] = mapped_column(String(200))
    conversation_id: Mapped[str | None] = mapped_column(String(400), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    service_url: Mapped[str] = mapped_column(String(500))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]


__all__ = [
    "ACTION_STATUSES",
    "BATCH_STATUSES",
    "EVENT_KINDS",
    "INBOX_STATUSES",
    "NUDGE_STATUSES",
    "NUDGE_STEPS",
    "OPEN_STATUSES",
    "ROLES",
    "STEP_STATUSES",
    "Action",
    "ActionBatch",
    "ActionEvent",
    "Agency",
    "Base",
    "EventContent",
    "InboxItem",
    "LogHead",
    "Meeting",
    "MeetingParticipant",
    "Nudge",
    "Person",
    "RequestKey",
    "StatutoryStep",
    "TeamsConversation",
]
