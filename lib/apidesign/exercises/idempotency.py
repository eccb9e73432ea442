"""Checks for the exercises of 04-idempotency-and-errors."""

from __future__ import annotations

from typing import Any

from ..clock import FakeClock
from ..resilience import CircuitBreaker, RetryPolicy, backoff_ceiling, retryable_request, retryable_status
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered

# (method, status or "connection error", has an Idempotency-Key?) for exercise 1
RETRY_CASES = {
    "GET 503": ("GET", 503, False),
    "POST 503 without key": ("POST", 503, False),
    "POST 503 with key": ("POST", 503, True),
    "PUT 429": ("PUT", 429, False),
    "DELETE 404": ("DELETE", 404, False),
    "POST 400 with key": ("POST", 400, True),
    "GET connection reset": ("GET", None, False),
}


def should_retry(method: str, status: int | None, has_key: bool) -> bool:
    """The course's rule: a retryable request (method, key) that met a retryable failure."""
    headers = {"Idempotency-Key": "k"} if has_key else {}
    return retryable_request(method, headers) and (status is None or retryable_status(status))


def check_should_retry(answer: Any) -> Feedback:
    """Exercise 1: a dict from each case in ``RETRY_CASES`` to True (retry) or False."""
    if unanswered(answer):
        return NOT_ANSWERED
    if not isinstance(answer, dict) or set(answer) != set(RETRY_CASES):
        return failed(f"answer with a dict whose keys are exactly: {', '.join(RETRY_CASES)}.")
    wrong = [case for case, args in RETRY_CASES.items() if bool(answer[case]) != should_retry(*args)]
    if not wrong:
        return passed("retry only failures that waiting can fix (5xx, 429, connection errors), "
                      "and only requests that are safe to send twice.")
    case = wrong[0]
    method, status, key = RETRY_CASES[case]
    why = ("a POST without an Idempotency-Key may already have created the message; resending can duplicate it"
           if method == "POST" and not key and status != 400 else
           "a 4xx other than 429 says the request itself is wrong; sending it again gets the same answer"
           if status is not None and 400 <= status < 500 and status != 429 else
           "this failure may be transient and the request is safe to repeat")
    return failed(f"{len(wrong)} of {len(RETRY_CASES)} wrong, e.g. '{case}': you said "
                  f"{'retry' if answer[case] else 'do not retry'}, but {why}.")


CEILING_POLICY = RetryPolicy(base=0.1, cap=2.0)


def check_ceilings(answer: Any) -> Feedback:
    """Exercise 2: the longest waits before retries 1..7 for base 0.1 s, cap 2 s (a list of 7 numbers)."""
    if unanswered(answer):
        return NOT_ANSWERED
    expected = [backoff_ceiling(CEILING_POLICY, n) for n in range(7)]
    if not isinstance(answer, (list, tuple)) or len(answer) != 7:
        return failed("answer with a list of 7 numbers, the ceilings before retries 1 to 7.")
    for n, (got, want) in enumerate(zip(answer, expected)):
        if abs(float(got) - want) > 1e-9:
            return failed(f"before retry {n + 1} you said {got}, but min(cap, base * 2**{n}) = "
                          f"min(2, 0.1 * {2 ** n}) = {want:g}.")
    return passed("the ceiling doubles from 0.1 s and stops at the 2 s cap; full jitter waits U(0, ceiling).")


TRIP_OUTCOMES = "FFSFFFFF"  # F: the call failed, S: it succeeded
TRIP_FAILURES = 4


def trip_call(outcomes: str = TRIP_OUTCOMES, failures: int = TRIP_FAILURES) -> int | None:
    """The 1-based call after which a real ``CircuitBreaker`` is open, or None if it never opens."""
    breaker = CircuitBreaker(failures=failures, cooldown=60, clock=FakeClock())
    for i, outcome in enumerate(outcomes, start=1):
        try:
            breaker.call(lambda: None if outcome == "S" else 1 / 0)
        except ZeroDivisionError:
            pass
        if breaker.state == "open":
            return i
    return None


def check_trip_call(answer: Any) -> Feedback:
    """Exercise 3: after which call does a breaker with failures=4 open, on outcomes F F S F F F F F?"""
    if unanswered(answer):
        return NOT_ANSWERED
    expected = trip_call()
    if answer == expected:
        return passed(f"the success at call 3 resets the streak, so the 4th failure in a row is call {expected}.")
    if answer == 5:
        return failed("call 5 is the 4th failure in total, but the breaker counts *consecutive* failures: "
                      "the success at call 3 reset the streak.")
    return failed(f"you said call {answer}; count failures in a row, starting again after every success.")


STATUS_CASES = {
    "same key, same body, first request finished": 201,
    "same key, same body, first request still running": 409,
    "same key, different body": 422,
    "a 300-character key": 400,
}


def check_statuses(answer: Any) -> Feedback:
    """Exercise 4: the status the send-message endpoint answers in each case of ``STATUS_CASES``."""
    if unanswered(answer):
        return NOT_ANSWERED
    if not isinstance(answer, dict) or set(answer) != set(STATUS_CASES):
        return failed(f"answer with a dict whose keys are exactly the {len(STATUS_CASES)} cases in STATUS_CASES.")
    for case, want in STATUS_CASES.items():
        if answer[case] != want:
            return failed(f"'{case}': you said {answer[case]}, the draft's answer is {want}.")
    return passed("a replay repeats the stored 201; 409 means wait; 422 means a new key is needed; 400 means fix the key.")
