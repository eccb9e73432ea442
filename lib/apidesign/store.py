"""The key-value store behind all shared state: rate limits, idempotency records, the token denylist.

One interface, three backends that pass the same tests:

* ``memory_store()``: a dict behind a lock, for one process (and for reading).
* ``redis_store()``: fakeredis in-process by default, or a real Redis server when
  ``REDIS_URL`` (or ``url=``) is given, so several app servers can share state.

Operations that must be atomic (check-then-update) are written once as a Lua
script for Redis and once as a small Python function for the memory store; the
memory store runs that function while holding its lock, so both are atomic.
``Store.script(lua, py)`` pairs the two and returns one callable.
"""

from __future__ import annotations

import fnmatch
import math
import os
import threading
from typing import Any, Callable, Protocol, Sequence

from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from .clock import Clock, SystemClock
from .errors import ApiDesignError

ScriptFn = Callable[[Sequence[str], Sequence[Any]], Any]


class StoreUnavailable(ApiDesignError, ConnectionError):
    """The store did not answer: a script sent to it may or may not have run, and it is never re-sent automatically."""


class Store(Protocol):
    """What shared state needs from a key-value store. Values are strings; TTLs are seconds."""

    kind: str

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, *, ttl: float | None = None, nx: bool = False) -> bool: ...
    def delete(self, *keys: str) -> int: ...
    def incr(self, key: str, amount: int = 1, *, ttl: float | None = None) -> int: ...
    def ttl(self, key: str) -> float | None: ...
    def keys(self, pattern: str = "*") -> list[str]: ...
    def time(self) -> float: ...
    def script(self, lua: str, py: Callable[..., Any]) -> ScriptFn: ...


class MemoryStore:
    """A thread-safe in-process store; expired keys are dropped when read, and by a periodic sweep.

    A sweep looks at every key, so it runs only after as many writes as the last sweep kept keys
    (and at least ``SWEEP_EVERY``): spread over those writes, it costs O(1) per write at any size.
    """

    kind = "memory"
    SWEEP_EVERY = 1024

    def __init__(self, clock: Clock | None = None):
        self.clock = clock or SystemClock()
        self._data: dict[str, list[Any]] = {}  # key -> [value, expires_at]; math.inf for "never"
        self._lock = threading.RLock()
        self._writes, self._sweep_after = 0, self.SWEEP_EVERY

    # -- raw access, for the Python halves of scripts (call with the lock held) --
    # A script that has read the clock passes that ``now``, so one decision sees one instant.
    def load(self, key: str, now: float | None = None) -> Any:
        """The live value at ``key`` (any Python object), or None if absent or expired."""
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[1] <= (self.clock.now() if now is None else now):
            del self._data[key]
            return None
        return entry[0]

    def save(self, key: str, value: Any, ttl: float | None = None, now: float | None = None) -> None:
        """Store any Python object at ``key``, expiring ``ttl`` seconds from now."""
        expires = math.inf if ttl is None else (self.clock.now() if now is None else now) + ttl
        self._data[key] = [value, expires]
        self._writes += 1
        if self._writes >= self._sweep_after:
            self.sweep()

    def sweep(self) -> int:
        """Drop every expired key; return how many went."""
        with self._lock:
            now = self.clock.now()
            dead = [k for k, (_, expires) in self._data.items() if expires <= now]
            for k in dead:
                del self._data[k]
            self._writes, self._sweep_after = 0, max(self.SWEEP_EVERY, len(self._data))
            return len(dead)

    # -- the Store interface --
    def get(self, key: str) -> str | None:
        with self._lock:
            return self.load(key)

    def set(self, key: str, value: str, *, ttl: float | None = None, nx: bool = False) -> bool:
        with self._lock:
            if nx and self.load(key) is not None:
                return False
            self.save(key, str(value), ttl)
            return True

    def delete(self, *keys: str) -> int:
        with self._lock:
            return sum(self._data.pop(k, None) is not None for k in keys)

    def incr(self, key: str, amount: int = 1, *, ttl: float | None = None) -> int:
        """Add ``amount``; a new key starts at 0 and gets ``ttl`` (like INCR then EXPIRE NX)."""
        with self._lock:
            current = self.load(key)
            if current is None:
                self.save(key, str(amount), ttl)
                return amount
            value = int(current) + amount
            self._data[key][0] = str(value)
            return value

    def ttl(self, key: str) -> float | None:
        """Seconds until ``key`` expires; -1.0 if it never does; None if it does not exist."""
        with self._lock:
            if self.load(key) is None:
                return None
            expires = self._data[key][1]
            return -1.0 if expires == math.inf else expires - self.clock.now()

    def keys(self, pattern: str = "*") -> list[str]:
        with self._lock:
            return sorted(k for k in list(self._data) if self.load(k) is not None and fnmatch.fnmatchcase(k, pattern))

    def time(self) -> float:
        return self.clock.now()

    def script(self, lua: str, py: Callable[..., Any]) -> ScriptFn:
        """Run ``py(store, keys, args)`` atomically under the store's lock (``lua`` is for Redis)."""
        def run(keys: Sequence[str], args: Sequence[Any] = ()) -> Any:
            with self._lock:
                return py(self, keys, args)
        return run

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"MemoryStore(keys={len(self._data)}, clock={self.clock!r})"


class RedisStore:
    """The Store interface over a redis-py client (real Redis or fakeredis); keys get ``prefix``.

    Build it with ``redis_store``, whose client never retries a command by itself: a command
    whose reply was lost may already have run, and only the caller knows if running it twice is safe.
    """

    def __init__(self, client: Any, *, kind: str, prefix: str = ""):
        self.client = client
        self.kind = kind
        self.prefix = prefix
        self._incr_with_ttl = self.script(_INCR_WITH_TTL)

    def _k(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> str | None:
        return self.client.get(self._k(key))

    def set(self, key: str, value: str, *, ttl: float | None = None, nx: bool = False) -> bool:
        px = None if ttl is None else max(1, int(ttl * 1000))
        return bool(self.client.set(self._k(key), value, px=px, nx=nx))

    def delete(self, *keys: str) -> int:
        return int(self.client.delete(*map(self._k, keys))) if keys else 0

    def incr(self, key: str, amount: int = 1, *, ttl: float | None = None) -> int:
        if ttl is None:
            return int(self.client.incrby(self._k(key), amount))
        return int(self._incr_with_ttl([key], [amount, max(1, int(ttl * 1000))]))

    def ttl(self, key: str) -> float | None:
        ms = self.client.pttl(self._k(key))
        if ms == -2:
            return None
        return -1.0 if ms == -1 else ms / 1000

    def keys(self, pattern: str = "*") -> list[str]:
        n = len(self.prefix)
        return sorted(k[n:] for k in self.client.scan_iter(match=self._k(pattern), count=1000))

    def time(self) -> float:
        """The Redis server's clock: every app server sharing this store agrees on it."""
        seconds, micros = self.client.time()
        return seconds + micros / 1_000_000

    def script(self, lua: str, py: Callable[..., Any] | None = None) -> ScriptFn:
        """``lua`` as a function of (keys, args): one EVALSHA round trip each (``py`` is for the memory store).

        redis-py's ``Script`` loads the script again if the server answers NOSCRIPT (it never ran).
        A lost reply is raised as ``StoreUnavailable`` and not re-sent.
        """
        script = self.client.register_script(lua)

        def run(keys: Sequence[str], args: Sequence[Any] = ()) -> Any:
            try:
                return script(keys=[self._k(k) for k in keys], args=list(args))
            except (RedisConnectionError, RedisTimeoutError) as exc:
                raise StoreUnavailable(f"no answer from Redis ({exc})") from exc
        return run

    def __repr__(self) -> str:
        return f"RedisStore(kind={self.kind!r}, prefix={self.prefix!r})"


# INCRBY, and a TTL only when the key is new: one atomic step, so a crash between
# the two calls can never leave a counter that lives forever.
_INCR_WITH_TTL = """
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if value == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value
"""


def memory_store(clock: Clock | None = None) -> MemoryStore:
    """A fresh in-process store on ``clock`` (monotonic by default)."""
    return MemoryStore(clock)


def redis_store(url: str | None = None, *, prefix: str = "", connect_timeout: float = 1.0,
                timeout: float = 1.0) -> RedisStore:
    """Real Redis at ``url`` or ``$REDIS_URL``; otherwise (or with ``url=""``) a fresh, private fakeredis."""
    if url is None:
        url = os.environ.get("REDIS_URL")
    no_retry = Retry(NoBackoff(), retries=0)  # never re-send on our own (see RedisStore)
    if url:
        import redis
        # Timeouts in seconds: a hung Redis must cost a request one second and a 503, not the client's patience.
        client = redis.Redis.from_url(url, decode_responses=True, retry=no_retry,
                                      socket_connect_timeout=connect_timeout, socket_timeout=timeout)
        return RedisStore(client, kind="redis", prefix=prefix)
    import fakeredis
    # One server object for all of the client's connections: left to fakeredis, each new connection looks its
    # server up by a key, and two connections made at the same moment could each create one (a split store).
    client = fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True, retry=no_retry)
    return RedisStore(client, kind="fakeredis", prefix=prefix)
