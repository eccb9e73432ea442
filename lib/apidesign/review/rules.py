"""The reviewer's rules: one small function per checklist item or common mistake.

Each rule looks at a ``Design`` and yields ``Finding``s. ``RULES`` lists them with
their id, default severity and the checklist item they check (``data/checklist.json``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

from . import vocabulary as v
from .design import Design, Endpoint, Note, is_param
from .findings import Finding

MAX_CORE_ENDPOINTS = 6  # the syllabus: "Define 3-5 key REST endpoints"; one spare for a detail view


@dataclass(frozen=True)
class Rule:
    """A named check: ``check(design)`` yields findings with this rule's id and severity."""

    id: str
    severity: str
    checklist: str
    check: Callable[[Design], Iterator[tuple]]

    def __call__(self, design: Design) -> list[Finding]:
        return [self.finding(*found) for found in self.check(design)]

    def finding(self, where: Endpoint | Note | None, reason: str, fix: str, severity: str | None = None) -> Finding:
        line = "" if where is None else where.line if isinstance(where, Endpoint) else where.text
        return Finding(self.id, severity or self.severity, line, reason, fix, where.lineno if where else None)


# --- words in a path -------------------------------------------------------------------------

def words(segment: str) -> list[str]:
    """``sendMessage`` / ``send-message`` / ``send_message`` -> ``['send', 'message']``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", segment)
    return [w.lower() for w in re.split(r"[\s_\-.]+", spaced) if w]


def resource_part(segment: str) -> str:
    """The segment without a custom-method suffix (Google AIP-136): ``messages:batchCreate`` -> ``messages``."""
    return segment.split(":", 1)[0]


def is_plural(segment: str, singletons: bool = True) -> bool:
    """True if the last word of a segment reads as a plural noun (or, if allowed, a known singleton)."""
    segment = resource_part(segment)
    last = words(segment)[-1] if words(segment) else segment
    return (last in v.IRREGULAR_PLURALS or (singletons and last in v.SINGLETONS)
            or (last.endswith("s") and not last.endswith(("ss", "us"))))


def is_version(segment: str) -> bool:
    return bool(re.fullmatch(r"v\d+(\.\d+)?", segment, re.I))


def nouns(ep: Endpoint) -> list[str]:
    """The non-parameter, non-version segments of a path."""
    return [s for s in ep.segments if not is_param(s) and not is_version(s)]


def verb_of(segment: str) -> str | None:
    """The verb a segment starts with (``sendMessage`` -> ``send``), or None for a noun."""
    w = words(resource_part(segment))
    return w[0] if w and w[0] in v.VERBS else None


def is_action(ep: Endpoint) -> bool:
    """The syllabus's rare exception: ``POST /messages/{id}/translate``, one verb after a resource ID."""
    s = ep.segments
    return (ep.method == "POST" and len(s) >= 2 and is_param(s[-2]) and len(words(s[-1])) == 1
            and verb_of(s[-1]) is not None)


def last_segment(ep: Endpoint) -> str:
    return ep.segments[-1] if ep.segments else ""


def is_list(ep: Endpoint) -> bool:
    """A GET that returns a collection: its path ends in a plural noun or a feed-like singleton."""
    last = last_segment(ep)
    if ep.method != "GET" or not last or is_param(last) or is_version(last) or verb_of(last):
        return False
    if v.STREAMING.search(ep.text):
        return False
    word = words(resource_part(last))[-1]
    return word in v.LIST_SINGLETONS or (word not in v.SINGLETONS and is_plural(last))


def singular(noun: str) -> str:
    """``messages`` -> ``message``, ``replies`` -> ``reply`` (good enough for matching notes)."""
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


# --- the rules -------------------------------------------------------------------------------

def verb_in_path(design: Design):
    """Resources are nouns: the method already carries the verb (``POST /sendMessage``)."""
    for ep in design.endpoints:
        if is_action(ep):
            continue
        for seg in nouns(ep):
            verb = verb_of(seg)
            if verb:
                yield (ep, f"'{seg}' is an action, but the HTTP method already says what happens.",
                       f"Name the resource and let the method carry the verb, e.g. "
                       f"`{v.VERB_METHOD[verb]} {without_verb(ep, seg)}`.")
                break


def without_verb(ep: Endpoint, seg: str) -> str:
    """The path once the method carries the verb: ``/sendMessage`` -> ``/messages``,
    ``/messages/{id}/markRead`` -> ``/messages/{id}`` (PATCH), ``/orders/{id}/cancel`` kept (an action, POST)."""
    verb, rest = verb_of(seg), "-".join(words(resource_part(seg))[1:])
    s = list(ep.segments)
    i = s.index(seg)
    on_item = i > 0 and is_param(s[i - 1])
    if on_item and v.VERB_METHOD[verb] == "POST" and not rest:
        return ep.route  # the syllabus's action sub-resource
    if on_item and v.VERB_METHOD[verb] in ("PATCH", "PUT", "DELETE"):
        rest = ""  # the method acts on the item itself
    item_verb = v.VERB_METHOD[verb] in ("PATCH", "PUT", "DELETE")  # these act on one item: /messages/{id}
    s[i:i + 1] = ([plural(rest)] + (["{id}"] if item_verb and not on_item else [])) if rest else []
    return "/" + "/".join(s or ["resources"])


def plural(noun: str) -> str:
    return noun if noun.endswith("s") else noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def singular_collection(design: Design):
    """Collections are plural: ``/users/{id}``, not ``/user/{id}``."""
    for ep in design.endpoints:
        s = ep.segments
        for i, seg in enumerate(s):
            if is_param(seg) or is_version(seg) or verb_of(seg):
                continue
            before_id = i + 1 < len(s) and is_param(s[i + 1])  # /user/{id}: always a collection
            created_in = i == len(s) - 1 and ep.method == "POST"  # POST /post, unless a singleton
            if (before_id and not is_plural(seg, singletons=False)) or (created_in and not is_plural(seg)):
                yield (ep, f"'{seg}' names a collection but is singular.",
                       f"Use the plural, `{plural(seg)}`, for every path into that collection.")
                break


def list_without_pagination(design: Design):
    """Any endpoint that returns a list needs pagination."""
    covered = any(v.ALL_LISTS_PAGINATED.search(n.text) for n in design.notes)
    for ep in design.endpoints:
        if is_list(ep) and not covered and not v.PAGINATION.search(ep.text):
            yield (ep, "This endpoint returns a list but says nothing about pagination.",
                   "Add `?cursor=...&limit=...` and return the next cursor in `meta`.")


def offset_pagination_on_feed(design: Design):
    """Feeds, timelines and histories change while you page: offsets drift, cursors do not."""
    for ep in design.endpoints:
        if is_list(ep) and v.OFFSET_STYLE.search(ep.text) and v.FEED_LIKE.search(ep.text):
            yield (ep, "Offset pagination on a feed skips or repeats items when new ones arrive between pages.",
                   "Use an opaque cursor (the last item's position) instead of an offset or page number.")


def post_without_idempotency_key(design: Design):
    """A retried POST creates a second resource unless it carries an ``Idempotency-Key``."""
    for ep in design.endpoints:
        if needs_idempotency(ep) and not idempotency_covered(ep, design):
            harmful = v.HARMFUL_DUPLICATES.search(ep.text)
            yield (ep, "A client that retries this POST after a timeout creates a duplicate"
                       + (f" {harmful.group(0).lower()}." if harmful else "."),
                   "Accept an `Idempotency-Key` header and replay the stored response for a repeated key.",
                   "error" if harmful else None)


def needs_idempotency(ep: Endpoint) -> bool:
    """A creating POST (not a login, not a harmless action like ``translate``)."""
    last = last_segment(ep)
    if ep.method != "POST" or words(last)[-1:] and words(last)[-1] in v.AUTH_SEGMENTS:
        return False
    return not is_action(ep) or bool(v.HARMFUL_DUPLICATES.search(last))


def idempotency_covered(ep: Endpoint, design: Design) -> bool:
    """The row mentions idempotency, or a note does for all POSTs or for this resource."""
    if v.IDEMPOTENCY.search(ep.text):
        return True
    subjects = {singular(w) for seg in nouns(ep) for w in words(seg)} | {ep.route}
    for note in design.notes:
        if v.IDEMPOTENCY.search(note.text):
            text = note.text.lower()
            if v.IDEMPOTENCY_FOR_ALL.search(text) or any(s in text for s in subjects):
                return True
    return False


def no_authentication(design: Design):
    """Every API needs a stated auth strategy: it takes ten seconds."""
    text = re.sub(r"token[- ]bucket", "", design.notes_text + "\n" + "\n".join(e.text for e in design.endpoints),
                  flags=re.I)
    if not v.AUTHENTICATION.search(text):
        yield (None, "The design never says how a caller proves who they are.",
               "State it: e.g. a Bearer JWT for users (short-lived, with refresh) and API keys for services.")


def no_rate_limiting(design: Design):
    """Rate limiting protects the system; say which algorithm and where it runs."""
    if not v.RATE_LIMITING.search(design.notes_text):
        yield (None, "The design does not say how it limits abusive or runaway clients.",
               "State it: e.g. a token bucket per user at the gateway, in Redis, answering 429 with Retry-After.")


def protocol_without_justification(design: Design):
    """Don't just name a protocol: say why it fits."""
    for note in design.notes:
        named = v.PROTOCOLS.search(note.text)
        if named and not v.JUSTIFICATION.search(note.text):
            yield (note, f"{named.group(0)} is named without saying why it fits this problem.",
                   "Add the reason: what it gives this design (server push, streaming, latency) that REST does not.")


def no_protocol_stated(design: Design):
    """Step 3 starts with the transport: REST over HTTP, plus push if the product needs it."""
    if not v.ANY_TRANSPORT.search(design.notes_text):
        yield (None, "The notes never name the transport.",
               "Say what carries the API (e.g. REST over HTTP/2) and whether clients need server push.")


def too_many_endpoints(design: Design):
    """Focus on the core flows; more endpoints can come when the interviewer asks."""
    eps = design.endpoints
    if len(eps) > MAX_CORE_ENDPOINTS:
        yield (eps[MAX_CORE_ENDPOINTS], f"{len(eps)} endpoints: the core flows need 3-5, and past "
                                         f"{MAX_CORE_ENDPOINTS} the interview loses its thread.",
               "Keep the endpoints of the 3-5 core flows; offer the rest if asked.")


def missing_error_cases(design: Design):
    """Mention what happens when the resource is missing (404), forbidden (403) or the input is bad (400)."""
    text = design.notes_text + "\n" + "\n".join(e.description for e in design.endpoints)
    missing = [code for code, pattern in v.ERROR_CASES.items() if not pattern.search(text)]
    if missing:
        yield (None, f"The design never says what happens on {', '.join(missing)}.",
               "Add one note on the obvious failures: 404 unknown resource, 403 not allowed, 400 invalid input.")


def get_changes_state(design: Design):
    """GET is safe: crawlers, prefetchers and retries call it freely (RFC 9110 section 9.2.1)."""
    for ep in design.endpoints:
        if ep.method != "GET":
            continue
        # Descriptions lead with their verb ("Delete a message"); later words are often nouns ("a status update").
        said = [w for w in words(ep.description)[:1] + [w for s in nouns(ep) for w in words(s)[:1]]
                if w in v.STATE_CHANGING]
        if said:
            yield (ep, f"A GET that would '{said[0]}' changes state, but GET must be safe to repeat and prefetch.",
                   "Use POST (create or action), PATCH (change) or DELETE (remove) for this operation.")


def put_as_partial_update(design: Design):
    """PUT replaces the whole resource; a partial change is PATCH (RFC 9110 section 9.3.4, RFC 5789)."""
    for ep in design.endpoints:
        if ep.method == "PUT" and is_param(last_segment(ep)) and v.PARTIAL_UPDATE.search(ep.description):
            yield (ep, "This PUT changes part of the resource, but PUT means 'replace it with this body'.",
                   "Use PATCH for a partial update, or PUT the complete representation.")


RULES: tuple[Rule, ...] = (
    Rule("verb-in-path", "error", "endpoints", verb_in_path),
    Rule("singular-collection", "warning", "endpoints", singular_collection),
    Rule("get-changes-state", "error", "endpoints", get_changes_state),
    Rule("put-as-partial-update", "error", "endpoints", put_as_partial_update),
    Rule("too-many-endpoints", "warning", "endpoints", too_many_endpoints),
    Rule("list-without-pagination", "error", "pagination", list_without_pagination),
    Rule("offset-pagination-on-feed", "warning", "pagination", offset_pagination_on_feed),
    Rule("post-without-idempotency-key", "warning", "idempotency", post_without_idempotency_key),
    Rule("no-authentication", "error", "authentication", no_authentication),
    Rule("no-rate-limiting", "warning", "rate-limiting", no_rate_limiting),
    Rule("protocol-without-justification", "warning", "protocol", protocol_without_justification),
    Rule("no-protocol-stated", "info", "protocol", no_protocol_stated),
    Rule("missing-error-cases", "warning", "errors", missing_error_cases),
)
RULE_IDS = tuple(r.id for r in RULES)
