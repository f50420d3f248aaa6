"""What the chair is told, once, about who an action is for: which known person a name was read as, which of
several people a name may mean, and how (or whether) the owner will be reached."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.actions.names import MAX_CHOICES, AmbiguousOwner, words
from bot.actions.records import ActionView, PersonView

#: How the chair names each chat platform in a note.
PLATFORMS = {"slack": "Slack", "teams": "Teams"}


def _people_set(name: str) -> str:
    # Straight quotes: the command is copied into a shell, which takes them off (curly ones it would keep).
    return f'actionbot people set "{name}" --email ADDRESS'


def unreachable_warning(person: PersonView) -> str:
    """Nobody can reach the owner: why, and how to fix it."""
    name = person.name
    if person.email and person.email_failed:
        why = f"email to {person.email} failed for good, and actionbot has no chat account for them"
        fix = f"Set a working address ({_people_set(name)}), or record the action with their chat account"
    elif person.email:
        why = (
            f"actionbot has no chat account for them, and this actionbot sends no email, so nothing reaches "
            f"{person.email} (ACTIONBOT_EMAIL is not set: docs/email.md)"
        )
        fix = "Set up email, or record the action with their chat account as the owner"
    else:
        why = "actionbot has no chat account or email address for them"
        fix = f"Add an address ({_people_set(name)}), or record the action with their email address as the owner"
    return f"{name} cannot be reached, so no reminder will reach them: {why}. {fix}."


def outside_note(person: PersonView, channels: Sequence[str]) -> str | None:
    """For the chair, once per action: an owner in another organisation is reached by email, or first in chat
    and by email when the platform refuses. None for everyone else (and for the unreachable: their own warning)."""
    if not person.outside or not channels or channels[0] not in ("email", *PLATFORMS):
        return None
    name, email = person.name, person.email
    if channels[0] == "email":
        return (
            f"{name} is in another organisation, where actionbot cannot message them in chat: their reminders, "
            f"and the way to answer them, go by email to {email}."
        )
    platform = PLATFORMS.get(channels[0], channels[0])
    if "email" in channels[1:]:
        return (
            f"{name} is in another organisation: actionbot tries {platform} first, and if {platform} does not let "
            f"it message them, their reminders and the way to answer them go by email to {email}."
        )
    return (
        f"{name} is in another organisation and actionbot has no email address for them: if {platform} does not "
        f"let it message them, no reminder will reach them. Add an address ({_people_set(name)})."
    )


def matched_note(written: str, action: ActionView) -> str | None:
    """A name read as the one known person it matches ("Jo" as Jo Bloggs): said, with their agency, so that the
    chair sees at once whom actionbot will chase. None when the name was written in full."""
    owner = action.owner
    if words(written) == words(owner.name):
        return None
    agency = f" ({owner.agency})" if owner.agency else ""
    return (
        f"\u201c{written}\u201d is {owner.name}{agency}, the only match actionbot found. If you meant someone else: "
        f'/reassign {action.ref} "Full Name" because wrong person'
    )


def which_one(problem: AmbiguousOwner, text: str | None) -> str:
    """A name several known people share, refused: the choices, each as the command to send again when the
    typed text is known."""
    shown = problem.candidates[:MAX_CHOICES]
    head = (
        f"Which {problem.written}? actionbot knows {len(problem.candidates)} people of that name, so nothing was "
        "recorded. Send it again with one of them:"
    )
    written = rf"[\"\u201c]{re.escape(problem.written)}[\"\u201d]|(?<!\w){re.escape(problem.written)}(?!\w)"
    spot = re.search(written, text, re.IGNORECASE) if text else None
    lines = []
    for candidate in shown:
        if spot is not None and text is not None:
            again = f'/action {text[: spot.start()]}"{candidate.name}"{text[spot.end() :]}'
            lines.append(f"  {candidate.describe()}: {again}")
        else:
            lines.append(f"  {candidate.describe()}")
    if len(problem.candidates) > len(shown):
        lines.append(f"  and {len(problem.candidates) - len(shown)} more: write the full name")
    lines.append("Someone else: write their full name in quotes, or their email address, as the owner.")
    return "\n".join([head, *lines])
