"""Per-caller rate limits on every request, and the IETF RateLimit headers on every response.

Off by default (``RATE_LIMIT: None``), so chapters that fire many requests on a fake
clock are unaffected. One config entry turns it on::

    create_app({"RATE_LIMIT": {"algorithm": "token_bucket", "limit": 100, "window": 60}})

Optional keys: ``"on_store_error"``: ``"open"`` (default: an unreachable store lets the
request through, without a ``RateLimit`` header, and logs a warning; the limiter protects
capacity, it is not a security boundary) or ``"closed"`` (answer 503 with ``Retry-After``);
``"clock"``: ``"store"`` (default: Redis ``TIME``, so every app server agrees) or ``"app"``
(the app's ``CLOCK``, for fake-clock demos); ``"policy"``: the policy name in the headers.

The key is ``principal_id()`` for authenticated callers and ``ip:<socket address>`` for
everyone else. It never comes from ``X-Forwarded-For``: a client can write any value there, and this
server has no proxy of its own. Behind one, the peer address is the proxy's (every anonymous client in one
bucket): take the entry your own proxy added to ``X-Forwarded-For`` or ``Forwarded`` (RFC 7239) instead.
Headers follow draft-ietf-httpapi-ratelimit-headers-10 (September 2025; an Internet-Draft, work in
progress): ``RateLimit-Policy: "default";q=100;w=60`` (section 3) and ``RateLimit: "default";r=<remaining>;t=<seconds>``
(section 4), where the OPTIONAL ``t`` is the time "until additional quota [...] is made available" (section 4.1.2).
Revisions -08 and -09 defined ``t`` as the time until the quota *resets*. A ``Decision`` carries that older
quantity (``reset_after``), not when the next unit arrives, so a 2xx leaves ``t`` out; a 429 sends ``t`` equal
to ``Retry-After``, which section 6 of -10 says SHOULD NOT point earlier than ``t``.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from flask import Flask, current_app, g, request

from ..errors import RateLimited, ServiceUnavailable, Unauthenticated
from ..ratelimit import Decision, Limiter, LimiterUnavailable, RateLimitError, limiter_from_config
from .auth import principal_id
from .services import services

FAILURE_MODES = ("open", "closed")


class RateLimitConfigError(RateLimitError, ValueError):
    """The ``RATE_LIMIT`` config names an option value this module does not know."""


def install(app: Flask) -> None:
    """Build the configured limiter into the app's services and hook it around every request."""
    config = app.config.get("RATE_LIMIT")
    if not config:
        return
    if config.get("on_store_error", "open") not in FAILURE_MODES:
        raise RateLimitConfigError(f"on_store_error must be one of {FAILURE_MODES}, not {config['on_store_error']!r}")
    svc = app.extensions["apidesign"]
    clock = svc.clock if config.get("clock", "store") == "app" else None
    svc.extras["rate_limiter"] = limiter_from_config(config, store=svc.store, clock=clock)
    app.before_request(enforce)
    app.after_request(add_headers)


def caller_key() -> str:
    """Whom this request counts against: the authenticated principal, else the socket's peer address."""
    try:
        return principal_id()
    except Unauthenticated:
        return f"ip:{request.remote_addr}"


def enforce() -> None:
    """Charge the caller one unit; a 429 with ``Retry-After`` when the quota is spent."""
    limiter: Limiter = services().extras["rate_limiter"]
    try:
        decision = g.rate_limit = limiter.allow(caller_key())
    except LimiterUnavailable as exc:
        if _config()["on_store_error"] == "closed":
            raise ServiceUnavailable("Rate limiting is unavailable, so requests are refused for now.",
                                     headers={"Retry-After": "1"}) from None
        current_app.logger.warning("rate limit skipped (fail open): %s", exc)
        return
    if not decision.allowed:
        wait = retry_after_seconds(decision)
        raise RateLimited(f"Too many requests: the limit is {limiter.limit} per {limiter.window:g} s. "
                          f"Retry in {wait} s.", details=[{"limit": limiter.limit, "window": limiter.window,
                                                          "retry_after": wait}],
                          headers={"Retry-After": str(wait)})


def add_headers(response):
    """The policy on every response; the caller's remaining quota whenever a decision was made."""
    limiter: Limiter = services().extras["rate_limiter"]
    name = _config()["policy"]
    response.headers["RateLimit-Policy"] = policy_header(name, limiter)
    decision = g.get("rate_limit")
    if decision is not None:
        response.headers["RateLimit"] = ratelimit_header(name, decision)
    return response


def policy_header(name: str, limiter: Limiter) -> str:
    """``"default";q=100;w=60``: the quota and its window in seconds."""
    return f'"{name}";q={limiter.limit};w={math.ceil(limiter.window)}'


def ratelimit_header(name: str, decision: Decision) -> str:
    """``"default";r=42;t=17``: units left, and whole seconds until more quota is available (draft -10, 4.1.2)."""
    t = reset_seconds(decision)
    return f'"{name}";r={decision.remaining}' + ("" if t is None else f";t={t}")


def reset_seconds(decision: Decision) -> int | None:
    """``t``, or None to leave it out: on a refusal exactly ``Retry-After``; on an admission, unknown."""
    if decision.allowed:  # a Decision says when the quota is whole, not when the next unit comes back
        return None
    return retry_after_seconds(decision)


def retry_after_seconds(decision: Decision) -> int:
    """``Retry-After`` is whole seconds (RFC 9110 section 10.2.3): round up, so a client that obeys succeeds."""
    if math.isinf(decision.retry_after):  # a cost that can never fit: no wait helps, say "a long while"
        return 86_400
    return max(1, math.ceil(decision.retry_after - 1e-9))


def _config() -> Mapping[str, Any]:
    config = current_app.config["RATE_LIMIT"]
    return {"on_store_error": "open", "policy": "default", **config}
