"""Sliding window log: remember the time of every admitted request in the last ``window`` seconds.

On Redis this is the sorted-set recipe: ``ZREMRANGEBYSCORE`` drops entries that left the
window, ``ZCARD`` counts the rest, ``ZADD`` records the new request with its time as the
score. Exact (never more than ``limit`` in any window) but it stores one entry per request.
"""

from __future__ import annotations

import bisect
from typing import Any

from ..clock import Clock
from ..store import Store
from .core import Limiter, expiry, now_of


class SlidingWindowLog(Limiter):
    """At most ``limit`` in any window ``(t - window_seconds, t]``."""

    name = "sliding_log"
    # Members must be unique in a sorted set, so each entry is a sequence number (KEYS[2]) scored by its time.
    # A clock stepping backwards prunes less, never more: entries from "the future" keep counting.
    LUA = """
local limit, window = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', num(now - window))
local count = redis.call('ZCARD', KEYS[1])
local allowed, retry = 0, 0
if count + cost <= limit then
  allowed = 1
  if cost > 0 then
    local last = redis.call('INCRBY', KEYS[2], cost)
    for seq = last - cost + 1, last do redis.call('ZADD', KEYS[1], num(now), seq) end
    count = count + cost
  end
else
  local oldest = redis.call('ZRANGE', KEYS[1], count + cost - limit - 1, count + cost - limit - 1, 'WITHSCORES')
  retry = oldest[2] and (tonumber(oldest[2]) + window - now) or window
end
local reset = 0
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if newest[2] then reset = tonumber(newest[2]) + window - now end
if count > 0 then
  expire_in(KEYS[1], reset)
  expire_in(KEYS[2], reset)
end
return {allowed, limit - count, num(retry), num(reset)}
"""

    def __init__(self, limit: int, window_seconds: float, store: Store | None = None, clock: Clock | None = None):
        self.limit, self.window = int(limit), float(window_seconds)
        super().__init__(store, clock)

    def keys(self, key: str) -> list[str]:
        return [f"rl:{self.name}:{key}", f"rl:{self.name}:{key}:seq"]

    def params(self) -> list[Any]:
        return [self.limit, self.window]

    @staticmethod
    def step(store: Any, keys: list[str], args: list[Any]) -> list[Any]:
        now, cost, limit, window = now_of(store, args), int(args[1]), int(args[2]), float(args[3])
        log = [t for t in (store.load(keys[0]) or []) if t > now - window]  # sorted times
        allowed, retry = 0, 0.0
        if len(log) + cost <= limit:
            allowed = 1
            for _ in range(cost):
                bisect.insort(log, now)
        else:
            needed = len(log) + cost - limit
            retry = log[needed - 1] + window - now if needed <= len(log) else window
        reset = log[-1] + window - now if log else 0.0
        if log:
            store.save(keys[0], log, expiry(reset))
        else:
            store.delete(keys[0])
        return [allowed, limit - len(log), retry, reset]
