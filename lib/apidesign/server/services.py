"""The objects one app instance is built from, in one place: ``services()`` inside a request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from ..clock import Clock
from ..ids import IdFactory
from ..store import Store
from .db import Database
from .repository import Repository


@dataclass
class Services:
    """Everything a route needs besides the request: storage, clocks, ID source, shared store."""

    db: Database
    repo: Repository
    clock: Clock        # monotonic: intervals (rate limits, lock expiry)
    wall_clock: Clock   # epoch seconds: timestamps people read (createdAt, token exp)
    ids: IdFactory
    store: Store
    extras: dict[str, Any] = field(default_factory=dict)

    def now_ms(self) -> int:
        """Wall-clock time in integer milliseconds, the unit timestamps are stored in."""
        return int(round(self.wall_clock.now() * 1000))


def services() -> Services:
    """The ``Services`` of the app handling the current request."""
    return current_app.extensions["apidesign"]
