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
# Sending the visitor somewhere else is navigation too, in any words: "Send the visitor on to the long URL",
# "Bounce the browser to the target (302)", "Move the visitor along with a 307".
MOVES_THE_VISITOR = re.compile(r"^(send|forward|take|bounce|move|route|direct|point|lead|bring|guide|pass|hand)\w*\s"
                               r"(?=.*\b(visitors?|browsers?|users?|clients?|callers?|readers?|people|them|30[1278])\b)"
                               r".*\b(to|on|onward|along|through|off)\b", re.I)

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
                           "who", "what", "where", "when", "how", "they", "we", "it", "there", "here"})
PAGING_PARAMS = frozenset({"cursor", "limit", "page", "offset", "after", "before", "page_size", "pagesize"})

# --- chapter 07: consistency, API styles ----------------------------------------------------------

# Resources several people (or processes) edit by their nature: a wiki page, a shared document, a board, the
# settings of a channel or team, a stock count that scanners and the shop both write. A read-modify-write on
# one of them can silently wipe another writer's change: the "lost update" of RFC 9110 section 13.1.1 and
# RFC 6585 section 3. Singular lemmas.
SHARED_NOUNS = frozenset({"document", "doc", "page", "wiki", "board", "sheet", "spreadsheet", "channel", "group",
                          "team", "workspace", "project", "inventory", "stock"})
# Several writers are a subject and an edit verb, in any words: "Both flatmates tick items off", "Anyone on
# the team can drag a card", "Two shift managers adjust the roster", "The whole travelling party works on one
# itinerary", "folders are renamed by whoever in the team". The verbs are lemmas (language.readings): any
# inflection counts, and a noun ("Stock changes are deltas") is read as a verb only where a subject precedes it.
EDIT_LEMMAS = frozenset({"edit", "change", "update", "modify", "write", "save", "move", "rename", "reschedule",
                         "tick", "drag", "retitle", "amend", "tweak", "adjust", "reorder", "rearrange", "rewrite",
                         "revise", "alter", "correct", "fix", "add", "remove", "delete", "work", "reorganize",
                         "reorganise", "replan", "overwrite", "publish", "manage", "maintain", "curate", "annotate"})
# A subject that names more than one writer: a quantifier, a number, or a plural noun (language.is_plural).
MANY_QUANTIFIERS = frozenset({"any", "anyone", "anybody", "each", "every", "everyone", "everybody", "both", "whole",
                              "all", "several", "multiple", "many", "whoever", "two", "three", "four", "five",
                              "various", "entire", "other", "others"})
# Writers that each write their own ("Users edit their profiles", "each customer changes"), not several of one thing.
EACH_THEIR_OWN = frozenset({"user", "customer", "client", "owner", "creator", "author"})
# Shared by nature or by ownership, said of the writers: "co-owned", "co-edited", "collaborative", "shared by
# everyone in the team" (shared *with an audience*, "shared on social media", says nothing about writers).
SHARED_WRITERS = re.compile(r"\bco-?(?:own|edit|author|writ)\w*|\bcollaborativ\w*|"
                            r"\bshared (?:by|between|among|amongst) (?:all|every|any|both|the (?:whole )?(?:team|"
                            r"family|household|group|class))\w*", re.I)
# A resource only one person writes; it wins over everything but several writers named in the same sentence:
# "Documents are private", "a personal diary", "a single-user app", "only their author can edit them", "only ever
# edited by the person who created it", "nobody but their creator", "single-owner", "one owner, who alone can
# change it", "per user", "for me".
PRIVATE = re.compile(r"\bprivate\b|\bpersonal\b|\bsingle[- ](?:user|owner|writer)\b|\b(belongs?|private) to (?:one|a single) "
                     r"(?:user|person|account)\b|\bonly (?:the |its |their )?(?:\w+'s )?(?:author|owner|creator)s?\b|"
                     r"\bonly the (?:user|person|account) who\b|\b(?:nobody|no one) (?:else|but)\b|\bone (?:writer|owner|"
                     r"author|editor)\b|\b(?:my|your|their|his|her) own\b|\bonly(?: ever)? (?:\w+ed|written) by (?:the|its|"
                     r"their|one|a single) (?:person|user|account|owner|author|creator)\b|\balone\b|\bsolo\b|"
                     r"\b(?:is|are|kept|stored)\s+per[- ](?:user|person|account|member)\b|\bper[- ]user (?:settings?|"
                     r"preferences?|data|state)\b|\bfor (?:me|myself)\b", re.I)
# Writes that are not read-modify-write cannot lose an update: a delta applied by the server ("qty = qty - n",
# "Decrement stock by the quantity sold", "increments"), said outright ("never read-modify-write").
NO_READ_MODIFY_WRITE = re.compile(r"\bdeltas?\b|\b(?:increment|decrement)\w*|\b(\w+)\s*=\s*\1\s*[-+]|"
                                  r"\b(?:never|not|no|without) (?:a )?read-modify-write\b", re.I)

# What stops a lost update, said as a write condition (RFC 9110 section 13.1): a mechanism that is one by
# itself (If-Match, optimistic locking, a CRDT), or a token the client read (an ETag, a version, revision,
# generation, sequence number, updatedAt or hash) that the write is compared on, with a cue that it is
# compared (409 or 412, "it read", "stale", "changed since"). A bare "ETag" (a cache validator, an upload
# part's checksum) or "version" (of the app, of the API, a version history) says nothing about writes.
WRITE_CONDITION = re.compile(r"\bif[- ]match\b|\bif[- ]unmodified[- ]since\b|\boptimistic(?:ally)? "
                             r"(?:lock\w*|concurrency|concurrency control|check\w*)\b|compare[- ]and[- ](?:set|swap)|"
                             r"\bcrdts?\b|conflict-free replicated|operational transform\w*|\btransforms? (?:it |them )?"
                             r"against\b|\bkeeps? both\b|\bmerged? instead of overwrit\w*|\basks? [\w ]{0,20}to merge\b|"
                             r"\b(?:pessimistic|edit|row|record|write) locks?\b|"
                             r"\b(?:conditional|guarded) (?:writes?|puts?|patch(?:es)?|updates?|saves?)\b|"
                             r"\b(?:writes?|puts?|patch(?:es)?|updates?|saves?) (?:are|is) conditional\b", re.I)
# An If-Match the client may leave out conditions nothing: the write without it is applied ("(If-Match
# optional)", as review.contract labels such a row; "If-Match is optional"; "a write without If-Match still
# applies"), unless the same sentence says a write without one is refused ("428 without If-Match").
OPTIONAL_CONDITION = re.compile(r"\bif[- ]match(?: header)?,? (?:is |stays |remains )?optional\b|"
                                r"\boptional if[- ]match\b", re.I)
NO_CONDITION = re.compile(r"\b(?:without|no) (?:an? |the )?if[- ]match\b", re.I)
# Negated, a refusal promises none: "never refused", "are not rejected", "refusing it is not planned".
NEGATED_BEFORE = re.compile(r"\b(?:not|never|nobody|no one|nothing)\b[\w\s,'-]{0,30}$|n't\s+(?:\w+\s+){0,2}$", re.I)
NEGATED_AFTER = re.compile(r"^\w*\s+(?:\w+\s+)?(?:is|are|was|were)\s+not\b|^\w*\s+(?:\w+\s+)?(?:isn't|aren't)\b|"
                           r"^\w*\s+(?:nothing|none)\b", re.I)
# A sentence about a write (not a read's revalidation): its noun or its method.
ABOUT_A_WRITE = re.compile(r"\b(?:writes?|saves?|saving|saved|puts?|patch(?:es)?|updates?|edits?|submits?|"
                           r"overwrites?|changes?)\b|\b(?:PUT|PATCH)\b", re.I)
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
                      r"\boutdated\b|\brefus\w*|\breject\w*|\bturned away\b|\bchanged since\b|\bmoved on\b|\bnot the latest\b|"
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
# reads, lookups, subscriptions, a history, screens, views, browsing, searching (on the row; in the notes only
# an explicit "only queries", "GraphQL for reads": a note that limits "query cost" says nothing about what the
# endpoint does). It writes, so a retry can run a mutation twice: mutations, writes, "everything", every
# operation, a mutation's name (placeOrder, addToCart), or a verb that writes (read by its lemma in
# flows.graphql_writes, not from this list of words: "Riders book trips", "Reserve a table", "submit answers").
GRAPHQL_READS = re.compile(r"\bquer(?:y|ies)\b|\breads?\b|\bread-only\b|\bfetch\w*|\blook ?ups?\b|"
                           r"\bsubscriptions?\b|\bhistor(?:y|ies)\b|\bscreens?\b|\bviews?\b|\bshow(?:s|ing)?\b|"
                           r"\bsee\b|\bbrows\w*|\bsearch\w*|\bdisplay\w*", re.I)
# A note that says the GraphQL endpoint only reads: "GraphQL for reads", "only queries", "no mutations".
GRAPHQL_ONLY_READS = re.compile(r"\bonly\s+(?:\w+\s+){0,2}(?:quer(?:y|ies)|reads?)\b|\b(?:quer(?:y|ies)|reads?)\s+only\b|"
                                r"\bread-only\b|\bfor reads\b|\bno mutations\b|\bnever (?:writes|mutates)\b", re.I)
GRAPHQL_WRITES = re.compile(r"\bmutations?\b|(?<!\bnot )(?<!n't )(?<!\bwe )(?<!\bthey )(?<!\byou )\bwrit(?:e|es|ing)\b|"
                            r"\beverything\b|\bevery (?:operation|call|request)\b|\ball (?:operations|calls|requests)\b", re.I)
# Verbs (as lemmas) whose request changes something: a retried one does it twice.
WRITE_LEMMAS = frozenset({"book", "buy", "transfer", "submit", "reserve", "checkout", "place", "pay", "send",
                          "create", "update", "delete", "edit", "add", "remove", "cancel", "post", "purchase",
                          "order", "upload", "publish", "register", "modify", "change", "set", "save", "rate",
                          "vote", "like", "follow", "invite", "refund", "charge", "mutate", "insert"})
# Nouns that name the act of writing ("money transfers", "purchases"), not a thing ("books", "places") nor the
# news a subscription delivers ("trip updates", "changes").
WRITE_ACTION_NOUNS = frozenset({"transfer", "purchase", "checkout", "payment", "booking", "reservation",
                                "submission", "deletion", "creation", "edit", "refund", "upload"})
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
