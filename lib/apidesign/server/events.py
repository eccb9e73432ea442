"""An in-process event broker: routes publish, streaming endpoints (SSE, WebSocket) wait.

Every event gets the next integer ``id`` of the broker, so a client that lost its
connection can say "I have seen up to 41" (SSE's ``Last-Event-ID``) and get the rest.
Each channel keeps its last ``history`` events for such resumes; a client whose id is older than
that, or newer than any this broker gave (it restarted), cannot resume (``can_resume``). One broker per app,
in ``Services.extras["events"]``; with several server processes it would be replaced by
a shared log (Redis Streams, Kafka), which is the scaling cost of push the syllabus mentions.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from flask import Flask

from .services import services


@dataclass(frozen=True)
class Event:
    """One thing that happened in a channel, numbered by the broker."""

    id: int
    channel_id: str
    type: str
    data: dict[str, Any]

    def sse(self) -> str:
        """The event in ``text/event-stream`` framing (WHATWG HTML, section 9.2): id, event, data, blank line."""
        return f"id: {self.id}\nevent: {self.type}\ndata: {json.dumps(self.data)}\n\n"

    def frame(self) -> dict[str, Any]:
        """The event as one JSON WebSocket message."""
        return {"id": self.id, "event": self.type, "data": self.data}


class EventBroker:
    """Numbered events per channel; ``wait`` blocks a thread (``wait_async`` a coroutine) until one is newer than ``last_id``."""

    def __init__(self, history: int = 1000):
        self._changed = threading.Condition()
        self._channels: dict[str, deque[Event]] = {}
        self._history = history
        self._dropped: dict[str, int] = {}  # per channel: the newest id that fell out of its history
        self._next_publish: dict[asyncio.AbstractEventLoop, asyncio.Future] = {}  # one per loop with waiters
        self._listeners: list[Callable[[Event], None]] = []
        self.last_id = 0
        self.closed = False

    def publish(self, channel_id: str, type_: str, data: dict[str, Any]) -> Event:
        """Record an event and wake everyone waiting: threads, and each event loop once."""
        with self._changed:
            self.last_id += 1
            event = Event(self.last_id, channel_id, type_, data)
            retained = self._channels.setdefault(channel_id, deque(maxlen=self._history))
            if len(retained) == retained.maxlen:
                self._dropped[channel_id] = retained[0].id
            retained.append(event)
            self._changed.notify_all()
            waiting, self._next_publish = self._next_publish, {}
        for loop, published in waiting.items():
            _resolve_soon(loop, published)
        for listener in self._listeners:
            listener(event)
        return event

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        """Call ``listener(event)`` for each event published from now on, in the publisher's thread (webhooks)."""
        self._listeners.append(listener)

    def since(self, channel_id: str, last_id: int) -> list[Event]:
        """The channel's retained events with an id above ``last_id``, oldest first."""
        with self._changed:
            return [e for e in self._channels.get(channel_id, ()) if e.id > last_id]

    def can_resume(self, channel_id: str, last_id: int) -> bool:
        """Is every event after ``last_id`` still here? No if one fell out of the history, or if ``last_id`` is
        newer than any id this broker gave (the ids are from before a restart)."""
        with self._changed:
            return self._dropped.get(channel_id, 0) <= last_id <= self.last_id

    def wait(self, channel_id: str, last_id: int, timeout: float,
             stopped: Callable[[], bool] = lambda: False) -> list[Event]:
        """Events newer than ``last_id``, waiting up to ``timeout`` seconds for one (empty list: none came).

        The calling thread is blocked all that time; ``stopped`` is checked whenever ``wake()`` is called.
        """
        with self._changed:
            self._changed.wait_for(lambda: self.closed or stopped() or self.since(channel_id, last_id), timeout)
            return self.since(channel_id, last_id)

    async def wait_async(self, channel_id: str, last_id: int, timeout: float) -> list[Event]:
        """Like ``wait``, but the coroutine sleeps on its event loop and no thread is blocked."""
        with self._changed:
            new = self.since(channel_id, last_id)
            if new or self.closed:
                return new
            published = self._next_publish.setdefault(asyncio.get_running_loop(), asyncio.Future())
        # shield: a timeout cancels this waiter only, not the future that every waiter shares. asyncio.timeout,
        # not wait_for: on Python 3.11 wait_for swallows a cancel that comes as the event does, and the task lives on.
        try:
            async with asyncio.timeout(timeout):
                await asyncio.shield(published)
        except TimeoutError:
            pass
        return self.since(channel_id, last_id)

    def wake(self) -> None:
        """Make every waiting thread check its ``stopped`` condition now (a server that stops calls this)."""
        with self._changed:
            self._changed.notify_all()

    def close(self) -> None:
        """End every stream waiting on this broker (used before stopping a server)."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()
            waiting, self._next_publish = self._next_publish, {}
        for loop, published in waiting.items():
            _resolve_soon(loop, published)


def _resolve_soon(loop: asyncio.AbstractEventLoop, future: asyncio.Future) -> None:
    """Complete ``future`` on its own loop (futures are not thread-safe); a loop that has closed has nobody to wake."""
    try:
        loop.call_soon_threadsafe(lambda: future.done() or future.set_result(None))
    except RuntimeError:
        pass


def broker_of(app: Flask) -> EventBroker:
    """The app's broker, created on first use."""
    return app.extensions["apidesign"].extras.setdefault("events", EventBroker())


def broker() -> EventBroker:
    """The broker of the app handling the current request."""
    return services().extras.setdefault("events", EventBroker())


def publish_message(message: dict[str, Any]) -> Event:
    """Announce a new message (its public JSON shape) to the channel's listeners."""
    return broker().publish(message["channelId"], "message.created", message)
