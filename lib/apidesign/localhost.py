"""Servers on 127.0.0.1 for tests, benchmarks and demos: a free port, a throwaway redis-server.

One copy of this plumbing, so the real-Redis test lane and every benchmark start
Redis the same way (and honour ``REDIS_URL`` the same way), and count its round trips the same way.
``LossyProxy`` sits in front of a server and loses one reply on demand.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from .store import RedisStore, redis_store


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unreachable_redis_store() -> RedisStore:
    """A Redis store pointing at a port where no server listens: every call fails to connect."""
    return redis_store(f"redis://127.0.0.1:{free_port()}/0")


@contextmanager
def real_redis() -> Iterator[str | None]:
    """``$REDIS_URL`` if set; else a redis-server on a free port, stopped afterwards; None if none is installed."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_until_ready(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_until_ready(url: str, proc: subprocess.Popen, timeout: float = 5.0) -> None:
    import redis
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if proc.poll() is not None:
                raise RuntimeError("redis-server exited at start-up") from None
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer within {timeout:g} s")


class SocketWrites:
    """Counts writes to Redis sockets: one write is one round trip, whoever sends it (a command,
    a pipeline, or a script's EVALSHA)."""

    def __init__(self):
        self.n = 0

    def connection_class(self, base: type | None = None) -> type:
        """A redis-py connection class (``base``, or ``redis.Connection``) whose writes this counter counts."""
        import redis  # only the Redis lanes need it
        counter = self

        class Counting(base or redis.Connection):
            def send_packed_command(self, command, check_health=True):
                counter.n += 1
                return super().send_packed_command(command, check_health)
        return Counting

    def watch(self, pool) -> "SocketWrites":
        """Count the writes of every connection ``pool`` makes from now on (open ones are closed first)."""
        pool.connection_class = self.connection_class(pool.connection_class)
        pool.disconnect()
        return self


class LossyProxy:
    """A TCP proxy on 127.0.0.1 in front of ``port`` that can lose one reply: the request reaches the
    server and runs, then the client's connection is closed before the answer gets back."""

    def __init__(self, port: int):
        self.upstream = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._lose = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def lose_next_reply(self) -> None:
        """The next reply from the server is dropped, and that connection closed."""
        self._lose.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # the proxy was closed
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, replies: bool) -> None:
        try:
            while data := source.recv(65536):
                if replies and self._lose.is_set():
                    self._lose.clear()
                    break
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):  # shutdown wakes the other direction's thread, blocked in recv
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        self.listener.close()

    def __enter__(self) -> "LossyProxy":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
