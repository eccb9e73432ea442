"""Retries with full jitter and the circuit breaker, on a fake clock."""

import random
import threading
from contextlib import nullcontext
from dataclasses import dataclass, field

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from apidesign.clock import FakeClock
from apidesign.resilience import (CircuitBreaker, CircuitOpen, RetriesExhausted, RetryingSession, RetryPolicy,
                                  backoff_ceiling, herd_load, parse_retry_after, retry, retry_after_load,
                                  retry_after_wait, retryable_request, retryable_status, schedule,
                                  calls_through_layers, within_retry_budget)
from apidesign.server import create_app, credentials, serve

NOW = 1_773_311_400.0


@dataclass
class Reply:
    status_code: int
    headers: dict = field(default_factory=dict)


def scripted(*outcomes):
    """A ``send`` that returns (or raises) the given outcomes in order, counting calls."""
    queue = list(outcomes)

    def send():
        send.calls += 1
        item = queue.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item
    send.calls = 0
    return send


def run(send, clock, **kw):
    return retry(send, clock=clock, sleep=clock.advance, wall_clock=clock, rng=random.Random(1), **kw)


# --- the schedule ------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(base=st.floats(0.001, 10), cap=st.floats(0.001, 100), attempts=st.integers(1, 30), seed=st.integers(0, 2**32))
def test_every_jittered_wait_lies_in_zero_to_min_cap_base_times_two_to_the_n(base, cap, attempts, seed):
    policy = RetryPolicy(max_attempts=attempts, base=base, cap=cap)
    waits = schedule(policy, random.Random(seed))
    assert len(waits) == attempts - 1
    for n, wait in enumerate(waits):
        assert 0 <= wait <= min(cap, base * 2 ** n) == backoff_ceiling(policy, n)


@settings(max_examples=100, deadline=None)
@given(base=st.floats(0.001, 10), cap=st.floats(0.001, 100), attempts=st.integers(1, 30))
def test_without_jitter_the_waits_double_until_the_cap_and_never_shrink(base, cap, attempts):
    waits = schedule(RetryPolicy(max_attempts=attempts, base=base, cap=cap, jitter=False), random.Random(0))
    assert waits == sorted(waits)
    assert all(w == min(cap, base * 2 ** n) for n, w in enumerate(waits))


@settings(max_examples=100, deadline=None)
@given(failures=st.integers(1, 20), budget=st.floats(0.1, 50), seed=st.integers(0, 1000))
def test_retry_never_exceeds_max_attempts_or_the_time_budget(failures, budget, seed):
    clock = FakeClock(NOW)
    policy = RetryPolicy(max_attempts=6, base=0.5, cap=8, max_elapsed=budget)
    send = scripted(*[Reply(503)] * failures, Reply(200))
    result = retry(send, clock=clock, sleep=clock.advance, rng=random.Random(seed), policy=policy)
    assert send.calls <= 6
    assert clock.now() - NOW <= budget
    assert result.response.status_code == (200 if send.calls == failures + 1 else 503)


# --- what is retried -----------------------------------------------------------------------------

def test_503_429_and_connection_errors_are_retried_until_success(clock):
    send = scripted(Reply(503), Reply(429), ConnectionResetError(), Reply(200))
    result = run(send, clock)
    assert result.response.status_code == 200
    assert [a.outcome for a in result.attempts] == ["503", "429", "ConnectionResetError", "200"]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_client_errors_that_say_the_request_is_wrong_are_never_retried(clock, status):
    send = scripted(Reply(status), Reply(200))
    assert run(send, clock).response.status_code == status and send.calls == 1


@pytest.mark.parametrize("status, headers", [(408, {}), (425, {}), (429, {}), (409, {"Retry-After": "1"})])
def test_client_errors_that_mean_not_now_are_retried(clock, status, headers):
    send = scripted(Reply(status, headers), Reply(200))
    assert run(send, clock).response.status_code == 200 and send.calls == 2


def test_a_409_is_retryable_only_when_it_says_when():
    assert retryable_status(409, {"retry-after": "1"}) and not retryable_status(409) and not retryable_status(409, {})


def test_a_post_without_an_idempotency_key_is_sent_once_with_a_key_it_is_retried(clock):
    assert run(scripted(Reply(503), Reply(201)), clock, method="POST").response.status_code == 503
    keyed = run(scripted(Reply(503), Reply(201)), clock, method="POST", headers={"Idempotency-Key": "k"})
    assert keyed.response.status_code == 201
    assert retryable_request("PUT") and retryable_request("delete") and not retryable_request("PATCH")
    assert retryable_request("PATCH", {"Idempotency-Key": "k"}), "the draft names POST and PATCH"
    assert retryable_status(500) and retryable_status(429) and not retryable_status(404)
    assert not retryable_status(501) and not retryable_status(505), "'not implemented' does not heal by waiting"


def test_retry_after_seconds_and_http_date_are_honoured_exactly(clock):
    result = run(scripted(Reply(503, {"Retry-After": "7"}), Reply(200)), clock)
    assert result.attempts[0].wait == 7
    date = "Thu, 12 Mar 2026 10:30:19 GMT"  # 12 s after the clock's current time
    clock.set(NOW + 7)
    result = run(scripted(Reply(429, {"Retry-After": date}), Reply(200)), clock)
    assert result.attempts[0].wait == pytest.approx(12)
    assert parse_retry_after("garbage", NOW) is None and parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", NOW) == 0


@given(st.floats(0, 600), st.floats(0.01, 30), st.integers(0, 2**32))
def test_a_jittered_retry_after_is_never_earlier_than_asked_and_at_most_spread_later(asked, spread, seed):
    wait = retry_after_wait(asked, RetryPolicy(retry_after_spread=spread), random.Random(seed))
    assert asked <= wait <= asked + spread


def test_a_retry_after_spread_is_added_to_the_servers_wait(clock):
    result = run(scripted(Reply(503, {"Retry-After": "7"}), Reply(200)), clock, policy=RetryPolicy(retry_after_spread=3))
    assert 7 < result.attempts[0].wait <= 10


def test_clients_obeying_one_retry_after_exactly_return_as_a_herd_and_a_spread_disperses_it():
    common = dict(clients=200, retry_after=2.0, capacity=20, slot=0.1, horizon=24)
    exact = retry_after_load(policy=RetryPolicy(), rng=random.Random(5), **common)
    spread = retry_after_load(policy=RetryPolicy(retry_after_spread=2.0), rng=random.Random(5), **common)
    assert [n for n in exact if n] == list(range(200, 0, -20)), "every wave is the whole herd, ten times capacity"
    assert max(spread[1:]) <= 20 and sum(spread) == 200 + 180, "spread: the refused all fit in the next wave"


def test_a_retry_after_beyond_the_budget_ends_the_retries(clock):
    send = scripted(Reply(503, {"Retry-After": "120"}), Reply(200))
    result = run(send, clock, policy=RetryPolicy(max_elapsed=60))
    assert result.response.status_code == 503 and send.calls == 1 and clock.now() == NOW


def test_connection_errors_on_every_attempt_raise_retries_exhausted_from_the_last(clock):
    with pytest.raises(RetriesExhausted) as info:
        run(scripted(*[ConnectionResetError("gone")] * 3), clock, policy=RetryPolicy(max_attempts=3))
    assert len(info.value.attempts) == 3 and isinstance(info.value.__cause__, ConnectionResetError)


def test_the_requests_session_retries_lost_responses_on_the_live_api(clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "FAULT_DROP_RATE": 0.5, "FAULT_SEED": 3})
    headers = dict(credentials(app, "usr_alice"))
    session = RetryingSession(RetryPolicy(max_attempts=10), rng=random.Random(0), clock=clock, sleep=clock.advance)
    session.headers.update(headers)
    with serve(app) as live:
        app.extensions["apidesign"].extras["faults"].rate = 0  # create the channel reliably
        cid = session.post(f"{live.url}/v1/channels", json={"name": "general"}, timeout=5).json()["data"]["channelId"]
        app.extensions["apidesign"].extras["faults"].rate = 0.5
        for i in range(5):
            r = session.post(f"{live.url}/v1/channels/{cid}/messages", json={"content": f"m{i}"},
                             headers={"Idempotency-Key": f"key-{i}"}, timeout=5)
            assert r.status_code == 201
        listed = requests.get(f"{live.url}/v1/channels/{cid}/messages?limit=100", headers=headers, timeout=5).json()["data"]
    assert sorted(m["content"] for m in listed) == ["m0", "m1", "m2", "m3", "m4"], "each message exactly once"
    assert app.extensions["apidesign"].extras["faults"].dropped > 0, "the test really lost responses"


def test_jitter_flattens_the_herd_peak_against_a_recovering_server():
    common = dict(clients=200, rng=random.Random(5), recover_at=2.0, capacity=20, slot=0.1, horizon=20)
    herd = herd_load(policy=RetryPolicy(base=0.5, cap=4, jitter=False), **common)
    jittered = herd_load(policy=RetryPolicy(base=0.5, cap=4, jitter=True), **common)
    assert herd[0] == jittered[0] == 200
    assert max(herd[1:]) > 2 * max(jittered[1:])


# --- the circuit breaker -------------------------------------------------------------------------

def boom():
    raise RuntimeError("dependency down")


def fail(breaker, times):
    for _ in range(times):
        with pytest.raises(RuntimeError):
            breaker.call(boom)


def test_the_breaker_opens_on_exactly_the_nth_consecutive_failure(clock):
    breaker = CircuitBreaker(failures=3, cooldown=10, clock=clock)
    fail(breaker, 2)
    breaker.call(lambda: "ok")  # a success resets the streak
    fail(breaker, 2)
    assert breaker.state == "closed"
    fail(breaker, 1)
    assert breaker.state == "open"
    assert breaker.calls == 6
    with pytest.raises(CircuitOpen) as info:
        breaker.call(boom)
    assert breaker.calls == 6, "open fails fast: the dependency is not called"
    assert info.value.retry_after == 10


def test_a_dependency_failing_every_other_call_never_trips_a_consecutive_failure_breaker(clock):
    breaker = CircuitBreaker(failures=3, cooldown=10, clock=clock)
    for i in range(100):
        with pytest.raises(RuntimeError) if i % 2 else nullcontext():
            breaker.call(boom if i % 2 else (lambda: "ok"))
    assert breaker.transitions == [] and breaker.calls == 100, "50 failures went through; it never opened"


def test_after_the_cooldown_one_successful_trial_closes_and_one_failed_trial_reopens(clock):
    breaker = CircuitBreaker(failures=1, cooldown=10, trials=1, clock=clock)
    fail(breaker, 1)
    clock.advance(9.999)
    assert breaker.state == "open"
    clock.advance(0.001)
    assert breaker.state == "half-open"
    fail(breaker, 1)
    assert breaker.state == "open"
    clock.advance(10)
    assert breaker.call(lambda: 42) == 42 and breaker.state == "closed"
    assert [to for _, _, to in breaker.transitions] == ["open", "half-open", "open", "half-open", "closed"]


def test_half_open_admits_exactly_m_concurrent_trials_and_holds_no_lock_while_they_run(clock):
    breaker = CircuitBreaker(failures=1, cooldown=5, trials=3, clock=clock)
    fail(breaker, 1)
    clock.advance(5)
    release, inside = threading.Event(), threading.Semaphore(0)
    outcomes = []

    def trial():
        inside.release()
        assert release.wait(5)
        return "ok"

    def caller():
        try:
            outcomes.append(breaker.call(trial))
        except CircuitOpen:
            outcomes.append("rejected")
    threads = [threading.Thread(target=caller) for _ in range(20)]
    for t in threads:
        t.start()
    for _ in range(3):  # three trials are inside the call at once: no lock is held while they run
        assert inside.acquire(timeout=5)
    release.set()
    for t in threads:
        t.join(5)
    assert sorted(outcomes).count("ok") == 3 and outcomes.count("rejected") == 17
    assert breaker.state == "closed"


def test_late_results_from_before_a_trip_do_not_count_in_the_next_state(clock):
    breaker = CircuitBreaker(failures=1, cooldown=5, trials=1, clock=clock)
    slow_started, finish = threading.Event(), threading.Event()

    def slow():
        slow_started.set()
        finish.wait(5)
        return "late"
    t = threading.Thread(target=breaker.call, args=(slow,))
    t.start()
    slow_started.wait(5)
    fail(breaker, 1)  # trips while the slow call is still running
    clock.advance(5)
    assert breaker.state == "half-open"
    finish.set()
    t.join(5)
    assert breaker.state == "half-open", "a success admitted while closed is not a half-open trial"


# -- inputs that used to crash or run unbounded are refused ----------------------------------

@pytest.mark.parametrize("options", [dict(max_attempts=0), dict(max_attempts=-1), dict(base=-0.1), dict(cap=-1),
                                     dict(max_elapsed=-1), dict(retry_after_spread=-1)])
def test_a_policy_that_cannot_make_its_first_attempt_or_waits_negative_time_is_refused(options):
    with pytest.raises(ValueError):
        RetryPolicy(**options)


def test_the_ceiling_is_capped_before_two_to_the_n_can_overflow():
    assert backoff_ceiling(RetryPolicy(), 2000) == RetryPolicy().cap
    assert backoff_ceiling(RetryPolicy(base=1e-300, cap=5.0), 10**9) == 5.0
    assert [backoff_ceiling(RetryPolicy(base=0.1, cap=2.0), n) for n in range(7)] == [0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0]


@pytest.mark.parametrize("options", [dict(slot=0), dict(slot=-0.1), dict(clients=10**6), dict(clients=-1),
                                     dict(horizon=0), dict(capacity=-1), dict(horizon=10**6)])
@pytest.mark.parametrize("simulate", ["herd", "retry_after"])
def test_herd_simulations_refuse_sizes_they_cannot_draw(simulate, options):
    common = {"clients": 10, "capacity": 2, "slot": 0.1, "horizon": 2.0, **options}
    with pytest.raises(ValueError):
        if simulate == "herd":
            herd_load(policy=RetryPolicy(), rng=random.Random(0), recover_at=1.0, **common)
        else:
            retry_after_load(retry_after=1.0, policy=RetryPolicy(), rng=random.Random(0), **common)


@pytest.mark.parametrize("options", [dict(failures=0), dict(failures=-3), dict(trials=0), dict(cooldown=-1)])
def test_a_breaker_that_could_never_close_or_open_sensibly_is_refused(options):
    with pytest.raises(ValueError):
        CircuitBreaker(clock=FakeClock(), **options)


# -- retries across layers, and a retry budget ----------------------------------------------

def test_retries_multiply_across_layers_three_layers_of_three_attempts_make_27_calls():
    policy = RetryPolicy(max_attempts=3, jitter=False)
    assert [calls_through_layers(n, policy) for n in (1, 2, 3)] == [3, 9, 27]


def test_a_retry_budget_allows_retries_up_to_its_share_of_requests_and_no_more():
    assert within_retry_budget(100, 9) and not within_retry_budget(100, 10)
    assert not within_retry_budget(5, 0), "too few requests to afford even one retry at 10%"
    assert within_retry_budget(5, 0, ratio=0.2)
