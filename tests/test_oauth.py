"""apidesign.oauth and the auth routes: PKCE, one-time codes, refresh rotation with reuse detection, 401 vs 403."""

import hashlib
import hmac
import json
import random
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from apidesign import jwt
from apidesign.oauth import (AccessTokens, AuthorizationCodes, InvalidGrant, RefreshTokenReused, RefreshTokens,
                             RevokedTokenError, WrongTokenTypeError, code_verifier, pkce_matches, s256)
from apidesign.revocation import Denylist, DenylistUnavailable
from apidesign.server import create_app, credentials

ALICE, BOB = "usr_alice", "usr_bob"
CLIENT, REDIRECT = "chat-cli", "http://127.0.0.1:8400/callback"


# --- library ---------------------------------------------------------------------------

def test_pkce_s256_matches_rfc7636_appendix_b():
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert pkce_matches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert not pkce_matches(verifier[:-1] + "A", s256(verifier))
    assert not pkce_matches("short", s256("short"))  # under 43 characters: not a verifier


def test_a_code_verifier_is_43_to_128_unreserved_characters():
    v = code_verifier(random.Random(1))
    assert 43 <= len(v) <= 128 and pkce_matches(v, s256(v))


def test_an_authorization_code_redeems_exactly_once(store):
    codes = AuthorizationCodes(store, random.Random(1))
    code = codes.issue({"sub": ALICE})
    assert codes.redeem(code) == {"sub": ALICE}
    with pytest.raises(InvalidGrant):
        codes.redeem(code)


def test_refresh_tokens_rotate_and_a_reused_one_revokes_the_whole_family(store):
    tokens = RefreshTokens(store, random.Random(1))
    first = tokens.issue({"sub": ALICE, "client_id": CLIENT})
    second, grant = tokens.rotate(first)
    assert grant["sub"] == ALICE and second != first and tokens.family_of(second) == tokens.family_of(first)
    third, _ = tokens.rotate(second)
    with pytest.raises(RefreshTokenReused):
        tokens.rotate(first)          # the thief (or a confused client) replays a retired token
    with pytest.raises(InvalidGrant):
        tokens.rotate(third)          # ... and the legitimate holder's current token is dead too


def test_two_racing_refreshes_of_one_token_never_both_succeed(store):
    """The rotation is one atomic step (Lua on Redis, the lock in memory): one winner, one reuse."""
    from concurrent.futures import ThreadPoolExecutor
    tokens = RefreshTokens(store, random.Random(1))
    for _ in range(20):
        first = tokens.issue({"sub": ALICE})

        def attempt(_):
            try:
                return tokens.rotate(first)[0]
            except RefreshTokenReused:
                return "reuse"
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(attempt, range(2)))
        assert sorted(r == "reuse" for r in results) == [False, True]


def test_families_are_independent(store):
    tokens = RefreshTokens(store, random.Random(1))
    a, b = tokens.issue({"sub": ALICE}), tokens.issue({"sub": BOB})
    tokens.rotate(a)
    with pytest.raises(RefreshTokenReused):
        tokens.rotate(a)
    assert tokens.rotate(b)[1]["sub"] == BOB


def test_only_a_real_token_of_the_family_can_revoke_it(store):
    tokens = RefreshTokens(store, random.Random(1))
    token = tokens.issue({"sub": ALICE})
    guessed = token.split(".")[0] + ".guessed-secret"
    assert tokens.revoke_family(guessed) is False
    assert tokens.rotate(token)[1]["sub"] == ALICE


@pytest.mark.parametrize("bad", ["", "rt_", "nope", "eyJ.x.y", None])
def test_malformed_refresh_tokens_are_invalid_grants(store, bad):
    with pytest.raises(InvalidGrant):
        RefreshTokens(store, random.Random(1)).rotate(bad)


@pytest.fixture
def access(store, clock):
    return AccessTokens(b"s" * 32, "HS256", "https://issuer", "chat", clock, Denylist(store), random.Random(2))


def test_access_tokens_are_typed_short_lived_and_revocable(access, clock):
    token = access.mint(ALICE, ["messages:read"])
    assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
    claims = access.verify(token)
    assert claims["exp"] - claims["iat"] == 900 and claims["scope"] == "messages:read"
    assert access.revoke(token) == 900 + access.leeway
    with pytest.raises(RevokedTokenError):
        access.verify(token)


def test_a_revoked_access_token_is_refused_every_second_until_no_verifier_could_accept_it(clock):
    from apidesign.store import memory_store
    access = AccessTokens(b"s" * 32, "HS256", "https://issuer", "chat", clock, Denylist(memory_store(clock)),
                          random.Random(2), ttl=900, leeway=30)
    token = access.mint(ALICE, ["messages:read"])
    access.revoke(token)
    accepted = []
    for second in range(2 * (900 + 30)):  # scan well past the first refusal and past exp + leeway
        try:
            access.verify(token)
            accepted.append(second)
        except jwt.InvalidTokenError:
            pass
        clock.advance(1)
    assert accepted == [], f"a revoked token verified again at {accepted[:3]}... seconds"


def test_a_plain_jwt_signed_with_the_same_key_is_not_an_access_token(access, clock):
    now = int(clock.now())
    other = jwt.encode({"iss": "https://issuer", "aud": "chat", "sub": ALICE, "iat": now, "exp": now + 60,
                        "jti": "x", "scope": "messages:write"}, b"s" * 32)  # typ "JWT", e.g. an ID token
    with pytest.raises(WrongTokenTypeError):
        access.verify(other)


def test_expired_access_tokens_are_refused_after_the_leeway(access, clock):
    token = access.mint(ALICE, ["messages:read"])
    clock.advance(900 + 29)
    assert access.verify(token)
    clock.advance(1)
    with pytest.raises(jwt.ExpiredSignatureError):
        access.verify(token)


# --- over HTTP: the authorization-code flow with PKCE --------------------------------------

def authorize(client, as_user, verifier, user=ALICE, scope="messages:read messages:write", **extra):
    params = {"response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT, "scope": scope,
              "state": "xyz", "code_challenge": s256(verifier), "code_challenge_method": "S256", **extra}
    return client.post("/oauth/authorize", data={**params, "decision": "approve"}, headers=as_user(user))


def code_from(response):
    assert response.status_code == 302, response.get_data(as_text=True)
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def exchange(client, code, verifier, redirect_uri=REDIRECT):
    return client.post("/oauth/token", data={"grant_type": "authorization_code", "code": code, "client_id": CLIENT,
                                             "redirect_uri": redirect_uri, "code_verifier": verifier})


def refresh(client, token):
    return client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token,
                                             "client_id": CLIENT})


@pytest.fixture
def verifier():
    return code_verifier(random.Random(7))


@pytest.fixture
def tokens(client, as_user, verifier):
    r = exchange(client, code_from(authorize(client, as_user, verifier)), verifier)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_consent_screen_names_the_client_and_scopes(client, as_user, verifier):
    r = client.get("/oauth/authorize", query_string={
        "response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT, "scope": "messages:read",
        "code_challenge": s256(verifier), "code_challenge_method": "S256"}, headers=as_user(ALICE))
    assert r.status_code == 200
    assert r.get_json()["data"]["scopes"] == ["messages:read"]


def test_pkce_code_flow_issues_a_bearer_access_token_and_a_refresh_token(client, tokens):
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900
    assert tokens["refresh_token"].startswith("rt_")
    r = client.get("/v1/whoami", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.get_json()["data"] == {"principal": "user:usr_alice", "kind": "user",
                                    "scopes": ["messages:read", "messages:write"]}


def test_token_responses_are_never_cached(client, as_user, verifier):
    r = exchange(client, code_from(authorize(client, as_user, verifier)), verifier)
    assert r.headers["Cache-Control"] == "no-store"


def test_a_wrong_code_verifier_or_redirect_uri_gets_invalid_grant(client, as_user, verifier):
    for verifier_sent, redirect in ((code_verifier(random.Random(8)), REDIRECT), (verifier, REDIRECT + "x")):
        code = code_from(authorize(client, as_user, verifier))
        r = exchange(client, code, verifier_sent, redirect)
        assert r.status_code == 400 and r.get_json()["error"] == "invalid_grant"


def test_an_authorization_code_works_once(client, as_user, verifier):
    code = code_from(authorize(client, as_user, verifier))
    assert exchange(client, code, verifier).status_code == 200
    assert exchange(client, code, verifier).get_json()["error"] == "invalid_grant"


def test_pkce_is_required_and_plain_is_refused(client, as_user, verifier):
    r = authorize(client, as_user, verifier, code_challenge_method="plain", code_challenge=verifier)
    assert parse_qs(urlsplit(r.headers["Location"]).query)["error"] == ["invalid_request"]


def test_an_unregistered_redirect_uri_is_a_400_never_a_redirect(client, as_user, verifier):
    r = authorize(client, as_user, verifier, redirect_uri="https://evil.example/cb")
    assert r.status_code == 400 and "Location" not in r.headers


def test_denied_consent_redirects_with_access_denied(client, as_user, verifier):
    params = {"response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT, "scope": "messages:read",
              "code_challenge": s256(verifier), "code_challenge_method": "S256", "decision": "deny"}
    r = client.post("/oauth/authorize", data=params, headers=as_user(ALICE))
    assert parse_qs(urlsplit(r.headers["Location"]).query)["error"] == ["access_denied"]


def test_unknown_scopes_are_refused(client, as_user, verifier):
    r = authorize(client, as_user, verifier, scope="messages:read admin")
    assert parse_qs(urlsplit(r.headers["Location"]).query)["error"] == ["invalid_scope"]


def test_refresh_rotates_and_reuse_over_http_revokes_the_family(client, tokens):
    first = tokens["refresh_token"]
    r = refresh(client, first)
    assert r.status_code == 200
    second = r.get_json()["refresh_token"]
    assert second != first
    reuse = refresh(client, first)
    assert reuse.status_code == 400 and reuse.get_json()["error"] == "invalid_grant"
    assert "already used" in reuse.get_json()["error_description"]
    assert refresh(client, second).get_json()["error"] == "invalid_grant"


def test_revoking_a_refresh_token_also_refuses_the_access_tokens_of_its_grant(client, tokens, as_user, verifier):
    """RFC 7009 section 2.1: the server SHOULD invalidate the grant's access tokens too; other grants live on."""
    other = exchange(client, code_from(authorize(client, as_user, verifier)), verifier).get_json()
    refreshed = refresh(client, tokens["refresh_token"]).get_json()
    bearer = lambda t: {"Authorization": f"Bearer {t['access_token']}"}
    assert all(client.get("/v1/whoami", headers=bearer(t)).status_code == 200 for t in (tokens, refreshed, other))
    assert revoke(client, refreshed["refresh_token"]).status_code == 200
    assert client.get("/v1/whoami", headers=bearer(tokens)).status_code == 401, "minted before the rotation"
    assert client.get("/v1/whoami", headers=bearer(refreshed)).status_code == 401
    assert client.get("/v1/whoami", headers=bearer(other)).status_code == 200, "another login is another grant"


def test_a_reused_refresh_token_also_refuses_the_access_tokens_of_its_grant(client, tokens):
    refreshed = refresh(client, tokens["refresh_token"]).get_json()
    assert refresh(client, tokens["refresh_token"]).status_code == 400  # reuse: the family is revoked
    r = client.get("/v1/whoami", headers={"Authorization": f"Bearer {refreshed['access_token']}"})
    assert r.status_code == 401


def test_a_revoked_grant_is_remembered_until_its_newest_access_token_could_no_longer_verify(access, clock):
    token = access.mint(ALICE, ["messages:read"], grant="fam1")
    assert access.revoke_grant("fam1") >= access.ttl + access.leeway
    for _ in range(int(access.ttl + access.leeway) - 1):  # scan the whole window, not just the first refusal
        clock.advance(1)
        with pytest.raises(jwt.InvalidTokenError):
            access.verify(token)
    assert access.mint(BOB, ["messages:read"], grant="fam2") and access.verify(access.mint(BOB, ["x"], grant="fam2"))


def test_an_access_token_presented_as_a_refresh_token_is_refused(client, tokens):
    r = refresh(client, tokens["access_token"])
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_grant"


def test_a_refresh_token_presented_as_a_bearer_token_is_401(client, tokens):
    r = client.get("/v1/whoami", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["WWW-Authenticate"]


@pytest.mark.parametrize("data,error", [
    ({}, "invalid_request"),
    ({"grant_type": "password", "client_id": CLIENT}, "unsupported_grant_type"),
    ({"grant_type": "refresh_token", "client_id": CLIENT}, "invalid_request"),
    ({"grant_type": ["refresh_token", "refresh_token"], "client_id": CLIENT}, "invalid_request"),
])
def test_malformed_token_requests_are_400_with_the_rfc6749_error_code(client, data, error):
    r = client.post("/oauth/token", data=data)
    assert r.status_code == 400 and r.get_json()["error"] == error


def test_an_unknown_client_is_401_invalid_client(client):
    r = client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": "evil", "refresh_token": "rt_x.y"})
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_client"


# --- 401 vs 403 on the chat API ------------------------------------------------------------

@pytest.fixture
def channel(client, as_user):
    r = client.post("/v1/channels", json={"name": "general", "memberIds": [BOB]}, headers=as_user(ALICE))
    return r.get_json()["data"]["channelId"]


def test_expired_token_is_401_invalid_token(client, app, clock, channel):
    headers = credentials(app, ALICE)
    clock.advance(900 + 30)
    r = client.get(f"/v1/channels/{channel}", headers=headers)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "INVALID_TOKEN"
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_a_revoked_access_token_is_401_at_once(client, app, channel):
    headers = credentials(app, ALICE)
    token = headers["Authorization"].split()[1]
    assert client.get(f"/v1/channels/{channel}", headers=headers).status_code == 200
    assert revoke(client, token, client_id="first-party").status_code == 200
    assert client.get(f"/v1/channels/{channel}", headers=headers).status_code == 401


def test_a_token_without_the_write_scope_can_read_but_not_send(client, app, channel):
    reader = credentials(app, ALICE, scopes=["messages:read", "channels:read"])
    assert client.get(f"/v1/channels/{channel}/messages", headers=reader).status_code == 200
    r = client.post(f"/v1/channels/{channel}/messages", json={"content": "hi"}, headers=reader)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    assert r.headers["WWW-Authenticate"].endswith('error="insufficient_scope", scope="messages:write"')


def test_a_token_for_another_audience_or_issuer_is_401(client, app, clock, channel):
    # forged with the app's own key, so only the aud/iss checks can refuse them
    tokens = app.extensions["apidesign"].extras["auth"].access_tokens
    now = int(clock.now())
    for aud, iss in (("billing", tokens.issuer), (tokens.audience, "https://evil")):
        forged = jwt.encode({"iss": iss, "aud": aud, "sub": ALICE, "iat": now, "exp": now + 60, "jti": "j",
                             "scope": "channels:read"}, tokens.signing_key, headers={"typ": "at+jwt"})
        r = client.get(f"/v1/channels/{channel}", headers={"Authorization": f"Bearer {forged}"})
        assert r.status_code == 401


@pytest.mark.parametrize("authorization", [
    "Bearer", "Bearer ", "Bearer a b c", "bearer " + "A" * 9000, "Bearer \u00e9t\u00e9", "Basic \u00ff",
    "Bearer " + jwt.b64url_encode(json.dumps({"alg": "x\r\nSet-Cookie: a=b", "typ": "at+jwt"}).encode()) + ".e30.AAAA",
    "Bearer " + jwt.b64url_encode(json.dumps({"alg": "HS256", "crit": ["\"\\\u2028"]}).encode()) + ".e30.AAAA",
])
def test_hostile_authorization_headers_get_a_clean_401_never_a_500(client, authorization):
    r = client.get("/v1/whoami", headers={"Authorization": authorization.encode("utf-8").decode("latin-1")})
    assert r.status_code == 401, r.get_data(as_text=True)
    challenge = r.headers["WWW-Authenticate"]
    assert "\r" not in challenge and "\n" not in challenge and challenge.isascii()


def test_an_es256_app_issues_tokens_any_service_can_verify_from_its_jwks(clock):
    app = create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "JWT_ALGORITHM": "ES256"})
    client = app.test_client()
    headers = credentials(app, ALICE)
    assert client.get("/v1/whoami", headers=headers).status_code == 200
    jwk = client.get("/.well-known/jwks.json").get_json()["keys"][0]
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and "d" not in jwk
    assert jwt.get_unverified_header(headers["Authorization"].split()[1])["kid"] == jwk["kid"] == jwt.thumbprint(jwk)
    import jwt as pyjwt
    public = pyjwt.algorithms.ECAlgorithm.from_jwk(json.dumps(jwk))
    claims = pyjwt.decode(headers["Authorization"].split()[1], public, algorithms=["ES256"],
                          audience=app.config["JWT_AUDIENCE"], options={"verify_exp": False, "verify_iat": False})
    assert claims["sub"] == ALICE


@pytest.mark.parametrize("fail_open", [True, False])
def test_with_the_denylist_store_down_access_tokens_are_accepted_only_when_failing_open(clock, unreachable_store,
                                                                                          fail_open):
    access = AccessTokens(b"s" * 32, "HS256", "https://issuer", "chat", clock, Denylist(unreachable_store),
                          random.Random(2), fail_open=fail_open)
    token = access.mint(ALICE, ["messages:read"])
    if fail_open:
        assert access.verify(token)["sub"] == ALICE  # unchecked: a revoked token would pass too
    else:
        with pytest.raises(DenylistUnavailable):
            access.verify(token)


def test_access_tokens_fail_open_unless_told_otherwise(clock, store):
    assert AccessTokens(b"s" * 32, "HS256", "https://issuer", "chat", clock, Denylist(store), random.Random(2)).fail_open
    assert create_app({"CLOCK": clock, "WALL_CLOCK": clock}).config["DENYLIST_ON_STORE_ERROR"] == "open"


@pytest.mark.parametrize("mode", ["Open", "close", "", None, True])
def test_a_denylist_failure_mode_other_than_open_or_closed_is_refused_at_startup(clock, mode):
    with pytest.raises(ValueError, match="DENYLIST_ON_STORE_ERROR"):
        create_app({"CLOCK": clock, "WALL_CLOCK": clock, "DENYLIST_ON_STORE_ERROR": mode})


@pytest.mark.parametrize("mode,status", [("open", 200), ("closed", 503)])
def test_with_the_denylist_store_down_tokens_fail_open_or_closed_as_configured(clock, mode, status, unreachable_store):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "STORE": unreachable_store,
                      "DENYLIST_ON_STORE_ERROR": mode})
    r = app.test_client().get("/v1/whoami", headers=credentials(app, ALICE))
    assert r.status_code == status


def test_with_the_store_down_an_api_key_can_not_be_checked_so_503(clock, unreachable_store):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "STORE": unreachable_store})
    r = app.test_client().get("/v1/whoami", headers={"X-API-Key": "sk_live_" + "A" * 32})
    assert r.status_code == 503 and r.headers["Retry-After"] == "1"


def test_apps_of_one_deployment_share_the_signing_key(clock, store):
    """One deployment: one store namespace (where revocations live), so one key (tests/test_namespace.py)."""
    a, b = (create_app({"CLOCK": clock, "WALL_CLOCK": clock, "STORE": store, "STORE_NAMESPACE": "deploy"})
            for _ in range(2))
    assert b.test_client().get("/v1/whoami", headers=credentials(a, ALICE)).status_code == 200


def test_an_hs256_app_publishes_no_key(client):
    assert client.get("/.well-known/jwks.json").get_json() == {"keys": []}


def test_a_token_for_a_deleted_user_is_401(client, app):
    r = client.get("/v1/whoami", headers=credentials(app, "usr_ghost"))
    assert r.status_code == 401


def test_rs256_app_refuses_hs256_tokens_signed_with_its_published_public_key(clock):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    app = create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1,
                      "JWT_ALGORITHM": "RS256", "JWT_SIGNING_KEY": key})
    client = app.test_client()
    jwk = client.get("/.well-known/jwks.json").get_json()["keys"][0]
    assert jwk["kty"] == "RSA" and "d" not in jwk
    assert client.get("/v1/whoami", headers=credentials(app, ALICE)).status_code == 200
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    seg = lambda o: jwt.b64url_encode(json.dumps(o).encode())
    now = int(clock.now())
    signing_input = seg({"alg": "HS256", "typ": "at+jwt"}) + "." + seg(
        {"iss": app.config["JWT_ISSUER"], "aud": app.config["JWT_AUDIENCE"], "sub": ALICE, "iat": now,
         "exp": now + 60, "jti": "j", "scope": "channels:read"})
    forged = signing_input + "." + jwt.b64url_encode(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())
    r = client.get("/v1/whoami", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and "not allowed" in r.get_json()["error"]["message"]


# --- API keys over HTTP ---------------------------------------------------------------------

def make_key(client, as_user, scopes=("messages:write",)):
    r = client.post("/v1/api-keys", json={"scopes": list(scopes)}, headers=as_user(ALICE))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["data"]


def test_an_api_key_posts_through_the_webhook_as_its_owner(client, as_user, channel):
    key = make_key(client, as_user)
    r = client.post(f"/v1/hooks/channels/{channel}/messages", json={"content": "deploy done"},
                    headers={"X-API-Key": key["key"]})
    assert r.status_code == 201 and r.get_json()["data"]["senderId"] == ALICE
    who = client.get("/v1/whoami", headers={"X-API-Key": key["key"]}).get_json()["data"]
    assert who["principal"] == f"key:{key['keyId']}" and who["owner"] == ALICE


def test_an_api_key_on_a_user_endpoint_and_a_user_on_the_webhook_are_403(client, as_user, channel):
    key = make_key(client, as_user)
    assert client.get(f"/v1/channels/{channel}", headers={"X-API-Key": key["key"]}).status_code == 403
    r = client.post(f"/v1/hooks/channels/{channel}/messages", json={"content": "x"}, headers=as_user(ALICE))
    assert r.status_code == 403


def test_a_revoked_or_unknown_api_key_is_401(client, as_user, channel):
    key = make_key(client, as_user)
    assert client.delete(f"/v1/api-keys/{key['keyId']}", headers=as_user(ALICE)).status_code == 204
    for presented in (key["key"], "sk_live_nope"):
        r = client.post(f"/v1/hooks/channels/{channel}/messages", json={"content": "x"},
                        headers={"X-API-Key": presented})
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "INVALID_API_KEY"


@pytest.mark.parametrize("method, path", [("delete", "/v1/api-keys/key_nope"), ("post", "/v1/api-keys/key_nope/rotate"),
                                          ("get", "/v1/messages/msg_nope"), ("get", "/v2/messages/msg_nope")])
def test_routes_ask_who_you_are_before_whether_the_resource_exists(client, method, path):
    assert getattr(client, method)(path).status_code == 401  # not 404: no probing for key IDs without credentials


def test_a_key_with_a_scope_listed_twice_is_400(client, as_user):
    r = client.post("/v1/api-keys", json={"scopes": ["messages:read", "messages:read"]}, headers=as_user(ALICE))
    assert r.status_code == 400 and r.get_json()["error"]["details"][0]["issue"] == "duplicate_items"


def test_a_key_without_the_scope_is_403(client, as_user, channel):
    key = make_key(client, as_user, scopes=["messages:read"])
    r = client.post(f"/v1/hooks/channels/{channel}/messages", json={"content": "x"}, headers={"X-API-Key": key["key"]})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "INSUFFICIENT_SCOPE"


def test_a_user_can_not_mint_a_key_stronger_than_their_token(client, app):
    reader = credentials(app, ALICE, scopes=["messages:read"])
    r = client.post("/v1/api-keys", json={"scopes": ["messages:write"]}, headers=reader)
    assert r.status_code == 403


def test_rotation_over_http_keeps_both_keys_until_the_old_is_revoked_and_caps_at_two(client, as_user, channel):
    old = make_key(client, as_user)
    r = client.post(f"/v1/api-keys/{old['keyId']}/rotate", headers=as_user(ALICE))
    assert r.status_code == 201
    assert client.post("/v1/api-keys", json={"scopes": []}, headers=as_user(ALICE)).status_code == 409
    assert client.delete(f"/v1/api-keys/{old['keyId']}", headers=as_user(BOB)).status_code == 404


# --- review fixes: RFC 9068 typ, RFC 6749 section 6, RFC 8252 section 7.3, RFC 7009 section 2.1 --------------

def add_client(app, client_id, **registration):
    auth = app.extensions["apidesign"].extras["auth"]
    auth.clients = {**auth.clients, client_id: {"redirect_uris": [], "scopes": [], **registration}}
    return client_id


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT", "Application/At+JWT"])
def test_both_spellings_of_the_access_token_media_type_are_accepted(access, clock, typ):
    """RFC 9068 section 4: typ "at+jwt" or "application/at+jwt" (media types compare case-insensitively)."""
    now = int(clock.now())
    claims = {"iss": access.issuer, "sub": ALICE, "aud": access.audience, "iat": now, "exp": now + 60, "jti": "j",
              "scope": "messages:read"}
    assert access.verify(jwt.encode(claims, access.signing_key, "HS256", headers={"typ": typ}))["sub"] == ALICE
    with pytest.raises(WrongTokenTypeError):
        access.verify(jwt.encode(claims, access.signing_key, "HS256", headers={"typ": "application/jwt"}))


def test_a_foreign_client_can_not_burn_a_refresh_token(client, tokens, app):
    """RFC 6749 section 6: the token must have been issued to the client that presents it; checked before rotation."""
    other = add_client(app, "other-app")
    stolen = client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                               "client_id": other})
    assert stolen.status_code == 400 and stolen.get_json()["error"] == "invalid_grant"
    assert refresh(client, tokens["refresh_token"]).status_code == 200, "the owner's token was not retired"


@pytest.mark.parametrize("port", ["", ":1", ":8400", ":51234"])
def test_a_loopback_redirect_uri_may_name_any_port(client, as_user, verifier, port):
    """RFC 8252 section 7.3: the server MUST allow any port for loopback IP redirect URIs."""
    uri = f"http://127.0.0.1{port}/callback"
    code = code_from(authorize(client, as_user, verifier, redirect_uri=uri))
    assert exchange(client, code, verifier, redirect_uri=uri).status_code == 200


@pytest.mark.parametrize("uri", ["http://127.0.0.1:51234/other", "https://127.0.0.1:8400/callback",
                                 "http://127.0.0.2:8400/callback", "http://localhost:8400/callback",
                                 "http://127.0.0.1:8400/callback?x=1", "http://127.0.0.1:8400@evil.test/callback"])
def test_only_the_port_of_a_loopback_redirect_uri_may_change(client, as_user, verifier, uri):
    r = authorize(client, as_user, verifier, redirect_uri=uri)
    assert r.status_code == 400 and "Location" not in r.headers


def revoke(client, token, client_id=CLIENT, **extra):
    return client.post("/oauth/revoke", data={"token": token, **({"client_id": client_id} if client_id else {}), **extra})


@pytest.mark.parametrize("client_id", [None, "", "evil"])
def test_revocation_identifies_the_client_first(client, tokens, client_id):
    """RFC 7009 section 2.1: the server first validates the client; unknown or absent is 401 invalid_client."""
    r = revoke(client, tokens["refresh_token"], client_id=client_id)
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_client"
    assert refresh(client, tokens["refresh_token"]).status_code == 200, "nothing was revoked"


@pytest.mark.parametrize("kind", ["refresh_token", "access_token"])
def test_a_client_can_not_revoke_another_clients_token(client, tokens, app, kind):
    """RFC 7009 section 2.1: a token not issued to the requesting client is refused with an error, not revoked."""
    add_client(app, "other-app")
    r = revoke(client, tokens[kind], client_id="other-app")
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_grant"
    assert client.get("/v1/whoami", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 200
    assert revoke(client, tokens[kind]).status_code == 200
    assert client.get("/v1/whoami", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 401


@pytest.mark.parametrize("token", ["", "rt_unknown.token", "not-a-jwt", "a.b.c"])
def test_revoking_an_invalid_token_is_still_200(client, token):
    """RFC 7009 section 2.2: an invalid token gets 200, since the client could do nothing with an error."""
    assert revoke(client, token).status_code == 200


def test_first_party_tokens_are_revoked_by_the_first_party_client(client, app):
    token = credentials(app, ALICE)["Authorization"].split()[1]
    assert revoke(client, token, client_id="first-party").status_code == 200
    assert client.get("/v1/whoami", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# --- the client-credentials grant (RFC 6749 section 4.4) ------------------------------------

PARTNER_SECRET = "partner-secret-" + "x" * 32


@pytest.fixture
def partner(app):
    """A confidential client registered with the SHA-256 of its secret, as the server stores it."""
    return add_client(app, "partner-batch", scopes=["messages:read", "channels:read"],
                      secret_sha256=hashlib.sha256(PARTNER_SECRET.encode()).hexdigest())


def basic(client_id, secret):
    import base64
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_a_confidential_client_gets_an_access_token_for_itself_and_no_refresh_token(client, partner):
    r = client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "messages:read"},
                    headers=basic(partner, PARTNER_SECRET))
    body = r.get_json()
    assert r.status_code == 200 and body["scope"] == "messages:read" and "refresh_token" not in body
    me = client.get("/v1/whoami", headers={"Authorization": f"Bearer {body['access_token']}"}).get_json()["data"]
    assert me["principal"] == "client:partner-batch" and me["kind"] == "client"
    assert client.get("/v1/users/usr_alice/channels",
                      headers={"Authorization": f"Bearer {body['access_token']}"}).status_code == 403


def test_client_credentials_in_the_body_work_too_and_scope_defaults_to_the_registration(client, partner):
    r = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": partner,
                                          "client_secret": PARTNER_SECRET})
    assert r.status_code == 200 and r.get_json()["scope"] == "messages:read channels:read"


@pytest.mark.parametrize("secret", ["", "wrong", PARTNER_SECRET + "x"])
def test_a_wrong_client_secret_is_401_invalid_client_with_a_basic_challenge(client, partner, secret):
    r = client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(partner, secret))
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_client"
    assert r.headers["WWW-Authenticate"].startswith("Basic")


def test_a_public_client_may_not_use_client_credentials_nor_ask_beyond_its_scopes(client, partner):
    r = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": CLIENT})
    assert r.status_code == 400 and r.get_json()["error"] == "unauthorized_client"
    r = client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "messages:write"},
                    headers=basic(partner, PARTNER_SECRET))
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_scope"


def test_id_seed_makes_ids_reproducible_but_never_secrets(clock, verifier):
    """Two apps with the same ID_SEED: the same channel IDs, but different API keys, codes, refresh tokens, jti."""
    minted = []
    for _ in range(2):
        app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 7})
        client, alice = app.test_client(), dict(credentials(app, ALICE))
        channel = client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]["channelId"]
        key = client.post("/v1/api-keys", json={"scopes": []}, headers=alice).get_json()["data"]["key"]
        code = code_from(authorize(client, lambda user: alice, verifier))
        granted = exchange(client, code, verifier).get_json()
        jti = json.loads(jwt.b64url_decode(granted["access_token"].split(".")[1]))["jti"]
        minted.append({"channel": channel, "key": key, "code": code, "refresh": granted["refresh_token"], "jti": jti})
    first, second = minted
    assert first["channel"] == second["channel"]
    assert all(first[name] != second[name] for name in ("key", "code", "refresh", "jti")), minted
