"""Checks for the exercises in 06-presenting-api-design: each one runs the reviewer on the learner's answer.

The capstone (Exercise 4) knows which practice prompt was chosen (``data/designs/practice/prompts.json``)
and asks for what an interviewer asks for: an endpoint for each of its core flows, a request/response
sketch of its most important endpoint, and the key decisions with their reasons. The flows and
decisions live here, beside the check, and use only the reviewer's public functions.
"""

from __future__ import annotations

import random
from typing import Any

from ..paths import DATA
from ..review import RULE_IDS, DesignParseError, Endpoint, load_design, parse_markdown, review
from ..review.practice import load_prompts
from ..review.rules import MAX_CORE_ENDPOINTS, nouns, words
from ..review.vocabulary import PROTOCOLS
from . import Feedback, failed, passed
from .answers import as_text, first_disagreement, never_raises, own_function, wrong_shape
from .briefs import Brief, Decision, Flow, check_brief

PREDICT_DESIGN = DATA / "designs" / "checkout-flawed.md"
PUSH_PROTOCOLS = ("websocket", "web socket", "server-sent", "sse", "grpc", "mqtt")  # keep a stream open
AUTH_LINE = "Authentication: Bearer JWT."  # so a one-row answer is judged on its row, not on missing notes


@never_raises
def check_resource_path(answer: Any) -> Feedback:
    """Exercise 1: one string 'METHOD /path' for sending a message to a channel."""
    text = as_text(answer)
    if text is None:
        return wrong_shape("one string 'METHOD /path', e.g. 'GET /things/{thingId}'", answer)
    method, _, path = text.partition(" ")
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


@never_raises
def check_predicted_rules(answer: Any) -> Feedback:
    """Exercise 2: the rule ids that fire on data/designs/checkout-flawed.md (a set, list or tuple of strings)."""
    if isinstance(answer, str) or not isinstance(answer, (set, frozenset, list, tuple)):
        return wrong_shape("a set of rule ids such as {'verb-in-path', ...}", answer)
    predicted = {str(a).strip().lower() for a in answer}
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


@never_raises
def check_protocol_decision(answer: Any) -> Feedback:
    """Exercise 3: one sentence (a string) choosing how the rider's app learns the driver's position, with the reason."""
    text = as_text(answer)
    if text is None:
        return wrong_shape("one sentence as a string", answer)
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


# Exercise 4: what each practice prompt needs. The ids are those of data/designs/practice/prompts.json.
_SHORTEN = Flow("shorten a long URL", ("POST",), r"/(links|urls|short[\w-]*)$")
_REQUEST_RIDE = Flow("request a ride", ("POST",), r"/(rides|trips|ride-requests)$")
_START_UPLOAD = Flow("start an upload", ("POST",), r"/(uploads|files)$")
NEEDS = {
    "url-shortener": (
        (_SHORTEN,
         Flow("follow a short link", ("GET",), r"^/([\w-]+/)?\{\}(/redirect)?$", r"redirect|\b30[1278]\b"),
         Flow("list my links", ("GET",), r"/(links|urls)$"),
         Flow("see how often a link was clicked", ("GET",), r".", r"click|stat|analytic|visit")),
        (Decision("the redirect's status code", r"\b30[1278]\b",
                  "301 (browsers cache it: fewer hits, fewer counted clicks) or 302/307 (every click reaches you)?"),
         Decision("a retried 'shorten'", r"idempoten", "what a client that retries a create gets back."),
         Decision("how clicks are counted", r"click", "where the counts come from without slowing the redirect.")),
        _SHORTEN),
    "ride-sharing": (
        (_REQUEST_RIDE,
         Flow("follow the ride and its driver", ("GET",), r"/(rides|trips)/\{\}"),
         Flow("cancel a ride", ("POST", "DELETE", "PATCH"), r"/(rides|trips)/\{\}", r"cancel"),
         Flow("see past trips", ("GET",), r"/(rides|trips)$"),
         Flow("a driver reports their position", ("PUT", "POST", "PATCH"), r"/(locations?|positions?)$")),
        (Decision("how the rider sees the driver move", r"web ?sockets?|server[- ]sent|\bSSE\b|\bgRPC\b|\bpush|mqtt",
                  "which transport brings each new position to the rider's app, and why not polling."),
         Decision("no double booking", r"idempoten", "what stops a double tap or a retry from booking two cars.")),
        _REQUEST_RIDE),
    "file-upload": (
        (_START_UPLOAD,
         Flow("send the bytes, resumably", ("POST", "PUT", "PATCH"), r"/(uploads|files)", r"part|chunk|resum|presigned"),
         Flow("list my files", ("GET",), r"/files$"),
         Flow("download a file", ("GET",), r"/files/\{\}(/(content|download|data))?$"),
         Flow("delete a file", ("DELETE",), r"/files/\{\}$")),
        (Decision("where the bytes go", r"presigned|object storage|\bS3\b|\bGCS\b|blob storage",
                  "do 5 GB bodies pass through your API servers, or straight to storage?"),
         Decision("resuming after a drop", r"resum|multipart|\bparts?\b|chunk",
                  "how a client on a flaky network continues without starting over.")),
        _START_UPLOAD),
}


def brief_for(prompt_id: str) -> Brief | None:
    """The brief of a practice prompt: its text from prompts.json, its flows and decisions from NEEDS."""
    prompt = next((p for p in load_prompts() if p.id == prompt_id), None)
    if prompt is None or prompt_id not in NEEDS:
        return None
    flows, decisions, sketch = NEEDS[prompt_id]
    return Brief(prompt.id, prompt.prompt, flows, decisions, sketch)


@never_raises
def check_design(answer: Any, prompt: Any = None) -> Feedback:
    """Exercise 4: a full design (markdown table + notes + a request/response sketch) for the practice prompt ``prompt``."""
    ids = [p.id for p in load_prompts()]
    brief = brief_for(as_text(prompt) or "")
    if brief is None:
        return failed(f"say which prompt you designed for: check_design(answer, prompt) with prompt one of {ids}"
                      + (f", not {prompt!r}." if prompt is not None else "."))
    verdict = check_brief(answer, brief)
    if not verdict.ok:
        return verdict
    n = len(parse_markdown(answer).endpoints)
    return passed(f"{brief.id}: {n} endpoints (at most {MAX_CORE_ENDPOINTS}) cover every core flow, the sketch shows "
                  f"'{brief.sketch.name}', every key decision has its reason, and the reviewer finds no errors or warnings.")


# Exercise 5 (implement it): the reviewer's verb-in-path rule, written by hand.
def _reference_verb_in_path(method: str, path: str) -> bool:
    """The reviewer's verdict: does ``verb-in-path`` fire on this one endpoint?"""
    return any(f.rule == "verb-in-path" for f in review([{"method": method, "path": path}], [AUTH_LINE]))


def _endpoint_cases(seed: int = 6, count: int = 80) -> list[tuple[str, str]]:
    """(method, path) pairs, shortest first: nouns, verbs in camelCase and kebab-case, parameters, actions."""
    rng = random.Random(seed)
    segments = ["channels", "messages", "users", "{id}", "{channelId}", "v1", "sendMessage", "get-users", "translate",
                "cancel", "target", "widgets", "search", "update_profile", "markRead", "history", "settings"]
    cases = {("POST", "/messages"), ("POST", "/sendMessage"), ("GET", "/getUsers"), ("POST", "/orders/{id}/cancel"),
             ("GET", "/orders/{id}/cancel"), ("GET", "/widgets"), ("GET", "/targets")}
    while len(cases) < count:
        path = "/" + "/".join(rng.choice(segments) for _ in range(rng.randrange(1, 5)))
        cases.add((rng.choice(("GET", "POST", "PATCH", "DELETE")), path))
    return sorted(cases, key=lambda c: (len(c[1]), c))


@never_raises
def check_verb_in_path(answer: Any) -> Feedback:
    """Exercise 5: a function verb_in_path(method, path) -> bool, True when the path carries a verb the method should."""
    problem = own_function(answer, "a function verb_in_path(method, path)")
    if problem is not None:
        return problem
    bad = first_disagreement(answer, _reference_verb_in_path, _endpoint_cases(), lambda y, r: bool(y) is r)
    if bad is None:
        return passed(f"all {len(_endpoint_cases())} endpoints judged as the reviewer does: whole words, "
                      "and a single verb after an ID on a POST is an action, not a mistake.")
    method, path = bad.case
    if bad.error:
        return failed(f"verb_in_path({method!r}, {path!r}) raised {bad.error}.")
    why = ("the reviewer splits each segment into words (camelCase, kebab-case, snake_case) and looks at the first "
           "word: a verb there is the method's job" if bad.reference else
           "no segment *starts* with a verb word here (a substring such as 'get' in 'target' is no verb), or it is an "
           "action: POST with one verb after an ID, like POST /orders/{id}/cancel")
    return failed(f"verb_in_path({method!r}, {path!r}) returned {bad.yours!r}; the reviewer says {bad.reference}: {why}.")
