"""Receivers that misbehave, on raw sockets of 127.0.0.1, for the tests of what the API sends out.

Each is a context manager yielding its URL; it accepts connections on a daemon thread and is closed on exit.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def listening(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """A listening socket whose every connection is handed to ``handle`` on its own thread; yields the URL."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(100)

    def accept():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:  # closed on exit
                return
            threading.Thread(target=serve_one, args=(connection,), daemon=True).start()

    def serve_one(connection: socket.socket):
        with connection:
            try:
                handle(connection)
            except OSError:  # the sender hung up: what the tests expect it to do
                pass
    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    finally:
        server.close()


@contextmanager
def silent_receiver() -> Iterator[str]:
    """Accepts the connection, reads the request, and never answers."""
    def handle(connection):
        connection.recv(65536)
        while connection.recv(65536):
            pass
    with listening(handle) as url:
        yield url


@contextmanager
def dribbling_receiver(every: float = 0.2) -> Iterator[str]:
    """Answers a byte every ``every`` seconds: always well inside a per-read timeout, never done."""
    def handle(connection):
        connection.recv(65536)
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
            connection.sendall(bytes([byte]))
            time.sleep(every)
    with listening(handle) as url:
        yield url


@contextmanager
def streaming_receiver(megabytes: int) -> Iterator[tuple[str, Callable[[], int]]]:
    """Answers 200 and streams ``megabytes`` MB of chunked body; yields the URL and how many bytes it got out."""
    pushed = [0]

    def handle(connection):
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                           b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n" % (1 << 20) + b"x" * (1 << 20) + b"\r\n"
        for _ in range(megabytes):
            connection.sendall(chunk)
            pushed[0] += 1 << 20
        connection.sendall(b"0\r\n\r\n")
    with listening(handle) as url:
        yield url, lambda: pushed[0]


@contextmanager
def redirecting_receiver() -> Iterator[tuple[str, list[str]]]:
    """A receiver that answers a POST to its URL with ``307`` to ``/elsewhere``, which would answer ``204``; yields
    the URL and the paths it was POSTed to, in order (a sender that follows the redirect shows up twice)."""
    from flask import Flask  # the only receiver here that speaks HTTP properly
    from apidesign.server import serve
    hits: list[str] = []
    receiver = Flask("redirector")

    @receiver.post("/hook")
    def hook():
        hits.append("/hook")
        return "", 307, {"Location": "/elsewhere"}

    @receiver.post("/elsewhere")
    def elsewhere():
        hits.append("/elsewhere")
        return "", 204

    with serve(receiver) as inbox:
        yield f"{inbox.url}/hook", hits
