"""Checks for the exercises in 01-protocols.

Exercise 1's answers come from the protocol chooser's decision table, the others from the
library's simulations and its SSE parser; nothing here stores an answer to copy.
"""

from __future__ import annotations

import json
import random
import re
from difflib import get_close_matches
from typing import Any

from ..protocols.chooser import FIELDS, Requirements, choose
from ..protocols.hol import Scenario, simulate
from ..protocols.polling import short_polling
from ..protocols.streaming import last_event_id
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
              "wss": "WebSocket", "sse": "SSE", "serversentevents": "SSE", "serversentevent": "SSE",
              "eventsource": "SSE", "grpc": "gRPC"}
# The requirement each story turns on, in the story's own words.
_DECIDES = {"team-chat": ("direction", "people type *and* receive"),
            "build-progress": ("direction", "the page only shows progress"),
            "feed-on-cellular": ("network", "a flaky cellular network"),
            "fraud-check": ("latency", "a tight latency budget, between services")}
_TCP = "runs on TCP, where one lost packet stalls every stream of the connection until it is resent"
_POLLS = "is request-response on its own: the page would have to poll for news"
# Why a protocol does not fit a requirement, whatever the table says about the rest.
_CANNOT = {("SSE", "bidirectional"): "SSE carries events from server to browser only; what people type would go as "
                                     "separate POST requests, a second channel beside the stream",
           ("WebSocket", "server-push"): "A WebSocket works, but the page never sends anything: SSE is plain HTTP "
                                         "and reconnects and resumes by itself",
           ("SSE", "request-response"): "There is nothing to push: each call asks and waits for its answer",
           ("WebSocket", "request-response"): "There is nothing to push: each call asks and waits for its answer",
           ("gRPC", "yes"): "Browsers cannot speak gRPC's HTTP/2 trailers directly (it needs gRPC-Web and a proxy)",
           ("gRPC", "lossy"): "gRPC runs over HTTP/2, which " + _TCP,
           **{(p, "lossy"): f"{p} {_TCP}" for p in ("HTTP/1.1", "HTTP/2", "WebSocket", "SSE")},
           **{(p, d): f"{p} {_POLLS}"
              for p in ("HTTP/1.1", "HTTP/2", "HTTP/3") for d in ("bidirectional", "server-push")}}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def protocol_name(answer: Any) -> str | None:
    """The protocol an answer names, however spelled ('websockets', 'WebSocket (wss)', 'gRPC over HTTP/2'), or None."""
    text = as_text(answer)
    if text is None:
        return None
    # "X (Y)" and "X over Y" name X: drop what is in parentheses and what follows "over"
    head = re.split(r"\bover\b|\bon top of\b", re.sub(r"\([^)]*\)", " ", text), maxsplit=1)[0]
    return _SPELLINGS.get(_key(head)) or _SPELLINGS.get(_key(text))


def _why_not(name: str, chosen: str) -> str:
    """Why ``chosen`` does not fit scenario ``name``: the requirement the story turns on, and what ``chosen`` lacks."""
    need, rec = _NEEDS[name], choose(_NEEDS[name])
    field, words = _DECIDES[name]
    lacks = [_CANNOT[chosen, getattr(need, f)] for f in FIELDS if (chosen, getattr(need, f)) in _CANNOT]
    return (f"{name}: you chose {chosen}, but what decides here is {field} **{getattr(need, field)}** ({words}). "
            + "".join(f"{reason}. " for reason in lacks) + f"The table says {rec.protocol}: {rec.why}")


@never_raises
def check_choices(answers: Any) -> Feedback:
    """Exercise 1: a dict from each scenario name to a protocol."""
    given = as_mapping(answers)
    if given is None:
        return wrong_shape(f"a dict from each scenario ({', '.join(SCENARIOS)}) to a protocol name", answers)
    if all(unanswered(v) for v in given.values()):
        return NOT_ANSWERED
    unknown = [str(k) for k in given if k not in SCENARIOS]
    missing = [name for name in SCENARIOS if unanswered(given.get(name))]
    if unknown or missing:
        guesses = {k: get_close_matches(_key(k), [_key(n) for n in SCENARIOS], n=1) for k in unknown}
        named = [f"{k!r}" + (f" (did you mean {_NAMES[guesses[k][0]]!r}?)" if guesses[k] else "") for k in unknown]
        return failed(" ".join(([f"Unknown scenario {', '.join(named)}: the scenarios are {', '.join(SCENARIOS)}."]
                                if unknown else [])
                               + ([f"Still to answer: {', '.join(missing)}."] if missing else [])))
    for name in SCENARIOS:
        chosen = protocol_name(given[name])
        if chosen is None:
            return failed(f"{name}: {given[name]!r} is not one of {', '.join(PROTOCOLS)}.")
        if chosen != choose(_NEEDS[name]).protocol:
            return failed(_why_not(name, chosen))
    return passed("All four match the decision table. In the interview, say the reason, not just the name.")


_NAMES = {_key(name): name for name in SCENARIOS}


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
_EDGE_STREAMS = [
    [],
    ["data: hello", ""],                                      # data that is not JSON
    ["id: 1", "data: {}"],                                    # cut off before its blank line
    ["id: 1", ""],                                            # an id and no data: it still counts
    ["id:9", "data: {}", ""],                                 # no space after the colon
    ["id: 1", "data: {}", ""],
    ["id: 1", "data: {}", "", "data: {}", ""],              # an event without an id keeps the last one
    ["id: 1", "data: {}", "", "id: 2", "data: {}"],
    ["id: 4", "data: {}", "", ": keep-alive", "", "id: 5", ""],
]


def _sse_streams(seed: int = 1, count: int = 50) -> list[list[str]]:
    """Generated ``text/event-stream`` lines, shortest first: the edge cases, then random streams with ids or
    none, ``id:`` with or without its space, id-only events, comments, retry, text data and a cut-off last event."""
    rng = random.Random(seed)
    streams = [list(s) for s in _EDGE_STREAMS]
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
            if rng.random() < 0.9:  # else an event with no data
                lines.append("data: " + (json.dumps({"n": rng.randrange(100)}) if rng.random() < 0.8 else "hello"))
            lines.append("")
        if rng.random() < 0.4:  # the connection dropped in the middle of an event
            lines += [f"id: {next_id}", "data: {\"cut\": true}"][: rng.randrange(1, 3)]
        streams.append(lines)
    return sorted(streams, key=len)


def _resume_by(lines: list[str], *, one_space: bool = True, bare_colon: bool = True, dispatched_only: bool = True,
               id_only_counts: bool = True, kept: bool = True) -> str | None:
    """Last-Event-ID under the spec, or under one common misreading of it (each flag off is one mistake)."""
    last, pending, has_data = None, None, False
    for line in lines:
        if line == "":
            if pending is not None and (has_data or id_only_counts):
                last = pending
            elif not kept:
                last = None
            pending, has_data = (pending if kept else None), False
        elif line.startswith("data"):
            has_data = True
        elif line.startswith("id: ") or (bare_colon and line.startswith("id:")):
            pending = line[4:] if one_space and line.startswith("id: ") else line[3:]
            if not dispatched_only:
                last = pending
    return last or None


_MISTAKES = (  # the flag that reproduces the mistake, and what to say
    ({"dispatched_only": False}, "an event is dispatched only at its blank line; the last event was cut off before "
                                 "its blank line, so the client never received it"),
    ({"one_space": False}, "a field's value loses one leading space (WHATWG: \"If value starts with a U+0020 SPACE "
                           "character, remove it from value\"), so `id: 7` carries the id `7`, not ` 7`"),
    ({"bare_colon": False}, "`id:9` is a valid field too: the space after the colon is optional, so it sets the "
                            "id `9`"),
    ({"id_only_counts": False}, "an event with an `id:` and no `data:` is not delivered as a message, but its id "
                                "still becomes the last event ID when its blank line arrives"),
    ({"kept": False}, "the last event ID is kept until another `id:` line sets a new one; an event without one "
                      "keeps it"),
)


def _why_yours_differs(lines: list[str], yours: Any) -> str:
    """The mistake whose version gives your answer on this stream, else the rule stated in full."""
    for flags, why in _MISTAKES:
        if _same_id(yours, _resume_by(lines, **flags)):
            return why
    return ("the client sends the id set by the last `id:` line of the last *dispatched* event (one ended by its "
            "blank line), whether or not that event had data, and None if no id was set")


def _as_block(lines: list[str]) -> str:
    """The stream as a fenced code block, one line per line, numbered so that blank lines show."""
    width = len(str(len(lines)))
    return "```text\n" + "\n".join(f"{n:>{width}} | {line}".rstrip() for n, line in enumerate(lines, 1)) + "\n```"


def _same_id(yours: Any, ours: Any) -> bool:
    return yours == ours if ours is None else str(yours) == ours


@never_raises
def check_resume_id(resume_id: Any) -> Feedback:
    """Exercise 4: a function resume_id(lines) -> the Last-Event-ID to send on reconnect (a string), or None."""
    problem = own_function(resume_id, "a function resume_id(lines)")
    if problem is not None:
        return problem
    bad = first_disagreement(resume_id, last_event_id, [(s,) for s in _sse_streams()], _same_id)
    if bad is None:
        return passed(f"all {len(_sse_streams())} streams resumed from the right event: only dispatched events count "
                      "(with or without data), and an event without an id keeps the last one.")
    (lines,) = bad.case
    where = (f"on this stream (a blank line ends an event):\n\n{_as_block(lines)}\n\n" if lines
             else "on an empty stream (no lines at all), ")
    if bad.error:
        return failed(f"resume_id raised {bad.error} {where}".rstrip(", "))
    return failed(f"{where[0].upper()}{where[1:]}you return {bad.yours!r}; the client sends {bad.reference!r}: "
                  f"{_why_yours_differs(lines, bad.yours)}.")


# Exercise 5 (design it): a live build-progress page.
_WATCH_NOUNS = ("events", "progress", "log", "logs", "stream", "updates", "status", "feed", "live")
BUILD_PROGRESS = Brief(
    "build-progress",
    "A CI service: a user starts a build, a web page shows its progress live (log lines and steps), "
    "and anyone can fetch a finished build's result.",
    flows=(Flow("start a build", ("POST",), r"/builds$", expect="a POST to the builds collection, /v1/builds"),
           Flow("watch a build's progress live", ("GET",), rf"/builds/\{{\}}/({'|'.join(_WATCH_NOUNS)})\b",
                expect="a GET on a sub-resource of one build, such as /v1/builds/{buildId}/events; its last segment "
                       "one of " + ", ".join(_WATCH_NOUNS)),
           Flow("fetch a build's result", ("GET",), r"/builds/\{\}$",
                expect="a GET of one build, /v1/builds/{buildId}")),
    decisions=(Decision("the push transport",
                        r"server[- ]sent|\bSSE\b|web ?sockets?|\bwss?://|eventsource|event-stream",
                        "which transport carries progress to the browser, and why it fits better than polling."),
               Decision("resuming after a drop",
                        r"last[- ]event[- ]id|\blast (event )?id\b|\bevent ids?\b|resum|re-?connect|re-?open|"
                        r"retr(y|ies)|catch(es|ing)? up|replay",
                        "what the page does when the connection drops, so it loses no progress.")),
    # What this chapter teaches: endpoint shape and the protocol decision. Authentication, idempotency keys,
    # rate limits, pagination and error cases come in later chapters, whose exercises check them.
    checklist=("endpoints", "protocol", "flows"))


def check_build_progress_design(answer: Any) -> Feedback:
    """Exercise 5: a markdown design (table + notes) for the build-progress brief."""
    if unanswered(answer):
        return NOT_ANSWERED
    return never_raises(check_brief)(answer, BUILD_PROGRESS)
