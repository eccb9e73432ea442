"""Clocks: time is passed in, never read from a global.

Anything time-based in the course takes a ``Clock``. Production code uses
``SystemClock`` (monotonic: it never steps backwards when NTP adjusts the wall
clock); tests and notebook demos use ``FakeClock`` and advance it by hand, so
they never sleep and print the same numbers on every run.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now()`` returning seconds as a float."""

    def now(self) -> float: ...


class SystemClock:
    """Monotonic seconds: for measuring intervals (rate limits, timeouts, lock expiry)."""

    # The C function itself, not a method wrapping it: a rate limiter reads the clock on
    # every request, and this saves a Python call each time. ``SystemClock().now()`` still works.
    now = staticmethod(time.monotonic)

    def __repr__(self) -> str:
        return "SystemClock()"


class WallClock:
    """Seconds since the Unix epoch: for timestamps people read (createdAt, JWT exp/iat)."""

    now = staticmethod(time.time)

    def __repr__(self) -> str:
        return "WallClock()"


class FakeClock:
    """A clock that moves only when told to: ``advance(seconds)`` or ``set(t)``."""

    def __init__(self, start: float = 0.0):
        self._t = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._t

    def advance(self, seconds: float) -> float:
        """Move time forward (or backward, to test clock steps); return the new time."""
        with self._lock:
            self._t += seconds
            return self._t

    def set(self, t: float) -> None:
        """Jump to an absolute time."""
        with self._lock:
            self._t = float(t)

    def __repr__(self) -> str:
        return f"FakeClock(now={self._t:g})"
