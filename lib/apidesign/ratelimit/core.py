"""What every rate limiter shares: the ``Decision`` it returns and the way it runs its atomic step.

Each algorithm writes its check-and-update once in Lua (Redis runs it with EVALSHA:
one round trip, atomic, every key given a TTL) and once as a Python twin (the memory
store runs it under its lock). Both halves take the same arguments:
``ARGV = [now, cost, *params]`` and return ``allowed, remaining, retry_after, reset_after``
(``allowed`` 0 or 1 and ``remaining`` whole numbers, the times in seconds as floats). Python returns them
as a list; Lua as one string, ``"1 99 0 42.5"``: Redis would truncate a Lua float to an integer,
and redis-py reads one string several microseconds faster than a four-element array.

Where time comes from. By default ``now`` is ``-1``, which tells the step to read the
store's own clock: Redis ``TIME`` (so app servers with skewed clocks agree) or the
memory store's ``clock``. A limiter built with ``clock=`` passes ``clock.now()`` in
instead. Tests and notebook demos do that with a ``FakeClock``, so the *same* timeline
runs on memory, fakeredis and real Redis without sleeping; production leaves it unset.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Sequence

from ..clock import Clock
from ..errors import ApiDesignError
from ..store import Store, memory_store

EPSILON = 1e-6  # float slack in comparisons: epoch seconds (~1.8e9) carry only ~0.2 µs of precision

# Shared Lua prelude: ``now`` from ARGV[1], or the Redis server's clock when it is negative.
LUA_NOW = """
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local cost = tonumber(ARGV[2])
local function num(x) return string.format('%.17g', x) end
local function reply(allowed, remaining, retry, reset)
  return allowed .. ' ' .. remaining .. ' ' .. num(retry) .. ' ' .. num(reset)
end
local function expire_in(key, seconds) redis.call('PEXPIRE', key, math.ceil(seconds * 1000) + 1000) end
"""


class RateLimitError(ApiDesignError):
    """Root of the rate limiter's own errors."""


class InvalidCost(RateLimitError, ValueError):
    """A request's cost must be a whole number of quota units, 0 or more."""


class LimiterUnavailable(RateLimitError):
    """The limiter's store could not be reached, so no decision was made (fail open or closed is the caller's call)."""


class Decision(NamedTuple):
    """One verdict (immutable): admitted or not, out of ``limit``; seconds until a retry can pass and until the quota is full.

    A named tuple rather than a frozen dataclass: it is built on every request, and a tuple is four times
    cheaper to build. Test ``decision.allowed``, never the decision itself (a tuple is always truthy).
    """

    allowed: bool
    limit: int
    remaining: int
    retry_after: float  # 0 when allowed; math.inf when the cost can never fit
    reset_after: float  # seconds until the quota is whole again


# ``Decision(...)`` goes through NamedTuple's generated Python ``__new__``; building the tuple
# directly is half the cost, and a limiter builds one on every request.
_new_decision = tuple.__new__


def from_lua(reply: str) -> tuple[bool, int, float, float]:
    """The Lua half's ``"allowed remaining retry_after reset_after"`` as Python values."""
    allowed, remaining, retry, reset = reply.split()
    return allowed == "1", int(remaining), float(retry), float(reset)


def now_of(store: Any, args: Sequence[Any]) -> float:
    """The Python twin of ``LUA_NOW``: ARGV[1], or the memory store's clock when it is negative."""
    return store.clock.now() if args[0] < 0 else args[0]


def expiry(seconds: float) -> float:
    """The TTL the Lua half sets (ceil to ms, plus one second), so both backends keep keys equally long."""
    return (math.ceil(seconds * 1000) + 1000) / 1000


def _store_errors() -> tuple[type[BaseException], ...]:
    """Exceptions meaning 'the store is unreachable' (network errors, and redis-py's own)."""
    try:
        from redis.exceptions import RedisError
        return (OSError, RedisError)
    except ImportError:  # pragma: no cover - redis is a dependency
        return (OSError,)


_STORE_ERRORS = _store_errors()


class Limiter:
    """Base of every algorithm: ``allow(key, cost)`` runs the algorithm's atomic step on the store."""

    name = "limiter"
    LUA = ""
    limit: int      # quota units per window (RateLimit-Policy ``q``)
    window: float   # seconds (RateLimit-Policy ``w``)

    def __init__(self, store: Store | None = None, clock: Clock | None = None):
        self.store = store if store is not None else memory_store(clock)
        self.clock = clock
        self._step = self.store.script(LUA_NOW + self.LUA, type(self).step)
        self._params = self.params()

    def keys(self, key: str) -> list[str]:
        """The store keys that hold ``key``'s state."""
        return [f"rl:{self.name}:{key}"]

    def params(self) -> list[Any]:
        return []

    def allow(self, key: str, cost: int = 1) -> Decision:
        """Admit ``cost`` units for ``key`` now, or say how long to wait; a denied request consumes nothing."""
        if type(cost) is not int or cost < 0:  # type(), not isinstance: True is not a cost
            raise InvalidCost(f"cost must be a whole number >= 0, not {cost!r}")
        now = -1.0 if self.clock is None else self.clock.now()
        try:
            reply = self._step(self.keys(key), [now, cost, *self._params])
        except _STORE_ERRORS as exc:
            raise LimiterUnavailable(f"{self.name}: store unreachable ({type(exc).__name__})") from None
        allowed, remaining, retry, reset = from_lua(reply) if type(reply) is str else reply
        if allowed:
            return _new_decision(Decision, (True, self.limit, remaining, 0.0, reset))
        retry = math.inf if cost > self.limit else retry
        return _new_decision(Decision, (False, self.limit, max(0, remaining), retry, reset))

    @staticmethod
    def step(store: Any, keys: list[str], args: list[Any]) -> list[Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(limit={self.limit}, window={self.window:g}, store={self.store.kind})"


class WindowLimiter(Limiter):
    """A limiter configured as ``limit`` requests per ``window_seconds`` (every algorithm but the bucket)."""

    def __init__(self, limit: int, window_seconds: float, store: Store | None = None, clock: Clock | None = None):
        self.limit, self.window = int(limit), float(window_seconds)
        super().__init__(store, clock)

    def params(self) -> list[Any]:
        return [self.limit, self.window]
