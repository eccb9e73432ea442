"""GCRA, the generic cell rate algorithm: a token bucket stored as one timestamp.

Each key keeps only its *theoretical arrival time* (TAT): when the next request would
be due if traffic ran exactly at the rate. A request may arrive up to ``window`` early
(the burst allowance); its cost pushes the TAT ``cost * window / limit`` further on.
Same behaviour as ``TokenBucket(limit, limit / window)``, half the state.
"""

from __future__ import annotations

import math
from typing import Any

from ..clock import Clock
from ..store import Store
from .core import EPSILON, Limiter, expiry, now_of


class GCRA(Limiter):
    """``limit`` requests per ``window_seconds``, bursts up to ``limit``, in one number per key."""

    name = "gcra"
    # max(tat, now): a clock stepping backwards leaves the TAT where it was, so it never frees quota.
    LUA = """
local limit, window = tonumber(ARGV[3]), tonumber(ARGV[4])
local interval = window / limit
local tat = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now)
local new_tat = tat + cost * interval
local allow_at = new_tat - window
local allowed, retry = 1, 0
if allow_at - now > 1e-6 then
  allowed, retry, new_tat = 0, allow_at - now, tat
end
if allowed == 1 or redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SET', KEYS[1], num(new_tat))
  expire_in(KEYS[1], new_tat - now)
end
return {allowed, num(math.floor((now - (new_tat - window)) / interval + 1e-6)), num(retry), num(new_tat - now)}
"""

    def __init__(self, limit: int, window_seconds: float, store: Store | None = None, clock: Clock | None = None):
        self.limit, self.window = int(limit), float(window_seconds)
        super().__init__(store, clock)

    def params(self) -> list[Any]:
        return [self.limit, self.window]

    @staticmethod
    def step(store: Any, keys: list[str], args: list[Any]) -> list[Any]:
        now, cost, limit, window = now_of(store, args), int(args[1]), int(args[2]), float(args[3])
        interval = window / limit
        stored = store.load(keys[0])
        tat = max(now if stored is None else stored, now)
        new_tat = tat + cost * interval
        allow_at = new_tat - window
        allowed, retry = 1, 0.0
        if allow_at - now > EPSILON:
            allowed, retry, new_tat = 0, allow_at - now, tat
        if allowed or stored is not None:
            store.save(keys[0], new_tat, expiry(new_tat - now))
        return [allowed, math.floor((now - (new_tat - window)) / interval + EPSILON), retry, new_tat - now]
