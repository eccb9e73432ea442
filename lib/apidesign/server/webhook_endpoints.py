"""Webhooks the API sends: register an endpoint, and every new message reaches it signed, retried until it lands.

    POST   /v1/webhook-endpoints                 register a URL and its event types; the signing secret is shown once
    GET    /v1/webhook-endpoints/{endpoint_id}   your endpoint (never its secret)
    DELETE /v1/webhook-endpoints/{endpoint_id}   stop: deliveries still queued for it are dropped

An endpoint is a standing read of your messages, so managing one needs what reading them needs
(``messages:read``, a user's token); it gets ``message.created`` for the channels its owner is a
member of when the message is sent. Someone else's endpoint is a 404, as if it did not exist.
Each delivery is signed per Standard Webhooks 1.0.0 and retried with full jitter (``webhook_delivery``).

Config: ``WEBHOOK_ALLOW_PRIVATE`` (True: 127.0.0.1 and other private targets are allowed, since the
course's receivers run there; False: refused at registration and at every delivery, as a production
sender does, see ``ssrf``), ``WEBHOOK_WORKER`` (``"manual"``: deliveries wait for ``run_due(now)``;
``"thread"``: a background thread delivers while ``serve()`` runs the app, and ``stop()`` ends it),
``WEBHOOK_RETRY``, ``WEBHOOK_TIMEOUT`` and ``WEBHOOK_SEED`` (seeds the jitter).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping

from flask import Blueprint, Flask, current_app

from ..envelope import success
from ..errors import Conflict, NotFound
from ..ssrf import UnsafeTarget, check_target
from ..webhook_delivery import Deliveries, Endpoint, event_body, http_send
from ..webhooks import new_secret
from . import conditional
from .auth import current_principal, current_user, require_scope
from .db import iso8601
from .events import Event, broker_of
from .services import Services, services
from .validation import PORT, Fields, json_object

bp = Blueprint("webhook_endpoints", __name__)

SCOPE = "messages:read"        # an endpoint receives your messages, so it needs what reading them needs
EVENT_TYPES = ("message.created",)
WORKERS = ("manual", "thread")  # who runs due deliveries: the caller of run_due(now), or a thread while served
MAX_ENDPOINTS = 10             # per user: a bound on the fan-out one account can cause
URL_MAX = 2000
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# http(s), a host name or IPv4 address (no user info, no IPv6 literal), a port from 1 to 65535, printable ASCII
# after. The lookahead refuses a space or control character anywhere, a final newline too (which "$" alone
# lets through in Python's regexes, and so in a JSON Schema validator). The contract publishes this pattern.
URL_PATTERN = rf"^(?![\s\S]*[\x00-\x20\x7f])https?://{_LABEL}(?:\.{_LABEL})*(?::{PORT})?(?:/[\x21-\x7e]*)?$"


@dataclass
class Webhooks:
    """The app's registered endpoints and its delivery queue."""

    deliveries: Deliveries
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribed(self, event_type: str) -> list[Endpoint]:
        with self.lock:
            return [e for e in self.endpoints.values() if event_type in e.event_types]


def install(app: Flask, svc: Services) -> Webhooks:
    """The app's webhooks: a queue sending over HTTP, fed by the event broker; a thread while served, if configured."""
    config = app.config
    if config["WEBHOOK_WORKER"] not in WORKERS:
        raise ValueError(f"WEBHOOK_WORKER must be one of {WORKERS}, not {config['WEBHOOK_WORKER']!r}.")
    send = http_send(allow_private=config["WEBHOOK_ALLOW_PRIVATE"], timeout=config["WEBHOOK_TIMEOUT"])
    deliveries = Deliveries(send, clock=svc.wall_clock, policy=config["WEBHOOK_RETRY"],
                            rng=random.Random(config["WEBHOOK_SEED"]))
    hooks = svc.extras["webhooks"] = Webhooks(deliveries)
    broker_of(app).subscribe(lambda event: queue_deliveries(svc, hooks, event))
    if config["WEBHOOK_WORKER"] == "thread":
        svc.extras.setdefault("background", []).append(deliveries)  # serve() starts it, and its stop() stops it
    return hooks


def queue_deliveries(svc: Services, hooks: Webhooks, event: Event) -> None:
    """One delivery of ``event`` to each endpoint that wants its type and whose owner may read its channel."""
    if event.type not in EVENT_TYPES:
        return
    receivers = [e for e in hooks.subscribed(event.type) if svc.repo.is_member(event.channel_id, e.owner)]
    if not receivers:  # no ID drawn either: with no webhooks, the app's seeded IDs stay what they were
        return
    now = svc.wall_clock.now()
    body = event_body(event.type, event.data, event.data.get("createdAt") or iso8601(svc.now_ms()))
    webhook_id = svc.ids.new("evt")  # one ID per event: each endpoint's receiver deduplicates by it
    for endpoint in receivers:
        hooks.deliveries.queue(endpoint, webhook_id, body, now)


def webhooks() -> Webhooks:
    return services().extras["webhooks"]


def deliveries(app: Flask) -> Deliveries:
    """``app``'s queue of webhook deliveries (to watch it, or to run it on a fake clock)."""
    return app.extensions["apidesign"].extras["webhooks"].deliveries


def subscriber() -> str:
    """The calling user, holding the scope that managing endpoints needs."""
    user = current_user()
    require_scope(current_principal(), SCOPE)
    return user


def endpoint_json(endpoint: Endpoint, secret: str | None = None) -> dict[str, Any]:
    body = {"endpointId": endpoint.endpoint_id, "url": endpoint.url, "eventTypes": list(endpoint.event_types),
            "createdAt": endpoint.created_at}
    return {**body, "secret": secret} if secret else body


def endpoint_input(body: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The URL and event types of a registration, or one 400 naming every problem.

    ``eventTypes`` is required: a receiver written for today's events should not get tomorrow's unasked.
    """
    fields = Fields(dict(body), allowed=("url", "eventTypes"))
    url = fields.string("url", max_len=URL_MAX, pattern=URL_PATTERN)
    types = body.get("eventTypes")
    if types is None:
        fields.problem("eventTypes", "required")
    elif not isinstance(types, list) or not types or not all(isinstance(t, str) and t in EVENT_TYPES for t in types):
        fields.problem("eventTypes", "invalid_choice", allowed=list(EVENT_TYPES))
    elif len(set(types)) < len(types):
        fields.problem("eventTypes", "duplicate_items")
    if url is not None and not current_app.config["WEBHOOK_ALLOW_PRIVATE"]:
        try:
            check_target(url, allow_private=False)
        except UnsafeTarget as refused:
            fields.problem("url", "refused_address", reason=str(refused))
    fields.done()
    return url, tuple(types)


@bp.post("/v1/webhook-endpoints")
def create_endpoint():
    owner = subscriber()
    conditional.check_preconditions(conditional.NO_REPRESENTATION)  # before the body (RFC 9110 section 13.2.1)
    url, event_types = endpoint_input(json_object())
    svc, hooks = services(), webhooks()
    endpoint = Endpoint(svc.ids.new("ep"), owner, url, event_types, new_secret(), iso8601(svc.now_ms()))
    with hooks.lock:
        if sum(e.owner == owner for e in hooks.endpoints.values()) >= MAX_ENDPOINTS:
            raise Conflict(f"You already have {MAX_ENDPOINTS} webhook endpoints; delete one first.")
        hooks.endpoints[endpoint.endpoint_id] = endpoint
    headers = {"Location": f"/v1/webhook-endpoints/{endpoint.endpoint_id}", "Cache-Control": "no-store"}
    return success(endpoint_json(endpoint, endpoint.secret)), 201, headers  # the secret, this once


def own_endpoint(endpoint_id: str) -> Endpoint:
    """The caller's endpoint, or 404 (other people's endpoints do not exist, as far as you can tell)."""
    owner = subscriber()  # first: a stranger gets a 401, never a hint about which IDs exist
    endpoint = webhooks().endpoints.get(endpoint_id)
    if endpoint is None or endpoint.owner != owner:
        raise NotFound(f"Webhook endpoint '{endpoint_id}' does not exist.")
    return endpoint


@bp.get("/v1/webhook-endpoints/<endpoint_id>")
def get_endpoint(endpoint_id: str):
    return conditional.represent(success(endpoint_json(own_endpoint(endpoint_id))))


@bp.delete("/v1/webhook-endpoints/<endpoint_id>")
def delete_endpoint(endpoint_id: str):
    endpoint, hooks = own_endpoint(endpoint_id), webhooks()
    with hooks.lock:  # read again, check and delete as one step: a concurrent delete cannot slip in between
        if hooks.endpoints.get(endpoint_id) is None:
            raise NotFound(f"Webhook endpoint '{endpoint_id}' does not exist.")
        conditional.check_preconditions(success(endpoint_json(hooks.endpoints[endpoint_id])))
        hooks.endpoints.pop(endpoint_id)
    hooks.deliveries.cancel(endpoint.endpoint_id)
    return "", 204
