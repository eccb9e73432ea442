"""The lost-response experiment: a client sends messages over a link that loses responses.

The server (``FAULT_DROP_RATE``) commits each message and then, with probability p, never
answers. The client cannot tell "not sent" from "sent, answer lost". Three clients:

* ``"none"``: gives up at the first error, so some messages the user *thinks* failed were sent;
* ``"naive"``: resends on any error, the version 0 most apps start with: duplicates;
* ``"safe"``: ``resilience.retry``, which resends a POST only if it carries an Idempotency-Key.

Everything runs in-process on a fake clock (Flask's test client; a dropped response
raises ``ConnectionResetError`` there too), so a widget can rerun it in milliseconds
and the numbers are the same on every run.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from .clock import FakeClock
from .resilience import RetriesExhausted, RetryPolicy, retry
from .server import create_app, credentials

CLIENTS = ("none", "naive", "safe")
MAX_MESSAGES = 1000


@dataclass(frozen=True)
class Tally:
    """What happened to ``intended`` messages: requests sent, rows created, duplicates, and the clock."""

    intended: int
    requests: int
    created: int
    duplicates: int       # rows beyond the first for the same message
    reported_failed: int  # messages the client told its user had failed
    seconds: float        # total time on the client's clock, waits and timeouts included


def run_client(drop_rate: float, client: str = "safe", keys: bool = True, *, messages: int = 20,
               policy: RetryPolicy = RetryPolicy(max_attempts=5, base=0.2, cap=2.0),
               rtt: float = 0.05, timeout: float = 1.0, seed: int = 0) -> Tally:
    """Send ``messages`` messages with the given client and count what the server stored."""
    if client not in CLIENTS:
        raise ValueError(f"client must be one of {', '.join(CLIENTS)}, not {client!r}")
    if not 0 <= drop_rate <= 1 or not 1 <= messages <= MAX_MESSAGES:
        raise ValueError(f"drop_rate must be 0 to 1 and messages 1 to {MAX_MESSAGES}")
    clock = FakeClock(1_773_311_400.0)
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": seed,
                      "FAULT_DROP_RATE": drop_rate, "FAULT_SEED": seed})
    http, me = app.test_client(), dict(credentials(app, "usr_alice"))
    app.extensions["apidesign"].extras["faults"].rate = 0
    cid = http.post("/v1/channels", json={"name": "general"}, headers=me).get_json()["data"]["channelId"]
    app.extensions["apidesign"].extras["faults"].rate = drop_rate
    sent, failed, rng = 0, 0, random.Random(seed)

    def send(i: int, headers: dict):
        nonlocal sent
        sent += 1
        try:
            response = http.post(f"/v1/channels/{cid}/messages", json={"content": f"message {i}"}, headers=headers)
        except ConnectionError:
            clock.advance(timeout)  # the client waits out its timeout before it knows
            raise
        clock.advance(rtt)
        return response

    for i in range(messages):
        headers = {**me, **({"Idempotency-Key": f"msg-{seed}-{i}"} if keys else {})}
        failed += not deliver(client, lambda: send(i, headers), headers, policy, rng, clock)
    rows = app.extensions["apidesign"].repo.messages(cid)  # the server's own count, not a page of it
    copies = Counter(row["content"] for row in rows)
    return Tally(messages, sent, len(rows), sum(n - 1 for n in copies.values()), failed,
                 round(clock.now() - 1_773_311_400.0, 3))


def deliver(client: str, send, headers: dict, policy: RetryPolicy, rng: random.Random, clock: FakeClock) -> bool:
    """Did the client see a success? ``client`` is one of ``CLIENTS``."""
    if client not in CLIENTS:
        raise ValueError(f"client must be one of {', '.join(CLIENTS)}, not {client!r}")
    if client == "naive":  # version 0: resend on any error, never asks whether that is safe
        give_up_at = clock.now() + policy.max_elapsed  # but even version 0 stops after the policy's time budget
        for _ in range(policy.max_attempts):
            if clock.now() >= give_up_at:
                break
            try:
                return send().status_code < 400
            except ConnectionError:
                continue
        return False
    try:
        attempts = policy if client == "safe" else RetryPolicy(max_attempts=1)
        result = retry(send, method="POST", headers=headers, policy=attempts, rng=rng,
                       clock=clock, sleep=clock.advance, wall_clock=clock)
        return result.response.status_code < 400
    except RetriesExhausted:
        return False


FIELDS = ("duplicates", "reported_failed", "requests", "seconds")


def over_seeds(drop_rate: float, client: str = "safe", keys: bool = True, *, seeds=range(10),
               **options) -> dict[str, tuple[float, float, float]]:
    """Each of ``FIELDS`` as (mean, min, max) over ``seeds``: one seed is one lucky or unlucky sample."""
    tallies = [run_client(drop_rate, client, keys, seed=seed, **options) for seed in seeds]
    columns = {name: [getattr(t, name) for t in tallies] for name in FIELDS}
    return {name: (sum(values) / len(values), min(values), max(values)) for name, values in columns.items()}
