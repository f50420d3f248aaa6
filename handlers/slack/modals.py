"""The modals (Block Kit views) and how their submissions are read (the ``/action`` form is
handlers.slack.record_form). Pure functions: no I/O.

Reading a submission happens in the ack (within Slack's 3 seconds), so it only parses: problems go back
to the modal as ``response_action: errors``; the database is touched afterwards, in a lazy listener.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_bolt import Ack

from bot.actions.messages import SNOOZE_CHOICES, snooze_day
from bot.capture.dates import WorkCalendar
from bot.capture.grammar import GrammarError, extract_case_refs, parse_day
from handlers.slack.blocks import plain
from handlers.slack.views import MAX_REASON, input_block, modal, picked_when, state_of, text_element, text_value

RECORD = "actionbot_record"
DONE = "actionbot_done"
MORE_TIME = "actionbot_more_time"
BLOCKED = "actionbot_blocked"
REASSIGN = "actionbot_reassign"
SNOOZE = "actionbot_snooze"
MEETING = "actionbot_meeting"
CALLBACKS = (RECORD, DONE, MORE_TIME, BLOCKED, REASSIGN, SNOOZE, MEETING)


class ModalErrors(Exception):
    """Problems with a submission, by block id, for ``response_action: errors``."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class ModalAgain(Exception):
    """A submission to show again, changed, before anything is stored (``response_action: update``)."""

    def __init__(self, view: dict[str, Any]) -> None:
        super().__init__(view.get("callback_id"))
        self.view = view


@dataclass(frozen=True)
class Target:
    """The card a button was pressed on (a message, or the App Home), carried in the modal's metadata."""

    ref: str
    channel: str | None = None
    ts: str | None = None
    home: bool = False
    digest: bool = False  # a card inside a digest: told privately, never replaced

    def dump(self) -> str:
        data = {"ref": self.ref, "channel": self.channel, "ts": self.ts, "home": self.home}
        return json.dumps({**data, "digest": True} if self.digest else data)

    @classmethod
    def load(cls, text: str) -> Target:
        data = json.loads(text or "{}")
        return cls(
            str(data["ref"]), data.get("channel"), data.get("ts"), bool(data.get("home")), bool(data.get("digest"))
        )


def checker(read: Callable[[dict[str, Any]], object]) -> Callable[[Ack, dict[str, Any]], bool]:
    """A submission's check within Slack's 3 seconds: ``read`` the view; its errors go back into the modal
    (and the check answers True: nothing is stored); a readable submission goes on to the inbox."""

    def check_modal(ack: Ack, body: dict[str, Any]) -> bool:
        try:
            read(body["view"])
        except ModalErrors as problems:
            ack(response_action="errors", errors=problems.errors)
            return True
        except ModalAgain as again:
            ack(response_action="update", view=again.view)
            return True
        return False

    return check_modal


def meeting_modal(channel_id: str, response_url: str | None, types: list[tuple[str, str]]) -> dict[str, Any]:
    """``/meeting start`` with nothing after it: the meeting's type (which sets its statutory clock), an optional
    title and the case reference. ``types`` are (key, name) pairs."""
    metadata = json.dumps({"channel": channel_id, "response_url": response_url})
    options = [{"text": plain(name, 75), "value": key} for key, name in types]
    return modal(
        MEETING,
        "Start a meeting",
        "Start",
        metadata,
        [
            input_block(
                "kind", "Type", {"type": "static_select", "options": options, "placeholder": plain("Which meeting?")}
            ),
            input_block(
                "title",
                "Title",
                text_element(max_length=300, placeholder="Strategy meeting for the Smith children"),
                optional=True,
                hint="Leave empty to use the type's name.",
            ),
            input_block(
                "case_ref",
                "Case reference",
                text_element(max_length=40, placeholder="CR-1042"),
                optional=True,
                hint="Later meetings of the case mark its statutory steps met.",
            ),
        ],
    )


def read_meeting(view: dict[str, Any]) -> tuple[str, str, str | None]:
    """The meeting modal's type key, title and case reference (upper case, no '#'); ModalErrors if unusable."""
    kind = str((state_of(view, "kind").get("selected_option") or {}).get("value") or "")
    case = text_value(view, "case_ref").lstrip("#").upper() or None
    errors: dict[str, str] = {}
    if not kind:
        errors["kind"] = "Pick the meeting's type."
    if case is not None and not extract_case_refs(f"#{case}")[0]:
        errors["case_ref"] = "A case reference is letters, digits and - / _ (e.g. CR-1042)."
    if errors:
        raise ModalErrors(errors)
    return kind, text_value(view, "title"), case


def done_modal(target: Target) -> dict[str, Any]:
    return modal(
        DONE,
        f"Complete {target.ref}",
        "Mark done",
        target.dump(),
        [input_block("note", "Note (optional)", text_element(multiline=True), optional=True)],
    )


def more_time_modal(target: Target) -> dict[str, Any]:
    return modal(
        MORE_TIME,
        f"More time for {target.ref}",
        "Move deadline",
        target.dump(),
        [
            input_block("new_date", "New deadline", {"type": "datepicker"}),
            input_block("new_time", "Time", {"type": "timepicker"}, optional=True, hint="Leave empty for 17:00."),
            input_block("reason", "Why is more time needed?", text_element(multiline=True, min_length=3)),
        ],
    )


def blocked_modal(target: Target) -> dict[str, Any]:
    return modal(
        BLOCKED,
        f"{target.ref} is blocked",
        "Mark blocked",
        target.dump(),
        [input_block("reason", "What is blocking it?", text_element(multiline=True, min_length=3))],
    )


def reassign_modal(target: Target) -> dict[str, Any]:
    return modal(
        REASSIGN,
        f"Reassign {target.ref}",
        "Reassign",
        target.dump(),
        [
            input_block("new_owner", "New owner", {"type": "users_select"}),
            input_block("reason", "Why?", text_element(multiline=True, min_length=3)),
        ],
    )


def snooze_modal(target: Target) -> dict[str, Any]:
    """ "Remind me later": the next working day, in 2 working days, or a day picked (never past the deadline)."""
    options = [{"text": plain(label, 75), "value": value} for value, label in SNOOZE_CHOICES]
    return modal(
        SNOOZE,
        f"Remind me later: {target.ref}",
        "Remind me then",
        target.dump(),
        [
            input_block("when", "Remind me", {"type": "radio_buttons", "options": options}, optional=True),
            input_block(
                "on_day",
                "Or on this day",
                {"type": "datepicker"},
                optional=True,
                hint="At 09:00, before the deadline. The deadline itself does not move: for that, use Need more time.",
            ),
        ],
    )


def _reason(view: dict[str, Any], errors: dict[str, str], what: str) -> str:
    reason = text_value(view, "reason")
    if len(reason) < 3:
        errors["reason"] = f"Say why: a reason is required to {what}."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Keep it under {MAX_REASON} characters."
    return reason


def read_done(view: dict[str, Any]) -> str | None:
    note = text_value(view, "note")
    if len(note) > MAX_REASON:
        raise ModalErrors({"note": f"Keep it under {MAX_REASON} characters."})
    return note or None


def read_more_time(view: dict[str, Any], now: datetime, cal: WorkCalendar) -> tuple[datetime, str, tuple[str, ...]]:
    errors: dict[str, str] = {}
    reason = _reason(view, errors, "move a deadline")
    deadline: datetime | None = None
    warnings: tuple[str, ...] = ()
    try:
        deadline, warnings = picked_when(view, "new_date", "new_time", now, cal, "new deadline")
    except GrammarError as exc:
        errors["new_date"] = exc.problem
    if errors or deadline is None:
        raise ModalErrors(errors)
    return deadline, reason, warnings


def read_snooze(view: dict[str, Any], now: datetime, cal: WorkCalendar) -> date:
    """The day to be reminded on: a picked day wins over a choice."""
    picked = state_of(view, "on_day").get("selected_date")
    if picked:
        try:
            return parse_day(str(picked), now, cal, "reminder day")
        except GrammarError as exc:
            raise ModalErrors({"on_day": exc.problem}) from None
    choice = (state_of(view, "when").get("selected_option") or {}).get("value")
    day = snooze_day(str(choice or ""), cal.today(now), cal)
    if day is None:
        raise ModalErrors({"when": "Choose when to be reminded, or pick a day."})
    return day


def read_blocked(view: dict[str, Any]) -> str:
    errors: dict[str, str] = {}
    reason = _reason(view, errors, "mark an action blocked")
    if errors:
        raise ModalErrors(errors)
    return reason


def read_reassign(view: dict[str, Any]) -> tuple[str, str]:
    errors: dict[str, str] = {}
    owner = state_of(view, "new_owner").get("selected_user")
    if not owner:
        errors["new_owner"] = "Pick the new owner."
    reason = _reason(view, errors, "reassign an action")
    if errors or not owner:
        raise ModalErrors(errors)
    return str(owner), reason
