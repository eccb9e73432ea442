"""Long-running operations (compare Google's AIP-151): accept now with ``202``, finish later, let the client find out.

A request that takes longer than a client should hold a connection open (exporting a
channel's history) is answered at once with an *operation*: ``{"operationId", "done"}``.
The client then either polls ``GET /v1/operations/{id}`` (``Retry-After`` says how often),
or leaves a callback URL and is told when it is done.

The work here is simulated: an operation *runs* until it is due, ``duration`` seconds after it was
submitted on the runner's clock, and its work is done the first time it is needed after that: when
its owner reads it (``finish_if_due``) or when the worker's tick (``step``) comes. Tests and
notebooks step a fake clock by hand; a live server can run ``step()`` on a thread instead.

What one user can make the runner do is bounded, so that no user's work lands on anyone else:

* reading an operation does that operation's work only, never another user's, and no lock is held
  while work runs, so a poll is never queued behind someone else's export;
* callbacks are sent by the worker's tick only, never inside a request, one per owner a tick, owners
  in turn (``outbound.Turns``), each within ``outbound.post``'s total deadline;
* a user may have ``max_running`` operations running at once: the next is a 429 with Retry-After
  (``TooManyOperations``); once due, an operation and its result are kept ``retention`` seconds, and
  only each user's newest ``max_kept`` of them. So one user holds at most ``max_running + max_kept``.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, replace
from typing import Any, Callable

from . import outbound
from .clock import Clock
from .errors import ApiDesignError, RateLimited

Work = Callable[["Operation"], dict]               # the operation's real job: returns the result
Deliver = Callable[[str, dict], None]              # POST a payload to a callback URL

CALLBACK_DEADLINE = 2.0  # seconds one callback may take in all (connect, send, the answer's head)
MAX_RUNNING = 5          # operations one user may have running at once
RETENTION = 3600.0       # seconds an operation and its result are kept once due; then it is gone (404)
MAX_KEPT = 20            # due operations kept per user: the newest; older ones are forgotten first


class OperationFailed(ApiDesignError):
    """The operation's work could not be done; ``code`` and message become the operation's ``error``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class TooManyOperations(RateLimited):
    """429: the user already has as many operations running as allowed; Retry-After: until one is done (RFC 6585 4).

    Not a 409 (RFC 9110 15.5.10): nothing conflicts with the resource, and the same request succeeds after a wait.
    """

    code = "TOO_MANY_OPERATIONS"

    def __init__(self, limit: int, wait: float):
        seconds = max(1, math.ceil(wait))
        super().__init__(f"You already have {limit} operations running; the first is done in {seconds} s.",
                         headers={"Retry-After": str(seconds)})


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
    called_back: bool = False   # its callback, if it has one, has been sent (or tried: a callback is sent once)

    def json(self) -> dict:
        """The public shape (AIP-151's Operation): ``result`` or ``error`` appear only once ``done``."""
        body: dict[str, Any] = {"operationId": self.operation_id, "done": self.done}
        if self.done:
            body.update({"result": self.result} if self.error is None else {"error": self.error})
        return body


def post_json(url: str, payload: dict) -> None:
    """Deliver a callback: one POST within ``CALLBACK_DEADLINE`` seconds in all, its answer's status read and nothing
    more, no redirects followed (as the webhook sender: a ``3xx`` could point the POST at an address the callback
    rule never checked); a receiver that is down, slow or broken just misses it (it can still poll)."""
    try:
        outbound.post(url, json.dumps(payload).encode(), {"content-type": "application/json"},
                      deadline=CALLBACK_DEADLINE)
    except (*outbound.NO_ANSWER, ValueError):  # ValueError: a URL no request can go to (the API refuses those)
        pass


class OperationRunner:
    """Holds operations, finishes each when it is due, calls back those that asked, and forgets old ones."""

    def __init__(self, clock: Clock, work: Work, *, duration: float = 2.0, deliver: Deliver = post_json,
                 max_running: int = MAX_RUNNING, retention: float = RETENTION, max_kept: int = MAX_KEPT):
        self.clock, self.work, self.duration, self.deliver = clock, work, duration, deliver
        self.max_running, self.retention, self.max_kept = max_running, retention, max_kept
        self.operations: dict[str, Operation] = {}
        self.working: set[str] = set()      # IDs whose work is running now, so no work runs twice at once
        self.lock = threading.Lock()        # guards both; never held while work runs or a callback is sent
        self.sending = threading.Lock()     # one round of callbacks at a time, so none is sent twice
        self.turns = outbound.Turns()       # callbacks go one per owner a round, owners in turn
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()      # a new one for each thread started, which it keeps

    def submit(self, operation_id: str, owner: str, target: str, callback_url: str | None = None) -> Operation:
        """Accept a job, due ``duration`` seconds from now; ``TooManyOperations`` if ``owner`` has enough running."""
        now = self.clock.now()
        with self.lock:
            self.forget(now, owner)
            running = sorted(op.due_at for op in self.operations.values() if op.owner == owner and op.due_at > now)
            if len(running) >= self.max_running:
                raise TooManyOperations(self.max_running, wait=running[0] - now)
            op = self.operations[operation_id] = Operation(operation_id, owner, target, now + self.duration,
                                                           callback_url)
        return op

    def forget(self, now: float, owner: str) -> None:
        """Drop every operation ``retention`` seconds past due, and ``owner``'s due ones beyond the newest ``max_kept``."""
        self.operations = {key: op for key, op in self.operations.items() if now < op.due_at + self.retention}
        due = sorted((op for op in self.operations.values() if op.owner == owner and op.due_at <= now),
                     key=lambda op: op.due_at)
        for op in due[:max(0, len(due) - self.max_kept)]:
            del self.operations[op.operation_id]

    def get(self, operation_id: str) -> Operation | None:
        """The operation as it stands; None if there is none, or it was due over ``retention`` seconds ago."""
        with self.lock:
            op = self.operations.get(operation_id)
        return op if op is not None and self.clock.now() < op.due_at + self.retention else None

    def finish_if_due(self, op: Operation) -> Operation:
        """``op`` done, if it is due and nobody is doing its work already (this one operation's work, nobody
        else's: what a poll may do); otherwise ``op`` as it stands."""
        if op.done or op.due_at > self.clock.now():
            return op
        return self.finish(op.operation_id) or self.get(op.operation_id) or op

    def finish(self, operation_id: str) -> Operation | None:
        """Do one operation's work, with no lock held, and record it; None if it is done, unknown, or in hand already."""
        with self.lock:
            op = self.operations.get(operation_id)
            if op is None or op.done or operation_id in self.working:
                return None
            self.working.add(operation_id)
        done = None
        try:
            done = self._finished(op)
        finally:
            with self.lock:
                self.working.discard(operation_id)
                if done is not None and operation_id in self.operations:  # unless it was forgotten meanwhile
                    self.operations[operation_id] = done
        return done

    def _finished(self, op: Operation) -> Operation:
        """``op`` done: with the work's result, or with its error."""
        try:
            return replace(op, done=True, result=self.work(op))
        except OperationFailed as failed:
            return replace(op, done=True, error={"code": failed.code, "message": failed.message, "details": []})

    def step(self, stop: threading.Event | None = None) -> list[Operation]:
        """The worker's tick: finish every operation that is due, send a round of callbacks, return those finished.

        Both parts stop early once ``stop`` is set (checked between operations and between callbacks).
        """
        now = self.clock.now()
        with self.lock:
            due = [key for key, op in self.operations.items() if not op.done and op.due_at <= now]
        finished = []
        for operation_id in due:
            if stop is not None and stop.is_set():
                break
            if (done := self.finish(operation_id)) is not None:
                finished.append(done)
        self.send_callbacks(stop)
        return finished

    def send_callbacks(self, stop: threading.Event | None = None) -> int:
        """Send each owner's oldest callback still owed, owners in turn (``outbound.Turns``: one user's slow receivers
        delay the others by about one attempt); stop early once ``stop`` is set. How many were sent."""
        with self.sending:
            with self.lock:
                owed = [op for op in self.operations.values() if op.done and op.callback_url and not op.called_back]
            sent = 0
            for op in self.turns.next_round(owed, owner=lambda op: op.owner):
                if stop is not None and stop.is_set():
                    break
                with self.lock:
                    if op.operation_id in self.operations:
                        self.operations[op.operation_id] = replace(op, called_back=True)
                self.deliver(op.callback_url, {"data": op.json()})
                sent += 1
            return sent

    def start(self, interval: float = 0.02) -> None:
        """Step on a background thread every ``interval`` seconds (a live server; callbacks need no poll)."""
        if not self.running:
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._loop, args=(interval, self._stop),
                                            name="apidesign-operations", daemon=True)
            self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the background thread is stepping."""
        return self._thread is not None and self._thread.is_alive()

    def _loop(self, interval: float, stop: threading.Event) -> None:
        while not stop.wait(interval):
            self.step(stop)

    def stop(self, timeout: float | None = None) -> None:
        """End the background thread: it stops between operations and between callbacks.

        Wait at most ``timeout`` seconds (None: until it ends). A thread still in a callback then ends within
        ``CALLBACK_DEADLINE``, or in an export within that export's work, on its own (a daemon, its stop event set).
        """
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
