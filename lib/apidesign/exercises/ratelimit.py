"""Checks for the exercises in 03-rate-limiting.

Every expected number is measured here by running the library's limiters on a fake clock;
none is stored as a constant a learner could copy.
"""

from __future__ import annotations

import math
import random
from typing import Any

from ..clock import FakeClock
from ..ratelimit import FixedWindow, TokenBucket
from ..ratelimit.simulate import admitted, boundary, bursty, replay, steady, synthetic_trace, worst_burst
from ..store import memory_store
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered
from .answers import as_bool, as_int, as_list, as_number, call, never_raises, own_function, wrong_shape
from .briefs import Brief, Decision, Flow, check_brief

# Exercise 1's fixed window, and exercise 3's bucket: 10 tokens, 5 per second.
WINDOW_LIMIT, WINDOW_SECONDS, _SPAN = 100, 60.0, 2.0
CAPACITY, REFILL = 10, 5.0


def _boundary_burst() -> int:
    """The most requests a fixed window of 100 per 60 s admits within 2 s, measured on the boundary trace."""
    times = boundary(WINDOW_LIMIT, WINDOW_SECONDS)
    return worst_burst(admitted(replay(lambda **kw: FixedWindow(WINDOW_LIMIT, WINDOW_SECONDS, **kw), times)), _SPAN)


@never_raises
def check_boundary_burst(answer: Any) -> Feedback:
    """Exercise 1: the most requests a fixed window of 100 per 60 s admits within 2 seconds (a whole number)."""
    count = as_int(answer)
    if count is None:
        return wrong_shape("a whole number of requests", answer)
    right = _boundary_burst()
    if count == WINDOW_LIMIT:
        return failed(f"{WINDOW_LIMIT} holds inside one window, but a 2-second span can straddle a boundary: "
                      f"{WINDOW_LIMIT} in the last second of one window and more in the first second of the next.")
    if count != right:
        return failed(f"{count} is not it: each aligned window admits up to {WINDOW_LIMIT}, "
                      "and 2 seconds can touch two windows.")
    return passed(f"{right}: the limit twice over, one window's worth on each side of the boundary.")


def _retry_after_for(cost: int = 3, refill: float = 2.0) -> int:
    """The Retry-After a token bucket refilling ``refill``/s sends an empty bucket's request of ``cost``."""
    clock = FakeClock(0)
    bucket = TokenBucket(cost, refill, store=memory_store(clock), clock=clock)
    bucket.allow("k", cost)  # empty it
    return math.ceil(bucket.allow("k", cost).retry_after)


@never_raises
def check_retry_after(answer: Any) -> Feedback:
    """Exercise 2: the Retry-After (whole seconds) for a 3-token request at an empty bucket refilled at 2 per second."""
    seconds = as_number(answer)
    if seconds is None:
        return wrong_shape("a number of seconds", answer)
    right = _retry_after_for()
    if not seconds.is_integer():
        return failed(f"{seconds:g} is the exact wait, but Retry-After carries whole seconds (RFC 9110 section 10.2.3).")
    if seconds == right - 1:
        return failed("After 1 s the bucket holds 2 tokens; the request needs 3. Round the 1.5 s wait up, not down.")
    if seconds != right:
        return failed(f"{seconds:g} s is not it: 3 tokens at 2 per second take 1.5 s, sent as a whole number of seconds.")
    return passed(f"{right}: the exact wait is 1.5 s, rounded up so a client that obeys is not refused again.")


def _traces(seed: int = 3, count: int = 60) -> list[list[float]]:
    """Generated request traces, shortest first, then the three named ones: where a bucket can go wrong."""
    rng = random.Random(seed)
    gaps = (0.0, 0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 1.0, 2.5)
    generated = []
    for n in range(count):
        t, times = 0.0, []
        for _ in range(1 + n // 2):
            t = round(t + rng.choice(gaps), 6)
            times.append(t)
        generated.append(times)
    # The edges a bucket gets wrong: a burst past capacity at one instant, and the first refilled token.
    edges = [[0.0] * k for k in range(1, 12)] + [[0.0] * 10 + [0.1], [0.0] * 10 + [0.2], [0.0] * 10 + [0.2, 0.2]]
    named = [bursty(15, 2.0, 8), steady(8, 5), synthetic_trace()[:200]]
    return sorted(edges + generated, key=len) + named


def _reference_bucket(times: list[float]):
    """The library's decisions for ``times`` (a bucket of CAPACITY, REFILL per second, starting full)."""
    clock = FakeClock(0)
    bucket = TokenBucket(CAPACITY, REFILL, store=memory_store(clock), clock=clock)
    decisions = []
    for t in times:
        clock.set(t)
        decisions.append(bucket.allow("k"))
    return decisions


def verdicts(allowed: Any, times: list[float]) -> tuple[list[bool] | None, str]:
    """The learner's verdicts as bools, or an explanation of why they cannot be read."""
    out, error = call(allowed, list(times))
    if error:
        return None, f"allowed({_short(times)}) raised {error}."
    got = as_list(out)
    if got is None:
        return None, f"allowed(...) returned {type(out).__name__}; return a list with one True/False per request."
    if len(got) != len(times):
        return None, f"For {len(times)} requests you returned {len(got)} verdicts: one per request."
    flags = [as_bool(g) for g in got]
    if None in flags:
        return None, f"the verdicts must be True or False; one was {got[flags.index(None)]!r}."
    return flags, ""


def _short(times: list[float]) -> str:
    return str(times) if len(times) <= 12 else f"[{times[0]:g}, {times[1]:g}, ... {len(times)} times]"


@never_raises
def check_token_bucket(allowed: Any) -> Feedback:
    """Exercise 3: a function allowed(times) -> [bool] for a bucket of 10 tokens refilled at 5 per second."""
    problem = own_function(allowed, "a function allowed(times) that returns a list of True/False")
    if problem is not None:
        return problem
    for times in _traces():
        got, unreadable = verdicts(allowed, times)
        if unreadable:
            return failed(unreadable)
        want = _reference_bucket(times)
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w.allowed:
                return failed(f"On the trace {_short(times)}: your bucket {'admits' if g else 'refuses'} request "
                              f"{i + 1} at t={times[i]:.2f} s; the reference {'refuses' if g else 'admits'} it because "
                              + (f"it holds less than one token then (the next one is {w.retry_after:.2f} s away)"
                                 if g else f"it still holds {w.remaining + 1} whole token(s) before this request")
                              + f" (capacity {CAPACITY}, {REFILL:g} per second, starting full).")
    total = sum(sum(d.allowed for d in _reference_bucket(t)) for t in _traces())
    return passed(f"Your bucket agrees with the library's on all {len(_traces())} traces ({total} admissions).")


# Exercise 4 (design it): the limits of a public search API.
SEARCH_LIMITS = Brief(
    "search-limits",
    "A public search API: anyone with an API key searches (cheap, bursty), and starts exports (expensive) whose "
    "status they poll. Design the endpoints and the rate limits.",
    flows=(Flow("search", ("GET",), r"/search"),
           Flow("start an export", ("POST",), r"/exports$"),
           Flow("see an export's status", ("GET",), r"/exports/\{\}$")),
    decisions=(Decision("the algorithm", r"token[- ]bucket|sliding|fixed[- ]window|gcra|leaky",
                        "which algorithm, and what it allows (bursts? a boundary spike?)."),
               Decision("the key", r"per[- ](api[- ]?key|key|user|ip|caller|client|account)|\bkeyed\b",
                        "whom a limit counts: per API key, per user, per IP?"),
               Decision("the response", r"\b429\b|retry-after", "what a refused client receives and when to retry.")))


def check_search_limits_design(answer: Any) -> Feedback:
    """Exercise 4: a markdown design (table + notes) for the search-limits brief."""
    if unanswered(answer):
        return NOT_ANSWERED
    return never_raises(check_brief)(answer, SEARCH_LIMITS)
