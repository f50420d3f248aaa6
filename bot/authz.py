"""Who may see and change what. Every read and write path asks here; nowhere else decides.

Roles: member (default), chair, dsl (designated safeguarding lead), admin. Roles are set per person by
an admin (``actionbot people set-role``), never inferred from channel membership.

- See an action: its owner, whoever recorded it, its meeting's chair and recorded participants, DSLs and
  admins of the partnership.
- Change an action (complete, extend, reassign, block, cancel, reopen): its owner, whoever recorded it,
  its meeting's chair, DSLs and admins.
- Acknowledge ("On track"): the owner only; it speaks for the owner.
- Drift reports, exports and the audit: DSLs and admins.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select

from storage.models import Action, Meeting, MeetingParticipant, Person

OVERSIGHT_ROLES = ("dsl", "admin")


def has_oversight(person: Person) -> bool:
    return person.active and person.role in OVERSIGHT_ROLES


def _is_participant(person: Person, action: Action) -> bool:
    return action.meeting is not None and any(p.person_id == person.id for p in action.meeting.participants)


def may_see(person: Person, action: Action) -> bool:
    if has_oversight(person):
        return True
    return (
        person.id in (action.owner_id, action.created_by_id)
        or (action.meeting is not None and action.meeting.chair_id == person.id)
        or _is_participant(person, action)
    )


def may_change(person: Person, action: Action) -> bool:
    if has_oversight(person):
        return True
    return person.id in (action.owner_id, action.created_by_id) or (
        action.meeting is not None and action.meeting.chair_id == person.id
    )


def may_acknowledge(person: Person, action: Action) -> bool:
    return person.id == action.owner_id


def may_report(person: Person) -> bool:
    return has_oversight(person)


def visible_to(person: Person) -> ColumnElement[bool]:
    """The SQL form of ``may_see`` for listing queries."""
    if has_oversight(person):
        return Action.id.is_not(None)
    participant = exists(
        select(MeetingParticipant.meeting_id).where(
            MeetingParticipant.meeting_id == Action.meeting_id, MeetingParticipant.person_id == person.id
        )
    )
    chaired = exists(select(Meeting.id).where(Meeting.id == Action.meeting_id, Meeting.chair_id == person.id))
    return or_(Action.owner_id == person.id, Action.created_by_id == person.id, chaired, participant)
