"""Offset and cursor (keyset) pagination over the message store, and the drift that tells them apart.

A channel's history is ordered by ``(created_at, id)``: the timestamp, with the ID as
tie-breaker, so two messages in the same millisecond still have a fixed order.

- **Offset** pagination asks for "rows 40..59": ``LIMIT ? OFFSET ?``. The database
  walks past every skipped row, and a row inserted or deleted in front of the offset
  shifts every later page (duplicates and misses: *drift*).
- **Cursor** (keyset) pagination asks for "the rows after the one I saw last":
  ``WHERE (created_at, id) < (?, ?)``. The index seeks straight to that position, and
  rows arriving elsewhere cannot shift it.

The cursor is an opaque base64url token: the last position, the collection it belongs
to and the order, signed with HMAC-SHA256 so a client can neither forge nor edit it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any, Sequence

from .errors import ApiDesignError

DEFAULT_LIMIT = 20  # the syllabus's ``limit=20``: one screen of chat
MAX_LIMIT = 100     # bigger pages cost the server more than they save the client
NEWEST, OLDEST = "newest", "oldest"  # newest-first is how a chat app opens a channel
ORDERS = (NEWEST, OLDEST)
REVERSE = {NEWEST: OLDEST, OLDEST: NEWEST}

MAC_BYTES = 16           # truncated HMAC-SHA256 tag: 128 bits is plenty against forgery
MAX_CURSOR_CHARS = 512   # refuse absurd tokens before decoding them
CURSOR_VERSION = 1

# One SQL text per order, kept here so the notebook can EXPLAIN exactly what the API runs.
DIRECTION = {NEWEST: ("DESC", "<"), OLDEST: ("ASC", ">")}  # sort direction, and "after" in that direction
FIRST_PAGE_SQL = {o: f"SELECT * FROM messages WHERE channel_id = ? ORDER BY created_at {d}, id {d} LIMIT ?"
                  for o, (d, _) in DIRECTION.items()}
OFFSET_SQL = {o: f"SELECT * FROM messages WHERE channel_id = ? ORDER BY created_at {d}, id {d} LIMIT ? OFFSET ?"
              for o, (d, _) in DIRECTION.items()}
KEYSET_SQL = {o: f"SELECT * FROM messages WHERE channel_id = ? AND (created_at, id) {op} (?, ?) "
                 f"ORDER BY created_at {d}, id {d} LIMIT ?"
              for o, (d, op) in DIRECTION.items()}
# The same condition as KEYSET_SQL[NEWEST], spelled out with OR and the position bound once by name:
# the same rows, and SQLite still seeks the index on ``created_at`` (see the notebook's EXPLAIN).
EXPANDED_OR_SQL = ("SELECT * FROM messages WHERE channel_id = :channel "
                   "AND (created_at < :created_at OR (created_at = :created_at AND id < :id)) "
                   "ORDER BY created_at DESC, id DESC LIMIT :limit")
# A pitfall, not a recipe: the same text with the timestamp bound twice, as two separate ``?``. To the
# planner those are two unrelated values, and the plan falls back to ``channel_id = ?`` and a filter.
EXPANDED_OR_TWO_PARAMS_SQL = ("SELECT * FROM messages WHERE channel_id = ? "
                              "AND (created_at < ? OR (created_at = ? AND id < ?)) "
                              "ORDER BY created_at DESC, id DESC LIMIT ?")


class PaginationError(ApiDesignError):
    """A pagination request that cannot be served as asked."""


class InvalidCursor(PaginationError):
    """A cursor this server did not issue for this collection and order, or one that was altered.

    Cursors are opaque to clients (the syllabus's convention); ``reason`` says which check failed:
    ``malformed``, ``bad_signature``, ``expired``, ``foreign_collection`` or ``wrong_order``.
    """

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class InvalidPageRequest(PaginationError):
    """An offset, limit or order outside what the endpoint documents (e.g. a negative offset)."""

    def __init__(self, field: str, issue: str, message: str):
        super().__init__(message)
        self.field, self.issue = field, issue


@dataclass(frozen=True, order=True)
class Position:
    """Where a row sits in a channel's history: ``(created_at, id)``."""

    created_at: int
    id: str


@dataclass(frozen=True)
class Page:
    """One page of rows, whether more follow, and how to ask for them."""

    rows: Sequence[Any]
    has_more: bool
    next_cursor: str | None = None
    next_offset: int | None = None
    prev_cursor: str | None = None  # walks back the other way, from this page's first row


def clamp_limit(limit: int | None) -> int:
    """``limit`` forced into 1..MAX_LIMIT; None means DEFAULT_LIMIT."""
    return DEFAULT_LIMIT if limit is None else max(1, min(MAX_LIMIT, int(limit)))


def check_order(order: str) -> str:
    """``order`` if it is one of ORDERS, else ``InvalidPageRequest``."""
    if order not in ORDERS:
        raise InvalidPageRequest("order", "invalid_choice", f"order must be one of {', '.join(ORDERS)}.")
    return order


def position_of(row: Any) -> Position:
    """The position of a message row."""
    return Position(row["created_at"], row["id"])


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(token: str) -> bytes:
    if not isinstance(token, str) or len(token) > MAX_CURSOR_CHARS or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        raise InvalidCursor("malformed", "The cursor is not a base64url token this API issued (unpadded: letters, digits, - and _ only).")
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursor("malformed", "The cursor is not valid base64url.") from None


class CursorCodec:
    """Signs positions into opaque cursors and checks cursors coming back."""

    def __init__(self, key: bytes):
        self._key = bytes(key)

    @classmethod
    def generate(cls) -> "CursorCodec":
        """A codec with a fresh random key (cursors die with the process: fine for a demo server)."""
        return cls(secrets.token_bytes(32))

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:MAC_BYTES]

    def encode(self, collection: str, order: str, position: Position) -> str:
        """The cursor for "continue after ``position`` in ``collection``, in ``order``"."""
        payload = json.dumps([CURSOR_VERSION, collection, order, position.created_at, position.id],
                             separators=(",", ":")).encode()
        return _b64encode(payload + self._mac(payload))

    def decode(self, token: str, collection: str, order: str | None = None) -> tuple[str, Position]:
        """The ``(order, position)`` inside a cursor issued for ``collection``, or ``InvalidCursor``."""
        raw = _b64decode(token)
        payload, tag = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
        if len(raw) <= MAC_BYTES or not hmac.compare_digest(tag, self._mac(payload)):
            raise InvalidCursor("bad_signature", "The cursor was not issued by this API or has been altered.")
        version, owner, cursor_order, created_at, row_id = json.loads(payload)  # signed by us: well-formed
        if version != CURSOR_VERSION:  # issued by a release whose cursor layout differs
            raise InvalidCursor("expired", f"The cursor's layout is version {version}; this API reads version "
                                           f"{CURSOR_VERSION} only. Start the listing again.")
        if owner != collection:
            raise InvalidCursor("foreign_collection", "The cursor belongs to a different collection.")
        if order is not None and cursor_order != order:
            raise InvalidCursor("wrong_order", f"The cursor continues an '{cursor_order}' walk, not '{order}'.")
        return cursor_order, Position(created_at, row_id)


def offset_page(db, channel_id: str, *, offset: int = 0, limit: int | None = None, order: str = NEWEST) -> Page:
    """Rows ``offset .. offset+limit-1`` of the channel in ``order`` (``LIMIT ? OFFSET ?``)."""
    limit, order = clamp_limit(limit), check_order(order)
    if offset < 0:
        raise InvalidPageRequest("offset", "too_small", "offset must be 0 or more.")
    rows = db.query(OFFSET_SQL[order], (channel_id, limit + 1, offset))
    more = len(rows) > limit
    return Page(rows[:limit], more, next_offset=offset + limit if more else None)


def keyset_rows(db, channel_id: str, after: Position | None, limit: int, order: str) -> list:
    """Up to ``limit`` rows strictly after ``after`` in ``order`` (an index seek, then a short walk)."""
    if after is None:
        return db.query(FIRST_PAGE_SQL[order], (channel_id, limit))
    return db.query(KEYSET_SQL[order], (channel_id, after.created_at, after.id, limit))


def cursor_page(db, codec: CursorCodec, channel_id: str, *, cursor: str | None = None,
                limit: int | None = None, order: str | None = None) -> Page:
    """The page after ``cursor`` (or the first page), with cursors for the next and previous pages.

    A cursor carries its own order; passing a different ``order`` with it is an ``InvalidCursor``.
    The previous-page cursor walks the reverse order from this page's first row, so the rows
    it returns come in that reverse order.
    """
    limit = clamp_limit(limit)
    after = None
    if cursor:
        order, after = codec.decode(cursor, channel_id, order)
    order = check_order(order or NEWEST)
    rows = keyset_rows(db, channel_id, after, limit + 1, order)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = codec.encode(channel_id, order, position_of(rows[-1])) if more else None
    prev_cursor = codec.encode(channel_id, REVERSE[order], position_of(rows[0])) if after is not None and rows else None
    return Page(rows, more, next_cursor=next_cursor, prev_cursor=prev_cursor)
