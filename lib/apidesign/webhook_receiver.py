"""Receiving webhooks safely: verify the signature and the age, then handle each ``webhook-id`` once.

Three things reach a receiver besides the real, first delivery, and each has its own defence:

* a **retry** of a delivery it already handled (its 2xx was lost, so the sender tried again): same
  ``webhook-id``, new timestamp, valid signature -> answer 2xx again, so the sender stops, but do nothing;
* a **replay**: someone who captured a delivery sends the very same bytes later. The signature still
  matches. Two defences stop it, each in its own window: while the receiver still remembers the
  ``webhook-id``, deduplication does (Standard Webhooks: the ID lets a consumer process an event once
  "even if sent multiple times maliciously"); once the ID is forgotten, or at a receiver that never
  deduplicates, only the timestamp does: older than the tolerance (5 minutes) -> refused. ``replays()``
  shows each window;
* a **tampered** body: the signature covers ``id.timestamp.body``, so any change -> refused.

That is why a shared "API key for webhooks" (a secret in a header) is weaker than signing: it
proves the sender knew the key, but not that the body is the one the sender sent, nor when it was sent,
and it travels in every request, so anyone who sees one request can send any body with it forever.

``defences()`` runs all three through the reference API's real sender, on a fake clock, with
``DEMO_RETRY``'s schedule (a first retry within a minute, not the library's 2 seconds).
"""

from __future__ import annotations

import itertools
import json
import math
import threading
from dataclasses import dataclass
from typing import Mapping

import requests
from flask import Flask, request

from .clock import Clock, FakeClock, WallClock
from .resilience import RetryPolicy
from .server import create_app, credentials
from .webhooks import TOLERANCE, WebhookVerificationError, verify


@dataclass(frozen=True)
class Verdict:
    """What the receiver made of one request: the status it answers, and why."""

    status: int       # 2xx tells the sender to stop retrying
    outcome: str      # "accepted", "duplicate" or "rejected"
    reason: str = ""
    webhook_id: str = ""


class Receiver:
    """Verifies each webhook (``webhooks.verify``), then handles each ``webhook-id`` once; ``events`` holds the handled.

    ``remember``: seconds a handled ID is kept (None: for ever; 0: not at all, no deduplication).
    ``tolerance``: ``math.inf`` checks no age at all. Both exist to show what each defence does alone.
    """

    def __init__(self, secret: str, tolerance: float = TOLERANCE, remember: float | None = None):
        self.secret, self.tolerance, self.remember = secret, tolerance, remember
        # Each ID handled, and when. A real receiver keeps them as long as the sender may retry (a unique
        # index in its database); the tolerance does not bound that, since each retry has a fresh timestamp.
        self.seen: dict[str, float] = {}
        self.events: list[dict] = []
        self.lock = threading.Lock()

    def receive(self, headers: Mapping[str, str], body: bytes, now: float) -> Verdict:
        """The verdict on one request: rejected if forged, tampered or too old; a duplicate if handled before."""
        headers = {k.lower(): v for k, v in headers.items()}
        try:
            webhook_id = verify(self.secret, headers, body, now, self.tolerance)
        except WebhookVerificationError as refused:
            return Verdict(400, "rejected", str(refused), headers.get("webhook-id", ""))
        with self.lock:
            self.forget(now)
            if webhook_id in self.seen:
                return Verdict(200, "duplicate", "Handled before: 2xx, so the sender stops retrying.", webhook_id)
            self.seen[webhook_id] = now
            self.events.append(json.loads(body))
        return Verdict(200, "accepted", "", webhook_id)

    def forget(self, now: float) -> None:
        """Drop the IDs handled more than ``remember`` seconds ago (as a database's expiry job would)."""
        if self.remember is not None:
            self.seen = {i: at for i, at in self.seen.items() if now - at < self.remember}


def receiver_app(receiver: Receiver, clock: Clock = WallClock(), path: str = "/webhooks",
                 fail_first: int = 0) -> Flask:
    """A receiver as a web app (``serve`` it): POSTs to ``path`` get ``receiver``'s verdict; the first ``fail_first`` a 503."""
    app = Flask("webhook-receiver")
    calls = itertools.count()

    @app.post(path)
    def hear():
        if next(calls) < fail_first:  # an outage: the sender must retry
            return {"outcome": "unavailable"}, 503
        verdict = receiver.receive(request.headers, request.get_data(), clock.now())
        return {"outcome": verdict.outcome, "reason": verdict.reason}, verdict.status
    return app


# -- the demonstration ---------------------------------------------------------------------------

START = 1_773_311_400.0  # 2026-03-12T10:30:00Z, the syllabus's example time
RECEIVER_URL = "http://127.0.0.1:8400/webhooks"  # registered, never connected to: the demo hands requests over
DEMO_RETRY = RetryPolicy(max_attempts=5, base=60.0, cap=3600.0, max_elapsed=86400.0)  # a retry seconds later, not ms
DAY = 86_400.0
KEEP_IDS = 4 * DAY  # longer than the sender retries: Standard Webhooks' example schedule ends 75:35:05 after attempt 1


@dataclass(frozen=True)
class Scene:
    """One request the receiver got in ``defences()``, and its answer."""

    at: float          # seconds after the first delivery
    request: str
    webhook_id: str
    timestamp: str     # its webhook-timestamp
    status: int
    outcome: str
    reason: str


# What the sender's requests are, in the order defences() makes them.
SENT = ["delivery of 'Invoice 42 is paid', attempt 1 (its 200 is lost)",
        "attempt 2: the sender's retry (same webhook-id, new timestamp)",
        "delivery of 'pay Bob 10'"]


class Network:
    """The demo's wire: hands each request to the receiver, logs its verdict, and keeps a copy, as an eavesdropper would."""

    def __init__(self, receiver: Receiver, clock: FakeClock):
        self.receiver, self.clock = receiver, clock
        self.scenes: list[Scene] = []
        self.wire: list[tuple[dict, bytes]] = []

    def hear(self, what: str, headers: Mapping[str, str], body: bytes) -> Verdict:
        verdict = self.receiver.receive(headers, body, self.clock.now())
        self.scenes.append(Scene(round(self.clock.now() - START, 1), what, verdict.webhook_id,
                                 headers["webhook-timestamp"], verdict.status, verdict.outcome, verdict.reason))
        return verdict

    def send(self, url: str, headers: Mapping[str, str], body: bytes) -> int:
        """The sender's transport: the first answer is lost on the way back, so the sender sees a timeout."""
        self.wire.append((dict(headers), body))
        verdict = self.hear(SENT[len(self.wire) - 1], headers, body)
        if len(self.wire) == 1:
            raise requests.ReadTimeout("the receiver's 200 was lost on the way back")
        return verdict.status


def sender(seed: int, clock: FakeClock):
    """The reference API as a webhook sender on ``clock``: (the app, a client, Alice's headers, the secret, a channel)."""
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": seed, "WEBHOOK_SEED": seed,
                      "WEBHOOK_RETRY": DEMO_RETRY})
    http, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    endpoint = http.post("/v1/webhook-endpoints", json={"url": RECEIVER_URL, "eventTypes": ["message.created"]},
                         headers=alice).get_json()["data"]
    channel = http.post("/v1/channels", json={"name": "payments"}, headers=alice).headers["Location"]
    return app, http, alice, endpoint["secret"], channel


def defences(seed: int = 7, **receiver: float | None) -> list[Scene]:
    """A retried delivery deduplicated, a replay refused by its age, a tampered body refused by the signature.

    ``receiver``: ``Receiver`` settings (``tolerance``, ``remember``), to run the same requests past a weaker one.
    """
    clock = FakeClock(START)
    app, http, alice, secret, channel = sender(seed, clock)
    network = Network(Receiver(secret, **receiver), clock)
    deliveries = app.extensions["apidesign"].extras["webhooks"].deliveries
    deliveries.send = network.send
    http.post(f"{channel}/messages", json={"content": "Invoice 42 is paid"}, headers=alice)
    deliveries.run_due(clock.now())                     # attempt 1: handled, but the sender hears a timeout
    clock.set(deliveries.due(float("inf"))[0].due_at)
    deliveries.run_due(clock.now())                     # attempt 2: the retry
    clock.advance(10 * 60)
    network.hear("attempt 1 replayed by an eavesdropper, 10 min later", *network.wire[0])
    http.post(f"{channel}/messages", json={"content": "pay Bob 10"}, headers=alice)
    deliveries.run_due(clock.now())
    headers, body = network.wire[2]
    network.hear("that delivery, its body changed to 'pay Bob 1000'", headers, body.replace(b"Bob 10", b"Bob 1000"))
    return network.scenes


def captured_delivery(content: str = "pay Bob 10", seed: int = 7) -> tuple[str, dict[str, str], bytes]:
    """One delivery as the real sender makes it, taken off the wire: (the endpoint's secret, its headers, its body)."""
    clock = FakeClock(START)
    app, http, alice, secret, channel = sender(seed, clock)
    wire: list[tuple[dict, bytes]] = []
    deliveries = app.extensions["apidesign"].extras["webhooks"].deliveries
    deliveries.send = lambda url, headers, body: wire.append((dict(headers), body)) or 204
    http.post(f"{channel}/messages", json={"content": content}, headers=alice)
    deliveries.run_due(clock.now())
    [(headers, body)] = wire
    return secret, headers, body


# What each receiver checks besides the signature, for replays().
RECEIVERS = {"signature only": {"tolerance": math.inf, "remember": 0},
             "IDs only (kept 4 days)": {"tolerance": math.inf, "remember": KEEP_IDS},
             "tolerance only (5 min)": {"tolerance": TOLERANCE, "remember": 0},
             "both": {"tolerance": TOLERANCE, "remember": KEEP_IDS}}


@dataclass(frozen=True)
class Replay:
    """A captured delivery sent again ``after`` its first arrival, and what one receiver made of it."""

    receiver: str
    after: str
    status: int
    outcome: str
    handled: int  # times the receiver acted on the event, the genuine delivery included


def replays(delays: tuple[float, ...] = (60, 10 * 60, 5 * DAY), seed: int = 7) -> list[Replay]:
    """The same captured delivery replayed after each delay, to receivers with neither defence, each, or both."""
    secret, headers, body = captured_delivery(seed=seed)
    sent = int(headers["webhook-timestamp"])
    rows = []
    for name, settings in RECEIVERS.items():
        for delay in delays:
            receiver = Receiver(secret, **settings)
            receiver.receive(headers, body, sent)  # the genuine delivery
            verdict = receiver.receive(headers, body, sent + delay)
            after = f"{delay / DAY:g} days" if delay >= DAY else f"{delay / 60:g} min"
            rows.append(Replay(name, after, verdict.status, verdict.outcome, len(receiver.events)))
    return rows
