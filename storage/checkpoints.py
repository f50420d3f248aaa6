"""SQLite's WAL checkpoints in a background thread of a long-running process, not inside its commits.

By default the commit that takes SQLite's write-ahead log past 1,000 pages copies the log back into the
database file before it returns (an automatic checkpoint): 35-50 ms paid by whichever change happened to
commit then, a chair's ``/action`` or the 09:00 sweep's (which writes about a thousand pages for 500 nudges).
SQLite's documentation suggests the alternative used here for such applications: turn automatic
checkpoints off for this process's connections and run passive checkpoints from a separate thread. A
passive checkpoint waits for nobody and blocks nobody; what it cannot copy yet (a reader still needs the
old pages) it copies next time. It releases the interpreter lock while it works.

Only serving processes (and ``actionbot scheduler``) start one. Other processes, such as a CLI command or a
second instance, keep SQLite's automatic checkpoints. PostgreSQL needs none of this: ``start`` does nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger("actionbot.storage")

#: Seconds between two checkpoints.
INTERVAL_SECONDS = 0.5
#: A log longer than this (pages, 40 MB) after a checkpoint is checkpointed again in this process's write
#: turn. Far above what one sweep writes (about 1,000 pages per 500 nudges), so the sweep never waits for it.
LONG_LOG_PAGES = 10_000


class BackgroundCheckpoints:
    def __init__(
        self,
        engine: Engine,
        interval: float = INTERVAL_SECONDS,
        writing: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.writing = writing
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def applies(self) -> bool:
        """A SQLite file (an in-memory database has no log to checkpoint, and a pool that must not be reset)."""
        return self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:")

    def start(self) -> None:
        """Commits of this process's connections stop checkpointing, and the thread starts doing it."""
        if not self.applies or self._thread is not None:
            return
        event.listen(self.engine, "connect", _no_automatic_checkpoints)
        self.engine.dispose()  # pooled connections were opened with automatic checkpoints: open them again
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def run_once(self) -> tuple[int, int, int]:
        """A passive checkpoint beside the writers, then, if the log is long, another in this process's write
        turn: (busy, frames in the log, frames copied back) of the last, as SQLite reports them.

        SQLite starts its log again from the beginning only when a writer finds it wholly copied back. With
        this process committing while the first checkpoint copies, that seldom happens, and under steady
        writes the log would grow without end (25 MB for 200 commands, against 4 MB with automatic
        checkpoints). The second checkpoint has only the pages written meanwhile to copy, and no writer of
        this process commits during it, so the next one starts the log again: the log stays near
        ``LONG_LOG_PAGES``."""
        busy, frames, copied = self._passive()
        if frames > LONG_LOG_PAGES:
            with self.writing():
                busy, frames, copied = self._passive()
        self.runs += 1
        return busy, frames, copied

    def _passive(self) -> tuple[int, int, int]:
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            busy, frames, copied = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            cursor.close()
        finally:
            connection.close()
        return int(busy), int(frames), int(copied)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception as error:  # a locked or unreachable file: try again next time; nothing is lost
                log.warning("WAL checkpoint failed (%s); trying again", error.__class__.__name__)

    def stop(self) -> None:
        """A last checkpoint, then automatic checkpoints again for connections opened from now on."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        event.remove(self.engine, "connect", _no_automatic_checkpoints)
        try:
            self.run_once()
        finally:
            self.engine.dispose()


def _no_automatic_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
