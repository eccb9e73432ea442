"""Model solutions for 06-presenting-api-design. Try the exercises yourself before reading these."""

import re

from apidesign.review.vocabulary import VERB_METHOD

# Exercise 1: the method carries the verb; the path names the collection the message joins.
resource_path = "POST /channels/{channelId}/messages"

# Exercise 2: every rule that fires on data/designs/checkout-flawed.md.
# GET /getProducts returns the whole catalogue unpaginated, and no endpoint serves "Track an order".
predicted_rules = {"verb-in-path", "get-changes-state", "put-as-partial-update", "post-without-idempotency-key",
                   "singular-collection", "protocol-without-justification", "missing-error-cases",
                   "no-rate-limiting", "list-without-pagination", "missing-core-flow"}

# Exercise 3: name the transport and the reason it fits.
protocol_decision = ("WebSockets push the driver's position to the rider's app every few seconds, "
                     "because polling that often would waste battery and add latency.")

# Exercise 4: the URL shortener, with its core flows, a sketch of the create, and the decisions with reasons.
prompt = "url-shortener"
design = """
# URL shortener

| Method | Path | Description |
|---|---|---|
| POST | /v1/links | Shorten a long URL (Idempotency-Key header) |
| GET | /{code} | Redirect to the long URL (302), or 404 |
| GET | /v1/links/{code} | Link details and click count |
| GET | /v1/users/{userId}/links?cursor=X&limit=20 | A user's links, newest first |
| DELETE | /v1/links/{code} | Retire a link |

The most important exchange, creating a link:

    POST /v1/links
    Authorization: Bearer <jwt>
    Idempotency-Key: "3f2a..."
    {"url": "https://example.com/a/very/long/path"}

    201 Created
    Location: /v1/links/x7Kp2
    {"data": {"code": "x7Kp2", "shortUrl": "https://sho.rt/x7Kp2", "url": "https://example.com/a/very/long/path"}}

- REST over HTTP/2 is enough, because a redirect is one small request and response and nothing needs push.
- The redirect answers 302, because a 301 is cached by browsers and later clicks would never reach us to be counted.
- Clicks are counted from the access logs, so the redirect stays a fast, safe GET with no write in its path.
- An Idempotency-Key on POST /v1/links, so a retried create returns the same code instead of a second link.
- Authentication: Bearer JWTs for dashboard users and API keys for programmatic clients; redirects are public.
- Rate limiting: a token bucket per API key on link creation and a per-IP limit at the edge on redirects; 429 with Retry-After.
- Errors: 404 for an unknown or expired code, 403 when retiring someone else's link, 400 for an invalid URL.
"""

# The prompt's verbs: VERB_METHOD's keys, less "search", which as one word names the search resource (GET /search).
VERBS = set(VERB_METHOD) - {"search"}


def first_word(segment):
    """The first word of a path segment: sendMessage, send-message and send_message all start with 'send'."""
    words = re.split(r"[\s_\-.]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", segment.split(":", 1)[0]))
    return next((w.lower() for w in words if w), "")


def verb_in_path(method, path):
    """Exercise 5: a segment (not a parameter or a version) starts with a verb, unless it is a POST action after an ID."""
    segments = [s for s in path.split("?", 1)[0].split("/") if s]
    is_param = [bool(re.fullmatch(r"\{[^}]*\}|:\w+|<[^>]*>", s)) for s in segments]
    last = segments[-1] if segments else ""
    if (method == "POST" and len(segments) >= 2 and is_param[-2] and first_word(last) in VERBS
            and len(re.split(r"[\s_\-.]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", last.split(":", 1)[0]))) == 1):
        return False
    return any(first_word(s) in VERBS for s, p in zip(segments, is_param)
               if not p and not re.fullmatch(r"v\d+(\.\d+)?", s, re.I))
