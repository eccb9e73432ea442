"""Let cheroot hand a connection over to a WebSocket (the HTTP/1.1 ``Upgrade`` mechanism, RFC 6455 section 4).

cheroot is a plain WSGI server: it never exposes the socket, and after the app returns
it writes a response and keeps the connection for the next request. flask-sock (through
simple-websocket) needs the raw socket to answer ``101 Switching Protocols`` and then
speak WebSocket frames. ``UpgradeGateway`` puts the socket in the environ under the key
simple-websocket looks for (Werkzeug's ``werkzeug.socket``), and if the app used it,
writes nothing more and closes the connection when the WebSocket session ends.
"""

from __future__ import annotations

import socket

from cheroot import wsgi


class HandedOver:
    """The connection's socket, remembering whether anyone touched it (i.e. took the connection over)."""

    def __init__(self, sock):
        self._sock = sock
        self.used = False

    def __getattr__(self, name):
        self.used = True
        return getattr(self._sock, name)

    def close(self) -> None:
        """End the conversation (TCP FIN) but leave the file descriptor to cheroot, which closes it exactly once."""
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the peer went first


class UpgradeGateway(wsgi.Gateway_10):
    """cheroot's WSGI gateway, plus the socket for requests that ask to upgrade to WebSocket."""

    def get_environ(self):
        env = super().get_environ()
        self.socket = None
        if env.get("HTTP_UPGRADE", "").lower() == "websocket":
            env["werkzeug.socket"] = self.socket = HandedOver(self.req.conn.socket)
        return env

    def respond(self):
        if self.socket is None:
            return super().respond()
        timeout = self.req.conn.socket.gettimeout()
        self.req.conn.socket.settimeout(None)  # a chat socket may sit idle longer than an HTTP request may
        response = self.req.server.wsgi_app(self.env, self.start_response)
        if not self.socket.used:  # not a WebSocket route after all (a 401, 404...): answer as usual
            self.req.conn.socket.settimeout(timeout)
            return self.write_all(response)
        if hasattr(response, "close"):
            response.close()
        self.req.sent_headers = True  # the 101 and the frames went out on the socket directly
        self.req.close_connection = True

    def write_all(self, response):
        """What ``Gateway.respond`` does with a response: write every chunk, then close it."""
        try:
            for chunk in filter(None, response):
                self.write(chunk)
        finally:
            self.req.ensure_headers_sent()
            if hasattr(response, "close"):
                response.close()
