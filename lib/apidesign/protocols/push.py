"""HTTP/2 server push, and the 103 Early Hints that replaced it, against a real hypercorn server.

Server push (RFC 9113 section 8.4) lets a server send a response the client never asked for:
a PUSH_PROMISE frame names the request, and the pushed response follows. A client switches it
off with ``SETTINGS_ENABLE_PUSH = 0`` (section 6.5.2), and then a server MUST NOT push. Clients
may refuse, and the major ones now do: Chrome since Chrome 106 (Chrome for Developers blog,
"Removing HTTP/2 Server Push from Chrome", 2022), Firefox since Firefox 132 (2024), and httpx's
HTTP/2 stack (httpcore) sends ``ENABLE_PUSH = 0`` on every connection. What replaced it is ``103 Early Hints`` (RFC 8297,
Experimental): an interim response carrying ``Link: <...>; rel=preload`` while the real one is
being prepared, so the *client* fetches what it needs, from its cache if it has it.

``PageApp`` is an ASGI app whose ``/page`` tries both: it asks the server to push
``/style.css`` (hypercorn's ``http.response.push`` extension) and sends an early hint for it
(``http.response.early_hint``). ``get_page`` shows which of the two reaches a client.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import h2.config
import h2.connection
import h2.events
import h2.settings

STYLE = b"body { font-family: sans-serif }"
HINT = b"</style.css>; rel=preload; as=style"


class PageApp:
    """ASGI app: ``/page`` pushes ``/style.css`` and hints at it with a 103 before answering; ``/style.css``."""

    def __init__(self):
        self.served: list[str] = []  # every path answered, pushed ones included

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return  # lifespan events: nothing to set up
        self.served.append(scope["path"])
        if scope["path"] == "/page":
            extensions = scope.get("extensions", {})
            if "http.response.early_hint" in extensions:
                await send({"type": "http.response.early_hint", "links": [HINT]})
            if "http.response.push" in extensions:
                await send({"type": "http.response.push", "path": "/style.css", "headers": []})
            body = b'<link rel="stylesheet" href="/style.css"><p>Hello</p>'
        else:
            body = STYLE
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


@dataclass(frozen=True)
class Page:
    """What a client received for ``GET /page``: each response head in order (interim ones too), and any pushes."""

    heads: tuple[str, ...]
    pushed: tuple[str, ...]


def get_page(port: int, enable_push: bool) -> Page:
    """GET /page over h2c, announcing ``SETTINGS_ENABLE_PUSH`` on or off in the client's first SETTINGS frame."""
    h2c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    h2c.local_settings = h2.settings.Settings(client=True, initial_values={
        h2.settings.SettingCodes.ENABLE_PUSH: int(enable_push)})
    h2c.initiate_connection()
    h2c.send_headers(1, [(":method", "GET"), (":scheme", "http"), (":authority", "127.0.0.1"), (":path", "/page")],
                     end_stream=True)
    heads, pushed, open_streams = [], [], {1}
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(h2c.data_to_send())
        while open_streams:
            data = sock.recv(65536)  # at most 5 s of silence: then socket.timeout
            if not data:
                raise ConnectionError(f"the server closed the connection with streams {sorted(open_streams)} "
                                      "still open, before answering /page")
            for event in h2c.receive_data(data):
                if isinstance(event, h2.events.PushedStreamReceived):
                    pushed.append(dict(event.headers)[b":path"].decode())
                    open_streams.add(event.pushed_stream_id)
                elif isinstance(event, (h2.events.InformationalResponseReceived, h2.events.ResponseReceived)):
                    if event.stream_id == 1:
                        fields = dict(event.headers)
                        heads.append(" ".join(v.decode() for v in (fields[b":status"], fields.get(b"link", b""))))
                elif isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)):
                    open_streams.discard(event.stream_id)
            sock.sendall(h2c.data_to_send())
    return Page(tuple(h.strip() for h in heads), tuple(pushed))
