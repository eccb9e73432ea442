"""Checks for the exercises in 01-protocols."""

from __future__ import annotations

from ..protocols.chooser import Requirements, choose
from ..protocols.hol import Scenario, simulate
from ..protocols.polling import short_polling
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered

# Exercise 1: four product features; the learner names a protocol for each.
SCENARIOS = {
    "team-chat": ("A team chat in the browser: people type and receive messages in real time.",
                  Requirements("bidirectional", browser="yes", latency="sensitive")),
    "build-progress": ("A web page showing the live progress of a CI build started earlier.",
                       Requirements("server-push", browser="yes")),
    "feed-on-cellular": ("A mobile app loading a feed of posts and images over a flaky cellular network.",
                         Requirements("request-response", browser="yes", network="lossy")),
    "fraud-check": ("The payments service asks the fraud service about every payment, within a tight latency budget.",
                    Requirements("request-response", browser="no", latency="sensitive")),
}
PROTOCOLS = ("HTTP/1.1", "HTTP/2", "HTTP/3", "WebSocket", "SSE", "gRPC")


def check_choices(answers: dict[str, str]) -> Feedback:
    """Exercise 1: a protocol for each scenario, checked against the decision table."""
    if unanswered(answers) or all(unanswered(v) for v in answers.values()):
        return NOT_ANSWERED
    missing = [name for name in SCENARIOS if unanswered(answers.get(name))]
    if missing:
        return failed(f"Still to answer: {', '.join(missing)}.")
    for name, (story, need) in SCENARIOS.items():
        if answers[name] not in PROTOCOLS:
            return failed(f"{name}: {answers[name]!r} is not one of {', '.join(PROTOCOLS)}.")
        rec = choose(need)
        if answers[name] != rec.protocol:
            return failed(f"{name}: you chose {answers[name]}, the table says {rec.protocol} "
                          f"(direction {need.direction}, browser {need.browser}, network {need.network}). {rec.why}")
    return passed("All four match the decision table. In the interview, say the reason, not just the name.")


def check_polling_interval(interval: float, arrivals: list[float], rtt: float, budget: float,
                           candidates: tuple[float, ...]) -> Feedback:
    """Exercise 2: the longest polling interval among ``candidates`` whose mean latency stays within ``budget``."""
    if unanswered(interval):
        return NOT_ANSWERED
    latency = {c: short_polling(arrivals, c, rtt).mean_latency for c in candidates}
    fits = [c for c in candidates if latency[c] <= budget]
    best = max(fits)
    if interval not in latency:
        return failed(f"Pick one of the candidate intervals {candidates}.")
    if latency[interval] > budget:
        return failed(f"Polling every {interval:g} s gives a mean latency of {latency[interval]:.2f} s, over the "
                      f"{budget:g} s budget.")
    if interval < best:
        cost = short_polling(arrivals, interval, rtt).requests / short_polling(arrivals, best, rtt).requests
        return failed(f"{interval:g} s meets the budget, but so does {best:g} s ({latency[best]:.2f} s mean), "
                      f"with {cost:.1f}x fewer requests.")
    return passed(f"Every {best:g} s: mean latency {latency[best]:.2f} s, "
                  f"{short_polling(arrivals, best, rtt).requests_per_message:.2f} requests per delivered message.")


def stalled_streams(scenario: Scenario) -> int:
    """How many streams HTTP/2 finishes later than HTTP/3, for the same packet losses."""
    r = simulate(scenario)
    return sum(h2 > h3 + 1e-12 for h2, h3 in zip(r["HTTP/2"], r["HTTP/3"]))


def check_stalled_streams(count: int, scenario: Scenario) -> Feedback:
    """Exercise 3: the number of streams that head-of-line blocking on TCP delays in ``scenario``."""
    if unanswered(count):
        return NOT_ANSWERED
    right = stalled_streams(scenario)
    if count != right:
        hint = ("more" if count < right else "fewer")
        return failed(f"{count} is not it; the model says {hint}. Compare simulate(scenario)['HTTP/2'] "
                      f"with ['HTTP/3'] stream by stream.")
    return passed(f"{right} of {scenario.streams} streams wait for someone else's retransmission over TCP; "
                  "over QUIC each waits only for its own packets.")
