"""Generated datasets, built on demand into the git-ignored ``data/cache/`` (never committed),
or the user's own cache when that folder is not writable (``paths.cache_path``).

``message_history(n)`` is one chat channel with ``n`` messages in the reference API's own
SQLite schema, so the pagination code runs against it unchanged. Same ``n`` and seed,
same bytes of data: message IDs come from a seeded generator and timestamps are a fixed
pattern (every two consecutive messages share a timestamp, one second after the previous pair,
so ties on ``created_at`` are everywhere).
"""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path
from typing import Iterator

from .ids import ALPHABET, LENGTH
from .paths import cache_path
from .server.db import SCHEMA

CHANNEL = "ch_history"
USERS = ("usr_alice", "usr_bob", "usr_carol", "usr_dave")
START_MS = 1_741_775_400_000  # 2025-03-12T10:30:00Z: a year of history before the course's "now"
BATCH = 50_000


def history_path(n: int, seed: int = 7) -> Path:
    """Where the ``n``-message database lives in the cache (``paths.cache_path`` decides which cache)."""
    return cache_path(f"messages-{n}-seed{seed}.sqlite3")


def message_rows(n: int, seed: int = 7) -> Iterator[tuple]:
    """``n`` message rows ``(id, channel_id, sender_id, content, type, created_at)``, oldest first."""
    rng, seen = random.Random(seed), set()
    for i in range(n):
        message_id = "msg_" + "".join(rng.choices(ALPHABET, k=LENGTH))
        while message_id in seen:  # ~1 in 10**9 per row; keep IDs unique anyway
            message_id = "msg_" + "".join(rng.choices(ALPHABET, k=LENGTH))
        seen.add(message_id)
        yield (message_id, CHANNEL, USERS[i % len(USERS)], f"message {i}", "text", START_MS + (i // 2) * 1_000)


def build(path: Path, n: int, seed: int = 7) -> Path:
    """Write the database to ``path`` (via a temporary file, so a half-built file is never seen)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;" + SCHEMA)
    conn.executemany("INSERT INTO users VALUES (?, ?, ?)", [(u, u[4:].title(), START_MS) for u in USERS])
    conn.execute("INSERT INTO channels VALUES (?, 'history', '', ?, ?)", (CHANNEL, USERS[0], START_MS))
    conn.executemany("INSERT INTO memberships VALUES (?, ?)", [(CHANNEL, u) for u in USERS])
    rows = message_rows(n, seed)
    while batch := [r for _, r in zip(range(BATCH), rows)]:
        conn.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)", batch)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    os.replace(tmp, path)
    return path


def message_history(n: int = 1_000_000, seed: int = 7) -> Path:
    """The path of an ``n``-message channel database, building it first if the cache lacks it."""
    path = history_path(n, seed)
    return path if path.exists() else build(path, n, seed)
