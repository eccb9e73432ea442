"""Token bucket: a bucket of ``capacity`` tokens refilled at ``refill_per_second``; a request takes ``cost`` tokens.

It allows bursts up to the capacity and a smooth long-run rate (AWS and Stripe use it).
State per key: two numbers, the token count and when it was last updated.
"""

from __future__ import annotations

import math
from typing import Any

from ..clock import Clock
from ..store import Store
from .core import EPSILON, Limiter, Reply, expiry, finite_positive, whole_at_least_one


class TokenBucket(Limiter):
    """At most ``capacity`` at once, then ``refill_per_second`` on average."""

    name = "token_bucket"
    # A clock that steps backwards (now < ts) adds nothing: elapsed is clamped at 0 and ts never moves back.
    LUA = """
local capacity, rate = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
ts = math.max(ts, now)
local lag = ts - now  -- > 0 only while the clock is behind: refill resumes once it catches up
if cost > tokens + EPSILON then  -- refused: nothing written (the refill is recomputed next time), nothing consumed
  local retry = lag + (math.min(cost, capacity) - tokens) / rate
  return reply(false, math.floor(tokens + EPSILON), retry, lag + (capacity - tokens) / rate)
end
tokens = math.max(0, tokens - cost)
local reset = lag + (capacity - tokens) / rate
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', ts)
expire_in(KEYS[1], reset)
return reply(true, math.floor(tokens + EPSILON), 0, reset)
"""

    def __init__(self, capacity: int, refill_per_second: float, store: Store | None = None,
                 clock: Clock | None = None):
        self.capacity = whole_at_least_one("capacity", capacity)
        self.refill_per_second = finite_positive("refill_per_second", refill_per_second)
        self.limit, self.window = self.capacity, self.capacity / self.refill_per_second
        super().__init__(store, clock)

    def params(self) -> list[Any]:
        return [self.capacity, self.refill_per_second]

    @staticmethod
    def step(store: Any, keys: list[str], args: list[Any]) -> Reply:
        now, cost, capacity, rate = args
        tokens, ts = store.load(keys[0], now) or (capacity, now)
        tokens = min(capacity, tokens + max(0, now - ts) * rate)
        ts = max(ts, now)
        lag = ts - now  # > 0 only while the clock is behind: refill resumes once it catches up
        if cost > tokens + EPSILON:  # refused: nothing written (the refill is recomputed next time), nothing consumed
            retry = lag + (min(cost, capacity) - tokens) / rate
            return (False, math.floor(tokens + EPSILON), retry, lag + (capacity - tokens) / rate)
        tokens = max(0, tokens - cost)
        reset = lag + (capacity - tokens) / rate
        store.save(keys[0], (tokens, ts), expiry(reset), now)
        return (True, math.floor(tokens + EPSILON), 0.0, reset)
