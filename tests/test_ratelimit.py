"""Rate limiters: the same claims for every algorithm on every backend (memory, fakeredis, real Redis).

The limiters here get ``clock=`` (the fake clock), so the Lua half receives ``now`` as an
argument instead of reading Redis ``TIME``: one timeline runs identically on all three
backends, with no sleeping. Separate tests check the ``TIME`` path itself.
"""

from __future__ import annotations

import math
import threading
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apidesign.clock import FakeClock
from apidesign.paths import DATA
from apidesign.ratelimit import (ALGORITHMS, GCRA, ClockMismatch, FixedWindow, InvalidCost, LimiterUnavailable,
                                 LocalGlobalHybrid, SlidingWindowLog, TokenBucket, UnknownAlgorithm,
                                 limiter_from_config)
from apidesign.ratelimit import simulate
from apidesign.ratelimit.hybrid import tradeoff
from apidesign.store import memory_store

from conftest import START

LIMIT, WINDOW = 5, 10.0


@pytest.fixture(params=sorted(ALGORITHMS))
def make(request):
    """Build the algorithm under test from (limit, window, store, clock)."""
    return ALGORITHMS[request.param]


@pytest.fixture
def limiter(make, store, clock):
    return make(LIMIT, WINDOW, store=store, clock=clock)


def fresh_key() -> str:
    return f"user:{uuid.uuid4().hex[:8]}"


def test_a_burst_up_to_the_limit_passes_and_the_next_request_is_told_when_to_retry(limiter):
    decisions = [limiter.allow("user:alice") for _ in range(LIMIT + 1)]
    assert [d.allowed for d in decisions] == [True] * LIMIT + [False]
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0]
    assert all(d.retry_after == 0 for d in decisions[:-1])
    assert 0 < decisions[-1].retry_after <= 2 * WINDOW
    assert all(d.limit == LIMIT for d in decisions)


@pytest.mark.parametrize("limit, window", [(25, 60.0), (100, 60.0), (7, 3.0), (1000, 3600.0), (3, 7.0)])
def test_a_burst_of_exactly_the_limit_passes_at_a_real_epoch_time(make, store, clock, limit, window):
    """At START (~1.8e9 s) a float holds ~0.2 us: the sum of many intervals must not refuse the last allowed one."""
    limiter = make(limit, window, store=store, clock=clock)
    assert sum(limiter.allow("user:alice").allowed for _ in range(limit + 1)) == limit


def test_denied_requests_consume_nothing_so_retrying_after_retry_after_succeeds(limiter, clock):
    for _ in range(LIMIT):
        limiter.allow("user:alice")
    denied = [limiter.allow("user:alice") for _ in range(20)]
    assert not any(d.allowed for d in denied)
    assert len({round(d.retry_after, 6) for d in denied}) == 1, "hammering while denied does not push the wait out"
    clock.advance(denied[-1].retry_after - 0.01)
    assert not limiter.allow("user:alice").allowed, "retry_after is not an underestimate"
    clock.advance(0.01)
    assert limiter.allow("user:alice").allowed, "retry_after is enough"


def test_after_reset_after_the_whole_quota_is_back(limiter, clock):
    for _ in range(LIMIT):
        last = limiter.allow("user:alice")
    clock.advance(last.reset_after)
    assert limiter.allow("user:alice").remaining == LIMIT - 1


def test_keys_are_independent(limiter):
    for _ in range(LIMIT):
        limiter.allow("user:alice")
    assert not limiter.allow("user:alice").allowed
    assert limiter.allow("user:bob").allowed


def test_a_cost_above_capacity_is_always_denied_and_consumes_nothing(limiter, clock):
    d = limiter.allow("user:alice", cost=LIMIT + 1)
    assert not d.allowed and d.retry_after == math.inf
    clock.advance(10 * WINDOW)
    assert not limiter.allow("user:alice", cost=LIMIT + 1).allowed
    assert limiter.allow("user:alice", cost=LIMIT).allowed, "the denied request took nothing"


def test_a_cost_takes_that_many_units(limiter):
    assert limiter.allow("user:alice", cost=3).remaining == LIMIT - 3
    assert not limiter.allow("user:alice", cost=3).allowed
    assert limiter.allow("user:alice", cost=2).allowed


@pytest.mark.parametrize("cost", [-1, 1.5, "2", True])
def test_a_cost_that_is_not_a_whole_number_is_refused(limiter, cost):
    with pytest.raises(InvalidCost):
        limiter.allow("user:alice", cost=cost)


@pytest.mark.parametrize("step_back", [0.5, WINDOW, 1000.0])
def test_a_clock_stepping_backwards_never_creates_quota(limiter, clock, step_back):
    clock.advance(WINDOW * 0.75)  # late in a window, so a step back crosses into the previous one
    for _ in range(LIMIT):
        limiter.allow("user:alice")
    clock.advance(-step_back)
    assert not any(limiter.allow("user:alice").allowed for _ in range(3))
    clock.advance(step_back)
    assert not limiter.allow("user:alice").allowed


def test_a_limit_lowered_below_what_a_caller_used_reads_zero_remaining_never_negative(make, store, clock):
    for _ in range(LIMIT):
        assert make(LIMIT, WINDOW, store=store, clock=clock).allow("user:alice").allowed
    lowered = make(LIMIT - 2, WINDOW, store=store, clock=clock).allow("user:alice")
    assert (lowered.allowed, lowered.limit, lowered.remaining) == (False, LIMIT - 2, 0)
    assert 0 < lowered.retry_after < math.inf


def test_a_limiter_on_a_memory_store_must_keep_time_by_the_stores_clock(make, clock):
    """Otherwise its keys would age on one clock while its decisions read another."""
    with pytest.raises(ClockMismatch):
        make(LIMIT, WINDOW, store=memory_store(FakeClock(START)), clock=clock)
    store = memory_store(clock)
    assert make(LIMIT, WINDOW, store=store, clock=clock).allow("user:alice").allowed
    assert make(LIMIT, WINDOW, store=store).allow("user:bob").allowed


def test_every_key_the_limiter_writes_has_a_ttl(limiter, store, clock):
    for i in range(LIMIT + 2):
        limiter.allow("user:alice")
        limiter.allow(f"user:{i}", cost=LIMIT + 1)
    keys = store.keys("rl:*")
    assert keys
    for key in keys:
        ttl = store.ttl(key)
        assert ttl is not None and 0 < ttl <= 2 * WINDOW + 2, f"{key} has TTL {ttl}"


def test_without_a_clock_the_limiter_uses_the_store_time(make, store):
    """On Redis that is the server's TIME; on the memory store, the store's clock."""
    limiter = make(LIMIT, 3600, store=store)
    decisions = [limiter.allow("user:alice") for _ in range(LIMIT + 1)]
    assert [d.allowed for d in decisions] == [True] * LIMIT + [False]
    assert 0 < decisions[-1].retry_after <= 7200
    assert all(0 < store.ttl(k) <= 7202 for k in store.keys("rl:*"))


def test_an_unreachable_store_raises_limiter_unavailable(make, unreachable_store):
    limiter = make(LIMIT, WINDOW, store=unreachable_store)
    with pytest.raises(LimiterUnavailable):
        limiter.allow("user:alice")


# -- the bound each algorithm promises, checked on random traffic --------------------------------------------

def within_bound(name: str, times: list[float], limit: int, window: float) -> str | None:
    """None if the admitted ``times`` respect ``name``'s bound, else a sentence saying where they do not."""
    eps = 1e-6
    if name in ("token_bucket", "gcra"):  # burst plus refill over any interval
        rate = limit / window
        for i, a in enumerate(times):
            for j in range(i, len(times)):
                if j - i + 1 > limit + rate * (times[j] - a) + eps:
                    return f"{j - i + 1} admitted in [{a}, {times[j]}]"
    elif name == "sliding_log":  # at most limit in any (t - window, t]
        for j, t in enumerate(times):
            inside = sum(1 for s in times[: j + 1] if s > t - window)
            if inside > limit:
                return f"{inside} admitted in ({t - window}, {t}]"
    else:  # windowed counters: limit per aligned window, twice that across a boundary at worst
        per_window: dict[float, int] = {}
        for t in times:
            per_window[math.floor(t / window)] = per_window.get(math.floor(t / window), 0) + 1
        if max(per_window.values(), default=0) > limit:
            return f"aligned window over limit: {per_window}"
        if simulate.worst_burst(times, window) > 2 * limit:
            return "more than twice the limit in one window length"
    return None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gaps=st.lists(st.sampled_from([0.0, 0.0, 0.05, 0.3, 1.0, 2.5, 7.0]), min_size=1, max_size=40),
       costs=st.lists(st.integers(1, 3), min_size=40, max_size=40))
def test_admitted_requests_never_exceed_the_algorithms_bound(make, store, gaps, costs):
    clock, key = FakeClock(START), fresh_key()
    limiter = make(LIMIT, WINDOW, store=store if store.kind != "memory" else memory_store(clock), clock=clock)
    admitted: list[float] = []
    for gap, cost in zip(gaps, costs):
        clock.advance(gap)
        if limiter.allow(key, cost=cost).allowed:
            admitted += [clock.now() - START] * cost
    name = next(n for n, f in ALGORITHMS.items() if f is make)
    assert within_bound(name, admitted, LIMIT, WINDOW) is None


@pytest.mark.parametrize("run", range(4))
def test_eight_threads_hammering_one_key_admit_exactly_the_limit(make, store, clock, run):
    limiter = make(50, 3600, store=store, clock=clock)  # the fake clock stands still: no refill during the race
    key, admitted, barrier = fresh_key(), [], threading.Barrier(8)

    def hammer():
        barrier.wait()
        admitted.append(sum(limiter.allow(key).allowed for _ in range(20)))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(admitted) == 50, f"8 x 20 attempts admitted {sum(admitted)}, not exactly 50"


# -- choosing by name, the hybrid, traffic ---------------------------------------------------------------------

def test_limiter_from_config_builds_the_named_algorithm_from_limit_and_window(clock):
    for name, cls in [("token_bucket", TokenBucket), ("gcra", GCRA), ("fixed_window", FixedWindow),
                      ("sliding_log", SlidingWindowLog)]:
        limiter = limiter_from_config({"algorithm": name, "limit": 100, "window": 60}, memory_store(clock), clock)
        assert isinstance(limiter, cls) and (limiter.limit, limiter.window) == (100, 60.0)


def test_an_unknown_algorithm_is_named_in_the_error():
    with pytest.raises(UnknownAlgorithm, match="leaky"):
        limiter_from_config({"algorithm": "leaky", "limit": 1, "window": 1})


def test_a_single_hybrid_server_admits_exactly_the_limit(clock):
    hybrid = LocalGlobalHybrid(20, 60, memory_store(clock), clock, batch=5)
    assert sum(hybrid.allow("user:alice").allowed for _ in range(50)) == 20


def test_bigger_hybrid_batches_save_store_calls_and_over_admit_at_most_servers_times_batch():
    rows = tradeoff(batches=(1, 5, 20), servers=3, limit=100, requests=600)
    assert [r.store_calls for r in rows] == sorted((r.store_calls for r in rows), reverse=True)
    assert rows[0].calls_per_decision <= 1 and rows[-1].calls_per_decision < 0.1
    for r in rows:
        assert 0 <= r.over_admission <= 3 * r.batch, r


def test_a_fixed_window_admits_twice_its_limit_across_a_boundary_and_a_sliding_log_does_not():
    times = simulate.boundary(LIMIT, WINDOW)
    fixed = simulate.admitted(simulate.replay(lambda **kw: FixedWindow(LIMIT, WINDOW, **kw), times))
    log = simulate.admitted(simulate.replay(lambda **kw: SlidingWindowLog(LIMIT, WINDOW, **kw), times))
    assert simulate.worst_burst(fixed, 1.0) == 2 * LIMIT
    assert simulate.worst_burst(log, WINDOW) == LIMIT


def test_worst_burst_counts_the_busiest_interval():
    assert simulate.worst_burst([0, 0.5, 0.99, 1.0, 3], span=1.0) == 3
    assert simulate.worst_burst([], span=1.0) == 0


def test_the_committed_trace_is_the_seeded_synthetic_trace():
    assert simulate.load_trace(DATA / "ratelimit-trace.csv") == simulate.synthetic_trace()


def test_the_sliding_log_holds_one_number_per_request_in_the_window_and_gcra_one_in_all():
    times = simulate.steady(2, 30)
    assert simulate.state_size(lambda **kw: SlidingWindowLog(100, 10, **kw), times) == 20
    assert simulate.state_size(lambda **kw: GCRA(100, 10, **kw), times) == 1


def test_the_bucket_level_never_exceeds_capacity_and_drops_with_each_admission():
    outcomes, levels = simulate.bucket_levels(5, 1.0, simulate.bursty(8, 4.0, 12))
    assert all(0 <= level <= 5 for _, level in levels)
    assert sum(o.allowed for o in outcomes) == 5 + 4 + 4


def test_idle_keys_are_swept_from_the_memory_store(clock):
    store = memory_store(clock)
    limiter = TokenBucket(5, 1.0, store=store, clock=clock)
    for i in range(5000):
        limiter.allow(f"user:{i}")
        clock.advance(0.01)  # each key is full again, so expired, 5 s + 1 s after its request
    assert len(store) < store.SWEEP_EVERY + 700, f"{len(store)} keys held for 5000 mostly idle callers"


def test_the_bound_checker_catches_over_admission():
    assert within_bound("sliding_log", [0.0] * (LIMIT + 1), LIMIT, WINDOW)
    assert within_bound("token_bucket", [0.0] * LIMIT + [0.1], LIMIT, WINDOW)
    assert within_bound("fixed_window", [9.9] * LIMIT + [10.0] * LIMIT, LIMIT, WINDOW) is None
    assert within_bound("fixed_window", [9.9] * LIMIT + [10.0] * (LIMIT + 1), LIMIT, WINDOW)


def test_every_decision_on_real_redis_is_exactly_one_round_trip(make, redis_url):
    """The issue's contract: one EVALSHA per decision, however the script gets there (counted on the socket)."""
    from apidesign.localhost import SocketWrites
    from apidesign.store import redis_store
    store = redis_store(redis_url, prefix=f"{fresh_key()}:")
    sent = SocketWrites().watch(store.client.connection_pool)
    limiter = make(3, 60.0, store=store)
    limiter.allow("warm-up")  # the first call may also load the script (SCRIPT LOAD after NOSCRIPT)
    before = sent.n
    decisions = [limiter.allow(f"user:{i % 4}") for i in range(24)]
    assert sent.n - before == len(decisions)
    assert sum(d.allowed for d in decisions) == 4 * 3  # and they were real decisions: 3 per user, then refusals


def test_a_decision_whose_reply_is_lost_is_unavailable_and_charged_once(make, redis_url):
    """The store never re-sends the step: the caller gets LimiterUnavailable (fails open or closed), charged once."""
    from apidesign.localhost import LossyProxy
    from apidesign.store import redis_store
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    with LossyProxy(port) as proxy:
        limiter = make(3, 60.0, store=redis_store(f"redis://127.0.0.1:{proxy.port}/0", prefix=f"{fresh_key()}:"))
        assert limiter.allow("user:alice").remaining == 2
        proxy.lose_next_reply()
        with pytest.raises(LimiterUnavailable):
            limiter.allow("user:alice")
        assert limiter.allow("user:alice").remaining == 0, "the lost decision took one unit, not two"


def test_the_comparison_table_has_a_row_per_algorithm_and_shows_the_boundary_burst():
    times = simulate.boundary(5, 10.0)
    rows = {r["algorithm"]: r for r in simulate.comparison(times, ALGORITHMS, limit=5, window=10.0)}
    assert set(rows) == set(ALGORITHMS)
    assert rows["fixed_window"]["worst 1 s burst"] == 10 and rows["sliding_log"]["worst 1 s burst"] == 5
    assert all(r["admitted"] + r["refused"] == len(times) for r in rows.values())
    assert rows["sliding_log"]["numbers per key"] == 5  # one timestamp per admitted request in the window


@pytest.mark.parametrize("config", [{"limit": 5, "window": -10}, {"limit": 5, "window": 0}, {"limit": 0, "window": 10},
                                    {"limit": -1, "window": 10}, {"limit": 5, "window": float("inf")},
                                    {"limit": 2.5, "window": 10}, {"limit": 5}])
@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
def test_a_bad_limit_or_window_is_refused_when_the_app_is_created_not_silently_unlimited(algorithm, config):
    from apidesign.ratelimit import InvalidSetting
    from apidesign.server import create_app

    with pytest.raises(InvalidSetting):
        create_app({"RATE_LIMIT": {"algorithm": algorithm, **config}})


@pytest.mark.parametrize("capacity, refill", [(0, 1.0), (5, 0.0), (5, -1.0), (5, float("nan"))])
def test_a_token_bucket_with_no_capacity_or_no_positive_refill_is_refused_at_construction(capacity, refill):
    from apidesign.ratelimit import InvalidSetting

    with pytest.raises(InvalidSetting, match="capacity|refill_per_second"):
        TokenBucket(capacity, refill)
