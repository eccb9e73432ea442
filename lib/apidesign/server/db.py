"""The SQLite message store: users, channels, memberships and messages.

One connection per app, shared by the server's threads behind a lock: SQLite
serialises writers anyway, and one connection keeps ``:memory:`` databases alive.
Timestamps are integer milliseconds since the epoch, so ``(created_at, id)`` sorts
exactly and cursor pagination can seek on it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS channels (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    topic      TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS memberships (
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX IF NOT EXISTS memberships_by_user ON memberships(user_id, channel_id);
CREATE TABLE IF NOT EXISTS messages (
    id         TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    sender_id  TEXT NOT NULL REFERENCES users(id),
    content    TEXT NOT NULL,
    type       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
-- The keyset index: history of one channel in (created_at, id) order.
CREATE INDEX IF NOT EXISTS messages_by_channel ON messages(channel_id, created_at, id);
"""


def iso8601(ms: int) -> str:
    """RFC 3339 UTC timestamp with milliseconds, e.g. ``2026-03-12T10:30:00.000Z``."""
    dt = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


class Database:
    """A thread-safe handle on one SQLite database (a file path or ``:memory:``)."""

    def __init__(self, path: str = ":memory:"):
        self.path = path
        # A database this user cannot write (e.g. the 1M-message history prebuilt by root on a JupyterHub)
        # is opened read-only, without WAL (which needs files beside it) and without creating the schema.
        self.readonly = path != ":memory:" and Path(path).exists() and not (
            os.access(path, os.W_OK) and os.access(Path(path).parent, os.W_OK))
        target = f"{Path(path).resolve().as_uri()}?mode=ro" if self.readonly else path
        self.conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None, uri=self.readonly)
        self.conn.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        self.statements = 0  # SQL statements run on this connection: how the N+1 problem is counted
        self.conn.set_trace_callback(self._count_statement)
        with self.lock:
            self.conn.execute("PRAGMA foreign_keys = ON")
            if self.readonly:
                return
            if path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.executescript(SCHEMA)

    def _count_statement(self, sql: str) -> None:
        self.statements += 1

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and run one transaction: committed on success, rolled back on error.

        A transaction opened inside another joins it, so a handler can make a check and the writes that
        depend on it one step (a precondition and its update: no other writer gets in between)."""
        with self.lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        """All rows of a read-only query."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        """The first row of a read-only query, or None."""
        with self.lock:
            return self.conn.execute(sql, params).fetchone()

    def close(self) -> None:
        with self.lock:
            self.conn.close()
