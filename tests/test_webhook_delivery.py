"""The sender: every attempt signed so the standardwebhooks library verifies it; failures retried with full jitter, bounded.

A fake transport plays the receiver and a fake clock is stepped by hand, so every schedule is exact.
The ``standardwebhooks`` package checks timestamps against the real clock, so the tests that use it
start their fake clock at the real time.
"""

from __future__ import annotations

import json
import random
import threading
import time

import pytest
import requests
from standardwebhooks import Webhook


from apidesign import outbound
from apidesign.clock import FakeClock
from apidesign.resilience import RetryPolicy, backoff_ceiling
from apidesign.ssrf import UnsafeTarget
from apidesign.webhook_delivery import NO_ANSWER, Deliveries, Endpoint, event_body, http_send, signed_headers
from apidesign.webhooks import new_secret
from receivers import dribbling_receiver, redirecting_receiver, silent_receiver, streaming_receiver

POLICY = RetryPolicy(max_attempts=5, base=2.0, cap=10.0, max_elapsed=3600.0)
BODY = event_body("message.created", {"messageId": "msg_k3j9x0q2m1", "content": "hi"}, "2026-03-12T10:30:00.000Z")


def endpoint(url="http://127.0.0.1:8400/webhooks", secret=None):
    return Endpoint("ep_1", "usr_alice", url, ("message.created",), secret or new_secret(), "2026-03-12T10:30:00.000Z")


class Receiver:
    """A fake transport: answers ``outcomes`` in turn (a status, or an exception to raise), recording each request."""

    def __init__(self, *outcomes):
        self.outcomes, self.requests = list(outcomes), []

    def __call__(self, url, headers, body):
        self.requests.append((url, dict(headers), body))
        outcome = self.outcomes.pop(0) if self.outcomes else 200
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def queue(outcomes, clock, policy=POLICY, seed=1, secret=None):
    receiver = Receiver(*outcomes)
    deliveries = Deliveries(receiver, clock=clock, policy=policy, rng=random.Random(seed))
    deliveries.queue(endpoint(secret=secret), "evt_1", BODY, clock.now())
    return deliveries, receiver


def run_until_settled(deliveries, clock, limit=50):
    """Step the clock to each next due time and run what is due, until nothing is pending."""
    for _ in range(limit):
        due = deliveries.due(float("inf"))
        if not due:
            return deliveries.get("evt_1", "ep_1")
        clock.set(due[0].due_at)
        deliveries.run_due(clock.now())
    raise AssertionError("still pending")


def test_the_body_is_type_timestamp_and_data_as_the_spec_shapes_a_payload():
    assert json.loads(BODY) == {"type": "message.created", "timestamp": "2026-03-12T10:30:00.000Z",
                                "data": {"messageId": "msg_k3j9x0q2m1", "content": "hi"}}


def test_every_attempt_is_signed_so_that_the_standardwebhooks_library_verifies_it():
    secret, clock = new_secret(), FakeClock(time.time())
    deliveries, receiver = queue([503, 200], clock, secret=secret)
    run_until_settled(deliveries, clock)
    assert len(receiver.requests) == 2
    for _, headers, body in receiver.requests:
        assert Webhook(secret).verify(body, headers) == json.loads(BODY)
        assert headers["webhook-signature"].startswith("v1,") and headers["content-type"] == "application/json"


def test_signed_headers_carry_the_attempts_time_in_whole_seconds():
    headers = signed_headers("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                             1614265330.9, b'{"test": 2432232314}')
    assert headers["webhook-timestamp"] == "1614265330"
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="  # the spec's vector


def test_a_2xx_ends_the_delivery_after_one_attempt(clock):
    deliveries, receiver = queue([204], clock)
    [delivered] = deliveries.run_due(clock.now())
    assert delivered.state == "delivered" and [a.outcome for a in delivered.attempts] == ["204"]
    assert deliveries.due(float("inf")) == []


def test_non_2xx_answers_timeouts_and_connection_errors_are_all_retried_until_a_2xx(clock):
    outcomes = [503, requests.ReadTimeout(), requests.ConnectionError(), 302, 400, 200]
    deliveries, receiver = queue(outcomes, clock, policy=RetryPolicy(max_attempts=6, base=2.0, cap=10.0))
    delivery = run_until_settled(deliveries, clock)
    assert delivery.state == "delivered"
    assert [a.outcome for a in delivery.attempts] == ["503", "ReadTimeout", "ConnectionError", "302", "400", "200"]


def test_each_wait_is_full_jitter_below_the_exponential_ceiling_and_the_seed_fixes_it(clock):
    def waits(seed):
        deliveries, _ = queue([500] * 10, FakeClock(0), seed=seed)
        attempts = run_until_settled(deliveries, deliveries.clock).attempts
        return [b.at - a.at for a, b in zip(attempts, attempts[1:])]
    first = waits(seed=1)
    assert len(first) == POLICY.max_attempts - 1
    assert all(0 <= w <= backoff_ceiling(POLICY, n) for n, w in enumerate(first))  # 2, 4, 8, 10 (the cap)
    assert waits(seed=1) == first and waits(seed=2) != first  # reproducible, yet random
    assert len({round(w / backoff_ceiling(POLICY, n), 6) for n, w in enumerate(first)}) > 1  # not a fixed fraction


def test_nothing_is_attempted_before_it_is_due(clock):
    deliveries, receiver = queue([500], clock)
    [retrying] = deliveries.run_due(clock.now())
    assert retrying.state == "pending" and retrying.due_at > clock.now()
    assert deliveries.run_due(retrying.due_at - 0.001) == [] and len(receiver.requests) == 1
    assert [d.state for d in deliveries.run_due(retrying.due_at)] == ["delivered"]


def test_a_delivery_that_keeps_failing_is_given_up_after_max_attempts(clock):
    deliveries, receiver = queue([500] * 100, clock)
    delivery = run_until_settled(deliveries, clock)
    assert delivery.state == "failed" and len(delivery.attempts) == POLICY.max_attempts == len(receiver.requests)
    assert deliveries.run_due(clock.now() + 10**6) == []


def test_a_delivery_is_given_up_when_the_next_wait_would_pass_max_elapsed(clock):
    policy = RetryPolicy(max_attempts=100, base=60.0, cap=60.0, max_elapsed=300.0, jitter=False)
    deliveries, receiver = queue([500] * 100, clock, policy=policy)
    delivery = run_until_settled(deliveries, clock)
    assert delivery.state == "failed" and delivery.attempts[-1].at - delivery.attempts[0].at <= 300
    assert len(delivery.attempts) == 6  # at 0, 60, ..., 300; the next would be at 360


def test_every_retry_keeps_the_webhook_id_and_signs_its_own_fresh_timestamp(clock):
    deliveries, receiver = queue([500, 500, 200], clock, policy=RetryPolicy(base=5.0, cap=5.0, jitter=False))
    run_until_settled(deliveries, clock)
    ids = {headers["webhook-id"] for _, headers, _ in receiver.requests}
    stamps = [headers["webhook-timestamp"] for _, headers, _ in receiver.requests]
    assert ids == {"evt_1"} and len(set(stamps)) == 3
    assert len({headers["webhook-signature"] for _, headers, _ in receiver.requests}) == 3
    assert {body for _, _, body in receiver.requests} == {BODY}  # the same bytes every time


def test_a_refused_target_fails_at_once_since_waiting_cannot_make_it_safe(clock):
    deliveries, receiver = queue([UnsafeTarget("127.0.0.1 is a loopback address.")], clock)
    [delivery] = deliveries.run_due(clock.now())
    assert delivery.state == "failed"
    assert delivery.attempts[0].outcome == "refused: 127.0.0.1 is a loopback address."


def test_the_http_sender_with_private_targets_refused_decides_before_connecting(monkeypatch):
    monkeypatch.setattr(outbound, "post", lambda *a, **k: pytest.fail("connected to a refused address"))
    send = http_send(allow_private=False)
    with pytest.raises(UnsafeTarget, match="loopback"):
        send("http://127.0.0.1:9/webhooks", {}, BODY)


def test_the_http_sender_does_not_follow_redirects():
    """A 307 is the answer (a failed attempt), not a second POST to a URL the SSRF check never saw."""
    with redirecting_receiver() as (url, hits):
        assert http_send(allow_private=True)(url, {}, BODY) == 307
    assert hits == ["/hook"]


def test_a_receiver_that_never_answers_costs_one_attempt_its_timeout_and_no_more():
    with silent_receiver() as url:
        started = time.monotonic()
        with pytest.raises(NO_ANSWER):
            http_send(allow_private=True, timeout=0.5)(url, {}, BODY)
        assert time.monotonic() - started < 2


def test_a_receiver_that_dribbles_its_answer_a_byte_at_a_time_costs_the_timeout_in_all_not_per_byte():
    """Each byte comes well within a per-read timeout; the attempt's total deadline still ends it."""
    with dribbling_receiver(every=0.2) as url:
        started, outcome = time.monotonic(), None
        try:
            outcome = http_send(allow_private=True, timeout=1.0)(url, {}, BODY)
        except NO_ANSWER as exc:
            outcome = exc
        assert time.monotonic() - started < 3  # the old per-read timeout let the answer's 100 bytes take 20 s
        assert isinstance(outcome, TimeoutError)


def test_a_receiver_streaming_a_huge_answer_gets_its_status_read_and_no_more_than_the_cap_of_its_body():
    """The status is read, then at most a small cap of the body (outbound.BODY_CAP), and the connection is closed."""
    with streaming_receiver(megabytes=200) as (url, pushed):
        try:
            assert http_send(allow_private=True, timeout=5)(url, {}, BODY) == 200
        except NO_ANSWER:  # the old sender read until the receiver gave up
            pass
        time.sleep(0.2)  # the receiver notices the closed connection
    assert pushed() < 32 << 20, f"the receiver got {pushed() >> 20} MB out of 200 MB to the sender"


def test_one_owners_slow_receivers_delay_another_owners_delivery_by_one_attempt_not_their_whole_queue(clock):
    bob_heard = threading.Event()

    def send(url, headers, body):
        if "slow" in url:
            time.sleep(0.3)  # each of Carol's 10 attempts: 3 s in all
        else:
            bob_heard.set()
        return 204
    deliveries = Deliveries(send, clock=clock, policy=POLICY)
    for i in range(10):
        carols = Endpoint(f"ep_c{i}", "usr_carol", f"http://slow/{i}", ("message.created",), new_secret(), "")
        deliveries.queue(carols, "evt_1", BODY, clock.now())
    bobs = Endpoint("ep_b", "usr_bob", "http://bob/", ("message.created",), new_secret(), "")
    deliveries.queue(bobs, "evt_1", BODY, clock.now())
    started = time.monotonic()
    deliveries.start(interval=0.01)
    try:
        assert bob_heard.wait(10)
        assert time.monotonic() - started < 1.5  # one of Carol's attempts, not ten
    finally:
        deliveries.stop()


def test_the_background_sender_takes_one_delivery_per_owner_a_round():
    clock = FakeClock(0)
    sent, policy = [], RetryPolicy(max_attempts=1, base=1.0, cap=1.0)

    def send(url, headers, body):
        sent.append(url)
        return 204
    deliveries = Deliveries(send, clock=clock, policy=policy)
    slow = [Endpoint(f"ep_c{i}", "usr_carol", f"http://slow/{i}", ("message.created",), new_secret(), "") for i in range(5)]
    for ep in slow:
        deliveries.queue(ep, "evt_1", BODY, clock.now())
    deliveries.queue(Endpoint("ep_b", "usr_bob", "http://bob/", ("message.created",), new_secret(), ""), "evt_1", BODY,
                     clock.now())
    assert [d.endpoint.owner for d in deliveries.send_round()] == ["usr_carol", "usr_bob"]
    assert sent == ["http://slow/0", "http://bob/"]
    assert len(deliveries.send_round()) == 1 and sent[-1] == "http://slow/1"  # Carol's queue drains a round at a time


def test_stop_waits_at_most_its_timeout_for_a_sender_stuck_in_an_attempt_and_no_new_attempt_starts(clock):
    started, release = threading.Event(), threading.Event()
    sent = []

    def stuck(url, headers, body):
        sent.append(url)
        started.set()
        release.wait(10)
        return 204
    deliveries = Deliveries(stuck, clock=clock, policy=POLICY)
    for n in range(3):
        deliveries.queue(endpoint(f"http://127.0.0.1:9/{n}"), f"evt_{n}", BODY, clock.now())
    deliveries.start(interval=0.01)
    assert started.wait(5)
    before = time.monotonic()
    deliveries.stop(timeout=0.3)
    assert time.monotonic() - before < 1 and not deliveries.running
    release.set()
    time.sleep(0.3)
    assert sent == ["http://127.0.0.1:9/0"]  # the stop was seen between attempts: the other two wait


def test_cancelling_an_endpoints_deliveries_drops_those_still_pending(clock):
    deliveries, receiver = queue([500], clock)
    deliveries.run_due(clock.now())
    assert deliveries.cancel("ep_1") == 1
    assert deliveries.due(float("inf")) == [] and deliveries.get("evt_1", "ep_1") is None


def test_the_background_thread_delivers_what_is_due_and_stop_ends_it(clock):
    arrived = threading.Event()
    deliveries = Deliveries(lambda url, headers, body: arrived.set() or 200, clock=clock, policy=POLICY)
    deliveries.start(interval=0.01)
    assert deliveries.running
    deliveries.queue(endpoint(), "evt_1", BODY, clock.now())
    assert arrived.wait(5)
    deliveries.stop()
    assert not deliveries.running
    assert deliveries.get("evt_1", "ep_1").state == "delivered"


def test_an_endpoints_secret_never_appears_in_its_repr():
    secret = new_secret()
    assert secret not in repr(endpoint(secret=secret))


def test_run_until_settled_moves_the_fake_clock_through_every_retry_and_returns_how_each_delivery_ended():
    clock = FakeClock(1_000)
    deliveries, receiver = queue([503, requests.ReadTimeout("slow"), 204], clock)
    [settled] = deliveries.run_until_settled(clock)
    assert settled.state == "delivered" and [a.outcome for a in settled.attempts] == ["503", "ReadTimeout", "204"]
    assert clock.now() == settled.attempts[-1].at > 1_000 and deliveries.due(float("inf")) == []
    assert deliveries.run_until_settled(clock) == []  # nothing pending: nothing to do
