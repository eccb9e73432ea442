"""Resource IDs: a type prefix plus random base-36 characters, e.g. ``msg_k3j9x0q2m1``.

The prefix tells a human (and a log search) what kind of thing an ID names; the
random part is unguessable in production. Notebooks pass a seed so the IDs they
print are the same on every run.
"""

from __future__ import annotations

import random
import secrets
import string
import threading

ALPHABET = string.digits + string.ascii_lowercase
LENGTH = 10  # 36**10 ~ 3.7e15: no collisions at course scale (1M messages)


class IdFactory:
    """Makes prefixed IDs; seeded for reproducible demos, from ``secrets`` otherwise."""

    def __init__(self, seed: int | None = None):
        self._rng = random.Random(seed) if seed is not None else secrets.SystemRandom()
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        """A fresh ID such as ``ch_x9y8z7w6v5``."""
        with self._lock:
            return prefix + "_" + "".join(self._rng.choice(ALPHABET) for _ in range(LENGTH))


# -- time-sortable IDs, for comparison (the API's own IDs above are random, so their order is not time order) --

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
TWITTER_EPOCH_MS = 1_288_834_974_657  # Snowflake's custom epoch (twitter-archive/snowflake, 2010)


def ulid(ms: int, rng: random.Random) -> str:
    """A ULID (ulid/spec): 48 bits of Unix milliseconds, then 80 random bits, as 26 Crockford base-32 characters."""
    value = (unsigned(ms, 48, "a ULID's time in Unix milliseconds") << 80) | rng.getrandbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def snowflake(ms: int, worker: int, sequence: int) -> int:
    """A Snowflake ID: 41 bits of milliseconds since its epoch, 10 bits of worker, 12 of a per-millisecond sequence."""
    since_epoch = unsigned(ms - TWITTER_EPOCH_MS, 41, "a Snowflake's milliseconds since its epoch (Nov 2010)")
    return since_epoch << 22 | unsigned(worker, 10, "the worker number") << 12 | unsigned(sequence, 12, "the sequence")


def unsigned(value: int, bits: int, what: str) -> int:
    """``value`` if it is an integer that fits in ``bits`` unsigned bits; a ValueError naming the field otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**bits:
        raise ValueError(f"{what} must be an integer from 0 to {2**bits - 1}, not {value!r}")
    return value


def ulid_ms(ulid_text: str) -> int:
    """The Unix milliseconds a ULID carries: its first ten characters, read back from Crockford base 32."""
    return int("".join(f"{CROCKFORD.index(c):05b}" for c in ulid_text[:10]), 2)


def rows_a_poller_misses(rows: list[tuple[str, int]], every_ms: int, margin_ms: int = 0) -> list[str]:
    """The IDs a poller never returns. ``rows`` are (ULID, the poller's time in ms when it committed); every
    ``every_ms`` the poller reads ``WHERE id > cursor`` among rows committed so far, keeping only IDs timestamped
    at least ``margin_ms`` before its own clock, and moves its cursor to the largest ID it read."""
    start = min(commit for _, commit in rows)
    end = max(max(commit, ulid_ms(u)) for u, commit in rows) + margin_ms + every_ms
    cursor, seen = "", set()
    for now in range(start, end + 1, every_ms):
        new = [u for u, commit in rows if commit <= now and u > cursor and ulid_ms(u) <= now - margin_ms]
        seen.update(new)
        cursor = max(new, default=cursor)
    return [u for u, _ in rows if u not in seen]
