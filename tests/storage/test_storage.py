"""Storage on SQLite and PostgreSQL: UTC round trips, the append-only log, the hash chain, migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from bot.app import build_core
from bot.config import Settings
from storage.db import Database, make_engine
from storage.log import (
    ChainReport,
    NewEvent,
    append_event,
    append_events,
    last_checkpoint,
    queue_events,
    record_checkpoint,
    verify_chain,
)
from storage.migrate import NotMigrated, current_revision, head_revision, require_current, upgrade
from storage.models import Action, ActionEvent, Base, EventContent, Person
from tests.conftest import Clock, london


def _person(db: Database, now: datetime) -> int:
    with db.transaction() as session:
        person = Person(display_name="Jo", active=True, role="member", created_at=now)
        session.add(person)
        session.flush()
        return person.id


def test_datetimes_come_back_aware_utc(database: Database) -> None:
    written = datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=1)))
    with database.transaction() as session:
        person = Person(display_name="Jo", active=True, role="member", created_at=written)
        session.add(person)
        session.flush()
        pid = person.id
    with database.reading() as session:
        read = session.get_one(Person, pid).created_at
    assert read.tzinfo is not None and read.utcoffset() == timedelta(0)
    assert read == written
    assert read.hour == 0


def test_naive_datetimes_are_refused(database: Database) -> None:
    with database.transaction() as session:
        session.add(Person(display_name="Jo", active=True, role="member", created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            session.flush()
        session.rollback()


def test_chain_links_every_event(database: Database) -> None:
    now = london(2026, 11, 23, 10)
    pid = _person(database, now)
    with database.transaction() as session:
        first_id = append_event(session, kind="commented", at=now, actor_id=pid, reason="one")
        second_id = append_event(session, kind="commented", at=now, actor_id=pid, details={"n": 2})
        first, second = session.get_one(ActionEvent, first_id), session.get_one(ActionEvent, second_id)
        assert second.prev_hash == first.hash
        assert (first.seq, second.seq) == (1, 2)
    with database.reading() as session:
        report = verify_chain(session)
    assert report.ok and report.checked == 2


def test_events_cannot_be_updated_or_deleted(database: Database) -> None:
    now = london(2026, 11, 23, 10)
    with database.transaction() as session:
        append_event(session, kind="commented", at=now, reason="kept")
    for statement in ("UPDATE action_events SET kind = 'cancelled'", "DELETE FROM action_events"):
        with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
            session.execute(text(statement))
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text("UPDATE event_contents SET reason = 'rewritten'"))
    with database.reading() as session:
        assert verify_chain(session).ok


def _drop_guards(db: Database) -> None:
    """What a determined insider with DDL rights could do: remove the triggers, then edit rows."""
    with db.transaction() as session:
        if db.dialect == "postgresql":
            session.execute(text("DROP TRIGGER action_events_append_only ON action_events"))
            session.execute(text("DROP TRIGGER event_contents_no_update ON event_contents"))
        else:
            for name in ("action_events_no_update", "action_events_no_delete", "event_contents_no_update"):
                session.execute(text(f"DROP TRIGGER {name}"))


@pytest.mark.parametrize(
    ("tamper", "broken_seq", "problem"),
    [
        ("UPDATE action_events SET kind = 'completed' WHERE seq = 2", 2, "own fields were changed"),
        ("UPDATE event_contents SET reason = 'nothing to see' WHERE event_id = "
         "(SELECT id FROM action_events WHERE seq = 3)", 3, "reason or details were changed"),
        ("DELETE FROM event_contents WHERE event_id = (SELECT id FROM action_events WHERE seq = 2)", 2,
         "missing and no retention record"),
        ("DELETE FROM action_events WHERE seq = 4", 4, "its head says #4"),
    ],
)  # fmt: skip
def test_tampering_is_found_at_the_edited_row(database: Database, tamper: str, broken_seq: int, problem: str) -> None:
    now = london(2026, 11, 23, 10)
    with database.transaction() as session:
        for n in range(4):
            append_event(session, kind="commented", at=now + timedelta(minutes=n), reason=f"note {n}")
    _drop_guards(database)
    with database.transaction() as session:
        if "DELETE FROM action_events" in tamper:
            session.execute(
                text("DELETE FROM event_contents WHERE event_id = (SELECT id FROM action_events WHERE seq = 4)")
            )
        session.execute(text(tamper))
    with database.reading() as session:
        report = verify_chain(session)
    assert not report.ok
    assert report.broken_seq == broken_seq
    assert problem in (report.problem or "")


@pytest.mark.parametrize("details", ["'null'", "'{}'"])
def test_content_replaced_with_empty_details_is_found(database: Database, details: str) -> None:
    now = london(2026, 11, 23, 10)
    with database.transaction() as session:
        for n in range(3):
            append_event(session, kind="commented", at=now, reason=f"note {n}", details={"n": n})
    # Deleting content is allowed (retention does it), so no guard needs dropping to swap a row.
    with database.transaction() as session:
        session.execute(
            text("DELETE FROM event_contents WHERE event_id = (SELECT id FROM action_events WHERE seq = 2)")
        )
        session.execute(
            text(
                "INSERT INTO event_contents (event_id, reason, details) "
                f"SELECT id, 'rewritten by an insider', {details} FROM action_events WHERE seq = 2"
            )
        )
    with database.reading() as session:
        report = verify_chain(session)
    assert (report.ok, report.broken_seq) == (False, 2)
    assert "changed after it was written" in (report.problem or "")


def test_removing_a_middle_event_breaks_the_next_link(database: Database) -> None:
    now = london(2026, 11, 23, 10)
    with database.transaction() as session:
        for n in range(3):
            append_event(session, kind="commented", at=now, reason=f"note {n}")
    _drop_guards(database)
    with database.transaction() as session:
        session.execute(
            text("DELETE FROM event_contents WHERE event_id = (SELECT id FROM action_events WHERE seq = 2)")
        )
        session.execute(text("DELETE FROM action_events WHERE seq = 2"))
    with database.reading() as session:
        report = verify_chain(session)
    assert (report.ok, report.broken_seq) == (False, 2)
    assert "missing" in (report.problem or "")


def _notes(database: Database, count: int, start: int = 0) -> None:
    now = london(2026, 11, 23, 10)
    with database.transaction() as session:
        for n in range(start, start + count):
            append_event(session, kind="commented", at=now + timedelta(minutes=n), reason=f"note {n}")


def _verify_and_checkpoint(database: Database, *, full: bool = False) -> ChainReport:
    with database.reading() as session:
        report = verify_chain(session, None if full else last_checkpoint(session))
    with database.transaction() as session:
        record_checkpoint(session, report, london(2026, 11, 30, 8, 30), full=full)
    return report


def test_a_verification_after_a_checkpoint_checks_only_the_new_events(database: Database) -> None:
    _notes(database, 5)
    first = _verify_and_checkpoint(database)
    assert (first.ok, first.checked, first.first) == (True, 5, 1)
    assert first.last is not None and first.last.seq == 5
    _notes(database, 3, start=5)
    second = _verify_and_checkpoint(database)  # the checkpoint (#6) and the three new notes
    assert (second.ok, second.first, second.checked) == (True, 6, 4)
    assert "since the last verified checkpoint (#5)" in second.describe()
    with database.reading() as session:
        assert last_checkpoint(session) == second.last
        assert verify_chain(session).checked == 10  # a full check still walks everything


def test_a_break_after_the_checkpoint_is_found_and_a_change_before_it_needs_the_full_check(
    database: Database,
) -> None:
    _notes(database, 4)
    _verify_and_checkpoint(database)
    _notes(database, 2, start=4)
    _drop_guards(database)
    with database.transaction() as session:
        session.execute(text("UPDATE action_events SET kind = 'completed' WHERE seq = 6"))
    with database.reading() as session:
        since = last_checkpoint(session)
        assert since is not None and since.seq == 4
        report = verify_chain(session, since)
        assert (report.ok, report.broken_seq) == (False, 6)
    with database.transaction() as session:
        session.execute(text("UPDATE action_events SET kind = 'commented' WHERE seq = 6"))
        session.execute(text("UPDATE action_events SET kind = 'completed' WHERE seq = 2"))
    with database.reading() as session:
        assert verify_chain(session, last_checkpoint(session)).ok  # before the checkpoint: not looked at
        full = verify_chain(session)
        assert (full.ok, full.broken_seq) == (False, 2)


def test_a_changed_event_that_the_checkpoint_vouched_for_is_found(database: Database) -> None:
    _notes(database, 3)
    _verify_and_checkpoint(database)
    _drop_guards(database)
    with database.transaction() as session:
        session.execute(text("UPDATE action_events SET hash = :h WHERE seq = 3"), {"h": "f" * 64})
    with database.reading() as session:
        report = verify_chain(session, last_checkpoint(session))
    assert (report.ok, report.broken_seq) == (False, 3)
    assert "--full" in (report.problem or "")


def test_models_match_the_migrations(database: Database) -> None:
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_unmigrated_database_is_refused_with_the_command_to_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    with pytest.raises(NotMigrated, match="Run: actionbot db upgrade"):
        require_current(engine)
    with pytest.raises(NotMigrated, match="Run: actionbot db upgrade"):
        build_core(Settings(database_url=url))
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    require_current(engine)
    engine.dispose()


def test_concurrent_appends_keep_one_gapless_chain(database: Database) -> None:
    """Writers in parallel threads: every event gets its own seq and the chain verifies."""
    from concurrent.futures import ThreadPoolExecutor

    now = london(2026, 11, 23, 10)

    def write(n: int) -> None:
        for k in range(5):
            with database.transaction() as session:
                append_event(session, kind="commented", at=now, reason=f"{n}/{k}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    with database.reading() as session:
        seqs = list(session.scalars(select(ActionEvent.seq).order_by(ActionEvent.seq)))
        assert seqs == list(range(1, 21))
        assert verify_chain(session).ok


def test_actions_read_back_with_their_people(database: Database, clock: Clock) -> None:
    from bot.actions.people import PersonInput
    from bot.actions.service import ActionService
    from bot.capture.owners import OwnerRef

    service = ActionService(database, Settings(), clock=clock)
    from bot.capture.grammar import parse_action

    draft = parse_action("@jo Share CAD log by Friday", clock(), service.calendar)
    recorded = service.record(draft, PersonInput(OwnerRef("handle", "chair")))
    with database.reading() as session:
        action = session.get_one(Action, recorded.action.id)
        assert action.owner.handle == "jo"
        assert action.deadline == datetime(2026, 11, 27, 17, tzinfo=UTC)


def test_queued_events_are_appended_at_the_commit_in_order_and_dropped_with_a_rollback(database: Database) -> None:
    now = london(2026, 11, 23, 10)
    pid = _person(database, now)
    with database.transaction() as session:
        queue_events(session, [NewEvent("commented", now, actor_id=pid, reason="first")])
        queue_events(session, [NewEvent("commented", now, actor_id=pid, reason="second")])
        assert session.scalar(select(func.count()).select_from(ActionEvent)) == 0  # not yet: at the commit

    def failing_change() -> None:
        with database.transaction() as session:
            queue_events(session, [NewEvent("commented", now, actor_id=pid, reason="rolled back")])
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    with database.reading() as session:
        rows = session.execute(
            select(ActionEvent.seq, EventContent.reason).join(EventContent).order_by(ActionEvent.seq)
        ).all()
        report = verify_chain(session)
    assert [tuple(row) for row in rows] == [(1, "first"), (2, "second")]
    assert report.ok and report.checked == 2


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_change_in_progress_does_not_hold_the_log_for_others(database: Database) -> None:
    """Queued events lock the log's head row only at the commit: another transaction appends meanwhile
    (appended at once, the head row stays locked until the first transaction ends)."""
    now = london(2026, 11, 23, 10)
    pid = _person(database, now)
    with database.transaction() as first:
        queue_events(first, [NewEvent("commented", now, actor_id=pid, reason="slow change")])
        first.flush()
        with database.transaction() as second:
            second.execute(text("SET LOCAL lock_timeout = '500ms'"))
            append_events(second, [NewEvent("commented", now, actor_id=pid, reason="meanwhile")])
    with database.reading() as session:
        reasons = session.scalars(select(EventContent.reason).join(ActionEvent).order_by(ActionEvent.seq)).all()
        assert verify_chain(session).ok
    assert reasons == ["meanwhile", "slow change"]


def test_queued_events_outlive_a_savepoint_rolled_back_after_them(database: Database) -> None:
    """A person created at the same moment by another transaction is looked up again after its savepoint
    rolls back (bot.actions.people.identify): what the change queued before that must still be appended."""
    now = london(2026, 11, 23, 10)
    pid = _person(database, now)
    with database.transaction() as session:
        queue_events(session, [NewEvent("commented", now, actor_id=pid, reason="before the savepoint")])
        with pytest.raises(DBAPIError), session.begin_nested():
            session.execute(text("INSERT INTO people (id) VALUES (NULL)"))  # refused: the savepoint rolls back
    with database.reading() as session:
        reasons = session.scalars(select(EventContent.reason).join(ActionEvent)).all()
    assert reasons == ["before the savepoint"]


def test_the_outbox_has_no_index_that_another_already_serves(database: Database) -> None:
    """Every nudge is written, claimed and marked sent: each index is paid for three times per message, so
    none may be a leading part of another (the unique key, starting with action_id, serves lookups by action)."""
    inspector = inspect(database.engine)
    keys = [tuple(ix["column_names"]) for ix in inspector.get_indexes("nudges")]
    keys += [tuple(uq["column_names"]) for uq in inspector.get_unique_constraints("nudges")]
    redundant = [a for a in keys for b in keys if a != b and b[: len(a)] == a]
    assert ("action_id", "step", "deadline_version", "occurrence", "recipient_key") in keys
    assert redundant == []
