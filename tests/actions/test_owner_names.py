"""Owners written as minutes name them ("Jo to ...", "Dr Khan to ...", "Bloggs to ..."): the one known person
that name means is used and said, a name several people share is refused with the choices ("Which Jo?"),
and nothing is ever recorded against the wrong person of two."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.actions.directory import update_person
from bot.actions.messages import render_text
from bot.actions.names import may_mean, name_matches, words
from bot.actions.people import PersonInput
from bot.actions.service import ConversationRef
from bot.app import Core
from bot.capture.owners import OwnerRef
from storage.models import Action, Person
from tests.chasing.hourly import CHAIR

ROOM = ConversationRef("console", "room-1")


@pytest.fixture
def known(core: Core) -> Core:
    now = core.service.clock()
    for name, email, agency in (
        ("Jo Bloggs", "jo.bloggs@police.example", "Police"),
        ("Jo Smith", "jo.smith@nhs.example", "Health"),
        ("Dr A. Khan", "a.khan@gp.example", "GP"),
        ("Sam O'Neil", "sam@school.example", "School"),
    ):
        update_person(core.db, PersonInput(OwnerRef("name", name)), email=email, agency=agency, now=now)
    return core


def _actions(core: Core) -> int:
    with core.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Action)) or 0)


@pytest.mark.parametrize(
    ("written", "known", "matches"),
    [
        ("Jo", "Jo Bloggs", True),
        ("Bloggs", "Jo Bloggs", True),
        ("jo bloggs", "Jo Bloggs", True),
        ("Jo B", "Jo Bloggs", True),
        ("J Bloggs", "Jo Bloggs", True),
        ("Dr Khan", "Dr A. Khan", True),
        ("A Khan", "Dr A. Khan", True),
        ("DC Smith", "Jo Smith", True),
        ("Sam O\u2019Neil", "Sam O'Neil", True),
        ("Bloggs Jo", "Jo Bloggs", False),  # order counts
        ("Joanne", "Jo Bloggs", False),  # no nicknames or prefixes: a word is a whole word
        ("Jo Smith", "Jo Bloggs", False),
        ("J", "Jo Bloggs", False),  # initials alone are nobody
        ("Dr", "Dr A. Khan", False),  # a title alone too
        ("Lukasz Kowalski", "\u0141ukasz Kowalski", True),  # typed without the accents
        ("Zoe Lefevre", "Zo\u00eb Lef\u00e8vre", True),
        ("Siobhan O Suilleabhain", "Siobh\u00e1n \u00d3 S\u00failleabh\u00e1in", True),
    ],
)
def test_which_written_names_match_a_known_name(written: str, known: str, matches: bool) -> None:
    assert name_matches(words(written), words(known)) is matches


@pytest.mark.parametrize(
    ("written", "known", "matches"),
    [
        ("JB", "Jo Bloggs", True),
        ("J.B.", "Jo Bloggs", True),
        ("J. B.", "Jo Bloggs", True),
        ("JB (SW)", "Jo Bloggs", True),  # the role in brackets aside
        ("AK", "Dr A. Khan", True),  # the title aside
        ("DC JS", "Jo Smith", True),
        ("SO", "Sam O'Neil", True),
        ("JAB", "Jo Anne Bloggs", True),  # every word's initial
        ("JB", "Jo Anne Bloggs", True),  # or the first and last
        ("MS", "Maria de Souza", True),
        ("JA", "Jo Anne Bloggs", False),
        ("BJ", "Jo Bloggs", False),  # order counts
        ("JB", "Jo", False),  # one word has no initials to match
        ("Jo", "Jo Bloggs", True),  # a word, not initials: matched by words
        ("JO", "John O'Neil", True),  # capitals: initials
        ("LEE", "Lucy Emma Evans", True),  # initials, or
        ("LEE", "Jo Lee", True),  # a surname in capitals: both, so that two such people are asked about
    ],
)
def test_which_initials_match_a_known_name(written: str, known: str, matches: bool) -> None:
    assert may_mean(written, known) is matches


def test_initials_nobody_has_are_refused_and_nothing_is_recorded(known: Core) -> None:
    out = known.commands.run("action", "XY to ring the school by Friday", CHAIR, ROOM)
    assert out.action is None and out.private is not None
    shown = render_text(out.private)
    assert "Who is \u201cXY\u201d? Nobody actionbot knows has those initials. Nothing was recorded" in shown
    assert _actions(known) == 0
    with known.db.reading() as session:  # no person called "XY" made up from the initials
        assert session.scalar(select(func.count()).select_from(Person).where(Person.display_name == "XY")) == 0


def test_initials_two_people_share_are_refused_with_the_choices(known: Core) -> None:
    update_person(
        known.db, PersonInput(OwnerRef("name", "Jan Brown")), email="jan@x.example", now=known.service.clock()
    )
    out = known.commands.run("action", "JB to share the CAD log by Friday", CHAIR, ROOM)
    assert out.action is None and out.private is not None
    shown = render_text(out.private)
    assert "Which JB?" in shown and "Jo Bloggs (Police)" in shown and "Jan Brown" in shown
    assert _actions(known) == 0


def test_a_name_two_people_share_is_refused_with_each_choice_as_a_command(known: Core) -> None:
    out = known.commands.run("action", "Jo to share the CAD log #CR-1042 by Friday", CHAIR, ROOM)
    assert out.public is None and out.private is not None
    shown = render_text(out.private)
    assert "Which Jo?" in shown and "nothing was recorded" in shown
    assert '/action "Jo Bloggs" to share the CAD log #CR-1042 by Friday' in shown
    assert '/action "Jo Smith" to share the CAD log #CR-1042 by Friday' in shown
    assert "Jo Bloggs (Police)" in shown and "Jo Smith (Health)" in shown
    assert _actions(known) == 0
    quoted = known.commands.run("action", "\u201cJo\u201d Share the chronology by Friday", CHAIR, ROOM)
    assert quoted.private is not None
    assert '/action "Jo Smith" Share the chronology by Friday' in render_text(quoted.private)
    # the choice, sent again as offered, is recorded for that person and nobody else
    chosen = known.commands.run("action", '"Jo Smith" to share the CAD log #CR-1042 by Friday', CHAIR, ROOM)
    assert chosen.action is not None and chosen.action.owner.name == "Jo Smith"
    assert chosen.action.owner.email == "jo.smith@nhs.example" and chosen.action.task == "Share the CAD log"


@pytest.mark.parametrize(
    ("typed", "owner"),
    [
        ("Bloggs to share the CAD log by Friday", "Jo Bloggs"),
        ("ACTION: Dr Khan to send the report by Friday", "Dr A. Khan"),
        ("2. Khan to send the report by Friday", "Dr A. Khan"),
        ('"Smith" Share the chronology by Friday', "Jo Smith"),
        ("Khan (GP) to send the discharge summary by Friday", "Dr A. Khan"),
        # initials, as minutes name people
        ("JB to share the CAD log by Friday", "Jo Bloggs"),
        ("ACTION: AK to send the report by Friday", "Dr A. Khan"),
        ("SW (JS) to visit the family by Friday", "Jo Smith"),
        ("J.B. - SW - to visit the family by Friday", "Jo Bloggs"),
        # surname first in capitals, as police write names: it was a new person "BLOGGS Jo", reachable by nobody
        ("BLOGGS Jo to share the CAD log by Friday", "Jo Bloggs"),
        ("DC SMITH Jo to share the CAD log by Friday", "Jo Smith"),
    ],
)
def test_a_name_one_known_person_has_is_theirs_and_the_chair_is_told(known: Core, typed: str, owner: str) -> None:
    out = known.commands.run("action", typed, CHAIR, ROOM)
    assert out.action is not None and out.action.owner.name == owner
    assert out.private is not None
    note = next(n for n in out.private.notes if "the only match" in n)
    assert owner in note and f"/reassign {out.action.ref}" in note
    with known.db.reading() as session:  # no second person row for the short name
        assert session.scalar(select(func.count()).select_from(Person).where(Person.display_name == owner)) == 1


@pytest.mark.parametrize(
    ("typed", "owner"),
    [
        ("Jo Bloggs to share the CAD log by Friday", "Jo Bloggs"),
        ("A Khan to send the report by Friday", "Dr A. Khan"),  # only the title differs
        ("Dr A. Khan (GP) to send the report by Friday", "Dr A. Khan"),  # and the role in brackets
        ("Sam O\u2019Neil to speak to the class teacher by Friday", "Sam O'Neil"),
    ],
)
def test_a_name_written_in_full_is_not_remarked_on(known: Core, typed: str, owner: str) -> None:
    out = known.commands.run("action", typed, CHAIR, ROOM)
    assert out.action is not None and out.action.owner.name == owner
    assert out.private is None or not any("the only match" in n for n in out.private.notes)


def test_a_name_nobody_has_is_a_new_person_flagged_unreachable(known: Core) -> None:
    out = known.commands.run("action", "Mrs Patel (school DSL) to call mum by Friday", CHAIR, ROOM)
    assert out.action is not None and out.action.owner.name == "Mrs Patel (school DSL)"
    assert out.private is not None and any("Mrs Patel (school DSL) cannot be reached" in n for n in out.private.notes)
    assert any('actionbot people set "Mrs Patel (school DSL)" --email ADDRESS' in n for n in out.private.notes)


@pytest.mark.parametrize(
    "typed",
    [
        "Mrs Patel (patel@school.example) to call mum by Friday",
        "Mrs Patel <patel@school.example> to call mum by Friday",
        "Mrs Patel &lt;<mailto:patel@school.example|patel@school.example>&gt; to call mum by Friday",  # Slack's
    ],
)
def test_a_name_with_its_address_is_a_partner_reached_at_it(known: Core, typed: str) -> None:
    """The address was kept as the name's role ("Mrs Patel (patel@school.example)"), so nobody could be reached
    and the address sat in the owner's name; now the person is the address, named as written."""
    out = known.commands.run("action", typed, CHAIR, ROOM)
    assert out.action is not None and out.action.owner.name == "Mrs Patel"
    with known.db.reading() as session:
        person = session.scalars(select(Person).where(Person.display_name == "Mrs Patel")).one()
        assert person.email == "patel@school.example"


def test_people_no_longer_active_are_not_matched(known: Core) -> None:
    update_person(known.db, PersonInput(OwnerRef("name", "Jo Smith")), active=False, now=known.service.clock())
    out = known.commands.run("action", "Jo to share the CAD log by Friday", CHAIR, ROOM)
    assert out.action is not None and out.action.owner.name == "Jo Bloggs"


def test_reassigning_to_a_bare_name_resolves_it_the_same_way(known: Core) -> None:
    first = known.commands.run("action", '"Jo Bloggs" to share the CAD log by Friday', CHAIR, ROOM)
    assert first.action is not None
    refused = known.commands.run("reassign", f"{first.action.ref} Jo because leave", CHAIR, ROOM)
    assert refused.private is not None and "Which Jo?" in render_text(refused.private)
    moved = known.commands.run("reassign", f"{first.action.ref} Smith because Jo Bloggs is on leave", CHAIR, ROOM)
    assert moved.action is not None and moved.action.owner.name == "Jo Smith"
    history = known.commands.run("history", first.action.ref, CHAIR, ROOM)
    assert history.private is not None and "reassigned from Jo Bloggs to Jo Smith" in render_text(history.private)


@pytest.mark.parametrize(
    ("pasted", "first", "flag", "refused"),
    [
        (
            "1. Jo to share the CAD log by Friday\n2. Bloggs to visit by Monday",
            "1. Jo: Share the CAD log",
            "Which Jo? Jo Bloggs (Police); Jo Smith (Health)",
            "Line 1 was not recorded: Which Jo?",
        ),
        (
            "1. XY to ring the school by Friday\n2. JB to visit by Monday",
            "1. XY: Ring the school",
            "Nobody actionbot knows has the initials XY",
            "Line 1 was not recorded: Who is \u201cXY\u201d?",
        ),
    ],
)
def test_a_pasted_list_flags_a_name_it_cannot_match_before_anything_is_recorded(
    known: Core, pasted: str, first: str, flag: str, refused: str
) -> None:
    """A name several people share, or initials nobody has: the preview says so, and confirm leaves it out."""
    held = known.commands.run("action", pasted, CHAIR, ROOM)
    assert held.private is not None
    shown = render_text(held.private)
    assert first in shown and flag in shown
    assert "2. Jo Bloggs (Police): Visit" in shown
    done = known.commands.run("action", "confirm B-1", CHAIR, ROOM)
    assert [a.owner.name for a in done.recorded] == ["Jo Bloggs"]
    assert done.public is not None and any(refused in n for n in done.public.notes)
    # how each recorded owner is reached is the chair's to know, as for one typed action (no email is set up here)
    assert done.private is not None and done.private.title == "Please check B-1"
    assert any(n.startswith("A-1: Jo Bloggs cannot be reached") for n in done.private.notes)


def test_a_name_typed_without_its_accents_is_the_known_person(known: Core) -> None:
    """ "Lukasz Kowalski to ..." (or "Zoe Lefevre", whose accent is in the word the database is asked for) made a
    new person beside the known "Łukasz Kowalski", reachable by nobody; a name with them, beside a known one
    without (as an email client may write it), is that person too."""
    now = known.service.clock()
    for name, email in (("\u0141ukasz Kowalski", "lk@x.example"), ("Zo\u00eb Lef\u00e8vre", "zl@x.example")):
        update_person(known.db, PersonInput(OwnerRef("name", name)), email=email, now=now)
    for typed, owner in (
        ("Lukasz Kowalski to share the CAD log by Friday", "\u0141ukasz Kowalski"),
        ("Zoe Lefevre to share the CAD log by Friday", "Zo\u00eb Lef\u00e8vre"),
        ("Lefevre to share the CAD log by Friday", "Zo\u00eb Lef\u00e8vre"),
        ("Jo Bl\u00f6ggs to share the CAD log by Friday", "Jo Bloggs"),
    ):
        out = known.commands.run("action", typed, CHAIR, ROOM)
        assert out.action is not None and out.action.owner.name == owner, typed
    with known.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Person).where(Person.display_name.like("%owalski"))) == 1
        assert session.scalar(select(func.count()).select_from(Person).where(Person.display_name.like("Zo%"))) == 1


@pytest.mark.parametrize(
    ("written", "known", "means"),
    [
        ("BLOGGS Jo", "Jo Bloggs", True),  # a surname in capitals first, then the given name
        ("DC LEE Sam", "Sam Lee", True),
        ("Bloggs Jo", "Jo Bloggs", False),  # not in capitals: order counts
        ("BLOGGS JO", "Jo Bloggs", False),  # all in capitals: as written
        ("JO BLOGGS", "Jo Bloggs", True),
        ("SMITH Jo", "Jo Bloggs", False),
    ],
)
def test_a_surname_first_in_capitals_is_read_as_police_write_it(written: str, known: str, means: bool) -> None:
    assert may_mean(written, known) is means
