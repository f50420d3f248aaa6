"""Apply and check Alembic migrations (``actionbot db upgrade``; the bot refuses an un-migrated database)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


class NotMigrated(RuntimeError):
    """The database schema is missing or behind the code."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations in one transaction.

    On SQLite, Alembic's batch mode rebuilds a table to alter it; with foreign keys enforced, dropping a
    table that other rows reference fails, so enforcement is off while migrating and the references are
    checked before committing. (A batch rebuild of action_events would drop its append-only triggers: a
    migration that does one must create them again.)
    """
    config = _config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, where SQLite honours it
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise NotMigrated(f"migration left {len(broken)} broken references; nothing was changed")
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def require_current(engine: Engine) -> None:
    """Raise NotMigrated, naming the command to run, unless the schema is at the code's head."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise NotMigrated(f"The database {where} has no actionbot tables yet. Run: actionbot db upgrade")
    raise NotMigrated(f"The database {where} is at schema {current}, the code needs {head}. Run: actionbot db upgrade")
