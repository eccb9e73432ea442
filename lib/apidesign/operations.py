"""Long-running operations (compare Google's AIP-151): accept now with ``202``, finish later, let the client find out.

A request that takes longer than a client should hold a connection open (exporting a
channel's history) is answered at once with an *operation*: ``{"operationId", "done"}``.
The client then either polls ``GET /v1/operations/{id}`` (``Retry-After`` says how often),
or leaves a callback URL and is told when it is done.

The work here is simulated: an operation is due ``duration`` seconds after it was submitted,
on the runner's clock, and ``step()`` finishes every operation that is due. Tests and
notebooks step a fake clock by hand; a live server can run ``step()`` on a thread instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Any, Callable

import requests

from .clock import Clock
from .errors import ApiDesignError

Work = Callable[["Operation"], dict]               # the operation's real job: returns the result
Deliver = Callable[[str, dict], None]              # POST a payload to a callback URL


class OperationFailed(ApiDesignError):
    """The operation's work could not be done; ``code`` and message become the operation's ``error``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Operation:
    """One long-running job: who asked, for what, when it is due, and how it ended."""

    operation_id: str
    owner: str                  # the only user who may read it
    target: str                 # what it works on (a channel ID)
    due_at: float               # on the runner's clock
    callback_url: str | None = None
    done: bool = False
    result: dict | None = None
    error: dict | None = None   # the error envelope's inner object: {"code", "message", "details"}

    def json(self) -> dict:
        """The public shape (AIP-151's Operation): ``result`` or ``error`` appear only once ``done``."""
        body: dict[str, Any] = {"operationId": self.operation_id, "done": self.done}
        if self.done:
            body.update({"result": self.result} if self.error is None else {"error": self.error})
        return body


def post_json(url: str, payload: dict) -> None:
    """Deliver a callback: one POST, short timeout, no redirects followed (as the webhook sender: a ``3xx`` could
    point the POST at an address the callback rule never checked); a receiver that is down just misses it (it can
    still poll)."""
    try:
        requests.post(url, json=payload, timeout=2, allow_redirects=False)
    except requests.RequestException:
        pass


class OperationRunner:
    """Holds operations, finishes each when it is due (``step``), and calls back those that asked."""

    def __init__(self, clock: Clock, work: Work, *, duration: float = 2.0, deliver: Deliver = post_json):
        self.clock, self.work, self.duration, self.deliver = clock, work, duration, deliver
        self.operations: dict[str, Operation] = {}
        self.lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def submit(self, operation_id: str, owner: str, target: str, callback_url: str | None = None) -> Operation:
        """Accept a job; it will be due ``duration`` seconds from now."""
        op = Operation(operation_id, owner, target, self.clock.now() + self.duration, callback_url)
        with self.lock:
            self.operations[operation_id] = op
        return op

    def get(self, operation_id: str) -> Operation | None:
        with self.lock:
            return self.operations.get(operation_id)

    def step(self) -> list[Operation]:
        """Finish every operation that is due, deliver their callbacks, and return them."""
        now = self.clock.now()
        with self.lock:
            due = [op for op in self.operations.values() if not op.done and op.due_at <= now]
            finished = [self._finish(op) for op in due]
            self.operations.update({op.operation_id: op for op in finished})
        for op in finished:
            if op.callback_url:
                self.deliver(op.callback_url, {"data": op.json()})
        return finished

    def _finish(self, op: Operation) -> Operation:
        """``op`` done: with the work's result, or with its error."""
        try:
            return replace(op, done=True, result=self.work(op))
        except OperationFailed as failed:
            return replace(op, done=True, error={"code": failed.code, "message": failed.message, "details": []})

    def start(self, interval: float = 0.02) -> None:
        """Step on a background thread every ``interval`` seconds (a live server; callbacks need no poll)."""
        if not self.running:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, args=(interval,), name="apidesign-operations",
                                            daemon=True)
            self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the background thread is stepping."""
        return self._thread is not None and self._thread.is_alive()

    def _loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.step()

    def stop(self) -> None:
        """End the background thread, if one runs; a step in progress finishes first."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
