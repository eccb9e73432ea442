"""QUIC connection migration, for real: a client moves to a new UDP port mid-connection, and the connection stays.

A TCP connection *is* its pair of addresses and ports ("A connection is fully specified by the
pair of sockets at the ends", RFC 793 section 2.7): a client whose address changes (Wi-Fi to
cellular, a NAT that rebinds) has to open a new connection and pay its handshakes again. QUIC
names a connection by connection IDs instead (RFC 9000 section 5.1), so the server recognises
packets from a new address as the same connection (RFC 9000 section 9). Before it sends much
there, it checks that the new address can answer: a PATH_CHALLENGE with random bytes that the
client must echo in a PATH_RESPONSE (path validation, section 8.2). The client switches to a
fresh connection ID as it moves, so an observer cannot link the old path to the new one
(section 9.5).

``MovingClient`` drives aioquic's sans-I/O ``QuicConnection`` over a plain UDP socket it owns,
so it can swap that socket for one on a new port between two requests, against the course's
``http3.Http3Server``.
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

    def path_challenges(self) -> int:
        """PATH_CHALLENGE frames received from the server so far (each is answered with a PATH_RESPONSE)."""
        trace = self.quic.configuration.quic_logger.to_dict()["traces"][0]
        return sum(frame["frame_type"] == "path_challenge" for event in trace["events"]
                   if event["name"] == "transport:packet_received" for frame in event["data"]["frames"])

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


@dataclass(frozen=True)
class Migration:
    """A connection that moved: the client's ports, what the server saw, and the path validation on the new port."""

    client_ports: tuple[int, int]
    bodies: tuple[str, str]
    server_saw: tuple  # http3.Answered for each request: connection ID and client address
    path_challenges: int


def move_mid_connection(server: Http3Server, path: str = "/v1/ping") -> Migration:
    """One request, a move to a new local port, a second request, all on one QUIC connection."""
    client = MovingClient(server)
    try:
        before, first = client.port, client.get(path)
        challenges_before = client.path_challenges()
        client.move()
        after, second = client.port, client.get(path)
        return Migration((before, after), (first, second), tuple(server.log[-2:]),
                         client.path_challenges() - challenges_before)
    finally:
        client.close()


def tcp_cannot_move() -> str:
    """Try to give a connected TCP socket a new local port; the operating system's refusal."""
    with socket.create_server(("127.0.0.1", 0)) as listener, socket.create_connection(listener.getsockname()) as tcp:
        try:
            tcp.bind(("127.0.0.1", 0))
        except OSError as refused:
            return f"{type(refused).__name__}: {refused.strerror}"
        return "moved"  # never reached on Linux, macOS or Windows: a bound socket keeps its address
