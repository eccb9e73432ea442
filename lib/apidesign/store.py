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
import hashlib
import math
import os
import threading
from typing import Any, Callable, Protocol, Sequence

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError

from .clock import Clock, SystemClock

ScriptFn = Callable[[Sequence[str], Sequence[Any]], Any]


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
    """A thread-safe in-process store; expired keys are dropped on access and swept in batches."""

    kind = "memory"
    # A full sweep comes after SWEEP_EVERY writes, or after as many writes as the last sweep kept
    # keys if that is more: a sweep checks at most two keys per write since the one before, so it
    # costs O(1) per write however many keys are held.
    SWEEP_EVERY = 1024

    def __init__(self, clock: Clock | None = None):
        self.clock = clock or SystemClock()
        self._data: dict[str, list[Any]] = {}  # key -> [value, expires_at]; math.inf for "never"
        self._lock = threading.RLock()
        self._writes, self._sweep_after = 0, self.SWEEP_EVERY

    # -- raw access, for the Python halves of scripts (call with the lock held) --
    # A script that has already read the clock passes ``now`` (on this store's clock) so a
    # rate-limit decision reads it once, not three times.
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
        # This runs on every rate-limited request: no defensive copies, and the lock's bound
        # methods called directly. With timeit, lock plus call took 120 ns this way and 190 ns
        # with ``with self._lock``; a memory decision takes about 750-1,050 ns in all (benchmarks/ratelimit.py).
        acquire, release = self._lock.acquire, self._lock.release

        def run(keys: Sequence[str], args: Sequence[Any] = ()) -> Any:
            acquire()
            try:
                return py(self, keys, args)
            finally:
                release()
        return run

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"MemoryStore(keys={len(self._data)}, clock={self.clock!r})"


class RedisStore:
    """The Store interface over a redis-py client (real Redis or fakeredis); keys get ``prefix``."""

    def __init__(self, client: Any, *, kind: str, prefix: str = ""):
        self.client = client
        self.kind = kind
        self.prefix = prefix
        self._idle: list[Any] = []  # connections for scripts (see LuaScript)

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
        """Load ``lua`` once; each call is a single EVALSHA round trip (``py`` is for memory)."""
        if self.kind != "redis":  # fakeredis: its own path is in-process anyway (see LuaScript)
            compiled = self.client.register_script(lua)
            return lambda keys, args=(): compiled(keys=[self._k(k) for k in keys], args=list(args))
        compiled = LuaScript(self.client, lua, self._idle)

        def run(keys: Sequence[str], args: Sequence[Any] = ()) -> Any:
            return compiled([self._k(k) for k in keys], args)
        return run

    @property
    def _incr_with_ttl(self) -> ScriptFn:
        if not hasattr(self, "_incr_script"):
            self._incr_script = self.script(_INCR_WITH_TTL)
        return self._incr_script

    def __repr__(self) -> str:
        return f"RedisStore(kind={self.kind!r}, prefix={self.prefix!r})"


class LuaScript:
    """A Lua script on Redis, run by its SHA1 with EVALSHA: one round trip, loaded on first use.

    Why not redis-py's ``register_script``: its command path (connection-pool checkout,
    retry policy, observability hooks, argument encoding) spends about as much Python time
    per call as the round trip to a local server itself (~15 µs), and a rate limiter runs a
    script on every request. So this writes the RESP command itself and keeps its own idle
    connections (made by the client's pool, so they share its settings). A broken connection
    is retried once on a fresh socket; then the error is raised (fail open or closed is the caller's call).
    Real Redis only: fakeredis stays on ``register_script``. With these hand-made connections,
    8 threads that all met NOSCRIPT at once sometimes got duplicated results from fakeredis
    (the cause inside fakeredis is not yet understood; real Redis passed the same test 60 times).
    """

    def __init__(self, client: Any, lua: str, idle: list[Any]):
        self.client, self.lua, self.idle = client, lua, idle
        self.sha = hashlib.sha1(lua.encode()).hexdigest()

    def __call__(self, keys: Sequence[str], args: Sequence[Any]) -> Any:
        conn = self._checkout()
        try:
            return self._run(conn, resp("EVALSHA", self.sha, len(keys), *keys, *args))
        except ResponseError:
            raise  # the server's whole reply was read: the connection is fine
        except BaseException:
            conn.disconnect()  # a half-read reply must never be read by the next caller
            raise
        finally:
            self.idle.append(conn)

    def _checkout(self) -> Any:
        """An idle connection of this process, or a new one."""
        try:
            conn = self.idle.pop()  # list.pop and list.append are atomic: no lock needed
        except IndexError:
            return self.client.connection_pool.make_connection()
        if conn.pid != os.getpid():  # a forked child must not talk on its parent's sockets
            self.idle.clear()
            return self.client.connection_pool.make_connection()
        return conn

    def _run(self, conn: Any, command: bytes, retry: bool = True) -> Any:
        try:
            conn.send_packed_command([command])
            return conn.read_response()
        except NoScriptError:  # first call, or the server restarted: load it, then run it
            conn.send_packed_command([resp("SCRIPT", "LOAD", self.lua)])
            conn.read_response()
            return self._run(conn, command, retry)
        except RedisConnectionError:
            if not retry:
                raise
            conn.disconnect()  # e.g. the server closed an idle socket: one more try on a fresh one
            return self._run(conn, command, retry=False)


def resp(*parts: Any) -> bytes:
    """A command in the Redis protocol (RESP): ``*<count>`` then each part as ``$<length>`` and its bytes."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        data = part if type(part) is bytes else str(part).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


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


def redis_store(url: str | None = None, *, prefix: str = "") -> RedisStore:
    """Real Redis at ``url`` or ``$REDIS_URL``; otherwise (or with ``url=""``) a fresh, private fakeredis."""
    if url is None:
        url = os.environ.get("REDIS_URL")
    if url:
        import redis
        return RedisStore(redis.Redis.from_url(url, decode_responses=True), kind="redis", prefix=prefix)
    import fakeredis
    return RedisStore(fakeredis.FakeRedis(decode_responses=True), kind="fakeredis", prefix=prefix)
