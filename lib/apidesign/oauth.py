"""OAuth 2.0 pieces (RFC 6749) as plain objects: PKCE, one-time authorization codes,
rotating refresh tokens with reuse detection, and short-lived JWT access tokens.

The Flask routes in ``apidesign.server.oauth_routes`` are a thin shell around these.
Every piece takes its store, clock and randomness, so tests and notebooks replay exactly.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import string
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import jwt
from .clock import Clock
from .errors import ApiDesignError
from .revocation import CLOCK_SKEW_LEEWAY, Denylist, DenylistUnavailable
from .store import Store

UNRESERVED = string.ascii_letters + string.digits + "-._~"   # RFC 7636 section 4.1
BASE62 = string.ascii_letters + string.digits
ACCESS_TOKEN_TYPE = "at+jwt"                                # RFC 9068 section 2.1
ACCESS_TOKEN_TYPES = ("at+jwt", "application/at+jwt")       # RFC 9068 section 4: a verifier accepts either
LOOPBACK_HOSTS = ("127.0.0.1", "[::1]")                     # RFC 8252 section 7.3: loopback IP literals
GRANT_PREFIX = "grant:"                                     # denylist entries that stand for a whole grant


class OAuthError(ApiDesignError):
    """An OAuth error response: ``error`` is the RFC 6749 section 5.2 code sent to the client."""

    error = "invalid_request"

    def __init__(self, description: str):
        super().__init__(description)
        self.description = description


class InvalidRequest(OAuthError):
    """A parameter is missing, repeated or malformed (RFC 6749 section 5.2)."""


class UnsupportedGrantType(OAuthError):
    """The token endpoint does not implement this ``grant_type`` (RFC 6749 section 5.2)."""

    error = "unsupported_grant_type"


class InvalidClient(OAuthError):
    """Unknown client, or a redirect URI it did not register (RFC 6749 section 5.2)."""

    error = "invalid_client"


class UnauthorizedClient(OAuthError):
    """This client may not use this grant type, e.g. a public client asking for client credentials (RFC 6749 section 5.2)."""

    error = "unauthorized_client"


class InvalidScope(OAuthError):
    """A requested scope is unknown or exceeds what was granted (RFC 6749 section 5.2)."""

    error = "invalid_scope"


class InvalidGrant(OAuthError):
    """The code or refresh token is invalid, expired, used, revoked, or not this client's (RFC 6749 section 5.2)."""

    error = "invalid_grant"


class RefreshTokenReused(InvalidGrant):
    """A retired refresh token came back: assume theft and revoke the whole family (RFC 9700 section 4.14.2)."""


class RevokedTokenError(jwt.InvalidTokenError):
    """The access token's ``jti``, or its grant, is on the denylist: it was revoked (RFC 7009 section 2)."""


class WrongTokenTypeError(jwt.InvalidTokenError):
    """The token is not an access token (``typ`` must be ``at+jwt`` or ``application/at+jwt``, RFC 9068 section 4)."""


def random_string(rng: random.Random, n: int, alphabet: str = BASE62) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def digest(secret: str) -> str:
    """How codes and refresh tokens are stored: SHA-256, never the token itself."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# --- PKCE (RFC 7636) ---------------------------------------------------------------------

def code_verifier(rng: random.Random, length: int = 64) -> str:
    """A fresh high-entropy verifier: 43-128 unreserved characters, kept by the client."""
    return random_string(rng, length, UNRESERVED)


def s256(verifier: str) -> str:
    """The S256 code challenge: ``base64url(sha256(verifier))`` (RFC 7636 section 4.2)."""
    return jwt.b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest())


def pkce_matches(verifier: str, challenge: str) -> bool:
    """Does ``verifier`` hash to the stored ``challenge``? Constant-time; only S256 exists here."""
    if not isinstance(verifier, str) or not 43 <= len(verifier) <= 128 or set(verifier) - set(UNRESERVED):
        return False
    return hmac.compare_digest(s256(verifier), challenge)


def redirect_uri_registered(requested: str, registered: list[str]) -> bool:
    """Exact match, except that a loopback IP redirect URI may name any port (RFC 8252 section 7.3)."""
    return requested in registered or any(_without_loopback_port(requested) == _without_loopback_port(r)
                                          for r in registered if _without_loopback_port(r))


def _without_loopback_port(uri: str) -> str | None:
    """``http://127.0.0.1/path`` for ``http://127.0.0.1:<port>/path``; None for any other URI."""
    try:
        parts = urlsplit(uri)
        parts.port  # a malformed port raises here
    except ValueError:
        return None
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    if parts.scheme != "http" or host not in LOOPBACK_HOSTS or "@" in parts.netloc:
        return None
    return parts._replace(netloc=host).geturl()


# --- authorization codes: one use, one minute ----------------------------------------

_TAKE_LUA = """
local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value
"""


def _take_py(store, keys, args):
    value = store.load(keys[0])
    store.delete(keys[0])
    return value


class AuthorizationCodes:
    """Short-lived, single-use codes that stand for a user's consent (RFC 6749 section 4.1.2)."""

    def __init__(self, store: Store, rng: random.Random, ttl: float = 60):
        self.store, self.rng, self.ttl = store, rng, ttl
        self._take = store.script(_TAKE_LUA, _take_py)

    def issue(self, grant: dict) -> str:
        code = random_string(self.rng, 32)
        self.store.set(f"code:{digest(code)}", json.dumps(grant), ttl=self.ttl)
        return code

    def redeem(self, code: str) -> dict:
        """The grant behind ``code``, exactly once (get-and-delete in one atomic step)."""
        value = self._take([f"code:{digest(str(code))}"])
        if value is None:
            raise InvalidGrant("The authorization code is invalid, expired or already used.")
        return json.loads(value)


# --- refresh tokens: rotate on every use, detect reuse -------------------------------------

# KEYS: presented token, its family, the replacement. ARGV: replacement record, TTL in ms.
_ROTATE_LUA = """
local current = redis.call('GET', KEYS[1])
if not current then return 'unknown' end
if redis.call('GET', KEYS[2]) == 'revoked' then return 'revoked' end
if string.sub(current, 1, 5) == 'used:' then
  redis.call('SET', KEYS[2], 'revoked', 'PX', ARGV[2])
  return 'reuse'
end
redis.call('SET', KEYS[1], 'used:' .. current, 'PX', ARGV[2])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
return current
"""


def _rotate_py(store, keys, args):
    current, ttl = store.load(keys[0]), int(args[1]) / 1000
    if current is None:
        return "unknown"
    if store.load(keys[1]) == "revoked":
        return "revoked"
    if current.startswith("used:"):
        store.save(keys[1], "revoked", ttl)
        return "reuse"
    store.save(keys[0], "used:" + current, ttl)
    store.save(keys[2], args[0], ttl)
    return current


class RefreshTokens:
    """Opaque refresh tokens ``rt_<family>.<secret>``; each use retires the token and issues the next."""

    def __init__(self, store: Store, rng: random.Random, ttl: float = 30 * 24 * 3600):
        self.store, self.rng, self.ttl = store, rng, ttl
        self._rotate = store.script(_ROTATE_LUA, _rotate_py)

    def issue(self, grant: dict) -> str:
        """The first token of a new family (one family per login/consent)."""
        family = random_string(self.rng, 12)
        token = self._new_token(family)
        self.store.set(f"rt:{digest(token)}", json.dumps({**grant, "family": family}), ttl=self.ttl)
        return token

    def rotate(self, token: str) -> tuple[str, dict]:
        """(next token, grant); a retired token revokes its family and raises ``RefreshTokenReused``."""
        family = self.family_of(token)
        replacement = self._new_token(family)
        result = self._rotate([f"rt:{digest(token)}", f"rtfam:{family}", f"rt:{digest(replacement)}"],
                              [json.dumps({**self._peek(token), "family": family}), int(self.ttl * 1000)])
        if result == "reuse":
            raise RefreshTokenReused("This refresh token was already used; every token of its family is now revoked.")
        if result in ("unknown", "revoked"):
            raise InvalidGrant(f"The refresh token is {'revoked' if result == 'revoked' else 'invalid or expired'}.")
        return replacement, json.loads(result)

    def revoke_family(self, token: str) -> bool:
        """Log out everywhere this grant reached: no token of the family will refresh again.

        Only a real token of the family (current or retired) can do this; a guessed family ID cannot.
        """
        family = self.family_of(token)
        if self.store.get(f"rt:{digest(token)}") is None:
            return False
        self.store.set(f"rtfam:{family}", "revoked", ttl=self.ttl)
        return True

    def client_of(self, token: str) -> str | None:
        """The ``client_id`` this token (current or retired) was issued to; None if it is unknown or expired."""
        self.family_of(token)
        return self._peek(token).get("client_id")

    def family_of(self, token: str) -> str:
        if not isinstance(token, str) or not token.startswith("rt_") or "." not in token:
            raise InvalidGrant("That is not a refresh token.")
        return token[3:].split(".", 1)[0]

    def _peek(self, token: str) -> dict:
        text = self.store.get(f"rt:{digest(token)}") or "{}"
        return json.loads(text.removeprefix("used:"))

    def _new_token(self, family: str) -> str:
        return f"rt_{family}.{random_string(self.rng, 32)}"


# --- access tokens: short-lived JWTs (RFC 9068) ---------------------------------------------

@dataclass
class AccessTokens:
    """Mint and verify access JWTs with one signing key; revoked ``jti``s are refused via ``denylist``."""

    key: Any
    algorithm: str
    issuer: str
    audience: str
    clock: Clock
    denylist: Denylist
    rng: random.Random
    ttl: float = 900
    leeway: float = CLOCK_SKEW_LEEWAY  # verify() accepts tokens this long past exp; revoke() denies them as long
    verify_key: Any = field(default=None)
    # Denylist store down: True accepts signed, unexpired tokens, revoked or not (the "none" strategy, for as
    # long as the outage lasts); False raises DenylistUnavailable, which the API answers with 503. Open by
    # default: an outage of the store then logs nobody out, at the price of honouring revoked tokens meanwhile.
    fail_open: bool = True

    def __post_init__(self):
        self.signing_key = jwt.load_key(self.key)
        self.verify_key = self.verify_key or self.signing_key
        self.kid = None  # a shared secret is never published, so it needs no public name
        if self.signing_key.family != "HS":
            self.kid = jwt.public_jwk(jwt.algorithms.public_key(self.signing_key), self.algorithm)["kid"]

    def mint(self, sub: str, scopes: list[str] | tuple[str, ...], client_id: str = "first-party",
             ttl: float | None = None, grant: str | None = None) -> str:
        """A signed access token for ``sub`` carrying ``scopes``, valid for ``ttl`` seconds from now.

        ``grant`` names the refresh-token family it was issued under (the ``sid`` claim), so revoking
        the grant can refuse it too (RFC 7009 section 2.1).
        """
        now = int(self.clock.now())
        claims = {"iss": self.issuer, "sub": sub, "aud": self.audience, "client_id": client_id,
                  "scope": " ".join(scopes), "iat": now, "exp": now + int(ttl or self.ttl),
                  "jti": random_string(self.rng, 16), **({"sid": grant} if grant else {})}
        header = {"typ": ACCESS_TOKEN_TYPE, **({"kid": self.kid} if self.kid else {})}
        return jwt.encode(claims, self.signing_key, self.algorithm, headers=header)

    def verify(self, token: str) -> dict:
        """The claims of a valid, unrevoked access token, or an ``InvalidTokenError`` subclass."""
        parts = jwt.decode_complete(token, self.verify_key, [self.algorithm], audience=self.audience,
                                    issuer=self.issuer, leeway=self.leeway, clock=self.clock,
                                    require=("exp", "iat", "sub", "jti", "scope"))
        if str(parts["header"].get("typ", "")).lower() not in ACCESS_TOKEN_TYPES:  # media types ignore case
            raise WrongTokenTypeError("This token is not an access token.")
        claims = parts["payload"]
        if not all(isinstance(claims[c], str) for c in ("sub", "jti", "scope")):
            raise jwt.InvalidClaimError("'sub', 'jti' and 'scope' must be strings.")
        if self._revoked(claims["jti"]) or ("sid" in claims and self._revoked(GRANT_PREFIX + str(claims["sid"]))):
            raise RevokedTokenError("This token has been revoked.")
        return claims

    def _revoked(self, jti: str) -> bool:
        """The denylist's answer; when the store is down, False if failing open, else the error goes up."""
        try:
            return self.denylist.is_revoked(jti)
        except DenylistUnavailable:
            if not self.fail_open:
                raise
            return False

    def revoke(self, token: str) -> float:
        """Put a valid token's ``jti`` on the denylist until ``exp`` plus this verifier's leeway; returns the TTL used."""
        claims = self.verify(token)
        return self.denylist.revoke(claims["jti"], claims["exp"], self.clock.now(), leeway=self.leeway)

    def revoke_grant(self, grant: str) -> float:
        """Refuse every access token minted under ``grant``: deny its ``sid`` for as long as the newest
        such token could still verify (one lifetime plus the leeway)."""
        now = self.clock.now()
        return self.denylist.revoke(GRANT_PREFIX + grant, now + self.ttl, now, leeway=self.leeway)


def scopes_of(claims: dict) -> frozenset[str]:
    """The space-separated ``scope`` claim as a set (RFC 8693 section 4.2)."""
    return frozenset(claims.get("scope", "").split())
