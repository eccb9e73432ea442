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
# and the web shop both update stock", "each person can change" the household's list, "every attendee may
# reschedule" the event. The note must also name the resource.
WRITE_VERBS_ANY = (r"edit|edits|change|changes|update|updates|modify|modifies|write|writes|save|saves|move|moves|"
                   r"rename|renames|reschedule|reschedules")
MANY_WRITERS = re.compile(r"\b(members|editors|agents|admins|teammates|collaborators|staff|anyone|everyone|both|"
                          r"several|multiple|many|attendees|participants|guests|roommates|household|family|managers|waiters|"
                          r"teachers|moderators|employees|colleagues|co-?workers|parents|volunteers|organi[sz]ers|"
                          r"friends|people|"
                          r"(?:each|every|any) (?!user\b|customer\b)[a-z]+)\b[^.;]*\b(" + WRITE_VERBS_ANY + r")\b|"
                          r"\bshared\b|\bshares\b|\bcollaborativ\w*|\btogether\b|\bco-?edit\w*|\bconcurrent\w*|"
                          r"\bat the same time\b|\bsimultaneous\w*", re.I)
# A resource only one person writes: "Documents are private", "a personal diary", "a single-user app",
# "only their author can edit them", "nobody else can see them", "their own settings".
PRIVATE = re.compile(r"\bprivate\b|\bpersonal\b|\bsingle[- ]user\b|\b(belongs?|private) to (?:one|a single) "
                     r"(?:user|person|account)\b|\bonly (?:the |its |their )?(?:\w+'s )?(?:author|owner|creator)s?\b|"
                     r"\bonly the (?:user|person|account) who\b|\b(?:nobody|no one) else\b|\bone writer\b|"
                     r"\b(?:my|your|their|his|her) own\b", re.I)

# What stops a lost update, said as a write condition (RFC 9110 section 13.1): a mechanism that is one by
# itself (If-Match, optimistic locking, a CRDT), or a token the client read (an ETag, a version, revision,
# generation, sequence number, updatedAt or hash) that the write is compared on, with a cue that it is
# compared (409 or 412, "it read", "stale", "changed since"). A bare "ETag" (a cache validator, an upload
# part's checksum) or "version" (of the app, of the API, a version history) says nothing about writes.
WRITE_CONDITION = re.compile(r"\bif[- ]match\b|\bif[- ]unmodified[- ]since\b|\boptimistic(?:ally)? "
                             r"(?:lock\w*|concurrency|concurrency control|check\w*)\b|compare[- ]and[- ](?:set|swap)|"
                             r"\bcrdts?\b|conflict-free replicated|operational transform\w*|"
                             r"\b(?:pessimistic|edit|row|record|write) locks?\b|"
                             r"\b(?:conditional|guarded) (?:writes?|puts?|patch(?:es)?|updates?|saves?)\b|"
                             r"\b(?:writes?|puts?|patch(?:es)?|updates?|saves?) (?:are|is) conditional\b", re.I)
# An If-Match the client may leave out conditions nothing: the write without it is applied ("(If-Match
# optional)", as review.contract labels such a row; "If-Match is optional"; "a write without If-Match still
# applies"), unless the same sentence says a write without one is refused ("428 without If-Match").
OPTIONAL_CONDITION = re.compile(r"\bif[- ]match(?: header)?,? (?:is |stays |remains )?optional\b|"
                                r"\boptional if[- ]match\b", re.I)
NO_CONDITION = re.compile(r"\b(?:without|no) (?:an? |the )?if[- ]match\b", re.I)
REFUSED_WITHOUT = re.compile(r"\b428\b|\brefus\w*|\breject\w*|\brequire[sd]?\b|\bmust (?:send|carry|include)\b", re.I)
READ_TOKEN = re.compile(r"\betags?\b|\bentity[- ]tags?\b|\bversions?\b(?! history)|\brevisions?\b|"
                        r"\bgenerations?\b|\bsequence(?: numbers?)?\b|\bseq\b|\bupdated[_ ]?at\b|"
                        r"\blast[- ]?modified\b|\bhash(?:es)?\b|\bchecksums?\b", re.I)
# Versions that are not a resource's: the API's (/v1), the app's or the client's, a schema's.
NOT_A_RESOURCE_VERSION = re.compile(r"\b(?:api|app|app's|apps'|client|client's|sdk|schema|protocol|mobile)[- ]"
                                    r"(?:version|revision)s?\b|\bversion(?:ing)?\s*:?\s*/?v\d|\buser-agent\b",
                                    re.I)
# An ETag or a checksum of an upload's parts (S3 multipart upload) checks the bytes, not a concurrent write.
UPLOAD_PARTS = re.compile(r"\b(?:parts?|chunks?|uploads?|object storage)\b", re.I)
COMPARED = re.compile(r"\b409\b|\b412\b|\bconflict\b|\bstale\b|\bmismatch\w*|\bout[- ]of[- ]date\b|"
                      r"\boutdated\b|\bold(?:er)?\b|\bchanged since\b|\bmoved on\b|\bnot the latest\b|"
                      r"\b(?:it|they|you|the client) (?:read|saw|fetched|got)\b|\bbased on\b|\bcompar\w*|"
                      r"\b(?:does not|doesn't|must|no longer) match\w*", re.I)
# Last write wins is a choice, not an oversight, only with its reason: "... is acceptable: there is one writer".
LAST_WRITE_WINS = re.compile(r"last[- ]write[- ]wins|\blast (?:write|writer|edit|save|change|update|answer|one) wins\b",
                             re.I)
LWW_REASON = re.compile(r"\bbecause\b|\bsince\b|\bas\b|\bso\b|\bgiven\b|\bacceptable\b|\bfine\b|\bharmless\b|"
                        r"\bonly\b|\bone writer\b|\bnever\b|:", re.I)

# GraphQL, named (chosen, unless the words around it turn it down).
GRAPHQL = re.compile(r"\bgraphql\b", re.I)
# Turned down by the words just before it: "rather than GraphQL", "no need for GraphQL", "we did not pick
# GraphQL", "we prefer REST to GraphQL", "considered GraphQL but", "REST over GraphQL" (a style over a style;
# "pushed over GraphQL subscriptions" uses it).
REJECTED_BEFORE = re.compile(r"(?:\b(?:not|no|without|rather than|instead of|versus|vs\.?|than|against|never|"
                             r"considered|rejected|dropped|ruled out|decided against|no need for|skip\w*|avoid\w*)|"
                             r"n't)\s+(?:(?:a|an|the|any|using|use|pick|picked|choose|chose|adopt|need|want|go with)\s+)"
                             r"{0,2}$|\bprefer\w*\s+[\w/.+ -]{1,30}?\s+(?:to|over)\s+$|"
                             r"\b(?:chose|choose|picked|pick|went with|favou?r\w*)\s+[\w/.+ -]{1,30}?\s+over\s+$|"
                             r"\b(?:rest|grpc|json|http)\s+over\s+$", re.I)
# ... or by the words just after it: "GraphQL isn't needed", "GraphQL was considered and rejected",
# "GraphQL would add complexity", "GraphQL is overkill".
REJECTED_AFTER = re.compile(r"^\s*(?:(?:is|was|are|were|would be)\s+(?:not|never|overkill|unnecessary|rejected|"
                            r"ruled out|dropped|considered (?:and|but) (?:rejected|dropped|ruled out))|"
                            r"(?:isn't|wasn't|aren't|is not|was not)|would\s+(?:add|cost|break|mean|complicate|"
                            r"make|be overkill|be unnecessary|need))\b", re.I)
# What a GraphQL endpoint does, said on its row or where the notes speak of GraphQL. It reads: queries,
# reads, lookups, subscriptions, a history, screens, views, browsing, searching. It writes, so a retry can run a mutation twice: mutations, writes, placing an
# order, creating, updating, deleting, paying, sending (not "send a query", nor "a query we did not write"),
# "everything", every operation, or a mutation's name (placeOrder, addToCart). A bare "orders" is a noun:
# "queries for past orders" only reads.
GRAPHQL_READS = re.compile(r"\bquer(?:y|ies)\b|\breads?\b|\bread-only\b|\bfetch\w*|\blook ?ups?\b|"
                           r"\bsubscriptions?\b|\bhistor(?:y|ies)\b|\bscreens?\b|\bviews?\b|\bshow(?:s|ing)?\b|"
                           r"\bsee\b|\bbrows\w*|\bsearch\w*|\bdisplay\w*", re.I)
GRAPHQL_WRITES = re.compile(r"\bmutations?\b|(?<!\bnot )(?<!n't )(?<!\bwe )(?<!\bthey )(?<!\byou )\bwrit(?:e|es|ing)\b|"
                            r"\bplac(?:e|es|ing)\s+(?:an?\s+|the\s+|their\s+)?orders?\b|\bcreat(?:e|es|ing)\b|"
                            r"\bupdat(?:e|es|ing)\b|\bdelet(?:e|es|ing)\b|\bpay(?:s|ing)?\b|"
                            r"\bsend(?:s|ing)?\b(?!\s+(?:\w+\s+){0,3}quer)|\beverything\b|"
                            r"\bevery (?:operation|call|request)\b|\ball (?:operations|calls|requests)\b", re.I)
MUTATION_NAME = re.compile(r"\b(?:place|create|update|delete|add|remove|send|pay|cancel|book|submit|set)[A-Z]")
# A clause about another style ("REST for writes, GraphQL for reads") says nothing about the GraphQL endpoint.
OTHER_STYLE = re.compile(r"\brest(?:ful)?\b|\bgrpc\b|\bwebhooks?\b|\bweb ?sockets?\b|\bsse\b", re.I)

# A bound on what one query may do, checked before it runs (OWASP GraphQL Cheat Sheet: depth and amount
# limiting, query cost analysis; GitHub's GraphQL API: node limit, points): a measure of the query (its depth
# or nesting in levels, the nodes it selects, its complexity, cost, points or budget) next to a bound on it
# ("more than 4 levels", "at most 500 nodes", "refused above a budget of 1,000", "max 3 levels").
QUERY_MEASURE = re.compile(r"\bdepth\b|\bdeep(?:er)?\b|\bnest\w*|\blevels?\b|\bnodes?\b|\bcomplexity\b|"
                           r"\bcosts?\b|\bpoints?\b|\bbudget\b|\bscor\w*", re.I)
BOUND = re.compile(r"\blimit\w*|\bmax(?:imum)?\b|\bat most\b|\bup to\b|\b(?:more|deeper|greater|higher) than\b|"
                   r"\babove\b|\bover \d|\bexceed\w*|\brefus\w*|\breject\w*|\bcap(?:s|ped)?\b|\bbounded\b|"
                   r"\bbudget of\b", re.I)
# Only known operations run: an allow-list (persisted queries, trusted documents, a whitelist, a safelist).
# Automatic persisted queries (APQ) alone are a cache: an unknown hash is answered by sending the full query,
# which then runs; they bound nothing unless unknown queries are refused.
KNOWN_OPERATIONS = re.compile(r"\btrusted (?:documents|queries|operations)\b|\ballow-?list\w*|\bsafe-?list\w*|"
                              r"\bwhite-?list\w*|\bregistered (?:at|during) build\b", re.I)
PERSISTED = re.compile(r"\bpersisted (?:queries|query|operations|documents)\b|\bapq\b|\bquery hash\w*", re.I)
ONLY_KNOWN = re.compile(r"\bonly\b|\bunknown\b[^.;]*\b(?:refus\w*|reject\w*|denied|fail\w*)|"
                        r"\b(?:any )?other (?:document|query|queries|operation)s?\b[^.;]*\b(?:refus\w*|reject\w*)", re.I)
# Where such a bound must be said: about GraphQL, its queries or operations, not about the cost of an SMS.
ABOUT_QUERIES = re.compile(r"\bgraphql\b|\bquer(y|ies)\b|\bresolvers?\b|\boperations?\b", re.I)
