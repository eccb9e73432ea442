"""The authorization server inside the reference app (RFC 6749 code flow with PKCE, RFC 7636).

    GET  /oauth/authorize   the consent screen, as JSON (the user is signed in: Bearer)
    POST /oauth/authorize   approve or deny -> 302 to the client's redirect_uri with ?code= or ?error=
    POST /oauth/token       code + code_verifier, or a refresh token -> access JWT + new refresh token;
                            client_credentials (a confidential client, HTTP Basic) -> access JWT only
    POST /oauth/revoke      the client (``client_id``) revokes one of its own access tokens (jti denylist), or a
                            refresh token's family and every access token of that grant (RFC 7009 section 2.1)
    GET  /.well-known/jwks.json   the public signing key with its ``kid``, for asymmetric algorithms (RFC 7517)

The token endpoints answer errors in RFC 6749's own shape (``{"error", "error_description"}``)
rather than the API's envelope, because OAuth client libraries parse exactly that; so does a
store outage (``temporarily_unavailable``, see ``store_unreachable``).
"""

from __future__ import annotations

import functools
import hmac
import random
import secrets
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import unquote_plus, urlencode

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from flask import Blueprint, Flask, redirect, request
from redis.exceptions import RedisError

from .. import jwt
from ..apikeys import ApiKeyRing
from ..envelope import error, success
from ..errors import InvalidInput
from ..oauth import (AccessTokens, AuthorizationCodes, InvalidClient, InvalidGrant, InvalidRequest, InvalidScope,
                     OAuthError, RefreshTokenReused, RefreshTokens, UnauthorizedClient, UnsupportedGrantType,
                     digest, pkce_matches, redirect_uri_registered)
from ..revocation import Denylist
from ..store import StoreUnavailable
from .auth import current_principal, current_user
from .services import Services, services

bp = Blueprint("oauth", __name__)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 section 5.1


@dataclass
class AuthState:
    """One app's authentication machinery, kept in ``Services.extras["auth"]``."""

    access_tokens: AccessTokens
    refresh_tokens: RefreshTokens
    codes: AuthorizationCodes
    api_keys: ApiKeyRing
    denylist: Denylist
    clients: Mapping[str, Any]


def init_app(app: Flask) -> None:
    """Build the app's ``AuthState`` from config and register the OAuth routes."""
    svc: Services = app.extensions["apidesign"]
    cfg = app.config
    rng = random.SystemRandom()  # API keys, codes, refresh tokens, jti are secrets: never from ID_SEED
    key = cfg["JWT_SIGNING_KEY"] or deployment_key(cfg["JWT_ALGORITHM"], svc.store.namespace)
    denylist = Denylist(svc.store)
    access = AccessTokens(key, cfg["JWT_ALGORITHM"], cfg["JWT_ISSUER"], cfg["JWT_AUDIENCE"], svc.wall_clock,
                          denylist, rng, ttl=cfg["ACCESS_TOKEN_TTL"], leeway=cfg["JWT_LEEWAY"],
                          fail_open=fails_open(cfg["DENYLIST_ON_STORE_ERROR"]))
    svc.extras["auth"] = AuthState(
        access, RefreshTokens(svc.store, rng, ttl=cfg["REFRESH_TOKEN_TTL"]),
        AuthorizationCodes(svc.store, rng, ttl=cfg["AUTH_CODE_TTL"]),
        ApiKeyRing(svc.store, svc.wall_clock, prefix=cfg["API_KEY_PREFIX"], rng=rng), denylist,
        cfg["OAUTH_CLIENTS"])
    app.register_blueprint(bp)


def fails_open(mode: str) -> bool:
    """``DENYLIST_ON_STORE_ERROR``: "open" accepts signed, unexpired tokens while the store is down, "closed" answers 503."""
    if mode not in ("open", "closed"):  # a typo must not pick a security posture silently
        raise ValueError(f"DENYLIST_ON_STORE_ERROR must be 'open' or 'closed', not {mode!r}.")
    return mode == "open"


@functools.lru_cache(maxsize=None)
def deployment_key(algorithm: str, namespace: str) -> Any:
    """The signing key the apps of one store namespace in this process share unless config names one, as the
    servers of one deployment share a key from their secret manager: 256 random bits for HS256, else a key pair.

    One key per namespace, because the namespace is where revocations live: an app that cannot see another's
    denylist must not accept its tokens either (a pinned JWT_SIGNING_KEY shares tokens on purpose).
    """
    if algorithm == "HS256":
        return secrets.token_bytes(32)
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def state():
    return services().extras["auth"]


# --- authorization endpoint -------------------------------------------------------------

def authorization_request() -> dict:
    """The validated query of an authorization request; client and redirect errors never redirect."""
    args = request.values
    client_id, redirect_uri = args.get("client_id", ""), args.get("redirect_uri", "")
    client = state().clients.get(client_id)
    if client is None or not redirect_uri_registered(redirect_uri, client["redirect_uris"]):
        # RFC 6749 section 4.1.2.1: never redirect to an unverified URI (open redirector); a loopback
        # URI may name any port, the one the native app just opened (RFC 8252 section 7.3)
        raise InvalidInput("Unknown client_id or unregistered redirect_uri.", code="INVALID_CLIENT")
    return {"client_id": client_id, "redirect_uri": redirect_uri, "state": args.get("state", ""),
            "scope": args.get("scope", ""), "response_type": args.get("response_type", ""),
            "code_challenge": args.get("code_challenge", ""),
            "code_challenge_method": args.get("code_challenge_method", "")}


def check_authorization_request(req: dict) -> list[str]:
    """The requested scopes, or an ``OAuthError`` to send back to the client by redirect."""
    if req["response_type"] != "code":
        raise OAuthError("response_type must be 'code'.")
    if req["code_challenge_method"] != "S256" or len(req["code_challenge"]) != 43:
        raise InvalidRequest("PKCE is required: code_challenge with code_challenge_method=S256.")
    scopes = req["scope"].split()
    allowed = set(state().clients[req["client_id"]]["scopes"])
    if not scopes or not set(scopes) <= allowed:
        raise InvalidScope(f"Requested scopes must be a non-empty subset of {sorted(allowed)}.")
    return scopes


def authorization_step(view):
    """Call ``view(user, req, scopes)`` for a valid authorization request; send an invalid one back to the client."""
    @functools.wraps(view)
    def checked():
        user = current_user()
        req = authorization_request()
        try:
            scopes = check_authorization_request(req)
        except OAuthError as exc:
            return back_to_client(req, error=exc.error, error_description=exc.description)
        return view(user, req, scopes)
    return checked


@bp.get("/oauth/authorize")
@authorization_step
def consent_screen(user: str, req: dict, scopes: list[str]):
    return success({"client": req["client_id"], "user": user, "scopes": scopes,
                    "question": f"Allow {req['client_id']} to {', '.join(scopes)} as {user}?"})


@bp.post("/oauth/authorize")
@authorization_step
def decide(user: str, req: dict, scopes: list[str]):
    if request.values.get("decision") != "approve":
        return back_to_client(req, error="access_denied", error_description="The user said no.")
    code = state().codes.issue({"sub": user, "client_id": req["client_id"], "redirect_uri": req["redirect_uri"],
                                "scope": " ".join(scopes), "code_challenge": req["code_challenge"]})
    return back_to_client(req, code=code)


def back_to_client(req: dict, **params: str):
    """302 to the registered redirect URI with ``params`` and the client's ``state``."""
    query = urlencode({**params, **({"state": req["state"]} if req["state"] else {})})
    return redirect(f"{req['redirect_uri']}?{query}", code=302)


# --- token endpoint ---------------------------------------------------------------------

def form(name: str, required: bool = True) -> str:
    """One form parameter, present at most once (RFC 6749 section 3.2)."""
    values = request.form.getlist(name)
    if len(values) > 1:
        raise InvalidRequest(f"'{name}' is repeated.")
    if required and not (values and values[0]):
        raise InvalidRequest(f"'{name}' is required.")
    return values[0] if values else ""


@bp.post("/oauth/token")
def token():
    try:
        grant_type = form("grant_type")
        client_id = identified_client()
        if grant_type == "authorization_code":
            grant, refresh = redeem_code(client_id), None
        elif grant_type == "refresh_token":
            grant, refresh = refresh_grant(client_id)
        elif grant_type == "client_credentials":
            return token_response(client_grant(client_id), refreshable=False), 200, NO_STORE
        else:
            raise UnsupportedGrantType(f"Unsupported grant_type '{grant_type}'.")
    except OAuthError as exc:
        return oauth_error(exc)
    return token_response(grant, refresh), 200, NO_STORE


def oauth_error(exc: OAuthError):
    """RFC 6749 section 5.2: 400, or 401 with a Basic challenge when client authentication failed."""
    body = {"error": exc.error, "error_description": exc.description}
    if isinstance(exc, InvalidClient):
        return body, 401, {**NO_STORE, "WWW-Authenticate": 'Basic realm="oauth"'}
    return body, 400, NO_STORE


def identified_client() -> str:
    """The client of this request: HTTP Basic, else ``client_id`` (and ``client_secret``) in the form
    (RFC 6749 sections 2.3.1 and 3.2.1). A public client only names itself; a confidential one proves its secret."""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        client_id, secret = unquote_plus(auth.username or ""), unquote_plus(auth.password or "")
    else:
        client_id, secret = request.form.get("client_id", ""), request.form.get("client_secret", "")
    client = state().clients.get(client_id)
    if client is None:
        raise InvalidClient("Unknown or missing client_id.")
    if "secret_sha256" in client and not hmac.compare_digest(digest(secret), client["secret_sha256"]):
        raise InvalidClient("Client authentication failed.")
    return client_id


def client_grant(client_id: str) -> dict:
    """RFC 6749 section 4.4: a confidential client acting for itself, so ``sub`` is the client (RFC 9068 section 2.2)."""
    client = state().clients[client_id]
    if "secret_sha256" not in client:
        raise UnauthorizedClient("Only a confidential client may use client_credentials.")
    scopes = form("scope", required=False).split() or list(client["scopes"])
    if not set(scopes) <= set(client["scopes"]):
        raise InvalidScope(f"Requested scopes must be a subset of {sorted(client['scopes'])}.")
    return {"sub": client_id, "client_id": client_id, "scope": " ".join(scopes)}


def redeem_code(client_id: str) -> dict:
    """The grant behind a one-time code, after the PKCE proof and redirect URI both match."""
    code, verifier, redirect_uri = form("code"), form("code_verifier"), form("redirect_uri")
    grant = state().codes.redeem(code)
    if grant["client_id"] != client_id or grant["redirect_uri"] != redirect_uri:
        raise InvalidGrant("The code was issued to another client or redirect_uri.")
    if not pkce_matches(verifier, grant["code_challenge"]):
        raise InvalidGrant("code_verifier does not match the code_challenge (PKCE).")
    return {"sub": grant["sub"], "client_id": client_id, "scope": grant["scope"]}


def refresh_grant(client_id: str) -> tuple[dict, str]:
    """Rotate the presented refresh token; a retired one revokes its whole family and the family's access tokens."""
    presented = form("refresh_token")
    # RFC 6749 section 6: was it issued to this client? Asked before rotating, so another client can not burn it
    if state().refresh_tokens.client_of(presented) != client_id:
        raise InvalidGrant("The refresh token is invalid, expired, or was issued to another client.")
    try:
        new_token, grant = state().refresh_tokens.rotate(presented)
    except RefreshTokenReused:
        state().access_tokens.revoke_grant(state().refresh_tokens.family_of(presented))
        raise
    return grant, new_token


def token_response(grant: dict, refresh: str | None = None, refreshable: bool = True) -> dict:
    """RFC 6749 section 5.1: the access token, its type and lifetime, the refresh token, the scope.

    No refresh token for client credentials: the client can simply ask again (section 4.4.3)."""
    s = state()
    scopes = grant["scope"].split()
    grant = {"sub": grant["sub"], "client_id": grant["client_id"], "scope": grant["scope"]}
    if not refreshable:
        return {"access_token": s.access_tokens.mint(grant["sub"], scopes, grant["client_id"]),
                "token_type": "Bearer", "expires_in": int(s.access_tokens.ttl), "scope": grant["scope"]}
    refresh = refresh or s.refresh_tokens.issue(grant)
    family = s.refresh_tokens.family_of(refresh)
    return {"access_token": s.access_tokens.mint(grant["sub"], scopes, grant["client_id"], grant=family),
            "token_type": "Bearer", "expires_in": int(s.access_tokens.ttl),
            "refresh_token": refresh, "scope": grant["scope"]}


@bp.post("/oauth/revoke")
def revoke():
    """RFC 7009 section 2.1: identify the client, check the token was issued to it, then revoke an access token,
    or a refresh token and with it every access token of its grant. Errors (section 2.2.1) use RFC 6749's
    shape: 401 ``invalid_client``, 400 for another client's token, 503 with Retry-After when the store is down
    (``store_unreachable``); ``unsupported_token_type`` never, since both kinds are revocable here."""
    try:
        client_id, value = identified_client(), request.form.get("token", "")
        owner = token_client(value)
        if owner is not None and owner != client_id:
            raise InvalidGrant("The token was issued to another client.")
    except OAuthError as exc:
        return oauth_error(exc)
    if owner is not None:
        revoke_token(value)
    return "", 200, NO_STORE  # section 2.2: also for an invalid token, and the answer must not leak which


def token_client(value: str) -> str | None:
    """The client a refresh or access token was issued to; None for an invalid, unknown or expired token."""
    s = state()
    try:
        if value.startswith("rt_"):
            return s.refresh_tokens.client_of(value)
        return s.access_tokens.verify(value)["client_id"]
    except (InvalidGrant, jwt.InvalidTokenError, KeyError):
        return None


def revoke_token(value: str) -> None:
    """Deny an access token's ``jti``, or end a refresh token's family and its grant's access tokens."""
    s = state()
    if value.startswith("rt_"):
        if s.refresh_tokens.revoke_family(value):
            s.access_tokens.revoke_grant(s.refresh_tokens.family_of(value))
    else:
        s.access_tokens.revoke(value)


@bp.errorhandler(RedisError)
@bp.errorhandler(StoreUnavailable)
def store_unreachable(exc: Exception):
    """Codes, refresh tokens and the denylist live in the shared store: when it is down, OAuth's own answer,
    ``temporarily_unavailable``, by redirect from the authorization endpoint (RFC 6749 section 4.1.2.1)
    and with a 503 and ``Retry-After`` from the token and revocation endpoints."""
    description = "The authorization server's store is unreachable; try again shortly."
    if request.endpoint == "oauth.decide":
        return back_to_client(authorization_request(), error="temporarily_unavailable",
                              error_description=description)
    if request.path.startswith("/oauth/"):
        return {"error": "temporarily_unavailable", "error_description": description}, 503, {**NO_STORE,
                                                                                              "Retry-After": "1"}
    return error("SERVICE_UNAVAILABLE", "The shared store is unreachable; try again shortly."), 503, {"Retry-After": "1"}


@bp.get("/.well-known/jwks.json")
def jwks():
    """The verification key as a JWK Set, so any service can check tokens without calling us.

    Its ``kid`` (the RFC 7638 thumbprint) is also in every token's header, so a verifier picks the
    key by name; during a key rotation the set would list the old and the new key side by side.
    """
    key = state().access_tokens.signing_key
    if key.family == "HS":
        return {"keys": []}  # a shared secret is never published
    return {"keys": [jwt.public_jwk(jwt.algorithms.public_key(key), state().access_tokens.algorithm)]}


@bp.get("/v1/whoami")
def whoami():
    """Who the credentials on this request say you are: works for users and API keys alike."""
    p = current_principal()
    return success({"principal": p.key, "kind": p.kind, "scopes": sorted(p.scopes), **({"owner": p.owner} if p.owner else {})})
