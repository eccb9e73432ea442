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
