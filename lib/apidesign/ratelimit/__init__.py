"""Rate limiting: five algorithms on a pluggable store, a local+global hybrid, and ``limiter_from_config``.

Every algorithm is a ``Limiter``: ``allow(key, cost=1) -> Decision``. Pick one by name::

    limiter_from_config({"algorithm": "token_bucket", "limit": 100, "window": 60}, store)
"""

from __future__ import annotations

from typing import Any, Mapping

from ..clock import Clock
from ..store import Store
from .core import finite_positive, whole_at_least_one
from .core import ClockMismatch, Decision, InvalidCost, InvalidSetting, Limiter, LimiterUnavailable, RateLimitError
from .fixed_window import FixedWindow
from .gcra import GCRA
from .hybrid import LocalGlobalHybrid
from .sliding_counter import SlidingWindowCounter
from .sliding_log import SlidingWindowLog
from .split import SplitKey
from .token_bucket import TokenBucket


class UnknownAlgorithm(RateLimitError, ValueError):
    """The configured algorithm is not one of ``ALGORITHMS``."""


def _token_bucket(limit: int, window: float, store: Store | None = None, clock: Clock | None = None) -> TokenBucket:
    """A bucket of ``limit`` tokens that refills completely in ``window`` seconds."""
    limit, window = whole_at_least_one("limit", limit), finite_positive("window", window)
    return TokenBucket(limit, limit / window, store=store, clock=clock)


# Every algorithm built from the same two numbers: ``limit`` requests per ``window`` seconds.
ALGORITHMS = {
    "token_bucket": _token_bucket,
    "gcra": GCRA,
    "fixed_window": FixedWindow,
    "sliding_log": SlidingWindowLog,
    "sliding_counter": SlidingWindowCounter,
}


def limiter_from_config(config: Mapping[str, Any], store: Store | None = None,
                        clock: Clock | None = None) -> Limiter:
    """The limiter ``{"algorithm": name, "limit": n, "window": seconds}`` describes, on ``store``."""
    name = config.get("algorithm", "token_bucket")
    if name not in ALGORITHMS:
        raise UnknownAlgorithm(f"unknown rate-limit algorithm {name!r}; choose one of {sorted(ALGORITHMS)}")
    missing = [k for k in ("limit", "window") if k not in config]
    if missing:
        raise InvalidSetting(f"the rate-limit config needs {' and '.join(missing)} (e.g. \"limit\": 100, \"window\": 60)")
    # The constructors refuse a limit below 1 or a window that is not a finite number > 0 (InvalidSetting),
    # so a bad config fails when the app is created, not as a silent "no limit" or a ZeroDivisionError later.
    return ALGORITHMS[name](config["limit"], config["window"], store=store, clock=clock)


__all__ = ["ALGORITHMS", "ClockMismatch", "Decision", "FixedWindow", "GCRA", "InvalidCost", "InvalidSetting", "Limiter",
           "LimiterUnavailable", "LocalGlobalHybrid", "RateLimitError", "SlidingWindowCounter", "SlidingWindowLog",
           "SplitKey", "TokenBucket", "UnknownAlgorithm", "limiter_from_config"]
