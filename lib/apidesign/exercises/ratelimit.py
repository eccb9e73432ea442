"""Checks for the exercises in 03-rate-limiting.

Every expected number is measured here by running the library's limiters on a fake clock;
none is stored as a constant a learner could copy.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import replace
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


def _amount(n: float) -> str:
    """A count as a person writes it: ``250``, ``12,000``; a huge one in scientific notation, not 31 digits."""
    return f"{n:,.0f}" if abs(n) < 1e9 else f"{n:.3g}"


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
    if count > right:
        return failed(f"{_amount(count)} is too high: a 2-second span touches at most two windows (each is 60 s "
                      f"long), and each admits at most {WINDOW_LIMIT}, so no span can get more than the two together.")
    if count != right:
        return failed(f"{_amount(count)} is too low: each aligned window admits up to {WINDOW_LIMIT}, "
                      "and 2 seconds can touch two windows.")
    return passed(f"{right}: the limit twice over, one window's worth on each side of the boundary.")


# Exercise 2's bucket: it holds up to 10 tokens (so a 3-token request can fit) and refills 2 per second.
_EX2_CAPACITY, _EX2_REFILL, _EX2_COST = 10, 2.0, 3


def _retry_after_for(cost: int = _EX2_COST, refill: float = _EX2_REFILL, capacity: int = _EX2_CAPACITY) -> int:
    """The Retry-After an empty bucket of ``capacity``, refilling ``refill``/s, sends a request of ``cost``."""
    clock = FakeClock(0)
    bucket = TokenBucket(capacity, refill, store=memory_store(clock), clock=clock)
    bucket.allow("k", capacity)  # empty it
    return math.ceil(bucket.allow("k", cost).retry_after)


@never_raises
def check_retry_after(answer: Any) -> Feedback:
    """Exercise 2: the Retry-After (whole seconds) for a 3-token request at an empty 10-token bucket refilled at 2/s."""
    seconds = as_number(answer)
    if seconds is None:
        return wrong_shape("a number of seconds", answer)
    right = _retry_after_for()
    if not seconds.is_integer():
        return failed(f"{seconds:g} is the exact wait, but Retry-After carries whole seconds (RFC 9110 section 10.2.3).")
    if seconds == right - 1:
        return failed("After 1 s the bucket holds 2 tokens; the request needs 3. Round the 1.5 s wait up, not down.")
    if seconds > 1e6 or seconds < 0:
        return failed(f"{_amount(seconds)} s is not it: the bucket refills 2 tokens every second and the request needs 3.")
    if seconds != right:
        return failed(f"{seconds:g} s is not it: 3 tokens at 2 per second take 1.5 s, sent as a whole number of seconds.")
    return passed(f"{right}: the exact wait is 1.5 s, rounded up so a client that obeys is not refused again.")


def _traces(seed: int = 3, count: int = 60) -> list[list[float]]:
    """Small targeted traces (where a bucket goes wrong), then generated ones shortest first, then three named ones."""
    rng = random.Random(seed)
    gaps = (0.0, 0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 1.0, 2.5)
    generated = []
    for n in range(count):
        t, times = 0.0, []
        for _ in range(1 + n // 2):
            t = round(t + rng.choice(gaps), 6)
            times.append(t)
        generated.append(times)
    # The edges a bucket gets wrong: a burst past capacity at one instant, the first refilled token, and a
    # long rest then a burst (a missing cap, or a cap applied after taking the token, admits an 11th).
    edges = [[0.0] * k for k in range(1, 12)] + [[0.0] * 10 + [0.1], [0.0] * 10 + [0.2], [0.0] * 10 + [0.2, 0.2]]
    rests = [[0.0] + [5.0] * 11, [0.0] * 10 + [5.0] * 11]
    named = [bursty(15, 2.0, 8), steady(8, 5), synthetic_trace()[:200]]
    return sorted(edges + rests, key=len) + sorted(generated, key=len) + named


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


def _why_refused(times: list[float], i: int, w) -> str:
    """Why the reference refuses request ``i``: no whole token, and after a rest, because the bucket is capped."""
    same_instant = sum(1 for t in times[:i] if t == times[i])
    if same_instant >= CAPACITY:
        return (f"the bucket holds at most {CAPACITY} tokens, however long it rested, and the {same_instant} requests "
                f"before it at t={times[i]:g} s took them all (cap the refill before taking a token)")
    return f"it holds less than one token then (the next one is {w.retry_after:.2f} s away)"


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
                              + (_why_refused(times, i, w) if g else f"it still holds {w.remaining + 1} whole token(s) before this request")
                              + f" (capacity {CAPACITY}, {REFILL:g} per second, starting full).")
    total = sum(sum(d.allowed for d in _reference_bucket(t)) for t in _traces())
    return passed(f"Your bucket agrees with the library's on all {len(_traces())} traces ({total} admissions).")


# Exercise 4 (design it): the limits of a public search API.
# The reviewer areas this question asks about; authentication (05) and idempotency and errors (04) come later.
CHECKED_AREAS = ("endpoints", "pagination", "rate-limiting", "flows")
REFUSED = Decision("what a refused client receives", r"\b429\b[^\n]*retry-after|retry-after[^\n]*\b429\b",
                   "a refused client gets 429 Too Many Requests with a Retry-After saying when to come back "
                   "(RFC 6585 section 4), both in one note.")
SEARCH_LIMITS = Brief(
    "search-limits",
    "A public search API: every caller has an API key; searches are cheap and bursty, exports are expensive and "
    "their status is polled. Design the endpoints and the rate limits.",
    flows=(Flow("search", ("GET",), r"/search"),
           Flow("start an export", ("POST",), r"/exports$"),
           Flow("see an export's status", ("GET",), r"/exports/\{\}$")),
    decisions=(Decision("the algorithm", r"token[- ]bucket|sliding|fixed[- ]window|gcra|leaky",
                        "which algorithm, and what it allows (bursts? a boundary spike?)."),
               Decision("the key", r"\b(per|by|keyed (by|on)|on|each)\s+(the\s+|its\s+|their\s+)?"
                                   r"(api[- ]?key|caller|client|account|customer|tenant|user)\b",
                        "whom a limit counts. Every caller has an API key, so count per API key: an IP puts "
                        "everyone behind one NAT or proxy in one bucket and lets one key spread over many addresses."),
               Decision("the export limit", r"\bexport.*\b(separate|own|cost|weight\w*|concurren\w*|in[- ]flight|lower|"
                                            r"stricter|smaller)\b|\b(separate|own|cost|weight\w*|concurren\w*|"
                                            r"in[- ]flight|lower|stricter|smaller)\b.*\bexport",
                        "exports are expensive, so they get their own limit: a separate, lower one (say 10 an hour "
                        "per key), a cost per export, or at most N in flight; one shared limit lets a burst of "
                        "exports spend what searches need."),
               REFUSED),
    checklist=CHECKED_AREAS)
TOLD_503 = ("503 is for an overloaded server; a refused client gets 429 with Retry-After (RFC 6585 section 4), "
            "so it knows the refusal is about its own rate and when to come back.")


def _for(answer: str) -> Brief:
    """The brief, with the 503 correction as the response's hint when the notes answer refusals with 503."""
    if re.search(r"\b503\b", answer) and not re.search(r"\b429\b", answer):
        decisions = tuple(replace(d, hint=TOLD_503) if d is REFUSED else d for d in SEARCH_LIMITS.decisions)
        return replace(SEARCH_LIMITS, decisions=decisions)
    return SEARCH_LIMITS


def check_search_limits_design(answer: Any) -> Feedback:
    """Exercise 4: a markdown design (table + notes) for the search-limits brief."""
    if unanswered(answer):
        return NOT_ANSWERED
    return never_raises(check_brief)(answer, _for(answer) if isinstance(answer, str) else SEARCH_LIMITS)
