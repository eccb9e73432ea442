"""Model solutions for 05-authentication.ipynb (one value or function per exercise)."""

import base64
import hashlib
import hmac
import json

status_codes = {
    "no Authorization header": 401,
    "token expired five minutes ago": 401,
    "token signed with alg none": 401,
    "valid token, but only messages:read, sending a message": 403,
    "valid token, reading a channel you are not a member of": 403,
}

# 10,000 sessions / ttl <= 20 refreshes per second  ->  ttl >= 500 s;
# exposure = ttl + 30 s leeway <= 600 s  ->  ttl <= 570 s.
access_token_ttl = 540


def audience_ok(token_aud, expected):
    """Exact string, or membership of a list of strings; anything else is refused."""
    if isinstance(token_aud, str):
        return token_aud == expected
    return isinstance(token_aud, list) and all(isinstance(a, str) for a in token_aud) and expected in token_aud


auth_choice = {
    "a payment provider's webhook calling your server": "hmac",            # signed deliveries (Stripe, GitHub)
    "your own mobile app's users calling your API": "jwt",                 # or "oauth": an OAuth login issues them
    "a third-party app that wants read-only access to a user's messages": "oauth",
    "a nightly batch job of a partner company": "client_credentials",     # or "api_key"; RFC 6749 section 4.4
}


def hs256_valid(token, secret):
    """Exercise 5: three segments, a header that says HS256, and HMAC-SHA256('header.payload') == signature."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        return False
    head, payload, signature = parts
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except ValueError:
        return False
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        return False
    mac = hmac.new(secret, f"{head}.{payload}".encode("ascii"), hashlib.sha256).digest()
    return hmac.compare_digest(base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii"), signature)


# Exercise 6: a partner integration for the chat API.
partner_design = """
| Method | Path | Description |
|---|---|---|
| POST | /v1/channels/{channelId}/messages | A partner's service posts an alert (Idempotency-Key header) |
| GET | /v1/channels/{channelId}/messages?cursor=X&limit=50 | A third-party app reads a user's messages |
| POST | /v1/api-keys/{keyId}/rotate | Rotate the partner's API key; the old one works for 24 h more |

- The partner's service uses a scoped API key, because no user is involved and a key can be rotated and revoked on its own.
- Third-party apps use OAuth with PKCE, so the user consents to messages:read only and can revoke that app alone.
- A known caller without the scope gets 403 insufficient_scope, because 401 would wrongly tell it to log in again.
- Rate limiting: a token bucket per API key and per OAuth client; 429 with Retry-After.
- Errors: 404 for an unknown channel, 400 for an invalid message.
"""
