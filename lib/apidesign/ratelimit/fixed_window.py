"""Fixed window: count requests in windows aligned to the clock (``[0, 60)``, ``[60, 120)``, ...).

The classic Redis recipe is ``INCR user:{id}:requests`` with a TTL of one window. It is
cheap (two numbers per key) but lets through up to twice the limit across a boundary:
``limit`` at the end of one window and ``limit`` again at the start of the next.
"""

from __future__ import annotations

import math
from typing import Any

from ..clock import Clock
from ..store import Store
from .core import Limiter, expiry, now_of


class FixedWindow(Limiter):
    """At most ``limit`` per aligned window of ``window_seconds``."""

    name = "fixed_window"
    # The window start is stored beside the count, so a clock stepping back into an earlier
    # window keeps counting in the stored one instead of finding a fresh, empty counter.
    LUA = """
local limit, window = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'w', 'n')
local start, count = tonumber(state[1]), tonumber(state[2]) or 0
local current = math.floor(now / window) * window
if start == nil or current > start then start, count = current, 0 end
local reset = start + window - now
local allowed, retry = 0, reset
if count + cost <= limit then allowed, retry, count = 1, 0, count + cost end
redis.call('HSET', KEYS[1], 'w', num(start), 'n', count)
expire_in(KEYS[1], reset)
return {allowed, limit - count, num(retry), num(reset)}
"""

    def __init__(self, limit: int, window_seconds: float, store: Store | None = None, clock: Clock | None = None):
        self.limit, self.window = int(limit), float(window_seconds)
        super().__init__(store, clock)

    def params(self) -> list[Any]:
        return [self.limit, self.window]

    @staticmethod
    def step(store: Any, keys: list[str], args: list[Any]) -> list[Any]:
        now, cost, limit, window = now_of(store, args), int(args[1]), int(args[2]), float(args[3])
        start, count = store.load(keys[0]) or (None, 0)
        current = math.floor(now / window) * window
        if start is None or current > start:
            start, count = current, 0
        reset = start + window - now
        allowed, retry = 0, reset
        if count + cost <= limit:
            allowed, retry, count = 1, 0.0, count + cost
        store.save(keys[0], (start, count), expiry(reset))
        return [allowed, limit - count, retry, reset]
