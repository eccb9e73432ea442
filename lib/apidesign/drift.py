"""Drift: what a client paging through a live, changing channel sees with offset and with cursor pagination.

``simulate_drift`` builds a real message store (the API's SQLite schema, in memory),
then lets two clients page through the same channel side by side, newest first, while
messages arrive (and optionally get deleted, or *moved*) between page fetches. It counts, for
each client, the rows it got twice (*duplicates*) and the rows that existed for the whole walk
but never reached it (*misses*). Everything is seeded, so a run is reproducible.

A *move* changes an existing row's sort key, as a feed ordered by score or by last activity
does. A cursor is a position in the sort order, so it is only safe when that key never
changes: cursors need a unique, immutable sort key.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .ids import IdFactory
from .pagination import MAX_LIMIT, NEWEST, CursorCodec, Position, cursor_page, offset_page, position_of
from .server.db import Database
from .server.repository import Repository

POSITIONS = ("newest", "oldest", "anywhere")  # where arriving messages land in the history
START_MS = 1_773_311_400_000  # 2026-03-12T10:30:00Z
STEP_MS = 1_000
CHANNEL = "ch_drift"


class OffsetWalker:
    """A client walking a channel with ``?offset=&limit=``."""

    name = "offset"

    def __init__(self, db: Database, channel_id: str, limit: int, order: str = NEWEST):
        self.db, self.channel_id, self.limit, self.order = db, channel_id, limit, order
        self.offset, self.done = 0, False

    def step(self) -> list:
        """Fetch the next page; return its rows."""
        page = offset_page(self.db, self.channel_id, offset=self.offset, limit=self.limit, order=self.order)
        self.offset, self.done = page.next_offset, not page.has_more
        return list(page.rows)


class CursorWalker:
    """A client walking a channel with ``?cursor=&limit=``."""

    name = "cursor"

    def __init__(self, db: Database, codec: CursorCodec, channel_id: str, limit: int, order: str = NEWEST):
        self.db, self.codec, self.channel_id, self.limit, self.order = db, codec, channel_id, limit, order
        self.cursor, self.done = None, False

    def step(self) -> list:
        """Fetch the next page; return its rows."""
        page = cursor_page(self.db, self.codec, self.channel_id, cursor=self.cursor, limit=self.limit,
                           order=None if self.cursor else self.order)
        self.cursor, self.done = page.next_cursor, not page.has_more
        return list(page.rows)


@dataclass(frozen=True)
class WalkResult:
    """What one client saw: counts in total and after each page (cumulative)."""

    strategy: str
    pages: int
    rows_returned: int
    duplicates: int
    misses: int
    duplicates_by_page: tuple[int, ...]
    misses_by_page: tuple[int, ...]
    finished: bool  # False if arrivals outran the client and it gave up after ``max_pages``
    unreached: int = 0  # rows that existed all along which a client that gave up never got to


@dataclass(frozen=True)
class DriftReport:
    """Both clients' results on the same live channel, plus how many rows existed throughout."""

    offset: WalkResult
    cursor: WalkResult
    survivors: int
    arrivals: int
    deletions: int


class LiveChannel:
    """A channel in a real message store that grows (and shrinks) on demand, reproducibly."""

    def __init__(self, initial: int, seed: int = 0):
        self.db = Database(":memory:")
        self.repo = Repository(self.db)
        self.rng, self.ids = random.Random(seed), IdFactory(seed)
        self.repo.add_user("usr_alice", "Alice", START_MS)
        self.repo.create_channel(CHANNEL, "drift", "", "usr_alice", [], START_MS)
        self.oldest, self.newest = START_MS, START_MS
        for i in range(initial):
            self.add_at(START_MS + (i // 2) * STEP_MS)  # pairs share a timestamp: ties are the norm

    def add_at(self, created_at: int) -> str:
        """Insert one message at ``created_at``; return its ID."""
        message_id = self.ids.new("msg")
        self.repo.add_message(message_id, CHANNEL, "usr_alice", message_id, "text", created_at)
        self.oldest, self.newest = min(self.oldest, created_at), max(self.newest, created_at)
        return message_id

    def arrive(self, position: str) -> str:
        """One new message at the ``newest`` end, the ``oldest`` end, or ``anywhere`` in between."""
        if position == "newest":
            return self.add_at(self.newest + STEP_MS)
        if position == "oldest":
            return self.add_at(self.oldest - STEP_MS)
        return self.add_at(self.rng.randint(self.oldest, self.newest))

    def delete_random(self) -> str | None:
        """Delete one message chosen at random; return its ID (None if the channel is empty)."""
        ids = [r["id"] for r in self.db.query("SELECT id FROM messages WHERE channel_id = ? ORDER BY id", (CHANNEL,))]
        if not ids:
            return None
        victim = self.rng.choice(ids)
        self.repo.delete_message(victim)
        return victim

    def move_random(self) -> str | None:
        """Give one message, chosen at random, a new sort key anywhere in the history (a re-ranked row)."""
        ids = [r["id"] for r in self.db.query("SELECT id FROM messages WHERE channel_id = ? ORDER BY id", (CHANNEL,))]
        if not ids:
            return None
        moved = self.rng.choice(ids)
        with self.db.transaction() as conn:
            conn.execute("UPDATE messages SET created_at = ? WHERE id = ?", (self.rng.randint(self.oldest, self.newest), moved))
        return moved

    def positions(self) -> dict[str, Position]:
        """Every current message ID with its position."""
        rows = self.db.query("SELECT id, created_at FROM messages WHERE channel_id = ?", (CHANNEL,))
        return {r["id"]: position_of(r) for r in rows}


def summarise(strategy: str, pages: list[list], survivors: dict[str, Position], finished: bool = True) -> WalkResult:
    """Count duplicates and misses page by page for one client's walk (newest first)."""
    seen: set[str] = set()
    returned, dups, dups_by_page, misses_by_page = 0, 0, [], []
    frontier = None  # the oldest position the client has reached: everything newer is behind it
    for rows in pages:
        for row in rows:
            returned += 1
            dups += row["id"] in seen
            seen.add(row["id"])
            frontier = position_of(row) if frontier is None else min(frontier, position_of(row))
        dups_by_page.append(dups)
        passed = [i for i, p in survivors.items() if frontier is not None and p >= frontier]
        misses_by_page.append(sum(i not in seen for i in passed))
    # A walk that gave up has not missed the rows it never got to: it never reached them, and says so.
    misses = sum(i not in seen for i in survivors) if finished else (misses_by_page or [0])[-1]
    unreached = 0 if finished else sum(i not in seen for i in survivors) - misses
    return WalkResult(strategy, len(pages), returned, dups, misses, tuple(dups_by_page), tuple(misses_by_page),
                      finished, unreached)


def simulate_drift(page_size: int = 10, arrivals_per_page: int = 3, position: str = "newest",
                   deletions_per_page: int = 0, initial: int = 200, seed: int = 0,
                   max_pages: int = 200, moves_per_page: int = 0) -> DriftReport:
    """Page newest-first through a live channel with offset and cursor side by side; count drift.

    Between two page fetches ``arrivals_per_page`` messages arrive at ``position`` (one of
    POSITIONS), ``deletions_per_page`` random messages are deleted and ``moves_per_page``
    random messages get a new sort key.
    """
    if position not in POSITIONS:
        raise ValueError(f"position must be one of {POSITIONS}")
    if not 1 <= page_size <= MAX_LIMIT:  # the page functions would clamp it, and the walk would not be the one asked for
        raise ValueError(f"page_size must be 1 to {MAX_LIMIT}, not {page_size}")
    for name, count in (("arrivals_per_page", arrivals_per_page), ("deletions_per_page", deletions_per_page),
                        ("moves_per_page", moves_per_page), ("initial", initial)):
        if count < 0:
            raise ValueError(f"{name} must be 0 or more, not {count}")
    channel = LiveChannel(initial, seed)
    at_start = set(channel.positions())
    walkers = [OffsetWalker(channel.db, CHANNEL, page_size),
               CursorWalker(channel.db, CursorCodec(b"drift-demo-key"), CHANNEL, page_size)]
    pages: dict[str, list[list]] = {w.name: [] for w in walkers}
    arrivals = deletions = 0
    while not all(w.done for w in walkers) and max(len(p) for p in pages.values()) < max_pages:
        for w in walkers:
            if not w.done:
                pages[w.name].append(w.step())
        for _ in range(arrivals_per_page):
            channel.arrive(position)
            arrivals += 1
        for _ in range(deletions_per_page):
            deletions += channel.delete_random() is not None
        for _ in range(moves_per_page):
            channel.move_random()
    now = channel.positions()
    survivors = {i: now[i] for i in at_start if i in now}
    offset, cursor = (summarise(w.name, pages[w.name], survivors, w.done) for w in walkers)
    return DriftReport(offset, cursor, len(survivors), arrivals, deletions)
