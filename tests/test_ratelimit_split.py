"""Splitting a hot key: its decisions spread over N store keys, at the price of refusals while another sub-key has room."""

from __future__ import annotations

import pytest
from redis.crc import key_slot

from apidesign.ratelimit import ALGORITHMS, InvalidSetting, TokenBucket
from apidesign.ratelimit.simulate import split_run
from apidesign.ratelimit.split import SplitKey


@pytest.fixture(params=sorted(ALGORITHMS))
def make(request):
    return request.param


def test_every_algorithm_gets_limit_over_parts_in_the_same_window(make):
    split = SplitKey(make, 100, 60, parts=4)
    assert (split.limiter.limit, split.limiter.window) == (25, 60)


def test_a_split_token_bucket_refills_its_share_over_the_window_not_at_window_tokens_a_second():
    split = SplitKey("token_bucket", 100, 60, parts=4)
    assert isinstance(split.limiter, TokenBucket) and split.limiter.refill_per_second == 25 / 60


# A window of 50 s: 50 / 25 = 2 s between GCRA's units, exact in binary. With 60 s (2.4 s) GCRA admits 24 of 25
# at the conftest clock's timestamp: its EPSILON is below the rounding error of times near 1.8e9 (reported).
def test_round_robin_spreads_the_decisions_evenly_and_admits_the_whole_limit(make, store, clock):
    split = SplitKey(make, 100, 50, parts=4, store=store, clock=clock)
    run = split_run(split, "usr_big", [None] * 101)
    assert run.per_sub_key == {f"usr_big:{i}": 26 if i == 0 else 25 for i in range(4)}
    assert run.admitted == 100 and run.first_refusal == 100


def test_an_uneven_pick_is_refused_on_one_sub_key_while_the_others_have_room(make, store, clock):
    split = SplitKey(make, 100, 50, parts=4, store=store, clock=clock)
    run = split_run(split, "usr_big", [0] * 30 + [1, 2, 3] * 10)
    assert run.first_refusal == 25, "sub-key 0 holds 100 // 4 = 25"
    assert run.room_elsewhere == 75, "the three other sub-keys were untouched"
    assert run.admitted == 25 + 30, "60 requests sent under a limit of 100, yet 5 refused"


def test_one_part_is_the_plain_limiter(store, clock):
    split = SplitKey("fixed_window", 10, 60, parts=1, store=store, clock=clock)
    assert [split.allow("k").allowed for _ in range(11)] == [True] * 10 + [False]


def test_the_sub_keys_are_separate_store_keys_in_separate_cluster_slots():
    split = SplitKey("sliding_log", 100, 60, parts=4)
    store_keys = [split.limiter.keys(split.sub_key("usr_big", i))[0] for i in range(4)]
    assert len(set(store_keys)) == 4
    assert len({key_slot(k.encode()) for k in store_keys}) == 4, "each sub-key's hash tag names its own slot"


def test_a_limit_that_does_not_divide_loses_the_remainder():
    split = SplitKey("fixed_window", 10, 60, parts=3)
    assert split.limiter.limit == 3
    assert split_run(split, "k", [None] * 12).admitted == 9


def test_zero_parts_is_refused():
    with pytest.raises(InvalidSetting):
        SplitKey("fixed_window", 10, 60, parts=0)


def test_fewer_units_than_parts_is_refused_in_the_callers_own_numbers():
    with pytest.raises(InvalidSetting, match="a limit of 3 over 4 parts leaves 0 per sub-key"):
        SplitKey("fixed_window", 3, 60, parts=4)
