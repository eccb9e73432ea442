"""Round trips before the first request byte, counted on real handshakes: TCP + TLS against QUIC.

Each handshake runs between two real implementations (the kernel's TCP, Python's ``ssl``,
aioquic's QUIC) and we count the *waits*: how many times the client had to hear back from
the server before its request could leave. On a real network each wait costs one round trip.

- TCP (RFC 9293 section 3.5): SYN, SYN-ACK, then ACK with data: one wait, counted from the
  kernel's own segment counters (``TCP_INFO``, Linux only; elsewhere ``None``).
- TLS 1.3 over it (RFC 8446 section 2): ClientHello, the server's whole flight up to its
  Finished, then the client's Finished with the request: one more. TLS 1.2 needs two.
- QUIC (RFC 9000 section 7, RFC 9001 section 4) carries the TLS 1.3 messages in its own first
  packets, so transport and crypto share one wait; a resumed session sends its request in the
  very first flight as 0-RTT early data (RFC 9001 section 4.6): no wait at all.

The byte shuttling is in memory (``ssl.MemoryBIO``, aioquic's sans-I/O ``QuicConnection``), so
the counts are the same on every run; nothing is timed.
"""

from __future__ import annotations

import socket
import ssl
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aioquic.buffer import Buffer
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.connection import QuicConnection
from aioquic.quic.events import HandshakeCompleted
from aioquic.quic.packet import pull_quic_header

from ..clock import Clock, WallClock
from .certs import self_signed

CLIENT, SERVER = ("127.0.0.1", 4433), ("127.0.0.1", 443)  # labels for in-memory datagrams; no socket is opened
REQUEST = b"GET /v1/ping HTTP/1.1\r\nHost: localhost\r\n\r\n"


@dataclass(frozen=True)
class Count:
    """One handshake's count: how many server flights the client waited for before the server had its request."""

    layer: str
    waits: int | None  # None: this platform's kernel does not expose the counters
    note: str


def tcp_waits() -> Count:
    """Connect to a listening socket on 127.0.0.1 and read the kernel's segment counters for the handshake."""
    if not hasattr(socket, "TCP_INFO"):
        return Count("TCP", None, "TCP_INFO is Linux only: RFC 9293 section 3.5 says one (SYN, then SYN-ACK)")
    with socket.create_server(("127.0.0.1", 0)) as listener, socket.create_connection(listener.getsockname()) as c:
        segs_out, segs_in = tcp_segments(c)
    return Count("TCP", segs_in, f"the kernel sent {segs_out} segments and received {segs_in} to establish it")


def tcp_segments(sock: socket.socket) -> tuple[int, int]:
    """The kernel's (segments sent, segments received) on a TCP socket: tcpi_segs_out/in, bytes 136-143 of TCP_INFO."""
    return struct.unpack_from("II", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256), 136)


def segments_received(sock: socket.socket) -> int | None:
    """Segments a just-connected TCP socket received: its handshake's waits (Linux 4.2 and later; else None)."""
    return tcp_segments(sock)[1] if hasattr(socket, "TCP_INFO") else None


def tls_waits(cafile: Path, certfile: Path, keyfile: Path, version: ssl.TLSVersion) -> Count:
    """A TLS handshake between two ``ssl`` objects in memory; the server flights the client waited for."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(certfile, keyfile)
    client_ctx = ssl.create_default_context(cafile=str(cafile))
    for ctx in (server_ctx, client_ctx):
        ctx.minimum_version = ctx.maximum_version = version
    to_server, to_client, c_out, s_out = (ssl.MemoryBIO() for _ in range(4))
    client = client_ctx.wrap_bio(to_client, c_out, server_hostname="localhost")
    server = server_ctx.wrap_bio(to_server, s_out, server_side=True)
    waits = 0
    while not _step(client):
        to_server.write(c_out.read())  # the client's flight reaches the server ...
        _step(server)
        to_client.write(s_out.read())  # ... and the server's answer comes back: one round trip
        waits += 1
    client.write(REQUEST)  # the request leaves with the client's next flight
    to_server.write(c_out.read())
    _step(server)
    assert server.read(len(REQUEST)) == REQUEST, "the server has the request after that flight"
    return Count(f"TLS {version.name[4:].replace('_', '.')} over it", waits, f"{server.version()} negotiated")


def _step(end: ssl.SSLObject) -> bool:
    """Advance a TLS handshake as far as the bytes received allow; True once it is complete."""
    try:
        end.do_handshake()
        return True
    except ssl.SSLWantReadError:
        return False


def quic_waits(cafile: Path, certfile: Path, keyfile: Path, tickets: dict, ticket=None, on_ticket=None) -> Count:
    """An HTTP/3 GET over a new QUIC connection in memory; with a session ``ticket``, the request goes in 0-RTT."""
    server_config = QuicConfiguration(is_client=False, alpn_protocols=H3_ALPN)
    server_config.load_cert_chain(certfile, keyfile)
    client_config = QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN, server_name="localhost")
    client_config.load_verify_locations(str(cafile))
    client_config.session_ticket = ticket
    issued = []
    client = QuicConnection(configuration=client_config, session_ticket_handler=issued.append)
    client.connect(SERVER, now=0.0)
    link = _QuicLink(client, server_config, tickets)
    waits, sent = 0, False
    while not link.request_arrived:
        if not sent and (ticket is not None or link.client_handshake_done()):
            link.send_request()  # with a ticket, at once: in the client's first flight
            sent = True
        link.client_to_server()
        if not link.request_arrived:
            link.server_to_client()
            waits += 1
    for _ in range(3):  # let the client's Finished in, so the server issues its session ticket
        link.client_to_server()
        link.server_to_client()
    if on_ticket is not None and issued:
        on_ticket(issued[-1])
    how = "a session ticket, request sent as 0-RTT early data" if ticket is not None else "a full handshake"
    return Count("QUIC (TLS 1.3 inside)", waits, f"{how}; the server had it before its handshake ended: {link.early}")


class _QuicLink:
    """Carries datagrams between a client and a server ``QuicConnection`` in memory, and watches the server."""

    def __init__(self, client: QuicConnection, server_config: QuicConfiguration, tickets: dict):
        self.client, self.server_config, self.tickets = client, server_config, tickets
        self.client_h3, self.server, self.server_h3 = H3Connection(client), None, None
        self.request_arrived, self.server_done, self.early, self.now = False, False, None, 0.0

    def client_handshake_done(self) -> bool:
        while (event := self.client.next_event()) is not None:
            if isinstance(event, HandshakeCompleted):
                return True
        return False

    def send_request(self) -> None:
        stream = self.client.get_next_available_stream_id()
        self.client_h3.send_headers(stream, [(b":method", b"GET"), (b":scheme", b"https"),
                                             (b":authority", b"localhost"), (b":path", b"/v1/ping")], end_stream=True)

    def client_to_server(self) -> None:
        for datagram, _ in self.client.datagrams_to_send(now=self.tick()):
            if self.server is None:
                cid = pull_quic_header(Buffer(data=datagram), host_cid_length=8).destination_cid
                self.server = QuicConnection(configuration=self.server_config, original_destination_connection_id=cid,
                                             session_ticket_fetcher=lambda label: self.tickets.pop(label, None),
                                             session_ticket_handler=lambda t: self.tickets.update({t.ticket: t}))
                self.server_h3 = H3Connection(self.server)
            self.server.receive_datagram(datagram, CLIENT, now=self.tick())
        while (event := self.server.next_event()) is not None:
            self.server_done |= isinstance(event, HandshakeCompleted)
            for h3_event in self.server_h3.handle_event(event):
                if isinstance(h3_event, HeadersReceived) and not self.request_arrived:
                    self.request_arrived, self.early = True, not self.server_done

    def server_to_client(self) -> None:
        for datagram, _ in self.server.datagrams_to_send(now=self.tick()):
            self.client.receive_datagram(datagram, SERVER, now=self.tick())

    def tick(self) -> float:
        self.now += 0.001  # a fake clock: aioquic only needs time to move forward
        return self.now


def before_first_request(wall_clock: Clock | None = None) -> dict[str, list[Count]]:
    """Each way to get a first request to a new server, with the handshakes it is made of, counted."""
    with tempfile.TemporaryDirectory(prefix="apidesign-handshakes-") as directory:
        cert, key = self_signed(Path(directory), wall_clock or WallClock())
        tickets, issued = {}, []
        return {"TCP + TLS 1.3": [tcp_waits(), tls_waits(cert, cert, key, ssl.TLSVersion.TLSv1_3)],
                "TCP + TLS 1.2": [tcp_waits(), tls_waits(cert, cert, key, ssl.TLSVersion.TLSv1_2)],
                "QUIC, first connection": [quic_waits(cert, cert, key, tickets, on_ticket=issued.append)],
                "QUIC, resumed with its ticket": [quic_waits(cert, cert, key, tickets, ticket=issued[-1])]}


def round_trips(counts: list[Count]) -> int | None:
    """The handshakes' waits added up (each must finish before the next starts); None if one could not be counted."""
    if not counts:
        raise ValueError("no handshakes to add up: a way to a first request has at least one")
    waits = [c.waits for c in counts]
    return None if None in waits else sum(waits)
