"""Polling against a callback (long_running.py): exact counts on a fake clock."""

from __future__ import annotations

import math

import pytest

from apidesign.long_running import MAX_DURATION, Noticed, by_callback, by_polling, compare_notification


def test_polling_every_interval_costs_a_request_per_interval_and_notices_up_to_an_interval_late():
    assert by_polling(4.3, 0.5) == Noticed("poll every 0.5 s", 10, 0, 0.2)
    assert by_polling(4.3, 2) == Noticed("poll every 2 s", 4, 0, 1.7)


def test_polling_as_retry_after_says_polls_once_because_the_server_says_how_long_the_work_takes():
    assert by_polling(4.3) == Noticed("poll as Retry-After says", 2, 0, 0.7)  # the POST, and one poll at +5 s


def test_a_callback_needs_only_the_starting_request_and_is_at_most_one_worker_tick_late():
    heard = by_callback(4.33, tick=0.05)
    assert heard.requests == 1 and heard.callbacks == 1 and 0 <= heard.latency <= 0.05


def test_the_comparison_lists_every_strategy_once():
    strategies = [n.strategy for n in compare_notification(intervals=(1, 5))]
    assert strategies == ["poll every 1 s", "poll every 5 s", "poll as Retry-After says",
                          "callback (worker tick 0.05 s)"]


@pytest.mark.parametrize("call, words", [
    (lambda: by_polling(-3, 1), "duration must be"), (lambda: by_polling(0, 1), "duration must be"),
    (lambda: by_polling(1e6, 1), "duration must be"), (lambda: by_polling(math.nan, 1), "duration must be"),
    (lambda: by_polling(4.3, 0), "interval must be"), (lambda: by_polling(4.3, -1), "interval must be"),
    (lambda: by_polling(3600, 0.001), "steps"), (lambda: by_callback(4.3, tick=0), "tick must be"),
    (lambda: by_callback(MAX_DURATION, tick=0.001), "steps")])
def test_inputs_that_would_crash_or_hang_are_refused_with_a_sentence(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_long_runs_and_long_intervals_finish_without_the_token_expiring():
    # the access token lasts 15 minutes of the app's clock; a run of an hour must not end in 401
    assert by_polling(MAX_DURATION, 600).requests == 7
    assert by_polling(4.3, 1e9).latency == pytest.approx(1e9 - 4.3)
    assert by_polling(MAX_DURATION).latency < 1
    assert by_callback(MAX_DURATION).callbacks == 1
