"""A small SQLite file in the data folder, safe to share between the app's threads and several
app (or `guide`) processes on one data folder: write-ahead logging, a busy timeout, and every
write one `BEGIN IMMEDIATE` transaction. Used by the conversation and feedback stores.

    db = LocalDb(settings.data_dir / "conversations.sqlite3", SCHEMA, "Saved conversations")
    with db.transaction() as conn:
        conn.execute("INSERT ...")
    with db.reading() as conn:
        rows = conn.execute("SELECT ...").fetchall()
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import GuideError

_BUSY_TIMEOUT_S = 10.0


class LocalDb:
    """One connection per process, shared by its threads under a lock (SQLite serialises the
    processes). `what` names the file for people in error messages."""

    def __init__(self, path: Path, schema: str, what: str) -> None:
        self.path = path
        self.schema = schema
        self.what = what
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # created 0600 before SQLite opens it; its journal files take the same mode
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            conn = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(self.schema)
        except (OSError, sqlite3.Error) as exc:
            raise GuideError(
                f"{self.what} ({self.path}) cannot be opened ({exc}). Check the data folder "
                "exists, is writable and has free space."
            ) from exc
        return conn

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise GuideError(
                    f"{self.what} ({self.path}) cannot be read ({exc}); try again in a moment."
                ) from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once, so a read-then-write is never racy."""
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise GuideError(
                    f"{self.what} ({self.path}) cannot be written ({exc}); nothing was changed. "
                    "Try again in a moment; if it persists, check the disk has space."
                ) from exc

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
