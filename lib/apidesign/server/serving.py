"""``serve(app)``: run an app on 127.0.0.1 in background threads, for notebooks and tests.

It uses cheroot (CherryPy's WSGI server) rather than Werkzeug's development server,
because Werkzeug closes every connection after one response; cheroot speaks HTTP/1.1
with keep-alive, so a ``requests.Session`` really reuses one TCP connection.
``connections`` counts the distinct TCP connections the server saw (by client port)
and ``requests`` the requests it answered.
"""

from __future__ import annotations

import threading

from cheroot import wsgi
from flask import Flask

from .upgrade import UpgradeGateway


class LiveServer:
    """A running server: ``.url``, ``.connections``, ``.requests``; ``.stop()`` it or use ``with``."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 16):
        self.app = app
        self._lock = threading.Lock()
        self._peers: set[tuple[str, str]] = set()
        self.requests = 0
        # request_queue_size is the listen backlog: cheroot's default of 5 resets connections
        # when a test or notebook opens dozens at once (50 concurrent POSTs did, intermittently).
        self._server = wsgi.Server((host, port), self._count, numthreads=threads, timeout=10,
                                  request_queue_size=128, shutdown_timeout=2)
        self._server.gateway = UpgradeGateway  # WebSocket upgrades get the raw socket (see upgrade.py)
        # How often the serve loop wakes up to notice stop(); cheroot's 0.5 s made every stop() of a
        # server that had a client take half a second, which adds up over a test suite.
        self._server.expiration_interval = 0.05
        self._server.prepare()  # binds and listens now, so the port is known and ready
        self.host, self.port = host, self._server.bind_addr[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve, name=f"apidesign-serve-{self.port}", daemon=True)
        self._thread.start()

    def _count(self, environ, start_response):
        """WSGI middleware: note the client's (address, port), i.e. which TCP connection, then call the app."""
        with self._lock:
            self._peers.add((environ.get("REMOTE_ADDR", ""), environ.get("REMOTE_PORT", "")))
            self.requests += 1
        return self.app(environ, start_response)

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._peers)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop accepting, close open keep-alive connections, join the threads and release the port."""
        if self.running:
            self._server.stop()
            self._thread.join(timeout=5)

    def __enter__(self) -> "LiveServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<LiveServer {self.url} {'running' if self.running else 'stopped'}>"


def serve(app: Flask, host: str = "127.0.0.1", port: int = 0) -> LiveServer:
    """Start ``app`` on a free port of 127.0.0.1 (``port=0``) and return the running server."""
    return LiveServer(app, host, port)
