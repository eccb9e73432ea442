"""Sending webhooks (Standard Webhooks 1.0.0): sign each event, POST it, and retry until it lands or we give up.

Inventory of concepts:

* endpoint: a URL, the event types it wants and a signing secret -> ``Endpoint``, ``webhooks.new_secret()``
* event payload: ``{"type", "timestamp", "data"}``, serialised once -> ``event_body()``
* signed request: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature`` -> ``signed_headers()``
* delivery: one event to one endpoint, with its attempts -> ``Delivery``, ``Deliveries.queue()``
* retry schedule: exponential backoff with full jitter, bounded -> ``resilience.backoff``, ``Deliveries.run_due(now)``

Every attempt signs the same body again with the attempt's own timestamp, and keeps the same
``webhook-id``: the receiver checks the signature and the age, and deduplicates by the ID.
A delivery is a success on any 2xx; a non-2xx answer, a timeout or a connection error is retried
after ``U(0, min(cap, base * 2**n))`` seconds, until ``max_attempts`` or ``max_elapsed`` runs out.
Time is passed in (``run_due(now)``), so tests and notebooks step a fake clock; a live server sends
on a background thread (``start()`` / ``stop()``), in rounds that take one delivery per owner, owners in
turn (``send_round``), so one user's slow receivers delay anyone else's delivery by about one attempt, not
by their whole queue. Each attempt is bounded by ``outbound.post``'s total deadline.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

import requests

from . import outbound
from .clock import Clock, FakeClock
from .resilience import RetryPolicy, backoff
from .ssrf import UnsafeTarget, check_target
from .ssrf import resolve as resolve_host
from .webhooks import sign

# Six attempts, the waits' ceilings 2, 4, 8, 16, 32 s. Production senders stretch theirs over a day or more.
RETRY = RetryPolicy(max_attempts=6, base=2.0, cap=300.0, max_elapsed=3600.0)
TIMEOUT = 2.0  # seconds one attempt may take in all; Standard Webhooks asks receivers to answer fast, work later

Send = Callable[[str, Mapping[str, str], bytes], int]  # (url, headers, body) -> HTTP status; raises on no answer
NO_ANSWER = (requests.RequestException, *outbound.NO_ANSWER)  # timeouts and connection errors (requests: fakes' kind)


@dataclass(frozen=True)
class Endpoint:
    """Where one subscriber wants events: its URL, the event types it asked for, and the secret we sign with."""

    endpoint_id: str
    owner: str
    url: str
    event_types: tuple[str, ...]
    secret: str = field(repr=False)  # kept in the clear, unlike an API key's hash: signing needs the key itself
    created_at: str


@dataclass(frozen=True)
class Attempt:
    """One try at a delivery: when, and what came of it (``"204"``, ``"503"``, ``"TimeoutError"``, ``"refused: ..."``)."""

    number: int
    at: float
    outcome: str


@dataclass(frozen=True)
class Delivery:
    """One event on its way to one endpoint: ``pending`` until due, then ``delivered`` or ``failed``."""

    webhook_id: str
    endpoint: Endpoint
    body: bytes
    due_at: float
    state: str = "pending"
    attempts: tuple[Attempt, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return self.webhook_id, self.endpoint.endpoint_id


def event_body(event_type: str, data: Mapping[str, Any], timestamp: str) -> bytes:
    """The payload every attempt signs: ``{"type", "timestamp", "data"}`` as compact JSON bytes."""
    return json.dumps({"type": event_type, "timestamp": timestamp, "data": data}, separators=(",", ":")).encode()


def signed_headers(secret: str, webhook_id: str, now: float, body: bytes) -> dict[str, str]:
    """The request headers of one attempt at ``now``: the three Standard Webhooks headers, and the body's type."""
    timestamp = int(now)
    return {"content-type": "application/json", "webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, webhook_id, timestamp, body)}


def http_send(*, allow_private: bool, timeout: float = TIMEOUT, resolve=resolve_host) -> Send:
    """POST over HTTP after the SSRF check (``ssrf.check_target``), within ``timeout`` seconds in all, and return the
    answer's status (``outbound.post``); redirects are not followed: a 3xx is a failure."""
    def send(url: str, headers: Mapping[str, str], body: bytes) -> int:
        check_target(url, allow_private=allow_private, resolve=resolve)
        return outbound.post(url, body, headers, deadline=timeout).status
    return send


class Deliveries:
    """The sender's queue: each delivery waits until due, is attempted, and is retried or given up."""

    def __init__(self, send: Send, *, clock: Clock, policy: RetryPolicy = RETRY, rng: random.Random | None = None):
        self.send, self.clock, self.policy = send, clock, policy
        self.rng = rng or random.Random()
        self.deliveries: dict[tuple[str, str], Delivery] = {}
        self.lock = threading.Lock()         # guards ``deliveries``
        self.one_runner = threading.Lock()   # one ``run_due`` or round at a time: no delivery attempted twice at once
        self.turns = outbound.Turns()        # the background sender's rounds: one delivery per owner, in turn
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()       # a new one for each thread started, which it keeps

    def queue(self, endpoint: Endpoint, webhook_id: str, body: bytes, now: float) -> Delivery:
        """A new delivery of ``body`` to ``endpoint``, due at once."""
        delivery = Delivery(webhook_id, endpoint, body, due_at=now)
        with self.lock:
            self.deliveries[delivery.key] = delivery
        return delivery

    def due(self, now: float) -> list[Delivery]:
        """The pending deliveries whose time has come, oldest first."""
        with self.lock:
            return sorted((d for d in self.deliveries.values() if d.state == "pending" and d.due_at <= now),
                          key=lambda d: d.due_at)

    def run_due(self, now: float) -> list[Delivery]:
        """Attempt every delivery due at ``now``; return each as it now stands."""
        with self.one_runner:
            return [self._record(self.attempt(delivery, now)) for delivery in self.due(now)]

    def attempt(self, delivery: Delivery, now: float) -> Delivery:
        """``delivery`` after one more attempt at ``now``: delivered, pending again with its next time, or failed."""
        number = len(delivery.attempts) + 1
        headers = signed_headers(delivery.endpoint.secret, delivery.webhook_id, now, delivery.body)
        try:
            status = self.send(delivery.endpoint.url, headers, delivery.body)
            outcome = str(status)
        except UnsafeTarget as refused:  # waiting will not make the address public: no retry
            status, outcome = None, f"refused: {refused}"
        except NO_ANSWER as exc:
            status, outcome = None, type(exc).__name__
        tried = replace(delivery, attempts=(*delivery.attempts, Attempt(number, now, outcome)))
        if status is not None and 200 <= status <= 299:
            return replace(tried, state="delivered")
        if outcome.startswith("refused"):
            return replace(tried, state="failed")
        return self.retry_or_give_up(tried, now)

    def run_until_settled(self, clock: FakeClock) -> list[Delivery]:
        """Attempt what is due, move the fake ``clock`` on to the next retry, and so on until nothing is pending;
        each delivery that was pending, as it ended (delivered or failed)."""
        keys = [d.key for d in self.due(float("inf"))]
        while pending := self.due(float("inf")):
            clock.set(max(clock.now(), pending[0].due_at))
            self.run_due(clock.now())
        return [d for d in map(self.get, *zip(*keys)) if d is not None] if keys else []

    def retry_or_give_up(self, delivery: Delivery, now: float) -> Delivery:
        """Pending again after a full-jitter wait, or failed when the policy's attempts or time run out."""
        n = len(delivery.attempts)
        next_at = now + backoff(self.policy, n - 1, self.rng)
        if n >= self.policy.max_attempts or next_at - delivery.attempts[0].at > self.policy.max_elapsed:
            return replace(delivery, state="failed")
        return replace(delivery, due_at=next_at)

    def _record(self, delivery: Delivery) -> Delivery:
        with self.lock:
            if delivery.key in self.deliveries:  # unless its endpoint was deleted meanwhile
                self.deliveries[delivery.key] = delivery
        return delivery

    def cancel(self, endpoint_id: str) -> int:
        """Drop every delivery to ``endpoint_id`` (the endpoint was deleted); how many were still pending."""
        with self.lock:
            gone = [key for key in self.deliveries if key[1] == endpoint_id]
            pending = sum(self.deliveries.pop(key).state == "pending" for key in gone)
        return pending

    def get(self, webhook_id: str, endpoint_id: str) -> Delivery | None:
        with self.lock:
            return self.deliveries.get((webhook_id, endpoint_id))

    def send_round(self, stop: threading.Event | None = None) -> list[Delivery]:
        """One round of the background sender: each owner's oldest due delivery, owners in turn (``outbound.Turns``),
        each attempted at the clock's time then; the round ends early once ``stop`` is set."""
        with self.one_runner:
            sent = []
            for delivery in self.turns.next_round(self.due(self.clock.now()), owner=lambda d: d.endpoint.owner):
                if stop is not None and stop.is_set():
                    break
                sent.append(self._record(self.attempt(delivery, self.clock.now())))
            return sent

    def start(self, interval: float = 0.05) -> None:
        """Send a round every ``interval`` seconds on a background thread, until ``stop()``."""
        if not self.running:
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._loop, args=(interval, self._stop),
                                            name="apidesign-webhooks", daemon=True)
            self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the background thread is delivering."""
        return self._thread is not None and self._thread.is_alive()

    def _loop(self, interval: float, stop: threading.Event) -> None:
        while not stop.wait(interval):
            self.send_round(stop)

    def stop(self, timeout: float | None = None) -> None:
        """End the background thread: no new attempt starts, and the one in flight, if any, ends by its deadline.

        Wait at most ``timeout`` seconds for that (None: until it ends). A thread still in its attempt then is left
        to finish it on its own (it is a daemon, and its stop event stays set), and a new ``start()`` gets a new
        thread, so ``serve()``'s stop() is never held longer than it allows, whatever the receivers do.
        """
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
