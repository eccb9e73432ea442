"""API keys for services: a visible prefix, a hash at rest, scopes, two active keys for rotation.

A key looks like ``sk_live_3xQ...``: the prefix tells a human (and a secret scanner)
what it is. The server keeps only ``sha256(key)``; looking a key up means hashing what
was presented and fetching that one record, so the lookup never compares the secret
byte by byte and a stolen database holds nothing an attacker can send back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import string
from dataclasses import dataclass

from .clock import Clock
from .errors import ApiDesignError
from .store import Store

ALPHABET = string.ascii_letters + string.digits
SECRET_CHARS = 32          # 32 base62 characters: about 190 bits of entropy
MAX_ACTIVE_PER_OWNER = 2   # the old key and its replacement, during a rotation


class InvalidApiKey(ApiDesignError):
    """The presented API key is unknown, malformed or revoked (treat as 401, RFC 9110 section 15.5.2)."""


class TooManyActiveKeys(ApiDesignError):
    """An owner already has two active keys: revoke one before issuing another (rotation, not accumulation)."""


@dataclass(frozen=True)
class ApiKey:
    """What the server knows about a key: never the key itself."""

    key_id: str
    owner: str
    scopes: tuple[str, ...]
    prefix: str
    created_at: float

    def to_json(self) -> str:
        return json.dumps({"key_id": self.key_id, "owner": self.owner, "scopes": list(self.scopes),
                           "prefix": self.prefix, "created_at": self.created_at})

    @classmethod
    def from_json(cls, text: str) -> "ApiKey":
        d = json.loads(text)
        return cls(d["key_id"], d["owner"], tuple(d["scopes"]), d["prefix"], d["created_at"])


def key_hash(key: str) -> str:
    """The only form in which a key is stored: its SHA-256, hex (fast is fine: keys are random, not passwords)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeyRing:
    """Issue, verify, rotate and revoke API keys; every record lives in ``store``."""

    def __init__(self, store: Store, clock: Clock, *, prefix: str = "sk_live_", rng: random.Random | None = None):
        self.store, self.clock, self.prefix = store, clock, prefix
        self.rng = rng or random.SystemRandom()  # a CSPRNG unless a test or notebook seeds one

    def issue(self, owner: str, scopes: tuple[str, ...] | list[str] = ()) -> tuple[str, ApiKey]:
        """A new key (shown once, to hand to the service) and its stored record."""
        if len(self.active(owner)) >= MAX_ACTIVE_PER_OWNER:
            raise TooManyActiveKeys(f"{owner} already has {MAX_ACTIVE_PER_OWNER} active keys; revoke one first.")
        secret = "".join(self.rng.choice(ALPHABET) for _ in range(SECRET_CHARS))
        key = self.prefix + secret
        record = ApiKey(f"key_{key_hash(key)[:12]}", owner, tuple(scopes), self.prefix, self.clock.now())
        self.store.set(f"apikey:hash:{key_hash(key)}", record.to_json())
        self.store.set(f"apikey:id:{record.key_id}", key_hash(key))
        self._index(owner, self.active_ids(owner) + [record.key_id])
        return key, record

    def verify(self, presented: str) -> ApiKey:
        """The record of a valid key, or ``InvalidApiKey``."""
        if not isinstance(presented, str) or not presented.startswith(self.prefix) or len(presented) > 200:
            raise InvalidApiKey("Not an API key of this service.")
        digest = key_hash(presented)
        text = self.store.get(f"apikey:hash:{digest}")
        if text is None:
            raise InvalidApiKey("Unknown or revoked API key.")
        record = ApiKey.from_json(text)
        stored = self.store.get(f"apikey:id:{record.key_id}") or ""
        if not hmac.compare_digest(stored, digest):  # belt and braces: the id still points at this key
            raise InvalidApiKey("Unknown or revoked API key.")
        return record

    def rotate(self, key_id: str) -> tuple[str, ApiKey]:
        """A second key with the same owner and scopes; the old one works until you ``revoke`` it."""
        old = self.record(key_id)
        return self.issue(old.owner, old.scopes)

    def revoke(self, key_id: str) -> bool:
        """Make the key stop working at once; True if it was active."""
        digest = self.store.get(f"apikey:id:{key_id}")
        if digest is None:
            return False
        record = ApiKey.from_json(self.store.get(f"apikey:hash:{digest}"))
        self.store.delete(f"apikey:hash:{digest}", f"apikey:id:{key_id}")
        self._index(record.owner, [k for k in self.active_ids(record.owner) if k != key_id])
        return True

    def record(self, key_id: str) -> ApiKey:
        """The stored record for ``key_id``, or ``InvalidApiKey``."""
        digest = self.store.get(f"apikey:id:{key_id}")
        text = digest and self.store.get(f"apikey:hash:{digest}")
        if not text:
            raise InvalidApiKey(f"No active key {key_id}.")
        return ApiKey.from_json(text)

    def active_ids(self, owner: str) -> list[str]:
        return json.loads(self.store.get(f"apikey:owner:{owner}") or "[]")

    def active(self, owner: str) -> list[ApiKey]:
        """The owner's active keys, oldest first."""
        return [self.record(k) for k in self.active_ids(owner)]

    def _index(self, owner: str, key_ids: list[str]) -> None:
        self.store.set(f"apikey:owner:{owner}", json.dumps(key_ids))
