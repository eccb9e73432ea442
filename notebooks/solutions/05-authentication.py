"""Model solutions for 05-authentication.ipynb (one value or function per exercise)."""

status_codes = {
    "no Authorization header": 401,
    "token expired five minutes ago": 401,
    "token signed with alg none": 401,
    "valid token, but only messages:read, sending a message": 403,
    "valid token, reading a channel you are not a member of": 403,
}

# 10,000 sessions / ttl <= 20 refreshes per second  ->  ttl >= 500 s; window = ttl + 30 s leeway <= 600 s.
access_token_ttl = 540


def audience_ok(token_aud, expected):
    """Exact string, or membership of a list of strings; anything else is refused."""
    if isinstance(token_aud, str):
        return token_aud == expected
    return isinstance(token_aud, list) and all(isinstance(a, str) for a in token_aud) and expected in token_aud


auth_choice = {
    "a payment provider's webhook calling your server": "api_key",
    "your own mobile app's users calling your API": "jwt",
    "a third-party app that wants read-only access to a user's messages": "oauth",
    "a nightly batch job of a partner company": "api_key",
}
