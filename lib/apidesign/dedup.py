"""The key in the same transaction as the write: a UNIQUE constraint turns a duplicate into a failed insert.

The idempotency store (``apidesign.idempotency``) lives beside the database, so a crash between the
insert and completing the record can run a request twice. Here the key is a row of the database
itself, written in the same transaction as the message: either both commit or neither does, and a
second insert with the same (sender, key) fails atomically and leaves nothing behind.
"""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE messages (id INTEGER PRIMARY KEY, content TEXT NOT NULL);
CREATE TABLE idempotency_keys (
    sender TEXT NOT NULL, key TEXT NOT NULL, message_id INTEGER NOT NULL REFERENCES messages (id),
    UNIQUE (sender, key)
);
"""


def connect() -> sqlite3.Connection:
    """A fresh in-memory database with the messages table and its idempotency_keys table."""
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    return db


def send_once(db: sqlite3.Connection, sender: str, key: str, content: str) -> tuple[int, bool]:
    """The message id for (sender, key), and whether this call created it."""
    try:
        with db:  # one transaction: commits both inserts, or rolls both back
            message_id = db.execute("INSERT INTO messages (content) VALUES (?)", (content,)).lastrowid
            db.execute("INSERT INTO idempotency_keys VALUES (?, ?, ?)", (sender, key, message_id))
        return message_id, True
    except sqlite3.IntegrityError:  # the key is taken: the message insert above was rolled back with it
        row = db.execute("SELECT message_id FROM idempotency_keys WHERE sender = ? AND key = ?", (sender, key))
        return row.fetchone()[0], False
