"""Answer links in the email an owner on neither platform receives, and what using one records."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from bot.actions.answer_links import LinkRefused
from bot.actions.base import InvalidChange
from bot.actions.messages import render_text
from bot.actions.people import PersonInput
from bot.app import Core, build_core
from bot.capture.owners import OwnerRef
from bot.config import ConfigError, Settings
from storage.db import Database
from storage.models import ActionEvent, AnswerLinkUse, EventContent, Person
from tests.chasing.hourly import CHAIR, record
from tests.conftest import Clock, london
from tests.web.mailbox import PUBLIC, SECRET, MailBox, html_of, link_in, linked_core, text_of

OWNER_EMAIL = "jo.bloggs@police.uk"
TASK = "Send the chronology to the chair"


@pytest.fixture
def mailbox() -> MailBox:
    return MailBox()


@pytest.fixture
def linked(settings: Settings, database: Database, clock: Clock, mailbox: MailBox) -> Core:
    core = linked_core(settings, database, clock)
    core.router.add(mailbox)
    return core


def _emailed(core: Core, mailbox: MailBox) -> tuple[str, str]:
    """Record an action for an email-only owner and sweep: (its reference, the link in their confirmation)."""
    ref = record(core, f"{OWNER_EMAIL} {TASK} by Fri 27 Nov")
    core.chaser.sweep()
    (mail,) = mailbox.to(OWNER_EMAIL)
    return ref, link_in(mail)


def _token(link: str) -> str:
    return link.rsplit("/", 1)[1]


def _events(core: Core, ref: str) -> list[tuple[str, int | None, dict[str, object] | None, str | None]]:
    action_id = int(ref.split("-")[1])
    with core.db.reading() as session:
        rows = session.execute(
            select(ActionEvent.kind, ActionEvent.actor_id, EventContent.details, EventContent.reason)
            .join(EventContent, EventContent.event_id == ActionEvent.id, isouter=True)
            .where(ActionEvent.action_id == action_id)
            .order_by(ActionEvent.seq)
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]


def test_the_owners_email_carries_links_and_not_the_task(linked: Core, mailbox: MailBox) -> None:
    ref, link = _emailed(linked, mailbox)
    (mail,) = mailbox.to(OWNER_EMAIL)
    body, page = text_of(mail), html_of(mail)
    assert link.startswith(f"{PUBLIC}/answer/")
    for choice in ("done", "on-track", "more-time", "blocked"):
        assert f"{link}?choice={choice}" in body and f"{link}?choice={choice}" in page
    assert ref in body and "Fri 27 Nov, 17:00" in body
    assert TASK not in body and TASK not in page and TASK not in str(mail["Subject"])
    assert "Reply to the meeting's chair, not to this address" not in body


def test_the_full_form_keeps_the_task_and_still_links(settings: Settings, database: Database, clock: Clock) -> None:
    core = linked_core(settings, database, clock)
    mailbox = MailBox(minimal=False)
    core.router.add(mailbox)
    _, link = _emailed(core, mailbox)
    (mail,) = mailbox.to(OWNER_EMAIL)
    assert TASK in text_of(mail) and TASK in html_of(mail) and link in text_of(mail)


def test_the_message_id_is_the_nudges_own(linked: Core, mailbox: MailBox) -> None:
    from handlers.email.render import message_id

    _emailed(linked, mailbox)
    (mail,) = mailbox.to(OWNER_EMAIL)
    assert mail["Message-ID"] == message_id("actionbot@council.gov.uk", "nudge-1")
    assert message_id("a@x.uk", "nudge-1") != message_id("a@x.uk", "nudge-2")


def test_more_time_by_link_is_logged_as_the_owner_via_email(linked: Core, mailbox: MailBox, clock: Clock) -> None:
    ref, link = _emailed(linked, mailbox)
    assert linked.links is not None
    opened = linked.links.open(_token(link))
    assert opened.action.ref == ref and opened.person.email == OWNER_EMAIL and opened.action.task == TASK
    view, said = linked.links.answer(
        _token(link), "more-time", day=date(2026, 12, 4), reason="Awaiting the GP's records", note=""
    )
    assert view.deadline == london(2026, 12, 4, 17, 0) and "extended" in said
    kind, actor, details, reason = _events(linked, ref)[-1]
    assert kind == "extended" and actor == opened.person.id and reason == "Awaiting the GP's records"
    assert details is not None and details["via"] == "email link"
    # the same link again: already answered, and nothing more recorded
    with pytest.raises(LinkRefused) as refused:
        linked.links.answer(_token(link), "done", day=None, reason="", note="")
    assert refused.value.kind == "answered" and "Need more time" in str(refused.value)
    assert [e[0] for e in _events(linked, ref)].count("extended") == 1 and _events(linked, ref)[-1][0] == "extended"
    # the chair's /history says who answered, and how
    history = linked.commands.run("history", ref, CHAIR, now=clock())
    assert history.private is not None
    assert "by jo.bloggs@police.uk (via email link): Awaiting the GP's records" in render_text(history.private)


def test_a_link_records_one_answer_however_often_it_is_pressed(linked: Core, mailbox: MailBox) -> None:
    ref, link = _emailed(linked, mailbox)
    assert linked.links is not None
    linked.links.answer(_token(link), "on-track", day=None, reason="", note="Visit booked")
    with pytest.raises(LinkRefused):
        linked.links.answer(_token(link), "on-track", day=None, reason="", note="")
    assert [e[0] for e in _events(linked, ref)].count("acknowledged") == 1
    with linked.db.reading() as session:
        (use,) = session.scalars(select(AnswerLinkUse)).all()
        assert use.choice == "on-track" and len(use.link_id) == 16


def test_a_refused_answer_records_nothing_and_leaves_the_link_usable(linked: Core, mailbox: MailBox) -> None:
    ref, link = _emailed(linked, mailbox)
    assert linked.links is not None
    before = _events(linked, ref)
    with pytest.raises(Exception, match="reason"):
        linked.links.answer(_token(link), "blocked", day=None, reason="  ", note="")
    with pytest.raises(Exception, match="past"):
        linked.links.answer(_token(link), "more-time", day=date(2026, 11, 20), reason="late", note="")
    assert _events(linked, ref) == before
    linked.links.answer(_token(link), "blocked", day=None, reason="No consent from the parent yet", note="")
    assert _events(linked, ref)[-1][0] == "blocked"


@pytest.mark.parametrize("change", ["extend", "reassign", "complete"])
def test_a_link_stops_working_when_the_action_changes(linked: Core, mailbox: MailBox, change: str) -> None:
    ref, link = _emailed(linked, mailbox)
    assert linked.links is not None
    service = linked.service
    if change == "extend":
        service.extend(ref, CHAIR, london(2026, 12, 11, 17), "Chair moved it")
    elif change == "reassign":
        service.reassign(ref, CHAIR, PersonInput(OwnerRef("email", "sam@council.gov.uk")), "Sam takes it")
    else:
        service.complete(ref, CHAIR)
    before = _events(linked, ref)
    with pytest.raises(LinkRefused) as refused:
        linked.links.answer(_token(link), "done", day=None, reason="", note="")
    assert refused.value.kind == "changed"
    assert _events(linked, ref) == before


def test_expired_and_tampered_links_are_refused(linked: Core, mailbox: MailBox, clock: Clock) -> None:
    ref, link = _emailed(linked, mailbox)
    assert linked.links is not None
    token = _token(link)
    payload, _, signature = token.rpartition(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for bad in (
        f"{payload}.{flipped}",
        token[:-5],
        "not-a-token",
        token.replace(token[2], "x" if token[2] != "x" else "y", 1),
    ):
        with pytest.raises(LinkRefused) as refused:
            linked.links.open(bad)
        assert refused.value.kind == "invalid"
    # another deployment's secret: not ours
    other = build_core(
        replace(linked.settings, public_url=PUBLIC), db=linked.db, clock=clock, link_secret="another-secret-" + "y" * 32
    )
    assert other.links is not None
    with pytest.raises(LinkRefused):
        other.links.open(token)
    clock.advance(days=29)
    with pytest.raises(LinkRefused) as refused:
        linked.links.answer(token, "done", day=None, reason="", note="")
    assert refused.value.kind == "expired" and _events(linked, ref)[-1][0] != "completed"


def test_escalations_link_who_may_change_the_action_and_nobody_else(
    linked: Core, mailbox: MailBox, clock: Clock
) -> None:
    """The chair who recorded it answers Done, Need more time or Blocked (On track is the owner's word); the
    owner's manager, told by escalation, gets no links: they cannot change the action."""
    from bot.actions.directory import update_person

    manager = PersonInput(OwnerRef("email", "line.manager@police.uk"))
    update_person(linked.db, CHAIR, email="chair@council.gov.uk", now=clock())
    ref = record(linked, f"{OWNER_EMAIL} {TASK} by Fri 27 Nov")
    owner = PersonInput(OwnerRef("email", OWNER_EMAIL))
    update_person(linked.db, owner, escalation=manager, now=clock(), listeners=[linked.chaser])
    clock.set(london(2026, 12, 3, 9, 0))  # 4 working days overdue: the chair and the manager are told
    linked.chaser.sweep()
    (to_chair,) = [m for m in mailbox.to("chair@council.gov.uk") if "Escalation" in str(m["Subject"])]
    (to_manager,) = mailbox.to("line.manager@police.uk")
    chair_link = link_in(to_chair)
    assert f"{chair_link}?choice=blocked" in text_of(to_chair) and "choice=on-track" not in text_of(to_chair)
    assert "/answer/" not in text_of(to_manager) and ref in text_of(to_manager)
    assert linked.links is not None
    with pytest.raises(InvalidChange, match="Choose one of: Done, Need more time, Blocked"):
        linked.links.answer(_token(chair_link), "on-track", day=None, reason="", note="")
    linked.links.answer(_token(chair_link), "more-time", day=date(2026, 12, 11), reason="Court date moved", note="")
    kind, actor, details, _ = _events(linked, ref)[-1]
    assert kind == "extended" and details is not None and details["via"] == "email link"
    with linked.db.reading() as session:
        assert actor == session.scalar(select(Person.id).where(Person.email == "chair@council.gov.uk"))


def test_a_public_url_needs_a_strong_secret(settings: Settings, database: Database, clock: Clock) -> None:
    for secret in (None, "", "short"):
        with pytest.raises(ConfigError, match="ACTIONBOT_LINK_SECRET"):
            build_core(replace(settings, public_url=PUBLIC), db=database, clock=clock, link_secret=secret)
    assert build_core(settings, db=database, clock=clock, link_secret=None).links is None
    assert linked_core(settings, database, clock).links is not None and len(SECRET) >= 32
