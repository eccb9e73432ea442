"""QUIC connection migration, for real: a client moves to a new UDP port mid-connection, and the connection stays.

A TCP connection is its pair of addresses and ports ("A connection is defined by a pair of
sockets", RFC 9293 section 3.4.1; a socket is an address and a port): a client whose address
changes (Wi-Fi to cellular, a NAT that rebinds) has to open a new connection and pay its
handshakes again (Multipath TCP, RFC 8684, can add a subflow from the new address, with a
handshake of its own). QUIC names a connection by connection IDs instead (RFC 9000 section 5.1), so the server recognises
packets from a new address as the same connection (RFC 9000 section 9). Before it sends much
there, it checks that the new address can answer: a PATH_CHALLENGE with random bytes that the
client must echo in a PATH_RESPONSE (path validation, section 8.2). The client switches to a
fresh connection ID as it moves, as section 9.5 requires, so the connection ID does not link the
old path to the new one (timing and other patterns may still); here ``MovingClient.move`` does it.

``MovingClient`` drives aioquic's sans-I/O ``QuicConnection`` over a plain UDP socket it owns,
so it can swap that socket for one on a new port between two requests, against the course's
``http3.Http3Server``. ``tcp_move`` does the same over TCP against a ``serve()``-d app: a new
connection from the new port, which is what a move costs plain TCP (the handshakes again).
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import DataReceived, HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.connection import QuicConnection
from aioquic.quic.events import HandshakeCompleted
from aioquic.quic.logger import QuicLogger

from .handshakes import segments_received
from .http3 import Http3Server


class MovingClient:
    """An HTTP/3 client on a UDP socket of its own, which ``move`` replaces with one on a new port."""

    def __init__(self, server: Http3Server, timeout: float = 5.0):
        config = QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN, server_name="localhost",
                                   quic_logger=QuicLogger())
        config.load_verify_locations(str(server.cafile))
        self.quic, self.server, self.timeout = QuicConnection(configuration=config), ("127.0.0.1", server.port), timeout
        self.h3, self.sock, self.connected, self.bodies = H3Connection(self.quic), self._bind(), False, {}
        self.quic.connect(self.server, now=time.monotonic())
        self._pump(lambda: self.connected)

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def get(self, path: str) -> str:
        """GET ``path`` on the current connection; the response body."""
        check_path(path)
        stream = self.quic.get_next_available_stream_id()
        self.h3.send_headers(stream, [(b":method", b"GET"), (b":scheme", b"https"),
                                      (b":authority", b"localhost"), (b":path", path.encode())], end_stream=True)
        self.bodies[stream] = None
        self._pump(lambda: isinstance(self.bodies[stream], str))
        return self.bodies.pop(stream)

    def move(self) -> None:
        """Go on from a new local port, as after a network change, under the next connection ID."""
        self.sock.close()
        self.sock = self._bind()
        self.quic.change_connection_id()

    def destination_cid(self) -> str:
        """The destination connection ID (hex) of the last short-header packet the client sent."""
        sent = [event["data"]["header"]["dcid"] for event in self._trace()
                if event["name"] == "transport:packet_sent" and event["data"]["header"]["packet_type"] == "1RTT"]
        return sent[-1]

    def path_challenges(self) -> int:
        """PATH_CHALLENGE frames received from the server so far (each is answered with a PATH_RESPONSE)."""
        return sum(frame["frame_type"] == "path_challenge" for event in self._trace()
                   if event["name"] == "transport:packet_received" for frame in event["data"]["frames"])

    def _trace(self) -> list[dict]:
        return self.quic.configuration.quic_logger.to_dict()["traces"][0]["events"]

    def close(self) -> None:
        self.quic.close()
        self._flush()
        self.sock.close()

    def _bind(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        return sock

    def _flush(self) -> None:
        for datagram, addr in self.quic.datagrams_to_send(now=time.monotonic()):
            self.sock.sendto(datagram, addr)

    def _pump(self, done) -> None:
        """Send what is due and process what arrives until ``done()``; a network loop of a dozen lines."""
        deadline = time.monotonic() + self.timeout
        self._flush()
        while not done():
            timer = self.quic.get_timer() or deadline
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from the HTTP/3 server")
            self.sock.settimeout(max(min(timer, deadline) - time.monotonic(), 0.001))
            try:
                datagram, addr = self.sock.recvfrom(65536)
                self.quic.receive_datagram(datagram, addr, now=time.monotonic())
            except socket.timeout:
                self.quic.handle_timer(now=time.monotonic())
            self._handle_events()
            self._flush()

    def _handle_events(self) -> None:
        while (event := self.quic.next_event()) is not None:
            self.connected |= isinstance(event, HandshakeCompleted)
            for h3_event in self.h3.handle_event(event):
                if isinstance(h3_event, DataReceived) and h3_event.stream_id in self.bodies:
                    self.bodies[h3_event.stream_id] = (self.bodies[h3_event.stream_id] or b"") + h3_event.data
                if isinstance(h3_event, (DataReceived, HeadersReceived)) and h3_event.stream_ended:
                    self.bodies[h3_event.stream_id] = (self.bodies[h3_event.stream_id] or b"").decode()


def check_path(path: str) -> None:
    """A request target for GET: a string that starts with "/" (RFC 9113 section 8.3.1, RFC 9114 section 4.3.1)."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"the path must start with '/', not {path!r}")


@dataclass(frozen=True)
class Migration:
    """A connection that moved: the client's ports, what the server saw, and the path validation on the new port."""

    client_ports: tuple[int, int]
    bodies: tuple[str, str]
    server_saw: tuple  # http3.Answered for each request: connection ID and client address
    path_challenges: int
    destination_cids: tuple[str, str]  # the connection ID the client sent to, before and after the move


def move_mid_connection(server: Http3Server, path: str = "/v1/ping") -> Migration:
    """One request, a move to a new local port, a second request, all on one QUIC connection."""
    check_path(path)  # before the handshake, not after a 5 s wait for an answer that cannot come
    client = MovingClient(server)
    try:
        before, first = client.port, client.get(path)
        challenges_before, cid_before = client.path_challenges(), client.destination_cid()
        client.move()
        after, second = client.port, client.get(path)
        return Migration((before, after), (first, second), tuple(server.log[-2:]),
                         client.path_challenges() - challenges_before, (cid_before, client.destination_cid()))
    finally:
        client.close()


@dataclass(frozen=True)
class TcpMove:
    """The same move over TCP: the client's two ports, the connections the server saw, the handshakes waited for."""

    client_ports: tuple[int, int]
    statuses: tuple[int, int]
    connections: int         # distinct client (address, port) pairs the server saw, as ``http1.count_connections``
    handshakes: int | None   # SYN-ACKs the client waited for, from the kernel's counters (None off Linux)


def tcp_move(live, path: str, headers: dict[str, str]) -> TcpMove:
    """One GET, a move to a new local port, a second GET: over TCP, the second port means a second connection."""
    check_path(path)
    connections_before, ports, statuses, waits = live.connections, [], [], []
    old = None
    for _ in range(2):
        tcp = socket.create_connection((live.host, live.port), timeout=5)  # the kernel picks a new local port
        if old is not None:
            old.close()  # the old path is gone; closed only now, so the new port cannot be the old one reused
        ports.append(tcp.getsockname()[1])
        waits.append(segments_received(tcp))
        statuses.append(_get(tcp, live, path, headers))
        old = tcp
    old.close()
    handshakes = None if None in waits else sum(waits)
    return TcpMove(tuple(ports), tuple(statuses), live.connections - connections_before, handshakes)


def _get(tcp: socket.socket, live, path: str, headers: dict[str, str]) -> int:
    """An HTTP/1.1 GET on a connected socket, read to the end; the status code."""
    fields = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    tcp.sendall(f"GET {path} HTTP/1.1\r\nHost: {live.host}:{live.port}\r\n{fields}Connection: close\r\n\r\n".encode())
    raw = b"".join(iter(lambda: tcp.recv(65536), b""))
    return int(raw.split(b" ", 2)[1])
