"""HTTP/1.1 on the wire: keep-alive versus a connection per request, and pipelining's in-order rule.

HTTP/1.1 (RFC 9112) keeps a connection open between requests (section 9.3). A client may
*pipeline* (send the next request before the previous answer); a server MAY work on pipelined
safe requests in parallel but MUST send the responses in request order (section 9.3.2), since
nothing in a response says which request it answers. So a slow first response still holds back
every response behind it. ``PipeliningServer`` does exactly that, and, with ``ordered=False``,
shows what the rule prevents. Browsers ship pipelining disabled; they open several connections
per origin instead.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import parse_qs, urlsplit

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


class PipeliningServer:
    """A raw-socket HTTP/1.1 server that works on pipelined GETs in parallel; ``/slow?name=a&ms=300`` answers ``a``.

    ``finished`` lists the names in the order their work finished. With ``ordered=False`` the
    responses go out as they are ready, which HTTP/1.1 forbids: a demo of why.
    """

    def __init__(self, ordered: bool = True):
        self.ordered, self.finished = ordered, []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, name=f"pipelining-{self.port}", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # stop() closed the listener
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        """Start work on each request as soon as its head has arrived; then write the responses."""
        with conn, ThreadPoolExecutor(8) as pool:
            jobs = [pool.submit(self.work, target) for target in request_targets(conn)]
            self.respond(conn, jobs)

    def respond(self, conn: socket.socket, jobs: list) -> None:
        """Write each response when it is ready: in request order (RFC 9112 section 9.3.2), or as each finishes."""
        for job in jobs if self.ordered else as_completed(jobs):
            conn.sendall(job.result())

    def work(self, target: str) -> bytes:
        """The response to ``GET target``: it takes ``ms`` milliseconds and its body is ``name``."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
        time.sleep(int(query.get("ms", "0")) / 1000)
        self.finished.append(query.get("name", "?"))  # list.append is atomic
        body = query.get("name", "?").encode()
        return b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)

    def stop(self) -> None:
        self._listener.close()

    def __enter__(self) -> "PipeliningServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def request_targets(conn: socket.socket):
    """Yield the target of each GET on ``conn`` as its head arrives, up to one that says ``Connection: close``."""
    buffer = b""
    while chunk := conn.recv(65536):
        buffer += chunk
        while b"\r\n\r\n" in buffer:
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            yield head.split(b" ", 2)[1].decode("latin-1")
            if re.search(rb"(?im)^connection:\s*close", head):
                return
