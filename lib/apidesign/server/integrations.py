"""Server-to-server routes: a user manages API keys for an integration; the integration posts with ``X-API-Key``.

    POST   /v1/api-keys                      create a key (shown once), scoped to what the user may do
    POST   /v1/api-keys/{key_id}/rotate      a second active key with the same scopes
    DELETE /v1/api-keys/{key_id}             revoke at once
    POST   /v1/hooks/channels/{id}/messages  an incoming webhook: the key posts as its owner
"""

from __future__ import annotations

from flask import Blueprint

from ..apikeys import InvalidApiKey, TooManyActiveKeys
from ..envelope import success
from ..errors import Conflict, Forbidden, NotFound
from . import conditional
from .auth import current_principal, current_service, current_user
from .channels import require_member
from .messages import MESSAGE_TYPES, MAX_CONTENT, add_message, message_json
from .oauth_routes import state
from .validation import Fields, json_object

bp = Blueprint("integrations", __name__)
KEY_SCOPES = ("messages:write", "messages:read")


def key_json(record, key: str | None = None) -> dict:
    body = {"keyId": record.key_id, "owner": record.owner, "scopes": list(record.scopes), "prefix": record.prefix}
    return {**body, "key": key} if key else body


def own_key(key_id: str):
    """The caller's own key record, or 404 (other people's keys do not exist, as far as you can tell)."""
    caller = current_user()  # first: a stranger gets a 401, never a hint about which key IDs exist
    try:
        record = state().api_keys.record(key_id)
    except InvalidApiKey:
        raise NotFound(f"API key '{key_id}' does not exist.") from None
    if record.owner != caller:
        raise NotFound(f"API key '{key_id}' does not exist.")
    return record


@bp.post("/v1/api-keys")
def create_key():
    user = current_user()
    conditional.check_preconditions(conditional.NO_REPRESENTATION)  # before the body (RFC 9110 section 13.2.1)
    fields = Fields(json_object(), allowed=("scopes",))
    scopes = fields.string_list("scopes")
    for s in sorted(set(scopes) - set(KEY_SCOPES)):
        fields.problem("scopes", "unknown_scope", value=s)
    if len(set(scopes)) < len(scopes):
        fields.problem("scopes", "duplicate_items")
    fields.done()
    held = current_principal().scopes
    if not set(scopes) <= held:  # a key can never do more than the user who made it
        raise Forbidden("You cannot grant a key scopes your own token lacks.")
    return new_key(lambda: state().api_keys.issue(user, tuple(scopes)))


@bp.post("/v1/api-keys/<key_id>/rotate")
def rotate_key(key_id: str):
    own_key(key_id)
    conditional.check_preconditions(conditional.NO_REPRESENTATION)
    return new_key(lambda: state().api_keys.rotate(key_id))


def new_key(make):
    """201 with the key ``make()`` issues, shown this once and never cached; 409 if its owner has too many."""
    try:
        key, record = make()
    except TooManyActiveKeys as exc:
        raise Conflict(str(exc)) from None
    return success(key_json(record, key)), 201, {"Cache-Control": "no-store"}


@bp.delete("/v1/api-keys/<key_id>")
def revoke_key(key_id: str):
    own_key(key_id)
    conditional.check_preconditions(conditional.NO_REPRESENTATION)
    state().api_keys.revoke(key_id)
    return "", 204


@bp.post("/v1/hooks/channels/<channel_id>/messages")
def incoming_webhook(channel_id: str):
    service = current_service("messages:write")
    require_member(channel_id, service.owner)
    conditional.check_preconditions(conditional.NO_REPRESENTATION)  # before the body (RFC 9110 section 13.2.1)
    fields = Fields(json_object(), allowed=("content", "type"))
    content = fields.string("content", max_len=MAX_CONTENT)
    type_ = fields.choice("type", MESSAGE_TYPES, default="text")
    fields.done()
    row = add_message(channel_id, service.owner, content, type_)
    return success(message_json(row)), 201, {"Location": f"/v1/messages/{row['id']}"}
