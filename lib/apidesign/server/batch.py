"""Batch send: ``POST /v1/channels/{id}/messages:batchCreate`` creates several messages in one call.

The URL follows Google's API style: a colon marks a custom method, an action on the
``messages`` collection rather than a new resource (AIP-136), and ``:batchCreate`` is the
name AIP-233 gives batch creation. AIP-233 *requires* a batch create to be atomic (all
items or none); this endpoint deliberately is not, so that one bad message does not
block ninety-nine good ones.

Items succeed or fail independently. Partial success borrows WebDAV's ``207 Multi-Status``
(RFC 4918 section 11.1; its section 13 defines an XML body, here it is JSON): one entry
per item, in request order, with its own ``status`` and either ``data`` (the message) or
``error`` (the usual error envelope's contents). The client retries only the failed items.

If no item succeeded, nothing was created, and a 2xx would tell a client that reads only
the status that it worked. So an all-failed batch is an error: the one error envelope,
``BATCH_FAILED``, with the items' shared status (400 if they differ) and each item's
``index``, ``status`` and ``error`` in ``details``. Being a 4xx, it also leaves an
``Idempotency-Key`` unused, so the corrected batch can be sent with the same key.
A request that is wrong as a whole (not a member, not JSON, no ``messages`` list) is
the plain 4xx it always was.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..envelope import error_from, success
from ..errors import ApiError, InvalidInput, field_issue
from ..idempotency import idempotent
from . import conditional
from .auth import current_user
from .channels import require_member
from .messages import MAX_CONTENT, MESSAGE_TYPES, add_message, message_json
from .validation import Fields, json_object

bp = Blueprint("batch", __name__)

MAX_ITEMS = 100


class BatchFailed(ApiError):
    """Every item of a batch failed, so nothing was created (207 is kept for partial success, RFC 4918 section 11.1)."""

    status, code = 400, "BATCH_FAILED"


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
    row = add_message(channel_id, user, content, type_)
    return {"status": 201, "data": message_json(row)}


@bp.post("/v1/channels/<channel_id>/messages:batchCreate")
@idempotent
def send_batch(channel_id: str):
    user = current_user()
    require_member(channel_id, user)
    conditional.check_preconditions(conditional.NO_REPRESENTATION)  # no GET here: If-Match is false (before the body)
    items = batch_items()
    results = [{"index": i, **send_one(channel_id, user, item)} for i, item in enumerate(items)]
    ok = sum(r["status"] < 400 for r in results)
    if ok == 0:
        raise every_item_failed(results)
    return success(results, {"succeeded": ok, "failed": len(results) - ok}), 207


def every_item_failed(results: list[dict[str, Any]]) -> BatchFailed:
    """The error for a batch with no success: the items' status if they all share one, else 400."""
    statuses = {r["status"] for r in results}
    status = statuses.pop() if len(statuses) == 1 else 400
    return BatchFailed(f"No message was created: all {len(results)} items failed (see details).", status=status,
                       details=[{"index": r["index"], "status": r["status"], "error": r["error"]} for r in results])
