"""A model of a browser's connection cap: at most ``per_origin`` connections to one origin, the rest wait.

The cap is the browser's policy, not HTTP's. RFC 9112 section 9.4 sets no number: a client "ought to
limit the number of simultaneous open connections that it maintains to a given server". Chromium allows
6 connections per host (``g_max_sockets_per_group`` in ``net/socket/client_socket_pool_manager.cc``;
WebSockets have a pool of their own, 255 per host), and MDN's ``EventSource`` page warns that over
HTTP/1.1 this caps a browser at 6 event streams per domain, across all its tabs. Over HTTP/1.1 an open event
stream holds its connection for as long as it is open, so the seventh stream, and every other request
of the page to that origin, waits for one to close. Over HTTP/2 all of an origin's requests share one
connection as multiplexed streams.

``PerOriginClient`` gives each origin its own httpx pool of ``per_origin`` connections, so it waits
where the browser would. ``tests/browser/test_sse_connection_cap.py`` shows the same on real Chromium.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Mapping, Sequence
from urllib.parse import urlsplit

import httpx

from .loops import run

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url``: what a browser pools connections by (``localhost`` and ``127.0.0.1`` differ)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or DEFAULT_PORTS[parts.scheme]}"


class PerOriginClient:
    """A browser's requests: at most ``per_origin`` connections to each origin, shared by all its tabs; a request beyond them waits."""

    def __init__(self, headers: Mapping[str, str], per_origin: int = 6, http2: bool = False):
        self.headers, self.per_origin, self.http2 = dict(headers), per_origin, http2
        self.pools: dict[str, httpx.AsyncClient] = {}

    def pool(self, url: str) -> httpx.AsyncClient:
        """The connections to ``url``'s origin: a pool of at most ``per_origin``, made at first use."""
        key = origin(url)
        if key not in self.pools:
            self.pools[key] = httpx.AsyncClient(http1=not self.http2, http2=self.http2, headers=self.headers,
                                                limits=httpx.Limits(max_connections=self.per_origin))
        return self.pools[key]

    async def get(self, url: str, wait: float, stream: bool = False) -> httpx.Response | None:
        """The response to a GET, or None if no connection to its origin came free within ``wait`` seconds."""
        pool = self.pool(url)
        try:
            return await pool.send(pool.build_request("GET", url, timeout=wait), stream=stream)
        except httpx.PoolTimeout:  # only this: a slow server would raise ReadTimeout, and that is another story
            return None

    async def aclose(self) -> None:
        for pool in self.pools.values():
            await pool.aclose()


@dataclass(frozen=True)
class Tab:
    """A page that opened event streams, then made one REST call, on a fresh server: what it got."""

    http: str                 # "HTTP/1.1", or "HTTP/2" (cleartext, prior knowledge)
    per_origin: int
    asked: int                # event streams the page opened
    opened: int               # streams whose 200 arrived within the wait
    held: int                 # streams the server was holding
    connections: int          # TCP connections the server saw
    rest_status: int | None   # the REST call's status; None: it was still waiting for a connection
    wait: float = 1.0

    @property
    def rest_outcome(self) -> str:
        return f"no connection within {self.wait:g} s" if self.rest_status is None else f"answered {self.rest_status}"


def open_tab(app, channel_id: str, headers: Mapping[str, str], stream_hosts: Sequence[str],
             rest_host: str = "127.0.0.1", per_origin: int = 6, http2: bool = False, wait: float = 1.0) -> Tab:
    """On a fresh ``serve(app)``: one event stream of the channel per host in ``stream_hosts``, then a GET of its messages."""
    from ..server import serve  # here, not at the top: apidesign.server imports from apidesign.protocols
    if per_origin < 1 or not wait > 0:
        raise ValueError(f"need per_origin >= 1 and wait > 0; got per_origin={per_origin!r}, wait={wait!r}")
    with serve(app) as live:
        url = lambda host, path: f"http://{host}:{live.port}/v1/channels/{channel_id}/{path}"

        async def page():
            tab = PerOriginClient(headers, per_origin, http2)
            streams = await asyncio.gather(*(tab.get(url(h, "events"), wait, stream=True) for h in stream_hosts))
            held = live.streams
            rest = await tab.get(url(rest_host, "messages?limit=1"), wait)
            for response in filter(None, streams):
                await response.aclose()
            await tab.aclose()
            return streams, held, rest
        streams, held, rest = run(page)
        opened = sum(r is not None and r.status_code == 200 for r in streams)
        return Tab("HTTP/2" if http2 else "HTTP/1.1", per_origin, len(stream_hosts), opened, held,
                   live.connections, rest.status_code if rest is not None else None, wait)
