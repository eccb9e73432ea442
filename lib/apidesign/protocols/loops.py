"""Run asyncio code from plain (or Jupyter) code: each call gets its own event loop in its own thread.

Jupyter already runs an event loop in the main thread, so ``asyncio.run`` there fails;
a short-lived thread with a fresh loop works the same in a notebook, a test and a script.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Awaitable, Callable


def run(make_coro: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
    """``asyncio.run(make_coro())`` in a fresh thread; its result, or its exception re-raised here."""
    outcome: dict[str, Any] = {}

    def target():
        try:
            outcome["value"] = asyncio.run(asyncio.wait_for(make_coro(), timeout))
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc
    worker = threading.Thread(target=target, name="apidesign-asyncio", daemon=True)
    worker.start()
    worker.join(timeout + 5)
    if "error" in outcome:
        raise outcome["error"]
    if "value" not in outcome:
        raise TimeoutError(f"the event loop did not finish within {timeout} s")
    return outcome["value"]


class BackgroundLoop:
    """An event loop running in a daemon thread until ``stop()``: for servers that must outlive one call."""

    def __init__(self, main: Callable[[asyncio.Event], Awaitable[Any]], name: str):
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(main,), name=name, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise TimeoutError(f"{name} did not start within 10 s")

    def _run(self, main) -> None:
        async def runner():
            self.loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
            self._ready.set()
            await main(self._stopping)
        asyncio.run(runner())

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask ``main`` to finish (its event is set) and wait for the thread."""
        if self.running:
            self.loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(timeout)
