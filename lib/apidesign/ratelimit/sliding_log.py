"""Sliding window log: remember the time of every admitted request in the last ``window`` seconds.

On Redis this is the sorted-set recipe: ``ZREMRANGEBYSCORE`` drops entries that left the
window, ``ZCARD`` counts the rest, ``ZADD`` records the new request with its time as the
score. Exact (never more than ``limit`` in any window) but it stores one entry per request.
"""

from __future__ import annotations

import bisect
from typing import Any

from .core import Reply, WindowLimiter, expiry


class SlidingWindowLog(WindowLimiter):
    """At most ``limit`` in any window ``(t - window_seconds, t]``."""

    name = "sliding_log"
    # Members must be unique in a sorted set, so each entry is a sequence number (KEYS[2]) scored by its time.
    # A clock stepping backwards prunes less, never more: entries from "the future" keep counting.
    LUA = """
local limit, window = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local function reset()
  local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  return newest[2] and (tonumber(newest[2]) + window - now) or 0
end
if count + cost <= limit then
  if cost > 0 then
    local last = redis.call('INCRBY', KEYS[2], cost)
    for seq = last - cost + 1, last do redis.call('ZADD', KEYS[1], now, seq) end
    count = count + cost
  end
  local r = reset()
  if count > 0 then
    expire_in(KEYS[1], r)
    expire_in(KEYS[2], r)
  end
  return reply(true, limit - count, 0, r)
end
local oldest = redis.call('ZRANGE', KEYS[1], count + cost - limit - 1, count + cost - limit - 1, 'WITHSCORES')
local retry = oldest[2] and (tonumber(oldest[2]) + window - now) or window
return reply(false, limit - count, retry, reset())
"""

    def keys(self, key: str) -> list[str]:
        # The {hash tag} puts both keys in one Redis Cluster slot, as a script touching two keys requires.
        tagged = f"rl:{self.name}:{{{key}}}"
        return [tagged, tagged + ":seq"]

    @staticmethod
    def step(store: Any, keys: list[str], args: list[Any]) -> Reply:
        now, cost, limit, window = args
        log = store.load(keys[0], now) or []  # sorted times, pruned and extended in place
        del log[:bisect.bisect_right(log, now - window)]  # the entries that left the window
        count = len(log)
        if count + cost <= limit:
            for _ in range(cost):
                bisect.insort(log, now)
            reset = log[-1] + window - now if log else 0.0
            if log:
                store.save(keys[0], log, expiry(reset), now)
            return (True, limit - count - cost, 0.0, reset)
        needed = count + cost - limit  # the oldest entries that must leave before this fits
        retry = log[needed - 1] + window - now if needed <= count else window
        return (False, limit - count, retry, log[-1] + window - now if log else 0.0)
