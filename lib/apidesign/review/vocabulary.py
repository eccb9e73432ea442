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
    "download": "GET", "search": "GET", "subscribe": "POST", "retry": "POST", "register": "POST",
}
VERBS = frozenset(VERB_METHOD)

# Verbs that only read or navigate: a GET that does one of these is safe (RFC 9110 section 9.2.1);
# any other verb a GET names (``like``, ``cancel``, ``refund``) changes state.
SAFE_VERBS = frozenset({"get", "fetch", "list", "retrieve", "find", "read", "download", "search", "browse", "view",
                        "show", "see", "watch", "stream", "redirect", "resolve", "check", "track", "look", "count",
                        "preview", "poll", "export", "query", "lookup", "describe", "print", "render", "play"})
# Running a query only reads: "Run a search and return one page of hits", "Execute a query" (not "Run the job").
RUNS_A_QUERY = re.compile(r"^(run|runs|execute|executes|perform|performs)\s+(an?\s+|the\s+|this\s+|one\s+|your\s+)?"
                          r"([\w-]+\s+)?(search|searches|query|queries|lookup|lookups|look-up)\b", re.I)
# Following a link is navigation, not a change: "Follow a short link", "Open the URL".
NAVIGATION = re.compile(r"^(follow|open|visit)\b.*\b(links?|urls?|redirects?|short codes?)\b", re.I)

# Nouns that are legitimately singular in a path: singleton sub-resources, and the endpoints OAuth's
# RFCs name (authorize and token: RFC 6749 section 3; revoke: RFC 7009; introspect: RFC 7662).
SINGLETONS = frozenset({"me", "feed", "timeline", "profile", "cart", "search", "health", "auth", "oauth",
                        "token", "authorize", "revoke", "introspect", "login", "logout", "inbox", "home", "content", "status", "settings",
                        "avatar", "history", "checkout", "location"})
# A GET that streams (SSE, WebSocket) is a subscription, not a list: it resumes (Last-Event-ID), it does not page.
STREAMING = re.compile(r"\b(streams?|streaming|sse|server-sent|websockets?|socket|event-stream)\b", re.I)
# Singletons that still return a list, so they still need pagination.
LIST_SINGLETONS = frozenset({"feed", "timeline", "search", "inbox", "home", "history"})
# Mass nouns name one thing, not a list: ``/files/{id}/data`` is the file's bytes.
# Uncountable nouns name a whole, so ``/stock/{sku}`` is not a singular collection (the lexicon has no countability).
MASS_NOUNS = frozenset({"data", "metadata", "content", "info", "information", "feedback", "media", "stock",
                        "inventory", "equipment", "music", "money", "traffic", "weather", "storage", "billing",
                        "software", "mail"})
# POSTs that log a caller in: retrying them mints another token, which is harmless. A path named
# ``sessions`` logs in only if its row says so (a parking session is not a login).
AUTH_SEGMENTS = frozenset({"token", "tokens", "login", "auth", "oauth", "refresh", "signin"})
LOGIN_WORDS = re.compile(r"\blog ?in|sign[- ]?in|credentials|password|\btokens?\b", re.I)

# Duplicates of these cost real money or reach many people at once (the syllabus: payments, orders).
HARMFUL_DUPLICATES = re.compile(r"\b(orders?|payments?|pay|charges?|checkouts?|transfers?|refunds?|payouts?|"
                                r"purchases?|bookings?|rides?|trips?|invoices?|subscriptions?|broadcasts?|"
                                r"announcements?)\b|" + r"\b(all|every)( the)? (users?|sellers?|customers?|members?|"
                                r"subscribers?|accounts?)\b", re.I)

PAGINATION = re.compile(r"cursor|\blimit\b|limit=|\bpage|offset|paginat|after=|before=", re.I)
# A list whose size the design bounds needs no pages: "at most 50", "the top 100", "about 500 seats".
BOUNDED = re.compile(r"\bat most\b|\bup to \d|\b(no|rarely|never|not) more than\b|\b(fewer|less) than \d|\bmaximum of\b|\btop \d+|\bfixed[- ]size|"
                     r"\bbounded\b|\blast \d+ (days|hours|minutes|items|entries)|\bno (paging|pagination)\b|"
                     r"\bnot paginated\b", re.I)
ALL_LISTS_PAGINATED = re.compile(r"\b(all|every)\b[^.]*\blists?\b[^.]*(paginat|cursor)", re.I)
OFFSET_STYLE = re.compile(r"\boffset\b|offset=|\bpage=|\bpage number|\bskip=", re.I)
FEED_LIKE = re.compile(r"feed|timeline|history|messages|notifications|posts|comments|inbox|activity|events",
                       re.I)

IDEMPOTENCY = re.compile(r"idempoten|de-?duplicat", re.I)
IDEMPOTENCY_FOR_ALL = re.compile(r"\b(all|every|each)\b[^.]*\b(post|mutat\w*|create\w*|write\w*|non-idempotent)",
                                 re.I)

AUTHENTICATION = re.compile(r"\bauth|jwt|bearer|oauth|api[- ]?keys?\b|access[- ]tokens?|refresh[- ]tokens?|"
                            r"\bsessions?\b|\blog ?in\b|sign[- ]in|mtls|mutual tls|client certificates?|\boidc\b|openid|"
                            r"\bsso\b|single sign-on|\bsaml\b|passwords?|\bpin\b|magic link|\bpkce\b", re.I)
RATE_LIMITING = re.compile(r"rate[- ]limit|token[- ]bucket|leaky[- ]bucket|sliding[- ]window|fixed[- ]window|"
                           r"throttl|\b429\b|quota", re.I)

# Transports that need a reason (the syllabus's interview tip); REST over HTTP is the default.
PROTOCOLS = re.compile(r"web ?sockets?|server[- ]sent events|\bSSE\b|\bgRPC\b|HTTP/[23]|\bQUIC\b|"
                       r"long[- ]polling|webhooks?|GraphQL|\bMQTT\b", re.I)
# Webhooks are named because the other side calls back, not chosen among transports: no reason asked.
CHOSEN_PROTOCOLS = re.compile(PROTOCOLS.pattern.replace("|webhooks?", ""), re.I)
ANY_TRANSPORT = re.compile(PROTOCOLS.pattern + r"|\bREST\b|\bHTTP\b", re.I)
JUSTIFICATION = re.compile(r"\benough\b|\bsuffices?\b|because|\bsince\b|so that|\bso\b|in order to|\bneeds?\b|\brequires?\b|\bgiven\b|"
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

# Whom a fan-out reaches: "to all users", "every member", "all backers".
RECIPIENTS = (r"(users?|sellers?|customers?|members?|subscribers?|backers?|followers?|buyers?|students?|"
              r"employees?|participants?|attendees?|players?|accounts?)")

# Asynchronous work: the row says it happens later, takes long, or reaches many recipients.
ASYNC = re.compile(r"asynchronous|in the background|\bbackground (job|worker)|\bqueues?\b|\bqueued\b|"
                   r"\btakes? (several |a few |many )?(minutes|hours)|\bcan take\b|\b(a|an|about an?) (minute|hour)\b|"
                   r"\bnightly\b|\bbatch job\b|\bfan[- ]out|"
                   r"\b(all|every)( the)? " + RECIPIENTS + r"\b", re.I)
# How a client learns that asynchronous work finished.
ASYNC_STATUS = re.compile(r"\b202\b|\baccepted\b|\bstatus\b|\bprogress\b|\boperations?\b|\bcallbacks?\b|"
                          r"\bwebhooks?\b|\bpoll\b|\blocation\b", re.I)

WEBHOOKS = re.compile(r"web ?hooks?|callback url", re.I)
SIGNATURE = re.compile(r"\bhmac|signatures?\b|signing secret|\bsigned\b(?! in)|\bsigns\b(?! in)", re.I)

# Operations that reach other people's data or many people at once, or move money back.
PRIVILEGED = re.compile(r"\badmin|\bbroadcasts?\b|\bannouncements?\b|\bpay ?outs?\b|"
                        r"\b(another|other|a|any|banned) (user|member|customer|seller)'s|\bsomeone else's|"
                        r"\b(all|every)( the)? " + RECIPIENTS + r"\b", re.I)
# Verbs that are privileged when they are what the row does (not a side effect: "Cancel ... and refund the credit").
PRIVILEGED_VERBS = frozenset({"refund", "reverse", "ban", "unban", "suspend", "impersonate", "broadcast", "announce",
                              "payout"})
# Who may call it: a role, a scope, a permission, an owner.
AUTHORIZATION = re.compile(r"\badmins?\b|administrators?|\bstaff\b|moderators?|\boperators?\b|\broles?\b|"
                           r"\bscopes?\b|permissions?\b|\brbac\b|\bacl\b|\bowners?\b|\bonly\b[^.]*\b(may|can)\b|"
                           r"\brestricted\b|\bfor (the )?(agents|admins|staff|moderators|the patient|their)\b", re.I)

# What a core flow asks of the API, by its verb: reading is a GET, creating a POST or PUT, and so on.
READ_VERBS = frozenset({"see", "read", "list", "get", "view", "browse", "fetch", "show", "check", "track", "watch",
                        "look", "download", "display", "follow", "review", "monitor"})
SEARCH_VERBS = frozenset({"search", "find", "query", "filter", "look up"})
WRITE_VERBS = frozenset({"create", "add", "send", "post", "publish", "submit", "make", "start", "write", "upload",
                         "register", "place", "request", "book", "open"})
UPDATE_VERBS = frozenset({"change", "update", "edit", "set", "move", "rename", "reschedule", "modify", "answer",
                          "mark", "switch"})
REMOVE_VERBS = frozenset({"delete", "remove", "cancel", "retire", "clear", "empty", "clean", "unfollow",
                          "unsubscribe", "revoke", "close"})
FLOW_METHODS = {**{v: ("GET",) for v in READ_VERBS | SEARCH_VERBS}, **{v: ("POST", "PUT") for v in WRITE_VERBS},
                **{v: ("PATCH", "PUT", "POST") for v in UPDATE_VERBS},
                **{v: ("DELETE", "POST", "PATCH") for v in REMOVE_VERBS}}
# Nouns too general to tie a flow to an endpoint ("Follow a user" is about following, not users).
GENERIC_NOUNS = frozenset({"user", "users", "me", "people", "person", "everyone", "someone", "thing", "time",
                           "way", "one", "later", "real", "together", "today", "day", "week", "month", "now",
                           "who", "what"})
PAGING_PARAMS = frozenset({"cursor", "limit", "page", "offset", "after", "before", "page_size", "pagesize"})

# --- chapter 07: consistency, API styles ----------------------------------------------------------

# Resources several people (or processes) edit by their nature: a wiki page, a shared document, a board, the
# settings of a channel or team, a stock count that scanners and the shop both write. A read-modify-write on
# one of them can silently wipe another writer's change: the "lost update" of RFC 9110 section 13.1.1 and
# RFC 6585 section 3. Singular lemmas.
SHARED_NOUNS = frozenset({"document", "doc", "page", "wiki", "board", "sheet", "spreadsheet", "channel", "group",
                          "team", "workspace", "project", "inventory", "stock"})
# A note that says many people write something: "Any member of a space can edit its pages", "the scanners
# and the web shop both update stock". The note must also name the resource.
MANY_WRITERS = re.compile(r"\b(members|editors|agents|admins|teammates|collaborators|staff|anyone|everyone|both|"
                          r"several|multiple|many)\b[^.;]*\b(edit|edits|change|changes|update|updates|modify|"
                          r"modifies|write|writes|save|saves|move|moves)\b|\bshared\b|\bcollaborativ\w*|"
                          r"\btogether\b|\bco-?edit\w*|\bconcurrent\w*|\bat the same time\b|\bsimultaneous\w*", re.I)
# What stops a lost update, or says why none can happen: a precondition on the write (an ETag or a version
# the client read, RFC 9110 section 13.1), merging edits (CRDT, operational transformation), a lock, or a
# stated "last write wins" (an API version, "/v1", is not a resource's version).
PRECONDITION = re.compile(r"\betags?\b|\bif-match\b|\bif-unmodified-since\b|\bpreconditions?\b|\b412\b|\b428\b|"
                          r"\boptimistic\b|compare[- ]and[- ](set|swap)|(?<!api )(?<!api-)\b(version|revision)"
                          r"( number| field| counter)?\b(?!\s*:?\s*/?v\d)|last[- ]write[- ]wins|"
                          r"\blast (write|writer|edit|save|change|update|answer|one) wins\b|\bcrdts?\b|"
                          r"operational transform\w*|\b(pessimistic|edit|row|record)[- ]locks?\b|\bstale\b", re.I)

# GraphQL chosen, not rejected: "REST rather than GraphQL", "no GraphQL", "considered GraphQL but ..." reject it.
GRAPHQL = re.compile(r"\bgraphql\b", re.I)
NOT_GRAPHQL = re.compile(r"\b(rather than|instead of|not|no|without|over|versus|vs\.?|than)\s+(a\s+)?graphql\b|"
                         r"\bgraphql\s+(is|would be)\s+(not|overkill|unnecessary)|"
                         r"\b(considered|rejected|dropped|ruled out|decided against)\s+(using\s+)?graphql\b", re.I)
# A bound on what one query may cost, checked before it runs, or only known queries accepted (OWASP GraphQL
# Cheat Sheet: depth and amount limiting, query cost analysis; GitHub's GraphQL API: node limit, points).
QUERY_LIMITS = re.compile(r"\bdepth\b|\bdeep\b|\bnesting\b|\bcomplexity\b|\bcosts?\b|\bpoints\b|\bnode limit\b|"
                          r"\bpersisted (queries|operations|documents)\b|\btrusted (documents|queries|operations)\b|"
                          r"\ballow-?list\w*|\bsafe-?list\w*", re.I)
# Where such a bound must be said: about GraphQL or its queries, not about the cost of an SMS.
ABOUT_QUERIES = re.compile(r"\bgraphql\b|\bquer(y|ies)\b|\bresolvers?\b", re.I)
