"""The commands about oneself rather than one action's content: ``/snooze`` (remind me later), ``/away``
(leave and cover) and ``/digest`` (one morning message), and the chair's warning when an owner is away.
Mixed into bot.actions.commands.Commands."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.actions.away import USAGE, parse_away, refuse_unreachable_cover, set_away
from bot.actions.directory import DIGEST_CHOICES, set_digest
from bot.actions.messages import away_text
from bot.actions.outcome import CommandPart, Outcome, note, split_ref
from bot.actions.people import PersonInput
from bot.actions.records import ActionView, PersonView
from bot.actions.service import ConversationRef, ServiceError
from bot.capture.dates import format_when
from bot.capture.grammar import parse_day


class PersonalCommands(CommandPart):
    """``/snooze``, ``/away`` and ``/digest``."""

    #: The channels this process can reach a person on (bot.actions.owner_lookup.OwnerLookup's).
    reachable: Callable[[PersonView], Sequence[str]]

    def _reachable_cover(self, cover: PersonInput) -> None:
        """A cover nobody this process can reach is refused before anything is set."""
        refuse_unreachable_cover(cover, self.service.person_meant(cover), lambda person: bool(self.reachable(person)))

    def _away_warning(self, action: ActionView, now: datetime) -> str | None:
        """The owner is on leave, or has leave booked before the deadline: say what happens to reminders."""
        owner = action.owner
        away = away_text(owner, now.astimezone(self.zone).date(), now)
        if away is None or (owner.away_from and owner.away_from > action.deadline.astimezone(self.zone).date()):
            return None
        then = (
            f"their reminders go to {owner.cover_name}"
            if owner.cover_name
            else "their reminders wait until they are back"
        )
        return f"{owner.name} is away {away}: {then}; escalations to you and the DSL still go out."

    def _snooze(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, phrase = split_ref(text)
        phrase = re.sub(r"^(?:until|till|to|on)\s+", "", phrase, flags=re.IGNORECASE)
        if not phrase:
            raise ServiceError(f"Say when to remind you: /snooze {ref} tomorrow (or Thu, or in 2 working days).")
        day = parse_day(phrase, now, self.service.calendar, "reminder day")
        action = self.service.snooze(ref, speaker, day, now=now)
        assert action.remind_from is not None
        when = format_when(action.remind_from, self.zone, now)
        return Outcome(
            private=note(f"I will remind you about {action.ref} {when}, and not before.", "The deadline stays."),
            action=action,
        )

    def _away(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        today = now.astimezone(self.zone).date()
        if not text:
            person = self.service.person(speaker)
            away = away_text(person, today, now) if person is not None else None
            state = f"You are away {away}." if away else "You are not marked as away."
            return Outcome(private=note(state, USAGE))
        request = parse_away(text, now, self.service.calendar)
        who = self._look_up(request.person) if request.person is not None else speaker
        cover = self._look_up(request.cover) if request.cover is not None else None
        if cover is not None:
            self._reachable_cover(cover)
        person = set_away(
            self.service.db,
            who,
            request,
            actor=speaker,
            cover=cover,
            now=now,
            today=today,
            listeners=self.service.listeners,
        )
        name = "You are" if request.person is None else f"{person.name} is"
        away = away_text(person, today, now)
        if away is None:
            return Outcome(
                private=note(
                    f"{name} back: reminders go to you again."
                    if request.person is None
                    else f"{person.name} is back: their reminders go to them again."
                )
            )
        then = (
            f"Reminders about {'your' if request.person is None else 'their'} actions go to {person.cover_name}"
            if person.cover_name
            else "Reminders wait until the first working day back"
        )
        return Outcome(private=note(f"{name} away {away}.", f"{then}; escalations still go to the chair and DSL."))

    def _digest(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        word = text.strip().lower()
        default = self.service.settings.chase.digest
        if word and word not in DIGEST_CHOICES:
            return Outcome(private=note("Use /digest on, /digest off or /digest default."), ok=False)
        if not word:
            person = self.service.person(speaker)
            chosen = person.digest if person is not None else None
            on = default if chosen is None else chosen
            state = "one morning message with all your reminders" if on else "one message per action"
            how = "the partnership's default" if chosen is None else "your choice"
            return Outcome(private=note(f"You get {state} ({how}).", "Use /digest on, /digest off or /digest default."))
        person = set_digest(self.service.db, speaker, DIGEST_CHOICES[word], now=now)
        on = default if person.digest is None else person.digest
        return Outcome(
            private=note(
                "From now on: one morning message with all your reminders, each with its buttons."
                if on
                else "From now on: one message per action."
            )
        )
