"""What every rate limiter shares: the ``Decision`` it returns and the way it runs its atomic step.

Each algorithm writes its check-and-update once in Lua (Redis runs it with EVALSHA:
one round trip, atomic, every key given a TTL) and once as a Python twin (the memory
store runs it under its lock). Both halves take the same arguments,
``ARGV = [now, cost, *params]``, and return the ``Decision``'s fields but ``limit``,
which the limiter knows: ``allowed, remaining, retry_after, reset_after``. ``allow`` then
settles two rare cases in one place for both: a negative ``remaining`` (the limit was lowered
below what a key had used) reads 0, and a cost above the limit can never fit, so its
``retry_after`` is infinite.

Where time comes from. On Redis, ``now`` is ``-1`` by default, which tells the script to
read the server's clock with ``TIME`` (so app servers with skewed clocks agree). On the
memory store, the limiter reads the store's own clock and passes it in, so the Python twin
always gets a time. A limiter built with ``clock=`` passes ``clock.now()`` instead (on a
memory store that must be the store's clock). Tests and notebook demos do that with a
``FakeClock``, so the *same* timeline runs on memory, fakeredis and real Redis without
sleeping; production leaves it unset.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Sequence

from redis.exceptions import RedisError

from ..clock import Clock
from ..errors import ApiDesignError
from ..store import Store, StoreUnavailable, memory_store

# Float slack in comparisons. Epoch seconds (~1.8e9) carry only ~0.2 µs of precision, and a GCRA time is a sum
# of many intervals: 25 steps of 2.4 s drift by ~3 µs, enough to refuse the 25th of 25 with a 1 µs slack.
# A millisecond is far above that drift and far below anything a client could notice.
EPSILON = 1e-3

# Shared Lua prelude: the same slack, and ``now`` from ARGV[1], or the Redis server's clock when it is negative.
LUA_NOW = f"local EPSILON = {EPSILON!r}\n" + """
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local cost = tonumber(ARGV[2])
-- Redis turns a Lua false into nil and a Lua float into an integer, so the verdict goes back as 1 or 0
-- and the two times as strings.
local function reply(allowed, remaining, retry_after, reset_after)
  return {allowed and 1 or 0, remaining, tostring(retry_after), tostring(reset_after)}
end
local function expire_in(key, seconds) redis.call('PEXPIRE', key, math.ceil(seconds * 1000) + 1000) end
"""


class RateLimitError(ApiDesignError):
    """Root of the rate limiter's own errors."""


class InvalidCost(RateLimitError, ValueError):
    """A request's cost must be a whole number of quota units, 0 or more."""


class ClockMismatch(RateLimitError, ValueError):
    """A limiter on a memory store was given a clock other than the store's: its keys would expire on the wrong one."""


class InvalidSetting(RateLimitError, ValueError):
    """A limit must be a whole number >= 1 and a window (or refill rate) a finite number > 0: else nothing is limited."""


def whole_at_least_one(name: str, value: Any) -> int:
    """``value`` as an int >= 1, or InvalidSetting (a limit of 0 would divide by zero)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (value >= 1 and float(value).is_integer()):
        raise InvalidSetting(f"{name} must be a whole number >= 1, not {value!r}")
    return int(value)


def finite_positive(name: str, value: Any) -> float:
    """``value`` as a finite float > 0, or InvalidSetting (a negative or zero window would disable the limit)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InvalidSetting(f"{name} must be a finite number > 0, not {value!r}")
    return float(value)


class LimiterUnavailable(RateLimitError):
    """The limiter's store could not be reached, so no decision was made (fail open or closed is the caller's call)."""


class Decision(NamedTuple):
    """One verdict: admitted or not, out of ``limit``; seconds until a retry can pass and until the quota is full."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: float  # 0 when allowed; math.inf when the cost can never fit
    reset_after: float  # seconds until the quota is whole again


Reply = tuple[bool, int, float, float]  # allowed, remaining, retry_after, reset_after, as a Python twin returns them


def expiry(seconds: float) -> float:
    """The TTL the Lua half sets (ceil to ms, plus one second), so both backends keep keys equally long."""
    return (math.ceil(seconds * 1000) + 1000) / 1000


def server_time() -> float:
    """``now`` for a Redis script that reads the server's ``TIME`` itself (see ``LUA_NOW``)."""
    return -1.0


class Limiter:
    """Base of every algorithm: ``allow(key, cost)`` runs the algorithm's atomic step on the store."""

    name = "limiter"
    LUA = ""
    limit: int      # quota units per window (RateLimit-Policy ``q``)
    window: float   # seconds (RateLimit-Policy ``w``)

    def __init__(self, store: Store | None = None, clock: Clock | None = None):
        self.store = store if store is not None else memory_store(clock)
        if self.store.kind == "memory":  # the twin is given the time on the store's clock, which also ages its keys
            if clock is not None and clock is not self.store.clock:
                raise ClockMismatch(f"{type(self).__name__}: pass the memory store's own clock, or no clock")
            self._now = self.store.clock.now
        else:  # Redis: the injected clock, or the server's TIME
            self._now = server_time if clock is None else clock.now
        self._step = self.store.script(LUA_NOW + self.LUA, type(self).step)

    def keys(self, key: str) -> list[str]:
        """The store keys that hold ``key``'s state."""
        return [f"rl:{self.name}:{key}"]

    def params(self) -> list[Any]:
        """ARGV after ``now`` and ``cost``: the algorithm's settings."""
        return []

    def allow(self, key: str, cost: int = 1) -> Decision:
        """Admit ``cost`` units for ``key`` now, or say how long to wait; a denied request consumes nothing."""
        if type(cost) is not int or cost < 0:  # type(), not isinstance: True is not a cost
            raise InvalidCost(f"cost must be a whole number >= 0, not {cost!r}")
        try:
            reply = self._step(self.keys(key), [self._now(), cost, *self.params()])
        except (StoreUnavailable, RedisError) as exc:
            raise LimiterUnavailable(f"{self.name}: store unreachable ({type(exc).__name__})") from None
        allowed, remaining, retry_after, reset_after = reply  # from Redis, the times are strings
        if cost > self.limit:  # can never fit, however long the caller waits
            retry_after = math.inf
        return Decision(bool(allowed), self.limit, max(0, remaining), float(retry_after), float(reset_after))

    @staticmethod
    def step(store: Any, keys: Sequence[str], args: Sequence[Any]) -> Reply:  # pragma: no cover - abstract
        """The Python twin of ``LUA``, run under the memory store's lock; ``args[0]`` is always a time here."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(limit={self.limit}, window={self.window:g}, store={self.store.kind})"


class WindowLimiter(Limiter):
    """A limiter configured as ``limit`` requests per ``window_seconds`` (every algorithm but the bucket)."""

    def __init__(self, limit: int, window_seconds: float, store: Store | None = None, clock: Clock | None = None):
        self.limit, self.window = whole_at_least_one("limit", limit), finite_positive("window_seconds", window_seconds)
        super().__init__(store, clock)

    def params(self) -> list[Any]:
        return [self.limit, self.window]
