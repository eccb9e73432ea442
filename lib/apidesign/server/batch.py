"""Batch send: ``POST /v1/channels/{id}/messages:batchCreate`` creates several messages in one call.

The ``:batchCreate`` suffix is a custom method in Google's API style (AIP-136, AIP-233): the
collection stays ``messages``, and the colon marks an action on it rather than a new resource.

Items succeed or fail independently, so the answer is ``207 Multi-Status`` (RFC 4918
section 11.1) with one entry per item, in request order: its own ``status`` and either
``data`` (the message) or ``error`` (the usual error envelope's contents). The client
retries only the failed items. A request that is wrong as a whole (not a member,
not JSON, no ``messages`` list) still gets a plain 4xx.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..envelope import error_from, success
from ..errors import ApiError, InvalidInput, field_issue
from ..idempotency import idempotent
from .auth import current_user
from .channels import require_member
from .messages import MAX_CONTENT, MESSAGE_TYPES, message_json
from .services import services
from .validation import Fields, json_object

bp = Blueprint("batch", __name__)

MAX_ITEMS = 100


def batch_items() -> list[Any]:
    """The ``messages`` list of the body (1 to ``MAX_ITEMS`` items), or a 400 for the whole request."""
    fields = Fields(json_object(), allowed=("messages",))
    items = fields.body.get("messages")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        fields.problem("messages", "must_be_list", min=1, max=MAX_ITEMS)
    fields.done()
    return items


def send_one(channel_id: str, user: str, item: Any) -> dict[str, Any]:
    """Validate and store one item; its per-item result (status plus data or error)."""
    try:
        if not isinstance(item, dict):
            raise InvalidInput("Each item must be a JSON object.", details=[field_issue("(item)", "not_an_object")])
        fields = Fields(item, allowed=("content", "type"))
        content = fields.string("content", max_len=MAX_CONTENT)
        type_ = fields.choice("type", MESSAGE_TYPES, default="text")
        fields.done()
    except ApiError as exc:
        return {"status": exc.status, **error_from(exc)}
    svc = services()
    row = svc.repo.add_message(svc.ids.new("msg"), channel_id, user, content, type_, svc.now_ms())
    return {"status": 201, "data": message_json(row)}


@bp.post("/v1/channels/<channel_id>/messages:batchCreate")
@idempotent
def send_batch(channel_id: str):
    user = current_user()
    require_member(channel_id, user)
    results = [{"index": i, **send_one(channel_id, user, item)} for i, item in enumerate(batch_items())]
    ok = sum(r["status"] < 400 for r in results)
    return success(results, {"succeeded": ok, "failed": len(results) - ok}), 207
