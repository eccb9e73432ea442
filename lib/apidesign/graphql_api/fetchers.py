"""Two ways for resolvers to fetch what they show: one query per object, or batched per round.

GraphQL resolves a field at a time, so a resolver that looks up "this message's sender" runs
once per message: 1 query for the list, then N more, the *N+1 problem*. A DataLoader collects
every ``load(key)`` made while the executor walks one level of the tree and answers them with a
single query (the pattern Facebook's ``dataloader`` introduced; strawberry's ``DataLoader`` here).

Both classes offer the same three coroutines, so the schema's resolvers do not know which one
they were handed: the naive one is passed in to show the problem, the batched one to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from strawberry.dataloader import DataLoader

from ..pagination import (FIRST_PAGE_SQL, KEYSET_SQL, NEWEST, CursorCodec, Page, Position, keyset_rows,
                          position_of)
from ..server.db import Database


@dataclass(frozen=True)
class PageRequest:
    """"``first`` messages of ``channel_id`` after ``after`` (None: from the newest)": one DataLoader key."""

    channel_id: str
    first: int
    after: Position | None = None


def message_page(rows: Sequence[Any], request: PageRequest, cursors: CursorCodec) -> Page:
    """The page for ``request`` from up to ``first + 1`` rows (the extra row says whether more follow)."""
    rows, more = rows[:request.first], len(rows) > request.first
    next_cursor = cursors.encode(request.channel_id, NEWEST, position_of(rows[-1])) if more else None
    return Page(rows, more, next_cursor=next_cursor)


class NaiveFetch:
    """One SQL query per object asked for: what resolvers do when each fetches its own data."""

    def __init__(self, db: Database, cursors: CursorCodec):
        self.db, self.cursors = db, cursors

    async def user(self, user_id: str) -> Any:
        return self.db.query_one("SELECT * FROM users WHERE id = ?", (user_id,))

    async def members(self, channel_id: str) -> list[str]:
        rows = self.db.query("SELECT user_id FROM memberships WHERE channel_id = ? ORDER BY user_id", (channel_id,))
        return [r["user_id"] for r in rows]

    async def messages(self, request: PageRequest) -> Page:
        rows = keyset_rows(self.db, request.channel_id, request.after, request.first + 1, NEWEST)
        return message_page(rows, request, self.cursors)


class BatchedFetch:
    """The same answers, each kind of object fetched with one SQL query per level of the query tree."""

    def __init__(self, db: Database, cursors: CursorCodec):
        self.db, self.cursors = db, cursors
        self.users = DataLoader(load_fn=self.load_users)
        self.member_lists = DataLoader(load_fn=self.load_members)
        self.pages = DataLoader(load_fn=self.load_pages, max_batch_size=100)  # SQLite allows 500 UNION terms

    async def user(self, user_id: str) -> Any:
        return await self.users.load(user_id)

    async def members(self, channel_id: str) -> list[str]:
        return await self.member_lists.load(channel_id)

    async def messages(self, request: PageRequest) -> Page:
        return await self.pages.load(request)

    async def load_users(self, ids: list[str]) -> list[Any]:
        """Users by ID, in the order asked: ``WHERE id IN (...)``, one query for all of them."""
        rows = self.db.query(f"SELECT * FROM users WHERE id IN ({marks(ids)})", tuple(ids))
        by_id = {r["id"]: r for r in rows}
        return [by_id.get(i) for i in ids]

    async def load_members(self, channel_ids: list[str]) -> list[list[str]]:
        """Each channel's member IDs, from one query over all the channels."""
        rows = self.db.query(f"SELECT channel_id, user_id FROM memberships WHERE channel_id IN ({marks(channel_ids)}) "
                             "ORDER BY user_id", tuple(channel_ids))
        return [[r["user_id"] for r in rows if r["channel_id"] == c] for c in channel_ids]

    async def load_pages(self, requests: list[PageRequest]) -> list[Page]:
        """A page of each channel, from one statement: the per-channel keyset queries joined by UNION ALL."""
        parts, params = [], []
        for i, req in enumerate(requests):
            sql, args = page_query(req)
            parts.append(f"SELECT {i} AS request, * FROM ({sql})")
            params.extend(args)
        rows = self.db.query(" UNION ALL ".join(parts), tuple(params))
        newest_first = sorted(rows, key=lambda r: (r["created_at"], r["id"]), reverse=True)  # UNION keeps no order
        return [message_page([r for r in newest_first if r["request"] == i], req, self.cursors)
                for i, req in enumerate(requests)]


def page_query(request: PageRequest) -> tuple[str, tuple]:
    """The keyset query (``pagination``'s own SQL) and parameters for one page of ``first + 1`` rows."""
    if request.after is None:
        return FIRST_PAGE_SQL[NEWEST], (request.channel_id, request.first + 1)
    return KEYSET_SQL[NEWEST], (request.channel_id, request.after.created_at, request.after.id, request.first + 1)


def marks(values: Sequence[Any]) -> str:
    """``?, ?, ?``: one SQL placeholder per value."""
    return ", ".join("?" * len(values))
