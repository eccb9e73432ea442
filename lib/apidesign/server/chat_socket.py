"""The chat WebSocket: ``GET /v1/channels/{id}/socket`` upgrades to a full-duplex connection.

Client -> server: ``{"content": "hi", "type": "text"}`` sends a message (same rules as POST).
Server -> client: ``{"id": 7, "event": "message.created", "data": {...message...}}`` for every
new message in the channel, whoever sent it (over the socket or over REST), including the
sender's own (its confirmation); ``{"error": {...}}`` for a frame that broke a rule.
Authentication and membership are checked before the upgrade, so a stranger gets a plain 401/403.
"""

from __future__ import annotations

import json
import threading

from flask import Blueprint, g, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from ..envelope import error_from
from ..errors import ApiError, InvalidInput, MalformedJson
from .auth import current_principal, current_user, require_scope
from .channels import require_member
from .events import EventBroker, broker, publish_message
from .messages import MAX_CONTENT, MESSAGE_TYPES, message_json
from .services import services
from .validation import Fields

bp = Blueprint("chat_socket", __name__)
sock = Sock()
POLL_SECONDS = 0.5  # how often the forwarding thread checks that the socket is still open


@bp.before_request
def only_members_may_upgrade():
    require_member(request.view_args["channel_id"], current_user())
    g.resume_after = broker().last_id  # before the 101 goes out: nothing published after it is missed


def parse_frame(text: str) -> tuple[str, str]:
    """(content, type) from a client frame, or the same 400 errors the REST endpoint gives."""
    try:
        body = json.loads(text)
    except (TypeError, ValueError):
        raise MalformedJson("The frame is not valid JSON.") from None
    if not isinstance(body, dict):
        raise InvalidInput("A frame must be a JSON object like {\"content\": \"hi\"}.")
    fields = Fields(body, allowed=("content", "type"))
    content = fields.string("content", max_len=MAX_CONTENT)
    type_ = fields.choice("type", MESSAGE_TYPES, default="text")
    fields.done()
    return content, type_


def forward(ws, events: EventBroker, channel_id: str, last_id: int, send, stop: threading.Event) -> None:
    """Push every new event of the channel to this socket until it closes."""
    try:
        while ws.connected and not stop.is_set() and not events.closed:
            for event in events.wait(channel_id, last_id, POLL_SECONDS):
                send(event.frame())
                last_id = event.id
    except ConnectionClosed:
        pass  # the client left between the check and the send: nobody is left to deliver to


def chat_socket(ws, channel_id: str):
    """One client's chat session: its frames become messages; the channel's events go out to it."""
    user, svc, events = current_user(), services(), broker()
    lock, stop = threading.Lock(), threading.Event()

    def send(obj) -> None:
        with lock:  # the forwarder and this loop both write: one frame at a time
            ws.send(json.dumps(obj))

    pusher = threading.Thread(target=forward, args=(ws, events, channel_id, g.resume_after, send, stop), daemon=True)
    pusher.start()
    try:
        while ws.connected:
            text = ws.receive(timeout=POLL_SECONDS)
            if text is None:
                continue
            try:
                require_scope(current_principal(), "messages:write")  # a read-only token may listen, not send
                content, type_ = parse_frame(text)
            except ApiError as exc:
                send(error_from(exc))
                continue
            row = svc.repo.add_message(svc.ids.new("msg"), channel_id, user, content, type_, svc.now_ms())
            publish_message(message_json(row))
    finally:
        stop.set()
        pusher.join(timeout=2 * POLL_SECONDS)


# flask-sock's decorator returns None, so register explicitly and keep the function importable by name.
sock.route("/v1/channels/<channel_id>/socket", bp=bp)(chat_socket)
