"""Signed webhooks (Standard Webhooks 1.0.0): how a receiver knows a webhook really came from its sender.

A webhook is an HTTP request the *provider* sends to *your* server, so the credential works the
other way round from an API key: the provider signs ``id.timestamp.body`` with HMAC-SHA256 and a
secret shared with you, and you check the signature and the timestamp. Stripe (``Stripe-Signature``)
and GitHub (``X-Hub-Signature-256``) do the same with their own header names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Mapping

from .errors import ApiDesignError

TOLERANCE = 5 * 60  # seconds either side of now; the spec's libraries use 5 minutes
SECRET_BYTES = range(24, 65)  # Standard Webhooks 1.0.0: a secret is 24 to 64 random bytes


class WebhookVerificationError(ApiDesignError):
    """The webhook is unsigned, wrongly signed, or too old or too new to trust (Standard Webhooks 1.0.0)."""


def new_secret(n: int = 32) -> str:
    """A fresh endpoint secret: ``whsec_`` and the base64 of ``n`` random bytes, 24 <= n <= 64."""
    if n not in SECRET_BYTES:
        raise ValueError(f"Standard Webhooks secrets are 24 to 64 random bytes, not {n}.")
    return "whsec_" + base64.b64encode(secrets.token_bytes(n)).decode()


def secret_bytes(secret: str) -> bytes:
    """The HMAC key of a ``whsec_``-prefixed, base64-encoded secret."""
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,`` and the base64 HMAC-SHA256 of ``msg_id.timestamp.body``: the ``webhook-signature`` value."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()).decode()


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float, tolerance: float = TOLERANCE) -> str:
    """The ``webhook-id`` (the sender's idempotency key) of an authentic webhook, else ``WebhookVerificationError``."""
    msg_id, timestamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    if not msg_id or not re.fullmatch(r"[0-9]+", timestamp):  # an integer of ASCII digits ("²" is a digit too)
        raise WebhookVerificationError("webhook-id and webhook-timestamp are required.")
    if abs(now - int(timestamp)) > tolerance:
        raise WebhookVerificationError("The timestamp is outside the tolerance: a replay, or a clock far off.")
    expected = sign(secret, msg_id, int(timestamp), body).encode()
    # a space-separated list: during a secret rotation the sender signs with the old and the new secret
    if not any(hmac.compare_digest(expected, s.encode()) for s in headers.get("webhook-signature", "").split()):
        raise WebhookVerificationError("No signature matches.")
    return msg_id
