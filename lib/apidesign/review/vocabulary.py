"""The words the reviewer's rules look for, kept as data so a rule reads as one small function.

Each list comes from the syllabus (resource naming, methods, pagination, idempotency,
authentication, rate limiting, protocols, error cases) or from the RFC it cites.
"""

import re

# First words of action-oriented path segments (``sendMessage``, ``get-users``), with the
# method that already says the same thing (RFC 9110 section 9.3).
VERB_METHOD = {
    "get": "GET", "fetch": "GET", "list": "GET", "retrieve": "GET", "find": "GET", "read": "GET",
    "send": "POST", "create": "POST", "add": "POST", "complete": "POST", "submit": "POST", "place": "POST",
    "make": "POST", "upload": "POST", "book": "POST", "request": "POST", "shorten": "POST",
    "follow": "POST", "like": "POST", "share": "POST", "pay": "POST", "buy": "POST", "do": "POST",
    "translate": "POST", "accept": "POST", "reject": "POST", "approve": "POST", "cancel": "POST",
    "rotate": "POST", "resend": "POST", "archive": "POST",
    "update": "PATCH", "edit": "PATCH", "set": "PATCH", "mark": "PATCH", "change": "PATCH",
    "put": "PUT", "replace": "PUT",
    "delete": "DELETE", "remove": "DELETE", "unfollow": "DELETE", "unlike": "DELETE",
    "download": "GET",
}
VERBS = frozenset(VERB_METHOD)

# Verbs whose GET would change server state (a GET must be safe: RFC 9110 section 9.2.1).
STATE_CHANGING = VERBS - {"get", "fetch", "list", "retrieve", "find", "read", "download"} | {"increment"}

# Nouns that are legitimately singular in a path: singleton sub-resources, and the endpoints OAuth's
# RFCs name (authorize and token: RFC 6749 section 3; revoke: RFC 7009; introspect: RFC 7662).
SINGLETONS = frozenset({"me", "feed", "timeline", "profile", "cart", "search", "health", "auth", "oauth",
                        "token", "authorize", "revoke", "introspect", "login", "logout", "inbox", "home", "content", "status", "settings",
                        "avatar", "history", "checkout", "location"})
# A GET that streams (SSE, WebSocket) is a subscription, not a list: it resumes (Last-Event-ID), it does not page.
STREAMING = re.compile(r"\b(streams?|streaming|sse|server-sent|websockets?|socket|event-stream)\b", re.I)
# Singletons that still return a list, so they still need pagination.
LIST_SINGLETONS = frozenset({"feed", "timeline", "search", "inbox", "home", "history"})
IRREGULAR_PLURALS = frozenset({"people", "children", "media", "data", "men", "women", "news", "series"})
# POSTs that log a caller in: retrying them mints another token, which is harmless.
AUTH_SEGMENTS = frozenset({"token", "tokens", "sessions", "login", "auth", "oauth", "refresh"})

# Duplicates of these cost real money or real-world effort (the syllabus: payments, orders).
HARMFUL_DUPLICATES = re.compile(r"\b(orders?|payments?|pay|charges?|checkouts?|transfers?|refunds?|"
                                r"purchases?|bookings?|rides?|trips?|invoices?)\b", re.I)

PAGINATION = re.compile(r"cursor|\blimit\b|limit=|\bpage|offset|paginat|after=|before=", re.I)
ALL_LISTS_PAGINATED = re.compile(r"\b(all|every)\b[^.]*\blists?\b[^.]*(paginat|cursor)", re.I)
OFFSET_STYLE = re.compile(r"\boffset\b|offset=|\bpage=|\bpage number|\bskip=", re.I)
FEED_LIKE = re.compile(r"feed|timeline|history|messages|notifications|posts|comments|inbox|activity|events",
                       re.I)

IDEMPOTENCY = re.compile(r"idempoten", re.I)
IDEMPOTENCY_FOR_ALL = re.compile(r"\b(all|every|each)\b[^.]*\b(post|mutat\w*|create\w*|write\w*|non-idempotent)",
                                 re.I)

AUTHENTICATION = re.compile(r"\bauth|jwt|bearer|oauth|api[- ]?keys?\b|access[- ]tokens?|refresh[- ]tokens?|"
                            r"\bsessions?\b|\blog ?in\b|sign[- ]in|mtls|mutual tls", re.I)
RATE_LIMITING = re.compile(r"rate[- ]limit|token[- ]bucket|leaky[- ]bucket|sliding[- ]window|fixed[- ]window|"
                           r"throttl|\b429\b|quota", re.I)

# Transports that need a reason (the syllabus's interview tip); REST over HTTP is the default.
PROTOCOLS = re.compile(r"web ?sockets?|server[- ]sent events|\bSSE\b|\bgRPC\b|HTTP/[23]|\bQUIC\b|"
                       r"long[- ]polling|webhooks?|GraphQL|\bMQTT\b", re.I)
ANY_TRANSPORT = re.compile(PROTOCOLS.pattern + r"|\bREST\b|\bHTTP\b", re.I)
JUSTIFICATION = re.compile(r"because|\bsince\b|so that|\bso\b|in order to|\bneeds?\b|\brequires?\b|\bgiven\b|"
                           r"due to|\bpush|real[- ]time|latency|bidirectional|full[- ]duplex|one[- ]way|"
                           r"unidirectional|multiplex|binary|browsers?|firewall|instead of|rather than|"
                           r"polling would|without polling", re.I)

# The obvious failure modes the syllabus asks a candidate to mention.
ERROR_CASES = {
    "404": re.compile(r"\b404\b|not found|does(n't| not) exist|unknown", re.I),
    "403": re.compile(r"\b403\b|forbidden|not (a )?member|not allowed|not authori[sz]ed|permission", re.I),
    "400": re.compile(r"\b400\b|bad request|invalid|validat|malformed", re.I),
}

# Words that mean "change part of a resource": a PUT replaces the whole of it (RFC 9110 section 9.3.4).
PARTIAL_UPDATE = re.compile(r"partial|\bonly\b|\brename|\btoggle|\bmark\b|\bincrement|\bchange\b|"
                            r"\bsome (of the )?fields|\bone field|\bsingle field|\bstatus\b|\bfield\b", re.I)
