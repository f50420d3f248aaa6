"""Information governance: who sees and changes what, public display, retention, subject access,
case chronologies, the audit alarm, and what never reaches the logs."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from bot.actions import authz
from bot.actions.directory import set_role
from bot.actions.people import PersonInput, Profile
from bot.actions.service import ConversationRef, InvalidChange, NotAllowed, NotFound
from bot.app import Core
from bot.capture.grammar import parse_action
from bot.capture.owners import OwnerRef
from bot.cli import main
from bot.governance.retention import REMOVED, apply_retention
from bot.reports.weekly import audit_check
from handlers.console import ConsoleChat
from storage.log import verify_chain
from storage.models import ActionEvent, EventContent, Nudge
from tests.conftest import Clock, london
from tests.support import RecordingMessenger

OWNER = PersonInput(OwnerRef("slack", "U0OWNER"), Profile(display_name="Olu Owner", email="olu@police.example"))
CHAIR = PersonInput(OwnerRef("slack", "U0CHAIR"), Profile(display_name="Cara Chair", email="cara@council.example"))
MEMBER = PersonInput(OwnerRef("slack", "U0MEMBER"), Profile(display_name="Mo Member", email="mo@school.example"))
STRANGER = PersonInput(OwnerRef("slack", "U0STRANGER"), Profile(display_name="Sid Stranger", email="sid@x.example"))
DSL = PersonInput(OwnerRef("slack", "U0DSL"), Profile(display_name="Dee Lead", email="dee@council.example"))
ADMIN = PersonInput(OwnerRef("slack", "U0ADMIN"), Profile(display_name="Ada Admin", email="ada@council.example"))
STARTER = PersonInput(OwnerRef("slack", "U0START"), Profile(display_name="Sol Starter", email="sol@council.example"))
ROOM = ConversationRef("slack", "C0PRIVATE")
ROLES = {
    "owner": OWNER,
    "chair": CHAIR,
    "meeting chair": STARTER,
    "participant": MEMBER,
    "stranger": STRANGER,
    "dsl": DSL,
    "admin": ADMIN,
}


def _setup(core: Core) -> str:
    for who in ROLES.values():
        core.service.ensure_person(who)
    set_role(core.db, DSL, "dsl", now=core.service.clock())
    set_role(core.db, ADMIN, "admin", now=core.service.clock())
    set_role(core.db, CHAIR, "chair", now=core.service.clock())
    set_role(core.db, STARTER, "chair", now=core.service.clock())
    # One chair starts the meeting; another records the action in it.
    core.service.start_meeting(ROOM, STARTER, "Strategy meeting", "CR-7", participants=[MEMBER, CHAIR])
    draft = parse_action("<@U0OWNER> Share the CAD log by Friday", core.service.clock(), core.calendar)
    return core.service.record(draft, CHAIR, conversation=ROOM).action.ref


# role -> (may see, may change, may acknowledge, may report, may review). "chair" recorded the action;
# "meeting chair" started the meeting it was recorded in, which gives no rights over another chair's action.
MATRIX = {
    "owner": (True, True, True, False, False),
    "chair": (True, True, False, False, True),
    "meeting chair": (True, False, False, False, False),
    "participant": (True, False, False, False, False),
    "stranger": (False, False, False, False, False),
    "dsl": (True, True, False, True, True),
    "admin": (True, True, False, True, True),
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_each_role_sees_and_changes_exactly_what_it_should(core: Core, role: str) -> None:
    ref = _setup(core)
    who = ROLES[role]
    see, change, acknowledge, report, review = MATRIX[role]
    listed = [a.ref for a in core.service.list_actions(who, scope="all")]
    assert (listed == [ref]) is see
    if see:
        assert core.service.get(ref, who).ref == ref
    else:
        with pytest.raises(NotFound):
            core.service.get(ref, who)
    if acknowledge:
        core.service.acknowledge(ref, who)
    else:
        with pytest.raises(NotAllowed):
            core.service.acknowledge(ref, who)
    if change:
        assert core.service.extend(ref, who, london(2026, 12, 4, 17), "records delayed").extensions == 1
    else:
        with pytest.raises(NotAllowed):
            core.service.extend(ref, who, london(2026, 12, 4, 17), "records delayed")
        assert core.service.get(ref, CHAIR).extensions == 0
    if review:
        assert core.service.mark_reviewed(ref, who).reviewed_at is not None
    else:
        with pytest.raises(NotAllowed):
            core.service.mark_reviewed(ref, who)
        assert core.service.get(ref, CHAIR).reviewed_at is None
    person = core.service.person(who)
    assert person is not None and (person.role in authz.OVERSIGHT_ROLES) is report


@pytest.mark.parametrize("role", list(MATRIX))
def test_each_role_through_the_cli(core: Core, cli_url: str, role: str, capsys: pytest.CaptureFixture[str]) -> None:
    ref = _setup(core)
    handle = f"<@{ROLES[role].ref.value}>"
    see, change, _, report, review = MATRIX[role]
    out = io.StringIO()
    assert main(["action", "list", "--as", handle], out=out) == 0
    assert (ref in out.getvalue()) is see
    out = io.StringIO()
    assert main(["export", "--format", "jsonl", "--as", handle], out=out) == 0
    assert (len(out.getvalue().splitlines()) == 1) is see
    code = main(["action", "review", ref, "--as", handle, "--now", "2026-11-23T10:30"], out=io.StringIO())
    assert (code == 0) is review
    code = main(
        ["action", "cancel", ref, "--reason", "duplicate", "--as", handle, "--now", "2026-11-23T11:00"],
        out=io.StringIO(),
    )
    assert (code == 0) is change
    code = main(["report", "drift", "--format", "json", "--as", handle], out=io.StringIO())
    assert (code == 0) is report
    code = main(["export", "--case", "CR-7", "--as", handle], out=io.StringIO())
    assert (code == 0) is report
    capsys.readouterr()


def test_only_chairs_dsls_and_admins_start_meetings(core: Core) -> None:
    _setup(core)
    core.service.end_meeting(ROOM, STARTER)
    for who in (MEMBER, OWNER, STRANGER):
        with pytest.raises(NotAllowed, match="chair, DSL or admin role"):
            core.service.start_meeting(ROOM, who, "My meeting")
        assert core.service.current_meeting(ROOM) is None
    for who in (CHAIR, DSL, ADMIN):
        assert core.service.start_meeting(ROOM, who, "Review meeting").chair.name == core.service.person(who).name
        core.service.end_meeting(ROOM, who)
    # a chair whose role is taken away chairs nothing more
    set_role(core.db, CHAIR, "member", now=core.service.clock())
    with pytest.raises(NotAllowed):
        core.service.start_meeting(ROOM, CHAIR, "Another")


def test_a_dsl_takes_over_a_running_meeting_with_a_reason_in_the_log(core: Core) -> None:
    _setup(core)
    for who in (MEMBER, CHAIR, OWNER):
        with pytest.raises(NotAllowed, match="Only a DSL or an admin"):
            core.service.take_over_meeting(ROOM, who, "chair has left")
    with pytest.raises(InvalidChange, match="reason"):
        core.service.take_over_meeting(ROOM, DSL, "")
    meeting = core.service.take_over_meeting(ROOM, DSL, "chair called away to an emergency")
    assert meeting.chair.name == "Dee Lead"
    with pytest.raises(NotAllowed):
        core.service.end_meeting(ROOM, STARTER)  # no longer the chair
    with core.db.reading() as session:
        [event] = session.scalars(select(ActionEvent).where(ActionEvent.kind == "chair_changed")).all()
        content = session.get(EventContent, event.id)
        assert event.action_id is None and content is not None and content.reason == "chair called away to an emergency"
        assert verify_chain(session).ok
    outcome = core.commands.run("meeting", "takeover chair unwell", ADMIN, ROOM)
    assert outcome.ok and outcome.public is not None and "Ada Admin now chairs" in outcome.public.title
    # escalations of the meeting's actions go to the chair now in the chair, not to the one who left
    with core.db.reading() as session:
        keys = set(session.scalars(select(Nudge.recipient_key).where(Nudge.step == "escalation")))
    ids = {name: core.service.person(who).id for name, who in (("starter", STARTER), ("admin", ADMIN))}  # type: ignore[union-attr]
    assert f"p:{ids['admin']}" in keys and f"p:{ids['starter']}" not in keys


def test_cards_are_public_only_where_the_action_was_recorded(core: Core, clock: Clock) -> None:
    ref = _setup(core)
    elsewhere = core.commands.run("done", f"{ref} sent", OWNER, ConversationRef("slack", "C0PUBLIC"))
    assert elsewhere.ok and elsewhere.public is None and elsewhere.private is not None
    other = _setup_second(core)
    at_home = core.commands.run("done", f"{other} sent", OWNER, ROOM)
    assert at_home.public is not None


def _setup_second(core: Core) -> str:
    draft = parse_action("<@U0OWNER> Ring the school by Friday", core.service.clock(), core.calendar)
    return core.service.record(draft, CHAIR, conversation=ROOM).action.ref


def test_text_fields_have_size_limits(core: Core) -> None:
    ref = _setup(core)
    with pytest.raises(InvalidChange, match="keep it under 1000"):
        core.service.block(ref, OWNER, "x" * 1001)
    with pytest.raises(InvalidChange, match="title is too long"):
        core.service.start_meeting(ConversationRef("slack", "C2"), CHAIR, "t" * 301)
    assert not core.commands.run("action", "<@U0OWNER> " + "y" * 1000 + " by Friday", CHAIR, ROOM).ok


def test_retention_removes_personal_data_and_keeps_the_chain(core: Core, clock: Clock) -> None:
    ref = _setup(core)
    keep = _setup_second(core)
    core.service.complete(ref, OWNER, "emailed the CAD log to the social worker")
    core.service.end_meeting(ROOM, STARTER)
    clock.advance(days=6 * 365 - 1)
    assert apply_retention(core.db, core.settings.retention, clock()) == []
    clock.advance(days=2)
    planned = apply_retention(core.db, core.settings.retention, clock(), dry_run=True)
    assert [item.ref for item in planned] == [ref]
    assert core.service.get(ref, DSL).task == "Share the CAD log"  # a dry run changes nothing
    done = apply_retention(core.db, core.settings.retention, clock())
    assert [item.ref for item in done] == [ref]
    action = core.service.get(ref, DSL)
    assert action.task == REMOVED and action.status == "done"
    history = core.service.history(ref, DSL)
    assert history[-1].kind == "redacted" and "done actions are kept 2190 days" in history[-1].details["rule"]
    assert all(e.reason is None and e.details == {} for e in history[:-1])
    assert core.service.get(keep, DSL).task == "Ring the school"  # still open: untouched
    with core.db.reading() as session:
        assert verify_chain(session).ok
    assert apply_retention(core.db, core.settings.retention, clock()) == []
    # Nothing new can be written to a redacted action: it would outlive the rule that already ran.
    for change in (
        lambda: core.service.reopen(ref, DSL, "wrong closure"),
        lambda: core.service.comment(ref, DSL, "a late note naming the family"),
    ):
        with pytest.raises(InvalidChange, match="retention policy"):
            change()
    assert core.service.history(ref, DSL)[-1].kind == "redacted"
    # The tombstone's own words may not go missing: only what it says it removed may.
    with core.db.transaction() as session:
        tombstone = session.scalars(select(ActionEvent.id).where(ActionEvent.kind == "redacted")).one()
        session.execute(delete(EventContent).where(EventContent.event_id == tombstone))
    with core.db.reading() as session:
        report = verify_chain(session)
    assert not report.ok and "missing" in (report.problem or "")


def test_subject_access_and_case_chronology(
    core: Core, cli_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = _setup(core)
    core.service.block(ref, OWNER, "waiting for consent")
    out = io.StringIO()
    assert main(["export", "--person", "olu@police.example"], out=out) == 0
    document = json.loads(out.getvalue())
    assert document["marking"] == "OFFICIAL-SENSITIVE" and document["subject"]["name"] == "Olu Owner"
    assert [a["ref"] for a in document["actions_owned"]] == [ref]
    assert [e["kind"] for e in document["events"]] == ["created", "blocked"]
    target = tmp_path / "sar.csv"
    assert (
        main(["export", "--person", "olu@police.example", "--format", "csv", "--out", str(target)], out=io.StringIO())
        == 0
    )
    text = target.read_text(encoding="utf-8")
    assert target.stat().st_mode & 0o777 == 0o600  # OFFICIAL-SENSITIVE: readable by its owner only
    assert text.splitlines()[1].startswith("OFFICIAL-SENSITIVE,subject,")
    assert "waiting for consent" in text
    out = io.StringIO()
    assert main(["export", "--case", "#cr-7"], out=out) == 0
    chronology = json.loads(out.getvalue())
    assert chronology["case_ref"] == "CR-7" and [m["title"] for m in chronology["meetings"]] == ["Strategy meeting"]
    assert [e["kind"] for e in chronology["events"]] == ["created", "blocked"]
    # every export is itself in the log, by id, without the subject's details
    exports = [e for e in _all_events(core) if e["kind"] == "exported"]
    assert [e["details"]["what"] for e in exports] == ["person", "person", "case"]
    assert "olu@police.example" not in json.dumps(exports)
    assert main(["export", "--person", "olu@police.example", "--as", "<@U0MEMBER>"], out=io.StringIO()) == 1
    capsys.readouterr()


def _all_events(core: Core) -> list[dict[str, object]]:
    from bot.governance.export import event_rows

    with core.db.reading() as session:
        return list(event_rows(session))


def test_the_weekly_audit_alerts_dsls_when_the_chain_breaks(core: Core, clock: Clock) -> None:
    from sqlalchemy import text

    _setup(core)
    recorder = RecordingMessenger(clock=clock)
    core.router.add(recorder)
    assert audit_check(core, clock()) is True and recorder.sent == []
    with core.db.transaction() as session:
        if core.db.dialect == "postgresql":
            session.execute(text("DROP TRIGGER action_events_append_only ON action_events"))
        else:
            session.execute(text("DROP TRIGGER action_events_no_update"))
        session.execute(text("UPDATE action_events SET kind = 'completed' WHERE seq = 1"))
    assert audit_check(core, clock()) is True  # the weekly check starts after the last verified checkpoint
    assert audit_check(core, clock(), full=True) is False  # the monthly full one finds the change
    assert sorted(s.to for s in recorder.sent) == ["Ada Admin", "Dee Lead"]
    assert all("integrity check" in s.title for s in recorder.sent)


def test_logs_never_carry_personal_data(core: Core, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = RecordingMessenger(clock=clock, failures=3)
    core.router.add(recorder)
    ref = _setup(core)
    chat = ConsoleChat(core.commands, OwnerRef("slack", "U0CHAIR"), write=lambda _: None, chaser=core.chaser)
    chat.handle("/action <@U0MEMBER> Ring mum on 07700 900123 by Friday")
    core.service.block(ref, OWNER, "Olu cannot reach the family at 14 Acacia Avenue")
    for _ in range(4):
        core.chaser.sweep()
        clock.advance(hours=7)
    core.commands.run("action", "<@U0OWNER> Visit by 31/02", CHAIR, ROOM)
    secrets = [
        "Olu",
        "Owner",
        "Cara",
        "Mo Member",
        "olu@police",
        "cara@council",
        "CAD log",
        "07700",
        "Acacia",
        "Ring mum",
    ]
    leaked = [s for s in secrets if s in caplog.text]
    assert caplog.records, "the scenario should have logged something (failed sends)"
    assert leaked == []


def test_no_sql_is_built_from_strings() -> None:
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.glob("bot/**/*.py"), *root.glob("handlers/**/*.py"), *root.glob("storage/*.py")]:
        source = path.read_text(encoding="utf-8")
        for pattern in (
            r"text\(\s*f[\"']",
            r"exec_driver_sql\(\s*f[\"']",
            r"execute\(\s*f[\"']",
            r"text\([^)]*%\s",
            r"\.format\([^)]*\)\s*\)",
        ):
            if re.search(pattern, source):
                offenders.append(f"{path.relative_to(root)}: {pattern}")
    assert offenders == []


def test_settings_hold_no_secrets() -> None:
    from bot.config import load_settings

    settings = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-secret", "GRAPH_CLIENT_SECRET": "hush", "DATABASE_URL": "sqlite:///x.db"}
    )
    assert "secret" not in repr(settings) and "hush" not in repr(settings)


def test_retention_days_are_configurable() -> None:
    from bot.config import load_settings

    settings = load_settings({"ACTIONBOT_RETENTION_DONE_DAYS": "30"})
    assert settings.retention.done_days == 30 and timedelta(days=settings.retention.cancelled_days).days == 2190
