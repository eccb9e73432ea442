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


def sse_dispatches(lines: Iterable[str]) -> Iterator[tuple[str, str, str | None]]:
    """Each blank line's dispatch as ``(last event ID, event type, data or None)``, per the WHATWG HTML standard.

    "Interpreting an event stream": a field's value loses one leading space; ``id`` sets the last event ID
    buffer, which no dispatch resets; a blank line dispatches even when there is no data; lines after the
    last blank line (an event the connection cut off) are discarded.
    """
    last_id, event_type, data = "", "", []
    for line in lines:
        if line == "":
            yield last_id, event_type or "message", "\n".join(data) if data else None
            event_type, data = "", []
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event_type = value
            elif name == "data":
                data.append(value)
            elif name == "id" and "\0" not in value:
                last_id = value


def sse_events(lines: Iterable[str]) -> Iterator[dict]:
    """The events a client receives: ``{"id", "event", "data"}``, data as JSON when it parses, else as text."""
    for last_id, event_type, data in sse_dispatches(lines):
        if data is not None:  # an event with no data is not delivered, but its id still counts
            yield {"id": last_id or None, "event": event_type, "data": json_or_text(data)}


def last_event_id(lines: Iterable[str]) -> str | None:
    """The ``Last-Event-ID`` a client sends when it reconnects after these lines (None: it sends none)."""
    last = ""
    for last_id, _, _ in sse_dispatches(lines):
        last = last_id
    return last or None


def json_or_text(data: str):
    """``data`` decoded as JSON, or the text itself when it is not JSON (``data: hello``)."""
    try:
        return json.loads(data)
    except json.JSONDecodeError:
        return data


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
    rest_status: int | None = None  # that GET's status code; None: no answer
    wait: float = 1.0

    @property
    def rest_outcome(self) -> str:
        """What happened to the REST GET: answered, refused (with its status), or no answer in time."""
        if self.rest_status is None:
            return f"no answer within {self.wait:g} s"
        return "answered" if self.rest_status < 400 else f"refused ({self.rest_status})"


def hold_streams(app, channel_id: str, headers: Mapping[str, str], count: int, streaming: str,
                 threads: int = 16, wait: float = 1.0) -> StreamLoad:
    """Open ``count`` event streams at once on a fresh ``serve(app, threads=, streaming=)``, then time one GET of the channel."""
    from ..server import serve  # here, not at the top: apidesign.server imports from apidesign.protocols
    if count < 0 or threads < 1 or not wait > 0 or streaming not in ("threads", "async"):
        raise ValueError(f"need count >= 0, threads >= 1, wait > 0 and streaming 'threads' or 'async'; got "
                         f"count={count!r}, threads={threads!r}, wait={wait!r}, streaming={streaming!r}")
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
        rest_ms, rest_status = timed_get(f"{live.url}/v1/channels/{channel_id}/messages?limit=1", headers, wait)
    return StreamLoad(streaming, threads, count, answered, held, rest_ms, rest_status, wait)


def answered_by(stream: socket.socket, deadline: float) -> bool:
    """Did the server start answering this stream (``HTTP/1.1 200``) before ``deadline``?"""
    stream.settimeout(max(0.001, deadline - time.monotonic()))
    try:
        return stream.recv(12) == b"HTTP/1.1 200"
    except (socket.timeout, ConnectionError):
        return False


def timed_get(url: str, headers: Mapping[str, str], wait: float) -> tuple[float | None, int | None]:
    """Milliseconds a GET took and its status code, or ``(None, None)`` if no answer came within ``wait`` seconds."""
    started = time.perf_counter()
    try:
        response = requests.get(url, headers=dict(headers), timeout=wait)
    except requests.RequestException:  # a timeout or a refused connection: no answer
        return None, None
    return round((time.perf_counter() - started) * 1000, 1), response.status_code


@dataclass(frozen=True)
class Heartbeats:
    """An idle chat socket that answered the server's Pings for a while, then went silent (or not): what the server did."""

    answered: int              # Pings the client received and answered with a Pong while it listened
    held_listening: int        # streams and sockets the server held while the client listened
    held_after_silence: int    # ... and after the client had been silent (or kept answering) for up to ``wait`` seconds
    close_code: int | None     # the server's Close frame, if one came (1011: keepalive ping timeout)
    close_reason: str = ""
    closed_after: float | None = None  # seconds from the client's last Pong until the server let go; None: it held on


def answer_then_fall_silent(live, path: str, headers: Mapping[str, str], pings: int = 3,
                            wait: float = 1.0, silent: bool = True) -> Heartbeats:
    """Open a socket and send nothing: answer up to ``pings`` Pings (for at most ``wait`` s), then stop reading for ``wait`` s.

    A client that stops reading sends no Pong, which to the server looks the same as a peer that is gone
    (a phone out of coverage, a crashed process): no Close frame and no FIN, just silence.
    ``silent=False`` is the control: the client goes on answering every Ping for those ``wait`` s.
    """
    ws = open_socket(live.url, path, headers, timeout=wait)
    try:
        answered = count_pings(ws, pings, time.monotonic() + wait)
        held_listening = live.streams
        silent_since = time.monotonic()
        deadline = silent_since + wait
        while live.streams and time.monotonic() < deadline:
            if silent:
                time.sleep(0.01)  # nothing is read, so nothing is answered
            else:
                count_pings(ws, 1, min(deadline, time.monotonic() + 0.05))
        closed_after = None if live.streams else time.monotonic() - silent_since
        held_after = live.streams
        code, reason = close_frame(ws) if not held_after else (None, "")  # a socket still held has had no Close
    finally:
        ws.shutdown()  # no closing handshake: the server may be gone already
    return Heartbeats(answered, held_listening, held_after, code, reason, closed_after)


def count_pings(ws: websocket.WebSocket, most: int, deadline: float) -> int:
    """Read frames until ``most`` Pings have come or ``deadline`` passes; the client answers each with a Pong."""
    pings = 0
    while pings < most and time.monotonic() < deadline:
        ws.settimeout(max(0.001, deadline - time.monotonic()))
        try:
            opcode, _ = ws.recv_data_frame(control_frame=True)  # websocket-client sends the Pong itself
        except websocket.WebSocketTimeoutException:
            break
        pings += opcode == websocket.ABNF.OPCODE_PING
    return pings


def close_frame(ws: websocket.WebSocket, wait: float = 0.2) -> tuple[int | None, str]:
    """The status code and reason of a Close frame already sent to ``ws`` (read without answering Pings), or ``(None, "")``."""
    ws.settimeout(wait)
    try:
        while (frame := ws.recv_frame()).opcode != websocket.ABNF.OPCODE_CLOSE:
            pass  # a Ping the silent client left unanswered
    except (websocket.WebSocketException, OSError):  # nothing more came, or the connection is closed
        return None, ""
    return int.from_bytes(frame.data[:2], "big"), frame.data[2:].decode()
