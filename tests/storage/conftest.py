"""A fresh migrated SQLite file, for what only SQLite has (its write turn, its WAL checkpoints)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db import Database


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "actionlog.db"
    shutil.copy(sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}")
    yield db
    db.checkpoints.stop()
    db.dispose()
