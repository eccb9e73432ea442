"""Model solutions for the exercises of 04-idempotency-and-errors (one value per exercise)."""

# Exercise 1: which failures should a client retry?
should_retry = {
    "GET 503": True,
    "POST 503 without key": False,   # may already have created the message
    "POST 503 with key": True,       # the key makes the resend safe
    "PUT 429": True,                 # PUT is idempotent, and 429 means "later"
    "DELETE 404": False,             # waiting will not make it exist
    "POST 400 with key": False,      # the request itself is wrong
    "GET connection reset": True,
}

# Exercise 2: min(2, 0.1 * 2**n) for n = 0..6
ceilings = [0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0]

# Exercise 3: F F S F F F F F with failures=4: the streak restarts after call 3; calls 4-7 are four in a row
trip_call = 7

# Exercise 4
statuses = {
    "same key, same body, first request finished": 201,
    "same key, same body, first request still running": 409,
    "same key, different body": 422,
    "a 300-character key": 400,
}


def decide(record, fingerprint, now):
    """Exercise 5: 'run', or the status to answer."""
    if record is None:
        return "run"
    expired = record["deadline"] <= now
    if record["fingerprint"] != fingerprint and not (expired and record["state"] == "completed"):
        return 422      # same key, other body; an expired lock is taken over only by the same request
    if expired:
        return "run"    # the lock or the retention ran out: claim the key, one generation up
    if record["state"] == "in_flight":
        return 409      # still running: retry later
    return record["status"]  # finished: replay the stored response


# Exercise 6: a payments API.
payments_design = """
| Method | Path | Description |
|---|---|---|
| POST | /v1/payments | Create a payment (Idempotency-Key header) |
| GET | /v1/payments/{paymentId} | A payment and its refunds |
| POST | /v1/payments/{paymentId}/refunds | Refund part of a payment (Idempotency-Key header) |

- Every POST takes an Idempotency-Key, so a retry after a timeout replays the first response instead of charging twice.
- Keys are kept for 24 hours, because clients retry within minutes; after that the same key runs as new, which the docs state.
- Clients retry only connection errors, 5xx (not 501 or 505), 408 and 429, with exponential backoff and full jitter, so a recovering server is not flattened.
- Authentication: API keys per merchant, scoped to payments.
- Rate limiting: a token bucket per API key; 429 with Retry-After.
- Errors: 404 for an unknown payment, 403 for another merchant's payment, 400 for an invalid amount, 409 while the first request with a key is still running, 422 for a key reused with a different body.
"""
