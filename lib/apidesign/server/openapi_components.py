"""The reusable parts of the OpenAPI document: schemas, parameters, headers, error responses, security schemes.

Every limit here is imported from the module that enforces it, so the contract and the
handlers share one number: change ``MAX_CONTENT`` in ``messages`` and both move.
"""

from __future__ import annotations

from typing import Any

from ..idempotency import HEADER as IDEMPOTENCY_HEADER
from ..idempotency import MAX_KEY_LENGTH, REPLAYED
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT, ORDERS
from .auth import API_KEY_HEADER, CHAT_SCOPES
from .batch import MAX_ITEMS
from .bodies import MAX_JSON_DEPTH
from .channels import NAME_PATTERN
from .conditional import CACHE_CONTROL, ENTITY_TAG_LIST, MAX_TAGS_LENGTH
from .exports import CALLBACK_HOSTS, EXPORT_MAX, callback_pattern
from .integrations import KEY_SCOPES
from .messages import MAX_CONTENT, MESSAGE_TYPES
from .paging import MAX_OFFSET
from .webhook_endpoints import EVENT_TYPES, URL_PATTERN
from .webhook_endpoints import URL_MAX as ENDPOINT_URL_MAX

TOPIC_MAX = 250
MEMBERS_MAX = 100
ID = r"^[a-z]+_[0-9a-z]+$"  # apidesign.ids: a type prefix, "_", base-36 characters
ID_MAX = 64                 # the longest prefix plus apidesign.ids.LENGTH, with room for named users (usr_alice)
CURSOR_MAX = 512            # a signed cursor is under 200 characters; a longer one cannot verify (400)
URL_MAX = 2048
INT64_MAX = 2**63 - 1       # SQLite's integers, and so the deepest offset a page can have
NOT_BLANK = r"\S"           # at least one non-space character (JSON Schema patterns are not anchored)
EXAMPLE_TIME = "2026-03-12T10:30:00Z"  # the syllabus's example time
# What apidesign.idempotency.parse_key accepts: the draft's sf-string (RFC 8941 section 3.3.3: printable ASCII,
# with \" and \\ escaped) or a bare token of visible ASCII without quotes; 1-255 characters of key either way.
IDEMPOTENCY_KEY_PATTERN = (rf'^(?:[\x21\x23-\x7e]{{1,{MAX_KEY_LENGTH}}}'
                           rf'|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\]){{1,{MAX_KEY_LENGTH}}}")$')


def components() -> dict[str, Any]:
    """The ``components`` section of the document."""
    return {"schemas": schemas(), "parameters": parameters(), "headers": headers(),
            "responses": error_responses(), "securitySchemes": security_schemes()}


def obj(required: list[str], closed: bool = True, **properties: Any) -> dict[str, Any]:
    """A JSON object schema; ``closed`` means unknown fields are an error, as ``Fields`` makes them."""
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if closed:
        schema["additionalProperties"] = False
    return schema


def envelope(data: dict[str, Any], meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The success envelope around ``data`` (and ``meta``)."""
    props = {"data": data, **({"meta": meta} if meta else {})}
    return obj(["data", *(["meta"] if meta else [])], closed=False, **props)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def schemas() -> dict[str, Any]:
    string = {"type": "string"}
    date_time = {"type": "string", "format": "date-time", "maxLength": 32, "examples": [EXAMPLE_TIME]}
    id_ = {"type": "string", "pattern": ID, "maxLength": ID_MAX}

    def id_of(example: str) -> dict[str, Any]:  # an ID, with an example a reader recognises (apidesign.ids)
        return {**id_, "examples": [example]}
    name = {"type": "string", "pattern": f"^{NAME_PATTERN}$", "maxLength": 80, "examples": ["random"]}
    topic = {"type": "string", "maxLength": TOPIC_MAX}
    member_ids = {"type": "array", "items": id_, "maxItems": MEMBERS_MAX,
                  "description": "User IDs; each must name an existing user (else 400 unknown_user)."}
    content = {"type": "string", "minLength": 1, "maxLength": MAX_CONTENT, "pattern": NOT_BLANK}
    message_type = {"type": "string", "enum": list(MESSAGE_TYPES), "default": "text"}
    on_page, members = integer(MAX_LIMIT), MEMBERS_MAX + 1  # a channel's creator plus its invited members
    offset = {**integer(INT64_MAX), "format": "int64"}
    cursor = {"type": ["string", "null"], "maxLength": CURSOR_MAX, "pattern": "^[A-Za-z0-9_-]+$"}
    channel_id, user_id = id_of("ch_x9y8z7w6v5"), id_of("usr_alice")
    channel = obj(["channelId", "name", "topic", "createdBy", "memberIds", "createdAt"], closed=False,
                  channelId=channel_id, name=name, topic=topic, createdBy=user_id,
                  memberIds={"type": "array", "items": user_id, "maxItems": members}, createdAt=date_time)
    message = obj(["messageId", "channelId", "senderId", "content", "type", "createdAt"], closed=False,
                  messageId=id_of("msg_k3j9x0q2m1"), channelId=channel_id, senderId=user_id,
                  content={"type": "string", "maxLength": MAX_CONTENT}, type=message_type, createdAt=date_time)
    error_body = obj(["code", "message", "details"], closed=False,
                     code={"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$", "maxLength": 64}, message=string,
                     details={"type": "array", "items": {"type": "object"}})
    item_result = {"oneOf": [
        obj(["index", "status", "data"], closed=False, index=integer(MAX_ITEMS - 1), status={"const": 201},
            data=ref("MessageData")),
        obj(["index", "status", "error"], closed=False, index=integer(MAX_ITEMS - 1),
            status={**integer(599), "minimum": 400}, error=ref("ErrorBody"))]}
    page_meta = obj(["count", "limit", "hasMore"], closed=False, count=on_page, limit=on_page,
                    hasMore={"type": "boolean"}, nextCursor=cursor, prevCursor=cursor, offset=offset,
                    nextOffset={**offset, "type": ["integer", "null"]})
    scope = {"type": "string", "pattern": "^[a-z]+:[a-z]+$", "maxLength": 64, "examples": ["messages:write"]}
    api_key = obj(["keyId", "owner", "scopes", "prefix"], closed=False, keyId=id_of("key_3f2a9c1b7d"), owner=user_id,
                  scopes={"type": "array", "items": {"enum": list(KEY_SCOPES)}, "maxItems": len(KEY_SCOPES)},
                  prefix={"type": "string", "pattern": "^[a-z_]+$", "maxLength": 32, "examples": ["sk_live_"]})
    export = obj(["channelId", "messageCount", "messages"], closed=False, channelId=channel_id,
                 messageCount=integer(INT64_MAX),
                 messages={"type": "array", "items": ref("MessageData"), "maxItems": EXPORT_MAX})
    operation = obj(["operationId", "done"], closed=False, operationId=id_of("op_5m2k8q1z0c"),
                    done={"type": "boolean"}, result=export, error=ref("ErrorBody"))
    event_types = {"type": "array", "items": {"enum": list(EVENT_TYPES)}, "minItems": 1, "uniqueItems": True,
                   "maxItems": len(EVENT_TYPES)}
    endpoint = obj(["endpointId", "url", "eventTypes", "createdAt"], closed=False, endpointId=id_of("ep_7h2k9d0s4x"),
                   url={"type": "string", "maxLength": ENDPOINT_URL_MAX, "pattern": URL_PATTERN}, eventTypes=event_types, createdAt=date_time)
    return {
        "ChannelInput": obj(["name"], name=name, topic=topic, memberIds=member_ids),
        "WebhookEndpointInput": obj(["url", "eventTypes"], url={
            "type": "string", "maxLength": ENDPOINT_URL_MAX, "pattern": URL_PATTERN,
            "examples": ["http://127.0.0.1:8400/webhooks"],
            "description": "Where to POST events: http(s), a host name or IPv4 address, an optional port. With "
                           "WEBHOOK_ALLOW_PRIVATE off, a host that resolves to a private, loopback or link-local "
                           "address is refused (400 refused_address)."}, eventTypes=event_types),
        "WebhookEndpointData": endpoint,
        "WebhookEndpoint": envelope(ref("WebhookEndpointData")),
        "NewWebhookEndpoint": envelope({**endpoint, "required": [*endpoint["required"], "secret"],
                                        "properties": {**endpoint["properties"], "secret": {
                                            "type": "string", "pattern": "^whsec_[A-Za-z0-9+/]{32,88}={0,2}$",
                                            "maxLength": 96, "description": "The signing secret, shown this once: "
                                            "whsec_ and the base64 of 32 random bytes (Standard Webhooks 1.0.0)."}}}),
        "MessageCreatedEvent": obj(["type", "timestamp", "data"], closed=False, type={"const": "message.created"},
                                   timestamp=date_time, data=ref("MessageData")),
        "ExportInput": obj([], callbackUrl={
            "type": "string", "maxLength": 2000, "pattern": callback_pattern(CALLBACK_HOSTS),
            "description": "Where to POST the finished operation; http(s) on CALLBACK_HOSTS only (127.0.0.1 and "
                           "localhost by default), with a port from 1 to 65535 if any."}),
        "OperationData": operation,
        "Operation": envelope(ref("OperationData")),
        "ChannelPatch": obj([], name=name, topic={**topic, "type": ["string", "null"]}, memberIds=member_ids),
        "MessageInput": obj(["content"], content=content, type=message_type),
        "BatchInput": obj(["messages"], messages={"type": "array", "items": ref("MessageInput"),
                                                  "minItems": 1, "maxItems": MAX_ITEMS}),
        "ApiKeyInput": obj([], scopes={"type": "array", "items": {"enum": list(KEY_SCOPES)}, "uniqueItems": True,
                                       "maxItems": len(KEY_SCOPES)}),
        "ChannelData": channel,
        "MessageData": message,
        "ErrorBody": error_body,
        "Channel": envelope(ref("ChannelData")),
        "ChannelList": envelope({"type": "array", "items": ref("ChannelData"), "maxItems": MAX_LIMIT}, page_meta),
        "Message": envelope(ref("MessageData")),
        "MessagePage": envelope({"type": "array", "items": ref("MessageData"), "maxItems": MAX_LIMIT}, page_meta),
        "BatchResult": envelope({"type": "array", "items": item_result, "maxItems": MAX_ITEMS},
                                obj(["succeeded", "failed"], False, succeeded=integer(MAX_ITEMS),
                                    failed=integer(MAX_ITEMS))),
        "PresenceList": envelope({"type": "array", "maxItems": members,
                                  "items": obj(["userId", "presence"], False, userId=id_,
                                               presence={"enum": ["online", "offline"]})},
                                 obj(["count"], False, count=integer(members), stale={"const": True},
                                     ageSeconds=integer(86_400))),
        "NewApiKey": envelope({**api_key, "required": [*api_key["required"], "key"],
                               "properties": {**api_key["properties"],
                                              "key": {"type": "string", "pattern": "^[a-z_]+[A-Za-z0-9]+$",
                                                      "maxLength": 200}}}),
        "Whoami": envelope(obj(["principal", "kind", "scopes"], False,
                               principal={"type": "string", "pattern": "^(user|key):[a-z]+_[0-9a-z]+$",
                                          "maxLength": ID_MAX + 4, "examples": ["user:usr_alice"]},
                               kind={"enum": ["user", "key"]}, scopes={"type": "array", "items": scope,
                                                                       "maxItems": 32},
                               owner=id_)),
        # One event of the stream, as SSE clients (and Schemathesis) parse it: fields, not raw text.
        "EventStream": {"type": "object", "additionalProperties": False,
                        "description": "One event of the text/event-stream: `id`, `event` (message.created, or "
                                       "reset when a resume cannot be served) and `data` (JSON text); the stream "
                                       "also carries `: keep-alive` comments.",
                        "properties": {"id": {"type": "string", "pattern": "^[0-9]{1,18}$", "maxLength": 18},
                                       "event": {"enum": ["message.created", "reset"]},
                                       "data": {"type": "string", "maxLength": 8 * MAX_CONTENT},
                                       "retry": {"type": "integer", "format": "int32", "minimum": 0,
                                                 "maximum": 86_400_000}}},
        "OpenApiDocument": obj(["openapi", "info", "paths"], closed=False, openapi={"const": "3.1.0"},
                               info={"type": "object"}, paths={"type": "object"}),
        "Error": obj(["error"], closed=False, error=ref("ErrorBody")),
    }


def integer(maximum: int) -> dict[str, Any]:
    """A count from 0 to ``maximum``, as OWASP API4 asks: a format and both bounds."""
    return {"type": "integer", "format": "int32" if maximum < 2**31 else "int64", "minimum": 0, "maximum": maximum}


def parameters() -> dict[str, Any]:
    def path(name: str, what: str, pattern: str = ID) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "description": what,
                "schema": {"type": "string", "pattern": pattern, "maxLength": ID_MAX}}

    def query(name: str, schema: dict[str, Any], what: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": what, "schema": schema}

    def header(name: str, schema: dict[str, Any], what: str) -> dict[str, Any]:
        return {"name": name, "in": "header", "required": True, "description": what, "schema": schema}

    return {
        "channel_id": path("channel_id", "A channel ID, e.g. ch_x9y8z7w6v5."),
        "message_id": path("message_id", "A message ID, e.g. msg_k3j9x0q2m1."),
        "user_id": path("user_id", "A user ID, e.g. usr_alice."),
        "key_id": path("key_id", "An API key's ID (not the secret)."),
        "endpoint_id": path("endpoint_id", "A webhook endpoint's ID, from the Location of its 201."),
        "operation_id": path("operation_id", "A long-running operation's ID, from the Location of its 202."),
        "cursor": query("cursor", {"type": "string", "pattern": "^[A-Za-z0-9_-]*$", "maxLength": CURSOR_MAX},
                        "Opaque, signed position from meta.nextCursor or "
                                                      "meta.prevCursor; a tampered cursor is a 400 INVALID_CURSOR."),
        "limit": query("limit", {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT},
                       f"Page size; default {DEFAULT_LIMIT}, and a limit above {MAX_LIMIT} is served as {MAX_LIMIT} "
                       "(meta.limit says so); below 1 is a 400."),
        "order": query("order", {"type": "string", "enum": list(ORDERS)}, "newest first (default) or oldest first."),
        "offset": query("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
                        "Offset paging, kept to show drift; not with cursor."),
        "lastEventId": query("lastEventId", {"type": "string", "pattern": r"^[0-9]{0,18}$", "maxLength": 18},
                             "Resume after this event id (for clients that cannot set headers)."),
        "LastEventId": {"name": "Last-Event-ID", "in": "header", "required": False,
                        "description": "Resume after this event id (EventSource sends it on reconnect).",
                        "schema": {"type": "string", "pattern": r"^[0-9]{0,18}$", "maxLength": 18}},
        "Upgrade": header("Upgrade", {"const": "websocket"}, "With Connection: Upgrade, asks for the WebSocket."),
        "Connection": header("Connection", {"const": "Upgrade"}, "Marks Upgrade as a request to switch protocols."),
        "SecWebSocketVersion": header("Sec-WebSocket-Version", {"const": "13"}, "RFC 6455's version."),
        "SecWebSocketKey": header("Sec-WebSocket-Key", {"type": "string", "pattern": "^[A-Za-z0-9+/]{22}==$",
                                                                     "maxLength": 24},
                                  "16 random bytes in base64; the 101 answers with their SHA-1 in Sec-WebSocket-Accept."),
        "IfMatch": {"name": "If-Match", "in": "header", "required": False,
                    "description": "RFC 9110 section 13.1.1: only if the current ETag is one of these (strong "
                                   "comparison; * matches any); otherwise 412, on a read as on a write (section "
                                   "13.2.2 evaluates it first). On a send, the ETag is that of the history page at the "
                                   "same URL and query: send only if that page is unchanged. Required on /v2 PUT, "
                                   "PATCH and DELETE (428 without).",
                    "schema": {"type": "string", "pattern": ENTITY_TAG_LIST, "maxLength": MAX_TAGS_LENGTH}},
        "IfNoneMatch": {"name": "If-None-Match", "in": "header", "required": False,
                        "description": "RFC 9110 section 13.1.2: on a read, 304 Not Modified if the current ETag is "
                                       "one of these; on a write, * means only if absent (else 412).",
                        "schema": {"type": "string", "pattern": ENTITY_TAG_LIST, "maxLength": MAX_TAGS_LENGTH}},
        "IdempotencyKey": {"name": IDEMPOTENCY_HEADER, "in": "header", "required": False,
                           "description": "draft-ietf-httpapi-idempotency-key-header (-06, section 2.1): a retry "
                                          "with the same key and body replays the first answer instead of doing the "
                                          "work twice. The key is an sf-string as the draft writes it "
                                          '(`"8e03978e-40d5-43e8-bc93-6894a57f9324"`) or, leniently, the same '
                                          f"characters unquoted; 1-{MAX_KEY_LENGTH} characters either way.",
                           "schema": {"type": "string", "minLength": 1, "maxLength": 2 * MAX_KEY_LENGTH + 2,
                                      "pattern": IDEMPOTENCY_KEY_PATTERN,
                                      "examples": ['"8e03978e-40d5-43e8-bc93-6894a57f9324"']}},
    }


def outgoing_webhooks() -> dict[str, Any]:
    """OpenAPI 3.1's ``webhooks``: the requests this API sends to registered endpoints (Standard Webhooks 1.0.0)."""
    def header(name: str, pattern: str, what: str) -> dict[str, Any]:
        return {"name": name, "in": "header", "required": True, "description": what,
                "schema": {"type": "string", "pattern": pattern, "maxLength": 1024}}

    return {"message.created": {"post": {
        "operationId": "message_created", "tags": ["webhooks"], "summary": "A message was sent in one of your channels",
        "description": "Sent to every endpoint subscribed to message.created whose owner is a member of the channel. "
                       "Verify webhook-signature (HMAC-SHA256 of webhook-id.webhook-timestamp.body, with your "
                       "endpoint's secret), refuse a timestamp more than 5 minutes from now, and deduplicate by "
                       "webhook-id: a retry carries the same ID with a new timestamp and signature.",
        "parameters": [
            header("webhook-id", "^[a-z]+_[0-9a-z]+$", "The delivery's ID, the same on every retry."),
            header("webhook-timestamp", "^[0-9]{1,12}$", "Seconds since the epoch when this attempt was sent."),
            header("webhook-signature", "^v1,[A-Za-z0-9+/]+={0,2}( v1,[A-Za-z0-9+/]+={0,2})*$",
                   "Space-separated v1,<base64 HMAC-SHA256> signatures (two while a secret is rotated)."),
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("MessageCreatedEvent")}}},
        "responses": {"2XX": {"description": "Received (or received before): no retry."},
                      "default": {"description": "Anything else, a timeout or no connection: retried with backoff."}},
        "security": [],
    }}}


def headers() -> dict[str, Any]:
    return {
        "Location": {"description": "URL of the created resource.", "required": True,
                     "schema": {"type": "string", "format": "uri-reference", "maxLength": URL_MAX}},
        "Link": {"description": 'RFC 8288 links to rel="next" and rel="prev" pages.',
                 "schema": {"type": "string", "pattern": "^<", "maxLength": 2 * URL_MAX}},
        "IdempotentReplayed": {"description": f"`{REPLAYED}: true` when this answer is a replay.",
                               "schema": {"type": "string", "enum": ["true"]}},
        "Upgrade": {"description": "The protocol to switch to.", "schema": {"const": "websocket"}},
        "ETag": {"description": "Strong entity tag of the representation (RFC 9110 section 8.8.3); send it back "
                                "in If-Match to write, in If-None-Match to revalidate.", "required": True,
                 "schema": {"type": "string", "pattern": '^"[\\x21\\x23-\\x7e]*"$', "maxLength": 130}},
        "CacheControl": {"description": f"`{CACHE_CONTROL}`: per-user, so no shared cache keeps it; a client "
                                        "revalidates before reuse (RFC 9111 section 5.2.2).",
                         "required": True, "schema": {"const": CACHE_CONTROL}},
        "NoStore": {"description": "`no-store`: live data; no cache keeps a copy (RFC 9111 section 5.2.2.5).",
                    "required": True, "schema": {"const": "no-store"}},
        "ContentLocation": {"description": "The content is this resource's current representation (RFC 9110 "
                                           "section 8.7), so the ETag describes it.",
                            "schema": {"type": "string", "pattern": "^/v[0-9]+/", "maxLength": 300}},
        "RetryAfter": {"description": "Whole seconds to wait before polling again: RFC 9110 section 10.2.3, how long "
                                      "to wait before a follow-up request (its specific meanings are for 503 and 3xx).",
                       "schema": {"type": "string", "pattern": "^[0-9]+$", "maxLength": 10}},
        "WWWAuthenticate": {"description": "The Bearer challenge (RFC 6750 section 3).",
                            "schema": {"type": "string", "pattern": "^Bearer", "maxLength": 1024}},
        # draft-ietf-httpapi-ratelimit-headers; sent on every response while rate limiting is on (RATE_LIMIT).
        "RateLimit": {"description": 'The caller\'s remaining quota, one item per policy of its plan: `"default";r=42` '
                                     'or `"burst";r=4, "daily";r=99`; on a 429 each policy that cannot take the request '
                                     'yet adds `;t=17`, the seconds until it can (draft -10, 4.1.2); Retry-After is '
                                     'the largest. '
                                     'Sent while rate limiting is on.',
                      "schema": {"type": "string", "maxLength": 512,
                                 "pattern": '^"[^"]+";r=[0-9]+(;t=[0-9]+)?(, "[^"]+";r=[0-9]+(;t=[0-9]+)?)*$'}},
        "RateLimitPolicy": {"description": 'Every policy of the caller\'s plan, its quota and window: '
                                           '`"default";q=100;w=60` or `"burst";q=5;w=10, "daily";q=100;w=86400` '
                                           '(draft -10, section 3). Sent while rate limiting is on.',
                            "schema": {"type": "string", "maxLength": 512,
                                       "pattern": '^"[^"]+";q=[0-9]+;w=[0-9]+(, "[^"]+";q=[0-9]+;w=[0-9]+)*$'}},
    }


RATE_LIMIT_HEADERS = {"RateLimit": {"$ref": "#/components/headers/RateLimit"},
                      "RateLimit-Policy": {"$ref": "#/components/headers/RateLimitPolicy"}}


def error_responses() -> dict[str, Any]:
    def error(what: str, *extra_headers: str) -> dict[str, Any]:
        response: dict[str, Any] = {"description": what, "content": {"application/json": {"schema": ref("Error")}}}
        response["headers"] = {**{h: {"$ref": f"#/components/headers/{h.replace('-', '')}"} for h in extra_headers},
                               **RATE_LIMIT_HEADERS}
        return response

    return {
        "BadRequest": error("A field, parameter or header is invalid; details name each one (for a batch in "
                            "which every item failed: BATCH_FAILED, details give each item's index and error). "
                            "A JSON body must be UTF-8 I-JSON (RFC 7493) nested at most "
                            f"{MAX_JSON_DEPTH} deep: else MALFORMED_JSON (not UTF-8, not JSON, a repeated "
                            "member name, NaN), INVALID_TEXT (a lone surrogate) or JSON_TOO_DEEP."),
        "Unauthenticated": error("No credentials, or bad ones.", "WWW-Authenticate"),
        "Forbidden": error("Authenticated, but not allowed (a missing scope, a channel you are not in)."),
        "NotFound": error("No such resource (or one you may not know exists)."),
        "Conflict": error("A request with this Idempotency-Key is still running; or this request outlived its lock "
                          "and a retry took the key over, so its result was not recorded (IDEMPOTENCY_CLAIM_LOST: "
                          "check state); or too many active keys.", "Retry-After"),
        "PayloadTooLarge": error("The body is over 1 MiB."),
        "UnsupportedMediaType": error("Send the body as application/json."),
        "Unprocessable": error("This Idempotency-Key was already used with a different body."),
        "UpgradeRequired": error("Not a WebSocket handshake: this endpoint speaks WebSocket only (RFC 9110 "
                                 "section 15.5.22).", "Upgrade"),
        "PreconditionFailed": error("If-Match names no current ETag (someone changed the resource since you read "
                                    "it), or If-None-Match names the current one on a write: PRECONDITION_FAILED."),
        "RateLimited": error("Over the rate limit (RATE_LIMITED; see RateLimit and RateLimit-Policy), or too many "
                             "of your exports still running (TOO_MANY_OPERATIONS). Retry-After says when to try again.",
                             "Retry-After"),
        "ServiceUnavailable": error("A dependency is down (presence, or the shared store that holds idempotency "
                                    "records, tokens and API keys).", "Retry-After"),
        "InternalError": error("A bug on the server's side: the same error envelope, code INTERNAL, and no detail "
                               "that would help an attacker."),
    }


def security_schemes() -> dict[str, Any]:
    return {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                       "description": "An access token from POST /oauth/token (15 minutes). " + JWT_PRACTICE},
        "oauth2": {"type": "oauth2", "description": "Authorization code with PKCE; the access tokens are JWTs. "
                                                    + JWT_PRACTICE, "flows": {"authorizationCode": {
            "authorizationUrl": "/oauth/authorize", "tokenUrl": "/oauth/token",
            "refreshUrl": "/oauth/token", "scopes": {s: SCOPE_TEXT[s] for s in CHAT_SCOPES}}}},
        "apiKeyAuth": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER,
                       "description": "A server-to-server key from POST /v1/api-keys."},
    }


JWT_PRACTICE = ("Tokens follow RFC8725 (JWT Best Current Practices): one allowed algorithm per key, never "
                "`none`, and the issuer, audience and expiry are always checked.")

SCOPE_TEXT = {"channels:read": "Read channels you belong to", "channels:write": "Create and change channels",
              "messages:read": "Read messages", "messages:write": "Send and delete messages"}
