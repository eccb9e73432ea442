"""Public keys as JWKs (RFC 7517, RFC 7518 section 6) and their ``kid``: the RFC 7638 thumbprint."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .api import b64url_encode

REQUIRED_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}  # RFC 7638 section 3.2


def public_jwk(public: Any, alg: str) -> dict:
    """The public numbers of an RS256 or ES256 key, base64url big-endian (RFC 7518 sections 6.2, 6.3)."""
    b64 = lambda n, size=None: b64url_encode(n.to_bytes(size or (n.bit_length() + 7) // 8, "big"))
    numbers = public.public_numbers()
    if alg == "RS256":
        jwk = {"kty": "RSA", "n": b64(numbers.n), "e": b64(numbers.e)}
    else:
        jwk = {"kty": "EC", "crv": "P-256", "x": b64(numbers.x, 32), "y": b64(numbers.y, 32)}
    return {**jwk, "alg": alg, "use": "sig", "kid": thumbprint(jwk)}


def thumbprint(jwk: dict) -> str:
    """RFC 7638: base64url SHA-256 of the required members, sorted, without whitespace."""
    members = {name: jwk[name] for name in REQUIRED_MEMBERS[jwk["kty"]]}
    return b64url_encode(hashlib.sha256(json.dumps(members, sort_keys=True, separators=(",", ":")).encode()).digest())
