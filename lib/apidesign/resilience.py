"""Failing well: retries with exponential backoff and full jitter, and a circuit breaker.

``retry(send, ...)`` calls ``send()`` until it gets an answer worth keeping:

* it retries only what may succeed next time: connection errors, 5xx (but not 501 or 505), and the 4xx that
  mean "not now" rather than "not this": 408 (RFC 9110 section 15.5.9), 425 (RFC 8470 section 5.2), 429
  (RFC 6585 section 4), and a 409 that carries ``Retry-After`` (this course's "still running, retry shortly");
* it retries only requests that are safe to repeat: idempotent methods (RFC 9110 section 9.2.2),
  or a POST or PATCH that carries an ``Idempotency-Key`` (the methods the draft names);
* it waits ``U(0, min(cap, base * 2**n))`` before retry n+1 ("full jitter", from AWS's
  *Exponential Backoff and Jitter*), or exactly what a ``Retry-After`` header asks for
  (seconds or an HTTP-date, RFC 9110 section 10.2.3), plus ``U(0, retry_after_spread)``
  so that clients told the same instant do not all come back at that instant;
* it stops after ``max_attempts`` attempts or when the next wait would pass ``max_elapsed``.

``CircuitBreaker`` (Nygard, *Release It!*) stops calling a dependency that keeps failing:
closed -> open after N consecutive failures; open fails fast until the cool-down ends;
half-open admits exactly M trial calls, and closes again only if all M succeed.

Clocks, sleeping and randomness are passed in, so tests and notebooks run on a fake clock.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import SimpleNamespace
from typing import Any, Callable, Mapping

import requests

from .clock import Clock, FakeClock, SystemClock, WallClock
from .errors import ApiDesignError

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})  # RFC 9110 section 9.2.2
CONNECTION_ERRORS = (ConnectionError, TimeoutError, requests.ConnectionError, requests.Timeout)


class RetriesExhausted(ApiDesignError):
    """Every allowed attempt failed with a connection error (the last one is ``__cause__``)."""

    def __init__(self, attempts: list["Attempt"]):
        super().__init__(f"gave up after {len(attempts)} attempts: {attempts[-1].outcome}")
        self.attempts = attempts


class CircuitOpen(ApiDesignError):
    """Fail fast: the circuit breaker is open, so the dependency was not called (Nygard, Release It!)."""

    def __init__(self, name: str, retry_after: float):
        super().__init__(f"circuit '{name}' is open; retry in {retry_after:.3g} s")
        self.name, self.retry_after = name, retry_after


# -- the retry policy -----------------------------------------------------------------

@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, the backoff curve (seconds), and a total time budget."""

    max_attempts: int = 5
    base: float = 0.1
    cap: float = 5.0
    max_elapsed: float = 30.0
    jitter: bool = True
    retry_after_spread: float = 0.0  # seconds of jitter added to a Retry-After; 0 obeys it to the instant

    def __post_init__(self):
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1 (the first try), not {self.max_attempts}")
        if min(self.base, self.cap, self.max_elapsed, self.retry_after_spread) < 0:
            raise ValueError("base, cap, max_elapsed and retry_after_spread are seconds, never negative")


def backoff_ceiling(policy: RetryPolicy, n: int) -> float:
    """The longest wait before retry n+1: ``min(cap, base * 2**n)``."""
    doublings = min(n, 1023)  # 2.0**1024 overflows a float; long before that any base is past any cap
    return min(policy.cap, policy.base * 2.0 ** doublings)


def backoff(policy: RetryPolicy, n: int, rng: random.Random) -> float:
    """The wait before retry n+1: uniform in [0, ceiling] with jitter, the ceiling itself without."""
    ceiling = backoff_ceiling(policy, n)
    return rng.uniform(0, ceiling) if policy.jitter else ceiling


def schedule(policy: RetryPolicy, rng: random.Random) -> list[float]:
    """The waits between ``max_attempts`` attempts, if every attempt fails without a Retry-After."""
    return [backoff(policy, n, rng) for n in range(policy.max_attempts - 1)]


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or HTTP-date); None if absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def retry_after_wait(asked: float, policy: RetryPolicy, rng: random.Random) -> float:
    """The wait a ``Retry-After`` asks for, plus ``U(0, retry_after_spread)``: never earlier than asked."""
    return asked + rng.uniform(0, policy.retry_after_spread) if policy.retry_after_spread else asked


KEYED_METHODS = frozenset({"POST", "PATCH"})  # made safe to repeat by an Idempotency-Key (the draft's abstract)


def retryable_request(method: str, headers: Mapping[str, str] | None = None) -> bool:
    """May this request be sent twice? Idempotent methods, or a POST or PATCH with an Idempotency-Key."""
    method = method.upper()
    has_key = any(k.lower() == "idempotency-key" for k in (headers or {}))
    return method in IDEMPOTENT_METHODS or (method in KEYED_METHODS and has_key)


NEVER_TRANSIENT = frozenset({501, 505})  # Not Implemented, HTTP Version Not Supported (RFC 9110 sections 15.6.2, 15.6.6)
NOT_NOW = frozenset({408, 425, 429})     # Request Timeout, Too Early, Too Many Requests: the same request, later


def retryable_status(status: int, headers: Mapping[str, str] | None = None) -> bool:
    """Can waiting fix this answer? 5xx except 501 and 505; 408, 425, 429; a 409 that says when (Retry-After)."""
    if status == 409:
        return any(k.lower() == "retry-after" for k in (headers or {}))
    return status in NOT_NOW or (500 <= status <= 599 and status not in NEVER_TRANSIENT)


@dataclass(frozen=True)
class Attempt:
    """One try: when it started (on the retry clock), what came back, and how long we then waited."""

    number: int
    started: float
    outcome: str        # "200", "503", or the connection error's class name
    wait: float | None  # None: no further attempt


@dataclass
class Retried:
    """The final response and every attempt that led to it."""

    response: Any
    attempts: list[Attempt] = field(default_factory=list)


def retry(send: Callable[[], Any], *, method: str = "GET", headers: Mapping[str, str] | None = None,
          policy: RetryPolicy = RetryPolicy(), rng: random.Random | None = None, clock: Clock | None = None,
          sleep: Callable[[float], Any] | None = None, wall_clock: Clock | None = None) -> Retried:
    """Call ``send()`` (returns something with ``status_code`` and ``headers``) until the answer is final.

    A final answer is returned (even a 503, once the budget is spent); if the last attempt
    raised a connection error, ``RetriesExhausted`` is raised from it. Production defaults:
    monotonic clock, ``time.sleep``, a fresh ``random.Random()``.
    """
    rng, clock = rng or random.Random(), clock or SystemClock()
    sleep, wall_clock = sleep or time.sleep, wall_clock or WallClock()
    allowed = policy.max_attempts if retryable_request(method, headers) else 1
    start, attempts = clock.now(), []
    for n in range(allowed):
        started = clock.now() - start
        response, error = _try(send)
        outcome = type(error).__name__ if error else str(response.status_code)
        wait = None
        if n + 1 < allowed and (error or retryable_status(response.status_code, response.headers)):
            asked = None if error else parse_retry_after(response.headers.get("Retry-After"), wall_clock.now())
            wait = retry_after_wait(asked, policy, rng) if asked is not None else backoff(policy, n, rng)
            if clock.now() - start + wait > policy.max_elapsed:
                wait = None
        attempts.append(Attempt(n + 1, started, outcome, wait))
        if wait is None:
            break
        sleep(wait)
    if error is not None:
        raise RetriesExhausted(attempts) from error
    return Retried(response, attempts)


def _try(send: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    try:
        return send(), None
    except CONNECTION_ERRORS as exc:
        return None, exc


class RetryingSession(requests.Session):
    """A ``requests.Session`` whose every request goes through ``retry``; ``.history`` lists the attempts."""

    def __init__(self, policy: RetryPolicy = RetryPolicy(), *, rng: random.Random | None = None,
                 clock: Clock | None = None, sleep: Callable[[float], Any] | None = None):
        super().__init__()
        self.policy, self.rng, self.clock, self.sleep = policy, rng or random.Random(), clock, sleep
        self.history: list[Attempt] = []

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        headers = {**self.headers, **(kwargs.get("headers") or {})}
        send = lambda: super(RetryingSession, self).request(method, url, *args, **kwargs)
        try:
            result = retry(send, method=method, headers=headers, policy=self.policy, rng=self.rng,
                           clock=self.clock, sleep=self.sleep)
        except RetriesExhausted as exc:
            self.history = exc.attempts
            raise
        self.history = result.attempts
        return result.response


# -- the thundering herd ------------------------------------------------------------------

def herd_load(clients: int, policy: RetryPolicy, rng: random.Random, *, recover_at: float,
              capacity: int, slot: float = 0.1, horizon: float = 20.0) -> list[int]:
    """Requests arriving per ``slot`` when ``clients`` retry against a server that is down until
    ``recover_at`` and then serves ``capacity`` requests per slot (the rest fail and retry)."""
    _check_simulation(clients, capacity, slot, horizon)
    pending = [(0.0, 0)] * clients  # (next attempt time, retries so far) per client
    load = [0] * int(horizon / slot)
    for i in range(len(load)):
        t = i * slot
        due = [p for p in pending if p[0] < t + slot]
        pending = [p for p in pending if p[0] >= t + slot]
        load[i] = len(due)
        served = capacity if t >= recover_at else 0
        for at, n in due[served:]:  # the herd never gives up: we are watching load, not success
            pending.append((max(at, t) + backoff(policy, n, rng), n + 1))
    return load


def retry_after_load(clients: int, retry_after: float, policy: RetryPolicy, rng: random.Random, *,
                     capacity: int, slot: float = 0.1, horizon: float = 20.0) -> list[int]:
    """Requests arriving per ``slot`` when ``clients`` arrive at once at a server that serves ``capacity``
    per slot and answers the rest ``Retry-After: retry_after``, which every client obeys via ``retry_after_wait``."""
    _check_simulation(clients, capacity, slot, horizon)
    pending = [0.0] * clients  # next attempt time per client
    load = [0] * int(horizon / slot)
    for i in range(len(load)):
        t = i * slot
        due = [at for at in pending if at < t + slot]
        pending = [at for at in pending if at >= t + slot]
        load[i] = len(due)
        for _ in due[capacity:]:
            pending.append(t + retry_after_wait(retry_after, policy, rng))
    return load


MAX_CLIENTS, MAX_SLOTS = 10_000, 10_000  # a simulation a widget can redraw in well under a second


def _check_simulation(clients: int, capacity: int, slot: float, horizon: float) -> None:
    if not 0 <= clients <= MAX_CLIENTS:
        raise ValueError(f"clients must be 0 to {MAX_CLIENTS}, not {clients}")
    if capacity < 0 or slot <= 0 or horizon <= 0:
        raise ValueError("capacity must be at least 0, and slot and horizon more than 0 seconds")
    if horizon / slot > MAX_SLOTS:
        raise ValueError(f"horizon / slot must be at most {MAX_SLOTS} slots, not {horizon / slot:g}")


# -- retries across layers, and a retry budget -------------------------------------------------

def calls_through_layers(layers: int, policy: RetryPolicy) -> int:
    """How many calls reach a service that is down when ``layers`` services stacked on it each ``retry`` with ``policy``."""
    clock, calls = FakeClock(0), 0

    def down():
        nonlocal calls
        calls += 1
        return SimpleNamespace(status_code=503, headers={})

    send = down
    for _ in range(layers):
        send = functools.partial(_layer, send, policy, clock)
    send()
    return calls


def _layer(send: Callable[[], Any], policy: RetryPolicy, clock: FakeClock) -> Any:
    """One service: retries what the service below answers, then passes its final answer up."""
    return retry(send, policy=policy, rng=random.Random(0), clock=clock, sleep=clock.advance, wall_clock=clock).response


def within_retry_budget(requests_sent: int, retries_sent: int, ratio: float = 0.1) -> bool:
    """May one more retry go out? Only while retries stay within ``ratio`` of first attempts (a retry budget)."""
    return retries_sent + 1 <= ratio * requests_sent


# -- the circuit breaker --------------------------------------------------------------------

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"


class CircuitBreaker:
    """Stop calling a failing dependency: closed -> open after ``failures`` in a row; open for
    ``cooldown`` seconds; then half-open, admitting exactly ``trials`` calls that must all succeed."""

    def __init__(self, *, failures: int = 5, cooldown: float = 30.0, trials: int = 1,
                 clock: Clock, name: str = "dependency"):
        if failures < 1 or trials < 1 or cooldown < 0:
            raise ValueError("failures and trials must be at least 1, and cooldown at least 0 seconds")
        self.failures, self.cooldown, self.trials, self.clock, self.name = failures, cooldown, trials, clock, name
        self._lock = threading.Lock()
        self._state, self._streak, self._opened_at = CLOSED, 0, 0.0
        self._generation = 0           # bumps on every transition: late results of old calls are ignored
        self._admitted = self._passed = 0
        self.transitions: list[tuple[float, str, str]] = []  # (time, from, to)
        self.calls = 0                 # calls actually made to the dependency

    @property
    def state(self) -> str:
        with self._lock:
            self._maybe_half_open()
            return self._state

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` if the breaker admits it, else ``CircuitOpen``; no lock is held while it runs."""
        generation = self._admit()
        try:
            result = fn(*args, **kwargs)
        except Exception:
            self._record(generation, ok=False)
            raise
        self._record(generation, ok=True)
        return result

    def _admit(self) -> int:
        with self._lock:
            self._maybe_half_open()
            if self._state == OPEN or (self._state == HALF_OPEN and self._admitted >= self.trials):
                raise CircuitOpen(self.name, max(0.0, self._opened_at + self.cooldown - self.clock.now()))
            if self._state == HALF_OPEN:
                self._admitted += 1
            self.calls += 1
            return self._generation

    def _record(self, generation: int, *, ok: bool) -> None:
        with self._lock:
            if generation != self._generation:
                return
            if self._state == HALF_OPEN:
                self._passed += ok
                if not ok:
                    self._move(OPEN)
                elif self._passed == self.trials:
                    self._move(CLOSED)
            elif self._state == CLOSED:
                self._streak = 0 if ok else self._streak + 1
                if self._streak >= self.failures:
                    self._move(OPEN)

    def _maybe_half_open(self) -> None:
        if self._state == OPEN and self.clock.now() >= self._opened_at + self.cooldown:
            self._move(HALF_OPEN)

    def _move(self, to: str) -> None:
        now = self.clock.now()
        self.transitions.append((now, self._state, to))
        self._state, self._generation = to, self._generation + 1
        self._streak = self._admitted = self._passed = 0
        if to == OPEN:
            self._opened_at = now

    def __repr__(self) -> str:
        return f"CircuitBreaker({self.name!r}, state={self.state!r})"
