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
