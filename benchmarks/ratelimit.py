"""Rate limiters: ours against the `limits` library, in the same run, in memory and on a real Redis server.

    .venv/bin/python benchmarks/ratelimit.py [--decisions 50000]

Pairs: sliding window log vs `limits` moving window, sliding window counter vs its sliding
window counter, fixed window vs its fixed window (token bucket and GCRA have no `limits`
equivalent and are listed alone). Every limiter sees the same workload: 50 callers round-robin,
100 requests per 60 s each, so after the first 100 requests per caller most decisions are refusals.

Redis: $REDIS_URL if set; otherwise a redis-server on a free port of 127.0.0.1 if one is
installed (stopped at the end); otherwise the Redis rows are skipped. Round trips are counted
on the client (every command or script call sent over the connection) and checked against the
server's `INFO commandstats`.
"""

from __future__ import annotations

import argparse
import time
import uuid

import redis
from limits import RateLimitItemPerMinute, storage, strategies

from apidesign.localhost import real_redis
from apidesign.ratelimit import FixedWindow, GCRA, SlidingWindowCounter, SlidingWindowLog, TokenBucket
from apidesign.store import RedisStore, memory_store

LIMIT, WINDOW, CALLERS = 100, 60, 50

PAIRS = [  # (our class, limits strategy or None)
    ("sliding window log / moving window", SlidingWindowLog, strategies.MovingWindowRateLimiter),
    ("sliding window counter", SlidingWindowCounter, strategies.SlidingWindowCounterRateLimiter),
    ("fixed window", FixedWindow, strategies.FixedWindowRateLimiter),
    ("token bucket", lambda limit, window, **kw: TokenBucket(limit, limit / window, **kw), None),
    ("gcra", GCRA, None),
]


class CountingConnection(redis.Connection):
    """A redis-py connection that counts what it sends: one call = one round trip."""

    sent = 0

    def send_packed_command(self, command, check_health=True):
        CountingConnection.sent += 1
        return super().send_packed_command(command, check_health)


REPEATS = 5  # best of five, ours and theirs alternating: the machine is shared, the best run is the least disturbed


def once(make_decide, n: int) -> tuple[float, int]:
    """Decisions per second for ``n`` calls of a fresh ``decide(key)``, and how many were admitted."""
    keys = [f"user:{i}" for i in range(CALLERS)]
    decide, admitted = make_decide(), 0
    start = time.perf_counter()
    for i in range(n):
        admitted += bool(decide(keys[i % CALLERS]))
    return n / (time.perf_counter() - start), admitted


def duel(*factories, n: int) -> list[tuple[float, int]]:
    """For each factory (None skips it), the best rate over ``REPEATS`` alternating runs and its admitted count."""
    best: list[tuple[float, int]] = [(0.0, 0)] * len(factories)
    for _ in range(REPEATS):
        for i, make in enumerate(factories):
            if make is not None:
                best[i] = max(best[i], once(make, n))
    return best


def ours(cls, make_store):
    """A factory of fresh ``decide`` functions: a new store (or key prefix) per run, so every run starts empty."""
    def fresh():
        limiter = cls(LIMIT, WINDOW, store=make_store())
        return lambda key: limiter.allow(key).allowed
    return fresh


def theirs(strategy_cls, make_storage):
    def fresh():
        limiter, item = strategy_cls(make_storage()), RateLimitItemPerMinute(LIMIT)
        return lambda key: limiter.hit(item, key)
    return fresh


def table(title: str, rows: list[tuple]) -> None:
    print(f"\n## {title}\n")
    print(f"| {'algorithm':36} | {'ours dec/s':>11} | {'limits dec/s':>12} | {'ratio':>6} | {'admitted (ours/limits)':>22} |")
    print(f"|{'-' * 38}|{'-' * 13}:|{'-' * 14}:|{'-' * 7}:|{'-' * 24}:|")
    for name, ours_rate, their_rate, ours_ok, their_ok in rows:
        ratio = f"{ours_rate / their_rate:.2f}x" if their_rate else "-"
        their = f"{their_rate:,.0f}" if their_rate else "-"
        print(f"| {name:36} | {ours_rate:11,.0f} | {their:>12} | {ratio:>6} | {f'{ours_ok} / {their_ok}':>22} |")


def bench_memory(n: int) -> None:
    rows = []
    for name, cls, strategy in PAIRS:
        (ours_rate, ours_ok), (their_rate, their_ok) = duel(
            ours(cls, memory_store), theirs(strategy, storage.MemoryStorage) if strategy else None, n=n)
        rows.append((name, ours_rate, their_rate, ours_ok, their_ok if strategy else "-"))
    table(f"in memory, {n:,} decisions per run", rows)


def bench_redis(url: str, n: int) -> None:
    admin = redis.Redis.from_url(url, decode_responses=True)
    client = redis.Redis.from_url(url, decode_responses=True, connection_class=CountingConnection)
    rows = []
    for name, cls, strategy in PAIRS:
        store = lambda: RedisStore(client, kind="redis", prefix=f"bench-{uuid.uuid4().hex[:6]}:")  # noqa: E731
        limits_storage = lambda: storage.RedisStorage(url, key_prefix=f"LIMITS-{uuid.uuid4().hex[:6]}",  # noqa: E731
                                                      connection_class=CountingConnection)
        (ours_rate, ours_ok), (their_rate, their_ok) = duel(
            ours(cls, store), theirs(strategy, limits_storage) if strategy else None, n=n)
        rows.append((name, ours_rate, their_rate, ours_ok, their_ok if strategy else "-"))
    table(f"real Redis ({url.split('@')[-1]}), {n:,} decisions per run", rows)
    print("\nRound trips per decision (client-side count) and the server's INFO commandstats calls per decision")
    print("(commands a script runs are counted by the server too; only the EVALSHA crossed the network):\n")
    for name, cls, strategy in PAIRS:
        line = f"- {name}: ours {round_trips(admin, ours(cls, store), n)}"
        if strategy:
            line += f"; limits {round_trips(admin, theirs(strategy, limits_storage), n)}"
        print(line)
    admin.close()


def round_trips(admin: redis.Redis, make_decide, n: int) -> str:
    """One measured run: client round trips per decision and the server's per-command calls per decision."""
    admin.config_resetstat()
    before = CountingConnection.sent
    once(make_decide, n)
    trips = (CountingConnection.sent - before) / n
    stats = {k.removeprefix("cmdstat_"): v["calls"] for k, v in admin.info("commandstats").items()}
    shown = {cmd: calls for cmd, calls in stats.items() if calls >= n / 100 and cmd not in ("info", "config|resetstat")}
    return f"{trips:.2f} round trips [" + ", ".join(
        f"{cmd} {calls / n:.2f}" for cmd, calls in sorted(shown.items(), key=lambda kv: (-kv[1], kv[0]))) + "]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=50_000)
    args = parser.parse_args()
    bench_memory(args.decisions)
    with real_redis() as url:
        if url is None:
            print("\n(real Redis skipped: set REDIS_URL or install redis-server)")
        else:
            bench_redis(url, max(args.decisions // 3, 1000))


if __name__ == "__main__":
    main()
