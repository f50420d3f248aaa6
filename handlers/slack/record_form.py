"""The ``/action`` form: the record modal (owner picker, task, deadline date and time, review date, case), shown
again as filled in with a warning when its task looks like personal data (nothing is stored until the chair
changes it or ticks "Record it anyway"), and its submission read as the typed command would be. Pure
functions: no I/O."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.capture.controls import refusal
from bot.capture.dates import WorkCalendar, format_day
from bot.capture.grammar import ActionDraft, GrammarError, extract_case_refs
from bot.capture.owners import OwnerRef
from bot.capture.pii import find_personal_data, personal_data_warning
from handlers.slack.blocks import Block, plain
from handlers.slack.modals import RECORD, ModalErrors
from handlers.slack.views import input_block, modal, picked_when, state_of, text_element, text_value

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
            if value := state_of(view, block["block_id"]).get(held):
                block = {**block, "element": {**element, initial: value}}
        filled.append(block)
    return filled


def personal_data_ok(view: dict[str, Any]) -> bool:
    """Whether the chair ticked "Record it anyway" on the personal-data warning."""
    return bool(state_of(view, PERSONAL_DATA_OK).get("selected_options"))


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
    anyway = input_block(
        PERSONAL_DATA_OK,
        "Personal data",
        {"type": "checkboxes", "options": [{"text": plain("Record it anyway", 75), "value": "yes"}]},
        optional=True,
    )
    return {**modal, "blocks": [notice, *_filled(modal["blocks"], view), anyway]}


def record_modal(channel_id: str, response_url: str | None, max_task: int = 1000) -> dict[str, Any]:
    """``/action`` with no text: owner picker, task, deadline (date + optional time), review date, case."""
    metadata = json.dumps({"channel": channel_id, "response_url": response_url})
    return modal(
        RECORD,
        "Record an action",
        "Record",
        metadata,
        [
            input_block("owner", "Owner", {"type": "users_select", "placeholder": plain("Who will do it?")}),
            input_block(
                "task", "Task", text_element(multiline=True, max_length=max_task, placeholder="What will they do?")
            ),
            input_block("deadline", "Deadline", {"type": "datepicker"}),
            input_block(
                "deadline_time",
                "Deadline time",
                {"type": "timepicker"},
                optional=True,
                hint="Leave empty for the end of the working day (17:00).",
            ),
            input_block("review", "Review date", {"type": "datepicker"}, optional=True),
            input_block(
                "case_ref", "Case reference", text_element(max_length=40, placeholder="CR-1042"), optional=True
            ),
        ],
    )


def read_record(view: dict[str, Any], now: datetime, cal: WorkCalendar, max_task: int = 1000) -> ActionDraft:
    """The record modal's submission as an ActionDraft, with the same warnings the typed command gives."""
    errors: dict[str, str] = {}
    owner_id = state_of(view, "owner").get("selected_user")
    if not owner_id:
        errors["owner"] = "Pick the owner."
    task = text_value(view, "task")
    if not task:
        errors["task"] = "Say what the owner will do."
    elif len(task) > max_task:
        errors["task"] = f"Keep the task under {max_task} characters."
    elif problem := refusal(task, "task"):
        errors["task"] = problem
    deadline: datetime | None = None
    warnings: list[str] = []
    try:
        deadline, notes = picked_when(view, "deadline", "deadline_time", now, cal, "deadline")
        warnings.extend(notes)
    except GrammarError as exc:
        errors["deadline"] = exc.problem
    review: date | None = None
    if state_of(view, "review").get("selected_date"):
        try:
            instant, notes = picked_when(view, "review", None, now, cal, "review date")
            review = cal.local(instant).date()
            warnings.extend(notes)
        except GrammarError as exc:
            errors["review"] = exc.problem
    case_ref: str | None = None
    if raw := text_value(view, "case_ref"):
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
