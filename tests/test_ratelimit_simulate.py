"""Traffic on a fake clock: the worst bursts each algorithm lets through, and the race a read-then-write invites."""

from __future__ import annotations

import time

import pytest

from apidesign.clock import FakeClock
from apidesign.ratelimit import ALGORITHMS, FixedWindow, InvalidSetting, TokenBucket
from apidesign.ratelimit import simulate
from apidesign.ratelimit.hybrid import tradeoff
from apidesign.store import memory_store, redis_store


def test_a_greedy_client_gets_twice_the_limit_from_a_fixed_window_in_an_instant_and_never_past_a_sliding_log():
    rows = {r["algorithm"]: r for r in simulate.bursts_past_the_limit(ALGORITHMS, limit=20, window=10)}
    assert rows["fixed_window"]["worst 1 s"] == 40, "both halves of the boundary in one second"
    assert rows["sliding_log"]["worst 10 s"] == rows["sliding_log"]["worst 1 s"] == 20
    assert rows["token_bucket"]["worst 10 s"] == rows["gcra"]["worst 10 s"] == 39, "capacity + refill over the span"
    assert rows["token_bucket"]["worst 1 s"] == 21, "capacity + refill over one second"
    assert 20 < rows["sliding_counter"]["worst 10 s"] < 40 and rows["sliding_counter"]["worst 1 s"] == 20


def test_a_smaller_bucket_keeps_every_window_under_the_limit():
    small = lambda limit, window, **kw: TokenBucket(5, 1.5, **kw)  # noqa: E731
    assert simulate.worst_case(small, 20, 10.0, 10.0) <= 20


RTT = 0.02  # a round trip long enough that all 12 threads have sent their GET before the first reply is back


def test_get_then_set_over_admits_when_released_together_over_a_network():
    store = simulate.OverNetwork(redis_store(url="", prefix="race:"), RTT)
    admitted = simulate.concurrent_admits(lambda: simulate.get_then_set(store, "k", 5, 60), 12)
    assert admitted == 12, "each of the 12 read 0 before anyone wrote"


def test_the_lua_step_admits_exactly_the_limit_under_the_same_release_and_the_same_network():
    store = simulate.OverNetwork(redis_store(url="", prefix="atomic:"), RTT)
    limiter = FixedWindow(5, 60, store=store, clock=FakeClock(100.0))
    assert simulate.concurrent_admits(lambda: limiter.allow("alice").allowed, 12) == 5


def test_over_a_network_every_call_takes_one_round_trip():
    clock = FakeClock(0.0)
    store = simulate.OverNetwork(memory_store(clock), 0.05)
    limiter = FixedWindow(5, 60, store=store, clock=clock)
    started = time.perf_counter()
    assert limiter.allow("alice").allowed and store.set("k", "1") and store.get("k") == "1"
    assert 0.15 <= time.perf_counter() - started < 0.5, "three calls, three round trips"


def test_get_then_set_is_correct_when_requests_come_one_at_a_time():
    store = memory_store(FakeClock(0.0))
    assert sum(simulate.get_then_set(store, "k", 5, 60) for _ in range(12)) == 5


@pytest.mark.parametrize("call", [
    lambda: simulate.bucket_levels(10, -2.0, [0.0, 1.0]),      # a negative refill once showed "all admitted"
    lambda: simulate.bucket_levels(0, 2.0, [0.0]),
    lambda: simulate.boundary(0, 60.0),
    lambda: simulate.boundary(10, 0.0),
    lambda: simulate.worst_case(ALGORITHMS["gcra"], 0, 10.0, 1.0),
    lambda: simulate.worst_case(ALGORITHMS["gcra"], 20, 10.0, 0.0),
    lambda: tradeoff(batches=(0,)),                            # once silently treated as 1
    lambda: tradeoff(batches=(-5,)),                           # once reported negative over-admission
    lambda: tradeoff(servers=0),
])
def test_the_widgets_functions_refuse_settings_that_would_crash_or_mislead_with_a_named_error(call):
    with pytest.raises(InvalidSetting):
        call()
