"""Presence: ``GET /v1/channels/{id}/presence`` asks a downstream service who is online.

The downstream is a stand-in (``PresenceService``) that can be made to fail
(``PRESENCE_FAILING``, or ``.failing = True`` at run time), and every call to it goes
through a ``CircuitBreaker``. While the dependency fails the API answers 503; once the
breaker opens it answers 503 at once, without calling the dependency, with
``Retry-After`` set to the rest of the cool-down: a degraded, fast answer instead of
a slow failure that ties up server threads.

With ``PRESENCE_MAX_STALE`` seconds (0, the default, turns it off), a failure is answered
instead with the channel's last known presence, if it is at most that old: a ``200`` whose
``meta`` says ``"stale": true`` and its age (``ageSeconds``), the API's counterpart of
``stale-if-error`` (RFC 5861 section 4). Presence a minute old is more use to a chat
client than an error; only once it is older than that does the API answer ``503``.
"""

from __future__ import annotations

import math
import threading

from flask import Blueprint, current_app

from ..envelope import success
from ..errors import ServiceUnavailable
from ..resilience import CircuitBreaker, CircuitOpen
from .auth import current_user
from .channels import require_member
from .services import Services, services

bp = Blueprint("presence", __name__)


class DependencyFailed(Exception):
    """The downstream presence service did not answer (a stand-in for a timeout or a 5xx)."""


class PresenceService:
    """A fake downstream: users are online unless told otherwise; ``failing`` makes every call fail."""

    def __init__(self, failing: bool = False):
        self.failing = failing
        self.offline: set[str] = set()
        self.calls = 0
        self._lock = threading.Lock()

    def status(self, user_ids: list[str]) -> dict[str, str]:
        with self._lock:
            self.calls += 1
        if self.failing:
            raise DependencyFailed("presence service timed out")
        return {u: "offline" if u in self.offline else "online" for u in user_ids}


def install(config, svc: Services) -> None:
    """Put the downstream and its breaker in ``svc.extras`` ("presence", "presence_breaker")."""
    svc.extras["presence"] = PresenceService(config["PRESENCE_FAILING"])
    svc.extras["presence_last_known"] = {}  # channel id -> (when, status): what a degraded answer serves
    svc.extras["presence_breaker"] = CircuitBreaker(
        failures=config["BREAKER_FAILURES"], cooldown=config["BREAKER_COOLDOWN"],
        trials=config["BREAKER_TRIALS"], clock=svc.clock, name="presence")


@bp.get("/v1/channels/<channel_id>/presence")
def channel_presence(channel_id: str):
    require_member(channel_id, current_user())
    svc = services()
    members = svc.repo.members(channel_id)
    breaker = svc.extras["presence_breaker"]
    try:
        status = breaker.call(svc.extras["presence"].status, members)
    except (CircuitOpen, DependencyFailed) as exc:
        degraded = last_known_presence(channel_id, members, svc)
        if degraded is None:
            raise_unavailable(exc, breaker)
        return degraded
    svc.extras["presence_last_known"][channel_id] = (svc.clock.now(), status)
    return success([{"userId": u, "presence": status[u]} for u in members], {"count": len(members)})


def last_known_presence(channel_id: str, members: list[str], svc: Services):
    """A degraded answer: the last presence seen for the channel, marked stale, if it is recent enough."""
    when, status = svc.extras["presence_last_known"].get(channel_id, (None, {}))
    max_stale = current_app.config["PRESENCE_MAX_STALE"]
    if not max_stale or when is None or svc.clock.now() - when > max_stale or set(members) - set(status):
        return None
    return success([{"userId": u, "presence": status[u]} for u in members],
                   {"count": len(members), "stale": True, "ageSeconds": math.floor(svc.clock.now() - when)})


def raise_unavailable(exc: Exception, breaker: CircuitBreaker) -> None:
    """The 503 when nothing recent enough can be served: fast while the breaker is open, with its wait."""
    if isinstance(exc, CircuitOpen):
        raise ServiceUnavailable("Presence is temporarily unavailable; not calling the presence service.",
                                 details=[{"dependency": "presence", "breaker": "open"}],
                                 headers={"Retry-After": str(math.ceil(exc.retry_after))}) from None
    raise ServiceUnavailable("The presence service failed to answer.",
                             details=[{"dependency": "presence", "breaker": breaker.state}],
                             headers={"Retry-After": "1"}) from None
