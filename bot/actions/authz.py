"""Who may see and change what. Every read and write path asks here; nowhere else decides.

Roles: member (default), chair, dsl (designated safeguarding lead), admin. Roles are set per person by
an admin (``actionbot people set-role``), never inferred from channel membership.

- Chair a meeting (``/meeting start``): people with the ``chair``, ``dsl`` or ``admin`` role only. Typing the
  command first gives no rights: chairing is a trust the partnership grants. A DSL or admin may take over
  a running meeting (``/meeting takeover REASON``), which is logged with the reason.
- See an action: its owner, whoever recorded it, its meeting's chair and recorded participants, DSLs and
  admins of the partnership.
- Change an action (complete, extend, reassign, block, cancel, reopen): its owner, whoever recorded it,
  DSLs and admins. Chairing the meeting an action was recorded in gives no rights over an action another
  person recorded.
- Review an action (the check of the owner's work at its review date): whoever recorded it, DSLs and
  admins; never its owner.
- Acknowledge ("On track"): the owner only; it speaks for the owner.
- Cover: while an owner is away (``/away ... cover @sam``), the colleague covering for them may see and
  change their actions, and say they are on track, as the owner would.
- Drift reports, exports and the audit: DSLs and admins.
- The operator (whoever runs the CLI with the database's credentials, without ``--as``) has an admin's
  view; what they export is itself recorded in the action log.
- Shown in public: an action is shown in a conversation (a card for the room) only in the conversation
  where it was recorded. Anywhere else the bot answers privately, so an action of a private meeting
  never appears in a public channel.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, exists, or_, select

from storage.models import Action, Meeting, MeetingParticipant, Person

OVERSIGHT_ROLES = ("dsl", "admin")
CHAIR_ROLES = ("chair", *OVERSIGHT_ROLES)


class Operator:
    """The CLI run without ``--as``: it holds the database credentials, so it sees what an admin sees."""

    id = None
    role = "admin"
    active = True


OPERATOR = Operator()
Principal = Person | Operator


def has_oversight(person: Principal) -> bool:
    return person.active and person.role in OVERSIGHT_ROLES


def _is_participant(person: Person, action: Action) -> bool:
    return action.meeting is not None and any(p.person_id == person.id for p in action.meeting.participants)


def covers(person: Person, action: Action, today: date | None) -> bool:
    """Whether this person covers for the action's owner, who is away today."""
    owner = action.owner
    return (
        today is not None
        and owner.cover_id == person.id
        and owner.away_until is not None
        and (owner.away_from or today) <= today <= owner.away_until
    )


def may_see(person: Person, action: Action, today: date | None = None) -> bool:
    if has_oversight(person):
        return True
    return (
        person.id in (action.owner_id, action.created_by_id)
        or covers(person, action, today)
        or (action.meeting is not None and action.meeting.chair_id == person.id)
        or _is_participant(person, action)
    )


def may_chair(person: Principal) -> bool:
    """Whether this person may start (chair) a meeting."""
    return person.active and person.role in CHAIR_ROLES


def may_take_over(person: Principal) -> bool:
    """Whether this person may make themselves the chair of a meeting someone else started."""
    return has_oversight(person)


def may_change(person: Person, action: Action, today: date | None = None) -> bool:
    if has_oversight(person):
        return True
    return person.id in (action.owner_id, action.created_by_id) or covers(person, action, today)


def may_review(person: Person, action: Action, today: date | None = None) -> bool:
    if person.id == action.owner_id:
        return False
    return has_oversight(person) or person.id == action.created_by_id


def may_acknowledge(person: Person, action: Action, today: date | None = None) -> bool:
    return person.id == action.owner_id or covers(person, action, today)


def may_report(person: Principal) -> bool:
    return has_oversight(person)


def may_show_in(origin: str | None, platform: str | None, conversation_id: str | None) -> bool:
    """Whether a card about an action may be shown to everyone in a conversation."""
    return origin is not None and platform is not None and origin == f"{platform}:{conversation_id}"


def covered_by(person: Person, today: date) -> ColumnElement[bool]:
    """The SQL form of ``covers``: the action's owner is away today and this person covers for them."""
    return exists(
        select(Person.id)
        .where(
            Person.id == Action.owner_id,
            Person.cover_id == person.id,
            Person.away_until >= today,
            or_(Person.away_from.is_(None), Person.away_from <= today),
        )
        .correlate(Action)
    )


def visible_to(person: Principal, today: date | None = None) -> ColumnElement[bool]:
    """The SQL form of ``may_see`` for listing queries."""
    if has_oversight(person) or isinstance(person, Operator):
        return Action.id.is_not(None)
    # Correlated on the action only, so the condition also works in queries that join meetings themselves.
    participant = exists(
        select(MeetingParticipant.meeting_id)
        .where(MeetingParticipant.meeting_id == Action.meeting_id, MeetingParticipant.person_id == person.id)
        .correlate(Action)
    )
    chaired = exists(
        select(Meeting.id).where(Meeting.id == Action.meeting_id, Meeting.chair_id == person.id).correlate(Action)
    )
    seen = or_(Action.owner_id == person.id, Action.created_by_id == person.id, chaired, participant)
    return seen if today is None else or_(seen, covered_by(person, today))
