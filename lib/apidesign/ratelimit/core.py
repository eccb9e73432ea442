"""What every rate limiter shares: the ``Decision`` it returns and the way it runs its atomic step.

Each algorithm writes its check-and-update once in Lua (Redis runs it with EVALSHA:
one round trip, atomic, every key given a TTL) and once as a Python twin (the memory
store runs it under its lock). Both halves take the same arguments,
``ARGV = [now, cost, *params]``, and return the ``Decision``'s fields in order:
``allowed, limit, remaining, retry_after, reset_after`` (the times in seconds as floats).
Python returns them as a tuple; Lua as one string, ``"1 100 99 0 42.5"``: Redis would
truncate a Lua float to an integer, and redis-py reads one string several microseconds
faster than a five-element array. ``allow`` then settles two rare cases in one place for
both: a negative ``remaining`` (the limit was lowered below what a key had used) reads 0,
and a cost above the limit can never fit, so its ``retry_after`` is infinite.

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
local function reply(allowed, limit, remaining, retry, reset)
  return allowed .. ' ' .. limit .. ' ' .. remaining .. ' ' .. num(retry) .. ' ' .. num(reset)
end
local function expire_in(key, seconds) redis.call('PEXPIRE', key, math.ceil(seconds * 1000) + 1000) end
"""


class RateLimitError(ApiDesignError):
    """Root of the rate limiter's own errors."""


class InvalidCost(RateLimitError, ValueError):
    """A request's cost must be a whole number of quota units, 0 or more."""


class ClockMismatch(RateLimitError, ValueError):
    """A limiter on a memory store was given a clock other than the store's: its keys would expire on the wrong one."""


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


Reply = tuple[bool, int, int, float, float]  # a Decision's fields, as both halves of a step return them


# ``Decision(...)`` goes through NamedTuple's generated Python ``__new__``; building the tuple
# directly is half the cost, and a limiter builds one on every request.
_new_decision = tuple.__new__


def from_lua(reply: str) -> Reply:
    """The Lua half's ``"allowed limit remaining retry_after reset_after"`` as the Python twin returns them."""
    allowed, limit, remaining, retry, reset = reply.split()
    return allowed == "1", int(limit), int(remaining), float(retry), float(reset)


def settled(reply: Reply, cost: int) -> Reply:
    """A reply with ``remaining`` at 0 or more, and an infinite ``retry_after`` if ``cost`` exceeds the limit."""
    allowed, limit, remaining, retry, reset = reply
    return allowed, limit, max(0, remaining), math.inf if cost > limit else retry, reset


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


def server_time() -> float:
    """``now`` for a Redis script that reads the server's ``TIME`` itself (see ``LUA_NOW``)."""
    return -1.0


class Limiter:
    """Base of every algorithm: ``allow(key, cost)`` runs the algorithm's atomic step on the store."""

    name = "limiter"
    prefix = "rl:limiter:"  # of every store key: "rl:<name>:"
    LUA = ""
    limit: int      # quota units per window (RateLimit-Policy ``q``)
    window: float   # seconds (RateLimit-Policy ``w``)
    KEY_CACHE = 16_384  # callers whose store key names are remembered (see ``allow``): about 160-250 bytes each

    def __init__(self, store: Store | None = None, clock: Clock | None = None):
        self.store = store if store is not None else memory_store(clock)
        if self.store.kind == "memory":  # the twin is given the time on the store's clock, which also ages its keys
            if clock is not None and clock is not self.store.clock:
                raise ClockMismatch(f"{type(self).__name__}: pass the memory store's own clock, or no clock")
            self._now = self.store.clock.now
        else:  # Redis: the injected clock, or the server's TIME
            self._now = server_time if clock is None else clock.now
        self._step = self.store.script(LUA_NOW + self.LUA, type(self).step)
        self._params = tuple(self.params())
        self._keys: dict[str, list[str]] = {}  # caller -> its store key names (see ``allow``)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.prefix = f"rl:{cls.name}:"  # made once per class, not per request

    def keys(self, key: str) -> list[str]:
        """The store keys that hold ``key``'s state."""
        return [self.prefix + key]

    def params(self) -> list[Any]:
        """ARGV after ``now`` and ``cost``: the algorithm's settings."""
        return []

    def allow(self, key: str, cost: int = 1) -> Decision:
        """Admit ``cost`` units for ``key`` now, or say how long to wait; a denied request consumes nothing."""
        if type(cost) is not int or cost < 0:  # type(), not isinstance: True is not a cost
            raise InvalidCost(f"cost must be a whole number >= 0, not {cost!r}")
        # A limiter sees the same callers again and again, and formatting their key names is a
        # measurable share of a decision in memory: remember them, for at most KEY_CACHE callers.
        keys = self._keys.get(key)
        if keys is None:
            if len(self._keys) >= self.KEY_CACHE:
                self._keys.clear()  # bounded: a crowd of new callers empties it, and the active ones come back
            keys = self._keys[key] = self.keys(key)  # shared by later calls: nothing may change it
        try:
            reply = self._step(keys, (self._now(), cost) + self._params)
        except _STORE_ERRORS as exc:
            raise LimiterUnavailable(f"{self.name}: store unreachable ({type(exc).__name__})") from None
        if type(reply) is str:
            reply = from_lua(reply)
        if reply[2] < 0 or cost > reply[1]:  # rare; checked here, so the common path builds no second tuple
            reply = settled(reply, cost)
        return _new_decision(Decision, reply)

    @staticmethod
    def step(store: Any, keys: Sequence[str], args: Sequence[Any]) -> Reply:  # pragma: no cover - abstract
        """The Python twin of ``LUA``, run under the memory store's lock; ``args[0]`` is always a time here."""
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
