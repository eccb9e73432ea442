"""Model solutions for 01-protocols. Try the exercises yourself before reading these."""

from apidesign.protocols.hol import simulate
from apidesign.protocols.polling import short_polling


def exercise_1() -> dict:
    """A protocol per scenario, with the reason you would say out loud."""
    return {
        "team-chat": "WebSocket",        # both directions, in the browser
        "build-progress": "SSE",         # server -> browser only; reconnects and resumes by itself
        "feed-on-cellular": "HTTP/3",    # lossy network: no cross-stream head-of-line blocking
        "fraud-check": "gRPC",           # internal, latency-sensitive, typed contract
    }


def exercise_2(arrivals, rtt, budget, candidates) -> float:
    """The longest candidate interval whose mean latency fits the budget."""
    return max(c for c in candidates if short_polling(arrivals, c, rtt).mean_latency <= budget)


def exercise_3(scenario) -> int:
    """Streams that HTTP/2 finishes later than HTTP/3 under the same losses."""
    r = simulate(scenario)
    return sum(h2 > h3 for h2, h3 in zip(r["HTTP/2"], r["HTTP/3"]))


def resume_id(lines):
    """Exercise 4: the id of the last *complete* event (one ended by a blank line); an event without an id keeps it."""
    last, event_id, has_data = None, None, False
    for line in lines:
        if line == "":  # the blank line dispatches the event
            if has_data and event_id is not None:
                last = event_id
            event_id, has_data = None, False
        elif line.startswith("id:"):
            event_id = line[4:] if line.startswith("id: ") else line[3:]
        elif line.startswith("data:"):
            has_data = True
    return last


# Exercise 5: a live build-progress page.
build_progress_design = """
| Method | Path | Description |
|---|---|---|
| POST | /v1/builds | Start a build (Idempotency-Key header) |
| GET | /v1/builds/{buildId} | The build's status and, once finished, its result |
| GET | /v1/builds/{buildId}/events | SSE stream of progress events (steps and log lines) |

- Server-Sent Events carry progress to the browser, because the flow is one-way and SSE is plain HTTP with reconnection built in.
- On a dropped connection the browser reconnects with Last-Event-ID, so the server resumes after the last event and no step is lost.
- Authentication: Bearer JWTs for users.
- Rate limiting: a token bucket per user on starting builds; 429 with Retry-After.
- Errors: 404 for an unknown build, 403 for another team's build, 400 for an invalid build request.
"""
