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
