"""The ASGI application ``serve()`` runs: it serves a WSGI app (Flask) from an event loop.

A request reaches the app only once it has fully arrived (its body read, up to the app's
``MAX_CONTENT_LENGTH``), and the app runs in a pool of worker threads. So a slow or idle
client costs the loop a coroutine, never a thread, and a body is never left half-read on a
kept-alive connection, where its bytes would be taken for the next request.

Two kinds of answer come back to the loop instead of holding a worker:

- a body that can be iterated with ``async for`` (``sse.ChannelStream``): the loop sends it;
- a WebSocket session (``chat_socket.ChatSession``): the loop accepts the upgrade and runs it.

``streaming="threads"`` makes the worker iterate even such bodies itself, as a plain WSGI
server does: the old way, kept so that its cost can be shown. One more cost of that mode, left
in on purpose: a worker blocked waiting for the next event notices that its client vanished only
when it next writes, at the next heartbeat (``SSE_HEARTBEAT_SECONDS``), and holds its thread until then.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import sys
import threading
from dataclasses import dataclass
from io import BytesIO
from typing import Any, Callable

from ..envelope import error
from .chat_socket import TAKES_OVER

BODY_SECONDS = 10.0   # a request body that has not fully arrived by then gets a 408
SEND_SECONDS = 10.0   # the longest a worker thread waits for the loop to take a chunk
STOP_SECONDS = 0.5    # how long close() lets requests in flight finish
DRAIN_BYTES = 8 << 20  # an over-long body is read and dropped up to this much more, then the connection closes
STREAMING_MODES = ("async", "threads")


@dataclass
class Answer:
    """What the WSGI app returned: status code, headers and the body iterable (or a session)."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: Any


def wsgi_environ(scope: dict, body: bytes) -> dict[str, Any]:
    """The WSGI environ (PEP 3333) for an ASGI ``http`` or ``websocket`` scope, with the body already read."""
    environ = {
        "REQUEST_METHOD": scope.get("method", "GET"), "SCRIPT_NAME": "",
        "PATH_INFO": scope["path"].encode().decode("latin-1"), "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_NAME": scope["server"][0], "SERVER_PORT": str(scope["server"][1]),
        "REMOTE_ADDR": scope["client"][0], "REMOTE_PORT": str(scope["client"][1]),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(body), "wsgi.input_terminated": True, "wsgi.errors": sys.stderr,
        "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"
        value = raw_value.decode("latin-1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    environ.pop("HTTP_TRANSFER_ENCODING", None)  # the server has de-chunked the body: its length is known
    if body or "CONTENT_LENGTH" in environ:
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def run_app(app: Callable, environ: dict) -> Answer:
    """Call the WSGI app (in a worker thread); a plain body is read here too, a stream or a session is not."""
    said: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
        said["status"], said["headers"] = int(status.split()[0]), headers
    body = app(environ, start_response)
    if not (hasattr(body, "__aiter__") or hasattr(body, "converse")):
        body = [read_all(body)]  # in this same job: one trip to a worker thread per request, not one per chunk
    return Answer(said["status"], [(k.encode("latin-1"), v.encode("latin-1")) for k, v in said["headers"]], body)


async def read_body(receive, limit: int) -> tuple[bytes, bool]:
    """The request body, up to ``limit + 1`` bytes, and whether that was all of it."""
    body = bytearray()
    while len(body) <= limit:
        message = await receive()
        body += message.get("body", b"")
        if message["type"] == "http.disconnect" or not message.get("more_body"):
            return bytes(body), True
    return bytes(body), False


async def until_disconnect(receive, cut_off: Callable[[], None]) -> None:
    """Read (and drop) whatever the client still sends, until the request is over; past DRAIN_BYTES, ``cut_off()``."""
    drained = 0
    while (message := await receive())["type"] != "http.disconnect":
        drained += len(message.get("body", b""))
        if drained > DRAIN_BYTES:
            cut_off()  # the connection closes, so what is left arrives at once, then http.disconnect


def framed_twice(headers: list[tuple[bytes, bytes]]) -> bool:
    """Both Content-Length and Transfer-Encoding: a smuggling attempt, RFC 9112 section 6.3 says; close after answering."""
    names = {name.lower() for name, _ in headers}
    return b"content-length" in names and b"transfer-encoding" in names


def error_start(status: int, code: str, message: str) -> list[dict]:
    """ASGI messages for an error envelope the server answers itself, closing the connection."""
    body = json.dumps(error(code, message)).encode()
    headers = [(b"Content-Type", b"application/json"), (b"Content-Length", str(len(body)).encode()),
               (b"Connection", b"close")]
    return [{"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body}]


class WsgiBridge:
    """ASGI application serving ``wsgi_app`` from worker threads; streams and WebSockets stay on the loop."""

    def __init__(self, wsgi_app: Callable, workers: concurrent.futures.Executor, max_body: int,
                 streaming: str = "async", drop: Callable[[tuple], None] = lambda client: None):
        if streaming not in STREAMING_MODES:
            raise ValueError(f"streaming must be one of {STREAMING_MODES}, not {streaming!r}")
        self.app, self.workers, self.max_body, self.streaming, self.drop = wsgi_app, workers, max_body, streaming, drop
        self.on_loop = 0                                  # SSE responses and WebSockets the loop serves now
        self.waiting: set[asyncio.Task] = set()           # requests waiting for a client (cancelled on close)
        self.requests: set[asyncio.Task] = set()          # every request in progress
        self.jobs: set[concurrent.futures.Future] = set()  # work handed to the worker threads
        self.thread_bodies: set = set()                   # bodies a worker iterates (threads mode)
        self.closing = False                              # close() has begun: no worker starts a stream now

    @property
    def streams(self) -> int:
        """SSE responses and WebSockets open right now (on the loop, or each holding a worker thread)."""
        return self.on_loop + len(self.thread_bodies)

    async def __call__(self, scope, receive, send) -> None:
        task = asyncio.current_task()
        self.requests.add(task)
        try:
            if scope["type"] == "http":
                await self.http(scope, receive, send)
            elif scope["type"] == "websocket":
                await self.websocket(scope, receive, send)
        finally:
            self.requests.discard(task)

    async def in_thread(self, fn: Callable, *args) -> Any:
        """``fn(*args)`` in a worker thread, awaited without blocking the loop."""
        job = self.workers.submit(fn, *args)
        self.jobs.add(job)
        job.add_done_callback(self.jobs.discard)
        return await asyncio.wrap_future(job)

    async def while_waiting(self, awaitable):
        """Await a client (its body, its stream, its frames): ``close()`` may cancel this, and only this."""
        task = asyncio.current_task()
        self.waiting.add(task)
        try:
            return await awaitable
        finally:
            self.waiting.discard(task)

    async def http(self, scope, receive, send) -> None:
        async def read_in_time():  # asyncio.timeout, not wait_for, which on 3.11 can swallow close()'s cancel
            async with asyncio.timeout(BODY_SECONDS):
                return await read_body(receive, self.max_body)
        try:
            body, whole = await self.while_waiting(read_in_time())
        except TimeoutError:
            for message in error_start(408, "REQUEST_TIMEOUT", f"The body did not arrive within {BODY_SECONDS:g} s."):
                await send(message)
            return
        except asyncio.CancelledError:  # the server is stopping
            for message in error_start(503, "SERVICE_UNAVAILABLE", "The server is shutting down."):
                await send(message)
            raise
        # Whatever the client still sends (a body over the limit, or nothing) is read and dropped, so the
        # connection never stalls; the end of the request shows up here too, as http.disconnect.
        leaving = asyncio.ensure_future(until_disconnect(receive, lambda: self.drop(scope["client"])))
        try:
            await self.respond(scope, wsgi_environ(scope, body), whole, send, leaving)
        finally:
            leaving.cancel()

    async def respond(self, scope, environ, whole: bool, send, leaving: asyncio.Future) -> None:
        try:
            answer = await self.in_thread(run_app, self.app, environ)
        except ConnectionResetError:  # faults.py: the work is done and the answer is to be lost
            self.drop(scope["client"])
            return
        if not whole or framed_twice(scope["headers"]):  # answer, then close: nothing more is read from this client
            answer.headers.append((b"Connection", b"close"))
        start = {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
        if isinstance(answer.body, list):  # read already: the loop sends it
            await send(start)
            await send({"type": "http.response.body", "body": answer.body[0]})
            return
        if self.streaming == "async":
            await self.stream(start, answer.body, send, leaving)
        else:
            gone = threading.Event()
            leaving.add_done_callback(lambda _: gone.set())
            await self.in_thread(self.write, asyncio.get_running_loop(), send, start, answer.body, gone)
        if not leaving.done():  # a client that left gets nothing more
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def stream(self, start: dict, body, send, leaving: asyncio.Future) -> None:
        """Send an async body as it comes, until it ends, the client leaves, or the server stops."""
        async def pump():
            await send(start)
            async for chunk in body:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        self.on_loop += 1  # counted before the client can see its 200
        pumping = asyncio.ensure_future(pump())
        try:
            await self.while_waiting(asyncio.wait({pumping, leaving}, return_when=asyncio.FIRST_COMPLETED))
        finally:
            self.on_loop -= 1
            pumping.cancel()
            body.close()

    def write(self, loop, send, start: dict, body, gone: threading.Event) -> None:
        """In a worker thread: iterate a stream and hand each chunk to the loop (how a threaded server streams)."""
        def deliver(message: dict) -> bool:
            if gone.is_set() or self.closing:  # a stopping loop would never take the chunk: don't wait SEND_SECONDS
                return False
            try:
                asyncio.run_coroutine_threadsafe(send(message), loop).result(SEND_SECONDS)
                return True
            except (RuntimeError, TimeoutError, concurrent.futures.CancelledError):  # the loop or connection is gone
                gone.set()
                return False
        self.thread_bodies.add(body)  # set.add is atomic: the loop reads this set from its own thread
        try:
            # Checked after the add: close() sets ``closing`` before it closes thread_bodies, so a stream that
            # a worker picks up from the queue while the server stops is either closed there or never started.
            if not self.closing and deliver(start):
                for chunk in body:
                    if chunk and not deliver({"type": "http.response.body", "body": chunk, "more_body": True}):
                        break
        finally:
            self.thread_bodies.discard(body)
            getattr(body, "close", lambda: None)()

    async def websocket(self, scope, receive, send) -> None:
        """The handshake goes through the app like any request; a ``ChatSession`` answer means: accept and talk."""
        await receive()  # websocket.connect
        environ = {**wsgi_environ(scope, b""), TAKES_OVER: True}
        answer = await self.in_thread(run_app, self.app, environ)
        if isinstance(answer.body, list):  # a refusal (401, 403, 404...) as a plain HTTP response
            await send({"type": "websocket.http.response.start", "status": answer.status, "headers": answer.headers})
            await send({"type": "websocket.http.response.body", "body": answer.body[0]})
            return
        async def send_json(obj) -> None:
            await send({"type": "websocket.send", "text": json.dumps(obj)})
        self.on_loop += 1  # counted before the client can see its 101, as a stream is before its 200
        try:
            await send({"type": "websocket.accept"})
            await self.while_waiting(answer.body.converse(frames(receive), send_json, self.in_thread))
        except asyncio.CancelledError:
            await send({"type": "websocket.close", "code": 1001})  # 1001 Going Away: the server is stopping
            raise
        finally:
            self.on_loop -= 1

    async def close(self) -> None:
        """Stop streams, sockets and waits for clients at once; give requests in flight a moment to finish."""
        self.closing = True
        for body in list(self.thread_bodies):
            body.close()  # a worker iterating a stream wakes up and returns
        for task in list(self.waiting):
            task.cancel()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_SECONDS
        while (self.requests or any(not job.done() for job in self.jobs)) and loop.time() < deadline:
            await asyncio.sleep(0.01)


def read_all(body) -> bytes:
    """A finite WSGI body as bytes, closed afterwards as PEP 3333 asks."""
    try:
        return b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()


async def frames(receive):
    """The client's WebSocket messages as text (or bytes), until it disconnects."""
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        yield message.get("text") if message.get("text") is not None else message.get("bytes", b"")
