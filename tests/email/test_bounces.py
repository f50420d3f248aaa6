"""Email that failed for good (bot.chasing.bounces): GOV.UK Notify's permanent failure read back, what the
person and the chair see afterwards, the drift report, escalation, and giving the address again."""

from __future__ import annotations

import io

import pytest

from bot.actions.directory import DirectoryError, list_people, update_person
from bot.app import Core
from bot.cli import main
from bot.reports.as_markdown import render_markdown
from bot.reports.drift import build_report
from bot.reports.filters import DriftFilters
from handlers.email.notify import NotifyMessenger
from tests.conftest import Clock, london
from tests.email.fake_notify import API_KEY, TEMPLATE_ID, FakeNotify
from tests.email.support import OWNER_EMAIL, OWNER_NAME, email_only, nudges, person, record_for
from tests.support import RecordingMessenger

NOTICE = "Email to {name} for {ref} could not be delivered (the address was refused)"


def _sent_then_refused(core: Core, clock: Clock, notify: FakeNotify) -> str:
    """An owner's confirmation accepted by Notify, which later says the provider refused it for good; the
    status job has read that back. Returns the action's reference."""
    core.router.add(NotifyMessenger(API_KEY, TEMPLATE_ID, base_url=notify.base_url, timeout=10))
    ref = record_for(core, clock)
    core.chaser.sweep()
    [sent] = notify.notifications.values()
    notify.set_status(sent["id"], "permanent-failure")
    clock.advance(minutes=10)
    assert core.chaser.bounces.read_statuses() == 1
    return ref


def test_a_permanent_failure_read_back_marks_the_person_and_tells_the_chair_once(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    ref = _sent_then_refused(core, clock, notify)
    [row] = nudges(core, "confirmation")
    assert (row.status, row.delivery_status) == ("sent", "permanent-failure")
    assert person(core).email_failed_at == clock()
    report = core.chaser.sweep()
    assert [(i.step, i.recipient, i.outcome) for i in report.items] == [("email_failed", "@chair", "sent")]
    assert [s.title for s in chat.sent] == [NOTICE.format(name=OWNER_NAME, ref=ref)]
    # Read again (another instance's job, or the next run): nothing more is stored, nobody told again.
    assert core.chaser.bounces.read_statuses() == 0
    assert core.chaser.sweep().items == []
    # The owner can no longer be reached: Thursday's reminder is recorded as not reached, Notify not asked.
    posts = notify.posts
    clock.set(london(2026, 11, 26, 9, 0))
    assert [(i.step, i.outcome) for i in core.chaser.sweep().items] == [("due_soon", "unreachable")]
    assert notify.posts == posts
    [owner] = [p for p in list_people(core.db) if p.name == OWNER_NAME]
    assert owner.email_failed and not core.commands.reachable(owner)  # lists show CANNOT BE REACHED
    # The drift report counts the owner under "Cannot be reached" and the reminder as not delivered.
    drift = build_report(core.db, core.settings, core.calendar, clock(), DriftFilters())
    assert drift.reasons.get("owner_unknown") == 1
    assert (drift.delivery_total, drift.unreachable_total) == (1, 1)
    [problem] = drift.delivery
    assert (problem.ref, problem.step, problem.problem, problem.recipient) == (
        ref,
        "due_soon",
        "unreachable",
        OWNER_NAME,
    )
    markdown = render_markdown(drift)
    assert "- **Cannot be reached:** 1" in markdown
    assert "- **Nudges not delivered:** 1 (0 stuck, 1 with no address)" in markdown


def test_an_owner_whose_email_failed_still_escalates(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    """The escalation track is planned for the chair and the DSL whatever happens to the owner's nudges, so
    an owner nobody can reach still escalates: their overdue nudge is recorded as not reached, and three
    working days after the deadline the chair and the DSL are told."""
    ref = _sent_then_refused(core, clock, notify)
    core.chaser.sweep()  # the chair's notice
    clock.set(london(2026, 11, 30, 9, 0))
    assert [(i.step, i.outcome) for i in core.chaser.sweep().items] == [("overdue", "unreachable")]
    clock.set(london(2026, 12, 2, 9, 0))
    report = core.chaser.sweep()
    escalations = sorted((i.recipient, i.outcome) for i in report.items if i.step == "escalation")
    assert escalations == [("@chair", "sent"), ("@dsl", "sent")]
    assert any(s.to == "@dsl" and s.title.startswith(f"Escalation: {ref} for {OWNER_NAME}") for s in chat.sent)


def test_giving_the_address_again_clears_the_failure(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    _sent_then_refused(core, clock, notify)
    core.chaser.sweep()  # the chair's notice
    new = "s.taylor@school.sch.uk"
    view = update_person(core.db, email_only(OWNER_EMAIL), email=new, now=clock())
    assert (view.email, view.email_failed) == (new, False)
    clock.set(london(2026, 11, 26, 9, 0))
    assert [(i.step, i.outcome) for i in core.chaser.sweep().items] == [("due_soon", "sent")]
    assert notify.notifications and list(notify.notifications.values())[-1]["email_address"] == new


def test_the_same_address_given_again_is_tried_again_and_anothers_is_refused(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    _sent_then_refused(core, clock, notify)
    record_for(core, clock, email="alex.jones@school.sch.uk", name="Alex Jones")
    with pytest.raises(DirectoryError, match="already another person's"):
        update_person(core.db, email_only(OWNER_EMAIL), email="Alex.Jones@school.sch.uk", now=clock())
    with pytest.raises(DirectoryError, match="give an email address"):
        update_person(core.db, email_only(OWNER_EMAIL), email="Sam at school", now=clock())
    assert person(core).email_failed_at is not None
    assert update_person(core.db, email_only(OWNER_EMAIL), email=OWNER_EMAIL, now=clock()).email_failed is False


def test_a_status_read_that_fails_stops_the_run_and_the_next_one_goes_on(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger
) -> None:
    core.router.add(NotifyMessenger(API_KEY, TEMPLATE_ID, base_url=notify.base_url, timeout=10))
    record_for(core, clock)
    core.chaser.sweep()
    [sent] = notify.notifications.values()
    notify.set_status(sent["id"], "permanent-failure")
    notify.fail_next_status_reads.append((500, "Exception", "Internal server error"))
    assert core.chaser.bounces.read_statuses() == 0
    assert person(core).email_failed_at is None
    assert core.chaser.bounces.read_statuses() == 1
    assert person(core).email_failed_at is not None


def test_people_list_and_set_on_the_command_line(
    core: Core, clock: Clock, notify: FakeNotify, chat: RecordingMessenger, cli_url: str
) -> None:
    _sent_then_refused(core, clock, notify)
    out = io.StringIO()
    assert main(["people", "list"], out=out) == 0
    [line] = [line for line in out.getvalue().splitlines() if OWNER_NAME in line]
    assert line.endswith("email refused (give their address again with --email)")
    name = f'"{OWNER_NAME}"'  # as typed in a shell: '"Sam Taylor"'
    assert main(["people", "set", name, "--email", "sam.taylor2@school.sch.uk"], out=io.StringIO()) == 0
    assert person(core, "sam.taylor2@school.sch.uk").email_failed_at is None
    out = io.StringIO()
    assert main(["people", "list"], out=out) == 0
    assert "email refused" not in out.getvalue()
