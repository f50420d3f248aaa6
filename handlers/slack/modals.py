"""The modals (Block Kit views) and how their submissions are read. Pure functions: no I/O.

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
from bot.capture.controls import refusal
from bot.capture.dates import WorkCalendar, format_day
from bot.capture.grammar import ActionDraft, GrammarError, extract_case_refs, parse_day, parse_when
from bot.capture.owners import OwnerRef
from bot.capture.pii import find_personal_data, personal_data_warning
from handlers.slack.blocks import Block, plain

RECORD = "actionbot_record"
DONE = "actionbot_done"
MORE_TIME = "actionbot_more_time"
BLOCKED = "actionbot_blocked"
REASSIGN = "actionbot_reassign"
SNOOZE = "actionbot_snooze"
MEETING = "actionbot_meeting"
CALLBACKS = (RECORD, DONE, MORE_TIME, BLOCKED, REASSIGN, SNOOZE, MEETING)

MAX_REASON = 1000


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


# -- building -------------------------------------------------------------------------------------
def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": {**element, "action_id": block_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _text(multiline: bool = False, max_length: int = MAX_REASON, min_length: int = 0, placeholder: str = "") -> Block:
    element: Block = {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}
    if min_length:
        element["min_length"] = min_length
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def _modal(callback_id: str, title: str, submit: str, metadata: str, blocks: list[Block]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "private_metadata": metadata,
        "blocks": blocks,
    }


#: The record modal's tick box: the chair has seen the personal-data warning and records the task as it is.
PERSONAL_DATA_OK = "personal_data_ok"
#: What each input element of a submitted view holds, and the field that sets it again.
_INITIAL = {
    "users_select": ("selected_user", "initial_user"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "plain_text_input": ("value", "initial_value"),
}


def _filled(blocks: list[Block], view: dict[str, Any]) -> list[Block]:
    """The blocks with what was submitted in them (Slack also keeps input on an update with the same ids)."""
    filled = []
    for block in blocks:
        element = block.get("element")
        if block.get("type") == "input" and element and element.get("type") in _INITIAL:
            held, initial = _INITIAL[element["type"]]
            if value := _state(view, block["block_id"]).get(held):
                block = {**block, "element": {**element, initial: value}}
        filled.append(block)
    return filled


def personal_data_ok(view: dict[str, Any]) -> bool:
    """Whether the chair ticked "Record it anyway" on the personal-data warning."""
    return bool(_state(view, PERSONAL_DATA_OK).get("selected_options"))


def record_modal_warned(view: dict[str, Any], warning: str, max_task: int = 1000) -> dict[str, Any]:
    """The record modal shown again as submitted, with the personal-data warning at the top and a tick box to
    record it anyway; nothing is stored until it is submitted again (changed, or ticked)."""
    meta = json.loads(view.get("private_metadata") or "{}")
    modal = record_modal(str(meta.get("channel") or ""), meta.get("response_url"), max_task)
    notice: Block = {
        "type": "section",
        "block_id": "personal_data_warning",
        "text": {
            "type": "mrkdwn",
            "text": f":warning: *This looks like personal data.* {warning} Nothing is recorded "
            "or posted yet: change the task, or tick \u201cRecord it anyway\u201d and press Record.",
            "verbatim": True,
        },
    }
    anyway = _input(
        PERSONAL_DATA_OK,
        "Personal data",
        {"type": "checkboxes", "options": [{"text": plain("Record it anyway", 75), "value": "yes"}]},
        optional=True,
    )
    return {**modal, "blocks": [notice, *_filled(modal["blocks"], view), anyway]}


def record_modal(channel_id: str, response_url: str | None, max_task: int = 1000) -> dict[str, Any]:
    """``/action`` with no text: owner picker, task, deadline (date + optional time), review date, case."""
    metadata = json.dumps({"channel": channel_id, "response_url": response_url})
    return _modal(
        RECORD,
        "Record an action",
        "Record",
        metadata,
        [
            _input("owner", "Owner", {"type": "users_select", "placeholder": plain("Who will do it?")}),
            _input("task", "Task", _text(multiline=True, max_length=max_task, placeholder="What will they do?")),
            _input("deadline", "Deadline", {"type": "datepicker"}),
            _input(
                "deadline_time",
                "Deadline time",
                {"type": "timepicker"},
                optional=True,
                hint="Leave empty for the end of the working day (17:00).",
            ),
            _input("review", "Review date", {"type": "datepicker"}, optional=True),
            _input("case_ref", "Case reference", _text(max_length=40, placeholder="CR-1042"), optional=True),
        ],
    )


def meeting_modal(channel_id: str, response_url: str | None, types: list[tuple[str, str]]) -> dict[str, Any]:
    """``/meeting start`` with nothing after it: the meeting's type (which sets its statutory clock), an optional
    title and the case reference. ``types`` are (key, name) pairs."""
    metadata = json.dumps({"channel": channel_id, "response_url": response_url})
    options = [{"text": plain(name, 75), "value": key} for key, name in types]
    return _modal(
        MEETING,
        "Start a meeting",
        "Start",
        metadata,
        [
            _input(
                "kind", "Type", {"type": "static_select", "options": options, "placeholder": plain("Which meeting?")}
            ),
            _input(
                "title",
                "Title",
                _text(max_length=300, placeholder="Strategy meeting for the Smith children"),
                optional=True,
                hint="Leave empty to use the type's name.",
            ),
            _input(
                "case_ref",
                "Case reference",
                _text(max_length=40, placeholder="CR-1042"),
                optional=True,
                hint="Later meetings of the case mark its statutory steps met.",
            ),
        ],
    )


def read_meeting(view: dict[str, Any]) -> tuple[str, str, str | None]:
    """The meeting modal's type key, title and case reference (upper case, no '#'); ModalErrors if unusable."""
    kind = str((_state(view, "kind").get("selected_option") or {}).get("value") or "")
    case = _text_value(view, "case_ref").lstrip("#").upper() or None
    errors: dict[str, str] = {}
    if not kind:
        errors["kind"] = "Pick the meeting's type."
    if case is not None and not extract_case_refs(f"#{case}")[0]:
        errors["case_ref"] = "A case reference is letters, digits and - / _ (e.g. CR-1042)."
    if errors:
        raise ModalErrors(errors)
    return kind, _text_value(view, "title"), case


def done_modal(target: Target) -> dict[str, Any]:
    return _modal(
        DONE,
        f"Complete {target.ref}",
        "Mark done",
        target.dump(),
        [_input("note", "Note (optional)", _text(multiline=True), optional=True)],
    )


def more_time_modal(target: Target) -> dict[str, Any]:
    return _modal(
        MORE_TIME,
        f"More time for {target.ref}",
        "Move deadline",
        target.dump(),
        [
            _input("new_date", "New deadline", {"type": "datepicker"}),
            _input("new_time", "Time", {"type": "timepicker"}, optional=True, hint="Leave empty for 17:00."),
            _input("reason", "Why is more time needed?", _text(multiline=True, min_length=3)),
        ],
    )


def blocked_modal(target: Target) -> dict[str, Any]:
    return _modal(
        BLOCKED,
        f"{target.ref} is blocked",
        "Mark blocked",
        target.dump(),
        [_input("reason", "What is blocking it?", _text(multiline=True, min_length=3))],
    )


def reassign_modal(target: Target) -> dict[str, Any]:
    return _modal(
        REASSIGN,
        f"Reassign {target.ref}",
        "Reassign",
        target.dump(),
        [
            _input("new_owner", "New owner", {"type": "users_select"}),
            _input("reason", "Why?", _text(multiline=True, min_length=3)),
        ],
    )


def snooze_modal(target: Target) -> dict[str, Any]:
    """ "Remind me later": the next working day, in 2 working days, or a day picked (never past the deadline)."""
    options = [{"text": plain(label, 75), "value": value} for value, label in SNOOZE_CHOICES]
    return _modal(
        SNOOZE,
        f"Remind me later: {target.ref}",
        "Remind me then",
        target.dump(),
        [
            _input("when", "Remind me", {"type": "radio_buttons", "options": options}, optional=True),
            _input(
                "on_day",
                "Or on this day",
                {"type": "datepicker"},
                optional=True,
                hint="At 09:00, before the deadline. The deadline itself does not move: for that, use Need more time.",
            ),
        ],
    )


# -- reading --------------------------------------------------------------------------------------
def _state(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    values: dict[str, Any] = (view.get("state") or {}).get("values") or {}
    return dict((values.get(block_id) or {}).get(block_id) or {})


def _text_value(view: dict[str, Any], block_id: str) -> str:
    return " ".join(str(_state(view, block_id).get("value") or "").split())


def _reason(view: dict[str, Any], errors: dict[str, str], what: str) -> str:
    reason = _text_value(view, "reason")
    if len(reason) < 3:
        errors["reason"] = f"Say why: a reason is required to {what}."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Keep it under {MAX_REASON} characters."
    return reason


def _when(
    view: dict[str, Any], date_block: str, time_block: str | None, now: datetime, cal: WorkCalendar, what: str
) -> tuple[datetime, tuple[str, ...]]:
    day = _state(view, date_block).get("selected_date")
    if not day:
        raise GrammarError(f"Pick the {what}.")
    wall = _state(view, time_block).get("selected_time") if time_block else None
    return parse_when(f"{day} {wall}" if wall else str(day), now, cal, what)


def read_record(view: dict[str, Any], now: datetime, cal: WorkCalendar, max_task: int = 1000) -> ActionDraft:
    """The record modal's submission as an ActionDraft, with the same warnings the typed command gives."""
    errors: dict[str, str] = {}
    owner_id = _state(view, "owner").get("selected_user")
    if not owner_id:
        errors["owner"] = "Pick the owner."
    task = _text_value(view, "task")
    if not task:
        errors["task"] = "Say what the owner will do."
    elif len(task) > max_task:
        errors["task"] = f"Keep the task under {max_task} characters."
    elif problem := refusal(task, "task"):
        errors["task"] = problem
    deadline: datetime | None = None
    warnings: list[str] = []
    try:
        deadline, notes = _when(view, "deadline", "deadline_time", now, cal, "deadline")
        warnings.extend(notes)
    except GrammarError as exc:
        errors["deadline"] = exc.problem
    review: date | None = None
    if _state(view, "review").get("selected_date"):
        try:
            instant, notes = _when(view, "review", None, now, cal, "review date")
            review = cal.local(instant).date()
            warnings.extend(notes)
        except GrammarError as exc:
            errors["review"] = exc.problem
    case_ref: str | None = None
    if raw := _text_value(view, "case_ref"):
        refs, rest = extract_case_refs("#" + raw.lstrip("#"))
        if len(refs) != 1 or rest.strip():
            errors["case_ref"] = "Case references look like CR-1042: letters, digits, - or /, with a digit."
        else:
            case_ref = refs[0]
    if errors or deadline is None or not owner_id:
        raise ModalErrors(errors)
    if review is not None and review < cal.local(deadline).date():
        warnings.append(
            f"The review date {format_day(review, now, cal.zone)} is before the deadline "
            f"{format_day(cal.local(deadline).date(), now, cal.zone)}."
        )
    kinds = find_personal_data(task, cal.today(now))
    if kinds:
        warnings.append(personal_data_warning(kinds))
    return ActionDraft(
        owner=OwnerRef("slack", str(owner_id)),
        task=task,
        deadline=deadline,
        review=review,
        case_ref=case_ref,
        warnings=tuple(warnings),
        personal_data=tuple(kinds),
    )


def read_done(view: dict[str, Any]) -> str | None:
    note = _text_value(view, "note")
    if len(note) > MAX_REASON:
        raise ModalErrors({"note": f"Keep it under {MAX_REASON} characters."})
    return note or None


def read_more_time(view: dict[str, Any], now: datetime, cal: WorkCalendar) -> tuple[datetime, str, tuple[str, ...]]:
    errors: dict[str, str] = {}
    reason = _reason(view, errors, "move a deadline")
    deadline: datetime | None = None
    warnings: tuple[str, ...] = ()
    try:
        deadline, warnings = _when(view, "new_date", "new_time", now, cal, "new deadline")
    except GrammarError as exc:
        errors["new_date"] = exc.problem
    if errors or deadline is None:
        raise ModalErrors(errors)
    return deadline, reason, warnings


def read_snooze(view: dict[str, Any], now: datetime, cal: WorkCalendar) -> date:
    """The day to be reminded on: a picked day wins over a choice."""
    picked = _state(view, "on_day").get("selected_date")
    if picked:
        try:
            return parse_day(str(picked), now, cal, "reminder day")
        except GrammarError as exc:
            raise ModalErrors({"on_day": exc.problem}) from None
    choice = (_state(view, "when").get("selected_option") or {}).get("value")
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
    owner = _state(view, "new_owner").get("selected_user")
    if not owner:
        errors["new_owner"] = "Pick the new owner."
    reason = _reason(view, errors, "reassign an action")
    if errors or not owner:
        raise ModalErrors(errors)
    return str(owner), reason
