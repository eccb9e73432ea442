"""Model solutions for 03-rate-limiting. Try the exercises yourself before reading these."""

import math

# Exercise 1: 100 at the end of one window plus 100 at the start of the next, within 2 seconds.
exercise_1 = 200

# Exercise 2: 3 tokens at 2 per second is 1.5 s; Retry-After is whole seconds, rounded up.
exercise_2 = math.ceil(3 / 2)


def exercise_3(times, capacity=10, refill_per_second=5.0):
    """A token bucket that starts full: refill by the elapsed time, then take a token if there is one."""
    tokens, last, verdicts = float(capacity), None, []
    for t in times:
        if last is not None:
            tokens = min(capacity, tokens + (t - last) * refill_per_second)
        last = t
        ok = tokens >= 1 - 1e-9
        tokens -= 1 if ok else 0
        verdicts.append(ok)
    return verdicts


# Exercise 4: the limits of a public search API.
search_limits_design = """
| Method | Path | Description |
|---|---|---|
| GET | /v1/search?q=term&cursor=X&limit=20 | Search results, a page at a time |
| POST | /v1/exports | Start an export of a search (Idempotency-Key header) |
| GET | /v1/exports/{exportId} | An export's status and, when done, its download URL |

- A token bucket per API key for search, because searches come in bursts and the bucket absorbs them while holding the average.
- Limits are counted per API key, not per IP, so one customer behind a shared NAT does not starve the others.
- Exports get a separate, much smaller bucket, because one export costs as much as thousands of searches.
- A refused request gets 429 with Retry-After, so well-behaved clients wait exactly as long as needed.
- Authentication: API keys sent as X-API-Key.
- Errors: 404 for an unknown export, 403 for another customer's export, 400 for an empty query.
"""
