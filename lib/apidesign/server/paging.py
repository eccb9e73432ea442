"""Pagination at the HTTP edge: query parameters in, ``meta`` and an RFC 8288 ``Link`` header out.

``?cursor=&limit=`` walks with signed cursors (the default); ``?offset=&limit=`` is kept
to show drift. ``order`` is ``newest`` (default, how a chat opens) or ``oldest``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlencode

from flask import current_app, request

from ..errors import InvalidInput, field_issue
from ..pagination import (NEWEST, OLDEST, CursorCodec, InvalidCursor, InvalidPageRequest, Page, clamp_limit,
                          cursor_page, offset_page, position_of)
from .services import services


def cursor_codec() -> CursorCodec:
    """This app's cursor codec: keyed by config ``CURSOR_KEY``, or a random key made once per app."""
    extras = services().extras
    if "cursor_codec" not in extras:
        key = current_app.config.get("CURSOR_KEY")
        codec = CursorCodec(key.encode() if isinstance(key, str) else key) if key else CursorCodec.generate()
        extras.setdefault("cursor_codec", codec)
    return extras["cursor_codec"]


def int_param(name: str) -> int | None:
    """An integer query parameter in its range (``INT_RANGES``): absent -> None, anything else -> 400 naming it."""
    raw = request.args.get(name)
    if raw is None:
        return None
    # ASCII digits only (int() also reads "1_0", " 7" and "١"), and not thousands of them (int() refuses those)
    if not (raw.isascii() and raw.removeprefix("-").isdigit() and len(raw) <= 100):
        raise InvalidInput(f"'{name}' must be an integer.", details=[field_issue(name, "must_be_integer")])
    return in_range(name, int(raw))


def fetch_page(channel_id: str) -> tuple[Page, dict]:
    """The page the query string asks for, and the ``meta`` that describes it."""
    args = request.args
    if args.get("cursor") and "offset" in args:  # an empty cursor means "from the start", as below
        raise InvalidInput("Use either 'cursor' or 'offset', not both.",
                           details=[field_issue("offset", "conflicts_with_cursor")])
    limit, order = int_param("limit"), args.get("order")
    with as_http_errors():
        if "offset" in args:
            offset = int_param("offset")
            page = offset_page(services().db, channel_id, offset=offset, limit=limit, order=order or NEWEST)
            return page, {"count": len(page.rows), "limit": clamp_limit(limit), "offset": offset,
                          "nextOffset": page.next_offset, "hasMore": page.has_more}
        page = cursor_page(services().db, cursor_codec(), channel_id, cursor=args.get("cursor") or None,
                           limit=limit, order=order)
    return page, {"count": len(page.rows), "limit": clamp_limit(limit), "nextCursor": page.next_cursor,
                  "prevCursor": page.prev_cursor, "hasMore": page.has_more}


def fetch_user_channels(user_id: str) -> tuple[Page, dict]:
    """A page of the user's channels, oldest first (``?cursor=&limit=``; new channels join at the end)."""
    limit, collection, after = clamp_limit(int_param("limit")), f"channels-of:{user_id}", None
    with as_http_errors():
        if request.args.get("cursor"):
            _, after = cursor_codec().decode(request.args["cursor"], collection, OLDEST)
    rows = services().repo.channels_for_user(user_id, after and (after.created_at, after.id), limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = cursor_codec().encode(collection, OLDEST, position_of(rows[-1])) if more else None
    return Page(rows, more, next_cursor=next_cursor), {"count": len(rows), "limit": limit,
                                                       "nextCursor": next_cursor, "hasMore": more}


@contextmanager
def as_http_errors() -> Iterator[None]:
    """The pagination library's errors as 400s naming the parameter (a tampered cursor is INVALID_CURSOR)."""
    try:
        yield
    except InvalidCursor as exc:
        raise InvalidInput(str(exc), code="INVALID_CURSOR", details=[field_issue("cursor", exc.reason)]) from None
    except InvalidPageRequest as exc:
        raise InvalidInput(str(exc), details=[field_issue(exc.field, exc.issue)]) from None


def page_links(page: Page) -> dict[str, str]:
    """``Link`` (RFC 8288) to the next page (``rel="next"``) and, for cursors, the previous one (``rel="prev"``)."""
    by_offset = "offset" in request.args  # a cursor carries its own order, so only offset links repeat it
    keep = {k: v for k, v in request.args.items() if k == "limit" or (k == "order" and by_offset)}
    links = []
    if page.has_more:
        step = {"cursor": page.next_cursor} if page.next_cursor else {"offset": page.next_offset}
        links.append(f'<{request.base_url}?{urlencode({**step, **keep})}>; rel="next"')
    if page.prev_cursor:
        links.append(f'<{request.base_url}?{urlencode({"cursor": page.prev_cursor, **keep})}>; rel="prev"')
    return {"Link": ", ".join(links)} if links else {}


# The range of each integer parameter. offset stops at SQLite's largest INTEGER (past it, binding
# the value fails); limit may be any size, since a limit above MAX_LIMIT is served as MAX_LIMIT.
MAX_OFFSET = 2**63 - 1
INT_RANGES = {"offset": (0, MAX_OFFSET), "limit": (1, None)}


def in_range(name: str, value: int) -> int:
    """``value`` if it lies in the parameter's range, else a 400 saying which bound it broke."""
    low, high = INT_RANGES[name]
    if value < low:
        raise InvalidInput(f"'{name}' must be {low} or more.", details=[field_issue(name, "too_small", min=low)])
    if high is not None and value > high:
        raise InvalidInput(f"'{name}' must be {high} or less.", details=[field_issue(name, "too_large", max=high)])
    return value
