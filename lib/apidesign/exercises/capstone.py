"""Checks for the exercises in 06-presenting-api-design: each one runs the reviewer on the learner's answer."""

from __future__ import annotations

from typing import Iterable

from ..paths import DATA
from ..review import RULE_IDS, DesignParseError, Endpoint, load_design, parse_markdown, review
from ..review.rules import MAX_CORE_ENDPOINTS, nouns, words
from ..review.vocabulary import PROTOCOLS
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered

PREDICT_DESIGN = DATA / "designs" / "checkout-flawed.md"
PUSH_PROTOCOLS = ("websocket", "web socket", "server-sent", "sse", "grpc", "mqtt")  # keep a stream open
AUTH_LINE = "Authentication: Bearer JWT."  # so a one-row answer is judged on its row, not on missing notes


def check_resource_path(answer: str) -> Feedback:
    """Exercise 1: rewrite ``POST /sendMessage`` (send a message to a channel) as a resource-oriented endpoint."""
    if unanswered(answer):
        return NOT_ANSWERED
    method, _, path = str(answer).strip().partition(" ")
    try:
        findings = review([{"method": method, "path": path.strip(), "description": "Send a message"}], [AUTH_LINE])
    except DesignParseError as exc:
        return failed(f"write it as 'METHOD /path' ({exc}).")
    naming = [f for f in findings if f.rule in ("verb-in-path", "singular-collection")]
    if naming:
        return failed(f"the reviewer still objects: {naming[0].reason}")
    if method.upper() != "POST":
        return failed(f"{method.upper()} is not it: sending creates a new message, and creating is POST.")
    segments = [w for seg in nouns(Endpoint("POST", path.strip(), "", 1)) for w in words(seg)]
    if segments[-1:] != ["messages"] or "channels" not in segments:
        return failed(f"{path!r} does not say *where* the message goes: make it a sub-collection of one channel.")
    if "{" not in path:
        return failed("the path needs the channel's ID as a parameter, e.g. {channelId}.")
    return passed(f"`POST {path.strip()}`: the method says 'create', the path says 'a message in this channel'.")


def check_predicted_rules(answer: Iterable[str]) -> Feedback:
    """Exercise 2: which rule ids fire on ``data/designs/checkout-flawed.md``?"""
    if unanswered(answer):
        return NOT_ANSWERED
    predicted = set(answer)
    unknown = sorted(predicted - set(RULE_IDS))
    if unknown:
        return failed(f"{unknown} are not rule ids; the reviewer's rules are {list(RULE_IDS)}.")
    actual = {f.rule for f in review(load_design(PREDICT_DESIGN))}
    missed, extra = sorted(actual - predicted), sorted(predicted - actual)
    if missed:
        return failed(f"you missed {missed}: look again at the rows (and notes) those rules check.")
    if extra:
        return failed(f"{extra} do not fire on this design; what in it already satisfies them?")
    return passed(f"all {len(actual)} rules, exactly: {sorted(actual)}.")


def check_protocol_decision(answer: str) -> Feedback:
    """Exercise 3: one sentence choosing how the rider's app learns the driver's position, with the reason."""
    if unanswered(answer):
        return NOT_ANSWERED
    text = str(answer)
    named = PROTOCOLS.search(text)
    if not named:
        return failed("name the transport you would use (e.g. WebSockets or Server-Sent Events).")
    if not any(p in text.lower() for p in PUSH_PROTOCOLS):
        return failed(f"{named.group(0)} alone does not push each new position to the rider's app; pick a transport "
                      "that keeps a stream open (WebSockets, Server-Sent Events, gRPC server streaming).")
    findings = review([{"method": "GET", "path": "/v1/rides/{rideId}"}], [AUTH_LINE, text])
    if any(f.rule == "protocol-without-justification" for f in findings):
        return failed(f"you named {named.group(0)} but not why: say what it gives this feature that polling does not.")
    return passed(f"{named.group(0)}, with a reason: that is the sentence interviewers listen for.")


def check_design(answer: str) -> Feedback:
    """Exercise 4: a full design (markdown table + notes) for a prompt, with no errors or warnings from the reviewer."""
    if unanswered(answer):
        return NOT_ANSWERED
    try:
        findings = review(answer)
    except DesignParseError as exc:
        return failed(f"the reviewer cannot read it: {exc}")
    serious = [f for f in findings if f.severity in ("error", "warning")]
    if serious:
        first = serious[0]
        where = f"`{first.line}`" if first.line else "the design as a whole"
        return failed(f"{len(serious)} errors or warnings left; first, {first.rule} on {where}: "
                      f"{first.reason} {first.fix}")
    n = len(parse_markdown(answer).endpoints)
    return passed(f"{n} endpoints (at most {MAX_CORE_ENDPOINTS}) and no errors or warnings from the reviewer.")
