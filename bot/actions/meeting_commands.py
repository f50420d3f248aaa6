"""The meeting commands: ``/meeting`` (types, start, next, end, assign and dismiss a statutory step, take over,
status) and ``/case`` (a case's timeline). Mixed into bot.actions.commands.Commands."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.actions.messages import Message, action_line, meeting_summary
from bot.actions.outcome import TWO_OWNERS, CommandPart, Outcome, error, note, split_ref
from bot.actions.people import PersonInput
from bot.actions.records import MeetingView, StepView
from bot.actions.service import ConversationRef, ServiceError
from bot.actions.statutory import CaseTimeline
from bot.capture.dates import format_day
from bot.capture.grammar import extract_case_refs, role_refusal
from bot.capture.owners import bare_name, parse_owner, role_of, two_owners
from bot.process.timescales import OTHER, PROCESS_NATIONS, timescales

USAGE = (
    "/meeting start TYPE [title] [#CASEREF]  (chair, DSL, admin) e.g. /meeting start strategy #CR-1042\n"
    "/meeting next                      the statutory steps this meeting sets off, before it ends\n"
    "/meeting end                       the written summary, each owner their actions, the next steps\n"
    "/meeting assign S-3 @owner         give a statutory step an owner (an action due on its day)\n"
    "/meeting dismiss S-3 REASON        record that a step will not happen, and why\n"
    "/meeting status                    /meeting takeover REASON (DSL, admin)\n"
    "/case CR-1042                      a case's meetings, statutory steps and actions"
)
BASIS_NOTES = {
    "local": " [local practice, not statutory]",
    "check": " [check this timescale against your local procedures]",
}


def types_text(nation: str) -> str:
    """Every meeting type with what it sets off in this nation."""
    lines = []
    for kind in timescales().types:
        steps = timescales().steps_after(kind.key, nation)
        then = "; ".join(f"{s.task.lower()} within {s.clock.describe()}" for s in steps)
        lines.append(f"{kind.aliases[0]}: {kind.name}" + (f" (then: {then})" if then else ""))
    return "\n".join(lines)


def step_state(step: StepView, today: date) -> str:
    if step.status == "met":
        return f"met (meeting {step.met_meeting_id})"
    if step.status == "dismissed":
        return f"dismissed: {step.reason}"
    late = step.due_on < today
    if step.status == "owned":
        return f"{step.action_ref}, {step.owner} ({step.action_status})" + (", MISSED" if late else "")
    return "MISSED, no owner" if late else "no owner yet"


def step_line(step: StepView, today: date, now: datetime, zone: ZoneInfo) -> str:
    condition = f" ({step.condition})" if step.condition else ""
    return (
        f"{step.ref} {step.task}{condition}: due {format_day(step.due_on, now, zone)} (within {step.clock}); "
        f"{step_state(step, today)}{BASIS_NOTES.get(step.basis, '')}"
    )


def steps_heading(nation: str) -> str:
    where = PROCESS_NATIONS[nation].replace("-", " ").title()
    return f"Statutory next steps ({where}; working days skip weekends and bank holidays)"


def steps_lines(steps: Sequence[StepView], today: date, now: datetime, zone: ZoneInfo) -> str:
    """One line per step, then how to decide the first undecided one."""
    undecided = [s.ref for s in steps if s.status == "proposed"]
    ask = (
        [f"Then /meeting assign {undecided[0]} @owner, or /meeting dismiss {undecided[0]} REASON."] if undecided else []
    )
    return "\n".join([*(step_line(s, today, now, zone) for s in steps), *ask])


def named(meeting: MeetingView) -> str:
    """“Strategy meeting re the Smith children” (Strategy discussion); a title that is its type once."""
    kind = timescales().type_named(meeting.kind).name
    return f"\u201c{meeting.title}\u201d" + ("" if meeting.title == kind else f" ({kind})")


def timeline_message(timeline: CaseTimeline, today: date, now: datetime, zone: ZoneInfo) -> Message:
    lines: list[str] = []
    for meeting in timeline.meetings:
        held = format_day(meeting.started_at.astimezone(zone).date(), now, zone)
        lines.append(f"Meeting {meeting.id}, {held}: {named(meeting)}, chaired by {meeting.chair.name}")
        lines += [f"  {action_line(a, zone, now)}" for a in timeline.actions if a.meeting_id == meeting.id]
        lines += [f"  {step_line(s, today, now, zone)}" for s in timeline.steps if s.meeting_id == meeting.id]
    outside = [a for a in timeline.actions if a.meeting_id is None]
    if outside:
        lines.append("Recorded outside a meeting:")
        lines += [f"  {action_line(a, zone, now)}" for a in outside]
    if not lines:
        lines = [f"Nothing is recorded for {timeline.case_ref} yet."]
    return Message(title=f"Timeline of {timeline.case_ref}", text="\n".join(lines))


class MeetingCommands(CommandPart):
    """``/meeting`` and ``/case``."""

    def _today(self, now: datetime) -> date:
        return self.service.calendar.today(now)

    def _steps_lines(self, steps: Sequence[StepView], now: datetime) -> str:
        return steps_lines(steps, self._today(now), now, self.zone)

    def _meeting(self, text: str, speaker: PersonInput, conversation: ConversationRef | None, now: datetime) -> Outcome:
        verb, _, rest = text.partition(" ")
        verb = verb.lower()
        if verb in ("assign", "dismiss"):
            return self._decide(verb, rest, speaker, now)
        if conversation is None:
            raise ServiceError("Meetings belong to a conversation; use /meeting in a channel or chat.")
        if verb == "start":
            return self._start(rest, speaker, conversation, now)
        if verb == "end":
            # Each owner's written confirmation is already in the outbox; ending the meeting releases it.
            meeting, actions = self.service.end_meeting(conversation, speaker, now=now)
            summary = meeting_summary(meeting.title, actions, self.zone, now)
            steps = self.service.meeting_steps(meeting.id)
            then = f"{steps_heading(self.service.settings.nation)}:\n{self._steps_lines(steps, now)}" if steps else None
            text = "\n\n".join(part for part in (summary.text, then) if part)
            return Outcome(public=Message(title=summary.title, text=text, fields=summary.fields))
        if verb == "next":
            steps = self.service.next_steps(conversation, speaker, now=now)
            if not steps:
                return Outcome(private=note("This meeting's type sets off no statutory steps.", USAGE))
            return Outcome(public=note(steps_heading(self.service.settings.nation), self._steps_lines(steps, now)))
        if verb == "takeover":
            meeting = self.service.take_over_meeting(conversation, speaker, rest, now=now)
            return Outcome(
                public=note(f"{meeting.chair.name} now chairs \u201c{meeting.title}\u201d.", f"Why: {rest.strip()}")
            )
        if verb in ("", "status", "types", "help"):
            current = self.service.current_meeting(conversation)
            running = (
                f"{named(current)} is running, chaired by {current.chair.name}."
                if current is not None
                else "No meeting is running here."
            )
            types = types_text(self.service.settings.nation)
            return Outcome(private=note(running, f"Meeting types:\n{types}\n\n{USAGE}"))
        return error(f"I do not know /meeting {verb[:20]}.\n{USAGE}")

    def start_meeting(
        self,
        text: str,
        speaker: PersonInput,
        conversation: ConversationRef,
        participants: Sequence[PersonInput] = (),
        now: datetime | None = None,
        kind: str | None = None,
    ) -> Outcome:
        """``/meeting start TYPE [title] [#CASEREF]`` with the conversation's people as participants (an adapter
        that can read them passes them here), or a form's ``kind``; refusals come back as a private message."""
        try:
            return self._start(text, speaker, conversation, now or self.service.clock(), participants, kind)
        except ServiceError as exc:
            return error(str(exc))

    def _start(
        self,
        rest: str,
        speaker: PersonInput,
        conversation: ConversationRef,
        now: datetime,
        participants: Sequence[PersonInput] = (),
        kind: str | None = None,
    ) -> Outcome:
        refs, title = extract_case_refs(rest)
        meeting = self.service.start_meeting(
            conversation, speaker, title, refs[0] if refs else None, participants=participants, now=now, kind=kind
        )
        case = f" for {meeting.case_ref}" if meeting.case_ref else ""
        meeting_type = timescales().type_named(meeting.kind)
        then = timescales().steps_after(meeting.kind, self.service.settings.nation)
        lines = [
            f"Type: {meeting_type.name}"
            + (
                f" (sets off {len(then)} statutory step{'s' if len(then) > 1 else ''}: /meeting next shows them)."
                if then
                else "."
            ),
            "Record actions with /action; /meeting end sends everyone the written summary.",
        ]
        if meeting_type.key == OTHER:
            lines.append("To have the statutory clock kept, start with its type: /meeting (alone) lists them.")
        if meeting.kind != OTHER and not meeting.case_ref and then:
            lines.append("No #CASEREF: later meetings of the case cannot mark its statutory steps met.")
        met = self.service.steps_met_by(meeting.id)
        if met:
            lines.append(
                "This meeting meets: "
                + "; ".join(f"{s.ref} {s.task.lower()} (due {format_day(s.due_on, now, self.zone)})" for s in met)
            )
        title = f"Meeting \u201c{meeting.title}\u201d started{case}, chaired by {meeting.chair.name}."
        return Outcome(public=note(title, "\n".join(lines)))

    def _decide(self, verb: str, text: str, speaker: PersonInput, now: datetime) -> Outcome:
        if not text.strip():
            raise ServiceError(f"Say which step: /meeting {verb} S-3 " + ("@owner" if verb == "assign" else "REASON"))
        ref, rest = split_ref(text)
        if verb == "dismiss":
            step = self.service.dismiss_step(ref, rest or None, speaker, now=now)
            return Outcome(public=note(f"{step.ref} dismissed: {step.task}", f"Why: {step.reason}"))
        if two_owners(rest):
            raise ServiceError(TWO_OWNERS)
        owned = parse_owner(rest)
        if owned is None and (named := bare_name(rest)) is not None:
            owned = (named, "")  # "/meeting assign S-3 Jo Bloggs": a name as minutes write it
        if owned is None:
            raise ServiceError(f"Say who owns it: /meeting assign {ref} @sam")
        if (role := role_of(owned[0])) is not None:
            raise ServiceError(role_refusal(role))
        step, action = self.service.assign_step(ref, self._look_up(owned[0]), speaker, now=now)
        reach = self.owner_notes(action.owner)  # nobody can reach them, or by email: for the chair alone
        return Outcome(
            public=note(
                f"{step.ref} owned by {action.owner.name} as {action.ref}",
                f"{action_line(action, self.zone, now)}\nThe owner is chased to this statutory date like any action.",
            ),
            private=Message(title=f"Please check {action.ref}", notes=reach) if reach else None,
            action=action,
        )

    def _case(self, text: str, speaker: PersonInput, _c: ConversationRef | None, now: datetime) -> Outcome:
        timeline = self.service.case_timeline(text, speaker, now=now)
        return Outcome(private=timeline_message(timeline, self._today(now), now, self.zone))
