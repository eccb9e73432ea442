"""Who is calling, and may they? The one place the API answers both questions.

* Users send ``Authorization: Bearer <access JWT>`` (RFC 6750), minted by the OAuth
  token endpoint (``oauth_routes``) or, for first-party clients, by ``credentials()``.
* Services send ``X-API-Key: sk_live_...`` (``apidesign.apikeys``).

401 means "I don't know who you are" and carries a ``WWW-Authenticate: Bearer``
challenge; 403 means "I know who you are, and the answer is no" (a missing scope,
a channel you are not in, an API key on a user-only endpoint).
Every route asks ``current_user()`` (or ``current_service()``), so the mechanism lives here only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from flask import Flask, g, request

from ..apikeys import InvalidApiKey
from ..errors import Forbidden, ServiceUnavailable, Unauthenticated
from ..jwt import InvalidTokenError
from ..revocation import STORE_ERRORS, DenylistUnavailable
from .services import services

REALM = "apidesign"
API_KEY_HEADER = "X-API-Key"
CHAT_SCOPES = ("channels:read", "channels:write", "messages:read", "messages:write")
# Blueprints whose routes need "<resource>:read" for GET/HEAD and "<resource>:write" otherwise.
# Every route that reads or writes chat data is here; the WebSocket (a GET) also checks
# "messages:write" for each frame it turns into a message.
SCOPED_BLUEPRINTS = {"channels": "channels", "messages": "messages", "batch": "messages", "sse": "messages",
                     "chat_socket": "messages", "presence": "channels"}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user (from a JWT) or a service (from an API key), with its scopes."""

    kind: str            # "user", "key", or "client" (a client-credentials token)
    id: str              # usr_alice, or key_3f2a...
    scopes: frozenset[str]
    owner: str = ""      # for API keys: the user who created the key

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def challenge(error: str = "", description: str = "", scope: str = "") -> str:
    """A ``WWW-Authenticate: Bearer`` challenge (RFC 6750 section 3); no error code when no credentials were sent."""
    parts = [f'realm="{REALM}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{quotable(description)}"')
    if scope:
        parts.append(f'scope="{scope}"')
    return "Bearer " + ", ".join(parts)


def quotable(text: str, limit: int = 200) -> str:
    """``text`` safe inside a quoted header value: printable ASCII, no quotes or backslashes, bounded.

    Error messages can echo token contents (an attacker's ``alg``); a CR/LF there must never
    reach a response header (RFC 6750 section 3: error_description is %x20-21 / %x23-5B / %x5D-7E).
    """
    return re.sub(r'[^\x20-\x21\x23-\x5b\x5d-\x7e]', "?", text)[:limit]


def authenticate() -> Principal:
    """The caller of the current request, from a Bearer token or an API key, or ``Unauthenticated`` (401)."""
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return bearer_principal(authorization)
    api_key = request.headers.get(API_KEY_HEADER, "")
    if api_key:
        return api_key_principal(api_key)
    raise Unauthenticated("This endpoint needs credentials: send Authorization: Bearer <access token>.",
                          headers={"WWW-Authenticate": challenge()})


def bearer_principal(authorization: str) -> Principal:
    """The user behind ``Authorization: Bearer <jwt>``; any bad token is a 401 ``invalid_token``."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthenticated(f"Unsupported authorization scheme '{quotable(scheme, 20)}'; use Bearer.",
                              headers={"WWW-Authenticate": challenge()})
    try:
        claims = auth_state().access_tokens.verify(token.strip())
    except DenylistUnavailable:
        raise ServiceUnavailable("Token revocation cannot be checked right now.", headers={"Retry-After": "1"}) from None
    except InvalidTokenError as exc:
        reason = quotable(str(exc))
        raise Unauthenticated(f"Invalid access token: {reason}", code="INVALID_TOKEN",
                              headers={"WWW-Authenticate": challenge("invalid_token", reason)}) from None
    if claims["sub"] == claims.get("client_id") and claims["sub"] in auth_state().clients:
        return Principal("client", claims["sub"], frozenset(claims["scope"].split()))  # client credentials
    if services().repo.user(claims["sub"]) is None:
        raise Unauthenticated("The token's user no longer exists.", code="INVALID_TOKEN",
                              headers={"WWW-Authenticate": challenge("invalid_token", "unknown user")})
    return Principal("user", claims["sub"], frozenset(claims["scope"].split()))


def api_key_principal(presented: str) -> Principal:
    """The service behind ``X-API-Key``; unknown or revoked keys are a 401."""
    try:
        record = auth_state().api_keys.verify(presented)
    except STORE_ERRORS:  # no store, no way to check a key: refuse rather than guess
        raise ServiceUnavailable("API keys cannot be checked right now.", headers={"Retry-After": "1"}) from None
    except InvalidApiKey as exc:
        raise Unauthenticated(str(exc), code="INVALID_API_KEY",
                              headers={"WWW-Authenticate": f'ApiKey realm="{REALM}"'}) from None
    return Principal("key", record.key_id, frozenset(record.scopes), owner=record.owner)


def current_principal() -> Principal:
    """The authenticated caller of this request (authenticated once, then cached)."""
    if "principal" not in g:
        g.principal = authenticate()
    return g.principal


def require_scope(principal: Principal, scope: str) -> None:
    """403 ``insufficient_scope`` unless ``principal`` holds ``scope`` (RFC 6750 section 3.1)."""
    if scope not in principal.scopes:
        raise Forbidden(f"This needs the '{scope}' scope.", code="INSUFFICIENT_SCOPE",
                        headers={"WWW-Authenticate": challenge("insufficient_scope", scope=scope)})


def route_scope() -> str | None:
    """The scope the current route needs: ``messages:write`` for POST on the messages blueprint, etc."""
    resource = SCOPED_BLUEPRINTS.get(request.blueprint or "")
    if resource is None:
        return None
    return f"{resource}:{'read' if request.method in SAFE_METHODS else 'write'}"


def current_user() -> str:
    """The user ID of the caller, after checking the route's scope; API keys get a 403 here."""
    principal = current_principal()
    if principal.kind != "user":
        raise Forbidden("API keys and client tokens act for services, not users: this endpoint needs a user's bearer token.")
    scope = route_scope()
    if scope:
        require_scope(principal, scope)
    return principal.id


def current_service(scope: str) -> Principal:
    """The API-key caller of a server-to-server route, holding ``scope``; users get a 403 here."""
    principal = current_principal()
    if principal.kind != "key":
        raise Forbidden(f"This is a server-to-server endpoint: send {API_KEY_HEADER}.")
    require_scope(principal, scope)
    return principal


def principal_id() -> str:
    """A stable key for the caller, for per-caller state (rate limits, idempotency records).

    ``user:<id>`` for users, ``key:<key id>`` for API-key callers.
    """
    return current_principal().key


def auth_state():
    """The app's ``AuthState`` (token issuer, refresh tokens, codes, API keys), made by ``oauth_routes``."""
    return services().extras["auth"]


def credentials(app: Flask, user_id: str, scopes: Iterable[str] = CHAT_SCOPES,
                ttl: float | None = None) -> Mapping[str, str]:
    """Headers that make a request on behalf of ``user_id``: a fresh access token, as a logged-in client sends."""
    tokens = app.extensions["apidesign"].extras["auth"].access_tokens
    return {"Authorization": f"Bearer {tokens.mint(user_id, tuple(scopes), ttl=ttl)}"}
