"""``create_app(config)``: the reference chat API as a Flask application factory.

Tests and notebooks build an app with their own settings (a fake clock, a seeded
ID source, an in-memory database); nothing is read from globals.
"""

from __future__ import annotations

import os
from http import HTTPStatus
from typing import Any, Mapping

from flask import Flask, request
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException
from werkzeug.routing.exceptions import WebsocketMismatch

from .. import operations
from ..clock import Clock, SystemClock, WallClock
from ..envelope import error, error_from
from ..errors import ApiError
from ..ids import IdFactory
from ..namespace import Namespaced, new_namespace
from ..revocation import CLOCK_SKEW_LEEWAY
from ..store import Store, StoreUnavailable, memory_store, redis_store
from ..webhook_delivery import RETRY as WEBHOOK_RETRY
from ..webhook_delivery import TIMEOUT as WEBHOOK_TIMEOUT
from . import (batch, channels, chat_socket, exports, faults, graphql_http, integrations, messages, oauth_routes, openapi,
               presence, ratelimiting, sse, versions, webhook_endpoints)
from .bodies import ApiRequest, StrictJSONProvider
from .db import Database
from .repository import Repository
from .services import Services

# Demo accounts every app starts with; IDs follow the syllabus's ``usr_`` prefix.
DEFAULT_USERS = (("usr_alice", "Alice"), ("usr_bob", "Bob"), ("usr_carol", "Carol"), ("usr_dave", "Dave"))

DEFAULTS: dict[str, Any] = {
    "DATABASE": ":memory:",   # or a file path
    "ID_SEED": None,          # an int makes IDs reproducible (notebooks, tests)
    "USERS": DEFAULT_USERS,
    "CLOCK": None,            # monotonic by default
    "WALL_CLOCK": None,       # epoch seconds by default
    "STORE": None,            # shared state; else Redis at REDIS_URL; else an in-memory store
    "REDIS_URL": None,        # None reads $REDIS_URL; "" means no Redis (the in-memory store)
    "REDIS_TIMEOUTS": (1.0, 1.0),  # (connect, read) seconds: a hung Redis gets a prompt 503, not a stalled worker
    "STORE_NAMESPACE": None,  # every store key starts "<namespace>:"; None: a random one per app (namespace.py).
                              # Servers meant to share state (one rate limit over three servers) name the same one.
    "CURSOR_KEY": None,       # HMAC key for pagination cursors; random per app if None
    "MAX_CONTENT_LENGTH": 1 << 20,  # 1 MiB bodies at most: a 413, not an out-of-memory
    "RATE_LIMIT": None,       # off; e.g. {"algorithm": "token_bucket", "limit": 100, "window": 60} (server/ratelimiting.py)
    # Authentication (oauth_routes): access JWTs, refresh tokens, OAuth clients, API keys
    "JWT_ALGORITHM": "HS256",       # or "RS256" / "ES256"
    "JWT_SIGNING_KEY": None,        # random, shared by this process's apps of one STORE_NAMESPACE (they share a
                                    # denylist); pass one to pin it, and give apps sharing it one namespace too
    "JWT_ISSUER": "https://auth.apidesign.test",
    "JWT_AUDIENCE": "apidesign-chat",
    "JWT_LEEWAY": CLOCK_SKEW_LEEWAY,  # seconds of clock skew tolerated between servers (revocation honours it too)
    "ACCESS_TOKEN_TTL": 900,        # 15 minutes, the syllabus's short-lived access token
    "REFRESH_TOKEN_TTL": 30 * 24 * 3600,
    "AUTH_CODE_TTL": 60,
    "API_KEY_PREFIX": "sk_live_",
    "DENYLIST_ON_STORE_ERROR": "open",  # store down: "open" accepts signed, unexpired tokens, even revoked ones;
                                        # "closed" answers 503. Anything else is refused at startup.
    # Public clients, identified by client_id (RFC 6749 section 2.1). "first-party" is the chat API's own app,
    # whose tokens credentials() mints; it revokes them at /oauth/revoke like any client (RFC 7009 section 2.1).
    "OAUTH_CLIENTS": {"chat-cli": {"redirect_uris": ["http://127.0.0.1:8400/callback"],
                                   "scopes": ["channels:read", "channels:write", "messages:read", "messages:write"]},
                      "first-party": {"redirect_uris": [],
                                      "scopes": ["channels:read", "channels:write", "messages:read", "messages:write"]}},
    # Idempotency (04-idempotency-and-errors): keys optional unless required; records kept 24 h.
    "IDEMPOTENCY_REQUIRED": False,
    "IDEMPOTENCY_TTL": 24 * 3600.0,
    "IDEMPOTENCY_LOCK_TTL": 30.0,   # an in-flight record older than this is taken over (crash recovery)
    "IDEMPOTENCY_CLOCK": "store",   # lock and retention deadlines on the store's clock; "app": CLOCK (fake-clock demos)
    "IDEMPOTENCY_KEY_MAX_LENGTH": 255,
    "FAULT_DROP_RATE": 0.0,         # probability that a POST's response is lost after the work is done
    "FAULT_SEED": 0,
    "PRESENCE_FAILING": False,      # make the downstream presence service fail (circuit breaker demo)
    "PRESENCE_MAX_STALE": 0.0,      # seconds a last known presence may be served, marked stale, while it fails
    "BREAKER_FAILURES": 5,          # consecutive failures that open the breaker
    "BREAKER_COOLDOWN": 30.0,       # seconds open before half-open
    "BREAKER_TRIALS": 1,            # calls admitted while half-open
    # Long-running operations (server/exports.py): POST /v1/channels/{id}/exports -> 202 + an operation to poll
    "EXPORT_DURATION": 2.0,         # simulated seconds an export takes, on CLOCK
    "OPERATIONS_WORKER": "inline",  # an operation's work runs when its owner polls; "thread": also while serve()
                                    # runs, and only then are callbacks sent without anyone calling runner.step()
    "OPERATION_RETRY_AFTER_MAX": 60,  # Retry-After on a running operation: the seconds left, at least 1, at most this
    "OPERATIONS_MAX_RUNNING": operations.MAX_RUNNING,  # per user: the next export is a 429 with Retry-After
    "OPERATION_RETENTION": operations.RETENTION,  # seconds an operation and its result are kept once due
    "OPERATIONS_KEPT": operations.MAX_KEPT,  # due operations kept per user, the newest; older ones are forgotten
    "CALLBACK_HOSTS": exports.CALLBACK_HOSTS,  # where callbacks may go: never internal services (SSRF)
    "GRAPHQL_BATCHED": True,        # POST /graphql fetches through DataLoaders; False: naive resolvers (N+1 demo)
    # Webhooks the API sends (server/webhook_endpoints.py): Standard Webhooks signatures, retries with full jitter
    "WEBHOOK_ALLOW_PRIVATE": True,  # deliver to 127.0.0.1 and other private addresses, where the course's receivers
                                    # run; False refuses private, loopback and link-local targets, as production must
    "WEBHOOK_WORKER": "manual",     # deliveries wait for Deliveries.run_due(now); "thread": sent while serve() runs
    "WEBHOOK_RETRY": WEBHOOK_RETRY,  # attempts and backoff curve (resilience.RetryPolicy)
    "WEBHOOK_TIMEOUT": WEBHOOK_TIMEOUT,  # seconds one attempt may take in all: connect, send, the answer's head
    "WEBHOOK_SEED": None,           # an int makes the retries' jitter reproducible
}

# Machine-readable codes for errors Flask/Werkzeug raise before our code runs.
HTTP_CODES = {400: "BAD_REQUEST", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND",
              405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE",
              415: "UNSUPPORTED_MEDIA_TYPE", 422: "UNPROCESSABLE", 426: "UPGRADE_REQUIRED", 429: "RATE_LIMITED"}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """A configured reference API: database created, demo users seeded, routes and error handlers on."""
    app = Flask("apidesign")
    app.url_map.merge_slashes = False  # before any route: "/channels//messages" is a 404, not Werkzeug's HTML 308
    app.request_class = ApiRequest   # a chunked body over MAX_CONTENT_LENGTH is a 413
    app.json = StrictJSONProvider(app)  # every JSON body: I-JSON, at most MAX_JSON_DEPTH deep, or a 400
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.json.sort_keys = False  # keep fields in the order the docs show them
    svc = build_services(app.config)
    app.extensions["apidesign"] = svc
    for user_id, name in app.config["USERS"]:
        svc.repo.add_user(user_id, name, svc.now_ms())
    app.register_blueprint(channels.bp)
    app.register_blueprint(messages.bp)
    app.register_blueprint(versions.bp)
    app.register_blueprint(sse.bp)          # GET /v1/channels/{id}/events (text/event-stream)
    app.register_blueprint(chat_socket.bp)  # GET /v1/channels/{id}/socket (WebSocket)
    oauth_routes.init_app(app)  # authentication state + the OAuth routes
    app.register_blueprint(integrations.bp)
    app.register_blueprint(batch.bp)        # POST /v1/channels/{id}/messages:batchCreate (207)
    presence.install(app.config, svc)
    app.register_blueprint(presence.bp)     # GET /v1/channels/{id}/presence (circuit breaker)
    exports.install(app.config, svc)
    app.register_blueprint(exports.bp)      # POST /v1/channels/{id}/exports (202), GET /v1/operations/{id}
    app.register_blueprint(graphql_http.bp)  # POST /graphql: the same data over GraphQL (not in /v1's contract)
    webhook_endpoints.install(app, svc)
    app.register_blueprint(webhook_endpoints.bp)  # /v1/webhook-endpoints: signed message.created deliveries
    app.register_blueprint(openapi.bp)      # GET /v1/openapi.json: the contract, built from these routes
    faults.install(app, svc)                # FAULT_DROP_RATE: lose responses after the work
    register_error_handlers(app)
    ratelimiting.install(app)
    app.after_request(standard_reason_phrase)
    return app


def standard_reason_phrase(response):
    """``201 Created`` rather than Werkzeug's ``201 CREATED``: the phrases as RFC 9110 spells them.

    Also: a 204 has no content, so it carries no Content-Type (Flask would add ``text/html``).
    """
    if response.status_code == 204:
        response.headers.pop("Content-Type", None)
    try:
        response.status = f"{response.status_code} {HTTPStatus(response.status_code).phrase}"
    except ValueError:
        pass  # a non-standard code keeps whatever phrase it had
    return response


def build_services(config: Mapping[str, Any]) -> Services:
    """The app's collaborators, from config, with production defaults."""
    clock = config["CLOCK"] or SystemClock()
    db = Database(config["DATABASE"])
    return Services(db=db, repo=Repository(db), clock=clock,
                    wall_clock=config["WALL_CLOCK"] or WallClock(),
                    ids=IdFactory(config["ID_SEED"]),
                    store=Namespaced(shared_store(config, clock), config["STORE_NAMESPACE"] or new_namespace()))


def shared_store(config: Mapping[str, Any], clock: Clock) -> Store:
    """Config ``STORE`` if given; else Redis at ``REDIS_URL`` (config, then environment); else memory."""
    if config["STORE"] is not None:  # "is not None": an empty MemoryStore has len() 0 and so is falsy
        return config["STORE"]
    url = config["REDIS_URL"] if config["REDIS_URL"] is not None else os.environ.get("REDIS_URL", "")
    connect_timeout, timeout = config["REDIS_TIMEOUTS"]
    return redis_store(url, connect_timeout=connect_timeout, timeout=timeout) if url else memory_store(clock)


def register_error_handlers(app: Flask) -> None:
    """Every error leaves as the JSON error envelope: ours, Werkzeug's, and unexpected ones."""

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_from(exc), exc.status, exc.headers

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = HTTP_CODES.get(exc.code, (exc.name or "ERROR").upper().replace(" ", "_"))
        headers = [(k, ", ".join(sorted(v.split(", "))) if k == "Allow" else v)  # Werkzeug's order varies by run
                   for k, v in exc.get_headers() if k.lower() != "content-type"]
        return error(code, http_message(exc)), exc.code, headers

    @app.errorhandler(RedisError)
    @app.errorhandler(StoreUnavailable)  # a script whose reply was lost: it may have run, and is not re-sent
    def store_unreachable(exc: Exception):
        # Idempotency records, OAuth codes and refresh tokens, API keys: without the shared store the
        # server cannot keep its promises about them, so it says "not now" rather than guess.
        app.logger.warning("shared store unreachable on %s %s: %r", request.method, request.path, exc)
        body = error("SERVICE_UNAVAILABLE", "The shared store is unreachable; try again shortly.")
        return body, 503, {"Retry-After": "1"}

    @app.errorhandler(WebsocketMismatch)
    def not_a_websocket_handshake(exc: WebsocketMismatch):
        # Werkzeug calls this a 400; RFC 9110 section 15.5.22 has the precise answer, 426 plus the protocol to use.
        # RFC 6455 section 4.4: a refused handshake names the protocol version the server speaks.
        return error(HTTP_CODES[426], f"{request.path} speaks WebSocket only: open it with an RFC 6455 "
                                         "handshake (Upgrade: websocket, Connection: Upgrade, a Sec-WebSocket-Key, "
                                         "Sec-WebSocket-Version: 13)."), 426, {"Upgrade": "websocket",
                                                                              "Sec-WebSocket-Version": "13"}

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        # Log the traceback for operators; tell the client nothing about internals.
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error("INTERNAL", "Something went wrong on our side. Try again later."), 500


def http_message(exc: HTTPException) -> str:
    """A one-line message for a Werkzeug error, naming the method and path where that helps."""
    if exc.code == 404:
        return f"No resource at {request.path}."
    if exc.code == 405:
        return f"{request.method} is not allowed on {request.path}."
    return exc.description or exc.name
