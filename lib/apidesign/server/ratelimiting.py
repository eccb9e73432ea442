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
quantity (``reset_after``), not when the next unit arrives, so a 2xx leaves ``t`` out; a 429 sends ``t`` on each
policy that cannot take the request yet, and ``Retry-After`` equal to the largest, since section 6 of -10 says it
SHOULD NOT point earlier than ``t``.

Plans and endpoints. Instead of one ``algorithm``/``limit``/``window``, a config may name plans, each a set of
policies, and give some routes a cost::

    {"plans": {"free": {"burst": {"algorithm": "token_bucket", "limit": 5, "window": 10},
                        "daily": {"algorithm": "fixed_window", "limit": 100, "window": 86400}},
               "paid": {"burst": {"algorithm": "token_bucket", "limit": 50, "window": 10}}},
     "plan_of": {"user:usr_bob": "paid"}, "default_plan": "free",
     "costs": {"POST /v1/channels/<channel_id>/exports": 10}}

A caller (its ``caller_key``) gets ``plan_of[caller]``, else ``default_plan``; a request costs ``costs["METHOD rule"]``
(the Flask rule, checked against the app's routes at start-up), else 1. ``q`` and ``r`` count units: a route of cost
10 spends 10 (draft -10 section 3.1.2). Each policy is charged in turn, shortest window first whatever the config
order, under its own key (``"<policy>:<caller>"``), one store round trip each; after a refusal the rest are only read
(cost 0). So a refusal by a longer window has already spent units of the shorter ones, which refill within their
window: charging several policies atomically needs one script over all their keys (with a ``{caller}`` hash tag, so
they share a Redis Cluster slot). Every response lists all the caller's policies in one ``RateLimit-Policy`` field
and one item per policy in ``RateLimit`` (draft -10 sections 3 and 4 define both fields as Lists); a 429 names the
refusing policy, and its ``Retry-After`` is the longest wait among the policies that cannot take the request now, so a
client that obeys it gets through. A cost above a policy's limit could never fit and is refused at start-up.
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
    """Build every plan's limiters into the app's services and hook them around every request."""
    config = app.config.get("RATE_LIMIT")
    if not config:
        return
    if config.get("on_store_error", "open") not in FAILURE_MODES:
        raise RateLimitConfigError(f"on_store_error must be one of {FAILURE_MODES}, not {config['on_store_error']!r}")
    svc = app.extensions["apidesign"]
    clock = svc.clock if config.get("clock", "store") == "app" else None
    svc.extras["rate_limit_plans"] = {plan: {name: limiter_from_config(policy, store=svc.store, clock=clock)
                                             for name, policy in policies.items()}
                                      for plan, policies in plans_of(config).items()}
    unknown = {_config(config)["default_plan"], *_config(config)["plan_of"].values()} - set(plans_of(config))
    if unknown:
        raise RateLimitConfigError(f"plans {sorted(unknown)} are named but not defined in \"plans\"")
    check_costs(app, _config(config)["costs"], plans_of(config))
    app.before_request(enforce)
    app.after_request(add_headers)


def plans_of(config: Mapping[str, Any]) -> dict[str, dict[str, Mapping[str, Any]]]:
    """``{plan: {policy name: limiter config}}``; a config without ``plans`` is one plan of one policy."""
    if "plans" in config:
        return config["plans"]
    return {"default": {config.get("policy", "default"): config}}


def check_costs(app: Flask, costs: Mapping[str, Any], plans: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
    """Refuse at start-up what would otherwise fail per request, or send headers draft -10 does not allow."""
    routes = {f"{method} {rule.rule}" for rule in app.url_map.iter_rules() for method in rule.methods}
    for route, cost in costs.items():
        if route not in routes:
            raise RateLimitConfigError(f"costs: {route!r} is not a route of this app; write the method and the "
                                       f"Flask rule, e.g. \"POST /v1/channels/<channel_id>/exports\"")
        if type(cost) is not int or cost < 0:
            raise RateLimitConfigError(f"costs: {route!r} costs {cost!r}; a cost is a whole number >= 0")
    for plan, policies in plans.items():
        if not policies:  # no policy would mean no limit and empty header fields (draft -10 section 3)
            raise RateLimitConfigError(f"plan {plan!r} has no policies; give it at least one")
        for name, policy in policies.items():
            if not isinstance(name, str) or not name or any(c in '"\\' or not " " <= c <= "~" for c in name):
                raise RateLimitConfigError(f"policy name {name!r}: printable ASCII without \" or \\ "
                                           "(it is sent as a structured-field string)")
            if policy["window"] < 1 or policy["window"] != int(policy["window"]):
                raise RateLimitConfigError(f"policy {name!r}: window {policy['window']!r} must be whole seconds "
                                           ">= 1 (RateLimit-Policy w, draft -10 section 3.1.3)")
            too_dear = [route for route, cost in costs.items() if cost > policy["limit"]]
            if too_dear:  # it could never fit: a 429 with no honest Retry-After, on every call
                raise RateLimitConfigError(f"costs {too_dear} exceed the limit {policy['limit']} of policy "
                                           f"{name!r} in plan {plan!r}")


def caller_key() -> str:
    """Whom this request counts against: the authenticated principal, else the socket's peer address."""
    try:
        return principal_id()
    except Unauthenticated:
        return f"ip:{request.remote_addr}"


def caller_policies(caller: str) -> dict[str, Limiter]:
    """The policies of the caller's plan: ``plan_of[caller]``, else the default plan."""
    config = _config()
    return services().extras["rate_limit_plans"][config["plan_of"].get(caller, config["default_plan"])]


def request_cost() -> int:
    """What this route costs: ``costs["METHOD /rule"]``, else 1 (an unknown path costs 1)."""
    rule = request.url_rule.rule if request.url_rule is not None else None
    return _config()["costs"].get(f"{request.method} {rule}", 1)


def charge(policies: Mapping[str, Limiter], key: str, cost: int) -> dict[str, Decision]:
    """Every policy's decision, shortest window first; after a refusal the later ones are only read (cost 0).

    Shortest first, whatever the config order: a request that a long window (daily) refuses has then spent only
    units of the shorter ones (burst), which come back within their window, and never a daily unit for nothing.
    """
    decisions: dict[str, Decision] = {}
    for name, limiter in sorted(policies.items(), key=lambda item: item[1].window):
        admitted = all(d.allowed for d in decisions.values())
        decisions[name] = limiter.allow(f"{name}:{key}", cost if admitted else 0)
    return decisions


def waits(decisions: Mapping[str, Decision], cost: int) -> dict[str, int]:
    """Whole seconds until each policy that cannot take ``cost`` now can take it: the refusal's own wait, and for a
    policy left with fewer than ``cost`` units, the time until its quota is whole (``reset_after``), when it surely can
    (for a bucket, which refills unit by unit, that is later than the earliest moment: a safe upper bound)."""
    return {name: whole_seconds(d.reset_after if d.allowed else d.retry_after)
            for name, d in decisions.items() if not d.allowed or d.remaining < cost}


def enforce() -> None:
    """Charge the caller this route's cost on every policy of its plan; a 429 waits for the slowest policy."""
    caller, cost = caller_key(), request_cost()
    g.rate_limit_policies = policies = caller_policies(caller)
    try:
        decisions = g.rate_limit = charge(policies, caller, cost)
    except LimiterUnavailable as exc:
        if _config()["on_store_error"] == "closed":
            raise ServiceUnavailable("Rate limiting is unavailable, so requests are refused for now.",
                                     headers={"Retry-After": "1"}) from None
        current_app.logger.warning("rate limit skipped (fail open): %s", exc)
        return
    refused = [name for name, d in decisions.items() if not d.allowed]
    if refused:  # Retry-After: the longest wait, so a client that obeys it is not refused by another policy
        g.rate_limit_waits = wait_for = waits(decisions, cost)
        name, limiter, wait = refused[0], policies[refused[0]], max(wait_for.values())
        raise RateLimited(f"Too many requests: the limit{_named(name)} is {limiter.limit} per {limiter.window:g} s. "
                          f"Retry in {wait} s.", headers={"Retry-After": str(wait)},
                          details=[{"policy": n, "limit": policies[n].limit, "window": policies[n].window,
                                    "retry_after": wait_for[n]} for n in [name, *(n for n in wait_for if n != name)]])


def _named(name: str) -> str:
    return "" if name == "default" else f' "{name}"'


def add_headers(response):
    """All the caller's policies on every response, in config order; each one's remaining quota when decided."""
    policies = g.get("rate_limit_policies")
    if policies is None:  # the request ended before the limiter knew the caller (credentials could not be checked)
        return response
    response.headers["RateLimit-Policy"] = ", ".join(policy_header(n, lim) for n, lim in policies.items())
    decisions, wait_for = g.get("rate_limit"), g.get("rate_limit_waits", {})
    if decisions is not None:
        response.headers["RateLimit"] = ", ".join(ratelimit_header(n, decisions[n], wait_for.get(n)) for n in policies)
    return response


def policy_header(name: str, limiter: Limiter) -> str:
    """``"default";q=100;w=60``: the quota and its window in whole seconds (``install`` refuses any other window)."""
    return f'"{name}";q={limiter.limit};w={round(limiter.window)}'


def ratelimit_header(name: str, decision: Decision, t: int | None = None) -> str:
    """``"default";r=42;t=17``: units left, and, on a 429, whole seconds until this policy can take the request."""
    return f'"{name}";r={decision.remaining}' + ("" if t is None else f";t={t}")


def whole_seconds(seconds: float) -> int:
    """``Retry-After`` is whole seconds (RFC 9110 section 10.2.3): round up, so a client that obeys succeeds."""
    return max(1, math.ceil(seconds - 1e-9))


def _config(config: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    config = current_app.config["RATE_LIMIT"] if config is None else config
    return {"on_store_error": "open", "plan_of": {}, "default_plan": "default", "costs": {}, **config}
