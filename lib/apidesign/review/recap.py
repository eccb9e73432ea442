"""The course in numbers: each interview talking point with a figure the library recomputes when asked.

Nothing here is copied from an earlier notebook's output. Each function runs the same
library code its chapter ran, with that chapter's settings, and returns what it measured;
the capstone prints them as its recap. Everything runs on fake clocks and seeded data,
so the figures are the same on every run (keyset work needs the 1M-row history that
``02-rest-design`` builds into ``data/cache/``; it is built here if missing, in ~10 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..clock import FakeClock
from ..datasets import CHANNEL as HISTORY, message_history
from ..drift import simulate_drift
from ..jwt import InvalidTokenError
from ..lost_responses import run_client
from ..pagination import KEYSET_SQL, NEWEST, OFFSET_SQL
from ..protocols.http2 import h2_header_sizes, http1_header_bytes
from ..queryplan import vm_steps
from ..ratelimit import FixedWindow, SlidingWindowLog, simulate
from ..server import create_app, credentials
from ..server.db import Database


@dataclass(frozen=True)
class TalkingPoint:
    """One thing to say in an interview, the figures that back it, and the chapter that measured them."""

    topic: str
    say: str                # the sentence, with the figures in it
    figures: dict[str, Any]
    chapter: str


def pagination_drift(page_size: int = 10, arrivals_per_page: int = 3) -> TalkingPoint:
    report = simulate_drift(page_size=page_size, arrivals_per_page=arrivals_per_page)
    figures = {"offset_duplicates": report.offset.duplicates, "cursor_duplicates": report.cursor.duplicates,
               "rows": report.survivors}
    return TalkingPoint("Pagination", f"Paging {figures['rows']} messages by offset while {arrivals_per_page} arrive "
                        f"per page of {page_size} shows {figures['offset_duplicates']} of them twice; cursors show "
                        f"{figures['cursor_duplicates']} twice.", figures, "02-rest-design")


def keyset_work(depth: int = 900_000, rows: int = 1_000_000, page: int = 20) -> TalkingPoint:
    db = Database(str(message_history(rows)))
    seen = db.query_one(OFFSET_SQL[NEWEST], (HISTORY, 1, depth - 1))
    figures = {"depth": depth,
               "offset_steps": vm_steps(db, OFFSET_SQL[NEWEST], (HISTORY, page + 1, depth)),
               "keyset_steps": vm_steps(db, KEYSET_SQL[NEWEST], (HISTORY, seen["created_at"], seen["id"], page + 1))}
    figures["ratio"] = round(figures["offset_steps"] / figures["keyset_steps"])
    return TalkingPoint("Pagination", f"{depth:,} rows deep, an OFFSET page costs SQLite {figures['offset_steps']:,} "
                        f"steps and a keyset (cursor) page {figures['keyset_steps']:,}: {figures['ratio']:,} times "
                        "less work, because the cursor seeks in the index instead of counting.", figures,
                        "02-rest-design")


def window_boundary(limit: int = 5, window: float = 10.0) -> TalkingPoint:
    rows = simulate.comparison(simulate.boundary(limit, window),
                               {"fixed_window": FixedWindow, "sliding_log": SlidingWindowLog}, limit, window)
    burst = {row["algorithm"]: row["worst 1 s burst"] for row in rows}
    return TalkingPoint("Rate limiting", f"With {limit} requests per {window:g} s, a fixed window let "
                        f"{burst['fixed_window']} through within one second across a window boundary; a sliding "
                        f"log let {burst['sliding_log']}.", {"limit": limit, **burst}, "03-rate-limiting")


def retries_without_keys(drop_rate: float = 0.3, messages: int = 20) -> TalkingPoint:
    naive = run_client(drop_rate, "naive", keys=False, messages=messages)
    safe = run_client(drop_rate, "safe", keys=True, messages=messages)
    figures = {"drop_rate": drop_rate, "intended": messages, "naive_rows": naive.created,
               "naive_duplicates": naive.duplicates, "keyed_rows": safe.created, "keyed_duplicates": safe.duplicates}
    return TalkingPoint("Idempotency", f"In the chapter's retry simulation, with {drop_rate:.0%} of responses lost, "
                        f"a client that simply retries turned {messages} messages into {naive.created} rows; with an "
                        f"Idempotency-Key, {safe.created} rows and {safe.duplicates} duplicates.", figures,
                        "04-idempotency-and-errors")


def revocation_window(step: float = 1.0) -> TalkingPoint:
    """Log out right after login; how long does the access token still work, without and with the denylist?"""
    works = {strategy: still_works_for(strategy == "denylist", step) for strategy in ("none", "denylist")}
    return TalkingPoint("Authentication", f"A 15-minute access token kept working {works['none'] / 60:g} minutes after "
                        f"logout (its lifetime plus the clock-skew leeway); checked against a jti denylist, "
                        f"{works['denylist']:g} seconds.", {"none_s": works["none"], "denylist_s": works["denylist"]},
                        "05-authentication")


def still_works_for(revoke: bool, step: float) -> float:
    """Seconds a freshly minted access token verifies after its user logs out, on a fake clock.

    Every moment is counted, not just the first stretch: the scan runs to twice the longest
    the token could verify (lifetime plus leeway), well past its first refusal.
    """
    clock = FakeClock(1_773_311_400.0)
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 7})
    tokens = app.extensions["apidesign"].extras["auth"].access_tokens
    token = credentials(app, "usr_alice")["Authorization"].removeprefix("Bearer ")
    if revoke:
        tokens.revoke(token)
    return measure(lambda: verifies(tokens, token), clock, step, horizon=2 * (tokens.ttl + tokens.leeway))


def verifies(tokens, token: str) -> bool:
    try:
        tokens.verify(token)
        return True
    except InvalidTokenError:  # expired or revoked: the token was refused
        return False


def measure(works: Callable[[], bool], clock: FakeClock, step: float, horizon: float) -> float:
    """Seconds, out of the next ``horizon``, during which ``works()`` is true, sampled every ``step``.

    It does not stop at the first refusal: a token refused now and accepted later still counts.
    """
    held = 0.0
    for _ in range(round(horizon / step)):
        if works():
            held += step
        clock.advance(step)
    return held


TYPICAL_REQUEST = [(":method", "GET"), (":scheme", "https"), (":authority", "chat.example.com"),
                   (":path", "/v1/channels/ch_x9y8z7/messages"), ("accept", "application/json"),
                   ("user-agent", "chat-app/2.3 (iOS 18)"), ("authorization", "Bearer " + "x" * 200)]


def header_compression(requests: int = 3) -> TalkingPoint:
    sizes = h2_header_sizes(TYPICAL_REQUEST, requests)
    http1 = http1_header_bytes("GET", "/v1/channels/ch_x9y8z7/messages", TYPICAL_REQUEST)
    token = sizes[-1] - h2_header_sizes(TYPICAL_REQUEST[:-1], requests)[-1]  # the repeat cost of authorization alone
    return TalkingPoint("Protocols", f"HTTP/2 (as the h2 stack sends it) puts a typical API request's headers in "
                        f"{sizes[0]} bytes the first time and {sizes[-1]} bytes on repeats, against {http1} bytes of "
                        "HTTP/1.1 text every time: HPACK indexes the ordinary headers, but the bearer token is sent "
                        "never-indexed (RFC 7541 section 7.1.3), so it is "
                        f"{token} of the {sizes[-1]} bytes of every repeat: Huffman-coded (section 5.2), not indexed.",
                        {"http1": http1, "first": sizes[0], "repeat": sizes[-1], "token": token}, "01-protocols")


def talking_points() -> list[TalkingPoint]:
    """The recap, in the order of the course."""
    return [header_compression(), pagination_drift(), keyset_work(), window_boundary(), retries_without_keys(),
            revocation_window()]
