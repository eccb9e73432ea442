"""Noticing that a long-running operation finished: polling at an interval, as Retry-After says, or a callback.

Each client starts an export of a channel (``POST /v1/channels/{id}/exports``, 202) and
then learns, one way or another, that it is done. Everything runs through the real app
(Flask's test client) on a fake clock, so the counts are exact and the same on every run:

* polling every ``interval`` seconds costs a request per interval and notices up to an
  interval late;
* a callback costs no polls and is as late as the server's worker tick, but it needs the
  client to be reachable by the server, and a client that missed it must still poll.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from .clock import FakeClock
from .server import create_app, credentials

START = 1_773_311_400.0
CALLBACK = "http://127.0.0.1:8400/exports-done"  # recorded, never actually called
MAX_DURATION = 3600.0  # seconds of simulated work: an hour is plenty to see the trade-off
MAX_STEPS = 100_000    # polls or worker ticks one run may take, so a tiny interval cannot hang the kernel


@dataclass(frozen=True)
class Noticed:
    """How one client learnt that an operation was done: requests it sent, callbacks it got, how late it knew."""

    strategy: str
    requests: int      # HTTP requests the client sent, the POST that started the export included
    callbacks: int     # requests the server sent to the client
    latency: float     # seconds between the operation finishing and the client knowing


def checked(duration: float, step: float | None, name: str) -> None:
    """ValueError unless 0 < duration <= MAX_DURATION and 0 < step, with at most MAX_STEPS steps."""
    if not (isinstance(duration, (int, float)) and 0 < duration <= MAX_DURATION):
        raise ValueError(f"duration must be a number of seconds above 0 and at most {MAX_DURATION:g}, not {duration!r}.")
    if step is not None and not (isinstance(step, (int, float)) and 0 < step < float("inf")):
        raise ValueError(f"{name} must be a number of seconds above 0, not {step!r}.")
    if step is not None and duration / step > MAX_STEPS:
        raise ValueError(f"{name} {step:g} s would take over {MAX_STEPS:,} steps for {duration:g} s of work; "
                         "make it longer.")


def started_export(duration: float, callback: str | None = None, waits: float = 0):
    """A fresh app whose exports take ``duration`` seconds, and an export of Alice's channel already started.

    Alice's token lasts as long as the run may (``duration + waits``, and a minute), not the usual 15 minutes,
    and so is the operation kept (not the usual hour after it is due).
    """
    clock, lasts = FakeClock(START), duration + waits + 60
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 3, "EXPORT_DURATION": duration,
                      "OPERATION_RETENTION": lasts})
    http, alice = app.test_client(), dict(credentials(app, "usr_alice", ttl=lasts))
    channel = http.post("/v1/channels", json={"name": "exported"}, headers=alice).headers["Location"]
    body = {"callbackUrl": callback} if callback else {}
    started = http.post(f"{channel}/exports", json=body, headers=alice)
    return app, clock, http, alice, started


def by_polling(duration: float, interval: float | None = None) -> Noticed:
    """Poll every ``interval`` seconds, or as ``Retry-After`` says when ``interval`` is None, until ``done``."""
    checked(duration, interval, "interval")
    app, clock, http, alice, r = started_export(duration, waits=interval or duration)
    done_at, requests = clock.now() + duration, 1
    location = r.headers["Location"]
    while True:
        clock.advance(interval if interval is not None else int(r.headers["Retry-After"]))
        r, requests = http.get(location, headers=alice), requests + 1
        if r.get_json()["data"]["done"]:
            name = "poll as Retry-After says" if interval is None else f"poll every {interval:g} s"
            return Noticed(name, requests, 0, round(clock.now() - done_at, 3))


def by_callback(duration: float, tick: float = 0.05) -> Noticed:
    """Leave a callback URL and wait; the server's worker checks for finished work every ``tick`` seconds."""
    checked(duration, tick, "tick")
    app, clock, http, alice, r = started_export(duration, CALLBACK)
    runner, heard = app.extensions["apidesign"].extras["operations"], []
    runner.deliver = lambda url, body: heard.append(clock.now())
    started_at = clock.now()
    done_at = started_at + duration
    for k in range(1, math.ceil(duration / tick) + 2):  # the worker's ticks, until it calls back
        clock.set(started_at + k * tick)  # k * tick, not tick added k times: no drift from rounding
        runner.step()
        if heard:
            break
    return Noticed(f"callback (worker tick {tick:g} s)", 1, len(heard), round(heard[0] - done_at, 3))


def compare_notification(duration: float = 4.3, intervals: Iterable[float] = (0.5, 1, 2, 5)) -> list[Noticed]:
    """Every way of noticing, for one export of ``duration`` seconds (4.3: real work is no multiple of an interval)."""
    return [*(by_polling(duration, i) for i in intervals), by_polling(duration), by_callback(duration)]
