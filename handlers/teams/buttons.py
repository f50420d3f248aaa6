"""A Teams card button, run through the service as the person who pressed it: Done, On track, Reviewed,
Need more time (a date and a reason), Blocked (a reason), Reassign (a person picked, or an email), Remind
me later (a choice, or a day)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from bot.actions.messages import BLOCKED, DONE, MORE_TIME, ON_TRACK, REASSIGN, REVIEWED, SNOOZE, snooze_day
from bot.actions.people import PersonInput, Profile
from bot.actions.records import ActionView
from bot.actions.service import InvalidChange
from bot.app import Core
from bot.capture.dates import format_when
from bot.capture.owners import OwnerRef
from handlers.teams.cards import (
    BLOCK_REASON,
    DEADLINE_INPUT,
    MORE_TIME_REASON,
    NEW_OWNER,
    NEW_OWNER_EMAIL,
    REASSIGN_REASON,
    SNOOZE_CHOICE,
    SNOOZE_DAY,
)
from handlers.teams.directory import TeamsDirectory
from handlers.teams.text import is_object_id

log = logging.getLogger("actionbot.teams")


def apply_button(
    core: Core, directory: TeamsDirectory, action_id: str, ref: str, data: dict[str, Any], actor: PersonInput
) -> tuple[ActionView, str]:
    """Run one button press through the service as ``actor``. Raises ServiceError to refuse."""
    service = core.service
    now = service.clock()
    if not ref:
        raise InvalidChange("That card does not name an action.")
    if action_id == DONE:
        view = service.complete(ref, actor, now=now)
        return view, f"{view.ref} done"
    if action_id == ON_TRACK:
        view = service.acknowledge(ref, actor, now=now)
        return view, f"{view.ref} is on track"
    if action_id == REVIEWED:
        view = service.mark_reviewed(ref, actor, now=now)
        return view, f"{view.ref} reviewed"
    if action_id == MORE_TIME:
        raw = str(data.get(DEADLINE_INPUT) or "").strip()
        try:
            day = date.fromisoformat(raw[:10])
        except ValueError:
            raise InvalidChange("Choose the new deadline's date. Nothing was changed.") from None
        deadline = core.calendar.end_of(day)
        moved = service.move_deadline(ref, actor, deadline, str(data.get(MORE_TIME_REASON) or ""), now=now)
        return moved.action, f"{moved.action.ref} {moved.verb}"
    if action_id == BLOCKED:
        view = service.block(ref, actor, str(data.get(BLOCK_REASON) or ""), now=now)
        return view, f"{view.ref} blocked"
    if action_id == SNOOZE:
        view = service.snooze(ref, actor, _snooze_day(core, data, now), now=now)
        assert view.remind_from is not None
        return view, f"{view.ref}: next reminder {format_when(view.remind_from, core.calendar.zone, now)}"
    if action_id == REASSIGN:
        owner = _new_owner(directory, data)
        view = service.reassign(ref, actor, owner, str(data.get(REASSIGN_REASON) or ""), now=now)
        return view, f"{view.ref} reassigned to {view.owner.name}"
    raise InvalidChange("That button is not one actionbot knows. Nothing was changed.")


def _snooze_day(core: Core, data: dict[str, Any], now: datetime) -> date:
    """The day picked, else the choice (``SNOOZE_CHOICES``)."""
    picked = str(data.get(SNOOZE_DAY) or "").strip()
    if picked:
        try:
            return date.fromisoformat(picked[:10])
        except ValueError:
            raise InvalidChange("Choose the day to be reminded on. Nothing was changed.") from None
    day = snooze_day(str(data.get(SNOOZE_CHOICE) or ""), core.calendar.today(now), core.calendar)
    if day is None:
        raise InvalidChange("Choose when to be reminded. Nothing was changed.")
    return day


def _new_owner(directory: TeamsDirectory, data: dict[str, Any]) -> PersonInput:
    picked = str(data.get(NEW_OWNER) or "").split(",")[0].strip()
    email = str(data.get(NEW_OWNER_EMAIL) or "").strip().lower()
    profile: Profile | None = None
    if picked and is_object_id(picked):
        try:
            profile = directory.profile(picked)
        except Exception as error:
            log.warning("directory look-up for a new owner failed: %s", error.__class__.__name__)
        return PersonInput(OwnerRef("teams", picked.lower()), profile)
    if email and "@" in email and " " not in email:
        try:
            profile = directory.profile_by_email(email)
        except Exception as error:
            log.warning("directory look-up for a new owner failed: %s", error.__class__.__name__)
        return PersonInput(OwnerRef("email", email), profile)
    raise InvalidChange("Choose who takes the action over, or give their email address. Nothing was changed.")
