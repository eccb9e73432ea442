"""Model solutions for 06-presenting-api-design. Try the exercises yourself before reading these."""

from apidesign.paths import DATA

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

# Exercise 4: a complete design with no errors or warnings (the URL shortener's model design).
design = (DATA / "designs" / "practice" / "url-shortener.md").read_text(encoding="utf-8")
