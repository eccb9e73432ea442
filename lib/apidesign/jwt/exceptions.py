"""The exception tree of ``apidesign.jwt``: one root, one class per broken rule.

Anything wrong with a *token* raises a subclass of ``InvalidTokenError`` and nothing
else, so a server needs one ``except`` to turn bad tokens into a 401. Problems with
the *key* the server passed in are the server's bug, not the caller's, and raise
``InvalidKeyError`` instead.
"""

from __future__ import annotations

from ..errors import ApiDesignError


class InvalidTokenError(ApiDesignError):
    """Root of every reason to refuse a token (RFC 7519 section 7.2: if any check fails, reject)."""


class DecodeError(InvalidTokenError):
    """Not a compact JWS: three base64url segments with JSON-object header and payload (RFC 7515 section 7.1)."""


class TokenTooLargeError(DecodeError):
    """Oversized or too deeply nested input, refused before any expensive work."""


class UnsupportedCriticalHeaderError(DecodeError):
    """A ``crit`` header names an extension this library does not understand (RFC 7515 section 4.1.11)."""


class InvalidAlgorithmError(InvalidTokenError):
    """The header's ``alg`` is not allowed here, is ``none``, or does not match the key's family (RFC 8725 section 3.1)."""


class InvalidSignatureError(InvalidTokenError):
    """The signature does not verify with the given key (RFC 7515 section 5.2)."""


class InvalidClaimError(InvalidTokenError):
    """A registered claim has the wrong type, e.g. a non-numeric ``exp`` (RFC 7519 section 4.1)."""


class ExpiredSignatureError(InvalidClaimError):
    """Now is at or after ``exp`` plus leeway (RFC 7519 section 4.1.4)."""


class ImmatureSignatureError(InvalidClaimError):
    """Now is before ``nbf`` minus leeway (RFC 7519 section 4.1.5), or before ``iat`` minus leeway (a stricter check, as PyJWT's)."""


class InvalidAudienceError(InvalidClaimError):
    """``aud`` does not name this recipient, as an exact string (RFC 7519 section 4.1.3)."""


class InvalidIssuerError(InvalidClaimError):
    """``iss`` is not exactly the expected issuer (RFC 7519 section 4.1.1)."""


class MissingRequiredClaimError(InvalidClaimError):
    """A claim the verifier demands is absent (RFC 7519 section 4: the application decides; RFC 9068 section 2.2)."""

    def __init__(self, claim: str):
        super().__init__(f"Token is missing the '{claim}' claim.")
        self.claim = claim


class InvalidKeyError(ApiDesignError):
    """The key given to encode/decode is unusable: too short, wrong type, or not for this algorithm (RFC 7518 section 3.2)."""
