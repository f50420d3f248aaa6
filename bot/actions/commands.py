"""Chat commands, platform-neutral: ``/action``, ``/actions``, ``/done`` ... as typed in any chat.

Slack's slash commands, Teams' @mentions and the console all arrive here as (command, text, speaker,
conversation) and leave as an Outcome: what to show the room, what to show only the speaker, and which
direct messages to send. Buttons and modals call bot.actions.service directly; typed commands come here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from bot.actions import authz
from bot.actions.batch_commands import CONTROL as LIST_CONTROL
from bot.actions.batch_commands import LIST_FROM, BatchCommands
from bot.actions.meeting_commands import USAGE as MEETING_USAGE
from bot.actions.meeting_commands import MeetingCommands
from bot.actions.messages import Message, action_card, action_line, for_the_room, history_line
from bot.actions.names import AmbiguousOwner
from bot.actions.outcome import LEADING_BECAUSE, TWO_OWNERS, Outcome, reason_aside
from bot.actions.outcome import error as _error
from bot.actions.outcome import note as _note
from bot.actions.outcome import split_reason as _split_reason
from bot.actions.outcome import split_ref as _split_ref
from bot.actions.owner_lookup import OwnerLookup
from bot.actions.owner_notes import matched_note, which_one
from bot.actions.people import PersonInput
from bot.actions.personal import PersonalCommands
from bot.actions.ports import Directory
from bot.actions.records import ActionView, PersonView
from bot.actions.service import ActionService, ConversationRef, ServiceError
from bot.capture.grammar import (
    CASE_WORD,
    ActionDraft,
    GrammarError,
    parse_action,
    parse_new_deadline,
    role_refusal,
)
from bot.capture.minutes import is_list, split_minutes
from bot.capture.owners import OwnerRef, bare_name, parse_owner, role_of, two_owners

log = logging.getLogger("actionbot.commands")

HELP = (
    """\
/action OWNER TASK [#CASEREF] by DEADLINE [review REVIEW]
    e.g. /action @jo.bloggs Share the CAD log #CR-1042 by Friday review in 2 weeks
    OWNER: a mention, an email address, a "quoted name" or minutes' "Jo Bloggs to share ..."
    (a name two people share is asked about: "Which Jo?"); DEADLINE: Friday, next Friday, 27/11,
    27 Nov 3pm, in 5 working days, end of month, EOD ... (UK dates: day first, 17:00 if no time)
    Several lines (a pasted action list: numbered, bulleted or ACTION: lines) are shown to you first;
    then /action confirm B-3 [drop 2,5], /action fix B-3 2 TEXT, or /action discard B-3
/actions [mine|overdue|all|@someone|Jo Bloggs|#CASEREF]  what you can see, by deadline
/done A-12 [note]                 complete an action
/ontrack A-12 [note]              (owner) say it is on track
/extend A-12 DATE because REASON  move the deadline (a reason is required)
/block A-12 REASON                mark it blocked; /unblock A-12 [note]
/reassign A-12 OWNER because REASON
/cancel A-12 REASON               /reopen A-12 REASON
/comment A-12 TEXT                /history A-12
/reviewed A-12 [note]             (chair, DSL) record that the action was reviewed at its review date
/snooze A-12 DAY                  (owner) remind me on DAY instead (tomorrow, Thu, in 2 working days):
                                  never past the deadline; for more time use /extend
/digest on|off|default            one morning message with all your reminders, or one per action
/away until DAY [cover @someone]  you are on leave: your reminders go to your cover, or wait for your
                                  return; /away from DAY until DAY; /away off; /away alone shows it
"""
    + MEETING_USAGE
)

EXTEND_EXAMPLE = "/extend A-12 Friday week because the school is closed"


def _after_comma_is_role(text: str, after: str) -> bool:
    """``Mrs Patel, Oakfield Primary``: the person's organisation or role, not a reason for the change."""
    return f"({after})" not in text and role_of(OwnerRef("name", after)) is not None


class Commands(OwnerLookup, PersonalCommands, MeetingCommands, BatchCommands):
    def __init__(self, service: ActionService, reachable: Callable[[PersonView], Sequence[str]] | None = None) -> None:
        self.service = service
        #: The channels this process can reach a person on, in order ("slack", then "email" when Slack refuses;
        #: empty: nobody can). Without it, every owner counts as reachable (the CLI sends nothing itself).
        self.reachable = reachable or (lambda _person: ("console",))
        #: Platform directories by owner kind ("slack", "teams"): who a mention or an email really is.
        self.directories: dict[str, Directory] = {}
        self._table: dict[str, Callable[[str, PersonInput, ConversationRef | None, datetime], Outcome]] = {
            "action": self._action,
            "actions": self._actions,
            "done": self._done,
            "ontrack": self._on_track,
            "extend": self._extend,
            "block": self._block,
            "unblock": self._unblock,
            "reassign": self._reassign,
            "cancel": self._cancel,
            "reopen": self._reopen,
            "comment": self._comment,
            "reviewed": self._reviewed,
            "history": self._history,
            "snooze": self._snooze,
            "away": self._away,
            "digest": self._digest,
            "meeting": self._meeting,
            "case": self._case,
            "help": lambda *_: Outcome(private=_note("How to use actionbot", HELP)),
        }

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._table)

    def run(
        self,
        command: str,
        text: str,
        speaker: PersonInput,
        conversation: ConversationRef | None = None,
        *,
        now: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """Run one command. Bad input and refusals come back as a private message, never as an exception.

        ``idempotency_key`` (e.g. Slack's trigger id) makes a repeated ``/action`` record nothing twice."""
        name = command.lower().lstrip("/")
        handler = self._table.get(name)
        if handler is None:
            return _error(f"I do not know /{command.lstrip('/')}. Try /help.")
        moment = now or self.service.clock()
        try:
            if name == "action":
                return self._action(text.strip(), speaker, conversation, moment, idempotency_key)
            return handler(text.strip(), speaker, conversation, moment)
        except GrammarError as exc:
            return _error(str(exc))
        except ServiceError as exc:
            return _error(str(exc))

    # -- /action ----------------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        speaker: PersonInput,
        conversation: ConversationRef | None,
        now: datetime,
        idempotency_key: str | None = None,
    ) -> Outcome:
        if not text or text.lower() == "help":
            return Outcome(private=_note("How to record an action", HELP))
        if control := LIST_CONTROL.match(text):
            return self._control(control, speaker, now)
        if is_list(text):
            return self._hold(split_minutes(text), speaker, conversation, now, idempotency_key)
        draft = parse_action(text, now, self.service.calendar, self.service.settings.max_text_length)
        if self.held_for_personal_data(draft):
            # Shown to the chair alone first: nothing reaches the room or the permanent log until they choose.
            return self._hold([text], speaker, conversation, now, idempotency_key)
        return self.record(draft, speaker, conversation, now, idempotency_key, None, text)

    def held_for_personal_data(self, draft: ActionDraft) -> bool:
        """Whether the chair sees this action alone first, before the room or the log (``pii_mode = "warn"``
        and a task that looks like personal data): typed, it is held as B-n; in a form, the form asks again."""
        return bool(draft.personal_data) and self.service.settings.pii_mode == "warn"

    def record(
        self,
        draft: ActionDraft,
        speaker: PersonInput,
        conversation: ConversationRef | None,
        now: datetime,
        idempotency_key: str | None = None,
        owner_profile: PersonInput | None = None,
        text: str | None = None,
    ) -> Outcome:
        """Record a draft (typed as ``text``, or from a form): the card for the room, and for the chair alone
        the warnings, including an owner nobody can reach. A name several people share is refused with the
        choices. ``owner_profile``: the owner as the adapter already knows them (else looked up here)."""
        draft = self.with_names_in_task(draft)
        try:
            recorded = self.service.record(
                draft,
                speaker,
                owner_profile=owner_profile or self._look_up(draft.owner),
                conversation=conversation,
                now=now,
                idempotency_key=idempotency_key,
            )
        except AmbiguousOwner as problem:
            return _error(which_one(problem, text))
        action = recorded.action
        if recorded.duplicate:
            return Outcome(private=_note(f"Already recorded as {action.ref}."), action=action, duplicate=True)
        card = action_card(action, self.zone, now, heading=f"Action {action.ref} recorded")
        matched = matched_note(draft.owner.value, action) if draft.owner.kind == "name" else None
        warnings = (*((matched,) if matched else ()), *recorded.warnings, *self.owner_notes(action.owner))
        if warning := self._away_warning(action, now):
            warnings = (*warnings, warning)
        private = Message(title=f"Please check {action.ref}", notes=warnings) if warnings else None
        return Outcome(public=card, private=private, action=action)

    def _actions(self, text: str, speaker: PersonInput, conversation: ConversationRef | None, now: datetime) -> Outcome:
        if listed := LIST_FROM.match(text):  # "actions from" and a pasted list: checked before anything is recorded
            return self._hold(split_minutes(listed.group(1)), speaker, conversation, now, None)
        word = text.strip()
        owner: OwnerRef | None = None
        case_ref: str | None = None
        scope = "mine"
        if word.lower() in ("", "mine"):
            scope = "mine"
        elif word.lower() in ("overdue", "all"):
            scope = word.lower()
        elif word.startswith("#") or CASE_WORD.match(word):  # "#CR-1042", "CR-1042"
            scope, case_ref = "all", word.lstrip("#")
        elif (owned := parse_owner(word)) is not None:
            scope, owner = "all", owned[0]
        elif (named := bare_name(word)) is not None and self.service.person_meant(PersonInput(named)) is not None:
            scope, owner = "all", named  # "/actions Jo Bloggs", "/actions Bloggs": the person the name means
        else:
            unknown = f"Nobody known is called \u201c{word}\u201d. " if named is not None else ""
            return _error(
                f"{unknown}Use /actions, /actions overdue, /actions all, /actions @someone, /actions Jo Bloggs or "
                "/actions #CASEREF."
            )
        actions = self.service.list_actions(speaker, scope=scope, owner=owner, case_ref=case_ref, now=now)
        label = {"mine": "Your open actions", "overdue": "Overdue actions", "all": "Open actions"}[scope]
        if not actions:
            return Outcome(private=_note(f"{label}: none."))
        lines = "\n".join(
            action_line(a, self.zone, now) + ("" if self.reachable(a.owner) else "  CANNOT BE REACHED") for a in actions
        )
        return Outcome(private=_note(f"{label} ({len(actions)})", lines))

    # -- changes ----------------------------------------------------------------------------------
    def _changed(
        self,
        verb: str,
        action: ActionView,
        now: datetime,
        notes: tuple[str, ...] = (),
        where: ConversationRef | None = None,
    ) -> Outcome:
        """The updated card: for the room only where the action was recorded (a task that looks like personal data
        not shown there again), else for the speaker alone."""
        heading = f"{action.ref} {verb}"
        if where is not None and authz.may_show_in(action.origin, where.platform, where.conversation_id):
            shown = for_the_room(action, now.astimezone(self.zone).date())
            return Outcome(public=action_card(shown, self.zone, now, heading=heading, notes=notes), action=action)
        return Outcome(private=action_card(action, self.zone, now, heading=heading, notes=notes), action=action)

    def _done(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, note = _split_ref(text)
        return self._changed("done", self.service.complete(ref, speaker, note or None, now=now), now, (), _c)

    def _on_track(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, note = _split_ref(text)
        action = self.service.acknowledge(ref, speaker, note or None, now=now)
        return Outcome(private=_note(f"Thanks: {action.ref} is on track."), action=action)

    def _extend(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, rest = _split_ref(text)
        phrase, reason = _split_reason(rest)
        phrase = re.sub(r"^to\s+", "", phrase, flags=re.IGNORECASE)
        if not phrase:
            raise ServiceError(f"Give the new date and a reason: {EXTEND_EXAMPLE}")
        current = self.service.get(ref, speaker).deadline
        try:
            deadline, warnings = parse_new_deadline(phrase, now, self.service.calendar, current)
        except GrammarError as exc:  # its own example, not /action's
            aside = reason_aside(phrase) if reason is None else None  # "Monday 21st, mum ill", "23/12 (mum ill)"
            try:
                if aside is None:
                    raise
                deadline, warnings = parse_new_deadline(aside[0], now, self.service.calendar, current)
                reason = aside[1]
            except GrammarError:
                raise GrammarError(exc.problem, EXTEND_EXAMPLE) from None
        moved = self.service.move_deadline(ref, speaker, deadline, reason, now=now)
        return self._changed(moved.verb, moved.action, now, warnings, _c)

    def _block(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, reason = _split_ref(text)
        return self._changed("blocked", self.service.block(ref, speaker, reason, now=now), now, (), _c)

    def _unblock(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, note = _split_ref(text)
        return self._changed("unblocked", self.service.unblock(ref, speaker, note or None, now=now), now, (), _c)

    def _cancel(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, reason = _split_ref(text)
        return self._changed("cancelled", self.service.cancel(ref, speaker, reason, now=now), now, (), _c)

    def _reopen(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, reason = _split_ref(text)
        return self._changed("reopened", self.service.reopen(ref, speaker, reason, now=now), now, (), _c)

    def _reassign(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, rest = _split_ref(text)
        rest = re.sub(r"^to\s+", "", rest, flags=re.IGNORECASE)  # "/reassign A-3 to @sam because ..."
        if two_owners(_split_reason(rest)[0]):
            raise ServiceError(TWO_OWNERS)
        owned = parse_owner(rest)
        aside = reason_aside(rest)
        if owned is not None:
            owner, remainder = owned
            reason = LEADING_BECAUSE.sub("", remainder.strip(" ,")).strip().strip("()").strip() or None
        elif (named := bare_name(_split_reason(rest)[0])) is not None:
            owner, reason = named, _split_reason(rest)[1]
        elif aside and (named := bare_name(aside[0])) and not _after_comma_is_role(rest, aside[1]):
            owner, reason = named, aside[1]  # "Jo Bloggs, back from leave"
        else:
            raise ServiceError("Say who takes it over: /reassign A-12 @sam because Jo is on leave")
        if (role := role_of(owner)) is not None:  # "Oakfield Primary School", "health visitor": nobody to chase
            raise ServiceError(role_refusal(role))
        action = self.service.reassign(ref, speaker, self._look_up(owner), reason, now=now)
        changed = self._changed(f"reassigned to {action.owner.name}", action, now, (), _c)
        matched = matched_note(owner.value, action) if owner.kind == "name" else None
        notes = (*((matched,) if matched else ()), *self.owner_notes(action.owner))
        if not notes:
            return changed
        if changed.public is None:  # the card is for the speaker alone: the notes go on it
            return self._changed(f"reassigned to {action.owner.name}", action, now, notes, _c)
        return replace(changed, private=Message(title=f"Please check {action.ref}", notes=notes))

    def _reviewed(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, note = _split_ref(text)
        return self._changed("reviewed", self.service.mark_reviewed(ref, speaker, note or None, now=now), now, (), _c)

    def _comment(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, body = _split_ref(text)
        action = self.service.comment(ref, speaker, body, now=now)
        return Outcome(private=_note(f"Comment added to {action.ref}."), action=action)

    def _history(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        ref, _ = _split_ref(text)
        events = self.service.history(ref, speaker)
        lines = [history_line(event, self.zone, now) for event in events]
        return Outcome(private=_note(f"History of {ref.upper()}", "\n".join(lines)))
