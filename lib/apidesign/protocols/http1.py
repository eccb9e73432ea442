"""HTTP/1.1 on the wire: keep-alive versus a connection per request, and pipelining's in-order rule.

HTTP/1.1 (RFC 9112) keeps a connection open between requests (section 9.3), but on one
connection responses come back strictly in request order (section 9.3.2): a client may
*pipeline* (send the next request before the previous answer), yet a slow first response
still holds back every response behind it. Browsers never enabled pipelining; they open
about six connections per origin instead.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass
from typing import Mapping

import requests


@dataclass(frozen=True)
class ConnectionCount:
    """``requests`` sent and distinct TCP ``connections`` the server saw for them."""

    requests: int
    connections: int


def count_connections(live, path: str, headers: Mapping[str, str], n: int, keep_alive: bool) -> ConnectionCount:
    """Send ``n`` GETs to a ``serve()``-d app, on one kept-alive session or a new connection each."""
    before_requests, before_connections = live.requests, live.connections
    if keep_alive:
        with requests.Session() as session:
            for _ in range(n):
                session.get(live.url + path, headers=headers, timeout=5).raise_for_status()
    else:
        for _ in range(n):
            requests.get(live.url + path, headers={**headers, "Connection": "close"}, timeout=5).raise_for_status()
    return ConnectionCount(live.requests - before_requests, live.connections - before_connections)


def pipeline(host: str, port: int, paths: list[str], timeout: float = 10.0) -> list[str]:
    """Write every GET at once on one connection, then read the responses: their bodies, in arrival order."""
    heads = [f"GET {p} HTTP/1.1\r\nHost: {host}:{port}\r\n" for p in paths]
    heads[-1] += "Connection: close\r\n"  # so the server closes after the last answer and we can read to EOF
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.sendall("".join(h + "\r\n" for h in heads).encode())
        raw = b"".join(iter(lambda: conn.recv(65536), b""))
    return response_bodies(raw.decode("latin-1"))


def pipeline_arrivals(host: str, port: int, paths: list[str], timeout: float = 10.0) -> list[tuple[str, float]]:
    """Pipeline every GET on one connection: each response's body and when it was complete (seconds after sending)."""
    heads = [f"GET {p} HTTP/1.1\r\nHost: {host}:{port}\r\n" for p in paths]
    heads[-1] += "Connection: close\r\n"
    raw, arrivals = b"", []
    with socket.create_connection((host, port), timeout=timeout) as conn:
        sent = time.perf_counter()
        conn.sendall("".join(h + "\r\n" for h in heads).encode())
        while chunk := conn.recv(65536):
            raw += chunk
            bodies = response_bodies(raw.decode("latin-1"))
            arrivals += [(body, time.perf_counter() - sent) for body in bodies[len(arrivals):]]
    return arrivals


def response_bodies(raw: str) -> list[str]:
    """The bodies of back-to-back HTTP/1.1 responses that each carry a Content-Length."""
    bodies, rest = [], raw
    while rest.startswith("HTTP/1.1") and "\r\n\r\n" in rest:
        head, _, rest = rest.partition("\r\n\r\n")
        length = int(re.search(r"(?im)^content-length:\s*(\d+)", head).group(1))
        if len(rest) < length:  # the rest of this body has not arrived yet
            break
        bodies.append(rest[:length])
        rest = rest[length:]
    return bodies
