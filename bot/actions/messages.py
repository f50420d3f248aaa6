"""Platform-neutral messages: what the bot says, before any platform dresses it.

A Message is a title, some fields, optional notes and buttons with stable action ids. Adapters render
it: Block Kit (Slack), Adaptive Cards (Teams), plain text (console, email). A field may name a person;
platforms that know the person render a mention instead of the name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.actions.records import ActionView, EventView, PersonView
from bot.capture.dates import WorkCalendar, format_day, format_when
from bot.capture.pii import find_personal_data

# Button action ids: adapters route presses by these, so they are part of the contract.
DONE = "action_done"
ON_TRACK = "action_on_track"
MORE_TIME = "action_more_time"
BLOCKED = "action_blocked"
REASSIGN = "action_reassign"
REVIEWED = "action_reviewed"
SNOOZE = "action_snooze"
OWNER_BUTTONS = (DONE, ON_TRACK, MORE_TIME, BLOCKED, REASSIGN)
#: "Remind me later" offers these (value, label: working days from today) and a date of the owner's choice.
SNOOZE_CHOICES = (("1", "Next working day"), ("2", "In 2 working days"))
#: Nudges before the deadline that offer "Remind me later" (after it, only "Need more time" moves anything).
SNOOZABLE_STEPS = ("confirmation", "due_soon", "reminder")

STATUS_LABELS = {"open": "Open", "done": "Done", "blocked": "Blocked", "cancelled": "Cancelled"}


@dataclass(frozen=True)
class Field:
    label: str
    value: str
    person: PersonView | None = None


@dataclass(frozen=True)
class Button:
    action_id: str
    label: str
    value: str
    style: str | None = None  # "primary" | "danger" | None


@dataclass(frozen=True)
class AnswerLink:
    """How a card sent by email is answered without a chat: the signed address of its page on actionbot's
    web server (bot.actions.answer_links), and what a minimal email shows: reference, case and deadline."""

    url: str
    ref: str
    case_ref: str | None
    deadline: str
    #: The answers it offers (bot.actions.answer_links.CHOICES keys): the owner's four, or three for others.
    choices: tuple[str, ...] = ("done", "on-track", "more-time", "blocked")

    def choice_url(self, choice: str) -> str:
        """The page with one answer (``done``, ``on-track``, ``more-time``, ``blocked``) chosen."""
        return f"{self.url}?choice={choice}"


@dataclass(frozen=True)
class Message:
    title: str
    fields: tuple[Field, ...] = ()
    notes: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()
    text: str | None = None
    #: A digest: several cards in one message, each with its own buttons (adapters render each in turn).
    parts: tuple[Message, ...] = ()
    #: This message's own stable id (a nudge's outbox row), no personal data: email transports derive the
    #: Message-ID or GOV.UK Notify's ``reference`` from it, so a send tried again is recognised.
    key: str | None = None
    #: Set on a card emailed to its owner (or their cover) when answer links are configured.
    answer: AnswerLink | None = None

    @property
    def fallback(self) -> str:
        """One line for notifications and screen readers."""
        return self.title


def snooze_day(choice: str, today: date, cal: WorkCalendar) -> date | None:
    """The day a "Remind me later" choice (``SNOOZE_CHOICES``) means, or None for one it does not offer."""
    if choice not in dict(SNOOZE_CHOICES):
        return None
    return cal.add_working_days(today, int(choice))


def owner_buttons(ref: str) -> tuple[Button, ...]:
    return (
        Button(DONE, "Done", ref, "primary"),
        Button(ON_TRACK, "On track", ref),
        Button(MORE_TIME, "Need more time", ref),
        Button(BLOCKED, "Blocked", ref, "danger"),
        Button(REASSIGN, "Reassign", ref),
    )


def review_buttons(ref: str) -> tuple[Button, ...]:
    """On a review-due reminder to the chair: record the review, or change what the review found wrong."""
    return (
        Button(REVIEWED, "Reviewed", ref, "primary"),
        Button(MORE_TIME, "Need more time", ref),
        Button(REASSIGN, "Reassign", ref),
        Button(DONE, "Done", ref),
    )


def leave_span(person: PersonView, today: date, now: datetime | None = None) -> str | None:
    """``until Fri 18 Dec`` (or ``from ... until ...``) while they are on leave or have leave booked."""
    if person.away_until is None or person.away_until < today:
        return None
    until = format_day(person.away_until, now)
    if person.away_from is not None and person.away_from > today:
        if person.away_from == person.away_until:
            return f"on {until}"
        return f"from {format_day(person.away_from, now)} until {until}"
    return f"until {until}"


def away_text(person: PersonView, today: date, now: datetime | None = None) -> str | None:
    """``until Fri 18 Dec (cover: Sam Patel)``: their leave and who covers, or None."""
    span = leave_span(person, today, now)
    if span is None:
        return None
    return f"{span} (cover: {person.cover_name})" if person.cover_name else f"{span} (nobody covers)"


def action_fields(action: ActionView, zone: ZoneInfo, now: datetime) -> tuple[Field, ...]:
    fields = [
        Field("Owner", action.owner.name, action.owner),
        Field("Task", action.task),
        Field("Deadline", format_when(action.deadline, zone, now)),
    ]
    if action.is_open and (away := away_text(action.owner, now.astimezone(zone).date(), now)):
        fields.insert(1, Field("Owner away", away))
    if action.review_on:
        fields.append(Field("Review", format_day(action.review_on, now, zone)))
    if action.case_ref:
        fields.append(Field("Case", action.case_ref))
    if action.status != "open":
        fields.append(Field("Status", STATUS_LABELS.get(action.status, action.status)))
    return tuple(fields)


#: A task that looks like personal data, where a room message would show it again after it was recorded.
WITHHELD_TASK = "(not shown in the room: it looks like personal data; see the owner's card or /history)"


def for_the_room(action: ActionView, today: date) -> ActionView:
    """The action as a room sees it once it is recorded: a task that looks like personal data (recorded anyway,
    as its chair chose) was posted once; changes, summaries and later cards in the room do not show it again."""
    return replace(action, task=WITHHELD_TASK) if find_personal_data(action.task, today) else action


def action_card(
    action: ActionView,
    zone: ZoneInfo,
    now: datetime,
    *,
    heading: str | None = None,
    notes: tuple[str, ...] = (),
    buttons: bool = True,
) -> Message:
    """The card for one action: shown to the room when recorded, to the owner in DMs and nudges."""
    title = heading or f"{action.ref}: {action.task}"
    return Message(
        title=title,
        fields=action_fields(action, zone, now),
        notes=notes,
        buttons=owner_buttons(action.ref) if buttons and action.is_open else (),
    )


def action_line(action: ActionView, zone: ZoneInfo, now: datetime) -> str:
    """``A-3  Share CAD log  (Jo Bloggs, by Fri 27 Nov, 17:00)``: one action in a list."""
    late = "  OVERDUE" if action.is_overdue(now) else ""
    state = f" [{STATUS_LABELS[action.status].lower()}]" if action.status != "open" else ""
    return (
        f"{action.ref}  {action.task}  ({action.owner.name}, by {format_when(action.deadline, zone, now)}){state}{late}"
    )


def meeting_summary(title: str, actions: list[ActionView], zone: ZoneInfo, now: datetime) -> Message:
    """The written record of what a meeting agreed: who, what, by when, review. Actions cancelled before
    the meeting ended were not agreed: they are listed apart, so nobody reads them as still to do."""
    actions = [for_the_room(a, now.astimezone(zone).date()) for a in actions]
    agreed = [a for a in actions if a.status != "cancelled"]
    withdrawn = [a for a in actions if a.status == "cancelled"]
    lines = []
    for action in agreed:
        review = f"; review {format_day(action.review_on, now, zone)}" if action.review_on else ""
        lines.append(
            # The task as recorded, then its owner: "<owner> to <task>" turned noun-phrase tasks into
            # verbs ("DC Evans to police checks").
            f"{action.ref}: {action.task} \u2014 {action.owner.name}, "
            f"by {format_when(action.deadline, zone, now)}{review}"
        )
    if not lines:
        lines = ["No actions were recorded."]
    if withdrawn:
        lines.append("Cancelled (not to be done): " + ", ".join(a.ref for a in withdrawn))
    return Message(
        title=f"Actions agreed at \u201c{title}\u201d ({len(agreed)})",
        text="\n".join(lines),
        fields=tuple(Field(a.ref, a.task, a.owner) for a in agreed),
    )


def digest_message(cards: list[Message]) -> Message:
    """One message with several reminders, each card with its own buttons."""
    return Message(title=f"{len(cards)} actions need your attention today", parts=tuple(cards))


def render_text(message: Message) -> str:
    """Plain text (console, email's text part, logs of what would be sent are never written)."""
    if message.parts:
        parts = ("\n".join("  " + line for line in render_text(part).splitlines()) for part in message.parts)
        return "\n".join((message.title, *parts))
    out = [message.title]
    if message.text:
        out.append(message.text)
    width = max((len(f.label) for f in message.fields), default=0)
    out.extend(f"  {f.label.ljust(width)}  {f.value}" for f in message.fields if not message.text)
    out.extend(f"  ! {note}" for note in message.notes)
    if message.buttons:
        out.append("  [" + "] [".join(b.label for b in message.buttons) + "]")
    return "\n".join(out)


@dataclass(frozen=True)
class Reply:
    """What an adapter says back to the person who typed a command."""

    message: Message
    private: bool = False
    extra: tuple[Message, ...] = field(default=())


def nudge_message(
    step: str,
    action: ActionView,
    zone: ZoneInfo,
    now: datetime,
    *,
    working_days_late: int = 0,
    reason: str | None = None,
    covering: PersonView | None = None,
) -> Message:
    """The card a nudge carries: the action with a heading for its step, and the owner's buttons.

    Only the reference, task, case reference, owner and dates: never the meeting's title or notes.
    A review-due reminder carries the chair's review buttons instead. A reminder sent to the colleague
    ``covering`` for an owner on leave says so first."""
    notes = _nudge_notes(step, reason)
    if covering is not None:
        span = leave_span(covering, now.astimezone(zone).date(), now) or "on leave"
        notes = (
            f"You are covering for {covering.name}, who is away {span}. The action stays "
            f"{covering.name}'s; you can answer it for them.",
            *notes,
        )
    buttons: tuple[Button, ...] = ()
    if action.is_open and step != "handed_over":  # a handed-over action is no longer theirs to answer
        if step == "review_due":
            buttons = review_buttons(action.ref)
        elif step in SNOOZABLE_STEPS and action.status == "open" and _before_deadline_day(action, zone, now):
            buttons = (*owner_buttons(action.ref), Button(SNOOZE, "Remind me later", action.ref))
        else:
            buttons = owner_buttons(action.ref)
    return Message(
        title=_nudge_heading(step, action, zone, now, working_days_late),
        fields=action_fields(action, zone, now),
        notes=notes,
        buttons=buttons,
    )


def email_failed_message(action: ActionView, person: PersonView | None) -> Message:
    """To a chair: email to someone about one of their actions failed for good (bot.chasing.bounces). Their
    name, never their address; no buttons."""
    name = person.name if person is not None else "someone"
    fields = [Field("Owner", action.owner.name, action.owner)]
    if action.case_ref:
        fields.append(Field("Case", action.case_ref))
    return Message(
        title=f"Email to {name} for {action.ref} could not be delivered (the address was refused)",
        fields=tuple(fields),
        notes=(
            f'Check their address: actionbot people set "{name}" --email ADDRESS',
            "No more email is sent to that address until it is changed; until then their reminders are "
            "recorded as not reached, and the action still escalates when it is overdue.",
        ),
    )


def _before_deadline_day(action: ActionView, zone: ZoneInfo, now: datetime) -> bool:
    return action.deadline.astimezone(zone).date() > now.astimezone(zone).date()


def _nudge_heading(step: str, action: ActionView, zone: ZoneInfo, now: datetime, late: int) -> str:
    ref = action.ref
    if step == "card":
        return f"Action {ref} recorded"
    if step == "confirmation":
        return f"Your action {ref}, agreed {format_day(action.created_at.astimezone(zone).date(), now, zone)}"
    if step == "handed_over":
        return f"{ref} is now {action.owner.name}'s: you will get no more reminders about it"
    if step == "reminder" and action.deadline.astimezone(zone).date() == now.astimezone(zone).date():
        step = "due_today"
    if step in ("due_soon", "reminder"):
        return f"Reminder: {ref} is due {format_when(action.deadline, zone, now)}"
    if step == "due_today":
        return f"{ref} is due today at {action.deadline.astimezone(zone):%H:%M}"
    if step == "overdue":
        return f"{ref} is overdue: it was due {format_when(action.deadline, zone, now)}"
    if step == "escalation":
        return f"Escalation: {ref} for {action.owner.name} is {late} working days overdue"
    if step == "blocked":
        return f"Escalation: {ref} for {action.owner.name} is blocked"
    if step == "review_due":
        return f"Review due: {ref}"
    raise ValueError(f"unknown nudge step {step!r}")


def _nudge_notes(step: str, reason: str | None) -> tuple[str, ...]:
    if step == "blocked" and reason:
        return (f"Reason given: {reason}",)
    if step == "review_due":
        return (
            "Its review date has come: check it is still the right action, owner and deadline, then press "
            "Reviewed (or type /reviewed REF [note]).",
        )
    if step in ("overdue", "escalation"):
        return ("Press Done, or Need more time with a new date and the reason.",)
    return ()


_EVENT_WORDS = {
    "completed": "done",
    "acknowledged": "on track",
    "commented": "comment",
    "cancelled": "cancelled",
    "reopened": "reopened",
    "blocked": "blocked",
    "unblocked": "unblocked",
    "reviewed": "reviewed",
}


def _moment(details: dict[str, Any], key: str, zone: ZoneInfo, now: datetime) -> str:
    value = details.get(key)
    if not isinstance(value, str):
        return "?"
    try:
        return format_when(datetime.fromisoformat(value), zone, now)
    except ValueError:
        return "?"


#: What each chasing step sends, as an action's history names it.
_STEP_NAMES = {
    "card": "card", "confirmation": "written confirmation", "due_soon": "reminder (due soon)",
    "due_today": "reminder (due today)", "overdue": "reminder (overdue)", "escalation": "escalation",
    "blocked": "notice that it is blocked", "review_due": "reminder (review due)",
    "email_failed": "notice that an email could not be delivered",
}  # fmt: skip


def _sent_summary(event: EventView) -> str:
    """A nudge or escalation in an action's history: what went to whom, or why it did not ("escalated" twice
    reads like a repeat; it is the chair and the DSL)."""
    details = event.details or {}
    what = _STEP_NAMES.get(str(details.get("step")), "message")
    if details.get("recipient_id") is None:
        return f"{what} posted to the meeting's conversation"
    to = event.person("recipient_id")
    if details.get("covering_for") is not None:
        to += f" (covering for {event.person('covering_for')})"
    if not details.get("delivered"):
        return f"{what} not delivered to {to}: {details.get('why') or 'the send failed'}"
    return f"{what} sent to {to}" + (f" ({details['channel']})" if details.get("channel") else "")


def event_summary(event: EventView, zone: ZoneInfo, now: datetime) -> str:
    """What a change did, with the old and new value: "deadline extended from Fri 11 Dec, 17:00 to ..."."""
    details = event.details or {}
    if event.kind in ("nudged", "escalated"):
        return _sent_summary(event)
    if event.kind == "created":
        return f"recorded for {event.person('owner_id')}, due {_moment(details, 'deadline', zone, now)}"
    if event.kind in ("extended", "brought_forward"):
        verb = "extended" if event.kind == "extended" else "brought forward"
        return f"deadline {verb} from {_moment(details, 'from', zone, now)} to {_moment(details, 'to', zone, now)}"
    if event.kind == "snoozed":
        return f"next reminder moved to {_moment(details, 'until', zone, now)} (the deadline stays)"
    if event.kind == "reassigned":
        return f"reassigned from {event.person('from_owner_id')} to {event.person('to_owner_id')}"
    return str(_EVENT_WORDS.get(event.kind, event.kind.replace("_", " ")))


def history_line(event: EventView, zone: ZoneInfo, now: datetime) -> str:
    """One line of an action's history: when, what changed (old and new), who, and why."""
    why = f": {event.reason}" if event.reason else ""
    when = event.at.astimezone(zone).strftime("%d/%m %H:%M")
    via = f" (via {event.details['via']})" if event.details.get("via") else ""  # e.g. an emailed answer link
    return f"{when}  {event_summary(event, zone, now)}, by {event.actor_name or 'actionbot'}{via}{why}"
