"""Revoking tokens that verify on their own: the ``jti`` denylist, and the trade-off it buys.

A signed JWT stays valid until ``exp`` whatever the server thinks of it later. Three
answers, each with a cost:

* **none**: wait it out; a revoked token works for up to its whole lifetime.
* **denylist**: remember revoked ``jti`` values in the shared store until no verifier
  would accept them anyway, and check each request against it. A verifier tolerates
  clock skew by accepting a token for ``leeway`` seconds after ``exp`` (RFC 7519
  section 4.1.4 allows "some small leeway"), so the entry lives until ``exp + leeway``,
  not until ``exp``: otherwise the token works again for those last seconds.
* **introspection**: ask the authorization server about every token (RFC 7662).
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.exceptions import RedisError

from .errors import ApiDesignError
from .store import Store

STRATEGIES = ("none", "denylist", "introspection")
STORE_ERRORS = (OSError, RedisError)  # what an unreachable shared store raises
CLOCK_SKEW_LEEWAY = 30  # seconds a verifier still accepts a token after its exp (the course's default)


class DenylistUnavailable(ApiDesignError):
    """The shared store holding the denylist cannot be reached, so revocation cannot be checked."""


class Denylist:
    """Revoked token IDs in the shared store, each kept exactly as long as a verifier could still accept the token."""

    def __init__(self, store: Store, prefix: str = "deny:"):
        self.store, self.prefix = store, prefix

    def revoke(self, jti: str, exp: float, now: float, *, leeway: float) -> float:
        """Deny ``jti`` until ``exp + leeway`` (the verifier's leeway); returns the TTL used (0 if already dead)."""
        remaining = exp + leeway - now
        if remaining <= 0:
            return 0.0  # no verifier accepts it any more: nothing to remember
        self.store.set(self.prefix + jti, "1", ttl=remaining)
        return remaining

    def is_revoked(self, jti: str) -> bool:
        """Is ``jti`` denied? ``DenylistUnavailable`` if the store cannot say."""
        try:
            return self.store.get(self.prefix + jti) is not None
        except STORE_ERRORS as exc:
            raise DenylistUnavailable(f"denylist store unreachable ({type(exc).__name__})") from None

    def log_out_everywhere(self, sub: str, now: float, *, max_lifetime: float, leeway: float) -> None:
        """Revoke every token of ``sub`` issued before ``now``: one entry, however many tokens, kept as long as
        the longest-lived of them could still be accepted."""
        self.store.set(self.prefix + "sub:" + sub, str(now), ttl=max_lifetime + leeway)

    def issued_before_cutoff(self, claims: dict) -> bool:
        """Was this token issued (``iat``) before its subject's "log out everywhere" cut-off?"""
        try:
            cutoff = self.store.get(self.prefix + "sub:" + str(claims["sub"]))
        except STORE_ERRORS as exc:
            raise DenylistUnavailable(f"denylist store unreachable ({type(exc).__name__})") from None
        return cutoff is not None and claims["iat"] < float(cutoff)

    def size(self) -> int:
        """Entries held right now (expired ones are gone by themselves)."""
        return len(self.store.keys(self.prefix + "*"))


@dataclass(frozen=True)
class Tradeoff:
    """The cost of one revocation strategy at one access-token lifetime, in steady state."""

    strategy: str
    access_ttl: float
    revoked_token_window: float     # seconds a revoked token keeps working, worst case
    denylist_entries: float         # jtis held (revoked, still acceptable to a verifier), on average
    auth_server_calls_per_s: float  # token refreshes + introspections
    store_lookups_per_s: float      # denylist reads on the request path


def revocation_tradeoff(access_ttl: float, strategy: str, request_rate: float, *, sessions: int = 10_000,
                        revocations_per_hour: float = 60, leeway: float = CLOCK_SKEW_LEEWAY,
                        store_down: bool = False) -> Tradeoff:
    """The steady-state numbers for ``strategy`` when ``sessions`` clients make ``request_rate`` requests/s.

    Every session refreshes once per ``access_ttl``. Verifiers accept a token ``leeway`` seconds
    past ``exp``, so without a denylist a revoked token works for ``access_ttl + leeway``. A token
    is revoked, on average, halfway through its life, so it sits on the denylist for
    ``access_ttl / 2 + leeway`` (Little's law: entries = arrival rate x time in system).
    ``store_down``: the denylist's store is unreachable and verifiers fail open (the server's default),
    so for as long as the outage lasts a denylist protects no better than none.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}")
    if access_ttl <= 0:
        raise ValueError(f"access_ttl must be a positive number of seconds, not {access_ttl!r}")
    for name, value in (("request_rate", request_rate), ("sessions", sessions),
                        ("revocations_per_hour", revocations_per_hour), ("leeway", leeway)):
        if value < 0:
            raise ValueError(f"{name} cannot be negative, not {value!r}")
    refreshes = sessions / access_ttl
    revocations = revocations_per_hour / 3600
    return Tradeoff(
        strategy, access_ttl,
        revoked_token_window=0.0 if strategy == "introspection" or (strategy == "denylist" and not store_down)
        else access_ttl + leeway,
        denylist_entries=revocations * (access_ttl / 2 + leeway) if strategy == "denylist" else 0.0,
        auth_server_calls_per_s=refreshes + (request_rate if strategy == "introspection" else 0.0),
        store_lookups_per_s=request_rate if strategy == "denylist" else 0.0)
