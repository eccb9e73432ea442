"""``encode`` and ``decode``: the compact JWS serialization (RFC 7515 section 7.1) of a JWT (RFC 7519).

The call shape mirrors PyJWT's: ``encode(payload, key, algorithm)`` and
``decode(token, key, algorithms=[...], audience=, issuer=, leeway=, require=)``,
plus an injected ``clock``. Decoding is a pipeline of refusals, cheapest first:
size and shape, header, algorithm against the allow-list *and* the key's family,
signature, and only then the payload and its claims.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from ..clock import Clock, WallClock
from . import claims
from .algorithms import ALGORITHMS, Key, load_key
from .exceptions import (DecodeError, InvalidAlgorithmError, InvalidKeyError, InvalidSignatureError,
                         TokenTooLargeError, UnsupportedCriticalHeaderError)

MAX_TOKEN_CHARS = 8192     # far above any real access token; refuses megabyte inputs in O(1)
MAX_JSON_DEPTH = 8         # claims are flat; deep nesting only ever comes from an attacker
COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
SEGMENT = re.compile(r"[A-Za-z0-9_-]*")
UNDERSTOOD_CRIT: frozenset[str] = frozenset()  # no JWS extensions are implemented
_WALL = WallClock()


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(segment: str) -> bytes:
    """The bytes of one unpadded base64url segment: only the URL-safe alphabet, never a 4n+1 length."""
    if not isinstance(segment, str) or not SEGMENT.fullmatch(segment):
        raise DecodeError("A segment is not valid base64url.")
    if len(segment) % 4 == 1:
        raise DecodeError("A base64url segment has an impossible length.")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def encode(payload: Mapping[str, Any], key: Any, algorithm: str = "HS256",
           headers: Mapping[str, Any] | None = None) -> str:
    """A signed compact JWT: ``base64url(header).base64url(payload).base64url(signature)``."""
    alg, prepared = _signing_algorithm(algorithm, key)
    header = {"alg": algorithm, "typ": "JWT", **(headers or {})}
    header["alg"] = algorithm  # extra headers may add fields, never change the algorithm
    body = {k: _numeric(v) for k, v in payload.items()}
    signing_input = _segment(header) + "." + _segment(body)
    return signing_input + "." + b64url_encode(alg.sign(signing_input.encode("ascii"), prepared))


def decode(token: str | bytes, key: Any, algorithms: Sequence[str], *, audience: str | Iterable[str] | None = None,
           issuer: str | Iterable[str] | None = None, leeway: float = 0, clock: Clock | None = None,
           require: Iterable[str] = ()) -> dict:
    """The verified payload of ``token``, or a subclass of ``InvalidTokenError`` saying what is wrong."""
    return decode_complete(token, key, algorithms, audience=audience, issuer=issuer, leeway=leeway,
                           clock=clock, require=require)["payload"]


def decode_complete(token: str | bytes, key: Any, algorithms: Sequence[str], *, audience: Any = None,
                    issuer: Any = None, leeway: float = 0, clock: Clock | None = None,
                    require: Iterable[str] = ()) -> dict:
    """``{"header", "payload", "signature"}`` of a verified token (like PyJWT's ``decode_complete``)."""
    allowed = _allowed(algorithms)
    header_b64, payload_b64, sig_b64 = _segments(token)
    header = _json_object(b64url_decode(header_b64), "header")
    alg = _check_header(header, allowed)
    prepared = load_key(key)
    if prepared.family != alg.family:
        raise InvalidAlgorithmError(f"A key of the {prepared.family} family can never verify an {alg.name} token.")
    signature = b64url_decode(sig_b64)
    if b64url_encode(signature) != sig_b64:  # one signature, one spelling: no malleable trailing bits
        raise DecodeError("The signature segment is not canonical base64url.")
    if not alg.verify(f"{header_b64}.{payload_b64}".encode("ascii"), prepared, signature):
        raise InvalidSignatureError("Signature verification failed.")
    payload = _json_object(b64url_decode(payload_b64), "payload")
    now = (clock or _WALL).now()
    claims.validate(payload, now=now, leeway=leeway, audience=audience, issuer=issuer, require=require)
    return {"header": header, "payload": payload, "signature": signature}


def get_unverified_header(token: str | bytes) -> dict:
    """The header, parsed but NOT verified: for choosing a key by ``kid``, never for trusting."""
    return _json_object(b64url_decode(_segments(token)[0]), "header")


# -- the steps ------------------------------------------------------------------

def _allowed(algorithms: Sequence[str]) -> frozenset[str]:
    """The caller's allow-list: required, a real list (not a string), no ``none``, only known names."""
    if isinstance(algorithms, (str, bytes)) or not algorithms:
        raise TypeError("algorithms must be a non-empty list of names, e.g. ['HS256'].")
    unknown = [a for a in algorithms if a not in ALGORITHMS]
    if unknown:
        raise ValueError(f"Unsupported or forbidden algorithms: {unknown} ('none' is never accepted).")
    return frozenset(algorithms)


def _segments(token: str | bytes) -> list[str]:
    """Exactly three non-empty base64url segments, within the size limit."""
    if isinstance(token, (bytes, bytearray)):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise DecodeError("A token is ASCII text.") from None
    if not isinstance(token, str):
        raise DecodeError(f"A token is a string, not {type(token).__name__}.")
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenTooLargeError(f"Tokens longer than {MAX_TOKEN_CHARS} characters are refused.")
    parts = token.split(".")
    if len(parts) == 3 and not parts[2]:  # header.payload. is an Unsecured JWS, not a malformed one
        raise DecodeError("The signature is empty: an unsecured JWT (RFC 7519 section 6.1) is never accepted.")
    if not COMPACT.fullmatch(token):
        what = "Not enough" if len(parts) < 3 else "Too many" if len(parts) > 3 else "Malformed"
        raise DecodeError(f"{what} segments: a JWS is three base64url segments separated by dots.")
    return parts


def _json_object(raw: bytes, what: str) -> dict:
    """``raw`` as a JSON object with unique member names, no NaN/Infinity, nested at most MAX_JSON_DEPTH."""
    if raw.count(b"{") + raw.count(b"[") > MAX_JSON_DEPTH and _depth_exceeds(raw):
        raise TokenTooLargeError(f"The {what} is nested too deeply.")
    try:
        value = _JSON.decode(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise DecodeError(f"The {what} is not valid JSON.") from None
    if not isinstance(value, dict):
        raise DecodeError(f"The {what} must be a JSON object.")
    return value


def _depth_exceeds(raw: bytes) -> bool:
    """True if brackets (outside strings) nest deeper than MAX_JSON_DEPTH: a linear scan, no recursion."""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash: the next byte is escaped
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x7B, 0x5B):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif byte in (0x7D, 0x5D):
            depth -= 1
    return False


def _unique_members(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):  # RFC 7515 section 5.2: reject duplicate member names
        raise ValueError("duplicate member name")
    return obj


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


_JSON = json.JSONDecoder(object_pairs_hook=_unique_members, parse_constant=_no_constants)


def _check_header(header: dict, allowed: frozenset[str]):
    """The algorithm object for ``header["alg"]``, if allowed; ``crit`` must name only understood extensions."""
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise InvalidAlgorithmError("The header has no 'alg' string.")
    if alg.lower() == "none":
        raise InvalidAlgorithmError("Unsigned tokens (alg 'none') are never accepted.")
    if alg not in allowed:
        raise InvalidAlgorithmError(f"The algorithm {alg[:20]!r} is not allowed here.")
    if "crit" in header:
        crit = header["crit"]
        if not isinstance(crit, list) or not crit or not all(isinstance(c, str) for c in crit):
            raise UnsupportedCriticalHeaderError("'crit' must be a non-empty list of names.")
        unknown = sorted(set(crit) - UNDERSTOOD_CRIT)
        if unknown:
            raise UnsupportedCriticalHeaderError(f"Critical extensions not understood: {unknown[:5]!r:.200}.")
    return ALGORITHMS[alg]


def _signing_algorithm(algorithm: str, key: Any) -> tuple[Any, Key]:
    """The algorithm and a key of its family that can sign (a private key, for RS/ES)."""
    if not isinstance(algorithm, str) or algorithm not in ALGORITHMS:
        raise InvalidKeyError(f"Cannot sign with algorithm {algorithm!r} ('none' is never produced).")
    alg, prepared = ALGORITHMS[algorithm], load_key(key)
    if prepared.family != alg.family:
        raise InvalidKeyError(f"A {prepared.family} key cannot sign {algorithm} tokens.")
    if alg.family != "HS" and not prepared.private:
        raise InvalidKeyError(f"{algorithm} signing needs the private key.")
    return alg, prepared


def _segment(obj: Mapping[str, Any]) -> str:
    return b64url_encode(json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8"))


def _numeric(value: Any) -> Any:
    """Datetimes become NumericDate (integer epoch seconds), as PyJWT does."""
    return int(value.timestamp()) if isinstance(value, datetime) else value
