"""Checks for the exercises in 01-protocols.

Exercise 1's answers come from the protocol chooser's decision table, the others from the
library's simulations and its SSE parser; nothing here stores an answer to copy.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from ..protocols.chooser import Requirements, choose
from ..protocols.hol import Scenario, simulate
from ..protocols.polling import short_polling
from ..protocols.streaming import sse_events
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered
from .answers import (as_int, as_mapping, as_number,
                      as_text, first_disagreement, never_raises, own_function, wrong_shape)
from .briefs import Brief, Decision, Flow, check_brief

# Exercise 1: four product features (the stories are the question; what they need stays with the check).
SCENARIOS = {
    "team-chat": "A team chat in the browser: people type and receive messages in real time.",
    "build-progress": "A web page showing the live progress of a CI build started earlier.",
    "feed-on-cellular": "A mobile app loading a feed of posts and images over a flaky cellular network.",
    "fraud-check": "The payments service asks the fraud service about every payment, within a tight latency budget.",
}
_NEEDS = {
    "team-chat": Requirements("bidirectional", browser="yes", latency="sensitive"),
    "build-progress": Requirements("server-push", browser="yes"),
    "feed-on-cellular": Requirements("request-response", browser="no", network="lossy"),  # a native app
    "fraud-check": Requirements("request-response", browser="no", latency="sensitive"),
}
PROTOCOLS = ("HTTP/1.1", "HTTP/2", "HTTP/3", "WebSocket", "SSE", "gRPC")
_SPELLINGS = {"http11": "HTTP/1.1", "http1": "HTTP/1.1", "http2": "HTTP/2", "h2": "HTTP/2", "http3": "HTTP/3",
              "h3": "HTTP/3", "quic": "HTTP/3", "websocket": "WebSocket", "websockets": "WebSocket", "ws": "WebSocket",
              "sse": "SSE", "serversentevents": "SSE", "eventsource": "SSE", "grpc": "gRPC"}


def protocol_name(answer: Any) -> str | None:
    """The protocol an answer names, however it is spelled ('websockets', 'http3', 'Server-Sent Events'); else None."""
    text = as_text(answer)
    return None if text is None else _SPELLINGS.get(re.sub(r"[^a-z0-9]", "", text.lower()))


@never_raises
def check_choices(answers: Any) -> Feedback:
    """Exercise 1: a dict from each scenario name to a protocol."""
    given = as_mapping(answers)
    if given is None:
        return wrong_shape(f"a dict from each scenario ({', '.join(SCENARIOS)}) to a protocol name", answers)
    if all(unanswered(v) for v in given.values()):
        return NOT_ANSWERED
    missing = [name for name in SCENARIOS if unanswered(given.get(name))]
    if missing:
        return failed(f"Still to answer: {', '.join(missing)}.")
    for name in SCENARIOS:
        chosen = protocol_name(given[name])
        if chosen is None:
            return failed(f"{name}: {given[name]!r} is not one of {', '.join(PROTOCOLS)}.")
        need, rec = _NEEDS[name], choose(_NEEDS[name])
        if chosen != rec.protocol:
            return failed(f"{name}: you chose {chosen}, the table says {rec.protocol} "
                          f"(direction {need.direction}, browser {need.browser}, network {need.network}). {rec.why}")
    return passed("All four match the decision table. In the interview, say the reason, not just the name.")


@never_raises
def check_polling_interval(interval: Any, arrivals: list[float], rtt: float, budget: float,
                           candidates: tuple[float, ...]) -> Feedback:
    """Exercise 2: the longest polling interval (seconds) among ``candidates`` whose mean latency stays within ``budget``."""
    chosen = as_number(interval)
    if chosen is None:
        return wrong_shape(f"one of the candidate intervals {tuple(candidates)}, in seconds", interval)
    latency = {c: short_polling(arrivals, c, rtt).mean_latency for c in candidates}
    best = max(c for c in candidates if latency[c] <= budget)
    match = next((c for c in candidates if abs(c - chosen) < 1e-9), None)
    if match is None:
        return failed(f"Pick one of the candidate intervals {tuple(candidates)}.")
    if latency[match] > budget:
        return failed(f"Polling every {match:g} s gives a mean latency of {latency[match]:.2f} s, over the "
                      f"{budget:g} s budget.")
    if match < best:
        cost = short_polling(arrivals, match, rtt).requests / short_polling(arrivals, best, rtt).requests
        return failed(f"{match:g} s meets the budget, but so does {best:g} s ({latency[best]:.2f} s mean), "
                      f"with {cost:.1f}x fewer requests.")
    return passed(f"Every {best:g} s: mean latency {latency[best]:.2f} s, "
                  f"{short_polling(arrivals, best, rtt).requests_per_message:.2f} requests per delivered message.")


def _stalled_streams(scenario: Scenario) -> int:
    """How many streams HTTP/2 finishes later than HTTP/3, for the same packet losses."""
    r = simulate(scenario)
    return sum(h2 > h3 + 1e-12 for h2, h3 in zip(r["HTTP/2"], r["HTTP/3"]))


@never_raises
def check_stalled_streams(count: Any, scenario: Scenario) -> Feedback:
    """Exercise 3: the number of streams (a whole number) that head-of-line blocking on TCP delays in ``scenario``."""
    number = as_int(count)
    if number is None:
        return wrong_shape("a whole number of streams", count)
    right = _stalled_streams(scenario)
    if number != right:
        hint = "more" if number < right else "fewer"
        return failed(f"{number} is not it; the model says {hint}. Compare simulate(scenario)['HTTP/2'] "
                      f"with ['HTTP/3'] stream by stream.")
    return passed(f"{right} of {scenario.streams} streams wait for someone else's retransmission over TCP; "
                  "over QUIC each waits only for its own packets.")


# Exercise 4 (implement it): the Last-Event-ID a reconnecting SSE client sends.
def _reference_resume_id(lines: list[str]) -> str | None:
    """The library parser's answer: the id of the last event dispatched (a blank line ends an event), or None."""
    last = None
    for event in sse_events(lines):
        if event["id"] is not None:
            last = event["id"]
    return last


def _sse_streams(seed: int = 1, count: int = 50) -> list[list[str]]:
    """Generated ``text/event-stream`` lines, shortest first: ids or none, comments, retry, a cut-off last event."""
    rng = random.Random(seed)
    streams = [[], ["data: {}"], ["id: 1", "data: {}"], ["id: 1", "data: {}", ""]]
    for n in range(count):
        lines, next_id = [], rng.randrange(1, 50)
        for _ in range(1 + n // 5):
            if rng.random() < 0.2:
                lines.append(": keep-alive")
            if rng.random() < 0.1:
                lines.append("retry: 3000")
            if rng.random() < 0.7:
                lines.append(f"id:{' ' * rng.randrange(2)}{next_id}")
                next_id += 1
            if rng.random() < 0.3:
                lines.append("event: message")
            lines.append("data: " + json.dumps({"n": rng.randrange(100)}))
            lines.append("")
        if rng.random() < 0.4:  # the connection dropped in the middle of an event
            lines += [f"id: {next_id}", "data: {\"cut\": true}"][: rng.randrange(1, 3)]
        streams.append(lines)
    return sorted(streams, key=len)


def _same_id(yours: Any, ours: Any) -> bool:
    return yours == ours if ours is None else str(yours) == ours


@never_raises
def check_resume_id(resume_id: Any) -> Feedback:
    """Exercise 4: a function resume_id(lines) -> the Last-Event-ID to send on reconnect (a string), or None."""
    problem = own_function(resume_id, "a function resume_id(lines)")
    if problem is not None:
        return problem
    bad = first_disagreement(resume_id, _reference_resume_id, [(s,) for s in _sse_streams()], _same_id)
    if bad is None:
        return passed(f"all {len(_sse_streams())} streams resumed from the right event: only complete events count, "
                      "and an event without an id keeps the last one.")
    (lines,) = bad.case
    shown = "\n".join(f"    {line!r}" for line in lines)
    if bad.error:
        return failed(f"resume_id raised {bad.error} on these lines:\n{shown}")
    why = ("an event is dispatched only at its blank line; the cut-off last event never reached the client"
           if lines and lines[-1] != "" and bad.yours is not None and not _same_id(bad.yours, bad.reference)
           else "the id of the last complete event is kept until another event sets a new one")
    return failed(f"on the stream\n{shown}\nyou return {bad.yours!r}; the client resumes from {bad.reference!r}: {why}.")


# Exercise 5 (design it): a live build-progress page.
BUILD_PROGRESS = Brief(
    "build-progress",
    "A CI service: a user starts a build, a web page shows its progress live (log lines and steps), "
    "and anyone can fetch a finished build's result.",
    flows=(Flow("start a build", ("POST",), r"/builds$"),
           Flow("watch a build's progress live", ("GET",), r"/builds/\{\}/(events|progress|logs?|stream)"),
           Flow("fetch a build's result", ("GET",), r"/builds/\{\}$")),
    decisions=(Decision("the push transport", r"server[- ]sent|\bSSE\b|web ?sockets?",
                        "which transport carries progress to the browser, and why it fits better than polling."),
               Decision("resuming after a drop", r"last-event-id|resume|reconnect",
                        "what the page does when the connection drops, so it loses no progress.")))


def check_build_progress_design(answer: Any) -> Feedback:
    """Exercise 5: a markdown design (table + notes) for the build-progress brief."""
    if unanswered(answer):
        return NOT_ANSWERED
    return never_raises(check_brief)(answer, BUILD_PROGRESS)
