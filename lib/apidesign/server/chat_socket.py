"""The chat WebSocket: ``GET /v1/channels/{id}/socket`` upgrades to a full-duplex connection.

Client -> server: ``{"content": "hi", "type": "text"}`` sends a message (same rules as POST).
Server -> client: ``{"id": 7, "event": "message.created", "data": {...message...}}`` for every
new message in the channel, whoever sent it (over the socket or over REST), including the
sender's own (its confirmation); ``{"error": {...}}`` for a frame that broke a rule.
Authentication and membership are checked before the upgrade, so a stranger gets a plain 401/403.

The Flask view only decides *whether* to upgrade; it answers with a ``ChatSession``, and the
server (``serve()``) accepts the WebSocket and runs the session's ``converse`` on its event loop:
an open socket costs a coroutine, not a thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable

from flask import Blueprint, Response, g, request

from ..envelope import NONCHARACTER, error, error_from
from ..errors import ApiError, InvalidInput, MalformedJson, ServiceUnavailable, field_issue
from .auth import Principal, current_principal, current_user, require_scope
from .bodies import is_not_utf8
from .channels import require_member
from .events import EventBroker, broker
from .messages import MAX_CONTENT, MESSAGE_TYPES, message_json
from .services import Services, services
from .validation import Fields

bp = Blueprint("chat_socket", __name__)
WAKE_SECONDS = 15.0  # the forwarder's longest sleep; it wakes at once for news or a closed socket
TAKES_OVER = "apidesign.websocket"  # environ key: the server can take the connection over for a session
log = logging.getLogger(__name__)


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
    except RecursionError:  # the parser recurses once per level: [[[[...]]]] 1,000 deep exhausts the stack
        raise InvalidInput("The frame nests JSON too deeply.") from None
    if not isinstance(body, dict):
        raise InvalidInput("A frame must be a JSON object like {\"content\": \"hi\"}.")
    fields = Fields(body, allowed=("content", "type"))
    content = fields.string("content", max_len=MAX_CONTENT)
    type_ = fields.choice("type", MESSAGE_TYPES, default="text")
    fields.done()
    if is_not_utf8(content) or NONCHARACTER.search(content):  # as on REST: I-JSON, RFC 7493 section 2.1
        raise InvalidInput("content must be Unicode text: no lone surrogate (\\ud800), no noncharacter (\\ufffe).",
                           details=[field_issue("content",
                                                "lone_surrogate" if is_not_utf8(content) else "noncharacter")])
    return content, type_


class ChatSession:
    """One client's chat over a WebSocket: its frames become messages; the channel's events go out to it."""

    def __init__(self, svc: Services, events: EventBroker, channel_id: str, user: str, principal: Principal,
                 resume_after: int):
        self.svc, self.events, self.channel_id = svc, events, channel_id
        self.user, self.principal, self.resume_after = user, principal, resume_after

    def answer(self, text: str) -> dict[str, Any] | None:
        """What a client frame does: a new message (announced to everyone, so no reply), or an error frame."""
        try:
            require_scope(self.principal, "messages:write")  # a read-only token may listen, not send
            content, type_ = parse_frame(text)
        except ApiError as exc:
            return error_from(exc)
        svc = self.svc
        row = svc.repo.add_message(svc.ids.new("msg"), self.channel_id, self.user, content, type_, svc.now_ms())
        self.events.publish(self.channel_id, "message.created", message_json(row))
        return None

    async def forward(self, send: Callable[[dict], Awaitable[None]]) -> None:
        """Push every new event of the channel to the client, until the broker closes or the task is cancelled."""
        last_id = self.resume_after
        while not self.events.closed:
            for event in await self.events.wait_async(self.channel_id, last_id, WAKE_SECONDS):
                await send(event.frame())
                last_id = event.id

    async def converse(self, frames, send: Callable[[dict], Awaitable[None]], in_thread) -> None:
        """Run the session: ``frames`` yields the client's text frames, ``in_thread`` runs blocking work off the loop."""
        forwarder = asyncio.ensure_future(self.forward(send))
        try:
            async for text in frames:
                reply = await in_thread(self.safe_answer, text)
                if reply is not None:
                    await send(reply)
        finally:
            forwarder.cancel()

    def safe_answer(self, text: str) -> dict[str, Any] | None:
        """``answer``, with a bug becoming an INTERNAL error frame (as a 500 would over HTTP), not a dropped socket."""
        try:
            return self.answer(text)
        except Exception:  # the same contract as app.py's last-resort handler: log it, tell the client nothing more
            log.exception("unhandled error on a chat frame in %s", self.channel_id)
            return error("INTERNAL", "Something went wrong on our side. Try again later.")


@bp.get("/v1/channels/<channel_id>/socket", websocket=True)
def chat_socket(channel_id: str):
    """Agree to the upgrade: hand the server a ``ChatSession`` for this user and channel."""
    if not request.environ.get(TAKES_OVER):
        raise ServiceUnavailable("This server cannot hold WebSocket connections; use serve().")
    session = ChatSession(services(), broker(), channel_id, current_user(), current_principal(), g.resume_after)
    return Response(session, direct_passthrough=True)  # the server finds the session itself, not a body
