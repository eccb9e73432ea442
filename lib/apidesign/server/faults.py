"""Failure injection for teaching: the server does the work, then the response is lost.

``FAULT_DROP_RATE = p`` makes the server, with probability p (seeded by ``FAULT_SEED``),
finish a POST (the message is committed) and then close the TCP connection without
sending a byte. Over real HTTP the client sees a connection error (``requests``
raises ``ConnectionError``: "Remote end closed connection without response"), exactly
what a timeout or a dropped mobile connection looks like: it cannot tell whether the
message was sent.

How: a WSGI middleware runs the app to completion, then raises ``ConnectionResetError``
(errno ECONNRESET). ``serve()`` (see ``bridge.py``) takes that as "lose the answer": it
writes nothing and closes the connection. Under Flask's test client the same exception
reaches the caller, which is also a connection error.
"""

from __future__ import annotations

import errno
import random
import threading
from typing import Any, Callable, Iterable

from flask import Flask

from .services import Services


class LostResponses:
    """WSGI middleware: after the app answered a matching request, drop the answer with probability ``rate``."""

    def __init__(self, wsgi_app: Callable, rate: float = 0.0, seed: int | None = 0, methods: Iterable[str] = ("POST",)):
        self.wsgi_app, self.rate, self.methods = wsgi_app, rate, frozenset(methods)
        self.rng = random.Random(seed)
        self._lock = threading.Lock()
        self.dropped = 0

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        if environ.get("REQUEST_METHOD") not in self.methods or not self._roll():
            return self.wsgi_app(environ, start_response)
        answer = self.wsgi_app(environ, lambda *a, **k: None)  # the work happens; the answer is discarded
        try:
            for _ in answer:
                pass
        finally:
            getattr(answer, "close", lambda: None)()
        with self._lock:
            self.dropped += 1
        raise ConnectionResetError(errno.ECONNRESET, "fault injection: response dropped after the work was done")

    def _roll(self) -> bool:
        with self._lock:
            return self.rate > 0 and self.rng.random() < self.rate


def install(app: Flask, svc: Services) -> None:
    """Wrap the app in ``LostResponses`` from config; ``services().extras["faults"]`` adjusts it at run time."""
    faults = LostResponses(app.wsgi_app, app.config["FAULT_DROP_RATE"], app.config["FAULT_SEED"])
    app.wsgi_app = faults
    svc.extras["faults"] = faults
