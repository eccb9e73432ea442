"""The chat domain's reads and writes, in SQL, with no HTTP in sight."""

from __future__ import annotations

import sqlite3
from typing import Iterable

from ..errors import Conflict
from .db import Database


class Repository:
    """Users, channels, memberships and messages over one ``Database``."""

    def __init__(self, db: Database):
        self.db = db

    # users
    def add_user(self, user_id: str, name: str, created_at: int) -> None:
        with self.db.transaction() as c:
            c.execute("INSERT OR IGNORE INTO users (id, name, created_at) VALUES (?, ?, ?)",
                      (user_id, name, created_at))

    def user(self, user_id: str) -> sqlite3.Row | None:
        return self.db.query_one("SELECT * FROM users WHERE id = ?", (user_id,))

    def users(self, ids: Iterable[str]) -> dict[str, sqlite3.Row]:
        ids = list(ids)
        marks = ",".join("?" * len(ids))
        rows = self.db.query(f"SELECT * FROM users WHERE id IN ({marks})", tuple(ids)) if ids else []
        return {r["id"]: r for r in rows}

    # channels
    def create_channel(self, channel_id: str, name: str, topic: str, created_by: str,
                       member_ids: Iterable[str], created_at: int) -> None:
        """Insert a channel with its members; a taken name raises ``Conflict``."""
        try:
            with self.db.transaction() as c:
                c.execute("INSERT INTO channels (id, name, topic, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                          (channel_id, name, topic, created_by, created_at))
                c.executemany("INSERT OR IGNORE INTO memberships (channel_id, user_id) VALUES (?, ?)",
                              [(channel_id, m) for m in {created_by, *member_ids}])
        except sqlite3.IntegrityError:
            raise Conflict(f"A channel named '{name}' already exists.",
                           details=[{"field": "name", "issue": "already_exists"}]) from None

    def update_channel(self, channel_id: str, name: str, topic: str, member_ids: Iterable[str] | None) -> None:
        """Set name and topic, and replace the members unless ``member_ids`` is None (the creator always stays)."""
        try:
            with self.db.transaction() as c:
                c.execute("UPDATE channels SET name = ?, topic = ? WHERE id = ?", (name, topic, channel_id))
                if member_ids is not None:
                    creator = c.execute("SELECT created_by FROM channels WHERE id = ?", (channel_id,)).fetchone()[0]
                    c.execute("DELETE FROM memberships WHERE channel_id = ?", (channel_id,))
                    c.executemany("INSERT INTO memberships (channel_id, user_id) VALUES (?, ?)",
                                  [(channel_id, m) for m in sorted({creator, *member_ids})])
        except sqlite3.IntegrityError:
            raise Conflict(f"A channel named '{name}' already exists.",
                           details=[{"field": "name", "issue": "already_exists"}]) from None

    def channel(self, channel_id: str) -> sqlite3.Row | None:
        return self.db.query_one("SELECT * FROM channels WHERE id = ?", (channel_id,))

    def members(self, channel_id: str) -> list[str]:
        rows = self.db.query("SELECT user_id FROM memberships WHERE channel_id = ? ORDER BY user_id", (channel_id,))
        return [r["user_id"] for r in rows]

    def is_member(self, channel_id: str, user_id: str) -> bool:
        return self.db.query_one("SELECT 1 FROM memberships WHERE channel_id = ? AND user_id = ?",
                                 (channel_id, user_id)) is not None

    def channels_for_user(self, user_id: str, after: tuple[int, str] | None = None,
                          limit: int = -1) -> list[sqlite3.Row]:
        """The user's channels, oldest first, strictly after ``after`` = (created_at, id); at most ``limit``."""
        after = after or (-1, "")
        return self.db.query(
            "SELECT c.* FROM channels c JOIN memberships m ON m.channel_id = c.id "
            "WHERE m.user_id = ? AND (c.created_at, c.id) > (?, ?) ORDER BY c.created_at, c.id LIMIT ?",
            (user_id, *after, limit))

    # messages
    def add_message(self, message_id: str, channel_id: str, sender_id: str, content: str,
                    type_: str, created_at: int) -> sqlite3.Row:
        with self.db.transaction() as c:
            c.execute("INSERT INTO messages (id, channel_id, sender_id, content, type, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?)", (message_id, channel_id, sender_id, content, type_, created_at))
        return self.message(message_id)

    def message(self, message_id: str) -> sqlite3.Row | None:
        return self.db.query_one("SELECT * FROM messages WHERE id = ?", (message_id,))

    def messages(self, channel_id: str) -> list[sqlite3.Row]:
        """Every message of a channel, oldest first (pagination narrows this)."""
        return self.db.query("SELECT * FROM messages WHERE channel_id = ? ORDER BY created_at, id", (channel_id,))

    def delete_message(self, message_id: str) -> bool:
        with self.db.transaction() as c:
            return c.execute("DELETE FROM messages WHERE id = ?", (message_id,)).rowcount > 0
