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
