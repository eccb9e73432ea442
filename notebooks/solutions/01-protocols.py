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
    """Exercise 4: the last event ID at the last blank line (WHATWG HTML, "Interpreting an event stream").

    An ``id`` field sets the last event ID (one leading space removed from the value) and nothing resets it;
    a blank line dispatches the event, with or without data; lines after the last blank line never count.
    """
    dispatched, last_id = "", ""
    for line in lines:
        if line == "":
            dispatched = last_id
        elif line.startswith("id:"):
            last_id = line[3:].removeprefix(" ")
    return dispatched or None  # an empty last event ID: the client sends no Last-Event-ID


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
