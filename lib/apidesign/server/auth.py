"""Who is calling? The one place the API answers that question.

Foundation stub: the caller names itself in an ``X-User-Id`` header. That is NOT
authentication (anyone can claim any ID); it stands in until the authentication
chapter replaces ``authenticate`` with real credentials. Every route asks
``current_user()``, so swapping the mechanism touches this module only.
"""

from __future__ import annotations

from typing import Mapping

from flask import Flask, g, request

from ..errors import Unauthenticated
from .services import services

STUB_HEADER = "X-User-Id"


def authenticate() -> str:
    """The user ID of the caller of the current request, or ``Unauthenticated`` (401)."""
    user_id = request.headers.get(STUB_HEADER, "")
    if not user_id:
        raise Unauthenticated(f"Missing {STUB_HEADER} header.",
                              headers={"WWW-Authenticate": f'{STUB_HEADER} realm="apidesign"'})
    if services().repo.user(user_id) is None:
        raise Unauthenticated(f"Unknown user '{user_id}'.",
                              headers={"WWW-Authenticate": f'{STUB_HEADER} realm="apidesign"'})
    return user_id


def current_user() -> str:
    """The authenticated caller of this request (authenticated once, then cached)."""
    if "user_id" not in g:
        g.user_id = authenticate()
    return g.user_id


def principal_id() -> str:
    """A stable key for the caller, for per-caller state (rate limits, idempotency records).

    ``user:<id>`` for users; credentials that are not users (API keys) get their own prefix.
    """
    return f"user:{current_user()}"


def credentials(app: Flask, user_id: str) -> Mapping[str, str]:
    """Headers that make a request on behalf of ``user_id`` (what a logged-in client sends)."""
    return {STUB_HEADER: user_id}
