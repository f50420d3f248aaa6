"""Owners on leave: ``/away until 18 Dec cover @sam``, ``/away from 21 Dec until 4 Jan``, ``/away on Friday``,
``/away next week``, ``/away w/c 14 Dec cover Sam Lee``, ``/away off``.

While someone is away, the reminders about their own actions go to the colleague covering for them (who
may then act on those actions as the owner would), or wait for the first working day after their return
when nobody covers. Escalations about their actions are never held back: the chair needs to know the
owner is away, and every escalation, card and drift report says so. Setting and ending leave are written
to the action log with the dates and the cover (docs/data.md: why, and how long they are kept).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.actions import authz
from bot.actions.base import ChangeListener, InvalidChange, NotAllowed
from bot.actions.people import PersonInput, find_person, identify
from bot.actions.records import PersonView
from bot.capture.dates import WorkCalendar, format_day
from bot.capture.grammar import GrammarError, parse_day
from bot.capture.minutes_phrases import week_phrase
from bot.capture.owners import OwnerRef, bare_name, parse_owner, two_owners
from bot.capture.when import Context, Impossible, clean_word
from storage.db import Database
from storage.log import append_event
from storage.models import OPEN_STATUSES, Action, Person

#: Leave is set for at most this far ahead: a typo'd year must not silence someone's reminders for good.
LONGEST = timedelta(days=366)

USAGE = (
    "Use /away until 18 Dec, /away until 18 Dec cover @sam, /away from 21 Dec until 4 Jan, /away on Friday, "
    "/away back 4 Jan (the day you are back), or /away off when you are back early."
)
_OFF = {"off", "back", "ended", "end", "cancel", "none", "clear", "stop"}
_COVER = re.compile(r"\s*[,;]?\s*\b(?:covered\s+by|covering|cover(?:\s+by)?)\s*:?\s+(?P<cover>.+)$", re.IGNORECASE)
_RANGE = re.compile(
    r"^(?:(?:from\s+)?(?P<start>.+?)\s+)?(?P<word>until|till|til|to|through|back\s+on|back|-|\u2013)\s+(?P<end>.+)$",
    re.IGNORECASE,
)

# "14/12-18/12", "14.12 - 18.12.26": two numeric dates joined by a dash (a dash inside one, "14-12", is a date).
_DAY = r"\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?"
_NUMERIC_RANGE = re.compile(rf"^(?:from\s+)?(?P<start>{_DAY})\s*[-\u2013]\s*(?P<end>{_DAY})$", re.IGNORECASE)


@dataclass(frozen=True)
class AwayRequest:
    """``/away`` as typed: whose leave (None: the speaker's), from (None: now), until, and the cover."""

    person: OwnerRef | None
    start: date | None
    until: date | None  # None: leave ended ("off")
    cover: OwnerRef | None


def parse_away(text: str, now: datetime, cal: WorkCalendar) -> AwayRequest:
    """Read what follows ``/away``. Raises GrammarError with the usage for anything it cannot read."""
    rest = " ".join(text.split())
    person: OwnerRef | None = None
    owned = parse_owner(rest) if rest[:1] in ("@", "<", '"', "\u201c") else None
    if owned is not None:
        person, rest = owned[0], owned[1].strip()
    if rest.lower() in _OFF:
        return AwayRequest(person, None, None, None)
    cover: OwnerRef | None = None
    if found := _COVER.search(rest):
        if two_owners(found["cover"]):  # "cover Jo Bloggs and Sam Lee": one person of that name, nobody
            raise GrammarError("Name one colleague as cover: their reminders go to one person.", None)
        covered = parse_owner(found["cover"])
        if covered is None and (named := bare_name(found["cover"])) is not None:  # "cover Sam Lee"
            covered = named, ""
        if covered is None or covered[1].strip():
            raise GrammarError(
                f"I could not read who covers in \u201c{found['cover']}\u201d: write @sam, their email address or "
                "\u201cSam Lee\u201d in quotes.",
                None,
            )
        cover, rest = covered[0], rest[: found.start()].strip()
    if rest.lower().startswith("on "):  # one day: "/away on Friday"
        day = parse_day(rest[3:], now, cal, "day away")
        return AwayRequest(person, day, day, cover)
    span = _RANGE.match(_NUMERIC_RANGE.sub(r"\g<start> to \g<end>", rest))
    if span is None and (week := _week_away(rest, now, cal)) is not None:
        return AwayRequest(person, *week, cover)
    if span is None:
        try:  # a day alone ("/away tomorrow") could be that day only or until then: ask, set nothing
            shown = format_day(parse_day(rest, now, cal, "day"), now)
        except GrammarError:
            raise GrammarError(f"Say until when you are away. {USAGE}", None) from None
        raise GrammarError(
            f"Away on {shown} only, or from now until {shown}? Say \u201c/away on {shown}\u201d or "
            f"\u201c/away until {shown}\u201d.",
            None,
        )
    start = parse_day(span["start"], now, cal, "first day away") if span["start"] else None
    end = parse_day(
        span["end"], now, cal, "day you are back" if span["word"].lower().startswith("back") else "last day"
    )
    if span["word"].lower().startswith("back"):
        end -= timedelta(days=1)
    return AwayRequest(person, start, end, cover)


def _week_away(text: str, now: datetime, cal: WorkCalendar) -> tuple[date, date] | None:
    """``/away next week``, ``/away this week``, ``/away w/c 14 Dec``: that week, Monday to Friday; None when
    the text is not a week."""
    ctx = Context(now, cal)
    words = [clean_word(w) for w in text.split()]
    this_monday = ctx.today - timedelta(days=ctx.today.weekday())
    if words in (["next", "week"], ["this", "week"]):
        monday = this_monday + timedelta(weeks=words[0] == "next")
    else:
        try:
            week = week_phrase(words, ctx)
        except Impossible as exc:
            raise GrammarError(f"{exc}.", None) from None
        if week is None:
            return None
        monday = week.monday
    return monday, monday + timedelta(days=4)


def has_an_address(person: PersonView) -> bool:
    """Whether a person has something actionbot could reach them on: a chat account, or an email address that
    has not failed (where the process's own connections are not known, as in the command line)."""
    return bool((person.email and not person.email_failed) or person.slack_user_id or person.teams_object_id)


def refuse_unreachable_cover(
    cover: PersonInput, known: PersonView | None, reachable: Callable[[PersonView], bool]
) -> None:
    """A cover nobody can reach would take the reminders to no one: refused (``InvalidChange``) before anything
    is set. ``known``: the known person the cover means (None: nobody known); an account or an address typed
    is reached as an owner would be."""
    if known is not None:
        if reachable(known):
            return
        name = known.name
    elif cover.ref.kind != "name" or cover.profile is not None:
        return
    else:
        name = cover.ref.value
    raise InvalidChange(
        f"{name} cannot be reached by actionbot (no chat account or email address it can use), so the "
        "reminders would reach nobody: name a colleague it can reach as cover, or leave the cover out. "
        "Nothing was changed."
    )


def _check(person: Person, actor: Person | None) -> None:
    """Leave is set by the person themselves, a DSL or an admin (the CLI's operator is an admin)."""
    if actor is not None and actor.id != person.id and not authz.has_oversight(actor):
        raise NotAllowed("Only a DSL or an admin can set someone else's leave. Nothing was changed.")


def set_away(
    db: Database,
    who: PersonInput,
    request: AwayRequest,
    *,
    actor: PersonInput | None,
    cover: PersonInput | None,
    now: datetime,
    today: date,
    listeners: Sequence[ChangeListener] = (),
) -> PersonView:
    """Set (``request.until``) or end (None) someone's leave, logged (``away_set`` / ``away_ended``), and
    re-plan their open actions' reminders in the same transaction (a reminder held for their return
    comes back when they return early)."""
    with db.transaction() as session:
        person = identify(session, who, now)
        acting = identify(session, actor, now) if actor is not None else None
        _check(person, acting)
        _apply(session, person, request, acting, cover, now, today, listeners)
        return PersonView.of(person)


def _apply(
    session: Session,
    person: Person,
    request: AwayRequest,
    acting: Person | None,
    cover: PersonInput | None,
    now: datetime,
    today: date,
    listeners: Sequence[ChangeListener],
    source: str | None = None,
) -> None:
    """Write the leave (or its end) on the person, log it, and re-plan their reminders."""
    details: dict[str, object] = {"person_id": person.id}
    if request.until is None:
        if person.away_until is None:
            raise InvalidChange(f"{person.display_name} is not marked as away.")
        person.away_from = person.away_until = person.cover_id = person.away_source = None
        kind = "away_ended"
    else:
        start = request.start if request.start is not None and request.start > today else None
        if start is not None and start > request.until:
            raise InvalidChange("The first day away is after the last one.")
        if request.until - today > LONGEST:
            raise InvalidChange("Leave can be set up to a year ahead; check the year.")
        helper = None
        if cover is not None:
            helper = find_person(session, cover.ref) or identify(session, cover, now, by_name=True)
            if helper.id == person.id:
                raise InvalidChange("Name someone else as cover (or leave the cover out).")
            if not helper.active:
                raise InvalidChange(f"{helper.display_name} is no longer active; name someone else as cover.")
        person.away_from, person.away_until = start, request.until
        person.cover_id = helper.id if helper is not None else None
        person.away_source = source
        details |= {
            "from": start.isoformat() if start else None,
            "until": request.until.isoformat(),
            "cover_id": person.cover_id,
        }
        kind = "away_set"
    if source is not None:
        details["source"] = source
    append_event(session, kind=kind, at=now, actor_id=acting.id if acting else None, details=details)
    session.flush()
    for listener in listeners:
        listener.people_changed(session, [person.id], now)
    session.refresh(person)


def people_with_open_actions(db: Database, platform_column: str) -> list[tuple[int, str]]:
    """Active people who own open actions and have an id on a platform (``teams_object_id``): whose
    leave is worth reading from that platform."""
    column = getattr(Person, platform_column)
    with db.reading() as session:
        rows = session.execute(
            select(Person.id, column)
            .where(
                Person.active.is_(True),
                column.is_not(None),
                Person.id.in_(select(Action.owner_id).where(Action.status.in_(OPEN_STATUSES))),
            )
            .order_by(Person.id)
        )
        return [(person_id, str(platform_id)) for person_id, platform_id in rows]


def apply_calendar_leave(
    db: Database,
    person_id: int,
    leave: tuple[date | None, date] | None,
    *,
    source: str,
    now: datetime,
    today: date,
    listeners: Sequence[ChangeListener] = (),
) -> str:
    """Leave read from a calendar (``source``: "outlook"): (first day or None, last day), or None for none.
    Leave a person set themselves always wins. Returns what happened: "set", "ended" or "unchanged"."""
    with db.transaction() as session:
        person = session.get_one(Person, person_id)
        own = person.away_until is not None and person.away_until >= today and person.away_source is None
        if own:
            return "unchanged"
        if leave is None or leave[1] < today:
            if person.away_source != source or person.away_until is None:
                return "unchanged"
            _apply(session, person, AwayRequest(None, None, None, None), None, None, now, today, listeners, source)
            return "ended"
        start = leave[0] if leave[0] is not None and leave[0] > today else None
        if (person.away_from, person.away_until, person.away_source) == (start, leave[1], source):
            return "unchanged"
        request = AwayRequest(None, start, min(leave[1], today + LONGEST), None)
        _apply(session, person, request, None, None, now, today, listeners, source)
        return "set"
