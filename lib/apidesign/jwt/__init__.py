"""JSON Web Tokens, hand-written to be read: ``encode`` / ``decode`` with PyJWT's call shape.

Layers follow the specs: ``algorithms`` (RFC 7518 signing, keys bound to one family),
``claims`` (RFC 7519 registered claims), ``jwk`` (public keys and their ``kid``), ``exceptions`` (one tree under
``InvalidTokenError``) and ``api`` (the compact serialization of RFC 7515).
"""

from .algorithms import ALGORITHMS, Key, load_key
from .api import b64url_decode, b64url_encode, decode, decode_complete, encode, get_unverified_header
from .exceptions import (DecodeError, ExpiredSignatureError, ImmatureSignatureError, InvalidAlgorithmError,
                         InvalidAudienceError, InvalidClaimError, InvalidIssuerError, InvalidKeyError,
                         InvalidSignatureError, InvalidTokenError, MissingRequiredClaimError,
                         TokenTooLargeError, UnsupportedCriticalHeaderError)
from .jwk import public_jwk, thumbprint

__all__ = ["encode", "decode", "decode_complete", "get_unverified_header", "b64url_encode", "b64url_decode",
           "load_key", "Key", "ALGORITHMS", "public_jwk", "thumbprint", "InvalidTokenError", "DecodeError", "TokenTooLargeError",
           "UnsupportedCriticalHeaderError", "InvalidAlgorithmError", "InvalidSignatureError",
           "InvalidClaimError", "ExpiredSignatureError", "ImmatureSignatureError", "InvalidAudienceError",
           "InvalidIssuerError", "MissingRequiredClaimError", "InvalidKeyError"]
