"""A hot caller's quota split over ``parts`` sub-keys, so its decisions spread over several store keys (and shards).

Sharding spreads different callers over the store's nodes, but one busy caller's every decision lands on one key.
Split its quota of ``limit`` into ``parts`` sub-keys (``usr_big:0`` ... ``usr_big:N-1``) of ``limit // parts``
each, and send each request to one of them. The price: a sub-key knows nothing of the others, so a request can be
refused on a spent sub-key while another still has room, unless the requests are spread exactly evenly.
"""

from __future__ import annotations

from typing import Any, Callable

from .core import Decision, Limiter, whole_at_least_one


class SplitKey:
    """One limiter of ``limit // parts`` per sub-key; each request goes to one sub-key, in turn or as ``pick`` says."""

    def __init__(self, make: Callable[..., Limiter], limit: int, window: float, parts: int, **kw: Any):
        self.parts = whole_at_least_one("parts", parts)
        self.limiter = make(whole_at_least_one("limit", limit) // self.parts, window, **kw)
        self.turn = 0  # round-robin within this process; every app server keeps its own

    def sub_key(self, key: str, pick: int | None = None) -> str:
        """``key:i`` with ``i = pick % parts``, or the next sub-key in turn when no ``pick`` is given."""
        if pick is None:
            pick, self.turn = self.turn, self.turn + 1
        return f"{key}:{pick % self.parts}"

    def allow(self, key: str, cost: int = 1, pick: int | None = None) -> Decision:
        """The chosen sub-key's decision: still one store round trip, on that sub-key's keys only."""
        return self.limiter.allow(self.sub_key(key, pick), cost)
