"""HTTP/2 for real: a hypercorn server and an httpx client on 127.0.0.1, and HPACK header sizes.

The server runs a tiny ASGI app whose ``/slow?name=a&ms=300`` answers after ``ms``
milliseconds and writes ``start``/``end`` to a log, so a test can read the *order* in
which the server worked on requests instead of timing them. Cleartext HTTP/2 with
prior knowledge (h2c) keeps certificates out of the way; browsers only speak HTTP/2
over TLS, where ALPN negotiates it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs

import h2.config
import h2.connection
import hpack
import httpx
from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.config import Config

from .loops import BackgroundLoop, run


class SlowApp:
    """ASGI app: ``/slow?name=&ms=`` sleeps, logs ``(start|end, name, http_version, client_port)``, answers ``name``."""

    def __init__(self):
        self.log: list[tuple[str, str, str, int]] = []
        self._lock = threading.Lock()

    def note(self, what: str, name: str, scope) -> None:
        with self._lock:
            self.log.append((what, name, scope["http_version"], scope["client"][1]))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return  # lifespan events: nothing to set up
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        name = query.get("name", "?")
        self.note("start", name, scope)
        await asyncio.sleep(int(query.get("ms", "0")) / 1000)
        self.note("end", name, scope)
        body = name.encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    def connections(self) -> int:
        """How many TCP connections the requests came over (distinct client ports)."""
        return len({port for *_, port in self.log})


class HypercornServer:
    """Hypercorn serving an ASGI app on 127.0.0.1 (HTTP/1.1 and h2c) in a background thread."""

    def __init__(self, app=None):
        self.app = app or SlowApp()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(100)
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = Config()
        config.bind = [f"fd://{sock.detach()}"]  # hypercorn takes over the bound socket: no port race
        config.accesslog = config.errorlog = None
        config.graceful_timeout = 1

        async def main(stopping: asyncio.Event):
            await hypercorn_serve(self.app, config, shutdown_trigger=stopping.wait)
        self._loop = BackgroundLoop(main, name=f"hypercorn-{self.port}")

    def stop(self) -> None:
        self._loop.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


@dataclass(frozen=True)
class Exchange:
    """What the server saw for a batch of concurrent requests, and what the client got back."""

    log: tuple[tuple[str, str, str, int], ...]
    bodies: tuple[str, ...]
    http_versions: tuple[str, ...]
    connections: int

    def order(self) -> list[str]:
        """The server's log as ``start a``, ``end a`` ... in the order it happened."""
        return [f"{what} {name}" for what, name, *_ in self.log]

    def overlapped(self) -> bool:
        """Did every request start before any finished (all in flight at once)?"""
        kinds = [what for what, *_ in self.log]
        return kinds == ["start"] * (len(kinds) // 2) + ["end"] * (len(kinds) // 2)


def fetch_concurrently(server: HypercornServer, names: list[str], ms: int, http2: bool) -> Exchange:
    """Send one ``/slow`` request per name, all at once, over ONE connection (HTTP/2, or HTTP/1.1 with a pool of 1)."""
    server.app.log.clear()

    async def go():
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(http1=not http2, http2=http2, limits=limits, timeout=10) as client:
            responses = await asyncio.gather(*(client.get(f"{server.url}/slow", params={"name": n, "ms": ms})
                                               for n in names))
        return responses
    responses = run(go)
    return Exchange(tuple(server.app.log), tuple(r.text for r in responses),
                    tuple(r.http_version for r in responses), server.app.connections())


def hpack_sizes(headers: list[tuple[str, str]], repeats: int) -> list[int]:
    """Bytes of the header block for the same headers sent ``repeats`` times, if every field may be indexed."""
    encoder = hpack.Encoder()  # one per connection: its dynamic table remembers what was sent
    return [len(encoder.encode(headers)) for _ in range(repeats)]


def h2_header_sizes(headers: list[tuple[str, str]], repeats: int) -> list[int]:
    """Bytes of the HEADERS frame payload that h2 (httpx's HTTP/2 stack) sends for the same request ``repeats`` times."""
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    connection.initiate_connection()
    connection.data_to_send()  # the connection preface and SETTINGS: not part of any request
    sizes = []
    for n in range(repeats):
        connection.send_headers(1 + 2 * n, headers, end_stream=True)  # client streams have odd ids
        sizes.append(len(connection.data_to_send()) - 9)  # minus the 9-byte frame header
    return sizes


def http1_header_bytes(method: str, path: str, headers: list[tuple[str, str]]) -> int:
    """Bytes of the same request head in HTTP/1.1 text: sent in full every time."""
    lines = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers if not k.startswith(":")]
    host = dict(headers).get(":authority")
    if host:
        lines.insert(1, f"Host: {host}")
    return len(("\r\n".join(lines) + "\r\n\r\n").encode())
