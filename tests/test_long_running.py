"""Polling against a callback (long_running.py): exact counts on a fake clock."""

from __future__ import annotations

from apidesign.long_running import Noticed, by_callback, by_polling, compare_notification


def test_polling_every_interval_costs_a_request_per_interval_and_notices_up_to_an_interval_late():
    assert by_polling(4.3, 0.5) == Noticed("poll every 0.5 s", 10, 0, 0.2)
    assert by_polling(4.3, 2) == Noticed("poll every 2 s", 4, 0, 1.7)


def test_polling_as_retry_after_says_waits_the_servers_one_second():
    assert by_polling(4.3) == Noticed("poll as Retry-After says", 6, 0, 0.7)


def test_a_callback_needs_only_the_starting_request_and_is_at_most_one_worker_tick_late():
    heard = by_callback(4.33, tick=0.05)
    assert heard.requests == 1 and heard.callbacks == 1 and 0 <= heard.latency <= 0.05


def test_the_comparison_lists_every_strategy_once():
    strategies = [n.strategy for n in compare_notification(intervals=(1, 5))]
    assert strategies == ["poll every 1 s", "poll every 5 s", "poll as Retry-After says",
                          "callback (worker tick 0.05 s)"]
