"""GCRA, the generic cell rate algorithm: a token bucket stored as one timestamp.

Each key keeps only its *theoretical arrival time* (TAT): when the next request would
be due if traffic ran exactly at the rate. A request may arrive up to ``window`` early
(the burst allowance); its cost pushes the TAT ``cost * window / limit`` further on.
Same behaviour as ``TokenBucket(limit, limit / window)``, half the state.
"""

from __future__ import annotations

import math
from typing import Any

from .core import EPSILON, Reply, WindowLimiter, expiry


class GCRA(WindowLimiter):
    """``limit`` requests per ``window_seconds``, bursts up to ``limit``, in one number per key."""

    name = "gcra"
    # max(tat, now): a clock stepping backwards leaves the TAT where it was, so it never frees quota.
    LUA = """
local limit, window = tonumber(ARGV[3]), tonumber(ARGV[4])
local interval = window / limit
local tat = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now)
local new_tat = tat + cost * interval
local allow_at = new_tat - window
if allow_at - now > EPSILON then  -- refused: nothing written, nothing consumed
  return reply(false, math.floor((now - (tat - window)) / interval + EPSILON), allow_at - now, tat - now)
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) * 1000) + 1000)
return reply(true, math.floor((now - (new_tat - window)) / interval + EPSILON), 0, new_tat - now)
"""

    @staticmethod
    def step(store: Any, keys: list[str], args: list[Any]) -> Reply:
        now, cost, limit, window = args
        interval = window / limit
        stored = store.load(keys[0], now)
        tat = now if stored is None else max(stored, now)
        new_tat = tat + cost * interval
        allow_at = new_tat - window
        if allow_at - now > EPSILON:  # refused: nothing written, nothing consumed
            return (False, math.floor((now - (tat - window)) / interval + EPSILON), allow_at - now, tat - now)
        store.save(keys[0], new_tat, expiry(new_tat - now), now)
        return (True, math.floor((now - (new_tat - window)) / interval + EPSILON), 0.0, new_tat - now)
