"""Messages: send to a channel, read history, fetch one, delete one."""

from __future__ import annotations

import sqlite3

from flask import Blueprint

from ..envelope import success
from ..errors import Forbidden, NotFound
from ..idempotency import idempotent
from . import conditional
from .auth import current_user
from .channels import require_member
from .db import iso8601
from .events import publish_message
from .paging import fetch_page, page_links
from .services import services
from .validation import Fields, json_object

bp = Blueprint("messages", __name__)

MESSAGE_TYPES = ("text", "markdown")
MAX_CONTENT = 4000


def message_json(row: sqlite3.Row) -> dict:
    """The public (v1) shape of a message, as in the syllabus's sketch."""
    return {"messageId": row["id"], "channelId": row["channel_id"], "senderId": row["sender_id"],
            "content": row["content"], "type": row["type"], "createdAt": iso8601(row["created_at"])}


def add_message(channel_id: str, sender: str, content: str, type_: str) -> sqlite3.Row:
    """Store a new message and announce it (SSE, WebSocket and webhook listeners): every route that sends uses this."""
    svc = services()
    row = svc.repo.add_message(svc.ids.new("msg"), channel_id, sender, content, type_, svc.now_ms())
    publish_message(message_json(row))
    return row


def load_message(message_id: str) -> sqlite3.Row:
    """The message row, or 404."""
    row = services().repo.message(message_id)
    if row is None:
        raise NotFound(f"Message '{message_id}' does not exist.")
    return row


def message_list(rows) -> list[dict]:
    """A page of history in v1's shape (v2's is ``versions.render_v2``)."""
    return [message_json(r) for r in rows]


@bp.post("/v1/channels/<channel_id>/messages")
@idempotent
def send_message(channel_id: str, render_page=message_list):
    """Send; a received If-Match / If-None-Match is checked against the history page this URL shows (v1's or
    v2's ``render_page``) before the body is read, in one transaction with the insert: "only if that page is
    unchanged"."""
    user = current_user()
    require_member(channel_id, user)
    if not conditional.received():
        return sent(channel_id, user)
    with services().db.transaction():
        page, meta = fetch_page(channel_id)
        conditional.check_preconditions(success(render_page(page.rows), meta), creating=True)
        return sent(channel_id, user)


def sent(channel_id: str, user: str):
    """Read the message from the body, store it: the 201 of a send."""
    fields = Fields(json_object(), allowed=("content", "type"))
    content = fields.string("content", max_len=MAX_CONTENT)
    type_ = fields.choice("type", MESSAGE_TYPES, default="text")
    fields.done()
    row = add_message(channel_id, user, content, type_)
    body = success(message_json(row))
    return body, 201, {"Location": f"/v1/messages/{row['id']}", **conditional.etag_header(body)}


@bp.get("/v1/channels/<channel_id>/messages")
def list_messages(channel_id: str):
    """History, newest first by default: ``?cursor=&limit=`` (or ``?offset=``), see ``paging``."""
    require_member(channel_id, current_user())
    page, meta = fetch_page(channel_id)
    return conditional.represent(success(message_list(page.rows), meta), headers=page_links(page))



def readable_message(message_id: str) -> sqlite3.Row:
    """The message row if the caller may read it: 401 first (existing or not), then 404, then 403 for non-members."""
    user = current_user()  # before the lookup: without credentials, a 401 whether or not the message exists
    row = load_message(message_id)
    require_member(row["channel_id"], user)
    return row


@bp.get("/v1/messages/<message_id>")
def get_message(message_id: str):
    return conditional.represent(success(message_json(readable_message(message_id))))


@bp.delete("/v1/messages/<message_id>")
def delete_message(message_id: str, render=message_json):
    """Delete if you sent it; ``If-Match`` is checked against the ``render``-ed representation (v1's or v2's)."""
    user = current_user()
    row = load_message(message_id)
    require_member(row["channel_id"], user)
    if row["sender_id"] != user:
        raise Forbidden("Only the sender can delete a message.")
    with services().db.transaction():  # the precondition and the delete as one step
        conditional.check_preconditions(success(render(load_message(message_id))))
        services().repo.delete_message(message_id)
    return "", 204
