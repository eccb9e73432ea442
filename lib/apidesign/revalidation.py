"""What a 304 saves: a client polls a channel's history, once sending the whole page back each time, once revalidating.

The revalidating client keeps the last ``ETag`` and sends it in ``If-None-Match``; while nothing
changed, the server answers ``304 Not Modified`` with no body (RFC 9110 sections 13.1.2 and
15.4.5). Both clients talk to a real server on 127.0.0.1, so the bytes are those of real
responses; the server runs on a fake clock, so they are the same on every run.

A 304 saves bytes, not requests: the client still asks every time, because ``no-cache`` says it
must. Saving the requests too takes freshness (``max-age``, wrong for a chat history that can
change any second) or a push channel (SSE, WebSocket, a callback).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import requests

from .clock import FakeClock
from .server import create_app, credentials, serve

START = 1_773_311_400.0  # 2026-03-12T10:30:00Z, the syllabus's example time


@dataclass(frozen=True)
class PollCost:
    """What ``polls`` GETs of one URL cost: statuses, and bytes each way (status line and headers included)."""

    polls: int
    statuses: dict[int, int]
    bytes_sent: int
    bytes_received: int
    body_bytes: int   # the part of bytes_received that was content


def header_bytes(start_line: str, headers) -> int:
    """Bytes of an HTTP/1.1 head: the start line, one ``name: value`` line per header, the blank line."""
    return len(start_line) + 2 + sum(len(f"{k}: {v}\r\n") for k, v in headers.items()) + 2


def wire_bytes(r: requests.Response) -> tuple[int, int, int]:
    """(bytes sent, bytes received, body bytes received) of one exchange."""
    sent = header_bytes(f"{r.request.method} {r.request.path_url} HTTP/1.1", r.request.headers)
    sent += len(r.request.body or b"")
    received = header_bytes(f"HTTP/1.1 {r.status_code} {r.reason}", r.headers) + len(r.content)
    return sent, received, len(r.content)


def poll(session: requests.Session, url: str, headers: dict, polls: int, conditional: bool,
         before_poll=lambda i: None) -> PollCost:
    """GET ``url`` ``polls`` times; if ``conditional``, send the last ETag back in ``If-None-Match``."""
    statuses, sent, received, body, tag = Counter(), 0, 0, 0, None
    for i in range(polls):
        before_poll(i)
        r = session.get(url, headers={**headers, **({"If-None-Match": tag} if conditional and tag else {})})
        tag = r.headers.get("ETag", tag)
        statuses[r.status_code] += 1
        s, rec, b = wire_bytes(r)
        sent, received, body = sent + s, received + rec, body + b
    return PollCost(polls, dict(sorted(statuses.items())), sent, received, body)


def compare_polling(polls: int = 20, messages: int = 20, changes_at: Iterable[int] = (10,)) -> dict[str, PollCost]:
    """The same polling, plain and with ``If-None-Match``, each against its own identical server."""
    return {"plain": polling_run(False, polls, messages, changes_at),
            "If-None-Match": polling_run(True, polls, messages, changes_at)}


def polling_run(conditional: bool, polls: int, messages: int, changes_at: Iterable[int]) -> PollCost:
    """Alice polls a channel's history (``messages`` long); Bob posts a message before each poll in ``changes_at``."""
    clock = FakeClock(START)
    with serve(create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 7})) as live, requests.Session() as http:
        alice, bob = dict(credentials(live.app, "usr_alice")), dict(credentials(live.app, "usr_bob"))
        channel = http.post(f"{live.url}/v1/channels", json={"name": "polled", "memberIds": ["usr_bob"]},
                            headers=alice).headers["Location"]

        def send(text: str) -> None:
            clock.advance(1)
            http.post(f"{live.url}{channel}/messages", json={"content": text}, headers=bob).raise_for_status()
        for i in range(messages):
            send(f"message {i}")
        changes = set(changes_at)
        return poll(http, f"{live.url}{channel}/messages", alice, polls, conditional,
                    before_poll=lambda i: send(f"news before poll {i}") if i in changes else None)
