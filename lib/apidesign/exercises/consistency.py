"""Checks for the exercises of 07-consistency-and-async.

The cases are public; the verdicts come from the library and from the reference API, run by the
check itself: conditional requests (``server.conditional``, RFC 9110 section 13), long-running
operations (``long_running``), the GraphQL cost limit (``graphql_api.limits``) and the SSRF check
(``ssrf``). Nothing here stores an answer.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import ipaddress
import itertools
import random
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable
from unittest import mock

import standardwebhooks.webhooks as standard_webhooks

from ..errors import ApiError
from ..graphql_api.schema import cost
from ..long_running import by_polling
from ..server import conditional, create_app, credentials
from .. import ssrf
from ..ssrf import UnsafeTarget, check_target
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered
from .answers import as_bool, as_int, as_list, as_mapping, as_number, borrowed, call, first_disagreement, names_used, \
    key_problem, never_raises, normalise, own_function, wrong_shape
from .briefs import MIN_NOTE_WORDS, REASON, Brief, Flow, check_brief
from .capstone import NEGATION, named

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
    STATUS_CASES[4]: "an export takes a while: 202 Accepted now, and a status monitor to poll (RFC 9110, section "
                     "15.3.3); this API names it in Location, a common convention (Location's meaning is defined for "
                     "201 and 3xx, section 10.2.2)",
    STATUS_CASES[5]: "a server MUST ignore preconditions when, without them, it would have answered something other "
                     "than a 2xx or 412 before processing the request (RFC 9110, section 13.2.1): the stranger gets "
                     "the 403 first and learns nothing from a 304",
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
    keys = key_problem(given, STATUS_CASES)
    if keys:
        return failed(keys)
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
    if given == 4 + 4 * 5:
        return failed(f"{given} counts the nodes the pages can return (4 channels and 20 messages), as GitHub's node "
                      "limit does; this limit counts every object: the viewer, each connection and each sender too.")
    if given > want:
        return failed(f"you said {given}: that is {given - want} too many. The query can return at most {want} "
                      "objects: me, its channels connection, 4 channel nodes, each channel's messages connection, 5 "
                      "message nodes per channel, and one sender per message; count each once.")
    left_out = _left_out(want - given)
    if left_out:
        return failed(f"you said {given}: that leaves out {left_out}. Every object the response can hold counts 1.")
    return failed(f"you said {given}. Count 1 for every object the response can hold: me, its channels connection, "
                  "4 channel nodes, each channel's messages connection, 5 message nodes per channel, and one sender "
                  "per message.")


_COST_PARTS = {"the viewer (me)": 1, "the channels connection": 1, "the 4 channel nodes": 4,
               "the 4 messages connections": 4, "the 20 message nodes": 20, "the 20 senders": 20}


def _left_out(missing: int) -> str:
    """The parts of COST_QUERY (one, two or three) whose objects add up to ``missing``, named; or ''."""
    for n in (1, 2, 3):  # the fewest parts that explain it; each way, if several do
        ways = [" and ".join(parts) for parts in itertools.combinations(_COST_PARTS, n)
                if sum(_COST_PARTS[p] for p in parts) == missing]
        if ways:
            return ", or ".join(ways)
    return ""


# Exercise 4: which webhook URLs ssrf.check_target refuses (allow_private=False). None is in the notebook's table.
# The reference API accepts no IPv6 literal at registration today (URL_PATTERN: 400 invalid_format), so the
# bracketed cases are about the check, not about what the API lets a user register.
SSRF_CASES = ("http://172.32.0.1/hooks", "http://0.0.0.0:8080/", "http://[::1]/hooks", "http://0300.0250.0.1/",
              "http://[fd00::1]/", "http://198.18.0.1/", "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
              "http://[2002:808:808::1]/hooks")
_RANGES = (  # (network, what it is): the reason a learner reads, for the address a URL resolves to or carries
    ("0.0.0.0/8", "'this network' (RFC 791, RFC 1122 section 3.2.1.3); a connection to 0.0.0.0 reaches this machine"),
    ("127.0.0.0/8", "this machine (loopback)"), ("::1/128", "this machine (IPv6 loopback)"),
    ("10.0.0.0/8", "a private network (RFC 1918)"), ("172.16.0.0/12", "a private network (RFC 1918: 172.16.0.0 to "
                                                                      "172.31.255.255)"),
    ("192.168.0.0/16", "a private network (RFC 1918)"), ("fc00::/7", "a unique local IPv6 address (RFC 4193), IPv6's "
                                                                       "private networks"),
    ("169.254.0.0/16", "link-local: 169.254.169.254 is where clouds serve instance credentials"),
    ("100.64.0.0/10", "shared address space (RFC 6598, carrier-grade NAT)"),
    ("198.18.0.0/15", "reserved for benchmarking (RFC 2544), never routed on the internet"))


def _address_note(address: str) -> str:
    """What ``address`` is, unwrapping an IPv6 address that carries an IPv4 one (NAT64, 6to4, IPv4-mapped)."""
    ip = ipaddress.ip_address(address)
    carried = ssrf.embedded_ipv4(ip) if ip.version == 6 else None
    if carried is not None:
        if ip in ssrf.SIX_TO_FOUR:
            return (f"a 6to4 address (2002::/16, RFC 3056) carrying {carried}: 6to4 is deprecated (RFC 7526) and "
                    "check_target refuses all of 2002::/16, whatever IPv4 address it carries")
        how = "NAT64, RFC 6052" if ip in ssrf.NAT64 else "IPv4-mapped, RFC 4291 section 2.5.5.2"
        return f"an IPv6 address that carries {carried} ({how}): {_address_note(str(carried))}"
    for network, what in _RANGES:
        if ip in ipaddress.ip_network(network):
            return what
    return "a public address"


def _refused(url: str) -> tuple[bool, str]:
    """(refused?, why) from the library's check, with private targets not allowed (production)."""
    host, port = ssrf.host_and_port(url)
    addresses = ssrf.resolve(host, port)
    notes = "; ".join(dict.fromkeys(_address_note(a) for a in addresses))
    try:
        check_target(url, allow_private=False)
    except UnsafeTarget:
        return True, f"it resolves to {', '.join(addresses)}: {notes}, so check_target refuses it"
    if host.strip("[]") == "172.32.0.1":
        notes += ", just past the end of 172.16.0.0/12 (which stops at 172.31.255.255)"
    return False, f"it resolves to {', '.join(addresses)}: {notes}, so check_target allows it"


_VERDICT_WORDS = {"refused": True, "refuse": True, "blocked": True, "allowed": False, "allow": False}


@never_raises
def check_ssrf(answer: Any) -> Feedback:
    """Exercise 4: a dict from each URL in SSRF_CASES to True (ssrf.check_target refuses it) or False."""
    given = as_mapping(answer)
    if given is None:
        return wrong_shape("a dict from each URL in exercises.SSRF_CASES to True (refused) or False", answer)
    keys = key_problem(given, SSRF_CASES, "URLs")
    if keys:
        return failed(keys)
    wrong = []
    for url in SSRF_CASES:
        said = _VERDICT_WORDS.get(normalise(given[url]), as_bool(given[url])) if isinstance(given[url], str) \
            else as_bool(given[url])
        if said is None:
            return failed(f"'{url}': answer True (refused) or False (allowed), not {given[url]!r}.")
        refused, why = _refused(url)
        if said != refused:
            wrong.append(f"'{url}' is {'refused' if refused else 'allowed'}: {why}")
    if wrong:
        return failed(f"{len(wrong)} of {len(SSRF_CASES)} wrong. " + "; ".join(wrong) + ".")
    return passed("check_target resolves the host and refuses any non-public address, however the URL spells it "
                  "(octal, an IPv6 address carrying an IPv4 one, deprecated 6to4), and allows a public one however "
                  "close it looks. (The reference API would refuse the bracketed ones earlier still: it accepts no "
                  "IPv6 literal at registration today.)")


# Exercise 5 (implement it): evaluate If-Match and If-None-Match as the server does.
_BODIES = [{"data": {"channelId": "ch_1", "topic": topic}} for topic in ("chat", "standup", "lunch")]
_TAGS = [f'"{conditional.entity_tag(b)}"' for b in _BODIES]
CURRENT, STALE, OLDER = _TAGS  # the channel's representation is _BODIES[0]; the other two are earlier versions
_GZIP = f'"{CURRENT.strip(chr(34))}-gzip"'  # another representation's tag that contains CURRENT's (Apache's -gzip)


def _header_values() -> list[str]:
    """If-Match / If-None-Match values, simplest first: one tag, a weak tag, lists, and *."""
    return [CURRENT, STALE, f"W/{CURRENT}", "*", f"{STALE}, {CURRENT}", f"{STALE}, {OLDER}", f"W/{STALE}, W/{CURRENT}",
            f"{OLDER},{CURRENT}", f"{STALE},\tW/{CURRENT}", f"W/{CURRENT}, {CURRENT}", _GZIP, f"{STALE}, {_GZIP}"]


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
        return ("this API requires If-Match on every /v2 PUT, PATCH and DELETE and answers 428 Precondition "
                "Required without it (RFC 6585, section 3 lets a server require a conditional request; requiring "
                "If-Match specifically, even when If-None-Match is sent, is this API's rule)")
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
    if (name := borrowed(precondition, ("apidesign",))) is not None:
        return failed(f"your function calls {name} from the course's library, which answers for the server; the "
                      "exercise is to evaluate the headers yourself.")
    cases = _cases()
    bad = first_disagreement(precondition, _server_status, cases, lambda yours, ours: as_int(yours) == ours)
    if bad is None:
        return passed(f"all {len(cases)} cases answered as the server does: strong If-Match, weak If-None-Match, "
                      "'*' and lists, 304 on reads and 412 on writes, and 428 for a bare /v2 write.")
    method, path, etag, headers = bad.case
    shown = f"precondition({method!r}, {path!r}, {etag!r}, {headers!r})"
    if bad.error:
        return failed(f"{shown} raised {bad.error}.")
    if _only_the_spacing(precondition, bad.case):
        return failed(f"{shown} returned {bad.yours!r}; the server answers {bad.reference}. With ', ' between the "
                      "tags your function gets it right, so it is the spacing: a list may have no space, or any "
                      "spaces and tabs, around each comma (RFC 9110, section 5.6.1: '#' lists with optional "
                      "whitespace, OWS). Split on ',' and strip each tag.")
    return failed(f"{shown} returned {bad.yours!r}; the server answers {bad.reference}, because "
                  f"{_precondition_why(*bad.case)}.")


def _only_the_spacing(precondition: Callable, case: tuple) -> bool:
    """Does ``precondition`` answer ``case`` right once its lists are written with exactly ', ' between the tags?"""
    method, path, etag, headers = case
    tidy = {k: re.sub(r"\s*,\s*", ", ", v) for k, v in headers.items()}
    if tidy == headers:
        return False
    got, error = call(precondition, method, path, etag, tidy)
    return not error and as_int(got) == _server_status(method, path, etag, tidy)


# Exercise 6 (implement it): verify a webhook as Standard Webhooks 1.0.0 says, judged by its reference library.
WEBHOOK_NOW = 1_773_311_400  # 2026-03-12T10:30:00Z: every case's "now"
TOLERANCE_SECONDS = 5 * 60


@dataclass(frozen=True)
class WebhookCase:
    """One request a receiver gets: what it is (for the learner), and the four arguments of verify()."""

    what: str
    rule: str  # the rule that decides it, said when a learner gets it wrong
    secret: str
    headers: dict
    body: bytes
    now: float


def _sign(key: bytes, msg_id: str, timestamp: int, body: bytes, version: str = "v1") -> str:
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return f"{version}," + base64.b64encode(mac).decode()


_AUTHENTIC = ("an authentic webhook: the HMAC-SHA256, keyed with the secret's bytes (base64-decode what follows "
              "'whsec_'), of 'webhook-id.webhook-timestamp.body', base64, after 'v1,'")
_FRESH = (f"the timestamp may be up to {TOLERANCE_SECONDS} s (5 minutes) away from now, in either direction, "
          "and still be accepted")
_OLD = (f"a timestamp more than {TOLERANCE_SECONDS} s before now is refused: a replay, or a clock far off "
        "(both are whole seconds since the epoch)")
_NEW = (f"a timestamp more than {TOLERANCE_SECONDS} s after now is refused too: the tolerance works both ways "
        "(a signature dated in the future could be replayed long after it is seen)")
_HALF = (f"now need not be a whole number: {TOLERANCE_SECONDS}.5 s is more than {TOLERANCE_SECONDS} s, so it is "
         "refused; do not round now to whole seconds")
_MILLIS = ("webhook-timestamp is whole seconds since the epoch; a timestamp in milliseconds is about 1,700 years in "
           "the future, so it is refused, not divided by 1000")
_SEVERAL = ("webhook-signature may hold several space-separated signatures (a sender rotating its secret signs with "
            "both): accept if any one of them matches, wherever it is in the list")
_VERSIONS = ("only 'v1,' signatures are HMAC-SHA256; ignore any other version ('v1a' is ed25519) and look at the "
             "rest of the list")
_NOT_V1 = ("only a signature labelled 'v1,' is checked as HMAC-SHA256: the same bytes labelled 'v2,' or "
           "'v1a,' are not a v1 signature, so nothing matches")
_COVERS = "the signature covers webhook-id, webhook-timestamp and the body: change any of them and it must fail"
_RAW_KEY = ("the HMAC key is the secret's bytes, base64-decoded from what follows 'whsec_'; a signature keyed with "
            "the secret's text is a forgery")
_MISSING = "webhook-id, webhook-timestamp and webhook-signature are all required: without one, refuse"
_PREFIX = ("the key is the base64 after the six characters 'whsec_' (secret.removeprefix('whsec_') or secret[6:]); "
           "secret.lstrip('whsec_') strips any of the characters w, h, s, e, c and _, so it also eats the first "
           "letter of this secret's base64")


def _webhook_cases(seed: int = 7) -> list[WebhookCase]:
    """Many requests, simplest first: authentic ones at the edges of the tolerance, then each way to be wrong."""
    rng, cases = random.Random(seed), []
    for size in (24, 32, 64, 32):  # one secret's cases, then the next's: the simplest come first
        raw = rng.randbytes(size)
        secret = "whsec_" + base64.b64encode(raw).decode()
        msg_id, body = f"msg_{rng.getrandbits(40):010x}", ('{"type":"message.created","data":{"content":'
                                                           f'"pay Bob {rng.randrange(1, 1000)} \u20ac"}}}}').encode()
        ts = WEBHOOK_NOW - rng.randrange(0, 60)
        good = _sign(raw, msg_id, ts, body)

        def case(what, rule, *, sig=good, now=ts, stamp=ts, wid=msg_id, data=body, drop=None):
            headers = {"webhook-id": wid, "webhook-timestamp": str(stamp), "webhook-signature": sig}
            headers.pop(drop, None)
            return WebhookCase(what, rule, secret, headers, data, now)
        other = _sign(rng.randbytes(32), msg_id, ts, body)
        cases += [
            case("an authentic webhook, just sent", _AUTHENTIC),
            case("an authentic webhook, 299 s old", _FRESH, now=ts + 299),
            case(f"an authentic webhook, exactly {TOLERANCE_SECONDS} s old", _FRESH, now=ts + TOLERANCE_SECONDS),
            case("an authentic webhook dated 120 s ahead of now (the sender's clock is fast)", _FRESH, now=ts - 120),
            case(f"an authentic webhook dated exactly {TOLERANCE_SECONDS} s ahead of now", _FRESH,
                 now=ts - TOLERANCE_SECONDS),
            case("an authentic webhook, 301 s old", _OLD, now=ts + 301),
            case("an authentic webhook replayed an hour later", _OLD, now=ts + 3600),
            case("an authentic webhook dated 301 s ahead of now", _NEW, now=ts - 301),
            case("an authentic webhook dated a day ahead of now", _NEW, now=ts - 86_400),
            case("an authentic webhook, 300.5 s old", _HALF, now=ts + 300.5),
            case("an authentic webhook dated 300.5 s ahead of now", _HALF, now=ts - 300.5),
            case("an authentic webhook with its timestamp in milliseconds, signed as sent", _MILLIS,
                 stamp=ts * 1000, sig=_sign(raw, msg_id, ts * 1000, body)),
            case("two signatures: an old secret's first, then the right one", _SEVERAL, sig=f"{other} {good}"),
            case("two signatures: the right one first", _SEVERAL, sig=f"{good} {other}"),
            case("a v1a (ed25519) signature first, then the right v1 one", _VERSIONS,
                 sig=f"v1a,{base64.b64encode(rng.randbytes(64)).decode()} {good}"),
            case("the right signature's bytes, labelled v2", _NOT_V1, sig="v2," + good[3:]),
            case("the right signature's bytes, labelled v1a", _NOT_V1, sig="v1a," + good[3:]),
            case("a signature keyed with the secret's text, not its decoded bytes", _RAW_KEY,
                 sig=_sign(secret.encode(), msg_id, ts, body)),
            case("a signature keyed with the secret's text without 'whsec_'", _RAW_KEY,
                 sig=_sign(secret.removeprefix("whsec_").encode(), msg_id, ts, body)),
            case("the body changed by one byte", _COVERS, data=body.replace(b"pay", b"Pay")),
            case("webhook-id changed", _COVERS, wid=msg_id + "x"),
            case("webhook-timestamp moved 1 s on (still fresh)", _COVERS, stamp=ts + 1),
            case("signed by another secret", _COVERS, sig=other),
            case("no webhook-signature header", _MISSING, drop="webhook-signature"),
            case("no webhook-timestamp header", _MISSING, drop="webhook-timestamp"),
        ]
    for first in "whsec":  # secrets whose base64 begins with a letter of 'whsec_': secret.lstrip("whsec_") eats it
        raw = next(b for b in iter(lambda: rng.randbytes(32), None) if base64.b64encode(b).decode()[0] == first)
        secret, msg_id, ts = "whsec_" + base64.b64encode(raw).decode(), f"msg_{rng.getrandbits(40):010x}", WEBHOOK_NOW
        body = b'{"type":"report.ready","data":{"reportId":"rep_1"}}'
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": _sign(raw, msg_id, ts, body)}
        cases.append(WebhookCase(f"an authentic webhook whose secret is {secret[:8]}...", _PREFIX, secret, headers,
                                 body, ts))
    return cases


def _frozen_datetime(now: float) -> type:
    """``datetime`` whose ``now()`` is ``now``: the reference library reads the real clock, the cases fix it."""
    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromtimestamp(now, tz)
    return Frozen


def _library_accepts(case: WebhookCase) -> bool:
    """The ``standardwebhooks`` library's verdict on ``case``, at the case's ``now``."""
    with mock.patch.object(standard_webhooks, "datetime", _frozen_datetime(case.now)):
        try:
            standard_webhooks.Webhook(case.secret).verify(case.body, dict(case.headers), json_parse=False)
        except Exception:  # noqa: BLE001 - the library raises ValueError too on a malformed list; all are refusals
            return False
    return True


def _accepts(verify: Callable, case: WebhookCase) -> tuple[bool, str]:
    """(accepted?, what it did): a truthy return accepts; False, None or an exception refuses."""
    got, error = call(verify, case.secret, dict(case.headers), case.body, case.now)
    return (False, f"raised {error}") if error else (bool(got), f"returned {got!r}")


def _age(case: WebhookCase) -> str:
    """How far the case's timestamp is from its ``now``, in words: ', 301 s before now'."""
    stamp = case.headers.get("webhook-timestamp")
    if stamp is None:
        return ""
    offset = case.now - int(stamp)
    return ", the timestamp is " + (f"{offset} s before now" if offset > 0 else f"{-offset} s after now" if offset
                                    else "exactly now")


def _resigned(case: WebhookCase, stamp: int, now: int) -> WebhookCase:
    """``case`` signed afresh with ``stamp`` as its webhook-timestamp and judged at ``now``."""
    raw, msg_id = base64.b64decode(case.secret.removeprefix("whsec_")), case.headers["webhook-id"]
    headers = {**case.headers, "webhook-timestamp": str(stamp), "webhook-signature": _sign(raw, msg_id, stamp, case.body)}
    return WebhookCase(case.what, case.rule, case.secret, headers, case.body, now)


def _clock_mistake(verify: Callable, case: WebhookCase) -> str:
    """Why ``verify`` refused an authentic ``case``, if the clock is to blame (the real clock, milliseconds); else ''."""
    if "webhook-timestamp" not in case.headers or "webhook-signature" not in case.headers:
        return ""
    if _accepts(verify, _resigned(case, int(time.time()), case.now))[0]:
        return ("It is the clock, not the HMAC: your verify accepts the same webhook dated by your computer's clock, so "
                "it reads the real time (time.time(), datetime.now()) instead of its argument `now`. Compare the "
                "timestamp with `now`: the cases are dated 2026-03-12.")
    if _accepts(verify, _resigned(case, int(case.now * 1000), case.now))[0]:
        return ("It is the clock, not the HMAC: your verify accepts the same webhook with its timestamp in "
                "milliseconds, so it reads webhook-timestamp as milliseconds. It is whole seconds since the epoch, "
                "as `now` is (Standard Webhooks).")
    return ""


@never_raises
def check_webhook_verify(verify: Any) -> Feedback:
    """Exercise 6: a function verify(secret, headers, body, now) -> True for an authentic, fresh webhook, else False."""
    problem = own_function(verify, "a function verify(secret, headers, body, now)")
    if problem is not None:
        return problem
    if (name := borrowed(verify, ("apidesign", "standardwebhooks", "svix"))) is not None:
        return failed(f"your function uses {name}, a webhook library; the exercise is to verify the signature "
                      "yourself with hmac, hashlib and base64.")
    cases = _webhook_cases()
    for case in cases:
        want = _library_accepts(case)
        got, did = _accepts(verify, case)
        if got != want:
            verdict = "accepts it" if want else "refuses it"
            rule = (_clock_mistake(verify, case) if want else "") or f"The rule: {case.rule}."
            return failed(f"{case.what}: your verify {did}; the standardwebhooks library {verdict}. {rule} "
                          f"(headers={case.headers!r}, now={case.now}{_age(case)})")
    forged = next(c for c in cases if c.what == "signed by another secret")
    if not _compares_received(verify, forged):
        return failed(f"all {len(cases)} requests judged as the library does, but your code never passes the "
                      "received signature to hmac.compare_digest. '==' stops at the first differing byte, so its "
                      "timing tells an attacker how much of a forged signature is right. No check can time a "
                      "comparison, so this one watches what your code hands to compare_digest.")
    return passed(f"all {len(cases)} requests judged as the standardwebhooks library does: the HMAC of "
                  "id.timestamp.body under the decoded secret, any one of several v1 signatures, other versions "
                  "ignored, 5 minutes either way, and the received signature handed to hmac.compare_digest.")


class _Cell(dict):
    """A closure cell, set like a dict entry: ``_Cell(cell)[0] = value``."""

    def __init__(self, cell):
        super().__init__()
        self.cell = cell

    def __setitem__(self, key, value):
        self.cell.cell_contents = value


def _bindings_of(target: object, function: Callable, depth: int = 3) -> list[tuple[Any, Any]]:
    """Where ``function`` and the functions it closes over hold ``target``: (globals dict, name) or (cell, 0)."""
    found, seen, todo = [], set(), [(function, depth)]
    while todo:
        f, d = todo.pop()
        if id(f) in seen or not callable(f) or d < 0:
            continue
        seen.add(id(f))
        g = getattr(f, "__globals__", None)
        if isinstance(g, dict) and id(g) not in seen:
            seen.add(id(g))
            found += [(g, k) for k, v in list(g.items()) if v is target]
        for cell in getattr(f, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if value is target:
                found.append((_Cell(cell), 0))
            elif callable(value):
                todo.append((value, d - 1))
    return found


def _compares_received(verify: Callable, case: WebhookCase) -> bool:
    """Does ``verify`` pass the received signature (in any form) to ``hmac.compare_digest`` on ``case``?

    The spy replaces ``hmac.compare_digest``, ``secrets.compare_digest`` and any global of ``verify`` bound to it
    (``from hmac import compare_digest as cd``) for the one call, and records the arguments.
    """
    real, calls = hmac.compare_digest, []

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)
    aliases = _bindings_of(real, verify)
    try:
        for holder, key in aliases:
            holder[key] = spy
        with mock.patch.object(hmac, "compare_digest", spy), mock.patch.object(secrets, "compare_digest", spy):
            call(verify, case.secret, dict(case.headers), case.body, case.now)
    finally:
        for holder, key in aliases:
            holder[key] = real
    received = set()
    for sig in case.headers["webhook-signature"].split():
        received |= {sig, sig[3:], sig.encode(), sig[3:].encode(), base64.b64decode(sig[3:])}
    return any(arg in received for pair in calls for arg in pair if isinstance(arg, (str, bytes)))


# Exercise 7 (design it): work that takes minutes, and telling the client when it is done.
# Each decision is judged on its substance, as the capstone's are (capstone.Judge): a note that names the
# mechanism only to reject it ("never need to poll", "instead of an HMAC signature", "not retried") does not count.
ASYNC = re.compile(r"\b202\b|\bpoll\w*|\boperations?\b|long[- ]running|\basynchronous\w*", re.I)
STARTING = re.compile(r"\bPOST\b|\bstart\w*|\bask\w*|\brequest\w*|\bcreat\w*|\bbuild(?:s|ing)?\b", re.I)
ABOUT_WEBHOOKS = re.compile(r"webhook|deliver|callback|\bevents?\b|receiv|\bsend|\bsent\b|endpoint|notif", re.I)
SYNC = re.compile(r"\b20[01]\b|\bsynchronous\w*|\bblock\w*|\bwaits? (?:for|until)\b|"
                  r"(?:once|when|until) (?:it|the report) is (?:built|ready|done|finished)", re.I)
SIGNED = re.compile(r"\bsign(?:s|ed|ing|ature|atures)?\b|\bhmac\b|\bed25519\b", re.I)
UNSIGNED = re.compile(r"\bapi[- ]?keys?\b|\bbearer\b|\bbasic auth\w*|\bpassword\b|\bip (?:allow|white)[- ]?list\w*|"
                      r"\b(?:key|token|secret) in (?:a|the|an) (?:[\w-]+ )?header\b", re.I)
RETRIED = re.compile(r"\bretr(?:y|ies|ied|ying)\b(?!-after)|\bredeliver\w*|\bre-?sen[dt]\w*|\bback ?off\b", re.I)
REPEATS = re.compile(r"dedup\w*|de-duplicat\w*|duplicat\w*|webhook-id|\b(?:event|message|delivery) ids?\b|"
                     r"idempoten\w*|\bat[- ]least[- ]once\b|\btwice\b|\brepeat\w*", re.I)


def _chosen(pattern: re.Pattern, notes: list[str], strict: bool = False) -> list[str]:
    """The notes that name ``pattern`` as chosen, not only as rejected; ``strict``: and never reject it, since
    "an API key instead of an HMAC signature, because signing is work" rejects signing whatever it says later."""
    return [n for n in notes if named(pattern, n) and not (strict and _rejection(pattern, [n]))]


def _rejection(pattern: re.Pattern, notes: list[str]) -> str:
    """The first words of a note that reject ``pattern`` ("not retried", "instead of an HMAC"), or ''."""
    for note in notes:
        for m in pattern.finditer(note):
            if (no := NEGATION.search(note[:m.start()])) is not None:
                return note[no.start():m.end()].strip()
    return ""


def _around(m: re.Match) -> str:
    """The words around a match, to quote it: '... answers 200 with the finished report'."""
    before = re.search(r"(?:\S+\s+){0,2}$", m.string[:m.start()]).group(0)
    after = re.match(r"\S*(?:\s+\S+){0,4}", m.string[m.end():]).group(0)
    return (before + m.group(0) + after).strip(" ,;.")


def _reasoned(notes: list[str]) -> bool:
    return any(REASON.search(n) and len(n.split()) >= MIN_NOTE_WORDS for n in notes)


def _missing(topic: str, hint: str) -> str:
    return (f"the notes do not decide {topic} with a reason: {hint} Write it as one note of at least "
            f"{MIN_NOTE_WORDS} words with a 'because' or 'so that'")


def report_waiting(notes: list[str]) -> str | None:
    """Starting a report answers 202 and the client polls (or is told); it never waits for the build."""
    starting = [n for n in notes if STARTING.search(n) and not re.search(r"webhook|subscri", n, re.I)]
    waits = next((m for n in starting if not _chosen(ASYNC, [n]) for m in [named(SYNC, n)] if m), None)
    chosen = _chosen(ASYNC, notes)
    if chosen and not waits:
        return None if _reasoned(chosen) else _missing(
            "how a long-running report is started and awaited", "what starting a report answers (202 Accepted and "
            "where to poll) and how often to poll.")
    if waits:
        return (f"starting a report waits for the build ('{_around(waits)}'): a build takes minutes, longer than a "
                "client, a proxy or a load balancer should hold a request open. Answer 202 Accepted at once, with "
                "Location: where to poll (RFC 9110, section 15.3.3), and say how often to poll (Retry-After)")
    return _missing("how a long-running report is started and awaited", "what starting a report answers (202 "
                    "Accepted and where to poll) and how often to poll.")


def webhook_authenticity(notes: list[str]) -> str | None:
    """Each delivery is signed (an HMAC over id, timestamp and body), not authenticated by a key sent along."""
    chosen = _chosen(SIGNED, notes, strict=True)
    if chosen:
        return None if _reasoned(chosen) else _missing(
            "how webhooks are authenticated", "how the receiver knows a webhook came from you, unchanged and "
            "recently.")
    about = [n for n in notes if ABOUT_WEBHOOKS.search(n)]
    weak, rejected = next((m for n in about for m in [named(UNSIGNED, n)] if m), None), _rejection(SIGNED, about)
    if weak or rejected:
        how = f"with '{weak.group(0)}'" if weak else f"without a signature ('{rejected}')"
        return (f"webhooks are authenticated {how}: a key sent along proves nothing about the body or when it was "
                "sent, so one captured delivery (a log, a proxy) can be altered and replayed, and the key then forges "
                "any event. Sign every delivery: HMAC-SHA256 over webhook-id, webhook-timestamp and the body, with "
                "a per-endpoint secret (Standard Webhooks)")
    return _missing("how webhooks are authenticated", "how the receiver knows a webhook came from you, unchanged and "
                    "recently.")


def delivery_failures(notes: list[str]) -> str | None:
    """A failed delivery is retried with backoff, and the receiver deduplicates what retries repeat."""
    about = [n for n in notes if ABOUT_WEBHOOKS.search(n)]
    retried, repeats = _chosen(RETRIED, about, strict=True), _chosen(REPEATS, about)
    if not retried:
        rejected = _rejection(RETRIED, about)
        if rejected:
            return (f"failed deliveries are not retried ('{rejected}'): a receiver that is down "
                    "for a minute (a deploy, a restart) loses the event for good. Retry with exponential backoff and "
                    "jitter (Standard Webhooks recommends a schedule spanning multiple days), and say how the "
                    "receiver handles the repeats that retries bring (deduplicate by webhook-id)")
        return _missing("failed and repeated deliveries", "what the sender does when the receiver is down, and what "
                        "the receiver does with a delivery it gets twice.")
    if not repeats:
        return ("retries deliver some events twice (a 2xx lost on its way back is retried): say what the receiver "
                "does with a repeat, e.g. deduplicate by webhook-id, because delivery is at least once")
    return None if _reasoned(retried + repeats) else _missing(
        "failed and repeated deliveries", "what the sender does when the receiver is down, and what the receiver "
        "does with a delivery it gets twice.")


REPORTS = Brief(
    "reports",
    "A reporting API: a customer asks for a monthly report of their account, which takes minutes to build; checks "
    "on it; downloads it when it is ready; and can register a URL to be told when reports are ready. The check "
    "wants: (1) no reviewer errors or warnings; (2) an endpoint for each flow: start a report (a POST), check on it "
    "(a GET on the report or on an operation), register a webhook URL (a POST to a collection of endpoints or "
    "subscriptions); (3) three notes, each with its reason ('..., because ...'): what starting a report answers "
    "and how the client waits (202, an operation, polling with Retry-After); how a receiver knows a webhook is "
    "genuine (a signature); and what happens when a delivery fails or arrives twice (retries, deduplication).",
    flows=(Flow("start a report", ("POST",), r"/[\w-]*(reports?|exports?|jobs?)(:\w+)?$|/reports?/\{\}:\w+$",
                expect="a POST to a collection whose name says report, export or job, e.g. POST /v1/reports"),
           Flow("check on a report", ("GET",),
                r"/[\w-]*(operations?|jobs?|reports?|exports?)/\{\}(/(status|state|progress|operation))?$",
                expect="a GET on one report, job or operation (or its /status), e.g. GET /v1/reports/{reportId}"),
           Flow("register a webhook URL", ("POST",), r"/[\w-]*(hooks?|subscriptions?|callbacks?|notifications?|"
                r"endpoints?)$", expect="a POST to a collection whose name says webhook, hook, subscription, callback, "
                "notification or endpoint, e.g. POST /v1/webhook-endpoints")),
    decisions=(report_waiting, webhook_authenticity, delivery_failures))


def check_reports_design(answer: Any) -> Feedback:
    """Exercise 7: a markdown design (table + notes) for the reports brief (exercises.REPORTS.prompt)."""
    if unanswered(answer):
        return NOT_ANSWERED
    return never_raises(check_brief)(answer, REPORTS)
