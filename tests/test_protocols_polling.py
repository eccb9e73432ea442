"""Delivery models: latency bounds and request counts that follow from each strategy's definition."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apidesign.protocols.polling import compare, long_polling, message_times, short_polling, streaming

arrivals = st.lists(st.floats(0, 100), min_size=1, max_size=40)


@given(arrivals, st.floats(0.1, 20), st.floats(0, 0.5))
@settings(max_examples=80, deadline=None)
def test_short_polling_delivers_everything_once_within_one_interval_plus_a_round_trip(times, interval, rtt):
    d = short_polling(times, interval, rtt)
    assert len(d.latencies) == len(times)
    assert all(rtt / 2 - 1e-9 <= lat <= interval + rtt + 1e-9 for lat in d.latencies)


@given(arrivals, st.floats(0, 0.5))
@settings(max_examples=80, deadline=None)
def test_long_polling_waits_at_most_one_and_a_half_round_trips_and_never_asks_more_than_once_per_message(times, rtt):
    d = long_polling(times, rtt)
    assert len(d.latencies) == len(times)
    assert all(lat <= 1.5 * rtt + 1e-9 for lat in d.latencies)
    assert d.requests <= len(times) + int(max(times) // 30) + 1  # answers with messages, plus empty timeouts


def test_streaming_pays_half_a_round_trip_per_message_and_one_request_in_total():
    d = streaming([1.0, 2.0, 3.0], 0.1, "SSE")
    assert d.latencies == pytest.approx((0.05,) * 3) and d.requests == 1


def test_shorter_polling_intervals_trade_requests_for_latency():
    times = message_times(40, 0.2, random.Random(1))
    fast, slow = short_polling(times, 1.0, 0.1), short_polling(times, 10.0, 0.1)
    assert fast.mean_latency < slow.mean_latency and fast.requests > slow.requests


def test_push_beats_every_polling_strategy_on_both_latency_and_requests():
    results = compare(message_times(40, 0.2, random.Random(2)), rtt=0.1)
    push = [d for d in results if d.strategy in ("SSE", "WebSocket")]
    polls = [d for d in results if d not in push]
    for p in push:
        assert all(p.mean_latency <= q.mean_latency and p.requests < q.requests for q in polls)


@pytest.mark.parametrize("call, words", [
    (lambda: short_polling([1.0, 2.0], 0, 0.1), "interval must be > 0"),
    (lambda: short_polling([1.0, 2.0], -1, 0.1), "interval must be > 0"),
    (lambda: short_polling([100.0], 1e-9, 0.1), "the model stops at"),
    (lambda: long_polling([1.0, 2.0], 0.1, hold=0), "hold"),
    (lambda: long_polling([1.0, 2.0], 0.0, hold=-1), "hold"),
    (lambda: long_polling([100.0], 0.0, hold=1e-9), "the model stops at"),
    (lambda: short_polling([], 1.0, 0.1), "no messages"),
    (lambda: long_polling([], 0.1), "no messages"),
    (lambda: streaming([], 0.1, "SSE"), "no messages"),
    (lambda: short_polling([1.0], 1.0, -0.1), "rtt must be >= 0"),
    (lambda: long_polling([1.0], -0.1), "rtt must be >= 0"),
    (lambda: message_times(5, 0, random.Random(1)), "per_second > 0"),
    (lambda: message_times(5, -1, random.Random(1)), "per_second > 0"),
    (lambda: message_times(-1, 1, random.Random(1)), "count must be >= 0"),
])
def test_inputs_outside_the_model_raise_a_value_error_that_says_which_instead_of_hanging_or_crashing(call, words):
    with pytest.raises(ValueError, match=words):
        call()
