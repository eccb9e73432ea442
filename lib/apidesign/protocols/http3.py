"""HTTP/3 for real: one request over QUIC with aioquic on 127.0.0.1, then a 0-RTT resumption.

The server (``Http3Server``) answers every GET with a short text saying whether the
request reached it before the handshake had finished (that is 0-RTT early data). The
client keeps the session ticket the server issues; a second connection presents it,
resumes the TLS session and sends its request in the very first flight (RFC 9001
section 4.6, RFC 8446 section 2.3). Early data can be replayed (RFC 8446 section 8), so a client
MAY send requests with *safe* methods (GET, HEAD) in it and MUST NOT send unsafe ones, or ones whose
safety it does not know (RFC 8470 section 4). A server limits replay of what it accepts early, for
instance by deferring a request until the handshake completes or by answering ``425 Too Early``
(RFC 8470 sections 3 and 5.2); HTTP/3 requires RFC 8470's mitigations whenever 0-RTT is used
(RFC 9114 section 10.9), not 425 in particular. This demo sends a GET.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from aioquic.asyncio import QuicConnectionProtocol, connect, serve
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import DataReceived, HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import HandshakeCompleted, ProtocolNegotiated

from ..clock import Clock, WallClock
from .certs import self_signed
from .loops import BackgroundLoop, run


class TicketStore:
    """The server's memory of issued session tickets, so a returning client can resume."""

    def __init__(self):
        self.tickets = {}

    def add(self, ticket) -> None:
        self.tickets[ticket.ticket] = ticket

    def pop(self, label: bytes):
        return self.tickets.pop(label, None)


@dataclass(frozen=True)
class Answered:
    """One request as the server saw it: which connection (its original connection ID) and from which address."""

    connection: str
    peer: tuple[str, int]
    path: str


class ServerProtocol(QuicConnectionProtocol):
    """Answers each HTTP/3 GET with ``<path> early=<True|False>``, and notes it in ``log``."""

    def __init__(self, *args, log: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.h3: H3Connection | None = None
        self.handshake_done = False
        self.log = [] if log is None else log

    def quic_event_received(self, event) -> None:
        if isinstance(event, ProtocolNegotiated):
            self.h3 = H3Connection(self._quic)
        elif isinstance(event, HandshakeCompleted):
            self.handshake_done = True
        for h3_event in self.h3.handle_event(event) if self.h3 else ():
            if isinstance(h3_event, HeadersReceived) and h3_event.stream_ended:
                self.answer(h3_event.stream_id, dict(h3_event.headers))

    def answer(self, stream_id: int, headers: dict) -> None:
        body = f"{headers[b':path'].decode()} early={not self.handshake_done}".encode()
        self.log.append(Answered(self._quic.original_destination_connection_id.hex(),
                                 tuple(self._quic.get_peer_address()[:2]), headers[b":path"].decode()))
        self.h3.send_headers(stream_id, [(b":status", b"200"), (b"content-type", b"text/plain"),
                                         (b"content-length", str(len(body)).encode())])
        self.h3.send_data(stream_id, body, end_stream=True)
        self.transmit()


class Http3Server:
    """An HTTP/3 server on a free UDP port of 127.0.0.1 with a fresh self-signed certificate."""

    def __init__(self, wall_clock: Clock | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="apidesign-h3-"))
        self.cafile, key = self_signed(self.dir, wall_clock or WallClock())
        config = QuicConfiguration(is_client=False, alpn_protocols=H3_ALPN)
        config.load_cert_chain(self.cafile, key)
        self.tickets = TicketStore()
        self.log: list[Answered] = []  # every request answered, in order
        listening = threading.Event()

        async def main(stopping: asyncio.Event):
            server = await serve("127.0.0.1", 0, configuration=config,
                                 create_protocol=partial(ServerProtocol, log=self.log),
                                 session_ticket_fetcher=self.tickets.pop, session_ticket_handler=self.tickets.add)
            self.port = server._transport.get_extra_info("sockname")[1]
            listening.set()
            await stopping.wait()
            server.close()
        self._loop = BackgroundLoop(main, name="http3-server")
        if not listening.wait(10):
            raise TimeoutError("the HTTP/3 server did not start listening within 10 s")

    def stop(self) -> None:
        self._loop.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class ClientProtocol(QuicConnectionProtocol):
    """Sends GETs and records the order of what happened: ``request sent``, ``handshake done``, ``response``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.h3 = H3Connection(self._quic)
        self.timeline: list[str] = []
        self.responses: dict[int, dict] = {}

    async def get(self, path: str) -> dict:
        stream_id = self._quic.get_next_available_stream_id()
        self.h3.send_headers(stream_id, [(b":method", b"GET"), (b":scheme", b"https"),
                                         (b":authority", b"localhost"), (b":path", path.encode())], end_stream=True)
        self.responses[stream_id] = {"done": asyncio.get_running_loop().create_future(), "body": b""}
        self.timeline.append("request sent")
        self.transmit()
        return await self.responses[stream_id]["done"]

    def quic_event_received(self, event) -> None:
        if isinstance(event, HandshakeCompleted):
            self.timeline.append("handshake done")
        for e in self.h3.handle_event(event):
            slot = self.responses.get(getattr(e, "stream_id", None))
            if isinstance(e, HeadersReceived) and slot is not None:
                slot["headers"] = dict(e.headers)
            elif isinstance(e, DataReceived) and slot is not None:
                slot["body"] += e.data
            if slot is not None and getattr(e, "stream_ended", False):
                self.timeline.append("response received")
                slot["done"].set_result(slot)


@dataclass(frozen=True)
class Http3Result:
    """One HTTP/3 exchange: the answer, the TLS facts, and the order of events on the client."""

    status: int
    body: str
    alpn: str
    resumed: bool
    early_data_accepted: bool
    timeline: tuple[str, ...]


def get(server: Http3Server, path: str, ticket=None, on_ticket=None) -> Http3Result:
    """GET ``path`` over a new QUIC connection; with a ``ticket`` from an earlier one, try 0-RTT."""
    config = QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN, server_name="localhost")
    config.load_verify_locations(str(server.cafile))
    config.session_ticket = ticket

    async def go():
        ticket_arrived = asyncio.Event()

        def keep(new_ticket) -> None:
            if on_ticket:
                on_ticket(new_ticket)
            ticket_arrived.set()
        async with connect("127.0.0.1", server.port, configuration=config, create_protocol=ClientProtocol,
                           session_ticket_handler=keep, wait_connected=ticket is None) as client:
            response = await client.get(path)
            tls = client._quic.tls
            if on_ticket:  # the server sends the ticket after the handshake; wait for it before closing
                await asyncio.wait_for(ticket_arrived.wait(), 5)
            return Http3Result(int(response["headers"][b":status"]), response["body"].decode(), tls.alpn_negotiated,
                               tls.session_resumed, tls.early_data_accepted, tuple(client.timeline))
    return run(go, timeout=15)


def first_then_resumed(server: Http3Server, path: str = "/v1/ping") -> tuple[Http3Result, Http3Result]:
    """A full handshake that keeps the session ticket, then a resumed connection sending its request in 0-RTT."""
    tickets = []
    first = get(server, path, on_ticket=tickets.append)
    return first, get(server, path, ticket=tickets[-1])
