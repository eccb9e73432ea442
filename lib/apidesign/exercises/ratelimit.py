"""Checks for the exercises in 03-rate-limiting."""

from __future__ import annotations

from typing import Callable, Sequence

from ..ratelimit import TokenBucket
from ..ratelimit.simulate import admitted, bursty, replay, steady, synthetic_trace
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered

# Exercise 3's bucket: 10 tokens, 5 per second.
CAPACITY, REFILL = 10, 5.0


def check_boundary_burst(answer: int) -> Feedback:
    """Exercise 1: the most requests a fixed window of 100 per 60 s admits within 2 seconds."""
    if unanswered(answer):
        return NOT_ANSWERED
    if answer == 100:
        return failed("100 holds inside one window, but a 2-second span can straddle a boundary: "
                      "100 in the last second of one window and 100 more in the first second of the next.")
    if answer != 200:
        return failed(f"{answer} is not it: each aligned window admits up to 100, and 2 seconds can touch two windows.")
    return passed("200: the limit twice over, one window's worth on each side of the boundary.")


def check_retry_after(answer: int) -> Feedback:
    """Exercise 2: the Retry-After for a 3-token request at an empty bucket that refills 2 tokens per second."""
    if unanswered(answer):
        return NOT_ANSWERED
    if isinstance(answer, float) and not answer.is_integer():
        return failed(f"{answer} is the exact wait, but Retry-After carries whole seconds (RFC 9110 section 10.2.3).")
    if answer == 1:
        return failed("After 1 s the bucket holds 2 tokens; the request needs 3. Round the 1.5 s wait up, not down.")
    if answer != 2:
        return failed(f"{answer} s is not it: 3 tokens at 2 per second take 1.5 s, sent as a whole number of seconds.")
    return passed("2: the exact wait is 1.5 s, rounded up so a client that obeys is not refused again.")


def _traces() -> list[tuple[str, list[float]]]:
    return [("bursts of 15 every 2 s", bursty(15, 2.0, 8)), ("a steady 8 per second", steady(8, 5)),
            ("the seeded trace", synthetic_trace()[:200])]


def check_token_bucket(allowed: Callable[[Sequence[float]], Sequence[bool]]) -> Feedback:
    """Exercise 3: a learner's ``allowed(times) -> [bool]`` for a bucket of 10 tokens refilled at 5 per second."""
    if unanswered(allowed):
        return NOT_ANSWERED
    reference = lambda **kw: TokenBucket(CAPACITY, REFILL, **kw)  # noqa: E731
    for name, times in _traces():
        want = [o.allowed for o in replay(reference, times)]
        got = list(allowed(times))
        if len(got) != len(times):
            return failed(f"On {name} you returned {len(got)} verdicts for {len(times)} requests: one per request.")
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                yours, ours = (sum(ok for ok, t in zip(v, times) if t < 1.0) for v in (got, want))
                if yours > ours:
                    return failed(f"Your limiter admitted {yours} requests in the first second of {name}; "
                                  f"a bucket of capacity {CAPACITY} refilled at {REFILL:g}/s admits {ours} there.")
                verb = "admitted" if g else "refused"
                return failed(f"On {name}, request {i} at t={times[i]:g} s: you {verb} it; the bucket "
                              f"{'had no token for it' if g else 'had a token for it'}.")
    total = sum(len(admitted(replay(reference, t))) for _, t in _traces())
    return passed(f"Your bucket agrees with the library's on all three traces ({total} admissions).")
