"""Checks for the exercises of 04-idempotency-and-errors.

The cases are public; the verdicts come from the library (``resilience``, ``idempotency``) and
from the reference API, run by the check itself. Idempotency-Key semantics follow
draft-ietf-httpapi-idempotency-key-header-06, section 2.7 (section numbers are -06's, whose text the course
checked; -07 of October 2025 is the latest revision).
"""

from __future__ import annotations

import functools
import random
import re
from typing import Any

from ..clock import FakeClock
from ..errors import ApiError
from ..idempotency import MAX_KEY_LENGTH, IdempotencyStore, Record, answer_existing
from ..resilience import CircuitBreaker, RetryPolicy, backoff_ceiling, retryable_request, retryable_status
from ..server import create_app, credentials
from ..store import memory_store
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered
from .answers import (as_bool, as_int, as_list, as_mapping,
                      as_number, first_disagreement, key_problem, never_raises, own_function, wrong_shape)
from .briefs import Brief, Decision, Flow, check_brief, read_design

DRAFT = "draft-ietf-httpapi-idempotency-key-header-06"

# Exercise 1: the cases (names only); their parameters stay private, the verdicts come from the library.
RETRY_CASES = ("GET 503", "POST 503 without key", "POST 503 with key", "PUT 429", "DELETE 404",
               "POST 400 with key", "GET connection reset")
_RETRY_PARAMS = dict(zip(RETRY_CASES, [("GET", 503, False), ("POST", 503, False), ("POST", 503, True),
                                       ("PUT", 429, False), ("DELETE", 404, False), ("POST", 400, True),
                                       ("GET", None, False)]))


def _should_retry(method: str, status: int | None, has_key: bool) -> bool:
    """The course's rule: a retryable request (method, key) that met a retryable failure."""
    headers = {"Idempotency-Key": "k"} if has_key else {}
    return retryable_request(method, headers) and (status is None or retryable_status(status))


def _retry_why(method: str, status: int | None, key: bool) -> str:
    if status is not None and 400 <= status < 500 and not retryable_status(status):
        return ("this 4xx says the request itself is wrong, so sending it again gets the same answer; only the 4xx "
                "that mean 'not now' are retried: 408, 425, 429, and a 409 that carries Retry-After")
    if method == "POST" and not key:
        return "a POST without an Idempotency-Key may already have created the message; resending can duplicate it"
    return "this failure may be transient and the request is safe to repeat"


@never_raises
def check_should_retry(answer: Any) -> Feedback:
    """Exercise 1: a dict from each case in RETRY_CASES to True (retry) or False."""
    given = as_mapping(answer)
    if given is None:
        return wrong_shape(f"a dict whose keys are the cases {', '.join(RETRY_CASES)}, each True or False", answer)
    keys = key_problem(given, RETRY_CASES)
    if keys:
        return failed(keys)
    flags = {c: _as_flag(given[c]) for c in RETRY_CASES}
    unreadable = [c for c, f in flags.items() if f is None]
    if unreadable:
        return failed(f"'{unreadable[0]}': answer True or False, not {given[unreadable[0]]!r}.")
    wrong = [c for c in RETRY_CASES if flags[c] != _should_retry(*_RETRY_PARAMS[c])]
    if not wrong:
        return passed("retry only failures that waiting can fix (connection errors, 5xx except 501 and 505, and the "
                      "'not now' 4xx: 408, 425, 429, a 409 with Retry-After), and only requests safe to send twice.")
    reasons = [f"'{case}': you said {'retry' if flags[case] else 'do not retry'}, but {_retry_why(*_RETRY_PARAMS[case])}"
               for case in wrong]
    return failed(f"{len(wrong)} of {len(RETRY_CASES)} wrong. " + "; ".join(reasons) + ".")


def _as_flag(value: Any) -> bool | None:
    """A yes/no answer: what ``as_bool`` reads, and also the bool-like whole numbers 1 and 0."""
    flag = as_bool(value)
    if flag is None and not isinstance(value, str) and as_int(value) in (0, 1):
        return as_int(value) == 1
    return flag


CEILING_POLICY = RetryPolicy(base=0.1, cap=2.0)


@never_raises
def check_ceilings(answer: Any) -> Feedback:
    """Exercise 2: the longest waits before retries 1..7 for base 0.1 s, cap 2 s (a list of 7 numbers)."""
    values = as_list(answer)
    if values is None or len(values) != 7:
        return wrong_shape("a list of 7 numbers, the ceilings before retries 1 to 7", answer)
    expected = [backoff_ceiling(CEILING_POLICY, n) for n in range(7)]
    numbers = [as_number(v) for v in values]
    if None not in numbers and all(abs(got - 1000 * want) < 1e-6 for got, want in zip(numbers, expected)):
        return failed("these are the right ceilings in milliseconds; the answer is in seconds (base 0.1 s, cap 2 s).")
    for n, (got, want) in enumerate(zip(values, expected)):
        number = as_number(got)
        if number is None:
            return failed(f"before retry {n + 1} you gave {got!r}; each ceiling is a number of seconds.")
        if abs(number - want) > 1e-9:
            return failed(f"before retry {n + 1} you said {number:g}, but min(cap, base * 2**{n}) = "
                          f"min(2, 0.1 * {2 ** n}) = {want:g}.")
    return passed("the ceiling doubles from 0.1 s and stops at the 2 s cap; full jitter waits U(0, ceiling).")


TRIP_OUTCOMES, TRIP_FAILURES = "FFSFFFFF", 4  # F: the call failed, S: it succeeded


def _trip_call(outcomes: str = TRIP_OUTCOMES, failures: int = TRIP_FAILURES) -> int | None:
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


@never_raises
def check_trip_call(answer: Any) -> Feedback:
    """Exercise 3: the call (1-based, a whole number) after which the breaker is open."""
    call_number = as_int(answer)
    if call_number is None:
        return wrong_shape("the number of one call, 1 to 8", answer)
    expected = _trip_call()
    if call_number == expected:
        return passed(f"the success at call 3 resets the streak, so the 4th failure in a row is call {expected}.")
    if call_number == TRIP_OUTCOMES.index("F", 3) + 2:  # the 4th failure counted in total
        return failed(f"call {call_number} is the 4th failure in total, but the breaker counts *consecutive* failures: "
                      "the success at call 3 reset the streak.")
    if call_number == expected - 1:
        return failed(f"you said call {call_number}: that is the right call counted from 0, but calls are numbered "
                      "from 1 (the first call is call 1).")
    return failed(f"you said call {call_number}; count failures in a row, starting again after every success.")


# Exercise 4: the cases (questions only); the check sends them to the reference API itself.
STATUS_CASES = ("same key, same body, first request finished", "same key, same body, first request still running",
                "same key, different body", "a 300-character key")
_STATUS_WHY = {
    STATUS_CASES[0]: "a replay answers with the stored response, status and all (the draft, section 2.6)",
    STATUS_CASES[1]: ("the first is still running: the draft says the server SHOULD answer 409 Conflict (section 2.7); "
                      "this server adds Retry-After: 1 to say 'wait and retry'"),
    STATUS_CASES[2]: "a key reused with another payload SHOULD get 422 Unprocessable Content (section 2.7)",
    STATUS_CASES[3]: (f"{DRAFT} leaves the key's length to the server; this server accepts 1 to {MAX_KEY_LENGTH} "
                      "characters (Stripe's limit) and answers a key it cannot accept as a bad request"),
}


@functools.lru_cache(maxsize=1)
def _live_statuses() -> dict[str, int]:
    """Each case's status, measured on a fresh reference API (and the in-flight case on its idempotency store)."""
    app = create_app({"TESTING": True, "ID_SEED": 1})
    client = app.test_client()
    alice = dict(credentials(app, "usr_alice"))
    channel = client.post("/v1/channels", json={"name": "idem"}, headers=alice).get_json()["data"]["channelId"]

    def send(key: str, content: str = "hi"):
        return client.post(f"/v1/channels/{channel}/messages", json={"content": content},
                           headers={**alice, "Idempotency-Key": key}).status_code

    send("k1")
    finished, different, too_long = send("k1"), send("k1", "other"), send("k" * 300)
    clock = FakeClock(0)
    store = IdempotencyStore(memory_store(clock), clock)
    store.claim("s", "k", "same-body")
    return dict(zip(STATUS_CASES, [finished, _status_of(store.claim("s", "k", "same-body")), different, too_long]))


def _status_of(claim) -> int:
    try:
        return answer_existing(claim).status_code
    except ApiError as exc:
        return exc.status


@never_raises
def check_statuses(answer: Any) -> Feedback:
    """Exercise 4: a dict from each case in STATUS_CASES to the status code the send-message endpoint answers."""
    given = as_mapping(answer)
    if given is None:
        return wrong_shape(f"a dict from each of the {len(STATUS_CASES)} cases in exercises.STATUS_CASES to a status code",
                           answer)
    keys = key_problem(given, STATUS_CASES)
    if keys:
        return failed(keys)
    for case, want in _live_statuses().items():
        got = as_int(given.get(case))
        if got is None:
            return failed(f"'{case}': give a status code as a number, not {given.get(case)!r}.")
        if got != want:
            return failed(f"'{case}': you said {got}, the server answers {want}: {_STATUS_WHY[case]}.")
    return passed("a replay repeats the stored 201; 409 means wait; 422 means a new key is needed; 400 means fix the key.")


# Exercise 5 (implement it): the decision a server makes when a request arrives with a key.
LOCK_TTL = 30.0


def _reference_decision(record: dict | None, fingerprint: str, now: float) -> Any:
    """The library's decision: 'run', or the status of the answer (a replay's status, 409 or 422)."""
    clock = FakeClock(now)
    store = IdempotencyStore(memory_store(clock), clock, lock_ttl=LOCK_TTL)
    if record is not None:
        held = Record(record["state"], record["fingerprint"], record["deadline"], 1, record.get("status", 0))
        store.store.save(store.key("s", "k"), held.encode(), 10**6)
    claim = store.claim("s", "k", fingerprint)
    return "run" if claim.won else _status_of(claim)


def _decision_cases(seed: int = 4) -> list[tuple]:
    """(record, fingerprint, now) triples, simplest first: no record, finished, running, expired, other body."""
    rng = random.Random(seed)
    cases: list[tuple] = [(None, "a", 100.0)]
    for _ in range(40):
        state = rng.choice(("in_flight", "completed"))
        record = {"state": state, "fingerprint": rng.choice("ab"), "deadline": float(rng.choice((90, 100, 130))),
                  "status": rng.choice((201, 200, 500)) if state == "completed" else 0}
        cases.append((record, rng.choice("ab"), 100.0))
    return sorted(cases, key=lambda c: (c[0] is not None, c[0] and c[0]["state"] != "completed",
                                        c[0] and c[0]["fingerprint"] != c[1]))


@never_raises
def check_claim_decision(decide: Any) -> Feedback:
    """Exercise 5: a function decide(record, fingerprint, now) -> 'run', or the status code to answer."""
    problem = own_function(decide, "a function decide(record, fingerprint, now)")
    if problem is not None:
        return problem
    bad = first_disagreement(decide, _reference_decision, _decision_cases(), lambda yours, ours: (
        yours == ours if ours == "run" else as_int(yours) == ours))
    if bad is None:
        return passed(f"all {len(_decision_cases())} cases decided as the server does: run, replay, 409 or 422, "
                      "and an expired record is taken over.")
    record, fp, now = bad.case
    shown = f"decide({record!r}, {fp!r}, now={now:g})"
    if bad.error:
        return failed(f"{shown} raised {bad.error}.")
    return failed(f"{shown} returned {bad.yours!r}; the server's answer is {bad.reference!r}, because "
                  f"{_decision_why(record, fp, now)}.")


def _decision_why(record: dict | None, fp: str, now: float) -> str:
    if record is None:
        return "no record holds the key, so this request claims it and runs"
    if record["deadline"] <= now and record["state"] == "in_flight" and record["fingerprint"] != fp:
        return (f"the first request's lock expired at {record['deadline']:g}, but only a retry of the same request "
                "may take it over: a different body is the draft's 422")
    if record["deadline"] <= now:
        when = "has been reached" if record["deadline"] == now else "has passed"
        return (f"the record's deadline ({record['deadline']:g}) {when}, so the key is free to claim again "
                "(one generation up)")
    if record["fingerprint"] != fp:
        return "the key was used with a different body: the draft's 422, checked before anything else"
    if record["state"] == "in_flight":
        return "the first request with this key is still running: 409, retry later"
    return "the first request finished: replay its stored response, with its status"


# Exercise 6 (design it): a payments API.
RETENTION_WORDS = (r"\b(kept|keeps?|retain\w*|retention|expir\w*|ttl|remember\w*|forget\w*|forever|"
                   r"indefinitely|purged?)\b")
# A retry note names which failures it retries: "retries 503 and 429 ...", not just "a retry replays ...".
RETRY_POLICY = (r"\b(retr(y|ies)|backoff)\b[^.]*\b(5\d\d|5xx|4\d\d|4xx|server errors?|connection errors?|"
                r"every|all|any)\b")
PAYMENTS = Brief(
    "payments",
    "A payments API: a merchant creates a payment, looks it up, and refunds part of it. Clients retry on timeouts. "
    "The check wants: (1) no reviewer errors or warnings; (2) an endpoint for each flow: create (a POST, or a PUT "
    "to a client-chosen ID), look up (a GET), refund (a POST to a refunds collection or a :refund custom method); "
    "(3) three notes, each with its reason ('..., because ...'): idempotency; how long keys are kept, as a bounded "
    "duration that covers the client's retry horizon (at least 24 hours); which failures clients retry (only what "
    "waiting can fix, never a 4xx such as 400 or 422) and how they space the retries (backoff, jitter, Retry-After).",
    flows=(Flow("create a payment", ("POST", "PUT"), r"/payments$|/payments/\{\}$"),
           Flow("look up a payment", ("GET",), r"/payments/\{\}$"),
           Flow("refund a payment", ("POST",), r"/payments/\{\}/refunds?$|/refunds$|/payments/\{\}\{\}$", r"refund")),
    decisions=(Decision("idempotency", r"idempoten", "how a retried create or refund stays a single charge."),
               Decision("how long keys are kept", RETENTION_WORDS,
                        "how long the server remembers a key, and what a retry after that gets."),
               Decision("client retries", RETRY_POLICY,
                        "which failures a client retries (name them, e.g. connection errors, 503, 429), "
                        "and how it spaces the retries.")))

RETENTION_FLOOR_HOURS = 24  # a phone's outbox resends after a reconnect, hours later; Stripe keeps keys 24 h
_HOURS_PER = {"s": 1 / 3600, "m": 1 / 60, "h": 1, "d": 24, "w": 168, "mo": 720, "y": 8760}  # by the unit's start
_DURATION = re.compile(r"\b(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|"
                       r"months?|y|years?)\b", re.I)
_UNBOUNDED = re.compile(r"\b(forever|indefinitely|permanently|never (expire|deleted|removed|forgotten)\w*)\b", re.I)
_NEGATION = re.compile(r"\b(not|never|no|except|without|but|don't|nor)\b", re.I)


def _hours(text: str) -> list[float]:
    """Every duration written in ``text``, in hours."""
    return [float(n) * _HOURS_PER[unit[:2].lower() if unit.lower().startswith("mo") else unit[0].lower()]
            for n, unit in _DURATION.findall(text)]


def _retention_problem(notes: list[str]) -> str | None:
    """Why the stated retention cannot work, or None: it must be bounded and outlast the client's retries."""
    said = [n for n in notes if re.search(RETENTION_WORDS, n, re.I)]
    if any(_UNBOUNDED.search(n) for n in said):
        return ("keys kept forever make the store grow without bound (requests per second times forever), and the "
                "draft wants a published expiry (section 2.3): state a bounded retention, e.g. 24 hours")
    hours = [h for n in said for h in _hours(n)]
    if not hours:
        return "say how long keys are kept, as a duration (e.g. 24 hours), so clients know their retry horizon"
    if max(hours) < RETENTION_FLOOR_HOURS:
        longest = max(hours)
        said_as = f"{longest * 60:g} minutes" if longest < 1 else f"{longest:g} hours"
        return (f"{said_as} is shorter than a client's retry horizon: an app that resends from its "
                "outbox after a reconnect, hours later, would find its key forgotten and pay twice; keep keys at "
                f"least {RETENTION_FLOOR_HOURS} hours")
    return None


def _retried_codes(note: str) -> tuple[list[str], bool]:
    """The status codes (and whether 'every failure') a note says to retry, ignoring what follows a negation."""
    positive = " ".join(_NEGATION.split(clause)[0] for clause in re.split(r"[;,()]", note))
    codes = re.findall(r"\b([45]\d\d|4xx)\b", positive, re.I)
    everything = re.search(r"\b(every|all|any)\b[^.]*\b(fail\w*|errors?|requests?)\b", positive, re.I)
    return codes, everything is not None


def _retry_problem(notes: list[str]) -> str | None:
    """Why the stated retry policy is unsafe or incomplete, or None."""
    said = [n for n in notes if re.search(RETRY_POLICY, n, re.I)]
    wrong, everything = set(), False
    for note in said:
        codes, all_of_them = _retried_codes(note)
        everything |= all_of_them
        wrong |= {c for c in codes if c.lower() == "4xx" or not retryable_status(
            int(c), {"Retry-After": "1"} if re.search(r"retry-after", note, re.I) else {})}
    rule = ("The chapter's rule: retry connection errors, 5xx except 501 and 505, and the 'not now' 4xx (408, 425, "
            "429, a 409 with Retry-After); never another 4xx, which says the request itself is wrong and fails the "
            "same way again")
    if everything or wrong:
        named = f" ({', '.join(sorted(wrong))})" if wrong else ""
        return f"the retry note retries failures waiting cannot fix{named}. {rule}"
    if not any(re.search(r"backoff|jitter|retry-after|exponential", n, re.I) for n in said):
        return "say how retries are spaced: exponential backoff with full jitter, and honour Retry-After"
    return None


def check_payments_design(answer: Any) -> Feedback:
    """Exercise 6: a markdown design (table + notes) for the payments brief."""
    if unanswered(answer):
        return NOT_ANSWERED
    return never_raises(_check_payments_design)(answer)


def _check_payments_design(answer: Any) -> Feedback:
    verdict = check_brief(answer, PAYMENTS)
    if not verdict.ok:
        return verdict
    notes = [n.text for n in read_design(answer)[0].notes]
    problems = [p for p in (_retention_problem(notes), _retry_problem(notes)) if p]
    if problems:
        return failed("; and ".join(problems) + ".")
    return verdict
