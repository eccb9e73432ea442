"""Retries and deadlines down a chain of services: a retry budget, and a deadline passed down each call.

A request goes client -> service 1 -> service 2 -> ... -> the service at the bottom, which is down.
Each service retries what the one below answers. Two remedies, each run against the same chain:

- **A retry budget** (the SRE book's per-client retry budget, Finagle's ``RetryBudget``): a service
  retries only while its retries stay within a share of the requests it has received. This model
  counts *every* request since the service started, with no time window and no floor: a service
  that was busy before the outage has banked retries and spends them, and one that has received
  fewer than ``1 / ratio`` requests never retries. Finagle counts over a window (deposits expire
  after ``ttl``, 10 s by default) and adds a floor (``minRetriesPerSec``, 10 by default).
- **Deadline propagation** (gRPC's deadlines, sent down as ``grpc-timeout``): each call carries the
  time its caller has left; a service never starts a call, or a retry, that would end after it.
  Without it, each service works to its own timeout, and the services below keep working for a
  caller that has already given up. Neither version cancels a call already running: only new
  calls are stopped (real stacks also propagate cancellation).

Time is a ``FakeClock`` advanced by each call's latency and each backoff wait, so the counts are exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from .clock import FakeClock
from .resilience import within_retry_budget

FAILED, DEADLINE_EXCEEDED, OK = "503", "504", "200"


class RetryBudget:
    """One service's budget: retries allowed while they stay within ``ratio`` of all the requests it ever received."""

    def __init__(self, ratio: float):
        self.ratio, self.requests, self.retries = at_least(ratio, 0, "ratio"), 0, 0

    def allow_retry(self) -> bool:
        if not within_retry_budget(self.requests, self.retries, self.ratio):
            return False
        self.retries += 1
        return True


def calls_during_outage(requests: int, layers: int, attempts: int, budget_ratio: float | None,
                        served_before: int = 0) -> int:
    """Calls reaching the failed bottom service when ``requests`` arrive at the top of ``layers`` retrying services,
    after ``served_before`` requests that it answered while it was still up (the budgets count those too)."""
    whole_number(requests, 0, "requests"), whole_number(served_before, 0, "served_before")
    whole_number(layers, 1, "layers"), whole_number(attempts, 1, "attempts")
    calls, down = 0, False

    def bottom():
        nonlocal calls
        if not down:
            return OK
        calls += 1
        return FAILED
    call = bottom
    for _ in range(layers):
        call = _budgeted_layer(call, attempts, RetryBudget(budget_ratio) if budget_ratio is not None else None)
    for _ in range(served_before):
        call()
    down = True
    for _ in range(requests):
        call()
    return calls


def _budgeted_layer(below: Callable[[], str], attempts: int, budget: RetryBudget | None) -> Callable[[], str]:
    """A service that makes up to ``attempts`` tries in all, retrying within its ``budget`` if it has one."""
    def call() -> str:
        if budget:
            budget.requests += 1
        answer, tries = below(), 1
        while answer == FAILED and tries < attempts and (budget is None or budget.allow_retry()):
            answer, tries = below(), tries + 1
        return answer
    return call


@dataclass(frozen=True)
class ChainRun:
    """One request down the chain: calls at the bottom, how many began after the client gave up, when work ended."""

    bottom_calls: int
    after_client_gave_up: int
    work_ended: float  # seconds after the client's request, when the last call in the chain finished


def run_chain(*, propagate: bool, client_timeout: float, hop_timeout: float = math.inf, layers: int = 3,
              attempts: int = 3, latency: float = 0.1, backoff: float = 0.1) -> ChainRun:
    """One client request with ``client_timeout`` seconds, down ``layers`` retrying services to a bottom that fails.

    Without ``propagate`` each service works to its own ``hop_timeout`` (none by default); with it, to the time
    its caller has left."""
    whole_number(layers, 1, "layers"), whole_number(attempts, 1, "attempts")
    for name, value in (("latency", latency), ("backoff", backoff), ("hop_timeout", hop_timeout)):
        at_least(value, 0, name)
    if not client_timeout > 0:
        raise ValueError(f"client_timeout must be a positive number of seconds, not {client_timeout!r}")
    clock, started = FakeClock(0), []

    def bottom(timeout: float) -> str:
        started.append(clock.now())
        clock.advance(latency)
        return FAILED
    call = bottom
    for _ in range(layers):
        call = layer_with_deadline(call, clock, attempts, backoff, None if propagate else hop_timeout)
    call(client_timeout)
    late = sum(t >= client_timeout for t in started)
    return ChainRun(len(started), late, clock.now())


def layer_with_deadline(below: Callable[[float], str], clock: FakeClock, attempts: int, backoff: float,
                        own_timeout: float | None) -> Callable[[float], str]:
    """A service that retries with a fixed backoff, until its ``own_timeout``; if None, the time its caller has left."""
    def call(timeout: float) -> str:
        deadline = clock.now() + (timeout if own_timeout is None else own_timeout)
        for attempt in range(attempts):
            if clock.now() >= deadline:
                return DEADLINE_EXCEEDED  # fail fast: nobody is waiting for this answer any more
            answer = below(deadline - clock.now())  # the time left, passed down like grpc-timeout
            if answer != FAILED or attempt + 1 == attempts or clock.now() + backoff >= deadline:
                return answer
            clock.advance(backoff)
        return answer
    return call


def at_least(value: float, low: float, name: str) -> float:
    """``value`` if it is a number no smaller than ``low``; a ValueError naming the parameter otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value < low:
        raise ValueError(f"{name} must be a number of at least {low}, not {value!r}")
    return value


def whole_number(value: int, low: int, name: str) -> int:
    """``value`` if it is an integer no smaller than ``low``; a ValueError naming the parameter otherwise (2.0 too)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be a whole number of at least {low}, not {value!r}")
    return value
