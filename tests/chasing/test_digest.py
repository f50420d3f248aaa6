"""Digests: one morning message with all of a person's reminders, each with its buttons; every row is still
its own nudge in the outbox and the log, sent exactly once. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from bot.actions.messages import DONE, digest_message, nudge_message, render_text
from bot.app import Core, build_core
from bot.config import Settings
from handlers.email.render import render_html
from storage.db import Database
from storage.models import ActionEvent, Nudge
from tests.chasing.hourly import CHAIR, LONDON, OWNER, record, run_hourly
from tests.conftest import Clock, london
from tests.support import RecordingMessenger


def digest(core: Core, choice: str) -> str:
    outcome = core.commands.run("digest", choice, OWNER)
    assert outcome.private is not None
    return outcome.private.title


def three_due_on_wednesday(core: Core) -> list[str]:
    return [
        record(core, f"@jo {task} by Wed 25 Nov")
        for task in ("Send the chronology", "Book the interpreter", "Call the school")
    ]


def test_three_reminders_in_one_morning_message_each_row_sent_once(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    assert digest(core, "on").startswith("From now on: one morning message")
    refs = three_due_on_wednesday(core)
    sent = run_hourly(core, clock, london(2026, 11, 25, 12), messenger)
    assert [(when, title) for when, to, title in sent if to == "@jo"] == [
        *[("Mon 23 Nov 10:00", f"Your action {ref}, agreed Mon 23 Nov") for ref in refs],  # confirmations: at once
        ("Tue 24 Nov 09:00", "3 actions need your attention today"),
        ("Wed 25 Nov 09:00", "3 actions need your attention today"),
    ]
    morning = next(s.message for s in messenger.sent if s.title.endswith("need your attention today") and s.message)
    assert [p.title for p in morning.parts] == [f"Reminder: {ref} is due Wed 25 Nov, 17:00" for ref in refs]
    assert all(
        (DONE, ref) in [(b.action_id, b.value) for b in part.buttons]
        for part, ref in zip(morning.parts, refs, strict=True)
    )
    with core.db.reading() as session:
        rows = list(session.scalars(select(Nudge).where(Nudge.step == "due_soon")))
        events = [e.details for e in session.scalars(select(ActionEvent).where(ActionEvent.kind == "nudged"))]
    assert [r.status for r in rows] == ["sent"] * 3 and len({r.delivery_ref for r in rows}) == 1
    assert sum(1 for d in events if d.get("step") == "due_soon" and d.get("digest")) == 3
    assert core.chaser.sweep().sent == 0  # nothing twice


def test_without_a_digest_each_reminder_is_its_own_message(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    three_due_on_wednesday(core)
    sent = run_hourly(core, clock, london(2026, 11, 24, 12), messenger)
    assert [title[:9] for when, _, title in sent if when == "Tue 24 Nov 09:00"] == ["Reminder:"] * 3


def test_the_partnership_default_and_a_personal_opt_out(settings: Settings, database: Database, clock: Clock) -> None:
    core = build_core(replace(settings, chase=replace(settings.chase, digest=True)), db=database, clock=clock)
    messenger = RecordingMessenger(clock=clock)
    core.router.add(messenger)
    three_due_on_wednesday(core)
    record(core, "@sam Send the minutes by Wed 25 Nov")
    record(core, "@sam Chase the GP by Wed 25 Nov")
    assert "(the partnership's default)" in digest(core, "")
    digest(core, "off")  # Jo opts out; Sam keeps the default
    sent = run_hourly(core, clock, london(2026, 11, 24, 12), messenger)
    tuesday = [(to, title) for when, to, title in sent if when == "Tue 24 Nov 09:00"]
    assert sorted(tuesday) == [
        *[("@jo", f"Reminder: A-{n} is due Wed 25 Nov, 17:00") for n in (1, 2, 3)],
        ("@sam", "2 actions need your attention today"),
    ]


def test_a_failed_digest_is_retried_as_one_and_sent_once(
    core: Core, clock: Clock, messenger: RecordingMessenger
) -> None:
    digest(core, "on")
    three_due_on_wednesday(core)
    run_hourly(core, clock, london(2026, 11, 23, 12), messenger)  # the confirmations
    messenger.failures = 1
    clock.set(london(2026, 11, 24, 9))
    assert core.chaser.sweep().count("failed") == 3  # one message failed: its three rows wait together
    sent = run_hourly(core, clock, london(2026, 11, 24, 12), messenger)
    assert [title for _, _, title in sent] == ["3 actions need your attention today"]
    with core.db.reading() as session:
        assert [r.attempts for r in session.scalars(select(Nudge).where(Nudge.step == "due_soon"))] == [2, 2, 2]


def test_a_digest_as_text_and_as_email_shows_every_card(core: Core, clock: Clock) -> None:
    refs = three_due_on_wednesday(core)
    actions = [core.service.get(ref, CHAIR) for ref in refs]
    message = digest_message([nudge_message("due_soon", a, LONDON, london(2026, 11, 24, 9)) for a in actions])
    text, page = render_text(message), render_html(message)
    for ref in refs:
        assert (
            f"Reminder: {ref} is due Wed 25 Nov, 17:00" in text
            and f"<h3>Reminder: {ref} is due Wed 25 Nov, 17:00</h3>" in page
        )
    assert page.count("<hr>") == 3
