"""Client side of the push endpoints: read Server-Sent Events, open the chat WebSocket."""

from __future__ import annotations

import json
from typing import Iterable, Iterator, Mapping

import websocket


def sse_events(lines: Iterable[str]) -> Iterator[dict]:
    """Parse ``text/event-stream`` lines into ``{"id", "event", "data"}`` dicts (comments and retry skipped)."""
    event: dict = {}
    for line in lines:
        if not line:
            if "data" in event:
                yield {"id": event.get("id"), "event": event.get("event", "message"), "data": json.loads(event["data"])}
            event = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            event[name] = value[1:] if value.startswith(" ") else value


def read_events(response, count: int) -> list[dict]:
    """The next ``count`` events of a streaming ``requests`` response."""
    events = sse_events(response.iter_lines(decode_unicode=True))
    return [next(events) for _ in range(count)]


def open_socket(base_url: str, path: str, headers: Mapping[str, str], timeout: float = 5.0) -> websocket.WebSocket:
    """A connected WebSocket client for ``path`` on the server at ``base_url`` (``http`` becomes ``ws``)."""
    url = "ws" + base_url.removeprefix("http") + path
    return websocket.create_connection(url, header=dict(headers), timeout=timeout)


def receive_json(ws: websocket.WebSocket) -> dict:
    """The next frame, decoded."""
    return json.loads(ws.recv())
