"""Who wrote a Teams message and which message it was: shared by the bot (handlers/teams/activities.py) and the
outgoing webhook (handlers/teams/webhook.py), which therefore do not import each other."""

from __future__ import annotations

import hashlib

from bot.actions.people import PersonInput, Profile
from bot.capture.owners import OwnerRef


def request_key(conversation_id: str, activity_id: str) -> str:
    """An idempotency key for one Teams message (a retried delivery records nothing twice)."""
    return "teams:" + hashlib.sha256(f"{conversation_id}\n{activity_id}".encode()).hexdigest()[:40]


def speaker_of(object_id: str, name: str | None) -> PersonInput:
    oid = object_id.lower()
    return PersonInput(OwnerRef("teams", oid), Profile(display_name=name or None, teams_object_id=oid))
