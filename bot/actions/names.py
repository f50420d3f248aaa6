"""An owner written as a bare name ("Jo", "DC Smith", "Dr A. Khan") matched against the people actionbot knows.

Minutes name people the way the room knows them: a first name, a surname with a title, initials. A name
that is exactly one known person's is theirs. Otherwise a known person matches when every word written
(titles aside) is one of their name's words, in order, or the initial of one ("Jo" and "Bloggs" are
Jo Bloggs; "A Khan" and "Dr Khan" are Dr A. Khan), with at least one whole word among them; a name written
as initials ("JB") matches the people whose names' initials they are. One match is
used; several are refused with the choices ("Which Jo?"), so that an action is never recorded against the
wrong person of two; none is a new person of that name, except initials, which are refused (an action for
"XY" would name nobody in the log).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.actions.errors import ServiceError
from bot.capture.owners import TITLES
from storage.models import Agency, Person

if TYPE_CHECKING:  # bot.actions.people imports this module
    from bot.actions.people import Profile

#: The role minutes add after a name: "Mrs Patel (school DSL)".
_ROLE = re.compile(r"\s*\([^()]*\)\s*$")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")
#: A name written as initials: two or three capitals ("JB", "J.B.", "J. A. B."), as minutes name people.
_INITIALS = re.compile(r"(?:[A-Z]\.?\s?){2,3}")
#: At most this many choices are offered; a name matching more is too vague to choose from.
MAX_CHOICES = 5


def _keys(*ids: str | None) -> frozenset[str]:
    return frozenset(i.lower() for i in ids if i)


@dataclass(frozen=True)
class Candidate:
    """A person a written name may mean: known to actionbot (``id``), or found in a platform's directory
    (``profile``, with no id yet)."""

    id: int | None
    name: str
    agency: str | None
    profile: Profile | None = None
    #: Their email address and platform ids, lower case: the same person found twice is one choice.
    keys: frozenset[str] = frozenset()

    @classmethod
    def found(cls, profile: Profile) -> Candidate:
        """Someone a platform's directory found; their address tells two people of one name apart."""
        ids = (profile.email, profile.slack_user_id, profile.teams_object_id)
        return cls(None, profile.display_name or "", profile.agency or profile.email, profile, _keys(*ids))

    def describe(self) -> str:
        return f"{self.name} ({self.agency})" if self.agency else self.name


def describe_choices(candidates: Sequence[Candidate]) -> str:
    """``Jo Bloggs (Police); Jo Smith (Health)``: the first ``MAX_CHOICES``, and how many more."""
    more = len(candidates) - MAX_CHOICES
    return "; ".join(c.describe() for c in candidates[:MAX_CHOICES]) + (f"; and {more} more" if more > 0 else "")


class AmbiguousOwner(ServiceError):
    """A written name that is several known people's: nothing is recorded until the chair says which."""

    def __init__(self, written: str, candidates: Sequence[Candidate]) -> None:
        self.written = written
        self.candidates = tuple(candidates)
        choices = describe_choices(self.candidates)
        super().__init__(
            f"Which {written}? actionbot knows {len(self.candidates)} people of that name: {choices}. Nothing "
            f"was recorded: write the full name in quotes (\u201cJo Bloggs\u201d) or their email address."
        )


class UnknownInitials(ServiceError):
    """Initials (``JB``) that are nobody's actionbot knows or a directory finds: an action for "JB" could be
    chased to nobody and would name nobody in the log, so nothing is recorded."""

    def __init__(self, written: str) -> None:
        self.written = written
        super().__init__(
            f"Who is \u201c{written}\u201d? Nobody actionbot knows has those initials. Nothing was recorded: write "
            f"their name (\u201cJo Bloggs to ...\u201d), @mention them or give their email address."
        )


# Letters NFKD does not take apart into a plain letter and its accent.
_PLAIN = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"})


def fold(text: str) -> str:
    """Lower case without accents, as a chair may type a name: "Łukasz Ó Súilleabháin" -> "lukasz o
    suilleabhain" ("Lukasz Kowalski" was a new person beside the known "Łukasz Kowalski", reachable by nobody)."""
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_PLAIN)
    return "".join(c for c in text if not unicodedata.combining(c))


def words(name: str) -> list[str]:
    """The words of a name, folded, without titles or a role in brackets: "Dr A. Khan (GP)" -> ["a", "khan"]."""
    name = _ROLE.sub("", name)
    return [w for w in (fold(m.group(0)).replace("\u2019", "'") for m in _WORD.finditer(name)) if w not in TITLES]


def _same(written: str, known: str) -> bool:
    if len(written) == 1 or len(known) == 1:  # an initial stands for any word it starts
        return written[0] == known[0]
    return written == known


def name_matches(written: Sequence[str], known: Sequence[str]) -> bool:
    """Whether every written word is one of the known name's words (or an initial of one), in order, with at
    least one whole word among them."""
    if not written or all(len(w) == 1 for w in written):
        return False
    position = 0
    for word in written:
        while position < len(known) and not _same(word, known[position]):
            position += 1
        if position == len(known):
            return False
        position += 1
    return True


def initials(written: str) -> str | None:
    """The letters of a name written as initials, folded: ``JB``, ``J.B.``, ``DC JS``, ``JB (SW)`` -> ``jb``;
    None for a name written in words."""
    parts = _ROLE.sub("", written).split()
    while len(parts) > 1 and parts[0].casefold().strip(".") in TITLES:  # "DC JS"; "MS" alone is initials
        parts = parts[1:]
    bare = " ".join(parts)
    return re.sub(r"[.\s]", "", bare).casefold() if _INITIALS.fullmatch(bare) else None


def has_initials(letters: str, known: Sequence[str]) -> bool:
    """Whether initials are a known name's (its words, titles aside): the first letters of every word (``JAB``
    for Jo Anne Bloggs), or of its first and last (``JB``; ``MS`` for Maria de Souza)."""
    firsts = "".join(word[0] for word in known)
    return len(known) > 1 and letters in {firsts, firsts[0] + firsts[-1]}


def may_mean(written: str, known: str) -> bool:
    """Whether a written name may mean a person of a known name: by its words (``name_matches``), or, written
    as initials, by theirs (``JB`` for Jo Bloggs). Both are asked: ``LEE`` may be a surname in capitals or
    initials, and a name that may mean two people is refused with both."""
    letters = initials(written)
    known_words = words(known)
    wanted = words(written)
    if _surname_first(written):  # "BLOGGS Jo", as police write names: Jo Bloggs (it was a new person beside her)
        wanted = [*wanted[1:], wanted[0]]
    return bool(letters and has_initials(letters, known_words)) or name_matches(wanted, known_words)


def _surname_first(written: str) -> bool:
    """Whether a name is written surname first in capitals, then the given name: ``BLOGGS Jo``, ``DC SMITH Sam``."""
    parts = [p for p in _ROLE.sub("", written).split() if p.casefold().strip(".") not in TITLES]
    return (
        len(parts) > 1
        and sum(c.isalpha() for c in parts[0]) > 1  # not an initial: "A. Khan"
        and parts[0].isupper()
        and not all(p.isupper() for p in parts[1:])
    )


def known_by_name(session: Session, written: str) -> list[Candidate]:
    """The active people a written name may mean: those whose whole name it is, else those it matches (by its
    words, or as their initials)."""
    wanted = words(written)
    letters = initials(written)
    if not wanted and not letters:
        return []
    folded = " ".join(fold(written).split())
    # First only those whose name holds the longest word as written; then, as for initials (no word to look
    # for) or when none of those is meant, every active person (a partnership's few thousand): the database
    # cannot fold accents, so "Lefevre" is not found in "Lefèvre" by its query.
    for word in ([] if letters else [max(wanted, key=len)]) + [None]:
        people = _candidates(session, word)
        exact = [c for c in people if " ".join(fold(c.name).split()) == folded]
        if found := exact or [c for c in people if may_mean(written, c.name)]:
            return found
    return []


def _candidates(session: Session, word: str | None) -> list[Candidate]:
    """The active people whose name holds ``word`` (lower case, as written), or all of them."""
    query = (
        select(Person.id, Person.display_name, Agency.name, Person.email, Person.slack_user_id, Person.teams_object_id)
        .outerjoin(Agency, Agency.id == Person.agency_id)
        .where(Person.active.is_(True))
        .order_by(Person.display_name, Person.id)
    )
    if word is not None:
        query = query.where(func.lower(Person.display_name).contains(word, autoescape=True))
    return [Candidate(r[0], r[1], r[2], keys=_keys(r[3], r[4], r[5])) for r in session.execute(query)]


def person_named(session: Session, written: str) -> Person | None:
    """The one known person a written name means; None when it is nobody's. Several: AmbiguousOwner."""
    candidates = known_by_name(session, written)
    if len(candidates) > 1:
        raise AmbiguousOwner(written, candidates)
    return session.get(Person, candidates[0].id) if candidates and candidates[0].id is not None else None
