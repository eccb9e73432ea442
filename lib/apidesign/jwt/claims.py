"""Registered-claim checks (RFC 7519 section 4.1), each a small function over the payload and ``now``."""

from __future__ import annotations

import math
from typing import Any, Iterable

from .exceptions import (ExpiredSignatureError, ImmatureSignatureError, InvalidAudienceError,
                         InvalidClaimError, InvalidIssuerError, MissingRequiredClaimError)


def numeric_date(payload: dict, claim: str) -> float | None:
    """The claim as a finite number of epoch seconds, None if absent; anything else is invalid."""
    value = payload.get(claim)
    if value is None and claim not in payload:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidClaimError(f"The '{claim}' claim must be a number of seconds since the epoch.")
    return value


def check_times(payload: dict, now: float, leeway: float) -> None:
    """``exp`` in the future, ``nbf`` and ``iat`` not in the future, all with ``leeway`` seconds of slack."""
    exp, nbf, iat = (numeric_date(payload, c) for c in ("exp", "nbf", "iat"))
    if exp is not None and now >= exp + leeway:
        raise ExpiredSignatureError("Signature has expired.")
    if nbf is not None and now < nbf - leeway:
        raise ImmatureSignatureError("The token is not yet valid (nbf).")
    if iat is not None and now < iat - leeway:
        raise ImmatureSignatureError("The token was issued in the future (iat).")


def check_audience(payload: dict, audience: str | Iterable[str] | None) -> None:
    """``aud`` (a string or list of strings) must contain one expected audience, compared exactly."""
    if audience is None:
        if "aud" in payload:
            raise InvalidAudienceError("The token names an audience but this verifier expects none.")
        return
    if "aud" not in payload:
        raise MissingRequiredClaimError("aud")
    aud = payload["aud"]
    names = [aud] if isinstance(aud, str) else aud
    if not isinstance(names, list) or not all(isinstance(a, str) for a in names):
        raise InvalidAudienceError("The 'aud' claim must be a string or a list of strings.")
    expected = {audience} if isinstance(audience, str) else set(audience)
    if expected.isdisjoint(names):  # set membership: never a substring test
        raise InvalidAudienceError("The token was not minted for this audience.")


def check_issuer(payload: dict, issuer: str | Iterable[str] | None) -> None:
    """``iss`` must equal the expected issuer (or one of several), as a whole string."""
    if issuer is None:
        return
    if "iss" not in payload:
        raise MissingRequiredClaimError("iss")
    iss = payload["iss"]
    expected = {issuer} if isinstance(issuer, str) else set(issuer)
    if not isinstance(iss, str) or iss not in expected:
        raise InvalidIssuerError("The token was not issued by the expected issuer.")


def check_required(payload: dict, require: Iterable[str]) -> None:
    """Every claim named in ``require`` is present."""
    for claim in require:
        if claim not in payload:
            raise MissingRequiredClaimError(claim)


def validate(payload: dict, *, now: float, leeway: float = 0, audience: Any = None, issuer: Any = None,
             require: Iterable[str] = ()) -> None:
    """All claim checks, in the order a reader expects: presence, time, audience, issuer."""
    check_required(payload, require)
    check_times(payload, now, leeway)
    check_audience(payload, audience)
    check_issuer(payload, issuer)
