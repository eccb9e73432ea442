"""Rate limiters: ours against the `limits` library, in the same run, in memory and on a real Redis server.

    .venv/bin/python benchmarks/ratelimit.py [--decisions 50000] [--rounds 7] [--callers 50]

Pairs: sliding window log vs `limits` moving window, sliding window counter vs its sliding
window counter, fixed window vs its fixed window. Token bucket and GCRA have no `limits`
equivalent; each is compared with whichever `limits` strategy was fastest on that backend in
this run (the strictest peer there is). Every limiter sees the same workload: 50 callers
round-robin ("user:0" ... "user:49"), 100 requests per 60 s each, a fresh store per run, so
the first 100 requests per caller are admitted and the rest are refusals. (Two honest exceptions
in the "admitted" column: our fixed window is aligned to the clock, so a run that crosses a
minute boundary admits another 100 per caller, where `limits` starts its window at the first
hit; and the token bucket and GCRA refill a little during a run.)

Repeat callers are the common case for a rate limiter, and ours remembers the store key names
of up to ``Limiter.KEY_CACHE`` (16,384) callers, emptying the cache when it is full. Other
workloads: ``--callers 10000`` has every request admitted and written (5 per caller in 50,000
decisions); ``--callers 20000`` also has more callers than that cache holds, so it keeps emptying.

Fairness on a shared machine: every limiter is warmed up first (scripts loaded, connections
open), then ours and theirs run in alternating order for ``--rounds`` rounds. The table shows
each side's best rate and the median of the per-round ratios (each ratio compares two runs made
back to back, so a load spike hits both); a target counts as met only if both ratios meet it.

Redis: $REDIS_URL if set; otherwise a redis-server on a free port of 127.0.0.1 if one is
installed (stopped at the end); otherwise the Redis rows are skipped. Both sides use redis-py
connections to the same server with the same settings (RESP3, one connection at a time):
`limits` through redis-py's client API, ours through `apidesign.store.LuaScript`, which writes
the EVALSHA command itself on connections made by the same pool. Round trips are counted on
the client (every packet of commands sent) and checked against the server's `INFO commandstats`,
which also shows the server time per call.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

import redis
from limits import RateLimitItemPerMinute, storage, strategies

from apidesign.localhost import SocketWrites, real_redis
from apidesign.ratelimit import FixedWindow, GCRA, SlidingWindowCounter, SlidingWindowLog, TokenBucket
from apidesign.store import RedisStore, memory_store

LIMIT, WINDOW, CALLERS = 100, 60, 50
MEMORY_TARGET, REDIS_TARGET = 2.0, 1.2
SENT = SocketWrites()  # both sides' connections count their writes here: one write, one round trip

PAIRS = [  # (name, our class, its `limits` peer)
    ("sliding window log / moving window", SlidingWindowLog, strategies.MovingWindowRateLimiter),
    ("sliding window counter", SlidingWindowCounter, strategies.SlidingWindowCounterRateLimiter),
    ("fixed window", FixedWindow, strategies.FixedWindowRateLimiter),
]
UNPAIRED = [  # no `limits` equivalent: compared with its fastest strategy
    ("token bucket", lambda limit, window, **kw: TokenBucket(limit, limit / window, **kw)),
    ("gcra", GCRA),
]


def once(make_decide, n: int) -> tuple[float, int]:
    """Decisions per second for ``n`` calls of a fresh ``decide(key)``, and how many were admitted."""
    keys = [f"user:{i}" for i in range(CALLERS)]
    decide, admitted = make_decide(), 0
    start = time.perf_counter()
    for i in range(n):
        admitted += bool(decide(keys[i % CALLERS]))
    return n / (time.perf_counter() - start), admitted


class Duel:
    """Ours against theirs over alternating rounds: best rate of each, admitted counts, per-round ratios."""

    def __init__(self, ours, theirs, n: int, rounds: int):
        once(ours, min(n, 2000))  # warm-up: scripts loaded, connections open, code paths hot
        once(theirs, min(n, 2000))
        self.ours, self.theirs, self.ratios = [], [], []
        for r in range(rounds):
            if r % 2:  # alternate who goes first, so neither always runs on a warmer machine
                theirs_run, ours_run = once(theirs, n), once(ours, n)
            else:
                ours_run, theirs_run = once(ours, n), once(theirs, n)
            self.ours.append(ours_run)
            self.theirs.append(theirs_run)
            self.ratios.append(ours_run[0] / theirs_run[0])

    def best(self, runs) -> tuple[float, int]:
        return max(runs)

    def row(self, name: str, target: float) -> tuple:
        (ours_rate, ours_ok), (their_rate, their_ok) = self.best(self.ours), self.best(self.theirs)
        best_ratio, median_ratio = ours_rate / their_rate, statistics.median(self.ratios)
        met = "met" if min(best_ratio, median_ratio) >= target else "MISSED"
        return (name, ours_rate, their_rate, best_ratio, median_ratio, min(self.ratios), max(self.ratios),
                f"{ours_ok} / {their_ok}", f"{met} (>= {target:g}x)")


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
    print("| algorithm | ours dec/s (best) | limits dec/s (best) | ratio of bests | median ratio "
          "| ratio range | admitted (ours / limits) | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, ours_rate, their_rate, best, median, low, high, admitted, met in rows:
        print(f"| {name} | {ours_rate:,.0f} | {their_rate:,.0f} | {best:.2f}x | {median:.2f}x "
              f"| {low:.2f}-{high:.2f}x | {admitted} | {met} |")


def bench(make_ours_store, make_their_storage, n: int, rounds: int, target: float) -> list[tuple]:
    """Every pair, then token bucket and GCRA against the `limits` strategy that was fastest here."""
    rows, fastest = [], (0.0, None)
    for name, cls, strategy in PAIRS:
        duel = Duel(ours(cls, make_ours_store), theirs(strategy, make_their_storage), n, rounds)
        rows.append(duel.row(name, target))
        fastest = max(fastest, (duel.best(duel.theirs)[0], strategy), key=lambda f: f[0])
    peer = fastest[1]
    for name, cls in UNPAIRED:
        duel = Duel(ours(cls, make_ours_store), theirs(peer, make_their_storage), n, rounds)
        rows.append(duel.row(f"{name} (vs limits {peer.__name__.removesuffix('RateLimiter')})", target))
    return rows


def bench_memory(n: int, rounds: int) -> None:
    rows = bench(memory_store, storage.MemoryStorage, n, rounds, MEMORY_TARGET)
    table(f"in memory, {n:,} decisions per run, {rounds} rounds", rows)


def bench_redis(url: str, n: int, rounds: int) -> None:
    admin = redis.Redis.from_url(url, decode_responses=True)
    client = redis.Redis.from_url(url, decode_responses=True, connection_class=SENT.connection_class())

    def our_store():
        return RedisStore(client, kind="redis", prefix=f"bench-{uuid.uuid4().hex[:6]}:")

    def their_storage():
        return storage.RedisStorage(url, key_prefix=f"LIMITS-{uuid.uuid4().hex[:6]}",
                                    connection_class=SENT.connection_class())

    rows = bench(our_store, their_storage, n, rounds, REDIS_TARGET)
    table(f"real Redis ({url.split('@')[-1]}), {n:,} decisions per run, {rounds} rounds", rows)
    print("\nRound trips per decision (client-side count) and the server's INFO commandstats per decision:")
    print("calls of each command (commands a script runs are counted too; only the EVALSHA crossed the network)")
    print("and the server's time per EVALSHA:\n")
    for name, cls, strategy in PAIRS:
        print(f"- {name}: ours {round_trips(admin, ours(cls, our_store), n)};"
              f" limits {round_trips(admin, theirs(strategy, their_storage), n)}")
    for name, cls in UNPAIRED:
        print(f"- {name}: ours {round_trips(admin, ours(cls, our_store), n)}")
    admin.close()


def round_trips(admin: redis.Redis, make_decide, n: int) -> str:
    """One measured run: client round trips per decision and the server's per-command calls per decision."""
    decide = make_decide()
    decide("warm-up")  # loads the script, so the count below is the steady state
    admin.config_resetstat()
    before = SENT.n
    keys = [f"user:{i}" for i in range(CALLERS)]
    for i in range(n):
        decide(keys[i % CALLERS])
    trips = (SENT.n - before) / n
    stats = {k.removeprefix("cmdstat_"): v for k, v in admin.info("commandstats").items()}
    shown = {cmd: s["calls"] for cmd, s in stats.items() if s["calls"] >= n / 100
             and cmd not in ("info", "config|resetstat")}
    evalsha = stats.get("evalsha", {}).get("usec_per_call", 0.0)
    return f"{trips:.2f} round trips [" + ", ".join(
        f"{cmd} {calls / n:.2f}" for cmd, calls in sorted(shown.items(), key=lambda kv: (-kv[1], kv[0]))
    ) + f"; {evalsha:.1f} µs per EVALSHA]"


def main() -> None:
    global CALLERS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--callers", type=int, default=CALLERS)
    args = parser.parse_args()
    CALLERS = args.callers
    bench_memory(args.decisions, args.rounds)
    with real_redis() as url:
        if url is None:
            print("\n(real Redis skipped: set REDIS_URL or install redis-server)")
        else:
            bench_redis(url, max(args.decisions // 3, 1000), args.rounds)


if __name__ == "__main__":
    main()
