"""Getting new chat messages to a client: short polling, long polling, SSE and WebSockets.

A deterministic model on one seeded stream of messages, so the comparison prints the same
numbers on every run (the notebook also runs SSE and WebSockets for real against the API).

Assumptions: a request takes ``rtt / 2`` to reach the server and a response ``rtt / 2``
to come back; the server answers instantly; a streaming connection (SSE, WebSocket) is
already open when the first message arrives and pushes each message the moment it exists.
Latency is from the message existing on the server to the client having it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from statistics import mean

MAX_REQUESTS = 1_000_000  # a model run that would take more requests than this is a mistake in its inputs


def check_inputs(arrivals: list[float], rtt: float) -> None:
    """Raise ValueError unless there is at least one message, at a time >= 0, and the round trip is >= 0."""
    if not arrivals:
        raise ValueError("no messages: give at least one arrival time")
    if min(arrivals) < 0 or not rtt >= 0:
        raise ValueError(f"arrival times and rtt must be >= 0 (rtt={rtt!r}, earliest arrival={min(arrivals)!r})")


def check_request_count(requests: float, what: str) -> None:
    """Raise ValueError when a model run would make more than ``MAX_REQUESTS`` requests (a tiny interval or hold)."""
    if requests > MAX_REQUESTS:
        raise ValueError(f"{what} would make about {requests:,.0f} requests; the model stops at {MAX_REQUESTS:,}")


@dataclass(frozen=True)
class Delivery:
    """How one strategy did on a stream of messages: per-message latency and HTTP requests made."""

    strategy: str
    latencies: tuple[float, ...]
    requests: int

    @property
    def mean_latency(self) -> float:
        return mean(self.latencies)

    @property
    def worst_latency(self) -> float:
        return max(self.latencies)

    @property
    def requests_per_message(self) -> float:
        return self.requests / len(self.latencies)


def message_times(count: int, per_second: float, rng: random.Random) -> list[float]:
    """Arrival times of ``count`` messages, a Poisson stream of ``per_second`` messages per second."""
    if count < 0 or not per_second > 0:
        raise ValueError(f"count must be >= 0 and per_second > 0, got count={count!r}, per_second={per_second!r}")
    t, times = 0.0, []
    for _ in range(count):
        t += rng.expovariate(per_second)
        times.append(t)
    return times


def short_polling(arrivals: list[float], interval: float, rtt: float) -> Delivery:
    """Ask every ``interval`` seconds; each answer carries whatever arrived before the ask reached the server."""
    check_inputs(arrivals, rtt)
    if not interval > 0:
        raise ValueError(f"the polling interval must be > 0 seconds, got {interval!r}")
    check_request_count(max(arrivals) / interval, f"polling every {interval:g} s")
    latencies, requests, pending = [], 0, sorted(arrivals)
    sent = 0.0
    while pending:
        requests += 1
        seen = sent + rtt / 2
        latencies += [sent + rtt - a for a in pending if a <= seen]
        pending = [a for a in pending if a > seen]
        sent += interval
    return Delivery(f"short polling every {interval:g} s", tuple(latencies), requests)


def long_polling(arrivals: list[float], rtt: float, hold: float = 30.0) -> Delivery:
    """The server holds each request until a message exists (or ``hold`` passes); the client asks again at once."""
    check_inputs(arrivals, rtt)
    if not hold > 0:
        raise ValueError(f"the server must hold a request for > 0 seconds, got hold={hold!r}")
    # each request either delivers a message or lasts hold + rtt
    check_request_count(len(arrivals) + max(arrivals) / (hold + rtt), f"long polling with hold={hold:g} s")
    latencies, requests, pending = [], 0, sorted(arrivals)
    sent = 0.0
    while pending:
        requests += 1
        reached = sent + rtt / 2
        answered = min(max(reached, pending[0]), reached + hold)
        latencies += [answered + rtt / 2 - a for a in pending if a <= answered]
        pending = [a for a in pending if a > answered]
        sent = answered + rtt / 2
    return Delivery("long polling", tuple(latencies), requests)


def streaming(arrivals: list[float], rtt: float, strategy: str) -> Delivery:
    """SSE or WebSocket: one request opens the stream, then each message is pushed as it arrives."""
    check_inputs(arrivals, rtt)
    return Delivery(strategy, tuple(rtt / 2 for _ in arrivals), 1)


def compare(arrivals: list[float], rtt: float, intervals=(1.0, 5.0, 15.0)) -> list[Delivery]:
    """Every strategy on the same messages: short polling at each interval, long polling, SSE, WebSocket."""
    return ([short_polling(arrivals, i, rtt) for i in intervals]
            + [long_polling(arrivals, rtt), streaming(arrivals, rtt, "SSE"), streaming(arrivals, rtt, "WebSocket")])
