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
hit; and the token bucket and GCRA refill a little during a run.) ``--callers 10000`` is the
other workload: every request admitted and written (5 per caller in 50,000 decisions).

Fairness on a shared machine: every limiter is warmed up first (scripts loaded, connections
open), then ours and theirs run in alternating order for ``--rounds`` rounds. The table shows
each side's best rate and the median of the per-round ratios (each ratio compares two runs made
back to back, so a load spike hits both); the target is met when the median ratio meets it.

Targets (issue 15): at least as fast as `limits` (median ratio >= 1.0) in memory and on real
Redis, at exactly 1.00 round trip per decision on Redis. A `limits` ``hit`` answers only yes or
no; a ``Decision`` also carries ``remaining``, ``retry_after`` and ``reset_after`` for the
RateLimit and Retry-After headers. One more Redis table, without a target, asks `limits` for
those numbers too (``hit`` then ``get_window_stats``), as a server sending the headers must.
Another measures the floor, as ``benchmarks/jwt.py`` does for HS256: a fixed-window script with
every extra of ours removed but the two that define the answer (the Decision's four numbers, and a
refusal that charges nothing), so the price of those two can be read off against `limits`.

Redis: $REDIS_URL if set; otherwise a redis-server on a free port of 127.0.0.1 if one is
installed (stopped at the end); otherwise the Redis rows are skipped. Both sides run their Lua
through redis-py's own ``Script`` (EVALSHA) on connections made by ``redis.from_url`` with the
same 1 s connect and read timeouts (``apidesign.store.redis_store``'s defaults, so a hung Redis costs a
request a second, not forever; with a timeout, Python polls the socket before each read and write). Ours
also turns redis-py's retries off and decodes replies to str; `limits` keeps its own defaults there. Round
trips are counted on the client (every packet of commands sent) and checked against the
server's `INFO commandstats`, which also shows the server time per call of each command; the
client's CPU time per decision is printed beside it, so a gap shows on which side it lies.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid

import redis
from limits import RateLimitItemPerMinute, storage, strategies

from apidesign.localhost import SocketWrites, real_redis
from apidesign.ratelimit import Decision, FixedWindow, GCRA, SlidingWindowCounter, SlidingWindowLog, TokenBucket
from apidesign.store import memory_store, redis_store

LIMIT, WINDOW, CALLERS = 100, 60, 50
TARGET = 1.0  # at least as fast as `limits`, in memory and on Redis (median of the per-round ratios)
CONNECT_TIMEOUT, READ_TIMEOUT = 1.0, 1.0  # seconds, both sides (redis_store's defaults)
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

    def row(self, name: str, targeted: bool = True) -> tuple:
        (ours_rate, ours_ok), (their_rate, their_ok) = self.best(self.ours), self.best(self.theirs)
        median_ratio = statistics.median(self.ratios)
        met = "MET" if median_ratio >= TARGET else "MISSED"
        if not targeted:
            return (name, ours_rate, their_rate, ours_rate / their_rate, median_ratio, min(self.ratios),
                    max(self.ratios), f"{ours_ok} / {their_ok}", "(for comparison)")
        return (name, ours_rate, their_rate, ours_rate / their_rate, median_ratio, min(self.ratios), max(self.ratios),
                f"{ours_ok} / {their_ok}", f"{met} (median >= {TARGET:g}x)")


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


def theirs_with_stats(strategy_cls, make_storage):
    """`limits` asked for what a ``Decision`` also carries (remaining, reset): ``hit`` then ``get_window_stats``."""
    def fresh():
        limiter, item = strategy_cls(make_storage()), RateLimitItemPerMinute(LIMIT)

        def decide(key):
            allowed = limiter.hit(item, key)
            limiter.get_window_stats(item, key)
            return allowed
        return decide
    return fresh


FLOOR_LUA = """
local now, cost, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local start = math.floor(now / window) * window
local key = KEYS[1] .. ':' .. start
local count = tonumber(redis.call('GET', key)) or 0
local reset_ms = math.ceil((start + window - now) * 1000)
if count + cost > limit then return {0, limit - count, reset_ms, reset_ms} end
count = redis.call('INCRBY', key, cost)
if count == cost then redis.call('PEXPIRE', key, reset_ms + 1000) end
return {1, limit - count, 0, reset_ms}
"""


def counted_store(url: str, name: str):
    """A fresh, empty store on Redis at ``url`` (a new key prefix), its round trips counted by SENT."""
    store = redis_store(url, prefix=f"{name}-{uuid.uuid4().hex[:6]}:", connect_timeout=CONNECT_TIMEOUT,
                        timeout=READ_TIMEOUT)
    SENT.watch(store.client.connection_pool)
    return store


def floor_fixed_window(url: str):
    """A factory of ``decide`` functions running FLOOR_LUA: the same Decision as FixedWindow, with nothing to spare."""
    def fresh():
        script = counted_store(url, "floor").script(FLOOR_LUA)

        def decide(key):
            allowed, remaining, retry_ms, reset_ms = script([f"rl:floor:{key}"], [time.time(), 1, LIMIT, WINDOW])
            return Decision(bool(allowed), LIMIT, max(0, remaining), retry_ms / 1000, reset_ms / 1000).allowed
        return decide
    return fresh


def table(title: str, rows: list[tuple]) -> None:
    print(f"\n## {title}\n")
    print("| algorithm | ours dec/s (best) | limits dec/s (best) | ratio of bests | median ratio "
          "| ratio range | admitted (ours / limits) | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, ours_rate, their_rate, best, median, low, high, admitted, met in rows:
        print(f"| {name} | {ours_rate:,.0f} | {their_rate:,.0f} | {best:.2f}x | {median:.2f}x "
              f"| {low:.2f}-{high:.2f}x | {admitted} | {met} |")


def bench(make_ours_store, make_their_storage, n: int, rounds: int) -> list[tuple]:
    """Every pair, then token bucket and GCRA against the `limits` strategy that was fastest here."""
    rows, fastest = [], (0.0, None)
    for name, cls, strategy in PAIRS:
        duel = Duel(ours(cls, make_ours_store), theirs(strategy, make_their_storage), n, rounds)
        rows.append(duel.row(name))
        fastest = max(fastest, (duel.best(duel.theirs)[0], strategy), key=lambda f: f[0])
    peer = fastest[1]
    for name, cls in UNPAIRED:
        duel = Duel(ours(cls, make_ours_store), theirs(peer, make_their_storage), n, rounds)
        rows.append(duel.row(f"{name} (vs limits {peer.__name__.removesuffix('RateLimiter')})"))
    return rows


def bench_memory(n: int, rounds: int) -> list[tuple]:
    rows = bench(memory_store, storage.MemoryStorage, n, rounds)
    table(f"in memory, {n:,} decisions per run, {rounds} rounds", rows)
    return rows


def bench_redis(url: str, n: int, rounds: int) -> list[tuple]:
    admin = redis.Redis.from_url(url, decode_responses=True)

    def our_store():
        return counted_store(url, "bench")

    def their_storage():
        return storage.RedisStorage(url, key_prefix=f"LIMITS-{uuid.uuid4().hex[:6]}",
                                    connection_class=SENT.connection_class(),
                                    socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=READ_TIMEOUT)

    rows = bench(our_store, their_storage, n, rounds)
    table(f"real Redis ({url.split('@')[-1]}), {n:,} decisions per run, {rounds} rounds", rows)
    same_numbers = [Duel(ours(cls, our_store), theirs_with_stats(strategy, their_storage), n, rounds).row(name, False)
                    for name, cls, strategy in PAIRS]
    table("real Redis, against `limits` asked for the same numbers (hit + get_window_stats: 2 round trips)",
          same_numbers)
    floor = Duel(floor_fixed_window(url), theirs(strategies.FixedWindowRateLimiter, their_storage), n, rounds)
    table("real Redis, the floor: a fixed-window script stripped to what a Decision needs, without "
          "charging refusals (GET, then INCRBY only if admitted; the app server's clock; whole-millisecond reply; "
          "one key per window, so nothing guards against a clock stepping back)", [floor.row("fixed window floor", False)])
    print("\nPer decision: round trips (client-side count), the client's CPU time, and from the server's INFO")
    print("commandstats each command's calls per decision x its time per call (a script's own commands are counted")
    print("too and their time is part of the EVALSHA's; only the EVALSHA crossed the network):\n")
    ours_trips = []
    for name, cls, strategy in PAIRS:
        trips, stats = round_trips(admin, ours(cls, our_store), n)
        ours_trips.append(trips)
        print(f"- {name}: ours {stats}; limits {round_trips(admin, theirs(strategy, their_storage), n)[1]}")
    for name, cls in UNPAIRED:
        trips, stats = round_trips(admin, ours(cls, our_store), n)
        ours_trips.append(trips)
        print(f"- {name}: ours {stats}")
    admin.close()
    met = "MET" if all(f"{t:.2f}" == "1.00" for t in ours_trips) else "MISSED"
    print(f"\ntarget: exactly 1.00 round trip per decision, every algorithm: {met}"
          f" ({', '.join(f'{t:.2f}' for t in ours_trips)})")
    return rows + [("round trips", met)]


def round_trips(admin: redis.Redis, make_decide, n: int) -> tuple[float, str]:
    """One measured run: round trips per decision (counted on the client), the client's CPU time per decision, and
    the server's calls per decision and time per call of each command (INFO commandstats: the commands a script
    runs are counted too, and their time is part of the EVALSHA's)."""
    decide = make_decide()
    decide("warm-up")  # loads the script, so the count below is the steady state
    admin.config_resetstat()
    before, cpu = SENT.n, time.thread_time()
    keys = [f"user:{i}" for i in range(CALLERS)]
    for i in range(n):
        decide(keys[i % CALLERS])
    cpu = (time.thread_time() - cpu) / n * 1e6
    trips = (SENT.n - before) / n
    stats = {k.removeprefix("cmdstat_"): v for k, v in admin.info("commandstats").items()}
    shown = {cmd: s for cmd, s in stats.items() if s["calls"] >= n / 100 and cmd not in ("info", "config|resetstat")}
    return trips, f"{trips:.2f} round trips, client CPU {cpu:.1f} µs [" + ", ".join(
        f"{cmd} {s['calls'] / n:.2f} x {s['usec_per_call']:.1f} µs"
        for cmd, s in sorted(shown.items(), key=lambda kv: (-kv[1]["calls"], kv[0]))) + "]"


def main() -> int:
    global CALLERS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--callers", type=int, default=CALLERS)
    args = parser.parse_args()
    CALLERS = args.callers
    results = {"memory": bench_memory(args.decisions, args.rounds)}
    with real_redis() as url:
        if url is None:
            print("\n(real Redis skipped: set REDIS_URL or install redis-server)")
        else:
            results["Redis"] = bench_redis(url, max(args.decisions // 3, 1000), args.rounds)
    missed = [f"{backend}: {row[0]}" for backend, rows in results.items()
              for row in rows if row[-1].startswith("MISSED")]
    print("\nall targets MET" if not missed else f"\ntargets MISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
