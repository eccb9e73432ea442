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

# Exercise 4: every non-public address is refused, however it is written
ssrf_refused = {
    "http://169.254.169.254/latest/meta-data/": True,   # link-local: the cloud's metadata service
    "http://2130706433:6379/": True,                    # 127.0.0.1 as one integer: the Redis next door
    "http://10.0.0.5/admin": True,                      # private (RFC 1918)
    "http://[::ffff:7f00:1]/hooks": True,               # 127.0.0.1, IPv4-mapped IPv6
    "http://8.8.8.8/hooks": False,                      # public
    "http://100.64.0.1/": True,                         # shared address space (carrier-grade NAT)
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


# Exercise 6: a reporting API with long-running reports and webhooks.
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
