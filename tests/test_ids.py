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
