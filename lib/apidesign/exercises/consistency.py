"""Checks for the exercises of 07-consistency-and-async.

The cases are public; the verdicts come from the library and from the reference API, run by the
check itself: conditional requests (``server.conditional``, RFC 9110 section 13), long-running
operations (``long_running``), the GraphQL cost limit (``graphql_api.limits``) and the SSRF check
(``ssrf``). Nothing here stores an answer.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

from ..errors import ApiError
from ..graphql_api.schema import cost
from ..long_running import by_polling
from ..server import conditional, create_app, credentials
from ..ssrf import UnsafeTarget, check_target
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered
from .answers import as_bool, as_int, as_list, as_mapping, as_number, first_disagreement, never_raises, own_function, \
    wrong_shape
from .briefs import Brief, Decision, Flow, check_brief

# Exercise 1: what the reference API answers; the check asks a fresh one.
STATUS_CASES = (
    "GET a channel with If-None-Match: its current ETag",
    "GET a channel with If-None-Match: its current ETag written weak (W/ in front)",
    "PATCH a channel with If-Match: its current ETag written weak (W/ in front)",
    "PUT /v2/channels/{id} with no If-Match",
    "POST /v1/channels/{id}/exports",
    "GET a channel with If-None-Match: its current ETag, by a user who is not a member",
)
_STATUS_WHY = {
    STATUS_CASES[0]: "nothing changed since that tag, so the answer is 304 Not Modified with no body (RFC 9110, "
                     "sections 13.1.2 and 15.4.5)",
    STATUS_CASES[1]: "If-None-Match compares weakly (RFC 9110, section 13.1.2): W/\"x\" matches \"x\", so it is "
                     "still 304",
    STATUS_CASES[2]: "If-Match compares strongly (RFC 9110, section 13.1.1): a weak tag never matches, so the write "
                     "is refused with 412 Precondition Failed",
    STATUS_CASES[3]: "/v2 requires a conditional write: 428 Precondition Required (RFC 6585, section 3)",
    STATUS_CASES[4]: "an export takes a while: 202 Accepted now, with Location naming the operation to poll (RFC 9110, "
                     "section 15.3.3)",
    STATUS_CASES[5]: "preconditions are evaluated only for a request that would otherwise succeed (RFC 9110, section "
                     "13.2.1): the stranger gets the 403 first and learns nothing from a 304",
}


@functools.lru_cache(maxsize=1)
def _live_statuses() -> dict[str, int]:
    """Each case's status, measured on a fresh reference API."""
    app = create_app({"TESTING": True, "ID_SEED": 2})
    client = app.test_client()
    alice, carol = dict(credentials(app, "usr_alice")), dict(credentials(app, "usr_carol"))
    url = client.post("/v1/channels", json={"name": "checked"}, headers=alice).headers["Location"]
    tag = client.get(url, headers=alice).headers["ETag"]
    body = {"name": "checked", "topic": "", "memberIds": []}
    return dict(zip(STATUS_CASES, [
        client.get(url, headers={**alice, "If-None-Match": tag}).status_code,
        client.get(url, headers={**alice, "If-None-Match": "W/" + tag}).status_code,
        client.patch(url, json={"topic": ""}, headers={**alice, "If-Match": "W/" + tag}).status_code,
        client.put(url.replace("/v1/", "/v2/"), json=body, headers=alice).status_code,
        client.post(f"{url}/exports", json={}, headers=alice).status_code,
        client.get(url, headers={**carol, "If-None-Match": tag}).status_code,
    ]))


@never_raises
def check_statuses(answer: Any) -> Feedback:
    """Exercise 1: a dict from each case in STATUS_CASES to the status code the reference API answers."""
    given = as_mapping(answer)
    if given is None:
        return wrong_shape(f"a dict from each of the {len(STATUS_CASES)} cases in exercises.STATUS_CASES to a status "
                           "code", answer)
    missing = [c for c in STATUS_CASES if c not in given]
    if missing:
        return failed(f"still to answer: {', '.join(repr(c) for c in missing)}.")
    wrong = []
    for case, want in _live_statuses().items():
        got = as_int(given[case])
        if got is None:
            return failed(f"'{case}': give a status code as a number, not {given[case]!r}.")
        if got != want:
            wrong.append(f"'{case}': you said {got}, the server answers {want}: {_STATUS_WHY[case]}")
    if wrong:
        return failed(f"{len(wrong)} of {len(STATUS_CASES)} wrong. " + "; ".join(wrong) + ".")
    return passed("304 for a tag still current (weakly compared), 412 for a weak tag in If-Match, 428 for a bare /v2 "
                  "write, 202 for work that finishes later, and the 403 before any precondition.")


# Exercise 2: polling an operation.
EXPORT_SECONDS, POLL_EVERY = 7.5, 2.0


@never_raises
def check_polling_cost(answer: Any) -> Feedback:
    """Exercise 2: (requests sent, POST included; seconds between the export finishing and the client knowing)."""
    values = as_list(answer)
    if values is None or len(values) != 2:
        return wrong_shape("a pair (requests, seconds late), e.g. (3, 0.25)", answer)
    requests, late = as_int(values[0]), as_number(values[1])
    if requests is None or late is None:
        return failed(f"give a whole number of requests and a number of seconds, not {values[0]!r} and {values[1]!r}.")
    measured = by_polling(EXPORT_SECONDS, POLL_EVERY)
    polls = measured.requests - 1
    if requests == polls and abs(late - measured.latency) < 1e-6:
        return failed(f"{polls} polls, yes, but the client sent one more request: the POST that started the export.")
    if requests != measured.requests:
        return failed(f"you said {requests} requests. The polls go out at {POLL_EVERY:g}, {2 * POLL_EVERY:g}, ... s "
                      f"after the 202; the first one at or after {EXPORT_SECONDS:g} s sees done: true. Count those "
                      "polls, and the POST.")
    if abs(late - measured.latency) > 1e-6:
        return failed(f"the request count is right; but the poll that sees done: true goes out at "
                      f"{polls * POLL_EVERY:g} s, so the client knows {measured.latency:g} s after the export finished, "
                      f"not {late:g} s.")
    return passed(f"{measured.requests} requests and {measured.latency:g} s late: each poll costs a request, and the "
                  "interval bounds how late the client learns. A callback would cost one request and arrive on time.")


# Exercise 3: the cost of a GraphQL query.
COST_QUERY = """{
  me {
    channels(first: 4) {
      nodes {
        name
        messages(first: 5) { nodes { content sender { name } } }
      }
    }
  }
}"""


@never_raises
def check_query_cost(answer: Any) -> Feedback:
    """Exercise 3: the cost the server's limit gives COST_QUERY (a whole number of objects)."""
    given = as_int(answer)
    if given is None:
        return wrong_shape("a whole number: the objects COST_QUERY may return", answer)
    want = cost(COST_QUERY)
    if given == want:
        return passed(f"{want}: 1 viewer, 1 channel connection, 4 channels, 4 message connections, 20 messages and "
                      "20 senders. Cost grows with the product of the page sizes, which is why it is limited.")
    leaves = 4 * 5 * 2 + 4  # messages, senders and channels only
    if given == leaves:
        return failed(f"{given} counts the channels, messages and senders; the viewer (me) and each connection object "
                      "(channels, and each channel's messages) are objects in the response too, 1 each.")
    if given == 4 * 5:
        return failed(f"{given} is only the messages; every object counts: the viewer, the connections, the "
                      "channels and each message's sender too.")
    return failed(f"you said {given}. Count 1 for every object the response can hold: me, its channels connection, "
                  "4 channel nodes, each channel's messages connection, 5 message nodes per channel, and one sender "
                  "per message.")


# Exercise 4: which webhook URLs a production sender refuses.
SSRF_CASES = ("http://169.254.169.254/latest/meta-data/", "http://2130706433:6379/", "http://10.0.0.5/admin",
              "http://[::ffff:7f00:1]/hooks", "http://8.8.8.8/hooks", "http://100.64.0.1/")
_KIND_WHY = {"loopback": "this machine (127.0.0.0/8, also spelt as one integer or as an IPv4-mapped IPv6 address)",
             "link-local": "link-local: 169.254.169.254 is where clouds serve instance credentials",
             "private": "a private network (RFC 1918): the sender's own internal services",
             "not global": "shared address space (100.64.0.0/10, carrier-grade NAT): not a public address either"}


def _refused(url: str) -> tuple[bool, str]:
    """(refused?, why) from the library's check, with private targets not allowed (production)."""
    try:
        check_target(url, allow_private=False)
    except UnsafeTarget as refused:
        kind = next((k for k in _KIND_WHY if str(refused).endswith(f"a {k} address.")), "")
        return True, f"{refused} That is {_KIND_WHY.get(kind, 'not a public address')}"
    return False, "it resolves to a public address only, so a production sender may call it"


@never_raises
def check_ssrf(answer: Any) -> Feedback:
    """Exercise 4: a dict from each URL in SSRF_CASES to True (a production sender refuses it) or False."""
    given = as_mapping(answer)
    if given is None:
        return wrong_shape("a dict from each URL in exercises.SSRF_CASES to True (refused) or False", answer)
    missing = [u for u in SSRF_CASES if u not in given]
    if missing:
        return failed(f"still to answer: {', '.join(missing)}.")
    wrong = []
    for url in SSRF_CASES:
        said = as_bool(given[url])
        if said is None:
            return failed(f"'{url}': answer True (refused) or False, not {given[url]!r}.")
        refused, why = _refused(url)
        if said != refused:
            wrong.append(f"'{url}' is {'refused' if refused else 'allowed'}: {why}")
    if wrong:
        return failed(f"{len(wrong)} of {len(SSRF_CASES)} wrong. " + "; ".join(wrong) + ".")
    return passed("the sender resolves the host and refuses any non-public address, however the URL spells it.")


# Exercise 5 (implement it): evaluate If-Match and If-None-Match as the server does.
_BODIES = [{"data": {"channelId": "ch_1", "topic": topic}} for topic in ("chat", "standup", "lunch")]
_TAGS = [f'"{conditional.entity_tag(b)}"' for b in _BODIES]
CURRENT, STALE, OLDER = _TAGS  # the channel's representation is _BODIES[0]; the other two are earlier versions


def _header_values() -> list[str]:
    """If-Match / If-None-Match values, simplest first: one tag, a weak tag, lists, and *."""
    return [CURRENT, STALE, f"W/{CURRENT}", "*", f"{STALE}, {CURRENT}", f"{STALE}, {OLDER}", f"W/{STALE}, W/{CURRENT}",
            f"{OLDER},{CURRENT}", f"{STALE},\tW/{CURRENT}"]


def _cases() -> list[tuple]:
    """(method, path, etag, headers): reads and writes with either header, both or neither, on /v1 and /v2."""
    values = [None, *_header_values()]
    cases = []
    for path in ("/v1/channels/ch_1", "/v2/channels/ch_1"):
        for method, if_match, if_none in itertools.product(("GET", "HEAD", "PUT", "PATCH"), values, values):
            headers = {k: v for k, v in (("If-Match", if_match), ("If-None-Match", if_none)) if v is not None}
            cases.append((method, path, CURRENT, headers))
    # simplest first: fewer headers, /v1 before /v2, single tags before lists
    return sorted(cases, key=lambda c: (len(c[3]), c[1], sum("," in v or v == "*" for v in c[3].values())))


@functools.lru_cache(maxsize=1)
def _app():
    return create_app({"TESTING": True})


def _server_status(method: str, path: str, etag: str, headers: dict) -> int:
    """What the reference API's own precondition code answers: 200 (go ahead), 304, 412 or 428."""
    body = _BODIES[_TAGS.index(etag)]
    with _app().test_request_context(path, method=method, headers=headers):
        try:
            if method in ("GET", "HEAD"):
                return conditional.represent(body).status_code
            conditional.check_preconditions(body)
            return 200
        except ApiError as refused:
            return refused.status


def _precondition_why(method: str, path: str, etag: str, headers: dict) -> str:
    if method not in ("GET", "HEAD") and path.startswith("/v2/") and "If-Match" not in headers:
        return ("a /v2 write without If-Match is refused with 428 Precondition Required (RFC 6585, section 3), "
                "whatever else it carries")
    if "If-Match" in headers and _server_status(method, path, etag, {"If-Match": headers["If-Match"]}) == 412:
        first = "If-Match is evaluated first, on a read as on a write (RFC 9110, section 13.2.2), and " \
            if method in ("GET", "HEAD") else ""
        return (f"{first}If-Match compares strongly (RFC 9110, sections 13.1.1 and 8.8.3.2): a W/ tag never matches; '*' "
                "matches any current representation; a list holds if any of its tags matches. It failed: 412")
    if _server_status(method, path, etag, headers) != 200:
        reading = method in ("GET", "HEAD")
        answer = f"304 Not Modified on a {method}" if reading else "412 Precondition Failed on a write"
        return ("If-None-Match compares weakly (RFC 9110, section 13.1.2): W/\"x\" matches \"x\", '*' matches any "
                f"current representation, a list matches if any tag does. It matched, so: {answer}")
    read = "HEAD is a read, like GET (RFC 9110, section 9.3.2), so a bare one is no 428; " if method == "HEAD" else ""
    return f"{read}no condition failed, so the request goes ahead: 200"


@never_raises
def check_precondition(precondition: Any) -> Feedback:
    """Exercise 5: a function precondition(method, path, etag, headers) -> 200, 304, 412 or 428."""
    problem = own_function(precondition, "a function precondition(method, path, etag, headers)")
    if problem is not None:
        return problem
    cases = _cases()
    bad = first_disagreement(precondition, _server_status, cases, lambda yours, ours: as_int(yours) == ours)
    if bad is None:
        return passed(f"all {len(cases)} cases answered as the server does: strong If-Match, weak If-None-Match, "
                      "'*' and lists, 304 on reads and 412 on writes, and 428 for a bare /v2 write.")
    method, path, etag, headers = bad.case
    shown = f"precondition({method!r}, {path!r}, {etag!r}, {headers!r})"
    if bad.error:
        return failed(f"{shown} raised {bad.error}.")
    return failed(f"{shown} returned {bad.yours!r}; the server answers {bad.reference}, because "
                  f"{_precondition_why(*bad.case)}.")


# Exercise 6 (design it): work that takes minutes, and telling the client when it is done.
REPORTS = Brief(
    "reports",
    "A reporting API: a customer asks for a monthly report of their account, which takes minutes to build; checks "
    "on it; downloads it when it is ready; and can register a URL to be told when reports are ready. The check "
    "wants: (1) no reviewer errors or warnings; (2) an endpoint for each flow: start a report (a POST), check on it "
    "(a GET on the report or on an operation), register a webhook URL (a POST to a collection of endpoints or "
    "subscriptions); (3) three notes, each with its reason ('..., because ...'): what starting a report answers "
    "and how the client waits (202, an operation, polling with Retry-After); how a receiver knows a webhook is "
    "genuine (a signature); and what happens when a delivery fails or arrives twice (retries, deduplication).",
    flows=(Flow("start a report", ("POST",), r"/(reports?|exports?|jobs?)(:\w+)?$|/reports?/\{\}:\w+$"),
           Flow("check on a report", ("GET",), r"/(operations|jobs|reports|exports)/\{\}$"),
           Flow("register a webhook URL", ("POST",), r"/(webhooks?|webhook-endpoints|subscriptions|callbacks)$")),
    decisions=(Decision("how a long-running report is started and awaited", r"\b202\b|long.running|operation|poll",
                        "what starting a report answers (202 Accepted and where to poll) and how often to poll."),
               Decision("how webhooks are authenticated", r"sign|hmac",
                        "how the receiver knows a webhook came from you, unchanged and recently."),
               Decision("failed and repeated deliveries",
                        r"\bretr(y|ies|ied|ying)\b(?!-after)|dedup|webhook-id|at.least.once",
                        "what the sender does when the receiver is down, and what the receiver does with a delivery "
                        "it gets twice.")))


def check_reports_design(answer: Any) -> Feedback:
    """Exercise 6: a markdown design (table + notes) for the reports brief (exercises.REPORTS.prompt)."""
    if unanswered(answer):
        return NOT_ANSWERED
    return never_raises(check_brief)(answer, REPORTS)
