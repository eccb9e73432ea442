"""Resource IDs: random and prefixed for the API; ULID and Snowflake sort by time."""

import random

import pytest

from apidesign import ids


def test_seeded_factories_repeat_their_ids():
    assert ids.IdFactory(7).new("msg") == ids.IdFactory(7).new("msg")


def test_ulids_are_26_crockford_characters_that_sort_by_millisecond():
    rng = random.Random(3)
    times = sorted(rng.randrange(2**48) for _ in range(500))
    made = [ids.ulid(ms, rng) for ms in times]
    assert all(len(u) == 26 and set(u) <= set(ids.CROCKFORD) for u in made)
    assert [ms for _, ms in sorted(zip(made, times))] == times
    assert ids.ulid(0, random.Random(1))[:10] == "0" * 10 and ids.ulid(2**48 - 1, random.Random(1))[:10] == "7ZZZZZZZZZ"


def test_snowflakes_sort_by_time_then_worker_then_sequence():
    keys = [(ms, worker, seq) for ms in (ids.TWITTER_EPOCH_MS + 5, ids.TWITTER_EPOCH_MS + 6)
            for worker in (0, 1023) for seq in (0, 4095)]
    flakes = [ids.snowflake(*k) for k in keys]
    assert flakes == sorted(flakes) and len(set(flakes)) == len(flakes)


@pytest.mark.parametrize("ms, worker, sequence", [
    (ids.TWITTER_EPOCH_MS, 0, 4096),        # sequence=4096 would equal the next worker's sequence 0
    (ids.TWITTER_EPOCH_MS, 1024, 0),        # worker=1024 would spill into the time bits
    (ids.TWITTER_EPOCH_MS, -1, 0),
    (ids.TWITTER_EPOCH_MS, 0, -1),
    (ids.TWITTER_EPOCH_MS - 1, 0, 0),       # before the epoch: a negative ID
    (ids.TWITTER_EPOCH_MS + 2**41, 0, 0),   # past 41 bits: the sign bit
    (ids.TWITTER_EPOCH_MS + 0.5, 0, 0),
    (ids.TWITTER_EPOCH_MS, True, 0),
])
def test_a_snowflake_refuses_a_field_outside_its_bits_instead_of_colliding(ms, worker, sequence):
    with pytest.raises(ValueError):
        ids.snowflake(ms, worker, sequence)


def test_the_largest_fields_fit_and_stay_distinct():
    top = ids.snowflake(ids.TWITTER_EPOCH_MS + 2**41 - 1, 1023, 4095)
    assert top == 2**63 - 1
    assert ids.snowflake(ids.TWITTER_EPOCH_MS, 0, 4095) != ids.snowflake(ids.TWITTER_EPOCH_MS, 1, 0)


@pytest.mark.parametrize("ms", [-1, 2**48, 2**50, 1.5, True, "0"])
def test_a_ulid_refuses_a_time_outside_48_bits_of_integer_milliseconds(ms):
    with pytest.raises(ValueError):
        ids.ulid(ms, random.Random(1))


def test_a_ulid_gives_back_the_milliseconds_it_was_made_with():
    rng = random.Random(5)
    for ms in (0, 1, 2**48 - 1, 1_773_311_400_123):
        assert ids.ulid_ms(ids.ulid(ms, rng)) == ms


def rows_on_two_clocks(skew_ms, longest_commit_ms, seed=11):
    """200 rows over a second; odd rows take their ID on a clock ``skew_ms`` slow; each commits up to ``longest_commit_ms`` late."""
    rng = random.Random(seed)
    true_ms = sorted(1_000_000 + rng.randrange(1_000) for _ in range(200))
    return [(ids.ulid(ms - skew_ms * (n % 2), rng), ms + rng.randrange(longest_commit_ms + 1))
            for n, ms in enumerate(true_ms)]


def test_a_poller_on_one_clock_with_instant_commits_misses_nothing():
    assert ids.rows_a_poller_misses(rows_on_two_clocks(0, 0), every_ms=20) == []


@pytest.mark.parametrize("skew, late", [(50, 0), (0, 30), (50, 30)])
def test_clock_skew_and_late_commits_each_hide_rows_behind_a_cursor(skew, late):
    assert ids.rows_a_poller_misses(rows_on_two_clocks(skew, late), every_ms=20)


@pytest.mark.parametrize("skew, late", [(50, 0), (0, 30), (50, 30)])
def test_a_safety_margin_of_skew_plus_the_longest_commit_misses_nothing_and_a_smaller_one_misses_rows(skew, late):
    rows = rows_on_two_clocks(skew, late)
    assert ids.rows_a_poller_misses(rows, every_ms=20, margin_ms=skew + late) == []
    assert ids.rows_a_poller_misses(rows, every_ms=20, margin_ms=skew + late - 10)
