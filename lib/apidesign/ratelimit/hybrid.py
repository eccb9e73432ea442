"""Local + global hybrid: each server decides from its own count and syncs with the shared store in batches.

Every server keeps, per key and fixed window, the global count it last heard (``known``)
and the admissions it has not reported yet (``pending``). It admits while
``known + pending < limit`` and pushes ``pending`` with one ``INCRBY`` every ``batch``
admissions (and when it denies). Store traffic drops to about ``1 / batch`` calls per
decision; in exchange the servers cannot see each other's unreported admissions, so the
cluster over-admits by up to roughly ``servers * batch``. ``tradeoff`` measures both.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from ..clock import Clock
from ..store import Store, memory_store
from .core import Decision, finite_positive, whole_at_least_one


@dataclass
class _Local:
    start: float
    known: int = 0
    pending: int = 0


class LocalGlobalHybrid:
    """One server's view of a limit of ``limit`` per fixed ``window_seconds`` shared through ``store``."""

    name = "hybrid"

    def __init__(self, limit: int, window_seconds: float, store: Store, clock: Clock, batch: int = 10):
        self.limit, self.window = whole_at_least_one("limit", limit), finite_positive("window_seconds", window_seconds)
        self.batch = whole_at_least_one("batch", batch)  # 0 would never sync; a negative one would mean nothing
        self.store, self.clock = store, clock
        self.store_calls = 0
        self._local: dict[str, _Local] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, cost: int = 1) -> Decision:
        """Admit from the local view; report to the store every ``batch`` admissions."""
        now = self.clock.now()
        start = math.floor(now / self.window) * self.window
        with self._lock:
            s = self._local.get(key)
            if s is None or start > s.start:
                s = self._local[key] = _Local(start)
            reset = s.start + self.window - now
            if s.known + s.pending + cost > self.limit:
                if s.pending:
                    self._sync(key, s)
                return Decision(False, self.limit, max(0, self.limit - s.known), reset, reset)
            s.pending += cost
            if s.pending >= self.batch:
                self._sync(key, s)
            return Decision(True, self.limit, max(0, self.limit - s.known - s.pending), 0.0, reset)

    def _sync(self, key: str, s: _Local) -> None:
        """Push the unreported admissions and learn the cluster's total (one store call)."""
        s.known = self.store.incr(f"rl:hybrid:{key}:{s.start:.0f}", s.pending, ttl=2 * self.window)
        s.pending = 0
        self.store_calls += 1


@dataclass(frozen=True)
class TradeoffRow:
    """One batch size: what the cluster admitted against the limit, and what it cost the store."""

    batch: int
    admitted: int
    over_admission: int
    store_calls: int
    calls_per_decision: float


def tradeoff(batches=(1, 2, 5, 10, 20, 50), servers: int = 3, limit: int = 100,
             requests: int = 600, window: float = 60.0) -> list[TradeoffRow]:
    """Round-robin ``requests`` (all inside one window) over ``servers`` hybrids sharing one store, per batch size."""
    from ..clock import FakeClock

    servers, requests = whole_at_least_one("servers", servers), whole_at_least_one("requests", requests)
    rows = []
    for batch in batches:
        clock = FakeClock(0.0)
        shared = memory_store(clock)
        cluster = [LocalGlobalHybrid(limit, window, shared, clock, batch) for _ in range(servers)]
        admitted = 0
        for i in range(requests):
            admitted += cluster[i % servers].allow("user:alice").allowed
            clock.advance(window / (2 * requests))
        calls = sum(s.store_calls for s in cluster)
        rows.append(TradeoffRow(batch, admitted, admitted - limit, calls, calls / requests))
    return rows
