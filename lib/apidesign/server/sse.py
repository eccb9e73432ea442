"""Server-Sent Events: ``GET /v1/channels/{id}/events`` streams new messages as ``text/event-stream``.

Each event carries an ``id``. A client that reconnects sends the last id it saw in the
``Last-Event-ID`` header (browsers' ``EventSource`` does this by itself) and gets
every retained event after it, so a dropped connection loses nothing. When the events after it are no
longer retained (an id older than the history, or from before a restart), the stream starts with an
``event: reset``: the client refetches the channel by REST, then continues from the reset's id.
Config: ``SSE_HEARTBEAT_SECONDS`` (keep-alive comment interval) and ``SSE_MAX_HEARTBEATS``
(idle beats before the stream ends and the client reconnects).

The body is a ``ChannelStream``: any WSGI server iterates it in a thread, which that thread then
spends waiting for news; ``serve()`` iterates it with ``async for`` on its event loop instead,
so an open stream costs a socket and a coroutine rather than a thread (see ``serving.py``).
"""

from __future__ import annotations

import json
import re
from typing import AsyncIterator, Callable, Iterator

from flask import Blueprint, Response, current_app, request

from ..errors import InvalidInput, field_issue
from .auth import current_user
from .channels import require_member
from .events import EventBroker, broker

bp = Blueprint("sse", __name__)

RETRY_MS = 1000           # how long a browser waits before reconnecting
HEARTBEAT_SECONDS = 15.0  # a comment line this often keeps proxies from timing out an idle stream
MAX_HEARTBEATS = 20       # then the stream ends and the client resumes: no connection is held forever


def last_event_id() -> int:
    """Where to resume: ``Last-Event-ID`` header, else ``lastEventId`` query, else 0; 400 if either is garbled."""
    given = {"Last-Event-ID": request.headers.get("Last-Event-ID"), "lastEventId": request.args.get("lastEventId")}
    ids = {name: event_id(name, raw) for name, raw in given.items() if raw is not None}
    return ids.get("Last-Event-ID") or ids.get("lastEventId") or 0


def event_id(name: str, raw: str) -> int:
    """An event id as sent by a client (blank means none, so 0), or a 400 naming where it came from."""
    if not re.fullmatch(r"[0-9]{0,18}", raw):  # ASCII digits only: str.isdigit() also admits "²"
        raise InvalidInput(f"{name} must be the id of an event this stream sent.",
                           details=[field_issue(name, "not_an_event_id", value=raw[:40])])
    return int(raw or 0)


def reset(channel_id: str, last_id: int) -> str:
    """The event telling a client its gap cannot be replayed: refetch by REST, then resume from ``last_id``."""
    data = {"reason": "events after your Last-Event-ID are no longer retained",
            "refetch": f"/v1/channels/{channel_id}/messages"}
    return f"id: {last_id}\nevent: reset\ndata: {json.dumps(data)}\n\n"


def event_stream(events: EventBroker, channel_id: str, last_id: int, heartbeat: float, max_heartbeats: int,
                 stopped: Callable[[], bool] = lambda: False) -> Iterator[str]:
    """The body of the response: a retry hint, then events as they come, with keep-alive comments between."""
    yield f"retry: {RETRY_MS}\n\n"
    if last_id and not events.can_resume(channel_id, last_id):  # the gap is lost: the client refetches
        last_id = events.last_id
        yield reset(channel_id, last_id)
    beats = 0
    while beats < max_heartbeats and not events.closed and not stopped():
        batch = events.wait(channel_id, last_id, heartbeat, stopped)  # this thread sleeps here
        if not batch:
            beats += 1
            yield ": keep-alive\n\n"
        for event in batch:
            yield event.sse()
            last_id = event.id


async def event_stream_async(events: EventBroker, channel_id: str, last_id: int,
                             heartbeat: float, max_heartbeats: int) -> AsyncIterator[str]:
    """The same body, line for line, for an event loop: the coroutine sleeps while the thread is free."""
    yield f"retry: {RETRY_MS}\n\n"
    if last_id and not events.can_resume(channel_id, last_id):  # the gap is lost: the client refetches
        last_id = events.last_id
        yield reset(channel_id, last_id)
    beats = 0
    while beats < max_heartbeats and not events.closed:
        batch = await events.wait_async(channel_id, last_id, heartbeat)
        if not batch:
            beats += 1
            yield ": keep-alive\n\n"
        for event in batch:
            yield event.sse()
            last_id = event.id


class ChannelStream:
    """One client's event stream as a response body: ``for`` it in a thread, or ``async for`` it on an event loop."""

    def __init__(self, events: EventBroker, channel_id: str, last_id: int, heartbeat: float, max_heartbeats: int):
        self.events, self.stopped = events, False
        self.args = (events, channel_id, last_id, heartbeat, max_heartbeats)

    def __iter__(self) -> Iterator[bytes]:
        return (text.encode() for text in event_stream(*self.args, stopped=lambda: self.stopped))

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for text in event_stream_async(*self.args):
            yield text.encode()

    def close(self) -> None:
        """End the stream (WSGI servers call this when the response is done); a waiting thread wakes up now."""
        self.stopped = True
        self.events.wake()


@bp.get("/v1/channels/<channel_id>/events")
def channel_event_stream(channel_id: str):
    require_member(channel_id, current_user())
    config = current_app.config
    body = ChannelStream(broker(), channel_id, last_event_id(),
                         config.get("SSE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS),
                         config.get("SSE_MAX_HEARTBEATS", MAX_HEARTBEATS))
    # direct_passthrough: the server gets this very object (not Werkzeug's wrapper), so it can see __aiter__
    return Response(body, mimetype="text/event-stream", headers={"Cache-Control": "no-store"},
                    direct_passthrough=True)
