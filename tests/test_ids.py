"""Resource IDs: random and prefixed for the API; ULID and Snowflake sort by time."""

import random

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
