"""Traffic on a fake clock: request timelines, replaying them through a limiter, and measuring what got in.

Pure functions behind the notebook's widgets and comparison table: a timeline is a
sorted list of request times in seconds; ``replay`` sends it through a limiter built
on a ``FakeClock`` and returns one ``Outcome`` per request.
"""

from __future__ import annotations

import bisect
import csv
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..clock import FakeClock
from ..store import memory_store
from .core import finite_positive, whole_at_least_one


@dataclass(frozen=True)
class Outcome:
    """One request of a replay: when it came, whether it got in, and the quota left after it."""

    t: float
    allowed: bool
    remaining: int


def steady(rate: float, seconds: float) -> list[float]:
    """``rate`` requests per second, evenly spaced, for ``seconds``."""
    n = int(rate * seconds)
    return [i / rate for i in range(n)]


def bursty(burst: int, every: float, seconds: float, spacing: float = 0.01) -> list[float]:
    """A burst of ``burst`` requests ``spacing`` apart at the start of every ``every`` seconds."""
    return [round(k * every + i * spacing, 6) for k in range(int(seconds / every)) for i in range(burst)]


def boundary(limit: int, window: float, gap: float = 0.1) -> list[float]:
    """``limit`` requests just before a window boundary and ``limit`` just after: the fixed window's blind spot."""
    limit, window, gap = whole_at_least_one("limit", limit), finite_positive("window", window), finite_positive("gap", gap)
    before = [window - gap + i * gap / (2 * limit) for i in range(limit)]
    after = [window + i * gap / (2 * limit) for i in range(limit)]
    return [round(t, 6) for t in before + after]


def synthetic_trace(seed: int = 5, seconds: float = 120.0, base_rate: float = 2.0,
                    bursts: int = 6, burst_size: int = 25) -> list[float]:
    """A reproducible API client: Poisson background traffic plus a few tight retry storms."""
    rng = random.Random(seed)
    times, t = [], rng.expovariate(base_rate)
    while t < seconds:
        times.append(t)
        t += rng.expovariate(base_rate)
    for _ in range(bursts):
        start = rng.uniform(0, seconds - 2)
        times += [start + rng.uniform(0, 1.0) for _ in range(burst_size)]
    return sorted(round(x, 3) for x in times)


def save_trace(times: Iterable[float], path: Path) -> None:
    """Write one request time per row under a ``t`` header."""
    with open(path, "w", newline="") as f:
        f.write("t\n" + "".join(f"{t:.3f}\n" for t in times))


def load_trace(path: Path) -> list[float]:
    """The request times in a trace file written by ``save_trace``."""
    with open(path, newline="") as f:
        return [float(row["t"]) for row in csv.DictReader(f)]


def replay(make_limiter: Callable[..., object], times: Sequence[float], key: str = "user:alice",
           start: float = 0.0) -> list[Outcome]:
    """Send a request at each time in ``times`` through ``make_limiter(store=, clock=)`` on a fake clock."""
    clock = FakeClock(start)
    limiter = make_limiter(store=memory_store(clock), clock=clock)
    outcomes = []
    for t in times:
        clock.set(start + t)
        d = limiter.allow(key)
        outcomes.append(Outcome(t, d.allowed, d.remaining))
    return outcomes


def worst_burst(times: Sequence[float], span: float = 1.0) -> int:
    """The most requests in any interval of ``span`` seconds (``[t, t + span)``)."""
    times, span = sorted(times), finite_positive("span", span)
    return max((bisect.bisect_left(times, t + span) - i for i, t in enumerate(times)), default=0)


def admitted(outcomes: Sequence[Outcome]) -> list[float]:
    """The times of the requests that got in."""
    return [o.t for o in outcomes if o.allowed]


def state_size(make_limiter: Callable[..., object], times: Sequence[float], key: str = "user:alice") -> int:
    """The most numbers the limiter held for one key at any point of the replay (its memory per key)."""
    clock = FakeClock(0.0)
    store = memory_store(clock)
    limiter = make_limiter(store=store, clock=clock)
    worst = 0
    for t in times:
        clock.set(t)
        limiter.allow(key)
        worst = max(worst, sum(_numbers(store.load(k)) for k in limiter.keys(key)))
    return worst


def _numbers(value) -> int:
    """How many numbers a stored state holds (a tuple of fields, a list of times, one number)."""
    if value is None:
        return 0
    return len(value) if isinstance(value, (tuple, list)) else 1


def bucket_levels(capacity: int, refill_per_second: float, times: Sequence[float],
                  step: float = 0.05) -> tuple[list[Outcome], list[tuple[float, float]]]:
    """Replay ``times`` through a token bucket; also sample its level every ``step`` seconds (for the plot)."""
    from .token_bucket import TokenBucket

    step = finite_positive("step", step)  # the constructor below checks capacity and refill_per_second
    clock = FakeClock(0.0)
    store = memory_store(clock)
    bucket = TokenBucket(capacity, refill_per_second, store=store, clock=clock)
    state_key = bucket.keys("k")[0]

    def level(t: float) -> float:
        tokens, ts = store.load(state_key) or (capacity, t)
        return min(capacity, tokens + max(0.0, t - ts) * refill_per_second)

    samples = [round(k * step, 9) for k in range(int((max(times, default=0.0) + step) / step) + 1)]
    outcomes, levels = [], []
    for t, is_request in sorted([(t, True) for t in times] + [(s, False) for s in samples]):
        clock.set(t)
        if is_request:
            d = bucket.allow("k")
            outcomes.append(Outcome(t, d.allowed, d.remaining))
        else:
            levels.append((t, level(t)))
    return outcomes, levels


def comparison(times: Sequence[float], algorithms: Mapping[str, Callable[..., object]], limit: int = 20,
               window: float = 10.0) -> list[dict[str, Any]]:
    """One row per algorithm (built as ``make(limit, window)``): what it admits of ``times``, its worst bursts,
    and how many numbers it keeps per key."""
    rows = []
    for name, make in algorithms.items():
        factory = lambda make=make, **kw: make(limit, window, **kw)  # noqa: E731 - replay passes store and clock
        got = admitted(replay(factory, times))
        rows.append({"algorithm": name, "admitted": len(got), "refused": len(times) - len(got),
                     "worst 1 s burst": worst_burst(got, 1.0), f"worst {window:g} s": worst_burst(got, window),
                     "numbers per key": state_size(factory, times)})
    return rows


def flood(start: float, seconds: float, spacing: float) -> list[float]:
    """A client that stays silent until ``start``, then asks every ``spacing`` seconds for ``seconds``."""
    return [round(start + i * spacing, 9) for i in range(int(seconds / spacing))]


def worst_case(make_limiter: Callable[..., object], limit: int, window: float, span: float,
               phases: int = 40) -> int:
    """The most a greedy client gets admitted within any ``span`` seconds: it waits, then floods, from
    ``phases`` starting points spread over one window (so one of them hits just before a boundary)."""
    limit, window = whole_at_least_one("limit", limit), finite_positive("window", window)
    factory = lambda **kw: make_limiter(limit, window, **kw)  # noqa: E731 - replay passes store and clock
    spacing = window / (limit * 20)
    starts = [window + k * window / phases for k in range(whole_at_least_one("phases", phases))]
    return max(worst_burst(admitted(replay(factory, flood(s, 3 * window, spacing))), span) for s in starts)


def bursts_past_the_limit(algorithms: Mapping[str, Callable[..., object]], limit: int = 20,
                          window: float = 10.0) -> list[dict[str, Any]]:
    """One row per algorithm: the most a greedy client gets in one window length, and in a tenth of one."""
    return [{"algorithm": name, f"worst {window:g} s": worst_case(make, limit, window, window),
             f"worst {window / 10:g} s": worst_case(make, limit, window, window / 10)}
            for name, make in algorithms.items()]


class OverNetwork:
    """``store`` reached over a network: every call takes ``rtt`` seconds, half before it runs and half after."""

    def __init__(self, store: Any, rtt: float):
        self.store, self.rtt, self.kind = store, rtt, store.kind
        self.clock = getattr(store, "clock", None)  # the memory store's (a limiter on it checks it is its own)

    def round_trip(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one call on the far side: the request travels, the store runs it, the reply travels back."""
        time.sleep(self.rtt / 2)
        reply = call(*args, **kwargs)
        time.sleep(self.rtt / 2)
        return reply

    def get(self, key: str) -> Any:
        return self.round_trip(self.store.get, key)

    def set(self, key: str, value: str, **options: Any) -> Any:
        return self.round_trip(self.store.set, key, value, **options)

    def script(self, lua: str, py: Callable[..., Any]) -> Callable[..., Any]:
        run = self.store.script(lua, py)
        return lambda keys, args=(): self.round_trip(run, keys, args)


def get_then_set(store: Any, key: str, limit: int, window: float) -> bool:
    """Version 0, racy: read the count, decide, write count + 1 (two round trips, nothing held in between)."""
    count = int(store.get(key) or 0)
    if count >= limit:
        return False
    store.set(key, str(count + 1), ttl=window)
    return True


def concurrent_admits(decide: Callable[[], bool], clients: int) -> int:
    """How many of ``clients`` requests ``decide`` admits when all are released at once (one thread each)."""
    start = threading.Barrier(clients)

    def one_client(_: int) -> bool:
        start.wait()
        return decide()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return sum(pool.map(one_client, range(clients)))


@dataclass(frozen=True)
class SplitRun:
    """A hot key's run through a ``SplitKey``: what got in, and the first refusal while another sub-key had room."""

    admitted: int
    per_sub_key: dict[str, int]     # decisions made on each sub-key (each one a store round trip there)
    first_refusal: int | None       # index of the first refused request, None if none was refused
    room_elsewhere: int             # units the other sub-keys still had at that first refusal


def split_run(split: Any, key: str, picks: Sequence[int | None]) -> SplitRun:
    """Send one request per pick (``None``: round-robin) through ``split``; count admissions per sub-key."""
    per_sub_key: dict[str, int] = {}
    left = {split.sub_key(key, i): split.limiter.limit for i in range(split.parts)}
    admitted, first, room = 0, None, 0
    for n, pick in enumerate(picks):
        sub = split.sub_key(key, pick)
        decision = split.limiter.allow(sub)
        per_sub_key[sub] = per_sub_key.get(sub, 0) + 1
        left[sub] = decision.remaining
        admitted += decision.allowed
        if not decision.allowed and first is None:
            first, room = n, sum(v for k, v in left.items() if k != sub)
    return SplitRun(admitted, per_sub_key, first, room)
