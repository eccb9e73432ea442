"""Fixed window: count requests in windows aligned to the clock (``[0, 60)``, ``[60, 120)``, ...).

The classic Redis recipe is ``INCR user:{id}:requests`` with a TTL of one window: two commands
(INCR, then EXPIRE), so they go in MULTI/EXEC or one script, or a client that dies between them leaves
a counter that never expires (Redis INCR documentation, "Rate limiter 2"). It is cheap (two numbers per key) but lets through up to twice the limit across a boundary:
``limit`` at the end of one window and ``limit`` again at the start of the next.
"""

from __future__ import annotations

import math
from typing import Any

from .core import Reply, WindowLimiter, expiry


class FixedWindow(WindowLimiter):
    """At most ``limit`` per aligned window of ``window_seconds``."""

    name = "fixed_window"
    # The window start is stored beside the count, so a clock stepping back into an earlier
    # window keeps counting in the stored one instead of finding a fresh, empty counter.
    # Writes only when admitting: HINCRBY within a window keeps the TTL set when the window began.
    LUA = """
local limit, window = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'w', 'n')
local start, count = tonumber(state[1]), tonumber(state[2]) or 0
local current = math.floor(now / window) * window
local fresh = start == nil or current > start
if fresh then start, count = current, 0 end
local reset = start + window - now
if count + cost > limit then return reply(false, limit - count, reset, reset) end
count = count + cost
if fresh then
  redis.call('HSET', KEYS[1], 'w', start, 'n', count)
  expire_in(KEYS[1], reset)
else
  redis.call('HINCRBY', KEYS[1], 'n', cost)
end
return reply(true, limit - count, 0, reset)
"""

    @staticmethod
    def step(store: Any, keys: list[str], args: list[Any]) -> Reply:
        now, cost, limit, window = args
        state = store.load(keys[0], now)  # [start, count], updated in place so its TTL stays put
        current = math.floor(now / window) * window
        fresh = state is None or current > state[0]
        start, count = (current, 0) if fresh else state
        reset = start + window - now
        if count + cost > limit:
            return (False, limit - count, reset, reset)
        if fresh:
            store.save(keys[0], [start, count + cost], expiry(reset), now)
        else:
            state[1] += cost
        return (True, limit - count - cost, 0.0, reset)
