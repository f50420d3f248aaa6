"""Every action of the minutes at once: a multi-line ``/action`` (numbered, bulleted or ``ACTION:`` lines) is
read line by line and shown to the chair alone; ``/action confirm B-3 [drop 2,5]`` records the lines kept,
each with its own request key, and the room gets one summary; ``/action fix B-3 2 TEXT`` corrects a line;
``/action discard B-3`` records nothing. Mixed into bot.actions.commands.Commands."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from bot.actions.base import ServiceError
from bot.actions.batches import BatchView
from bot.actions.messages import Message, action_line
from bot.actions.names import describe_choices, initials
from bot.actions.outcome import CommandPart, Outcome, error, note
from bot.actions.people import PersonInput
from bot.actions.records import ActionView
from bot.actions.service import ConversationRef
from bot.capture.dates import format_day, format_when
from bot.capture.owners import OwnerRef

#: ``actions from`` and the list (Teams, where a message action cannot reach the bot).
LIST_FROM = re.compile(r"^from\b[:\s]*(.+)$", re.IGNORECASE | re.DOTALL)
CONTROL = re.compile(r"^(confirm|record|fix|discard)\s+(B-?\d{1,12})\b\s*(.*)$", re.IGNORECASE | re.DOTALL)
_DROP = re.compile(r"^(?:drop|without|except)\s+([\d,\s]+|\d+\s*-\s*\d+)$", re.IGNORECASE)


def _numbers(text: str) -> set[int]:
    """``2, 5`` or ``2 5`` -> {2, 5}."""
    return {int(n) for n in re.findall(r"\d+", text)}


class BatchCommands(CommandPart):
    """The multi-line ``/action`` and its confirmation."""

    def _owner_name(self, owner: OwnerRef) -> tuple[str, str | None]:
        """The owner as the chair knows them (their platform's name when the directory has it, the known person
        a bare name means), and a warning when a bare name is several people's."""
        if owner.kind == "name":
            known = self.candidates_for(owner.value)
            if len(known) > 1:
                choices = describe_choices(known)
                return owner.value, f"Which {owner.value}? {choices}: correct the line with the full name in quotes."
            if not known and initials(owner.value):
                return owner.value, f"Nobody actionbot knows has the initials {owner.value}: correct the line."
            return (known[0].describe(), None) if known else (owner.value, None)
        profile = self._look_up(owner).profile
        if profile is not None and profile.display_name:
            return profile.display_name, None
        return owner.label or (f"@{owner.value}" if owner.kind == "handle" else owner.value), None

    def _preview(self, batch: BatchView, now: datetime) -> Message:
        lines = []
        for line in batch.lines:
            if line.draft is None:
                lines.append(f"{line.number}. NOT READ: {line.problem} \u2014 \u201c{line.text[:120]}\u201d")
                continue
            d = line.draft
            review = f"; review {format_day(d.review, now, self.zone)}" if d.review else ""
            case = f" #{d.case_ref}" if d.case_ref else ""
            owner, which = self._owner_name(d.owner)
            lines.append(
                f"{line.number}. {owner}: {d.task}{case} \u2014 by {format_when(d.deadline, self.zone, now)}{review}"
            )
            lines += [f"   ! {warning}" for warning in (*((which,) if which else ()), *d.warnings)]
        readable = len(batch.readable)
        only = batch.readable[0].draft if len(batch.lines) == 1 and readable == 1 else None
        if only is not None and only.personal_data:
            return self._personal_data_preview(batch, lines)
        skipped = len(batch.lines) - readable
        how = [
            f"Record {'them' if readable > 1 else 'it'}: /action confirm {batch.ref}"
            + (f" (the {skipped} line{'s' if skipped > 1 else ''} not read will be left out)" if skipped else ""),
            f"Leave lines out: /action confirm {batch.ref} drop 2,5",
            f"Correct a line: /action fix {batch.ref} 2 @sam Send the report by Friday",
            f"Record nothing: /action discard {batch.ref}",
        ]
        title = f"{readable} of {len(batch.lines)} lines read as actions ({batch.ref}): nothing is recorded yet"
        return Message(title=title, text="\n".join([*lines, "", *how]))

    @staticmethod
    def _personal_data_preview(batch: BatchView, lines: list[str]) -> Message:
        """One typed action whose task looks like personal data (``pii_mode = "warn"``): for the chair alone,
        before anything is posted to the room or written to the log."""
        ref = batch.ref
        how = [
            f"Record it anyway: /action confirm {ref}",
            f"Correct it: /action fix {ref} 1 @owner Task with a case reference (#CR-1234) by Friday",
            f"Record nothing: /action discard {ref}",
        ]
        title = f"This looks like personal data ({ref}): nothing is posted or recorded yet"
        return Message(title=title, text="\n".join([*lines, "", *how]))

    def hold_lines(
        self, lines: list[str], speaker: PersonInput, conversation: ConversationRef | None, idempotency_key: str
    ) -> Outcome:
        """Action lines from elsewhere (a message's list, a minutes document's table), held for the chair to
        check even when there is one; refusals come back as a private message."""
        try:
            return self._hold(lines, speaker, conversation, self.service.clock(), idempotency_key)
        except ServiceError as exc:
            return error(str(exc))

    def _hold(
        self,
        lines: list[str],
        speaker: PersonInput,
        conversation: ConversationRef | None,
        now: datetime,
        idempotency_key: str | None,
    ) -> Outcome:
        key = f"list:{idempotency_key}" if idempotency_key else f"list:{uuid.uuid4().hex}"
        batch = self.service.hold_batch(lines, speaker, conversation, key, now=now)
        return Outcome(private=self._preview(batch, now))

    def _control(self, match: re.Match[str], speaker: PersonInput, now: datetime) -> Outcome:
        verb, ref, rest = match.group(1).lower(), match.group(2), match.group(3).strip()
        if verb == "discard":
            self.service.close_batch(ref, "discarded", speaker, now=now)
            return Outcome(private=note(f"{ref.upper()} discarded: nothing was recorded from it."))
        if verb == "fix":
            number, _, line = rest.partition(" ")
            if not (number.isascii() and number.isdigit()):
                raise ServiceError(f"Say which line and its new text: /action fix {ref.upper()} 2 @sam ... by Friday")
            batch = self.service.fix_batch_line(ref, int(number), line, speaker, now=now)
            return Outcome(private=self._preview(batch, now))
        drop = _DROP.match(rest)
        if rest and drop is None:
            raise ServiceError(f"To leave lines out: /action confirm {ref.upper()} drop 2,5")
        return self._record_batch(ref, _numbers(drop.group(1)) if drop else set(), speaker, now)

    def _record_batch(self, ref: str, drop: set[int], speaker: PersonInput, now: datetime) -> Outcome:
        batch = self.service.pending_batch(ref, speaker, now=now)
        recorded: list[ActionView] = []
        refused: list[str] = []
        for line in batch.readable:
            if line.number in drop or line.draft is None:
                continue
            try:
                done = self.service.record(
                    self.with_names_in_task(line.draft),
                    speaker,
                    owner_profile=self._look_up(line.draft.owner),
                    conversation=batch.conversation,
                    idempotency_key=f"{batch.key}#{line.number}",
                    now=now,
                )
            except ServiceError as exc:  # e.g. personal data refused: the other lines still count
                refused.append(f"Line {line.number} was not recorded: {exc}")
                continue
            recorded.append(done.action)
        self.service.close_batch(ref, "recorded", speaker, now=now)
        left = sorted(
            {line.number for line in batch.lines if line.draft is None} | (drop & {n.number for n in batch.lines})
        )
        summary = Message(
            title=f"{len(recorded)} action{'s' if len(recorded) != 1 else ''} recorded"
            + (f" from a list ({batch.ref})" if len(batch.lines) > 1 else f" ({batch.ref}, checked by the chair)"),
            text="\n".join(action_line(a, self.zone, now) for a in recorded) or "None.",
            notes=tuple(refused) + ((f"Lines left out: {', '.join(map(str, left))}.",) if left else ()),
        )
        # How each owner is reached (nobody can; in another organisation, by email): for the chair alone.
        reach = tuple(f"{a.ref}: {n}" for a in recorded for n in self.owner_notes(a.owner))
        check = Message(title=f"Please check {batch.ref}", notes=reach) if reach else None
        return Outcome(
            public=summary if recorded else None, private=check if recorded else summary, recorded=tuple(recorded)
        )
