"""Use cases for an action list pasted in one go: held as lines for its chair to check (each read by the
`/action` grammar as of the moment it was pasted), a line fixed, then recorded or discarded. Recording
itself is one `record` per line with its own request key (bot.actions.batch_commands), so a retried
confirmation records nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.actions import authz
from bot.actions.base import ConversationRef, InvalidChange, NotAllowed, NotFound, ServiceBase, parse_ref
from bot.actions.people import PersonInput, identify
from bot.capture.grammar import ActionDraft, GrammarError, parse_action
from bot.capture.minutes import MAX_LINES
from storage.models import ActionBatch

#: A list not recorded within this long is no longer offered; the hourly prune then clears its lines.
BATCH_TTL_HOURS = 24


@dataclass(frozen=True)
class BatchLine:
    number: int  # from 1, as the chair sees it
    text: str
    draft: ActionDraft | None
    problem: str | None  # why it cannot be read (None when it can)


@dataclass(frozen=True)
class BatchView:
    id: int
    ref: str
    key: str
    status: str
    created_at: datetime
    conversation: ConversationRef | None
    lines: tuple[BatchLine, ...]

    @property
    def readable(self) -> tuple[BatchLine, ...]:
        return tuple(line for line in self.lines if line.draft is not None)


class Batches(ServiceBase):
    """A pasted list's life before its actions exist."""

    def _read(self, batch: ActionBatch) -> BatchView:
        lines = []
        for number, text in enumerate(batch.lines or (), start=1):
            try:
                draft: ActionDraft | None = parse_action(
                    text, batch.created_at, self.calendar, self.settings.max_text_length
                )
                problem = None
            except GrammarError as exc:
                draft, problem = None, exc.problem
            lines.append(BatchLine(number, text, draft, problem))
        conversation = (
            ConversationRef(batch.platform, batch.conversation_id)
            if batch.platform is not None and batch.conversation_id is not None
            else None
        )
        return BatchView(batch.id, batch.ref, batch.key, batch.status, batch.created_at, conversation, tuple(lines))

    def _own_batch(self, session: Session, ref: str, actor: PersonInput, now: datetime) -> ActionBatch:
        batch = session.scalars(
            select(ActionBatch).where(ActionBatch.id == parse_ref(ref, "B", "a list")).with_for_update(of=ActionBatch)
        ).first()
        if batch is None:
            raise NotFound(f"There is no list {ref.strip().upper()[:20]}.")
        person = identify(session, actor, now)
        if person.id != batch.created_by_id and not authz.has_oversight(person):
            raise NotAllowed(f"Only the person who pasted {batch.ref}, or a DSL, can record or change it.")
        return batch

    def hold_batch(
        self,
        lines: list[str],
        actor: PersonInput,
        conversation: ConversationRef | None,
        key: str,
        *,
        now: datetime | None = None,
    ) -> BatchView:
        """Keep a pasted list for its chair to check. The same ``key`` (a retried request) returns the same list."""
        now = self._now(now)
        if not lines:
            raise InvalidChange("The list has no action lines.")
        if len(lines) > MAX_LINES:
            raise InvalidChange(f"That list has {len(lines)} lines; paste at most {MAX_LINES} at once.")
        if any(len(line) > self.settings.max_text_length for line in lines):
            raise InvalidChange(f"A line is longer than {self.settings.max_text_length} characters.")
        try:
            with self.db.transaction() as session:
                person = identify(session, actor, now)
                batch = ActionBatch(
                    key=key,
                    created_by_id=person.id,
                    platform=conversation.platform if conversation else None,
                    conversation_id=conversation.conversation_id if conversation else None,
                    created_at=now,
                    status="pending",
                    lines=list(lines),
                )
                session.add(batch)
                session.flush()
                return self._read(batch)
        except IntegrityError:
            with self.db.reading() as session:
                existing = session.scalars(select(ActionBatch).where(ActionBatch.key == key)).first()
                if existing is None:
                    raise
                return self._read(existing)

    def _pending(self, session: Session, ref: str, actor: PersonInput, now: datetime) -> ActionBatch:
        batch = self._own_batch(session, ref, actor, now)
        if batch.status != "pending":
            raise InvalidChange(f"{batch.ref} was already {batch.status}; nothing more is recorded from it.")
        if (now - batch.created_at).total_seconds() > BATCH_TTL_HOURS * 3600:
            raise InvalidChange(f"{batch.ref} was pasted more than {BATCH_TTL_HOURS} hours ago; paste it again.")
        return batch

    def pending_batch(self, ref: str, actor: PersonInput, *, now: datetime | None = None) -> BatchView:
        """The list, as its chair may still record it."""
        now = self._now(now)
        with self.db.transaction() as session:
            return self._read(self._pending(session, ref, actor, now))

    def fix_batch_line(
        self, ref: str, number: int, text: str, actor: PersonInput, *, now: datetime | None = None
    ) -> BatchView:
        """Replace one line with the chair's corrected text (read, like the rest, as of the paste)."""
        now = self._now(now)
        with self.db.transaction() as session:
            batch = self._pending(session, ref, actor, now)
            lines = list(batch.lines or ())
            if not 1 <= number <= len(lines):
                raise InvalidChange(f"{batch.ref} has lines 1 to {len(lines)}; there is no line {number}.")
            if not text.strip():
                raise InvalidChange("Give the corrected line, e.g. /action fix B-3 2 @sam Send the report by Friday")
            if len(text) > self.settings.max_text_length:
                raise InvalidChange(f"The line is longer than {self.settings.max_text_length} characters.")
            lines[number - 1] = " ".join(text.split())
            batch.lines = lines  # a new list: the JSON column sees the change
            session.flush()
            return self._read(batch)

    def expire_batches(self, now: datetime | None = None) -> int:
        """Clear the text of lists nobody recorded within BATCH_TTL_HOURS (the hourly prune job)."""
        now = self._now(now)
        with self.db.transaction() as session:
            stale = session.scalars(
                select(ActionBatch).where(
                    ActionBatch.status == "pending", ActionBatch.created_at < now - timedelta(hours=BATCH_TTL_HOURS)
                )
            ).all()
            for batch in stale:
                batch.status, batch.decided_at, batch.lines = "expired", now, None
            return len(stale)

    def close_batch(self, ref: str, status: str, actor: PersonInput, *, now: datetime | None = None) -> None:
        """Mark the list recorded or discarded and clear its text (the actions hold what was recorded)."""
        now = self._now(now)
        with self.db.transaction() as session:
            batch = self._own_batch(session, ref, actor, now)
            if batch.status == "pending":
                batch.status, batch.decided_at, batch.lines = status, now, None
