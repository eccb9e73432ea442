"""Model solutions for the exercises of 07-consistency-and-async (one value per exercise)."""

# Exercise 1: what the reference API answers
statuses = {
    "GET a channel with If-None-Match: its current ETag": 304,
    "GET a channel with If-None-Match: its current ETag written weak (W/ in front)": 304,   # weak comparison
    "PATCH a channel with If-Match: its current ETag written weak (W/ in front)": 412,      # strong comparison
    "PUT /v2/channels/{id} with no If-Match": 428,
    "POST /v1/channels/{id}/exports": 202,
    "GET a channel with If-None-Match: its current ETag, by a user who is not a member": 403,
}

# Exercise 2: polls at 2, 4, 6 and 8 s; the one at 8 s sees done (the export finished at 7.5 s).
# 4 polls and the POST that started it; 8 - 7.5 = 0.5 s late.
polling_cost = (5, 0.5)

# Exercise 3: me 1 + channels connection 1 + 4 channels x (1 + messages connection 1 + 5 x (message 1 + sender 1))
query_cost = 1 + 1 + 4 * (1 + 1 + 5 * (1 + 1))   # 50

# Exercise 4: every non-public address is refused, however it is written; a public one passes, however close it looks
ssrf_refused = {
    "http://172.32.0.1/hooks": False,                         # public: 172.16.0.0/12 ends at 172.31.255.255
    "http://0.0.0.0:8080/": True,                             # 'this network': connecting to it reaches this machine
    "http://[::1]/hooks": True,                               # IPv6 loopback
    "http://0300.0250.0.1/": True,                            # octal for 192.168.0.1 (RFC 1918)
    "http://[fd00::1]/": True,                                # unique local IPv6 (RFC 4193)
    "http://198.18.0.1/": True,                               # benchmarking (RFC 2544), not public
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/": True,    # NAT64 for 169.254.169.254: the metadata service
    "http://[2002:808:808::1]/hooks": True,                   # 6to4 (deprecated, RFC 7526): all refused
}


# Exercise 5: RFC 9110 section 13.2.2's order: If-Match, then If-None-Match; and /v2's 428 first.
def precondition(method, path, etag, headers):
    """200 (go ahead), 304, 412 or 428."""
    def tags(value):
        return [t.strip() for t in value.split(",")]

    def opaque(tag):
        return tag[2:] if tag.startswith("W/") else tag

    writing = method not in ("GET", "HEAD")
    if writing and path.startswith("/v2/") and "If-Match" not in headers:
        return 428
    if "If-Match" in headers:
        value = headers["If-Match"]
        # strong comparison: neither tag weak, and the same characters
        if value != "*" and not any(t == etag and not t.startswith("W/") for t in tags(value)):
            return 412
    if "If-None-Match" in headers:
        value = headers["If-None-Match"]
        # weak comparison: the same characters once W/ is set aside
        if value == "*" or any(opaque(t) == opaque(etag) for t in tags(value)):
            return 412 if writing else 304
    return 200


# Exercise 6: verify a webhook as Standard Webhooks 1.0.0 says.
def verify(secret, headers, body, now):
    """True for an authentic webhook within 5 minutes of now (either way), else False."""
    import base64
    import hashlib
    import hmac

    msg_id, timestamp = headers.get("webhook-id"), headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and timestamp and signatures) or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > 5 * 60:                       # too old or too new: both refused
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))        # the secret's bytes, not its text
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    expected = base64.b64encode(mac).decode()
    for signature in signatures.split():                         # several during a secret rotation
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):  # constant time; other versions ignored
            return True
    return False


# Exercise 7: a reporting API with long-running reports and webhooks.
reports_design = """
| Method | Path | Description |
|---|---|---|
| POST | /v1/reports | Request a monthly report (Idempotency-Key header); 202 Accepted with the Location of its operation |
| GET | /v1/operations/{operationId} | The report's operation: done, and the result or the error |
| GET | /v1/reports/{reportId} | A finished report: a link to download it |
| POST | /v1/webhook-endpoints | Register a URL for report.ready (Idempotency-Key header); the signing secret is shown once |
| DELETE | /v1/webhook-endpoints/{endpointId} | Stop the webhooks |

- Building a report takes minutes, so POST /v1/reports answers 202 with Location: /v1/operations/{operationId} and Retry-After, so that clients poll at the pace the server chooses.
- Webhooks are signed with HMAC-SHA256 over id, timestamp and body (Standard Webhooks), because a signature proves the body and its freshness, which a shared key in a header does not.
- Deliveries are retried with exponential backoff and jitter for three days, and the receiver deduplicates by webhook-id, because delivery is at least once.
- Authentication: OAuth 2.0 bearer tokens with a reports:read scope; webhooks only go to public addresses, to prevent SSRF.
- Rate limiting: a token bucket per customer, and at most 2 reports in progress per customer; 429 with Retry-After.
- Errors: 404 for an unknown operation or another customer's, 403 without the reports:read scope, 400 for an invalid month, one error envelope.
"""
