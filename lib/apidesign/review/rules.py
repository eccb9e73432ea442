"""The reviewer's rules: one small function per checklist item or common mistake.

Each rule looks at a ``Design`` and yields ``Finding``s. ``RULES`` lists them with
their id, default severity and the checklist item they check (``data/checklist.json``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

from . import language as lang
from . import vocabulary as v
from .design import Design, Endpoint, Note, is_param
from .findings import Finding
from .flows import graphql_writes, missing_core_flow

# The syllabus asks for 3-5 key endpoints; the warning waits for a seventh row, because one flow may need two
# calls (an upload is started and then completed) or a detail view next to its list.
MAX_CORE_ENDPOINTS = 6


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
    """``sendMessage`` / ``send-message`` / ``sendmessage`` -> ``['send', 'message']``."""
    return lang.split_words(segment)


def resource_part(segment: str) -> str:
    """The segment without a custom-method suffix (Google AIP-136): ``messages:batchCreate`` -> ``messages``."""
    return segment.split(":", 1)[0]


def custom_method(segment: str) -> str:
    """The custom method after the colon (Google AIP-136): ``orders:cancel``... -> ``cancel``; '' if none."""
    return segment.split(":", 1)[1] if ":" in segment else ""


def head(segment: str) -> str:
    """The word a segment is about: its last word (``liked-tracks`` -> ``tracks``)."""
    w = words(resource_part(segment))
    return w[-1] if w else resource_part(segment).lower()


def is_plural(segment: str, singletons: bool = True) -> bool:
    """True if a segment names a plural (``settings``, ``replies``, ``data``) or, if allowed, a known singleton."""
    word = head(segment)
    return lang.is_plural(word) or (singletons and word in v.SINGLETONS)


def is_version(segment: str) -> bool:
    return bool(re.fullmatch(r"v\d+(\.\d+)?", segment, re.I))


def is_id(segment: str) -> bool:
    """A segment that stands for one item: a parameter, or ``me`` (the caller)."""
    return is_param(segment) or segment.lower() in ("me", "self")


def nouns(ep: Endpoint) -> list[str]:
    """The non-parameter, non-version segments of a path."""
    return [s for s in ep.segments if not is_param(s) and not is_version(s)]


def verb_of(segment: str, description: str = "") -> str | None:
    """The verb a segment starts with (``sendMessage`` -> ``send``, ``subscribe``), or None for a noun.

    A phrase (``placeOrder``) starts with a verb if its first word is only a verb or is one of the
    API's action verbs; a single word that is also a noun (``refund``, ``broadcast``) is a verb only
    when the row's description commands it ("Refund the order").
    """
    w = words(resource_part(segment))
    if w in ([a] for a in LONE_ACTIONS):  # POST /register, GET /unsubscribe: in a path these are never things
        return w[0]
    if not w or not lang.is_base_verb(w[0]):
        return None
    if len(w) > 1:
        return w[0] if lang.is_verb_only(w[0]) or w[0] in v.VERBS else None
    if lang.used_as_noun(w[0], description):
        return None
    return w[0] if lang.is_verb_only(w[0]) or lang.imperative(description) == w[0] else None


LONE_ACTIONS = frozenset({"register", "subscribe", "unsubscribe", "retry", "unfollow", "unlike"})


def is_action(ep: Endpoint) -> bool:
    """One verb acting on one resource: the syllabus's ``POST /messages/{id}/translate``, or a custom method
    in Google AIP-136's colon form, ``POST /orders/{id}:cancel``."""
    s = ep.segments
    if ep.method != "POST" or not s:
        return False
    if custom_method(s[-1]):
        return True
    return len(s) >= 2 and is_id(s[-2]) and len(words(s[-1])) == 1 and verb_of(s[-1], ep.description) is not None


def last_segment(ep: Endpoint) -> str:
    return ep.segments[-1] if ep.segments else ""


def operation_verb(ep: Endpoint) -> str | None:
    """What the row does, in one verb: the path's verb (``/cancel``, ``getProducts``) or the description's."""
    path_verbs = [verb_of(s, ep.description) or custom_method(s) for s in nouns(ep)]
    return next((pv for pv in reversed(path_verbs) if pv), None) or lang.imperative(ep.description)


def is_list(ep: Endpoint) -> bool:
    """A GET that returns a collection: its path names a plural, or it asks for "all" of something."""
    last = last_segment(ep)
    if ep.method != "GET" or not last or is_version(last) or v.STREAMING.search(ep.text):
        return False
    verb = verb_of(last, ep.description)
    if is_id(last) or (verb and verb in v.SAFE_VERBS):  # /notifications/{userId}, /getProducts
        if is_id(last) and names_one(ep.description):
            return carries_growing_list(ep.description)  # /menus/{id} "The menu with every dish": one menu
        return says_many(ep.description) or (verb is not None and lang.is_plural(head(last)))
    if verb or head(last) in v.MASS_NOUNS:
        return False
    if not lang.is_noun(head(last)):  # /saved, /trending: the description names what is listed
        return lang.is_plural(description_head(ep.description))
    if names_one(ep.description):
        return False
    return head(last) in v.LIST_SINGLETONS or (head(last) not in v.SINGLETONS and is_plural(last))


def says_many(description: str) -> bool:
    """The description asks for many: "Get all notifications", "List the channels", "Every open ticket"."""
    return bool(re.search(r"\b(all|every)\b|^(list|browse)\b", description.strip(), re.I))


def description_head(description: str) -> str:
    """The noun a description is about: "Saved articles, newest first" -> ``articles``,
    "The firmware update available for this device" -> ``update``."""
    words = re.findall(r"[a-z]+", re.split(r"[,:;(]", description.lower())[0])
    while words and words[0] in lang.DETERMINERS:
        words.pop(0)
    found = ""
    for word in words:
        if word in lang.DETERMINERS or word in ("of", "at", "by", "per", "near", "and", "or", "after", "before"):
            break
        if lang.is_noun(word):
            found = word
    return found


def names_one(description: str) -> bool:
    """The description names a single thing: "The firmware update available ...", "One article"
    (not "The feed for a user": a feed, timeline or inbox is a list in the singular)."""
    head_word = description_head(description)
    return (bool(re.match(r"\s*(the|a|an|one)\b", description, re.I)) and bool(head_word)
            and not lang.is_plural(head_word) and head_word not in v.LIST_SINGLETONS)


def carries_growing_list(description: str) -> bool:
    """One item that embeds all, every or the full X: a list, unless X is known to stay small (a menu's dishes,
    an order's line items, a venue's seats, an upload's parts, the members of a small group). "A thread and all
    of its replies", "The account with every transaction", "The channel, including its full message history"
    are lists; "The menu with every dish" is one menu."""
    embedded = re.search(r"\b(?:all|every|full)\s+(?:(?:its|their|the|of|on|in|it|this|that)\s+)*([\w-]+(?:\s+[\w-]+)?)",
                         description, re.I)
    if embedded is None:
        return False
    words = embedded.group(1).lower().split()
    if " ".join(words) in ("line item", "line items") or lang.singular(words[0]) in BOUNDED_PARTS:
        return False
    if lang.singular(words[0]) == "member" and re.search(r"\bsmall\b", description, re.I):
        return False
    return True


# What an item embeds that stays small: a menu's dishes, a venue's seats, an upload's parts.
BOUNDED_PARTS = frozenset({"dish", "seat", "part", "ingredient"})


def singular(noun: str) -> str:
    """``messages`` -> ``message``, ``replies`` -> ``reply`` (for matching notes)."""
    return lang.singular(noun)


def bounded(ep: Endpoint, design: Design) -> bool:
    """The row or a note bounds the list: "(at most 50)", "a venue has at most about 500 seats"."""
    if v.BOUNDED.search(ep.description) or date_bounded_aggregate(ep) or small_parts(ep):
        return True
    subject = {singular(head(last_segment(ep))), head(last_segment(ep))}
    return any(v.BOUNDED.search(n.text) and any(re.search(rf"\b{re.escape(s)}", n.text, re.I) for s in subject)
               for n in design.notes)


def small_parts(ep: Endpoint) -> bool:
    """``GET /files/{fileId}/parts``: an upload's parts, bounded by the upload (S3 allows at most 10,000), not a catalogue's
    ``/parts``."""
    segs = [s for s in nouns(ep)]
    if len(segs) < 2:
        return False
    part, parent = lang.singular(head(segs[-1])), lang.singular(head(segs[-2]))
    return part == "part" and parent in ("file", "upload", "object")  # seats and dishes: a note says how many


def date_bounded_aggregate(ep: Endpoint) -> bool:
    """``GET /stats/sales?from=...&to=...``, ``GET /links/{code}/clicks?from=...&to=...`` "Click counts per day":
    totals over a date range, one row per day at most, not a growing list."""
    keys = {k.split("=", 1)[0].lower() for k in ep.query.split("&")}
    ranged = {"from", "to"} <= keys or {"start", "end"} <= keys or {"since", "until"} <= keys
    per_period = re.search(r"\bper (?:day|hour|week|month)\b|\b(?:daily|hourly|weekly|monthly)\b", ep.description, re.I)
    return ranged and (per_period is not None or any(head(seg) in AGGREGATES for seg in nouns(ep)))


AGGREGATES = frozenset({"stats", "statistics", "metrics", "analytics", "totals", "counts", "aggregates", "summary"})


# --- the rules -------------------------------------------------------------------------------

def verb_in_path(design: Design):
    """Resources are nouns: the method already carries the verb (``POST /sendMessage``)."""
    for ep in design.endpoints:
        if is_action(ep) or is_authorization_endpoint(ep):
            continue
        for seg in nouns(ep):
            verb = verb_of(seg, ep.description)
            if verb:
                yield (ep, f"'{seg}' is an action, but the HTTP method already says what happens.",
                       f"Name the resource and let the method carry the verb, e.g. "
                       f"`{v.VERB_METHOD.get(verb, 'POST')} {without_verb(ep, seg)}`.")
                break


def without_verb(ep: Endpoint, seg: str) -> str:
    """The path once the method carries the verb: ``/sendMessage`` -> ``/messages``,
    ``/messages/{id}/markRead`` -> ``/messages/{id}`` (PATCH), ``/orders/{id}/cancel`` kept (an action, POST)."""
    verb, rest = verb_of(seg, ep.description), words(resource_part(seg))[1:]
    method = v.VERB_METHOD.get(verb, "POST")
    s = list(ep.segments)
    i = s.index(seg)
    on_item = i > 0 and is_id(s[i - 1])
    if on_item and method == "POST" and not rest:
        return ep.route  # the syllabus's action sub-resource
    if on_item and method in ("PATCH", "PUT", "DELETE"):
        rest = []  # the method acts on the item itself
    item_verb = method in ("PATCH", "PUT", "DELETE")  # these act on one item: /messages/{id}
    named = "-".join(rest[:-1] + [plural(rest[-1])]) if rest else ""
    s[i:i + 1] = ([named] + (["{id}"] if item_verb and not on_item else [])) if named else []
    return "/" + "/".join(s or [f"<what {verb} creates>"])


def plural(noun: str) -> str:
    return lang.plural(noun)


def singular_collection(design: Design):
    """Collections are plural: ``/users/{id}``, not ``/user/{id}``; ``POST /posts``, not ``POST /post``."""
    for ep in design.endpoints:
        s = ep.segments
        for i, seg in enumerate(s):
            if is_id(seg) or is_version(seg) or verb_of(seg, ep.description) or not countable(head(seg)) \
                    or head(seg) in v.MASS_NOUNS:
                continue
            before_id = i + 1 < len(s) and is_id(s[i + 1])  # /user/{id}: always a collection
            created_in = (i == len(s) - 1 and ep.method == "POST" and not (i and is_id(s[i - 1]))
                          and not custom_method(seg))  # POST /post; POST /orders/{id}/rating is a singleton
            if (before_id and not is_plural(seg, singletons=False)) or (created_in and not is_plural(seg)):
                yield (ep, f"'{seg}' names a collection but is singular.",
                       f"Use the plural, `{plural(seg)}`, for every path into that collection.")
                break


def countable(word: str) -> bool:
    """A word the lexicon knows as a noun (names such as ``graphql`` are not judged)."""
    return lang.known(word) and lang.is_noun(word)


def list_without_pagination(design: Design):
    """Any endpoint that returns a list needs pagination, unless the design bounds the list."""
    covered = any(v.ALL_LISTS_PAGINATED.search(n.text) for n in design.notes)
    for ep in design.endpoints:
        if is_list(ep) and not covered and not v.PAGINATION.search(ep.text) and not bounded(ep, design):
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
        if needs_idempotency(ep, design) and not idempotency_covered(ep, design):
            harmful = v.HARMFUL_DUPLICATES.search(ep.text)
            yield (ep, "A client that retries this POST after a timeout creates a duplicate"
                       + (f" ({harmful.group(0).lower()})." if harmful else "."),
                   "Accept an `Idempotency-Key` header and replay the stored response for a repeated key.",
                   "error" if harmful else None)


def needs_idempotency(ep: Endpoint, design: Design) -> bool:
    """A creating POST (not a login, not a harmless action like ``translate``, not a GraphQL endpoint that
    only reads)."""
    last = head(last_segment(ep)) if ep.segments else ""
    if ep.method != "POST" or last in v.AUTH_SEGMENTS or (last == "sessions" and v.LOGIN_WORDS.search(ep.text)):
        return False
    if last in READ_ONLY_POSTS or lang.imperative(ep.description) in READ_ONLY_POSTS:
        return False  # POST /search "Search products with a JSON filter": a query too big for a URL, safe to retry
    if last == "graphql":
        return not graphql_only_reads(ep, design)  # a retried query reads twice; a retried mutation writes twice
    return not is_action(ep) or bool(v.HARMFUL_DUPLICATES.search(words(resource_part(last_segment(ep)))[-1]
                                                                  + " " + custom_method(last_segment(ep))))


READ_ONLY_POSTS = frozenset({"search", "query", "lookup", "find", "filter"})


def graphql_only_reads(ep: Endpoint, design: Design) -> bool:
    """The GraphQL row says it reads (queries), or a note says it only reads ("GraphQL for reads", "only
    queries"; not a note that limits "query cost"), and neither the row nor the notes where they speak of
    GraphQL say it writes (mutations, "Riders book trips", "every read and write")."""
    clauses = list(graphql_clauses(design))
    reads = v.GRAPHQL_READS.search(ep.description) or any(v.GRAPHQL_ONLY_READS.search(c) for c in clauses)
    return bool(reads) and not any(graphql_writes(t) for t in [ep.description, *clauses])


def graphql_clauses(design: Design) -> Iterator[str]:
    """The clauses of the notes' sentences about GraphQL (or its mutations), without those about another style:
    "GraphQL for reads, REST for writes" -> "GraphQL for reads"."""
    for note in design.notes:
        for sentence in ([] if note.is_flow else sentences(note.text)):
            if v.GRAPHQL.search(sentence) or re.search(r"\bmutations?\b", sentence, re.I):
                yield from (c for c in re.split(r"[;,:()]|\b(?:and|but|while|whereas)\b", sentence)
                            if v.GRAPHQL.search(c) or not v.OTHER_STYLE.search(c))


def idempotency_covered(ep: Endpoint, design: Design) -> bool:
    """The row mentions idempotency, or a note does for all POSTs or for this resource."""
    if v.IDEMPOTENCY.search(ep.text):
        return True
    subjects = {singular(w) for seg in nouns(ep) for w in words(resource_part(seg))} | {ep.route}
    for note in design.notes:
        if v.IDEMPOTENCY.search(note.text):
            text = note.text.lower()
            if v.IDEMPOTENCY_FOR_ALL.search(text) or GENERAL_IDEMPOTENCY.search(text) and "/" not in text \
                    or any(re.search(rf"(?<![\w/]){re.escape(s.lower())}(?![\w/])", text) for s in subjects):
                return True
    return False


# A note about POSTs or creates in general: "Idempotency-Key on POST.", "POSTs take an Idempotency-Key.",
# "An Idempotency-Key header on the create calls", "Create takes an Idempotency-Key header".
GENERAL_IDEMPOTENCY = re.compile(r"\b(posts?|creates?|creation)\b", re.I)


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
    justified = {protocol_key(m) for n in design.notes if v.JUSTIFICATION.search(n.text)
                 for m in v.CHOSEN_PROTOCOLS.finditer(n.text)}
    for note in design.notes:
        named = v.CHOSEN_PROTOCOLS.search(note.text)
        if named and protocol_key(named) not in justified:  # another note may already give the reason
            justified.add(protocol_key(named))
            yield (note, f"{named.group(0)} is named without saying why it fits this problem.",
                   "Add the reason: what it gives this design (server push, streaming, one round trip for "
                   "a whole screen, latency) that plain REST does not.")


def protocol_key(match: re.Match) -> str:
    """One name per protocol: "WebSockets" and "websocket", "Server-Sent Events" and "SSE" are the same choice."""
    word = re.sub(r"[\s-]+", " ", match.group(0).lower()).rstrip("s")
    return {"sse": "server sent event", "web socket": "websocket"}.get(word, word)


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
        if ep.method != "GET" or v.STREAMING.search(ep.text) or is_authorization_endpoint(ep):  # RFC 6455 and 6749
            continue
        verb = operation_verb(ep)
        reads = (v.NAVIGATION.search(ep.description) or v.MOVES_THE_VISITOR.search(ep.description)
                 or v.RUNS_A_QUERY.search(ep.description))
        if not verb or verb in v.SAFE_VERBS or reads:
            verb = side_effect(ep)  # "?set=ready", "Redirect and increment the click counter"
        if verb:
            yield (ep, f"A GET that would '{verb}' changes state, but GET must be safe to repeat and prefetch.",
                   "Use POST (create or action), PATCH (change) or DELETE (remove) for this operation.")

SIDE_EFFECTS = re.compile(r"\b(?:and|then)\s+(increment|decrement|bump|reset|mark|delete|remove|update|set|save|store|"
                          r"charge|cancel|create)s?\b", re.I)


def side_effect(ep: Endpoint) -> str | None:
    """A change a GET makes besides reading: a verb as a query key (``?set=ready``) or "... and increment ..."."""
    keys = [k.split("=", 1)[0].lower() for k in ep.query.split("&") if k]
    changing = [k for k in keys if k in v.VERBS and k not in v.SAFE_VERBS]
    found = SIDE_EFFECTS.search(ep.description)
    return changing[0] if changing else found.group(1).lower() if found else None


def is_authorization_endpoint(ep: Endpoint) -> bool:
    """``/oauth/authorize``: RFC 6749 section 3.1 requires GET there; it shows a consent page, and the state
    change is the user's decision, POSTed from that page."""
    return re.search(r"(^|/)(oauth2?/)?authori[sz]e$", ep.route, re.I) is not None and "oauth" in ep.text.lower()


def put_as_partial_update(design: Design):
    """PUT replaces the whole resource; a partial change is PATCH (RFC 9110 section 9.3.4, RFC 5789)."""
    for ep in design.endpoints:
        if ep.method == "PUT" and v.PARTIAL_UPDATE.search(ep.description) and not replaces_sub_resource(ep):
            yield (ep, "This PUT changes part of the resource, but PUT means 'replace it with this body'.",
                   "Use PATCH for a partial update, or PUT the complete representation.")


def replaces_sub_resource(ep: Endpoint) -> bool:
    """``PUT /orders/{id}/status`` "Set only the status": the part named *is* the resource the path names."""
    last = last_segment(ep)
    if is_id(last):
        return False
    partial = re.search(r"\bonly (the |its |a )?(\w+)", ep.description, re.I)
    return partial is None or singular(partial.group(2).lower()) == singular(head(last))
def delete_whole_collection(design: Design):
    """A DELETE on a collection wipes every item in it with one request (and one mistyped ID)."""
    for ep in design.endpoints:
        last = last_segment(ep)
        word = head(last) if last else ""
        if ep.method == "DELETE" and word and not is_id(last) and lang.singular(word) != word:  # not /trash
            yield (ep, f"This DELETE removes every item of '{last}' at once: one bad call loses all of them.",
                   f"Delete one item at a time (`DELETE {ep.route}/{{id}}`), or make bulk deletion an explicit, "
                   "filtered and authorized action.")


def async_without_status(design: Design):
    """Work that finishes later needs a 202 Accepted and a way to learn the outcome (RFC 9110 section 15.3.3)."""
    for ep in design.endpoints:
        if ep.method != "GET" and v.ASYNC.search(ep.description) and not v.ASYNC_STATUS.search(ep.description) \
                and not status_endpoint(ep, design):
            yield (ep, "This operation finishes later, but the client gets no 202 Accepted and no way to learn "
                       "when it is done, so it retries and does the work twice.",
                   "Answer `202 Accepted` with a `Location` to a status resource (e.g. `GET /operations/{id}`), "
                   "or call back a signed webhook when done.",
                   "error" if v.HARMFUL_DUPLICATES.search(ep.text) else None)


def status_endpoint(ep: Endpoint, design: Design) -> bool:
    """Another row reads the status of what this one starts: ``GET /jobs/{id}`` "Job status" for ``POST /jobs``."""
    item = ep.route if is_id(last_segment(ep)) else "/".join(ep.route.split("/")[:-1]) if is_action(ep) else ep.route
    return any(other.method == "GET" and other.route.startswith(item) and other is not ep
               and v.ASYNC_STATUS.search(other.description) for other in design.endpoints)


def webhook_without_signature(design: Design):
    """A webhook receiver must check that the call came from the sender (Standard Webhooks: HMAC over id,
    timestamp and body)."""
    text = design.notes_text + "\n" + "\n".join(e.text for e in design.endpoints)
    if v.WEBHOOKS.search(text) and not v.SIGNATURE.search(text):
        yield (None, "Webhooks are sent or received, but nothing says how the receiver knows who sent one; "
                     "anyone who finds the URL can forge events.",
               "Sign every delivery with an HMAC-SHA256 over its id, timestamp and raw body (Standard Webhooks "
                     "signs `id.timestamp.body`), reject old timestamps and deduplicate by id.",
               "error" if v.HARMFUL_DUPLICATES.search(text) else None)


def shared_edit_without_precondition(design: Design):
    """Two clients that read, change and write back the same resource lose one change unless the write is
    conditional: ``If-Match`` with the ``ETag`` read, ``412`` when stale (RFC 9110 sections 13.1.1 and 15.5.13),
    ``428`` when missing (RFC 6585 section 3)."""
    for ep in design.endpoints:
        if ep.method in ("PUT", "PATCH") and edits_shared(ep, design) and not guarded(ep, design):
            yield (ep, f"If two clients read this {thing(ep)} and both write it back, the second write "
                       "silently erases the first (a lost update).",
                   "Make the write conditional: send an `ETag` (or a version) with every read and require `If-Match` "
                   "on this write, so a stale tag gets `412 Precondition Failed` and a missing one `428 Precondition "
                   "Required` (a version compared on write, answering `409 Conflict`, works too). Or say why last "
                   "write wins is acceptable here.")


def thing(ep: Endpoint) -> str:
    """What the row writes, in one word: ``/channels/{id}`` -> channel, ``/products/{id}/stock`` -> stock."""
    return singular(head(next(s for s in reversed(ep.segments) if not is_id(s))))


def guarded(ep: Endpoint, design: Design) -> bool:
    """A write condition is stated for this write: on its own row, in a note that names what it writes, or in a
    note about writes in general (one that names no other resource of the design, nor another shared one)."""
    others = ({singular(head(s)) for e in design.endpoints for s in nouns(e)} | v.SHARED_NOUNS) - written(ep)
    notes = [n.text for n in design.notes if names_any(n.text, written(ep)) or not names_any(n.text, others)]
    return any(conditions_writes(sentence) for text in [ep.description, *notes] for sentence in sentences(text))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def conditions_writes(sentence: str) -> bool:
    """The sentence makes writes conditional: a mechanism that is one by itself (If-Match, optimistic locking, a
    CRDT), a token the client read that a write is compared on (an ETag or a version and a 409/412, "it read",
    "stale", a refusal; an upload part's ETag, or an ETag a GET revalidates, is not one), writes that are no
    read-modify-write (a delta), or last write wins with its reason. An optional If-Match is none, nor a refusal
    that is negated ("never refused")."""
    sentence = v.OPTIONAL_CONDITION.sub(" ", sentence)
    if not refused(sentence):
        sentence = v.NO_CONDITION.sub(" ", sentence)
    if v.WRITE_CONDITION.search(sentence) or v.NO_READ_MODIFY_WRITE.search(sentence):
        return True
    cleaned = v.NOT_A_RESOURCE_VERSION.sub(" ", sentence)
    tokens = [m for m in v.READ_TOKEN.finditer(cleaned) if not v.UPLOAD_PARTS.search(cleaned, max(m.start() - 40, 0),
                                                                                   m.end() + 40)]
    if tokens and v.ABOUT_A_WRITE.search(cleaned) and any(not negated(cleaned, m) for m in v.COMPARED.finditer(cleaned)):
        return True
    lww = v.LAST_WRITE_WINS.search(sentence)
    return bool(lww) and bool(v.LWW_REASON.search(sentence[:lww.start()] + sentence[lww.end():]))


def refused(sentence: str) -> bool:
    """The sentence says a write is refused, and does not negate it ("428 without If-Match"; not "never refused")."""
    return any(not negated(sentence, m) for m in v.REFUSED_WITHOUT.finditer(sentence))


def negated(sentence: str, match: re.Match) -> bool:
    """The matched word is negated: "not rejected", "never refused", "refusing it is not planned"."""
    clause_start = max(sentence.rfind(c, 0, match.start()) for c in ";,(:") + 1
    return bool(v.NEGATED_BEFORE.search(sentence[clause_start:match.start()])
                or v.NEGATED_AFTER.search(sentence[match.end():]))


def written(ep: Endpoint) -> set[str]:
    """What a write changes, as singular nouns: the item (``/channels/{id}`` -> channel), or a part without an
    ID of its own together with its owner (``/products/{id}/stock`` -> stock, product)."""
    s = [seg for seg in ep.segments if not is_version(seg)]
    if not s or any(seg.lower() in ("me", "self") for seg in s) or custom_method(s[-1]) \
            or not is_id(s[-1]) and verb_of(s[-1], ep.description):  # {listId} is an ID, not the verb "list"
        return set()  # the caller's own data (/me), or an action (.../close): not an edit of shared state
    if is_id(s[-1]):
        return {singular(head(s[-2]))} if len(s) >= 2 else set()
    owner = [singular(head(s[-3]))] if len(s) >= 3 and is_id(s[-2]) else []
    return {singular(head(s[-1])), *owner}


def edits_shared(ep: Endpoint, design: Design) -> bool:
    """The row writes a resource that several people write: a sentence of the row, a note or the title names
    several writers of it, or it is shared by nature (a page, a board, a channel, stock); unless a sentence says
    one person writes it and does not name several writers too."""
    nouns = written(ep)
    if not nouns:
        return False
    texts = [ep.description] + [t for t in (design.title, *(n.text for n in design.notes)) if names_any(t, nouns)]
    said = [s for t in texts for s in sentences(t)]
    many = [s for s in said if several_writers(s, nouns)]
    if any(v.PRIVATE.search(s) and s not in many for s in said):
        return False
    return bool(nouns & v.SHARED_NOUNS) or bool(many)


def several_writers(sentence: str, nouns: set[str]) -> bool:
    """The sentence has more than one person edit the resource (``nouns``): "co-owned", "shared by the whole
    team", or an edit verb (by its lemma) whose subject, or agent after "by" in the passive, is plural or
    quantified ("Both flatmates tick items off the list", "Anyone on the team can drag a card", "folders are
    renamed by whoever needs to"), with the resource as its object (or, in the passive, its subject)."""
    if v.SHARED_WRITERS.search(sentence) or any(re.search(rf"\bshared (?:\w+ )?{re.escape(n)}s?\b", sentence, re.I)
                                                 for n in nouns):  # "Edit a shared recipe", "a shared team folder"
        return True
    for clause in re.split(r"[;:]", sentence):
        words = re.findall(r"[a-z][a-z'-]*", clause.lower())
        for i, word in enumerate(words):
            if i and edit_verb(word, words[i + 1:i + 2]):
                after = words[i + 1:]
                passive = words[i - 1] in PASSIVE_AUXILIARIES or word.endswith("ed") and "by" in after[:2]
                agents = after[after.index("by") + 1:] if passive and "by" in after else [] if passive else words[:i]
                relative = [j for j, w in enumerate(words[:i]) if w in ("that", "which")]  # "a list that each ... can change"
                edited = words[:i] if passive else after + (words[:relative[-1]] if relative else [])
                if names_many(agents) and names_any(" ".join(edited), nouns):
                    return True
    return False


PASSIVE_AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "being", "ever", "only", "get", "gets"})


def edit_verb(word: str, following: list[str]) -> bool:
    """An edit verb in any inflection ("ticks", "dragged", "tweaking"); "work" only as "work on"."""
    lemmas = lang.readings(word).get("VERB", ())
    return any(l in v.EDIT_LEMMAS and (l != "work" or following == ["on"]) for l in lemmas)


def names_many(words: list[str]) -> bool:
    """The words name several people: a quantifier or a number ("any", "both", "two"), or a plural noun that is
    not each its own writer ("managers", "flatmates"; not "users", nor "sees", which may be a verb)."""
    return any((w in v.MANY_QUANTIFIERS or lang.singular(w) != w and set(lang.readings(w)) == {"NOUN"})
               and singular(w) not in v.EACH_THEIR_OWN and lang.singular(nxt) not in v.EACH_THEIR_OWN
               for w, nxt in zip(words, words[1:] + [""]))


def names_any(text: str, nouns: set[str]) -> bool:
    """The text names one of the nouns, singular or plural, as a whole word."""
    return any(re.search(rf"\b({re.escape(n)}|{re.escape(plural(n))})\b", text, re.I) for n in nouns)


def graphql_without_cost_limit(design: Design):
    """One GraphQL query can nest lists in lists and cost a million rows: bound its depth and cost before it
    runs, and rate-limit by cost, not by request (OWASP GraphQL Cheat Sheet; GitHub's GraphQL node limit and
    points)."""
    chosen = graphql_chosen(design)
    if chosen is None:
        return
    texts = [*(e.text for e in design.endpoints), *(n.text for n in design.notes)]
    if any(v.ABOUT_QUERIES.search(s) and limits_queries(s) for t in texts for s in sentences(t)):
        return
    yield (chosen, "One GraphQL request can nest lists inside lists (each item's related items, and theirs), so a "
                   "single query can cost thousands of rows; a limit on requests per minute does not see that.",
           "Check each query before it runs: a maximum depth and a maximum cost (each list counts its page size), "
           "and rate-limit by cost points rather than requests; or run only an allow-list of known operations "
           "(persisted queries that refuse unknown ones; automatic persisted queries alone only cache).")


def limits_queries(sentence: str) -> bool:
    """The sentence bounds a query before it runs: its depth, nodes, complexity or cost against a bound, or only
    known (allow-listed, persisted) operations accepted."""
    measured = v.QUERY_MEASURE.search(sentence) and v.BOUND.search(sentence)
    known = v.KNOWN_OPERATIONS.search(sentence) or v.PERSISTED.search(sentence) and v.ONLY_KNOWN.search(sentence)
    return bool(measured or known)


def graphql_chosen(design: Design) -> Note | Endpoint | None:
    """The note that chooses GraphQL (not one that rejects it), else a ``/graphql`` row; None without GraphQL."""
    for note in design.notes:
        if not note.is_flow and uses_graphql(note.text):
            return note
    return next((e for e in design.endpoints if any(head(s) == "graphql" for s in e.segments)), None)


def uses_graphql(text: str) -> bool:
    """Some mention of GraphQL in the text is not turned down by the words just before or after it."""
    for sentence in sentences(text):
        for m in v.GRAPHQL.finditer(sentence):
            before, after = sentence[:m.start()], sentence[m.end():]
            if not v.REJECTED_BEFORE.search(before) and not v.REJECTED_AFTER.search(after):
                return True
    return False


def privileged_without_authorization(design: Design):
    """Logging in says who you are, not what you may do: an admin or cross-user action needs a stated rule."""
    stated = v.AUTHORIZATION.search(design.decisions_text)
    for ep in design.endpoints:
        privileged = v.PRIVILEGED.search(ep.text) or ANY_USER.search(ep.description) \
            or operation_verb(ep) in v.PRIVILEGED_VERBS
        if ep.method != "GET" and privileged and not stated and not v.AUTHORIZATION.search(ep.description):
            yield (ep, "This acts on other people's data, many users or money, and the design never says who may "
                       "call it: any logged-in user could.",
                   "State the rule: e.g. only admins (a role or an `admin` scope in the token) may call it, and "
                   "answer 403 to everyone else.")


# "Delete any user account": the row acts on whichever user the caller names, not on the caller.
ANY_USER = re.compile(r"\bany (?:other )?(?:user|member|customer|seller|account)s?\b", re.I)


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
    Rule("delete-whole-collection", "error", "endpoints", delete_whole_collection),
    Rule("async-without-status", "warning", "idempotency", async_without_status),
    Rule("webhook-without-signature", "warning", "webhooks", webhook_without_signature),
    Rule("shared-edit-without-precondition", "warning", "concurrency", shared_edit_without_precondition),
    Rule("graphql-without-cost-limit", "warning", "graphql", graphql_without_cost_limit),
    Rule("privileged-without-authorization", "error", "authentication", privileged_without_authorization),
    Rule("missing-core-flow", "warning", "flows", missing_core_flow),
)
RULE_IDS = tuple(r.id for r in RULES)
