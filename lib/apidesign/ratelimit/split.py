"""A hot caller's quota split over ``parts`` sub-keys, so its decisions spread over several store keys (and shards).

Sharding spreads different callers over the store's nodes, but one busy caller's every decision lands on one key.
Split its quota of ``limit`` into ``parts`` sub-keys (``usr_big:0`` ... ``usr_big:N-1``) of ``limit // parts``
each, and send each request to one of them. ``//`` drops the remainder: a limit of 10 over 3 parts admits 9. The
price: a sub-key knows nothing of the others, so a request can be refused on a spent sub-key while another still has
room, unless the requests are spread exactly evenly.
"""

from __future__ import annotations

from ..clock import Clock
from ..store import Store
from .core import Decision, InvalidSetting, whole_at_least_one


class SplitKey:
    """One limiter of ``limit // parts`` per sub-key; each request goes to one sub-key, in turn or as ``pick`` says."""

    def __init__(self, algorithm: str, limit: int, window: float, parts: int,
                 store: Store | None = None, clock: Clock | None = None):
        from . import limiter_from_config  # imported here: the package imports this module before defining it
        self.parts, limit = whole_at_least_one("parts", parts), whole_at_least_one("limit", limit)
        if limit < self.parts:
            raise InvalidSetting(f"a limit of {limit} over {parts} parts leaves 0 per sub-key; use at most {limit} parts")
        config = {"algorithm": algorithm, "limit": limit // self.parts, "window": window}
        self.limiter = limiter_from_config(config, store=store, clock=clock)  # e.g. a token bucket refilled in window
        self.turn = 0  # round-robin within this process; every app server keeps its own

    def sub_key(self, key: str, pick: int | None = None) -> str:
        """``key:i`` with ``i = pick % parts``, or the next sub-key in turn when no ``pick`` is given."""
        if pick is None:
            pick, self.turn = self.turn, self.turn + 1
        return f"{key}:{pick % self.parts}"

    def allow(self, key: str, cost: int = 1, pick: int | None = None) -> Decision:
        """The chosen sub-key's decision: still one store round trip, on that sub-key's keys only."""
        return self.limiter.allow(self.sub_key(key, pick), cost)
