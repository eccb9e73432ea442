"""Signing algorithms (RFC 7518 section 3): a tiny interface, ``sign`` and ``verify``, over a ``Key``.

A ``Key`` knows its *family* ("HS", "RS" or "ES") from what it is, never from the
token. ``load_key`` decides the family once; an algorithm only ever accepts keys of
its own family. That is the whole defence against algorithm confusion: an RSA
public key, in any spelling (PEM with CRLF, extra spaces, a byte-order mark, DER,
OpenSSH), is an "RS" key and can never become an HMAC secret.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from .exceptions import InvalidKeyError

MIN_HMAC_BYTES = 32   # RFC 7518 section 3.2: a key at least as long as the hash output (256 bits)
MIN_RSA_BITS = 2048   # RFC 7518 section 3.3
BOM = "\ufeff"
ASYMMETRIC_MARKERS = ("-----BEGIN", "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-", "PRIVATE KEY", "PUBLIC KEY", "CERTIFICATE")


@dataclass(frozen=True, eq=False)
class Key:
    """Key material bound to one algorithm family: ``HS`` (bytes), ``RS`` or ``ES`` (cryptography objects)."""

    family: str
    material: Any
    private: bool = False

    def __repr__(self) -> str:
        return f"Key(family={self.family!r}, private={self.private})"


def load_key(key: Any) -> Key:
    """``key`` as a ``Key``: raw bytes/str are an HMAC secret unless they look like any asymmetric key."""
    if isinstance(key, Key):
        return key
    if isinstance(key, (bytes, str)):
        return _load_text_key(key)
    return _from_crypto_object(key)


@functools.lru_cache(maxsize=64)
def _load_text_key(key: bytes | str) -> Key:
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    parsed = _parse_asymmetric(raw)
    if parsed is not None:
        return _from_crypto_object(parsed)
    text = raw.decode("utf-8", "replace")
    if any(marker.lower() in text.lower() for marker in ASYMMETRIC_MARKERS):
        raise InvalidKeyError("This looks like an asymmetric key but does not parse; refusing it as an HMAC secret.")
    if len(raw) < MIN_HMAC_BYTES:
        raise InvalidKeyError(f"HMAC keys must be at least {MIN_HMAC_BYTES * 8} bits; this one has {len(raw) * 8}.")
    return Key("HS", raw)


def _parse_asymmetric(raw: bytes) -> Any | None:
    """A cryptography key object if ``raw`` is PEM, DER or OpenSSH (after trimming BOM/whitespace), else None."""
    trimmed = raw.decode("utf-8", "replace").lstrip(BOM).strip().encode("utf-8", "replace")
    loaders = (lambda b: serialization.load_pem_public_key(b),
               lambda b: serialization.load_pem_private_key(b, password=None),
               lambda b: serialization.load_ssh_public_key(b),
               lambda b: serialization.load_der_public_key(raw),
               lambda b: serialization.load_der_private_key(raw, password=None))
    for load in loaders:
        try:
            return load(trimmed)
        except (ValueError, TypeError, IndexError, UnsupportedAlgorithm):
            continue
    return None


def _from_crypto_object(obj: Any) -> Key:
    if isinstance(obj, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        if obj.key_size < MIN_RSA_BITS:
            raise InvalidKeyError(f"RSA keys must be at least {MIN_RSA_BITS} bits; this one has {obj.key_size}.")
        return Key("RS", obj, isinstance(obj, rsa.RSAPrivateKey))
    if isinstance(obj, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if not isinstance(obj.curve, ec.SECP256R1):
            raise InvalidKeyError(f"ES256 needs a P-256 key, not {obj.curve.name}.")
        return Key("ES", obj, isinstance(obj, ec.EllipticCurvePrivateKey))
    raise InvalidKeyError(f"Unsupported key type {type(obj).__name__}.")


class HMACAlgorithm:
    """HS256: HMAC-SHA-256 over ``header.payload``, compared in constant time."""

    family = "HS"

    def __init__(self, name: str, digest):
        self.name, self.digest = name, digest

    def sign(self, msg: bytes, key: Key) -> bytes:
        return hmac.new(key.material, msg, self.digest).digest()

    def verify(self, msg: bytes, key: Key, sig: bytes) -> bool:
        return hmac.compare_digest(self.sign(msg, key), sig)


class RSAAlgorithm:
    """RS256: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 section 3.3)."""

    family = "RS"

    def __init__(self, name: str, hash_cls):
        self.name, self.hash_cls = name, hash_cls

    def sign(self, msg: bytes, key: Key) -> bytes:
        return key.material.sign(msg, padding.PKCS1v15(), self.hash_cls())

    def verify(self, msg: bytes, key: Key, sig: bytes) -> bool:
        try:
            public_key(key).verify(sig, msg, padding.PKCS1v15(), self.hash_cls())
            return True
        except InvalidSignature:
            return False


class ECAlgorithm:
    """ES256: ECDSA on P-256 with SHA-256; the JWS signature is raw ``r || s``, 64 bytes (RFC 7518 section 3.4)."""

    family = "ES"
    size = 32

    def __init__(self, name: str, hash_cls):
        self.name, self.hash_cls = name, hash_cls

    def sign(self, msg: bytes, key: Key) -> bytes:
        r, s = decode_dss_signature(key.material.sign(msg, ec.ECDSA(self.hash_cls())))
        return r.to_bytes(self.size, "big") + s.to_bytes(self.size, "big")

    def verify(self, msg: bytes, key: Key, sig: bytes) -> bool:
        if len(sig) != 2 * self.size:
            return False
        r, s = int.from_bytes(sig[:self.size], "big"), int.from_bytes(sig[self.size:], "big")
        try:
            public_key(key).verify(encode_dss_signature(r, s), msg, ec.ECDSA(self.hash_cls()))
            return True
        except InvalidSignature:
            return False


def public_key(key: Key) -> Any:
    """The public half of an asymmetric key (a private key can verify too)."""
    return key.material.public_key() if key.private else key.material


ALGORITHMS = {
    "HS256": HMACAlgorithm("HS256", hashlib.sha256),
    "RS256": RSAAlgorithm("RS256", hashes.SHA256),
    "ES256": ECAlgorithm("ES256", hashes.SHA256),
}
