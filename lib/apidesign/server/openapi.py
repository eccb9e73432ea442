"""The reference API's contract: an OpenAPI 3.1 document built from the app's own route table.

Paths and methods come from Flask's URL map, so the document cannot drift from the code:
``openapi_document`` raises ``UndocumentedRoute`` for a ``/v1`` route that has no entry in
``OPERATIONS``, and ``StaleOperation`` for an entry whose route is gone. What each route
accepts and returns is written once, below, and the limits in the schemas are the very
constants the handlers enforce (``NAME_PATTERN``, ``MAX_CONTENT``, ``MAX_ITEMS`` ...).
``tests/test_openapi.py`` runs Schemathesis against a live server to check the responses.

Served at ``GET /v1/openapi.json`` (no credentials needed: a contract is public).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app

from ..errors import ApiDesignError
from .openapi_components import RATE_LIMIT_HEADERS, components, outgoing_webhooks, ref

bp = Blueprint("contract", __name__)

JSON = "application/json"
VERSION = "1.0.0"


class ContractError(ApiDesignError):
    """The OpenAPI document and the app's routes disagree."""


class UndocumentedRoute(ContractError):
    """A ``/v1`` route has no operation in ``OPERATIONS``: document it before shipping it."""


class StaleOperation(ContractError):
    """An operation in ``OPERATIONS`` names an endpoint the app no longer has."""


@dataclass(frozen=True)
class Operation:
    """What one route promises: its summary, input, success answer and the errors peculiar to it."""

    summary: str
    tag: str
    status: int                       # the success status
    returns: str | None = None        # component schema of the success body; None: no body
    body: str | None = None           # component schema of the request body
    params: tuple[str, ...] = ()      # components/parameters beyond the path's own
    errors: tuple[int, ...] = ()      # beyond those implied by credentials, path and body
    security: str = "user"            # "user" (bearer JWT), "key" (X-API-Key), "any" of both, or "none"
    scope: str | None = None          # the OAuth scope a user token needs
    headers: tuple[str, ...] = ()     # response headers on success (components/headers)
    media: str = JSON                 # media type of the success body
    body_media: tuple[str, ...] = (JSON,)  # media types the request body may be sent as
    links: tuple[Link, ...] = ()      # operations the success response leads to (OpenAPI links)
    description: str = ""             # what the summary cannot say in one line
    conditional: str = ""             # "read": ETag + If-None-Match -> 304; "write": If-Match -> 412 (conditional.py)


def user(summary: str, tag: str, status: int, returns: str | None, scope: str | None, **kw: Any) -> Operation:
    """An operation a user calls with a bearer token holding ``scope``."""
    return Operation(summary, tag, status, returns, scope=scope, **kw)


# Where a response's IDs go next: the core flows, as OpenAPI links (and what Schemathesis follows).
# Each link is (operation to call, {its parameter: runtime expression for the value}).
Link = tuple[str, dict[str, str]]


def links_to(targets: str, **params: str) -> tuple[Link, ...]:
    return tuple((target, params) for target in targets.split())


CHANNEL_FLOWS = links_to("get_channel replace_channel update_channel send_message list_messages send_batch "
                         "channel_presence channel_event_stream start_export",
                         channel_id="$response.body#/data/channelId")
# A read's ETag goes back in If-Match: the write that cannot lose someone else's update (conditional.py).
CHANNEL_WRITES = links_to("update_channel replace_channel", channel_id="$request.path.channel_id",
                          **{"If-Match": "$response.header.ETag"})
MESSAGE_WRITES = links_to("delete_message", message_id="$request.path.message_id",
                          **{"If-Match": "$response.header.ETag"})
OPERATION_FLOWS = links_to("get_operation", operation_id="$response.body#/data/operationId")
MESSAGE_FLOWS = links_to("get_message delete_message", message_id="$response.body#/data/messageId")
ENDPOINT_FLOWS = links_to("get_endpoint delete_endpoint", endpoint_id="$response.body#/data/endpointId")
KEY_FLOWS = links_to("rotate_key revoke_key", key_id="$response.body#/data/keyId")
NEXT_PAGE = links_to("list_messages", channel_id="$request.path.channel_id", cursor="$response.body#/meta/nextCursor")
NEXT_CHANNELS = links_to("list_user_channels", user_id="$request.path.user_id", cursor="$response.body#/meta/nextCursor")

OPERATIONS: dict[str, Operation] = {
    "channels.create_channel": user("Create a channel", "channels", 201, "Channel", "channels:write",
                                    body="ChannelInput", errors=(409,), headers=("Location", "ETag"),
                                    links=CHANNEL_FLOWS),
    "channels.get_channel": user("Get a channel you belong to", "channels", 200, "Channel", "channels:read",
                                 links=CHANNEL_WRITES, conditional="read"),
    "channels.replace_channel": user("Replace a channel (fields left out fall back to defaults)", "channels", 200,
                                     "Channel", "channels:write", body="ChannelInput", errors=(409,),
                                     conditional="write"),
    "channels.update_channel": user("Change some fields of a channel (JSON Merge Patch, RFC 7396)", "channels", 200,
                                    "Channel", "channels:write", body="ChannelPatch", errors=(409,),
                                    headers=("ETag", "ContentLocation"), conditional="write",
                                    body_media=("application/merge-patch+json", JSON)),
    "channels.list_user_channels": user("List your channels, a page at a time", "channels", 200, "ChannelList",
                                        "channels:read", params=("cursor", "limit"), headers=("Link",),
                                        links=NEXT_CHANNELS, conditional="read"),
    "messages.send_message": user("Send a message", "messages", 201, "Message", "messages:write",
                                  body="MessageInput", params=("IdempotencyKey",), errors=(409, 422),
                                  headers=("Location", "IdempotentReplayed", "ETag"), links=MESSAGE_FLOWS,
                                  conditional="write"),
    "messages.list_messages": user("Read a channel's history, a page at a time", "messages", 200, "MessagePage",
                                   "messages:read", params=("cursor", "limit", "order", "offset"), headers=("Link",),
                                   links=NEXT_PAGE, conditional="read"),
    "messages.get_message": user("Get one message", "messages", 200, "Message", "messages:read",
                                 links=MESSAGE_WRITES, conditional="read"),
    "messages.delete_message": user("Delete a message you sent", "messages", 204, None, "messages:write",
                                    conditional="write"),
    "batch.send_batch": user("Send up to 100 messages in one call (207 Multi-Status)", "messages", 207,
                             "BatchResult", "messages:write", body="BatchInput", params=("IdempotencyKey",),
                             errors=(409, 422), headers=("IdempotentReplayed",),
                             description="Not atomic (AIP-233 batches are; this one is not): each item succeeds or "
                                         "fails on its own. 207 Multi-Status (RFC 4918 section 11.1) when at least "
                                         "one item was created, with one result per item. When every item fails, "
                                         "nothing was created and the answer is an error instead: BATCH_FAILED, "
                                         "with the items' shared status (400 if they differ) and, in details, each "
                                         "item's index, status and error; an Idempotency-Key is then not used up."),
    "sse.channel_event_stream": user("Stream new messages as Server-Sent Events", "realtime", 200, "EventStream",
                                     "messages:read", params=("LastEventId", "lastEventId"),
                                     media="text/event-stream"),
    "chat_socket.chat_socket": user("Upgrade to the chat WebSocket (RFC 6455)", "realtime", 101, None,
                                    "messages:read",
                                    params=("Upgrade", "Connection", "SecWebSocketVersion", "SecWebSocketKey"),
                                    errors=(426,)),
    "presence.channel_presence": user("Who in a channel is online (behind a circuit breaker)", "channels", 200,
                                      "PresenceList", "channels:read", headers=("NoStore",)),
    "integrations.create_key": user("Create an API key for an integration (the key is shown once)", "api-keys", 201,
                                    "NewApiKey", None, body="ApiKeyInput", errors=(409,), links=KEY_FLOWS),
    "integrations.rotate_key": user("Issue a second active key with the same scopes", "api-keys", 201, "NewApiKey",
                                    None, errors=(409,)),
    "integrations.revoke_key": user("Revoke an API key at once", "api-keys", 204, None, None),
    "integrations.incoming_webhook": Operation("Post a message as an integration (server to server)", "api-keys", 201,
                                               "Message", body="MessageInput", security="key",
                                               headers=("Location",)),
    "oauth.whoami": Operation("Who your credentials say you are", "auth", 200, "Whoami", security="any"),
    "exports.start_export": user("Export a channel's history (a long-running operation)", "operations", 202,
                                 "Operation", "messages:read", body="ExportInput", headers=("Location", "RetryAfter"),
                                 links=OPERATION_FLOWS,
                                 description="Answers 202 Accepted at once; poll the operation at Location (AIP-151) "
                                             "after Retry-After seconds (the time the export is expected to take), "
                                             "or pass callbackUrl to have the finished operation POSTed to you "
                                             "(unsigned: a hint to poll; sent only by a server that runs its background worker, "
                                             "OPERATIONS_WORKER=thread; without it, poll). "
                                             "At most OPERATIONS_MAX_RUNNING of your exports run at once (5 by "
                                             "default): the next is 429 TOO_MANY_OPERATIONS, with Retry-After the "
                                             "seconds until the first is due. Under rate limiting a deployment may give "
                                             "this route a cost (RATE_LIMIT costs; the course's example is 10): one "
                                             "call then spends that many units of every policy, so RateLimit's r "
                                             "falls by the cost (draft -10, 3.1.2: q and r count quota units)."),
    "exports.get_operation": user("Poll a long-running operation you started", "operations", 200, "Operation",
                                  "messages:read", headers=("RetryAfter",), conditional="read",
                                  description="done is false while it runs, with Retry-After: the whole seconds it "
                                              "is still expected to take (at least 1, capped by the server); then it holds "
                                              "either result or error. Someone else's operation is a 404, and so is "
                                              "one past its retention: an operation is kept OPERATION_RETENTION "
                                              "seconds once due (an hour by default), and only your newest "
                                              "OPERATIONS_KEPT (20)."),
    "webhook_endpoints.create_endpoint": user("Register a webhook endpoint (its signing secret is shown once)",
                                              "webhooks", 201, "NewWebhookEndpoint", "messages:read",
                                              body="WebhookEndpointInput", errors=(409,), headers=("Location",),
                                              links=ENDPOINT_FLOWS),
    "webhook_endpoints.get_endpoint": user("Get a webhook endpoint you registered", "webhooks", 200, "WebhookEndpoint",
                                           "messages:read", conditional="read"),
    "webhook_endpoints.delete_endpoint": user("Delete a webhook endpoint you registered", "webhooks", 204, None,
                                              "messages:read", conditional="write"),
    "contract.openapi": Operation("This document", "contract", 200, "OpenApiDocument", security="none"),
}


@bp.get("/v1/openapi.json")
def openapi():
    extras = current_app.extensions["apidesign"].extras
    if "openapi" not in extras:
        extras["openapi"] = openapi_document(current_app)
    return extras["openapi"]


def openapi_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document for every ``/v1`` route of ``app``."""
    paths: dict[str, dict[str, Any]] = {}
    documented = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/v1/"):
            continue
        if rule.endpoint not in OPERATIONS:
            raise UndocumentedRoute(f"{sorted(rule.methods - {'HEAD', 'OPTIONS'})} {rule.rule} ({rule.endpoint})")
        documented.add(rule.endpoint)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(openapi_path(rule.rule), {})[method.lower()] = operation_object(
                rule.endpoint, OPERATIONS[rule.endpoint], list(rule.arguments))
    stale = sorted(set(OPERATIONS) - documented)
    if stale:
        raise StaleOperation(f"no route for {', '.join(stale)}")
    return {"openapi": "3.1.0", "info": info(), "servers": SERVERS, "tags": TAGS, "paths": paths,
            "webhooks": outgoing_webhooks(), "components": components()}


# x-internal (OWASP API9): the reference API is public: anyone who runs the course may call it.
SERVERS = [{"url": "/", "description": "The local server this document was fetched from (the course runs it on 127.0.0.1).",
            "x-internal": False}]

TAGS = [{"name": "channels", "description": "Channels and their members."},
        {"name": "messages", "description": "Sending and reading messages, one at a time or in batches."},
        {"name": "realtime", "description": "Push: Server-Sent Events and the chat WebSocket."},
        {"name": "api-keys", "description": "Keys for server-to-server integrations, and the webhook they post to."},
        {"name": "operations", "description": "Long-running work: start it (202 Accepted), then poll or be called back."},
        {"name": "webhooks", "description": "Webhooks this API sends: signed per Standard Webhooks, retried with backoff."},
        {"name": "auth", "description": "Who the presented credentials belong to."},
        {"name": "contract", "description": "This OpenAPI document."}]


def openapi_path(rule: str) -> str:
    """Flask's ``/v1/channels/<channel_id>`` as OpenAPI's ``/v1/channels/{channel_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def info() -> dict[str, Any]:
    return {"title": "API Design Lab: reference chat API", "version": VERSION,
            "description": "The chat API the course builds: channels, messages, real-time delivery and "
                           "integrations. Every error is the same envelope, {\"error\": {\"code\", \"message\", "
                           "\"details\"}}, with a machine-readable code.",
            "license": {"name": "MIT", "identifier": "MIT"}}


def operation_object(endpoint: str, op: Operation, path_args: list[str]) -> dict[str, Any]:
    """One OpenAPI operation: parameters, request body, responses, security."""
    name = endpoint.split(".")[-1]
    obj: dict[str, Any] = {"operationId": name, "summary": op.summary, "tags": [op.tag]}
    description = op.description or DESCRIPTIONS.get(name, "")
    if description:
        obj["description"] = description
    params = [{"$ref": f"#/components/parameters/{name}"} for name in sorted(path_args)]
    params += [{"$ref": f"#/components/parameters/{name}"} for name in op.params + CONDITIONAL_PARAMS[op.conditional]]
    if params:
        obj["parameters"] = params
    if op.body:
        obj["requestBody"] = {"required": True, "content": {media: {"schema": ref(op.body)} for media in op.body_media}}
    obj["responses"] = responses(op, bool(path_args))
    obj["security"] = security(op)
    return obj


def responses(op: Operation, has_path_args: bool) -> dict[str, Any]:
    """The success response, then every error status this operation can answer, in numeric order."""
    ok: dict[str, Any] = {"description": STATUS_TEXT[op.status]}
    if op.returns:
        ok["content"] = {op.media: {"schema": ref(op.returns)}}
    shown = op.headers + (("ETag", "CacheControl") if op.conditional == "read" else ())
    headers = {HEADER_NAMES[h]: {"$ref": f"#/components/headers/{h}"} for h in shown}
    if op.status >= 200:  # after a 101 the connection speaks WebSocket, not HTTP
        headers |= RATE_LIMIT_HEADERS
    if headers:
        ok["headers"] = headers
    if op.links:
        ok["links"] = {target: {"operationId": target, "parameters": params} for target, params in op.links}
    statuses = set(op.errors) | {429}  # any route may be rate limited (RATE_LIMIT config)
    if op.conditional:  # a false If-Match is a 412 on a read too (RFC 9110 section 13.2.2)
        statuses |= {412}
    if op.security != "none":
        statuses |= {401, 403, 503}
    if has_path_args:
        statuses |= {404}
    if op.body:
        statuses |= {400, 413, 415}
    if VALIDATED_PARAMS.intersection(op.params + CONDITIONAL_PARAMS[op.conditional]):
        statuses |= {400}
    statuses |= {500}  # any route may hit a bug; the answer is still the error envelope
    errors = {str(s): {"$ref": f"#/components/responses/{ERROR_RESPONSES[s]}"} for s in sorted(statuses)}
    not_modified = {"304": NOT_MODIFIED} if op.conditional == "read" else {}
    return {str(op.status): ok, **not_modified, **errors}


def security(op: Operation) -> list[dict[str, list[str]]]:
    """Which credentials the operation takes: OpenAPI's list of alternatives."""
    bearer = {"bearerAuth": []}
    oauth = {"oauth2": [op.scope] if op.scope else []}
    return {"none": [], "key": [{"apiKeyAuth": []}], "any": [bearer, {"apiKeyAuth": []}],
            "user": [bearer, oauth]}[op.security]


# Parameters the server checks itself, answering 400 with the parameter named (the WebSocket
# handshake's headers are checked by Werkzeug's routing instead: a bad handshake is a 426).
VALIDATED_PARAMS = {"cursor", "limit", "order", "offset", "lastEventId", "LastEventId", "IdempotencyKey",
                    "IfMatch", "IfNoneMatch"}

# Conditional requests (server/conditional.py): reads take If-None-Match (304) and If-Match (412, evaluated first);
# writes take If-Match (and If-None-Match: *).
CONDITIONAL_PARAMS = {"": (), "read": ("IfMatch", "IfNoneMatch"), "write": ("IfMatch", "IfNoneMatch")}

NOT_MODIFIED = {"description": "Not Modified: your copy, named in If-None-Match, is current; no content "
                               "(RFC 9110 section 15.4.5).",
                "headers": {"ETag": {"$ref": "#/components/headers/ETag"},
                            "Cache-Control": {"$ref": "#/components/headers/CacheControl"}}}

STATUS_TEXT = {101: "Switching Protocols: the connection is now a WebSocket", 200: "OK", 201: "Created",
               202: "Accepted: the work goes on after this answer; follow Location to the operation",
               204: "No Content",
               207: "Multi-Status: at least one item was created; one result per item, in request order"}

HEADER_NAMES = {"Location": "Location", "Link": "Link", "IdempotentReplayed": "Idempotent-Replayed", "ETag": "ETag",
                "CacheControl": "Cache-Control", "NoStore": "Cache-Control", "ContentLocation": "Content-Location",
                "RetryAfter": "Retry-After"}

ERROR_RESPONSES = {400: "BadRequest", 401: "Unauthenticated", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
                   412: "PreconditionFailed", 413: "PayloadTooLarge", 415: "UnsupportedMediaType", 422: "Unprocessable",
                   426: "UpgradeRequired", 429: "RateLimited", 500: "InternalError",
                   503: "ServiceUnavailable"}

# What each operation does, beyond its summary: the rule a client must know to call it right
# (an Operation's own ``description`` takes precedence).
DESCRIPTIONS = {
    "create_channel": "Creates a channel with you as its creator and first member; memberIds invites others. "
                      "The Location header names the new channel.",
    "get_channel": "Returns the channel if you are a member; 403 if it exists and you are not, 404 if it does not exist.",
    "replace_channel": "PUT replaces the whole channel (RFC 9110 section 9.3.4): a field left out returns to "
                       "its default.",
    "update_channel": ("PATCH with a JSON Merge Patch (RFC 7396), sent as application/merge-patch+json (application/json is "
                     "read the same way): fields present are changed, null resets topic to \"\"; any other patch "
                     "format is 415 with Accept-Patch."),
    "list_user_channels": "Your channels, newest first, a page at a time; follow meta.nextCursor or the Link "
                          "header for the next page.",
    "send_message": "Posts a message to a channel you belong to. Send an Idempotency-Key so that a retry after a "
                    "timeout returns the first answer instead of posting twice.",
    "list_messages": "A channel's history, a page at a time. Cursors never skip or repeat a message while new ones "
                     "arrive; offset paging is kept only to show that it does.",
    "get_message": "One message from a channel you belong to.",
    "delete_message": "Deletes a message you sent; deleting it again is a 404.",
    "channel_event_stream": "Server-Sent Events: one `message.created` event per new message. Reconnect with "
                            "Last-Event-ID (or lastEventId) to resume without gaps. If the events after that id are no "
                            "longer retained (or the id is from before a restart), the stream starts with an "
                            "`event: reset` whose data names the URL to refetch; continue from its `id`.",
    "chat_socket": "The WebSocket handshake (RFC 6455): a good one is answered 101 and the connection then "
                   "carries chat frames in both directions; anything else is 426.",
    "channel_presence": "Which members are online. Presence lives in a separate service behind a circuit "
                        "breaker: when it is down this answers 503 fast instead of hanging, or, on a server "
                        "configured for it, the last known presence with meta.stale true and its age.",
    "create_key": "Creates an API key with the given scopes for one of your integrations. The secret is in this "
                  "response only; the server keeps its hash.",
    "rotate_key": "Issues a second active key with the same scopes, so a service can switch keys without "
                  "downtime; revoke the old one afterwards.",
    "revoke_key": "Revokes a key at once: the next request that presents it is a 401.",
    "incoming_webhook": "Lets an integration post a message with its API key (X-API-Key), server to server; "
                        "the key's scopes decide what it may do.",
    "create_endpoint": "Registers a URL to receive the event types listed, signed per Standard Webhooks 1.0.0 with the "
                       "secret in this response (shown this once). Failed deliveries are retried with exponential "
                       "backoff and full jitter; deduplicate by the webhook-id header. You get message.created for "
                       "channels you are a member of when the message is sent.",
    "get_endpoint": "Your endpoint's URL and event types; never its secret. Someone else's endpoint is a 404.",
    "delete_endpoint": "Stops all deliveries to the endpoint at once, including retries still queued.",
    "whoami": "The principal, kind (user or key) and scopes behind the credentials you sent.",
    "openapi": "This OpenAPI 3.1 document, built from the app's route table; public, no credentials needed.",
}
