"""``serve(app)``: run an app on 127.0.0.1 for notebooks and tests, on an event loop in a background thread.

Hypercorn's HTTP/1.1 and WebSocket protocol code (h11, wsproto) reads and writes every
connection on one asyncio loop; ``bridge.WsgiBridge`` hands complete requests to the Flask
app in a pool of worker threads, and keeps event streams and WebSockets on the loop. So an
idle, slow or streaming client never holds a thread, and ``stop()`` ends everything at once.
``serve(app, streaming="threads")`` runs each stream in a worker thread instead, as a plain
WSGI server does: with ``threads`` workers, stream number ``threads + 1`` waits, and so does
every other request (the "stateful connections are harder to scale" lesson of chapter 01).
WebSockets stay on the loop in both modes.

Every WebSocket gets a Ping frame every ``ping_interval`` seconds (RFC 6455 section 5.5.2), so that
proxies and load balancers see traffic on an idle socket, and a peer that has not answered with its
Pong within ``ping_timeout`` is taken for gone: its connection is closed (``CourseWSStream``). The deadline
covers sending the Ping too, so a peer that stops reading while the server has data queued for it is caught
as well; its Close frame then cannot go out, and after ``CLOSE_SECONDS`` the connection is aborted.

HTTP/1.1 keeps connections alive, so a ``requests.Session`` really reuses one TCP connection.
``connections`` counts the distinct TCP connections the server saw (by client port),
``requests`` the requests it answered and ``streams`` the event streams and sockets open now.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import Callable

import h11
from flask import Flask
from hypercorn.app_wrappers import ASGIWrapper
from hypercorn.asyncio.tcp_server import TCPServer
from hypercorn.asyncio.worker_context import WorkerContext
from hypercorn.config import Config
from hypercorn.protocol import ProtocolWrapper
from hypercorn.protocol.h11 import H11Protocol
from hypercorn.protocol.h2 import H2Protocol
from h2.settings import SettingCodes
from hypercorn.protocol.events import StreamClosed
from hypercorn.protocol.ws_stream import Handshake, WSStream
from wsproto.events import CloseConnection, Ping, Pong
from wsproto.frame_protocol import CloseReason

from ..protocols.loops import BackgroundLoop
from .bridge import WsgiBridge

BACKLOG = 1024            # queued connections: tests and notebooks open dozens, a benchmark a thousand
KEEP_ALIVE_SECONDS = 5.0  # an idle kept-alive connection (or one that never finishes its headers) is closed then
STOP_SECONDS = 1.0        # stop() returns within about this long, whatever the clients are doing
PING_SECONDS = 20.0       # a Ping this often on every WebSocket (the Python websockets library's default too)
PONG_SECONDS = 20.0       # a peer whose Pong has not come within this long is gone: its connection is closed
CLOSE_SECONDS = 1.0       # a Close frame, or a closing connection's last bytes, not sent by then: the connection is aborted
log = logging.getLogger(__name__)


class LiveServer:
    """A running server: ``.url``, ``.port``, ``.connections``, ``.requests``, ``.streams``; ``.stop()`` it or use ``with``."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 16,
                 streaming: str = "async", ping_interval: float | None = PING_SECONDS,
                 ping_timeout: float = PONG_SECONDS, certificate: tuple[str, str] | None = None):
        # A Ping with no deadline for its Pong finds no vanished peer: ping_interval=None is the way to turn both off.
        if ping_interval is not None and not (ping_interval > 0 and ping_timeout is not None and ping_timeout > 0):
            raise ValueError(f"ping_interval (or None) and ping_timeout must be > 0, not {ping_interval!r}, {ping_timeout!r}")
        self.app, self.threads, self.streaming = app, threads, streaming
        self.ping_interval, self.ping_timeout = ping_interval, ping_timeout
        self._lock = threading.Lock()
        self._peers: set[tuple[str, str]] = set()
        self.requests = 0
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # rebind at once after stop()
        listener.bind((host, port))
        listener.listen(BACKLOG)
        self.host, self.port = host, listener.getsockname()[1]
        self.tls = tls_context(*certificate) if certificate else None
        self.url = f"{'https' if self.tls else 'http'}://{host}:{self.port}"
        self._workers = ThreadPoolExecutor(threads, thread_name_prefix=f"apidesign-worker-{self.port}")
        self._transports: dict[tuple, asyncio.Transport] = {}
        self.bridge = WsgiBridge(self._count, self._workers, app.config.get("MAX_CONTENT_LENGTH") or 1 << 20,
                                 streaming, drop=self._drop)
        self._loop = BackgroundLoop(lambda stopping: self._serve(listener, stopping), name=f"apidesign-serve-{self.port}")
        self.background = background_workers(app)  # e.g. webhook deliveries: they run while the app is served
        for worker in self.background:
            worker.start()

    def _count(self, environ, start_response):
        """WSGI middleware: note the client's (address, port), i.e. which TCP connection, then call the app."""
        with self._lock:
            self._peers.add((environ.get("REMOTE_ADDR", ""), environ.get("REMOTE_PORT", "")))
            self.requests += 1
        return self.app(environ, start_response)

    async def _serve(self, listener: socket.socket, stopping: asyncio.Event) -> None:
        """Accept connections and let hypercorn speak HTTP on each, until ``stop()``; then end every one."""
        config = hypercorn_config(self.bridge.max_body, self.ping_interval, self.ping_timeout)
        context, app = WorkerContext(None), ASGIWrapper(self.bridge)
        loop = asyncio.get_running_loop()

        async def connected(reader, writer):
            peer = writer.get_extra_info("peername")
            # Without TCP_NODELAY, the body waits for the client to ACK the status line, and the client delays
            # its ACK by 40 ms (Nagle + delayed ACK). asyncio sets it only on sockets made with proto=IPPROTO_TCP.
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._transports[peer] = writer.transport
            try:
                await CourseTCPServer(app, loop, config, context, {}, reader, writer)
            except asyncio.CancelledError:
                pass  # stop() ended this connection; nothing is left to clean up
            finally:
                self._transports.pop(peer, None)
        server = await asyncio.start_server(connected, sock=listener, backlog=BACKLOG, ssl=self.tls,
                                            ssl_handshake_timeout=KEEP_ALIVE_SECONDS if self.tls else None)
        await stopping.wait()
        server.close()                  # no new connections
        await context.terminated.set()  # idle and half-sent connections close themselves
        await self.bridge.close()       # streams and sockets end; requests in flight get a moment
        for transport in list(self._transports.values()):
            transport.abort()           # whoever is left: no goodbye
        for _ in range(20):             # and their tasks wind down (bounded: 20 x 10 ms)
            if not self._transports:
                break
            await asyncio.sleep(0.01)

    def _drop(self, client: tuple) -> None:
        """Close a client's connection without a byte of response (``faults.LostResponses``)."""
        transport = self._transports.get(tuple(client))
        if transport is not None:
            transport.close()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._peers)

    @property
    def streams(self) -> int:
        """Event streams and WebSockets open right now."""
        return self.bridge.streams

    @property
    def running(self) -> bool:
        return self._loop.running

    def stop(self) -> None:
        """Stop accepting, end every connection and stream, join every thread and release the port.

        Background workers (webhook and callback senders) are told to stop and waited for until STOP_SECONDS
        are up; one still inside an attempt then finishes it on its own, within that attempt's deadline.
        """
        deadline = time.monotonic() + STOP_SECONDS
        self._loop.stop(timeout=STOP_SECONDS)
        for worker in self.background:
            worker.stop(timeout=max(0.0, deadline - time.monotonic()))
        self._workers.shutdown(wait=False, cancel_futures=True)
        for worker in threading.enumerate():
            if worker.name.startswith(f"apidesign-worker-{self.port}_"):
                worker.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> "LiveServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<LiveServer {self.url} {'running' if self.running else 'stopped'}>"


def background_workers(app: Flask) -> list:
    """What the app asks to run in the background while it is served: objects with ``start()`` and ``stop()``."""
    svc = app.extensions.get("apidesign")  # serve() runs other Flask apps too (a webhook receiver)
    return list(svc.extras.get("background", ())) if svc is not None else []


def tls_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    """TLS for ``serve(certificate=...)``, offering HTTP/2 by ALPN (RFC 7301): browsers speak HTTP/2 only over TLS."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context


def hypercorn_config(max_body: int, ping_interval: float | None = PING_SECONDS,
                     ping_timeout: float = PONG_SECONDS) -> Config:
    """Hypercorn's settings for serve(): quiet, bounded, keep-alive for HTTP/1.1, and WebSocket Pings."""
    config = Config()
    config.accesslog = config.errorlog = None
    config.keep_alive_timeout = KEEP_ALIVE_SECONDS
    config.websocket_max_message_size = max_body
    config.websocket_ping_interval = ping_interval  # None: no Pings (hypercorn's default)
    config.websocket_ping_timeout = ping_timeout    # not a hypercorn setting: CourseWSStream reads it
    config.include_server_header = False
    return config


class CourseWSStream(WSStream):
    """Hypercorn's WebSocket stream, whose Pings also check that the peer is there (hypercorn's ignore the Pongs)."""

    pings = 0                              # Pings sent on this connection
    answered: asyncio.Event | None = None  # set by the Pong that answers the latest Ping
    pinger: asyncio.Task | None = None     # the task running _send_pings

    async def _send_pings(self) -> None:
        """A Ping every ``ping_interval``; a peer that does not answer one within ``ping_timeout`` is closed."""
        self.pinger = asyncio.current_task()
        while not self.closed:
            self.pings += 1
            self.answered = asyncio.Event()
            try:  # one deadline for sending the Ping and for its Pong: to a peer that reads nothing, the send blocks
                async with asyncio.timeout(self.config.websocket_ping_timeout):
                    await self._send_wsproto_event(Ping(payload=str(self.pings).encode()))
                    await self.answered.wait()
            except TimeoutError:  # no Pong: a dead peer, a lost network, or a client that hangs or stops reading
                log.warning("WebSocket from %s:%s: no Pong within %g s, closing it (1011)", *self.client,
                            self.config.websocket_ping_timeout)  # RFC 6455 section 7.1.7: SHOULD log the problem
                await self.fail(CloseReason.INTERNAL_ERROR, "keepalive ping timeout")
                return
            if self.closed:  # the Pong and the end of the connection came together
                return
            await asyncio.sleep(self.config.websocket_ping_interval)

    def pong(self, event: Pong) -> None:
        """A Pong arrived: it answers the latest Ping if it carries that Ping's data (RFC 6455 section 5.5.3)."""
        if self.answered is not None and event.payload == str(self.pings).encode():
            self.answered.set()

    async def fail(self, code: int, reason: str) -> None:
        """Fail the WebSocket connection (RFC 6455 section 7.1.7): a Close frame, then the TCP connection closes."""
        try:  # a peer that reads nothing cannot take the Close frame either; section 7.1.7 allows leaving it out
            async with asyncio.timeout(CLOSE_SECONDS):
                await self._send_wsproto_event(CloseConnection(code=code, reason=reason))
        except TimeoutError:
            pass
        await self.handle(StreamClosed(stream_id=self.stream_id))  # the app's session hears websocket.disconnect
        await self.send(StreamClosed(stream_id=self.stream_id))    # and the HTTP/1.1 protocol closes the socket

    async def handle(self, event) -> None:
        await super().handle(event)
        # The connection is over: stop pinging now, not after the next sleep (its task would hold the connection's).
        if isinstance(event, StreamClosed) and self.pinger not in (None, asyncio.current_task()):
            self.pinger.cancel()

    async def _accept(self, message) -> None:
        await super()._accept(message)  # sends the 101, makes wsproto's connection, starts _send_pings
        self.connection = PongTap(self.connection, self.pong)


class PongTap:
    """wsproto's connection, passing every event on as before and telling ``on_pong`` about each Pong."""

    def __init__(self, connection, on_pong: Callable[[Pong], None]):
        self._connection, self._on_pong = connection, on_pong

    def events(self):
        for event in self._connection.events():
            if isinstance(event, Pong):
                self._on_pong(event)
            yield event

    def __getattr__(self, name: str):
        return getattr(self._connection, name)


class CourseH11Protocol(H11Protocol):
    """Hypercorn's HTTP/1.1 protocol, with two answers the course relies on, and WebSockets that check their peer."""

    @property
    def stream(self):
        return self.__dict__.get("_stream")

    @stream.setter
    def stream(self, stream) -> None:
        # H11Protocol._create_stream builds the WSStream itself; like CourseTCPServer, take it over in place.
        if type(stream) is WSStream:
            stream.__class__ = CourseWSStream
        self.__dict__["_stream"] = stream

    async def _send_h11_event(self, event) -> None:
        # Hypercorn sends no reason phrase (``HTTP/1.1 201 ``): RFC 9112 section 4 allows it, but clients show
        # the phrase and the course prints it, so send the standard one (``201 Created``).
        if isinstance(event, (h11.Response, h11.InformationalResponse)) and not event.reason \
                and event.status_code in STATUS_PHRASES:  # InformationalResponse: the 101 of a WebSocket
            event = type(event)(status_code=event.status_code, headers=event.headers,
                                reason=STATUS_PHRASES[event.status_code])
        await super()._send_h11_event(event)

    async def _create_stream(self, request: h11.Request) -> None:
        # A WebSocket handshake that cannot succeed (no key, a version other than 13) would get a bare 400 from
        # hypercorn, and one with a key that is not 16 bytes in base64 a 101; served as the plain GET it then
        # is, it gets the app's 426 with the version to use (RFC 6455 section 4.4), in the error envelope.
        headers = dict(request.headers)  # h11 gives header names in lower case
        if headers.get(b"upgrade", b"").lower() == b"websocket" and not valid_handshake(request):
            request = h11.Request(method=request.method, target=request.target, http_version=request.http_version,
                                  headers=[(k, v) for k, v in request.headers if k.lower() != b"upgrade"])
        await super()._create_stream(request)


# RFC 9110's names where Python before 3.13 still has RFC 7231's (section 15.5.14, 15.5.17, 15.5.21).
RFC_9110_PHRASES = {413: "Content Too Large", 416: "Range Not Satisfiable", 422: "Unprocessable Content"}
STATUS_PHRASES = {**{status.value: status.phrase for status in HTTPStatus}, **RFC_9110_PHRASES}


def valid_handshake(request: h11.Request) -> bool:
    """Hypercorn's checks (version 13, a key, Connection: Upgrade), and a key of 16 bytes in base64 (RFC 6455 4.2.1)."""
    if not Handshake(list(request.headers), request.http_version.decode()).is_valid():
        return False
    try:
        return len(base64.b64decode(dict(request.headers)[b"sec-websocket-key"], validate=True)) == 16
    except ValueError:  # binascii.Error is a ValueError
        return False


def without_websockets(protocol: H2Protocol) -> H2Protocol:
    """Hypercorn's HTTP/2, not offering WebSockets over HTTP/2 (RFC 8441 section 3), before its SETTINGS go out.

    Hypercorn sends SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, and Chromium then opens ``wss://`` as an HTTP/2
    stream, which the app refuses (426) and hypercorn's stream would not check for Pongs. Without it,
    browsers open WebSockets over HTTP/1.1, where ``CourseWSStream`` runs them.
    """
    protocol.connection.local_settings.pop(SettingCodes.ENABLE_CONNECT_PROTOCOL, None)
    return protocol


class CourseProtocolWrapper(ProtocolWrapper):
    """Hypercorn's choice between HTTP/1.1 and HTTP/2 (by ALPN, or when a client starts speaking HTTP/2), with the course's."""

    @property
    def protocol(self):
        return self.__dict__["protocol"]

    @protocol.setter
    def protocol(self, protocol) -> None:
        # ProtocolWrapper builds the protocol itself, and builds HTTP/2 anew when an HTTP/1.1 connection turns out to
        # speak it; every one it makes passes through here before it says a word.
        if type(protocol) is H11Protocol:
            protocol.__class__ = CourseH11Protocol
        elif type(protocol) is H2Protocol:
            without_websockets(protocol)
        self.__dict__["protocol"] = protocol


class CourseTCPServer(TCPServer):
    """Hypercorn's connection handler, speaking HTTP/1.1 through ``CourseH11Protocol``."""

    async def _close(self) -> None:
        # Hypercorn closes gracefully, which waits until the peer has taken every byte still queued: a peer that
        # reads nothing would hold the connection for ever. Give it CLOSE_SECONDS, then abort (a TCP reset).
        try:
            async with asyncio.timeout(CLOSE_SECONDS):
                await super()._close()
        except TimeoutError:
            pass
        self.writer.transport.abort()  # nothing happens if it closed already

    @property
    def protocol(self):
        return self._protocol

    @protocol.setter
    def protocol(self, wrapper) -> None:
        # TCPServer.run builds the protocol itself; a subclass that only overrides methods can take over in place.
        wrapper.__class__ = CourseProtocolWrapper
        wrapper.protocol = wrapper.__dict__["protocol"]  # the one ProtocolWrapper made, through the setter now
        self._protocol = wrapper


NAMED: dict[str, LiveServer] = {}  # serve(..., name=...): the latest server started under each name


def serve(app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 16,
          streaming: str = "async", ping_interval: float | None = PING_SECONDS,
          ping_timeout: float = PONG_SECONDS, certificate: tuple[str, str] | None = None,
          name: str | None = None) -> LiveServer:
    """Start ``app`` on a free port of 127.0.0.1 (``port=0``) and return the running server.

    ``threads`` worker threads run the app; ``streaming="threads"`` makes each event stream hold one.
    Every WebSocket is pinged each ``ping_interval`` seconds (None: never) and closed when a Pong
    takes longer than ``ping_timeout``. ``certificate=(cert_file, key_file)`` serves HTTPS, with HTTP/2 offered by ALPN.
    ``name``: a server started under a name stops the one started under it before, if it still runs,
    so a notebook cell run twice leaves no server behind that nothing can stop.
    """
    before = NAMED.get(name) if name else None
    if before is not None and before.running:
        before.stop()
    server = LiveServer(app, host, port, threads, streaming, ping_interval, ping_timeout, certificate)
    if name:
        NAMED[name] = server
    return server
