"""The course in numbers: each interview talking point with a figure the library recomputes when asked.

Nothing here is copied from an earlier notebook's output. Each function runs the same
library code its chapter ran, with that chapter's settings, and returns what it measured;
the capstone prints them as its recap. Everything runs on fake clocks and seeded data,
so the figures are the same on every run (keyset work needs the 1M-row history that
``02-rest-design`` builds into ``data/cache/``, or the user's cache if that is read-only; it is built
here if missing, in ~10 s).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from ..clock import FakeClock
from ..datasets import CHANNEL as HISTORY, message_history
from ..drift import simulate_drift
from ..graphql_api.nplus1 import chat_world, statement_counts
from ..jwt import InvalidTokenError
from ..long_running import by_callback, by_polling
from ..lost_responses import run_client
from ..pagination import KEYSET_SQL, NEWEST, OFFSET_SQL
from ..protocols.http2 import h2_header_sizes, http1_header_bytes
from ..queryplan import vm_steps
from ..ratelimit import FixedWindow, SlidingWindowLog, simulate
from ..revalidation import compare_polling
from ..server import create_app, credentials
from ..server.db import Database
from ..webhook_receiver import defences as webhook_scenes
from ..webhooks import TOLERANCE

CHAPTER_07 = "07-consistency-and-async"


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


def lost_update() -> TalkingPoint:
    """Alice and Bob read one channel; Alice sets its topic, then Bob renames it from his read, with and without
    ``If-Match`` (02-rest-design's demo; 07 gives the whole rule). How many of the two changes does it keep?"""
    kept = {conditional: changes_kept(conditional) for conditional in (False, True)}
    figures = {"unconditional_kept": kept[False][0], "conditional_kept": kept[True][0], "refused": kept[True][1]}
    return TalkingPoint("Lost updates", f"Two members edit one channel from the same read: without If-Match the "
                        f"second PUT silently erased the first's topic ({figures['unconditional_kept']} of 2 changes "
                        f"kept); with If-Match it got 412 Precondition Failed {times(figures['refused'])}, read again "
                        f"and reapplied ({figures['conditional_kept']} of 2 kept).", figures, "02-rest-design")


def changes_kept(conditional: bool) -> tuple[int, int]:
    """(changes the channel keeps, 412s Bob got) when both write from the same read, on the real app."""
    clock = FakeClock(1_773_311_400.0)
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 7})
    http, alice, bob = app.test_client(), credentials(app, "usr_alice"), credentials(app, "usr_bob")
    url = http.post("/v1/channels", json={"name": "general", "memberIds": ["usr_bob"]}, headers=alice).location
    read_by_alice, read_by_bob = http.get(url, headers=alice), http.get(url, headers=bob)

    def put(read, headers, **change):
        body = {k: read.get_json()["data"][k] for k in ("name", "topic", "memberIds")} | change
        return http.put(url, json=body, headers={**headers, **({"If-Match": read.headers["ETag"]} if conditional
                                                               else {})})
    put(read_by_alice, alice, topic="standup at 10")
    refused = 0
    while put(read_by_bob, bob, name="team").status_code == 412:  # stale: read again, reapply, retry
        refused, read_by_bob = refused + 1, http.get(url, headers=bob)
    final = http.get(url, headers=alice).get_json()["data"]
    return (final["topic"] == "standup at 10") + (final["name"] == "team"), refused


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def revalidation(polls: int = 20, messages: int = 20, changes_at: tuple[int, ...] = (10,)) -> TalkingPoint:
    costs = compare_polling(polls, messages, changes_at)
    plain, conditional = costs["plain"], costs["If-None-Match"]
    figures = {"polls": polls, "plain_bytes": plain.bytes_received, "conditional_bytes": conditional.bytes_received,
               "not_modified": conditional.statuses.get(304, 0)}
    return TalkingPoint("Conditional requests", f"Polling a {messages}-message history {polls} times while it changed "
                        f"{times(len(changes_at))}: plain GETs received "
                        f"{plain.bytes_received:,} bytes; with If-None-Match {figures['not_modified']} of the {polls} "
                        f"answers were 304 Not Modified, and {conditional.bytes_received:,} bytes came back. Still "
                        f"{polls} requests: a 304 saves bytes, not round trips.", figures, CHAPTER_07)


def long_running_work(duration: float = 4.3, interval: float = 0.5) -> TalkingPoint:
    eager, told, called = by_polling(duration, interval), by_polling(duration), by_callback(duration)
    figures = {"duration": duration, "eager_requests": eager.requests, "eager_late": eager.latency,
               "retry_after_requests": told.requests, "retry_after_late": told.latency,
               "callback_requests": called.requests, "callbacks": called.callbacks, "callback_late": called.latency}
    return TalkingPoint("Long-running work", f"An export that took {duration:g} s answered 202 Accepted with an "
                        f"operation to poll: polling every {interval:g} s cost {eager.requests} requests and knew "
                        f"{eager.latency:g} s late; polling as Retry-After said, {told.requests} requests, "
                        f"{told.latency:g} s late; a callback, {called.requests} request and {called.callbacks} "
                        f"callback, {called.latency:g} s late, if the server can reach the client.", figures,
                        CHAPTER_07)


def webhook_defences() -> TalkingPoint:
    """The receiver of ``webhook_receiver.defences``: what it handled, and each other request with its answer
    and the receiver's own reason."""
    scenes = webhook_scenes()
    outcomes = Counter(scene.outcome for scene in scenes)
    others = [scene for scene in scenes if scene.outcome != "accepted"]
    refused = [scene for scene in others if scene.outcome == "rejected"]
    seen_before = [s for i, s in enumerate(scenes) if s.outcome == "rejected"
                   and any(e.outcome == "accepted" and e.webhook_id == s.webhook_id for e in scenes[:i])]
    figures = {"requests": len(scenes), **outcomes, "tolerance_minutes": TOLERANCE / 60,
               "refused_because": [scene.reason for scene in refused], "refused_seen_before": len(seen_before)}
    return TalkingPoint("Webhooks", f"Of {len(scenes)} signed requests a receiver got (its timestamp tolerance "
                        f"{TOLERANCE / 60:g} minutes), it handled {outcomes['accepted']} events. The others, each "
                        "with the receiver's answer and its reason: "
                        + "; ".join(f"{scene.request}, {scene.outcome} ({scene.status}): \"{scene.reason.rstrip('.')}\""
                                    for scene in others)
                        + f". {len(seen_before)} of the {len(refused)} refused carried a webhook-id it had handled, "
                        "so deduplication would have stopped them too, while it keeps the IDs.", figures, CHAPTER_07)


def graphql_n_plus_one(channels: int = 5, messages: int = 12) -> TalkingPoint:
    app = chat_world(channels, messages)
    counts = statement_counts(app)
    return TalkingPoint("API styles", f"One GraphQL query for my {channels} channels, their last messages and each "
                        f"sender's name ran {counts['naive']} SQL statements with naive resolvers (the N+1 problem) "
                        f"and {counts['dataloader']} with DataLoaders, which batch each level into one query.", counts,
                        CHAPTER_07)


def talking_points() -> list[TalkingPoint]:
    """The recap, in the order of the course."""
    return [header_compression(), pagination_drift(), keyset_work(), lost_update(), window_boundary(),
            retries_without_keys(), revocation_window(), revalidation(), long_running_work(), webhook_defences(),
            graphql_n_plus_one()]
