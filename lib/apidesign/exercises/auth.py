"""Checked exercises for 05-authentication: status codes, token lifetime, audience matching, HS256, choosing a method.

Status codes are whatever the reference API answers when the check sends each request itself;
the lifetime limits use the server's own leeway; judgement answers (which method fits) are kept
as sha256 digests, so no public name holds an answer to copy.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import inspect
import json
import random
import re
import types
from typing import Any

from numpy import bool_ as np_bool

from .. import jwt
from ..jwt.api import b64url_encode
from ..jwt.exceptions import InvalidTokenError
from ..revocation import revocation_tradeoff
from ..server import create_app, credentials
from ..server.app import DEFAULTS
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered
from .answers import names_used as _names_used
from .answers import (as_bool, as_int, as_mapping, as_number, as_text, assigned, digest, first_disagreement, globals_used,
                      imported_in, key_problem, never_raises, own_function, wrong_shape)
from .briefs import Brief, Decision, Flow, check_brief, read_design

# Exercise 1: the scenarios (questions only); the check sends each one to a fresh reference API.
STATUS_SCENARIOS = ("no Authorization header", "token expired five minutes ago", "token signed with alg none",
                    "valid token, but only messages:read, sending a message",
                    "valid token, reading a channel you are not a member of")


def _alg_none(token: str) -> str:
    """The same claims under an ``alg: none`` header and no signature: the classic forgery."""
    header = b64url_encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{token.split('.')[1]}."


@functools.lru_cache(maxsize=1)
def _live_statuses() -> dict[str, int]:
    """Each scenario's status, measured by sending it to a fresh reference API (test client, no network)."""
    app = create_app({"TESTING": True, "ID_SEED": 1})
    client = app.test_client()
    alice, bob = dict(credentials(app, "usr_alice")), dict(credentials(app, "usr_bob"))
    channel = client.post("/v1/channels", json={"name": "auth"}, headers=alice).get_json()["data"]["channelId"]
    messages = f"/v1/channels/{channel}/messages"
    expired = dict(credentials(app, "usr_alice", ttl=-300))
    forged = {"Authorization": "Bearer " + _alg_none(alice["Authorization"].split()[1])}
    read_only = dict(credentials(app, "usr_alice", scopes=["messages:read"]))
    sent = [client.get(messages), client.get(messages, headers=expired), client.get(messages, headers=forged),
            client.post(messages, json={"content": "hi"}, headers=read_only), client.get(messages, headers=bob)]
    return {scenario: r.status_code for scenario, r in zip(STATUS_SCENARIOS, sent)}


@never_raises
def check_status_codes(answer: Any) -> Feedback:
    """Exercise 1: a dict from each scenario in STATUS_SCENARIOS to the status code (401 or 403)."""
    given = as_mapping(answer)
    if given is None:
        return wrong_shape("a dict from each scenario in ex.STATUS_SCENARIOS to a status code", answer)
    keys = key_problem(given, STATUS_SCENARIOS, "scenarios")
    if keys:
        return failed(keys)
    hid = False
    for scenario, expected in _live_statuses().items():
        got = as_int(given.get(scenario))
        if got is None:
            return failed(f"'{scenario}': give a status code as a number, not {given.get(scenario)!r}.")
        if got == 404 and scenario == STATUS_SCENARIOS[-1]:
            hid = True  # RFC 9110 section 15.5.4: a server may hide the resource from a caller who may not see it
            continue
        if got != expected:
            why = ("the server cannot tell who is calling, so it challenges with WWW-Authenticate"
                   if expected == 401 else "the caller is known; it is the permission that is missing")
            return failed(f"'{scenario}' should be {expected}, you said {got}: {why}.")
    hiding = (" Your 404 for the non-member is defensible too: RFC 9110 section 15.5.4 lets a server that "
              "does not want to reveal that the channel exists answer 404 instead of 403 (this server answers "
              f"{_live_statuses()[STATUS_SCENARIOS[-1]]}, since channel IDs are not secret here).") if hid else ""
    return passed("401 means 'who are you?' (with a Bearer challenge); 403 means 'I know you, and no'." + hiding)


# Exercise 2's constraints; the leeway is the server's own (a token is accepted until exp + leeway).
SESSIONS, MAX_REFRESHES_PER_S, MAX_WINDOW_S = 10_000, 20, 600
LEEWAY = DEFAULTS["JWT_LEEWAY"]


@never_raises
def check_access_token_ttl(answer: Any) -> Feedback:
    """Exercise 2: an access-token lifetime, a positive number of seconds."""
    ttl = as_number(answer)
    if ttl is None or ttl <= 0:
        return failed(f"the answer is a positive number of seconds, not {answer!r}.")
    t = revocation_tradeoff(ttl, "none", request_rate=0, sessions=SESSIONS, leeway=LEEWAY)
    exposure = t.revoked_token_window  # the lifetime plus the leeway
    if t.auth_server_calls_per_s > MAX_REFRESHES_PER_S:
        rate = f"{t.auth_server_calls_per_s:.2f}"
        if float(rate) <= MAX_REFRESHES_PER_S:  # 499.9 s: 20.0040, which two decimals would show as 20.00
            rate = f"just over {MAX_REFRESHES_PER_S} ({t.auth_server_calls_per_s:.4f})"
        units = (f" The answer is in seconds: did you mean {ttl:g} minutes, {ttl * 60:g} s?" if ttl < 60 else "")
        return failed(f"with {ttl:g} s tokens, {SESSIONS} sessions refresh {rate} "
                      f"times a second; the auth server handles {MAX_REFRESHES_PER_S}.{units}")
    if exposure > MAX_WINDOW_S:
        return failed(f"with {ttl:g} s tokens and no denylist, a revoked token keeps working for up to {exposure:g} s: "
                      f"its lifetime plus the verifier's {LEEWAY} s leeway for clock skew; security allows {MAX_WINDOW_S}.")
    return passed(f"{ttl:g} s gives {t.auth_server_calls_per_s:.1f} refreshes/s and a worst-case exposure of "
                  f"{exposure:g} s (lifetime + {LEEWAY} s leeway): both limits hold.")


def _reference_audience_ok(token_aud: Any, expected: str) -> bool:
    """The library's verdict (``jwt.claims.check_audience``) on a token whose ``aud`` holds ``token_aud``."""
    payload = {} if token_aud is None else {"aud": token_aud}
    try:
        jwt.claims.check_audience(payload, expected)
    except InvalidTokenError:
        return False
    return True


def _audience_cases(seed: int = 7) -> list[tuple[Any, str]]:
    """(aud, expected) pairs, simplest first: exact, lists, substrings, case, junk types."""
    rng = random.Random(seed)
    cases: list[tuple[Any, str]] = [
        ("chat", "chat"), ("chatty", "chat"), ("cha", "chat"), ("CHAT", "chat"), ("", "chat"), (None, "chat"),
        (["chat", "billing"], "chat"), (["chatbot"], "chat"), (["billing"], "chat"), ([], "chat"),
        ("chat billing", "chat"), (42, "chat"), ({"chat": True}, "chat"), (["chat", 7], "chat"), (("chat",), "chat")]
    for _ in range(30):
        name = "".join(rng.choice("abc") for _ in range(rng.randrange(1, 4)))
        pool = [name, name + "x", name[:-1] or "z", name.upper()]
        aud = rng.choice([rng.choice(pool), rng.sample(pool, rng.randrange(1, 3))])
        cases.append((aud, name))
    return sorted(cases, key=lambda c: len(repr(c)))


def _signature_problem(answer: Any, call: str) -> Feedback | None:
    """A Feedback if ``answer`` cannot be called with the two arguments ``call`` shows, else None."""
    try:
        inspect.signature(answer).bind(None, None)
    except TypeError:
        return failed(f"the check calls {call} with two arguments; yours is {getattr(answer, '__name__', 'it')}"
                      f"{inspect.signature(answer)}.")
    except ValueError:  # no signature to read (a builtin): let the calls speak
        pass
    return None


def _not_bool(answer: Any, cases: list, call: str) -> Feedback | None:
    """A Feedback if ``answer`` returns something other than a bool (0, None, 'yes') on some case, else None."""
    for case in cases:
        try:
            got = answer(*case)
        except Exception:  # noqa: BLE001 - a crash is judged by first_disagreement, not here
            continue
        if not isinstance(got, (bool, np_bool)):
            return failed(f"{call} must return a bool, True or False; on {case!r} yours returned {got!r} "
                          f"({type(got).__name__}).")
    return None


@never_raises
def check_audience_ok(answer: Any) -> Feedback:
    """Exercise 3: a function audience_ok(token_aud, expected) -> bool."""
    problem = own_function(answer, "a function audience_ok(token_aud, expected)")
    if problem is None:
        problem = _signature_problem(answer, "audience_ok(token_aud, expected)")
    if problem is not None:
        return problem
    bad = first_disagreement(answer, _reference_audience_ok, _audience_cases(), lambda y, r: as_bool(y) == r)
    if bad is not None and not bad.error and not isinstance(bad.yours, (bool, np_bool)):
        return failed(f"audience_ok must return a bool, True or False; on {bad.case!r} yours returned "
                      f"{bad.yours!r} ({type(bad.yours).__name__}).")
    if bad is None and (problem := _not_bool(answer, _audience_cases(), "audience_ok")) is not None:
        return problem
    if bad is None:
        return passed("exact string or list membership, nothing else: the check RFC 7519 section 4.1.3 asks for.")
    aud, expected = bad.case
    if bad.error:
        return failed(f"audience_ok({aud!r}, {expected!r}) raised {bad.error}; junk in aud is a refusal, not a crash.")
    substring = isinstance(aud, str) and aud != expected and (expected in aud or aud in expected)
    hint = (" (a substring test?)" if substring else
            " (a string that only looks like the audience, or an aud that is neither a string nor a list "
            "of strings, is refused)" if bad.reference is False else "")
    return failed(f"audience_ok({aud!r}, {expected!r}) returned {bad.yours!r}, should be {bad.reference}{hint}.")


# Exercise 4: the scenarios (questions only); accepted answers are kept as digests.
METHOD_SCENARIOS = ("a payment provider's webhook calling your server", "your own mobile app's users calling your API",
                    "a third-party app that wants read-only access to a user's messages",
                    "a nightly batch job of a partner company")
METHODS = ("api_key", "jwt", "oauth", "client_credentials", "hmac")
_ACCEPTED = {
    METHOD_SCENARIOS[0]: {"485b2651826251e9", "b5aad33f6ce5edac"},
    METHOD_SCENARIOS[1]: {"6262c58758e654cf", "e54579a8c54858d1"},
    METHOD_SCENARIOS[2]: {"10861678bb258415"},
    METHOD_SCENARIOS[3]: {"7c7d68ea10ea0b6b", "c5d044a379f771ec"},
}
_SYNONYMS = {"apikey": "api_key", "apikeys": "api_key", "key": "api_key", "jwts": "jwt", "bearerjwt": "jwt",
             "oauth2": "oauth", "oauth20": "oauth", "clientcredentials": "client_credentials",
             "oauthclientcredentials": "client_credentials", "hmacsignature": "hmac", "hmacsigning": "hmac",
             "signature": "hmac", "signedwebhooks": "hmac",
             "hmacsha256": "hmac", "hmacsha256signature": "hmac", "signedwebhook": "hmac", "webhooksignature": "hmac",
             "clientcredentialsgrant": "client_credentials", "oauthclientcredentialsgrant": "client_credentials",
             "oauth2clientcredentials": "client_credentials", "oauth2clientcredentialsgrant": "client_credentials"}
_WHY_NOT = {  # (scenario index, choice) -> why that choice is wrong there
    (0, "api_key"): "a static key only proves the sender knows it, and it travels with every call; the provider "
                    "signs each delivery with a shared secret (HMAC, as Stripe and GitHub do), which also proves the "
                    "body was not changed and, with a signed timestamp, that it is not a replay",
    (0, "oauth"): "no user delegates anything here; the provider signs each delivery with a shared secret",
    (0, "client_credentials"): "the provider calls you, not your API with a token it fetched; it signs each delivery",
    (2, "api_key"): "a key would give the third party your user's full power, with no consent and no scopes",
    (2, "jwt"): "a JWT is the token format, not the delegation: the user must consent to scopes for that app",
    (2, "client_credentials"): "client credentials carry no user; reading a user's messages needs the user's consent",
    (2, "hmac"): "signing proves who sent a request, not that a user agreed to share their messages",
    (3, "oauth"): "the right family, but which grant? With no user to consent it is the client-credentials grant "
                  "(RFC 6749 section 4.4): answer 'client_credentials'",
    (3, "jwt"): "there is no user session to mint a JWT for; a service needs a scoped, rotatable credential",
    (3, "hmac"): "an HMAC proves a message's origin, but the partner calls your API and needs a scoped credential",
    (1, "api_key"): "a key shipped in a mobile app is extracted by anyone; users log in and get short-lived tokens",
    (1, "client_credentials"): "the app cannot keep a client secret, and the caller is a user, not a service",
    (1, "hmac"): "a signing secret in a mobile app is no secret; users log in and get short-lived tokens",
}


def method_name(answer: Any) -> str | None:
    """The method an answer names ('API key', 'client-credentials', 'HMAC signature'), or None."""
    text = as_text(answer)
    if text is None:
        return None
    name = re.sub(r"[^a-z0-9_]", "", text.lower().replace(" ", "_").replace("-", "_")).strip("_")
    return name if name in METHODS else _SYNONYMS.get(name.replace("_", ""))


@never_raises
def check_auth_choice(answer: Any) -> Feedback:
    """Exercise 4: a dict from each scenario in METHOD_SCENARIOS to one of METHODS."""
    given = as_mapping(answer)
    if given is None:
        return wrong_shape(f"a dict from each scenario in ex.METHOD_SCENARIOS to one of {', '.join(METHODS)}", answer)
    for i, scenario in enumerate(METHOD_SCENARIOS):
        choice = method_name(given.get(scenario))
        if choice is None:
            return failed(f"'{scenario}': answer one of {', '.join(METHODS)}, not {given.get(scenario)!r}.")
        if digest(scenario, choice)[:16] not in _ACCEPTED[scenario]:
            return failed(f"'{scenario}': you chose {choice!r}: "
                          f"{_WHY_NOT.get((i, choice), 'think about who the caller is and who consents')}.")
    signed_jwt = (" A signed JWT per webhook delivery is a defensible signing choice too (Plaid signs its webhooks "
                  "that way, and Google Pub/Sub push sends an OIDC token): the provider signs with its private key "
                  "and you verify with its published JWKS; a shared-secret HMAC is the commoner scheme."
                  if method_name(given.get(METHOD_SCENARIOS[0])) == "jwt" else "")
    return passed("Signed webhooks, tokens for your users (via an OAuth login or not), OAuth when a user delegates "
                  "to a third party, and a scoped key or the client-credentials grant for a partner's service."
                  + signed_jwt)


# Exercise 5 (implement it): verify an HS256 signature by hand.
HS256_SECRET = b"exercise-5-secret, 32 bytes or more"  # RFC 7518 section 3.2: a key at least as long as the hash


def _reference_hs256(token: Any, secret: bytes) -> bool:
    """The library's verdict: ``jwt.decode`` with only HS256 allowed accepts the token."""
    try:
        jwt.decode(token, secret, algorithms=["HS256"])
    except InvalidTokenError:
        return False
    return True


def _hs256_cases(seed: int = 5) -> list[tuple[str, bytes]]:
    """(token, secret) pairs, shortest first: valid, tampered, wrong secret, other algorithms, malformed."""
    rng = random.Random(seed)
    cases: list[tuple[str, bytes]] = [("", HS256_SECRET), ("a.b", HS256_SECRET), ("a.b.c.d", HS256_SECRET)]
    for i in range(12):
        claims = {"sub": f"usr_{rng.randrange(100)}", "n": rng.randrange(1000)}
        good = jwt.encode(claims, HS256_SECRET, "HS256")
        head, body, sig = good.split(".")
        other_body = b64url_encode(json.dumps({**claims, "admin": True}).encode())
        flipped = sig[:3] + ("A" if sig[3] != "A" else "B") + sig[4:]
        none = b64url_encode(b'{"alg":"none","typ":"JWT"}')
        cases += [(good, HS256_SECRET), (f"{head}.{other_body}.{sig}", HS256_SECRET), (f"{head}.{body}.{flipped}", HS256_SECRET),
                  (good, b"another secret, also 32 bytes long"), (f"{none}.{body}.", HS256_SECRET),
                  (_hs384(body), HS256_SECRET), (_relabelled(body), HS256_SECRET)]
        # headers of every length mod 4 (a kid of 0-3 characters), so a decoder must restore base64 padding
        cases.append((_hs256({"alg": "HS256", "typ": "JWT", "kid": "k" * (i % 4)}, body), HS256_SECRET))
    cases += [(_non_canonical(cases[3][0]), HS256_SECRET),
              (_hs256({"alg": "HS512", "note": "HS256"}, body), HS256_SECRET),  # "HS256" only as a substring
              (_hs256({"alg": "hs256", "typ": "JWT"}, body), HS256_SECRET)]    # alg names are case-sensitive
    return sorted(cases, key=lambda c: (len(c[0]), c))


def _hs256(header: dict, body: str) -> str:
    """``body`` under ``header``, with a genuine HMAC-SHA256 signature whatever the header says."""
    head = b64url_encode(json.dumps(header, separators=(",", ":")).encode())
    return f"{head}.{body}." + b64url_encode(hmac.new(HS256_SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest())


def _non_canonical(token: str) -> str:
    """``token`` with its signature's unused trailing bits set: the same bytes decoded, but not the text signed."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    head, body, sig = token.split(".")
    last = alphabet.index(sig[-1])  # 43 characters carry 258 bits for 256: the last character's low 2 are unused
    return f"{head}.{body}.{sig[:-1]}{alphabet[last | 1 if last % 4 == 0 else last & ~3]}"


def _hs384(body: str) -> str:
    """A token honestly signed with HMAC-SHA384: a valid signature, but not the algorithm the verifier allows."""
    head = b64url_encode(b'{"alg":"HS384","typ":"JWT"}')
    return f"{head}.{body}." + b64url_encode(hmac.new(HS256_SECRET, f"{head}.{body}".encode(), hashlib.sha384).digest())


def _relabelled(body: str) -> str:
    """An HMAC-SHA256 signature under a header that says HS512: a verifier that ignores the header accepts it."""
    head = b64url_encode(b'{"alg":"HS512","typ":"JWT"}')
    return f"{head}.{body}." + b64url_encode(hmac.new(HS256_SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest())


@never_raises
def check_hs256_valid(answer: Any) -> Feedback:
    """Exercise 5: a function hs256_valid(token, secret) -> bool, True only for a genuine HS256 signature."""
    problem = own_function(answer, "a function hs256_valid(token, secret)")
    for step in (_a_library, lambda f: _signature_problem(f, "hs256_valid(token, secret)")):
        problem = step(answer) if problem is None else problem
    if problem is not None:
        return problem
    bad = first_disagreement(answer, _reference_hs256, _hs256_cases(), lambda y, r: as_bool(y) == r)
    if bad is None and "compare_digest" not in _names_used(answer):
        return failed(f"all {len(_hs256_cases())} tokens judged right, but your code never calls hmac.compare_digest. "
                      "'==' stops at the first differing byte, so its timing tells an attacker how much of a forged "
                      "signature is right. A check cannot measure timing, so this one reads your code.")
    if bad is None:
        return passed(f"all {len(_hs256_cases())} tokens judged as the library does: the header must say exactly "
                      "HS256, and the HMAC-SHA256 of 'header.payload' must equal the signature text; and your code "
                      "calls hmac.compare_digest (read from the code: no check can time a comparison).")
    token, secret = bad.case
    shown = f"hs256_valid({token[:40] + '...' if len(token) > 40 else token!r}, {secret!r})"
    if bad.error:
        return failed(f"{shown} raised {bad.error}; a malformed token is a False, never a crash.")
    return failed(f"{shown} returned {bad.yours!r}; the library says {bad.reference}: {_hs256_why(token, secret)}.")


def _a_library(answer: Any) -> Feedback | None:
    """A Feedback if ``answer`` is, or calls, a JWT library's decode (PyJWT's or ours) instead of checking by hand."""
    module = str(getattr(answer, "__module__", ""))
    used = [getattr(answer, "__globals__", {}).get(n) for n in globals_used(answer)]  # not attributes: r.jwt
    used += [cell.cell_contents for cell in getattr(answer, "__closure__", None) or () if assigned(cell)]
    if module == "jwt" or module.startswith("jwt.") or imported_in(answer) & {"jwt", "apidesign.jwt"} or any(
            isinstance(m, types.ModuleType) and m.__name__ in ("jwt", "apidesign.jwt") for m in used):
        return failed("that leans on a JWT library (PyJWT or the course's); the exercise is to check the signature "
                      "yourself with hmac, hashlib, base64 and json.")
    return None


def _hs256_why(token: str, secret: bytes) -> str:
    parts = token.split(".")
    if len(parts) != 3:
        return f"a JWS in compact form has three segments, this has {len(parts)}"
    try:
        header = json.loads(jwt.api.b64url_decode(parts[0]))
    except (ValueError, InvalidTokenError):
        return "the header is not base64url JSON"
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        alg = header.get("alg") if isinstance(header, dict) else None
        return (f"the header says alg {alg!r}; the verifier allows only HS256, exactly (names are case-sensitive, "
                "and 'HS256' elsewhere in the header is not the alg), and never trusts the token's choice")
    raw = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if b64url_encode(raw) != parts[2]:
        if _decodes_to(parts[2], raw):
            return ("the signature decodes to the right bytes, but its text is not the canonical base64url "
                    "(unused trailing bits are set): compare the base64url text of your HMAC with the signature text")
        return "the HMAC-SHA256 of 'header.payload' under this secret is not the signature (altered, or another key)"
    padding = (f" (its header is {len(parts[0])} characters, not a multiple of 4: restore the '=' padding before "
               "decoding)" if len(parts[0]) % 4 else "")
    return "the signature matches the header and payload" + padding


def _decodes_to(text: str, raw: bytes) -> bool:
    """Does the base64url ``text`` decode, leniently, to ``raw``?"""
    import base64
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)) == raw
    except ValueError:
        return False


# Exercise 6 (design it): a partner integration for the chat API.
PARTNER_API = Brief(
    "partner-api",
    "Two integrations for the chat API: a partner's service posts alerts into channels (no user involved), and "
    "third-party apps read a user's messages after the user agrees.",
    flows=(Flow("post an alert into a channel", ("POST",), r"/channels/\{\}/(messages|alerts|posts|notifications|events)$"),
           Flow("read a user's messages", ("GET",), r"/messages"),
           Flow("rotate the partner's credential", ("POST", "PUT", "DELETE"), r"/(api-keys|keys|credentials|clients)")),
    decisions=(Decision("the partner's credential", r"api[- ]?keys?|client[- ]credentials|mtls",
                        "how the partner's service proves who it is, with no user present."),
               Decision("delegation by a user", r"authori[sz]ation[- ]code|pkce",
                        "how a third-party app gets access to a user's messages (which OAuth grant), and with which "
                        "scopes."),
               Decision("401 versus 403", r"\b403\b|insufficient[_ ]scope",
                        "what a known caller without the scope gets, and why it is not 401.")))


MAX_DESIGN_CHARS = 20_000  # a whiteboard design is a table and a dozen notes; the reviewer reads every word

# Wrong substance a reviewer of the prompt would stop at: (a pattern on one note, what is wrong and why).
WRONG_SUBSTANCE = (
    (re.compile(r"\b(one|single|same|shared|global)\b[^.]*\b(api[- ]?key|key|secret|credential)s?\b[^.]*"
                r"\b(all|every|each)\s+(tenant|partner|customer)s?\b|\bshared by (all|every)|"
                r"\b(all|every)\s+(tenant|partner|customer)s?\b[^.]*\b(share|use)s?\b[^.]*\b(one|single|same)\b", re.I),
     "one credential shared by every tenant: give each partner its own key (or OAuth client), so one can be "
     "rotated or revoked without breaking the others and every call is attributable"),
    (re.compile(r"^(?!.*\b(never|not|no|without|instead of)\b).*\bpasswords?\b", re.I),
     "third-party apps must never see a user's password: use the authorization-code grant with PKCE; RFC 9700 "
     "section 2.4 says the resource-owner password grant MUST NOT be used"),
    (re.compile(r"^(?!.*\b403\b).*\bscopes?\b.*\b401\b|^(?!.*\b403\b).*\b401\b.*\bscopes?\b", re.I),
     "a known caller without the scope gets 403 with error=\"insufficient_scope\" (RFC 6750 section 3.1), not "
     "401: 401 means the credential itself is missing or bad"),
)


def wrong_substance(design) -> list[str]:
    """What the notes decide wrongly for this prompt, each with the note it was found in."""
    found = []
    for pattern, why in WRONG_SUBSTANCE:
        note = next((n.text.strip() for n in design.notes if pattern.search(n.text)), None)
        if note is not None:
            found.append(f"{why} (you wrote: \"{note[:90]}\").")
    return found


def check_partner_design(answer: Any) -> Feedback:
    """Exercise 6: a markdown design (table + notes) for the partner-API brief, and the substance of its notes."""
    if unanswered(answer):
        return NOT_ANSWERED
    if isinstance(answer, str) and len(answer) > MAX_DESIGN_CHARS:
        return failed(f"the design is {len(answer):,} characters; keep it under {MAX_DESIGN_CHARS:,} (a table and a "
                      "dozen notes fit in a few thousand), since the reviewer reads every word.")
    verdict = never_raises(check_brief)(answer, PARTNER_API)
    design, _ = read_design(answer)
    wrong = wrong_substance(design) if design is not None else []
    if not wrong:
        return verdict
    listed = "\n".join(f"- {w}" for w in wrong)
    rest = "" if verdict.ok else "\n\nAnd from the design check:\n\n" + verdict.message
    return failed(f"{len(wrong)} {'decision is' if len(wrong) == 1 else 'decisions are'} wrong for this prompt:\n\n"
                  f"{listed}{rest}")
