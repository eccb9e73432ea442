"""Checks for the exercises in 06-presenting-api-design: each one runs the reviewer on the learner's answer.

The capstone (Exercise 4) knows which practice prompt was chosen (``data/designs/practice/prompts.json``)
and asks for what an interviewer asks for: an endpoint for each of its core flows, a request/response
sketch of its most important endpoint, and the key decisions with their reasons. The flows and
decisions live here, beside the check, and use only the reviewer's public functions.
"""

from __future__ import annotations

import random
import re
from typing import Any, Callable
from urllib.parse import urlsplit

from ..paths import DATA
from ..review import RULE_IDS, DesignParseError, Endpoint, load_design, parse_markdown, review
from ..review.practice import load_prompts
from ..review import language as lang
from ..review.design import is_param
from ..review.rules import MAX_CORE_ENDPOINTS, RULES, custom_method, head, is_version, resource_part
from ..review.vocabulary import PROTOCOLS
from . import Feedback, failed, passed
from .answers import as_text, first_disagreement, never_raises, own_function, wrong_shape
from .briefs import (MIN_NOTE_WORDS, REASON, Brief, Decision, Flow, has_sketch, missing_flows, read_design,
                     reviewer_problems)

PREDICT_DESIGN = DATA / "designs" / "checkout-flawed.md"
# Transports that keep a stream open, so the server can push each new position (not polling, not webhooks).
PUSH = re.compile(r"web ?sockets?|server[- ]sent events|\bSSE\b|\bgRPC\b(?: (?:server )?stream\w*)?|\bMQTT\b", re.I)
POLLING = re.compile(r"\b(?:long[- ])?poll(?:s|ing|ed)?\b", re.I)
# A transport named only to be rejected: "not WebSockets", "instead of polling", "rather than SSE".
NEGATION = re.compile(r"\b(?:not|no|never|without|instead of|rather than|avoid\w*|bypass\w*|skip\w*|n't)\W+(?:\w+\W+){0,3}$",
                      re.I)
# What a reason for push is about: the position moves, polling costs, the rider waits.
PUSH_REASON = re.compile(r"\bpolling\W+(?:\w+\W+){0,3}(?:would|wastes?|costs?|drains?|adds?|lags?)|battery|latency|delay|real[- ]?time|\bseconds?\b|as soon as|instant|\blive\b|"
                         r"\bmov(?:e|es|ing)\b|chang|each (?:new )?(?:position|update)|updates?|bandwidth|overhead|"
                         r"round[- ]trips?|requests?|open (?:connection|stream)|one connection|push|"
                         r"one[- ]way|unidirectional|only (?:flows?|goes|travels) (?:from|one)|"
                         r"(?:from )?(?:the )?server to (?:the )?(?:phone|app|client|rider|browser)", re.I)
CHANNEL_PARENTS = ("channels", "conversations", "chats", "rooms", "threads", "groups", "spaces")
AUTH_LINE = "Authentication: Bearer JWT."  # so a one-row answer is judged on its row, not on missing notes


@never_raises
def check_resource_path(answer: Any) -> Feedback:
    """Exercise 1: one string 'METHOD /path' for sending a message to a channel."""
    text = as_text(answer)
    if text is None:
        return wrong_shape("one string 'METHOD /path', e.g. 'GET /things/{thingId}'", answer)
    method, _, path = text.partition(" ")
    path = path_only(path.strip())
    try:
        findings = review([{"method": method, "path": path, "description": "Send a message"}], [AUTH_LINE])
    except DesignParseError as exc:
        return failed(f"write it as 'METHOD /path' ({exc}).")
    naming = [f for f in findings if f.rule in ("verb-in-path", "singular-collection")]
    if naming:
        return failed(f"the reviewer still objects: {naming[0].reason}")
    if method.upper() != "POST":
        return failed(f"{method.upper()} is not it: sending creates a new message, and creating is POST.")
    problem = where_it_goes(path)
    return problem if problem is not None else passed(
        f"`POST {path}`: the method says 'create', the path says 'a message in this channel'"
        + (" (a custom method, Google AIP-136; the plain collection POST is the standard Create, AIP-133)."
           if custom_method(path.rsplit("/", 1)[-1]) else "."))


def path_only(path: str) -> str:
    """``https://api.example.com/v1/channels/{id}/messages`` -> ``/v1/channels/{id}/messages``."""
    return (urlsplit(path).path or "/") if re.match(r"https?://", path, re.I) else path


def where_it_goes(path: str) -> Feedback | None:
    """None if the path is a plural collection under one channel-like parent's ID; else what is missing."""
    segments = [s for s in path.split("?", 1)[0].split("/") if s and not is_version(s)]
    last = segments[-1] if segments else ""
    if not last or is_param(last) or not lang.is_plural(head(last)):
        return failed(f"{path!r} must end in the collection the new message joins, a plural such as `messages`.")
    parents = segments[:-1]
    if len(parents) < 2 or not is_param(parents[-1]):
        return failed(f"{path!r} does not say *where* the message goes: make it a sub-collection of one channel, "
                      "`/channels/{channelId}/" + resource_part(last) + "`, with the channel's ID as a parameter "
                      "({channelId} or :channelId).")
    if head(parents[-2]) not in CHANNEL_PARENTS:
        return failed(f"{parents[-2]!r} is not where a message is sent: the parent is the channel "
                      f"(or a conversation, chat or room), e.g. `/channels/{{channelId}}/{resource_part(last)}`.")
    return None


RULE_MEANINGS = {r.id: (r.check.__doc__ or "").strip().splitlines()[0] for r in RULES}


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
    problems = ([f"you missed {missed}: look again at the rows (and notes) those rules check"] if missed else []) \
        + ([f"{extra} do not fire on this design; what in it already satisfies them?"] if extra else [])
    if problems:
        return failed(f"{len(actual & predicted)} of {len(actual)} right; " + "; and ".join(problems)
                      + ("." if not extra else ""))
    return passed(f"all {len(actual)} rules, exactly: {sorted(actual)}.")


def named(pattern: re.Pattern, text: str) -> re.Match | None:
    """The first mention of ``pattern`` in ``text`` that is chosen, not rejected ("not WebSockets")."""
    return next((m for m in pattern.finditer(text) if not NEGATION.search(text[:m.start()])), None)


def reason_after(text: str, start: int = 0) -> str:
    """The words after the first reason marker ("because", "so that", ...) at or after ``start``; '' if none."""
    marker = REASON.search(text, start) or REASON.search(text)
    return text[marker.end():].strip(" .,;:") if marker else ""


def push_problem(text: str) -> str | None:
    """None if ``text`` chooses a push transport and gives a reason about push; else what is missing."""
    push, polling = named(PUSH, text), named(POLLING, text)
    if push is None and polling is not None:
        return (f"'{polling.group(0)}' names a transport, but polling is the app asking again and again: nothing "
                "pushes a new position, so the rider sees it late and the phone pays a request each time. Choose "
                "one that keeps a stream open (WebSockets, Server-Sent Events, gRPC server streaming)")
    if push is None:
        other = named(PROTOCOLS, text)
        return (f"{other.group(0)} alone does not push each new position to the rider's app; pick a transport that "
                "keeps a stream open (WebSockets, Server-Sent Events, gRPC server streaming)" if other else
                "name the push transport you choose (e.g. WebSockets or Server-Sent Events)"
                + (": every transport in it is one you rule out" if PUSH.search(text) else ""))
    why = reason_after(text, push.end())
    if len(why.split()) >= 3 and TWO_WAY.search(why) and not PUSH_REASON.search(why):
        return (f"'{TWO_WAY.search(why).group(0)}' is a reason for {push.group(0)} only if the rider's app sends "
                "over it too; the driver's position flows one way, server to phone. Give the reason this flow needs "
                "push, e.g. the position changes every few seconds and polling that often costs battery and latency")
    if len(why.split()) < 3 or not PUSH_REASON.search(why):
        return (f"you chose {push.group(0)} but not why: give a reason about push, e.g. the position changes every "
                "few seconds and polling that often costs battery and latency")
    return None


TWO_WAY = re.compile(r"\b(?:bi-?directional|two-?way|full-?duplex|both (?:ways|directions|sides))\b", re.I)


@never_raises
def check_protocol_decision(answer: Any) -> Feedback:
    """Exercise 3: one sentence (a string) choosing how the rider's app learns the driver's position, with the reason."""
    text = as_text(answer)
    if text is None:
        return wrong_shape("one sentence as a string", answer)
    problem = push_problem(text)
    if problem:
        return failed(problem + ".")
    return passed(f"{named(PUSH, text).group(0)}, with a reason about push: that is the sentence interviewers listen for.")


# Exercise 4: what each practice prompt needs. The ids are those of data/designs/practice/prompts.json.
# A key decision is judged on its substance: a function of the design's notes that says what is wrong, or None.
Judge = Callable[[list[str]], "str | None"]

REDIRECT = re.compile(r"\b30[1278]\b")
COUNTING = re.compile(r"click|count|analytic|\bstat(?:s|istics)\b|track|reach|cach|every (?:request|visit)", re.I)
NOT_COUNTED = re.compile(r"(?:not|never|n't|no longer|under-?count\w*|fewer|lose|approximate)\b[^.]*\b(?:count|click)|"
                         r"\b(?:count|click)\w*\b[^.]*\b(?:not|never|n't|under-?count\w*|approximate|lost)\b", re.I)


def redirect_status(notes: list[str]) -> str | None:
    """URL shortener: 302/307 because every click must reach the counter, or 301/308 saying clicks go uncounted."""
    said = [n for n in notes if REDIRECT.search(n)]
    note = next((n for n in said if REASON.search(n)), said[0] if said else None)  # the decision, not "302 Found"
    if note is None:
        return ("the notes do not decide the redirect's status code: 302 or 307 (every click reaches you and is "
                "counted) or 301 (browsers cache it, so repeat clicks are never counted)?")
    code, why = REDIRECT.search(note).group(0), reason_after(note)
    if code in ("301", "308") and not (re.search(r"cach", note, re.I) and NOT_COUNTED.search(note)):
        return (f"the redirect answers {code}, and browsers cache a permanent redirect: repeat clicks never reach "
                "your servers or their logs, so they are never counted. Answer 302 (or 307) because clicks are "
                f"counted, or keep {code} and say honestly that repeat clicks go uncounted")
    if code in ("302", "307") and not (why and COUNTING.search(why)):
        return (f"say why the redirect answers {code}: not 'it is a redirect', but that a 301 would be cached by "
                "browsers and later clicks would never reach you to be counted")
    return None


def bytes_path(notes: list[str]) -> str | None:
    """File upload: the bytes go straight to object storage through presigned URLs, never through the API servers."""
    text = " ".join(notes)
    through = named(re.compile(r"\bthrough (?:the |our |your )?(?:api|app|application|backend|web)\b[\w ]{0,12}?"
                               r"servers?|\bvia (?:the |our )?(?:api|backend)|\b(?:api|app) servers? "
                               r"(?:receive|stream|proxy|relay|forward)|\bproxie[sd]\b", re.I), text)
    if through:
        return (f"the bytes go through your API servers ('{through.group(0)}'): a 5 GB body ties up an API server "
                "and its bandwidth for the whole upload and is lost with it. Have the client PUT the bytes straight "
                "to object storage at presigned URLs, and keep the API for metadata")
    direct = re.search(r"pre-?signed|signed urls?|(?:straight|directly) to (?:the )?(?:object|blob|cloud) storage|"
                       r"(?:straight|directly) to (?:s3|gcs)", text, re.I)
    if not direct or not any(REASON.search(n) and re.search(r"sign|straight|directly", n, re.I) for n in notes):
        return ("the notes do not say where the bytes go, with a reason: straight to object storage through "
                "presigned URLs (so 5 GB never passes through your API servers)?")
    return None


def resumable(notes: list[str]) -> str | None:
    """File upload: a drop costs one part (or resumes from an offset), not the whole file."""
    text = re.sub(r"multipart/form-data", "form-data", " ".join(notes), flags=re.I)
    restart = named(re.compile(r"\b(?:restart\w*|start\w* over|from (?:the )?(?:beginning|scratch|part one|"
                               r"the first part))\b", re.I), text)
    if restart:
        return (f"after a drop the upload starts again ('{restart.group(0)}'): on a flaky network a 5 GB file may "
                "never finish. Upload it in parts (or at offsets) and resend only the missing ones")
    pieces = re.compile(r"\bparts?\b|\bchunks?\b|\boffsets?\b|byte ranges?|content-range|\bmultipart upload", re.I)
    resume = re.compile(r"resum|continu|missing|only (?:the|that|one)|one part|not the whole|re-?send", re.I)
    said = [re.sub(r"multipart/form-data", "form-data", n, flags=re.I) for n in notes]
    if not any(pieces.search(n) and resume.search(n) and REASON.search(n) for n in said):
        return ("the notes do not say how an upload resumes after a dropped connection: in parts or at byte offsets, "
                "resending only what is missing?")
    return None


def push_transport(notes: list[str]) -> str | None:
    """Ride sharing: a push transport is chosen, with a reason about push."""
    candidates = [n for n in notes if PUSH.search(n) or POLLING.search(n)]
    problems = [push_problem(n) for n in candidates]
    if candidates and None in problems:
        return None
    return (problems[0] if problems else "the notes do not say how the rider's app sees the driver move: which "
            "push transport (WebSockets, Server-Sent Events) brings each new position, and why not polling?")


def decision(topic: str, names: str, hint: str) -> Judge:
    """A decision judged by name and reason only (briefs.Decision), as a Judge."""
    d = Decision(topic, names, hint)
    return lambda notes: None if any(d.stated_in(n) for n in notes) else (
        f"the notes do not decide {topic} with a reason: {hint}")


_SHORTEN = Flow("shorten a long URL", ("POST",), r"/(links|urls|short[\w-]*)$")
_REQUEST_RIDE = Flow("request a ride", ("POST",), r"/(rides|trips|ride-requests)$")
_START_UPLOAD = Flow("start an upload", ("POST",), r"/(uploads|files)$")
NEEDS = {
    "url-shortener": (
        (_SHORTEN,
         Flow("follow a short link", ("GET",), r"^/([\w-]+/)?\{\}(/redirect)?$", r"redirect|\b30[1278]\b"),
         Flow("list my links", ("GET",), r"/(links|urls|short[\w-]*)$"),
         Flow("see how often a link was clicked", ("GET",), r".", r"click|stat|analytic|visit")),
        (redirect_status,
         decision("a retried 'shorten'", r"idempoten", "what a client that retries a create gets back."),
         decision("how clicks are counted", r"click", "where the counts come from without slowing the redirect.")),
        _SHORTEN),
    "ride-sharing": (
        (_REQUEST_RIDE,
         Flow("follow the ride and its driver", ("GET",), r"/(rides|trips)/\{\}"),
         Flow("cancel a ride", ("POST", "DELETE", "PATCH"), r"/(rides|trips)/\{\}", r"cancel"),
         Flow("see past trips", ("GET",), r"/(rides|trips)$"),
         Flow("a driver reports their position", ("PUT", "POST", "PATCH"), r"/(locations?|positions?)$")),
        (push_transport,
         decision("no double booking", r"idempoten", "what stops a double tap or a retry from booking two cars.")),
        _REQUEST_RIDE),
    "file-upload": (
        (_START_UPLOAD,
         Flow("send the bytes, resumably", ("POST", "PUT", "PATCH", "GET"), r"/(uploads|files)",
              r"\bparts?\b|chunks?|resum|pre-?signed|offsets?"),
         Flow("list my files", ("GET",), r"/files$"),
         Flow("download a file", ("GET",), r"/files/\{\}(/(content|download|data))?$"),
         Flow("delete a file", ("DELETE",), r"/files/\{\}$")),
        (bytes_path, resumable),
        _START_UPLOAD),
}


def prompt_id(prompt: Any) -> str | None:
    """The id of a practice prompt named by its id ("url-shortener") or its title ("URL shortener")."""
    text = (as_text(prompt) or "").lower().replace("_", "-")
    return next((p.id for p in load_prompts() if text in (p.id, p.title.lower(), p.id.replace("-", " "))), None)


def brief_for(prompt_id: str) -> Brief | None:
    """The brief of a practice prompt: its text from prompts.json, its flows and sketch from NEEDS."""
    prompt = next((p for p in load_prompts() if p.id == prompt_id), None)
    if prompt is None or prompt_id not in NEEDS:
        return None
    flows, _, sketch = NEEDS[prompt_id]
    return Brief(prompt.id, prompt.prompt, flows, (), sketch)


def unmet(answer: str, design, brief: Brief) -> list[str]:
    """Everything the design still lacks for the prompt, in the order an interviewer would ask."""
    findings = reviewer_problems(design, brief)
    problems = [f"{len(findings)} errors or warnings from the reviewer:" + "".join(f"\n    - {f}" for f in findings)
                ] if findings else []
    problems += [f"no endpoint serves the core flow '{flow.name}' ({flow.requirement()}): every core flow needs one."
                 for flow in missing_flows(design, brief)]
    notes = [n.text for n in design.notes if len(n.text.split()) >= MIN_NOTE_WORDS or REDIRECT.search(n.text)]
    problems += [p if p.endswith(("?", ".")) else p + "." for p in (judge(notes) for judge in NEEDS[brief.id][1]) if p]
    if not has_sketch(answer, design, brief.sketch):
        problems.append(f"sketch the most important exchange, '{brief.sketch.name}': below the table, the request "
                        "line (METHOD /path, as in your table), the response status and a JSON body with its fields.")
    return problems


@never_raises
def check_design(answer: Any, prompt: Any = None) -> Feedback:
    """Exercise 4: a full design (markdown table + notes + a request/response sketch) for the practice prompt ``prompt``."""
    ids = [p.id for p in load_prompts()]
    brief = brief_for(prompt_id(prompt) or "")
    if brief is None:
        return failed(f"say which prompt you designed for: check_design(answer, prompt) with prompt one of {ids}"
                      " (or its title)" + (f", not {prompt!r}." if prompt is not None else "."))
    design, problem = read_design(answer)
    if problem is not None:
        return problem
    problems = unmet(answer, design, brief)
    if problems:  # a markdown list, as check_brief gives it: each problem on a line of its own
        return failed(f"{len(problems)} {'thing' if len(problems) == 1 else 'things'} to fix:\n\n"
                      + "\n".join(f"- {p}" for p in problems))
    return passed(f"{brief.id}: {len(design.endpoints)} endpoints (at most {MAX_CORE_ENDPOINTS}) cover every core "
                  f"flow, the sketch shows '{brief.sketch.name}', every key decision holds up, and the reviewer finds "
                  "no errors or warnings.")


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
           "action: POST with one verb after an ID, like POST /orders/{id}/cancel"
           + ("; and `search` on its own is the search resource, not a verb (the prompt leaves it out)"
              if "search" in path.lower() else ""))
    return failed(f"verb_in_path({method!r}, {path!r}) returned {bad.yours!r}; the reviewer says {bad.reference}: {why}.")
