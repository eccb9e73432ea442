"""Client side of the push endpoints: read Server-Sent Events, open the chat WebSocket, hold many streams open."""

from __future__ import annotations

import json
import socket
import time
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping

import requests
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


@dataclass(frozen=True)
class StreamLoad:
    """A server with ``threads`` workers, ``opened`` event streams at once: how many it answered and held, and a REST call's time."""

    streaming: str          # "threads": each stream holds a worker thread; "async": streams live on the event loop
    threads: int
    opened: int
    answered: int           # streams whose "200 OK" arrived within the wait
    held: int               # streams the server was holding open
    rest_ms: float | None   # one GET meanwhile; None: no answer within the wait


def hold_streams(app, channel_id: str, headers: Mapping[str, str], count: int, streaming: str,
                 threads: int = 16, wait: float = 1.0) -> StreamLoad:
    """Open ``count`` event streams at once on a fresh ``serve(app, threads=, streaming=)``, then time one GET of the channel."""
    from ..server import serve  # here, not at the top: apidesign.server imports from apidesign.protocols
    request = (f"GET /v1/channels/{channel_id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()
    with serve(app, threads=threads, streaming=streaming) as live, ExitStack() as clients:
        streams = [clients.enter_context(socket.create_connection(("127.0.0.1", live.port), timeout=wait))
                   for _ in range(count)]
        for stream in streams:
            stream.sendall(request)
        deadline = time.monotonic() + wait
        answered = sum(answered_by(stream, deadline) for stream in streams)
        held = live.streams
        rest_ms = timed_get(f"{live.url}/v1/channels/{channel_id}/messages?limit=1", headers, wait)
    return StreamLoad(streaming, threads, count, answered, held, rest_ms)


def answered_by(stream: socket.socket, deadline: float) -> bool:
    """Did the server start answering this stream (``HTTP/1.1 200``) before ``deadline``?"""
    stream.settimeout(max(0.001, deadline - time.monotonic()))
    try:
        return stream.recv(12) == b"HTTP/1.1 200"
    except (socket.timeout, ConnectionError):
        return False


def timed_get(url: str, headers: Mapping[str, str], wait: float) -> float | None:
    """Milliseconds a GET took, or None if no answer came within ``wait`` seconds."""
    started = time.perf_counter()
    try:
        requests.get(url, headers=dict(headers), timeout=wait).raise_for_status()
    except requests.RequestException:
        return None
    return round((time.perf_counter() - started) * 1000, 1)
