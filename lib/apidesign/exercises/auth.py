"""Checked exercises for 05-authentication: status codes, token lifetime, audience matching, choosing a method."""

from __future__ import annotations

from typing import Callable

from ..revocation import revocation_tradeoff
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered

STATUS_SCENARIOS = {
    "no Authorization header": 401,
    "token expired five minutes ago": 401,
    "token signed with alg none": 401,
    "valid token, but only messages:read, sending a message": 403,
    "valid token, reading a channel you are not a member of": 403,
}


def check_status_codes(answer: dict | None) -> Feedback:
    """``answer`` maps each scenario in STATUS_SCENARIOS to the status code the API returns."""
    if unanswered(answer):
        return NOT_ANSWERED
    for scenario, expected in STATUS_SCENARIOS.items():
        got = answer.get(scenario) if isinstance(answer, dict) else None
        if got != expected:
            why = ("the server cannot tell who is calling, so it challenges with WWW-Authenticate"
                   if expected == 401 else "the caller is known; it is the permission that is missing")
            return failed(f"'{scenario}' should be {expected}, you said {got!r}: {why}.")
    return passed("401 means 'who are you?' (with a Bearer challenge); 403 means 'I know you, and no'.")


# Constraints of the token-lifetime exercise.
SESSIONS, MAX_REFRESHES_PER_S, MAX_WINDOW_S = 10_000, 20, 600


def check_access_token_ttl(answer: float | None) -> Feedback:
    """A lifetime (seconds) that keeps refreshes under the auth server's limit and the revocation window short."""
    if unanswered(answer):
        return NOT_ANSWERED
    if not isinstance(answer, (int, float)) or answer <= 0:
        return failed(f"the answer is a positive number of seconds, not {answer!r}.")
    t = revocation_tradeoff(answer, "none", request_rate=0, sessions=SESSIONS)
    if t.auth_server_calls_per_s > MAX_REFRESHES_PER_S:
        return failed(f"with {answer:g} s tokens, {SESSIONS} sessions refresh {t.auth_server_calls_per_s:.1f} "
                      f"times a second; the auth server handles {MAX_REFRESHES_PER_S}.")
    if t.revoked_token_window > MAX_WINDOW_S:
        return failed(f"with {answer:g} s tokens and no denylist, a revoked token keeps working for up to "
                      f"{t.revoked_token_window:g} s (its lifetime plus {t.revoked_token_window - answer:g} s of "
                      f"leeway); security allows {MAX_WINDOW_S}.")
    return passed(f"{answer:g} s gives {t.auth_server_calls_per_s:.1f} refreshes/s and a worst-case "
                  f"window of {t.revoked_token_window:g} s: both limits hold.")


AUDIENCE_CASES = [  # (token aud, expected audience, accept?)
    ("chat", "chat", True), (["chat", "billing"], "chat", True), ("chatty", "chat", False),
    ("cha", "chat", False), (["chatbot"], "chat", False), ("", "chat", False), (None, "chat", False),
    (["billing"], "chat", False), ("CHAT", "chat", False),
]


def check_audience_ok(answer: Callable[[object, str], bool] | None) -> Feedback:
    """``answer(token_aud, expected)`` says whether a token's ``aud`` admits this service."""
    if unanswered(answer):
        return NOT_ANSWERED
    for aud, expected, accept in AUDIENCE_CASES:
        try:
            got = bool(answer(aud, expected))
        except Exception as exc:  # a learner's function may raise anything; report it, don't crash
            return failed(f"audience_ok({aud!r}, {expected!r}) raised {type(exc).__name__}: {exc}.")
        if got != accept:
            substring = isinstance(aud, str) and aud != expected and (expected in aud or aud in expected)
            hint = " (a substring test?)" if substring else ""
            return failed(f"audience_ok({aud!r}, {expected!r}) returned {got}, should be {accept}{hint}.")
    return passed("exact string or list membership, nothing else: the check RFC 7519 section 4.1.3 asks for.")


METHOD_SCENARIOS = {
    "a payment provider's webhook calling your server": "api_key",
    "your own mobile app's users calling your API": "jwt",
    "a third-party app that wants read-only access to a user's messages": "oauth",
    "a nightly batch job of a partner company": "api_key",
}


def check_auth_choice(answer: dict | None) -> Feedback:
    """``answer`` maps each scenario to 'api_key', 'jwt' or 'oauth'."""
    if unanswered(answer):
        return NOT_ANSWERED
    reasons = {"api_key": "a known service with no end user: a scoped, rotatable key",
               "jwt": "end users of your own app: short-lived tokens verified without a network hop",
               "oauth": "delegation: the user consents to limited scopes for someone else's app"}
    for scenario, expected in METHOD_SCENARIOS.items():
        got = answer.get(scenario) if isinstance(answer, dict) else None
        if got != expected:
            return failed(f"'{scenario}': you chose {got!r}; better {expected!r}, {reasons[expected]}.")
    return passed("API keys for services, JWTs for your users, OAuth when a user delegates to a third party.")
