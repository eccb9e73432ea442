"""Idempotency keys: a retried POST returns the first response instead of doing the work twice.

Follows the IETF draft ``draft-ietf-httpapi-idempotency-key-header`` (section numbers: -06). The client sends
``Idempotency-Key: "<unique value>"``; the server remembers, per caller, endpoint and key:

* an **in-flight** record while the first request runs. It has a lock expiry, so a
  server that crashed mid-request does not hold the key forever;
* a **completed** record (status, headers, body) once it answered, kept for
  ``ttl`` seconds (24 h by default). A retry gets that response back byte for byte,
  marked ``Idempotent-Replayed: true`` (Stripe's header; the draft defines none); after the ttl the key runs as new.

Claiming a key is one atomic step (a Lua script on Redis, the store's lock in memory),
so of 50 identical requests racing, exactly one does the work.

What is stored:

* 2xx/3xx responses: stored (that is the point);
* 4xx raised before any work (validation, 403, 404): not stored, the key is released
  (marked free, keeping only its generation), so the client can fix the request and
  retry with the same key. This departs from the draft on purpose, following Stripe ("no
  idempotent result is saved" when validation fails): the draft says a key MUST NOT be reused
  with a different payload (section 2.2) and a retry SHOULD get the previous result, success
  or error (section 2.6);
* a deliberate ``ApiError`` 5xx (e.g. 503 from an open circuit breaker) is raised before
  any work too: released, so a retry can succeed once the dependency is back;
* an unexpected crash (500): **stored** if the handler had written to the database, as Stripe
  does (re-running would duplicate the write; the replayed 500 says "check, then use a new
  key"); released if it had written nothing, since a retry then has nothing to duplicate.

Time and takeovers. Deadlines are read on the store's clock (Redis ``TIME`` inside the
script), so every app server sharing the store agrees on what "expired" means. A lock
expires so that a crashed server cannot hold a key forever, but a server that is only
slow may still be running when its lock expires. So a takeover requires two things: the
lock has expired on the store's clock, and the retry carries the same payload (a different
one is the draft's 422, never a takeover). Each claim gets a **generation**, one more than
the record it replaces: a fencing token. Completing or releasing a key needs the key's
current generation, so the slow first run cannot record its result over the retry's; the
server answers it 409 ``IDEMPOTENCY_CLAIM_LOST``, logs both the takeover and the refusal,
and the retry's record says ``took_over``.

The honest limit. The fence guards the *record*, not the *work*: the message is written to
the database, the record to the shared store, and no transaction spans the two. A run whose
lock expired, or a server that crashed after writing the message and before the record, can
still have done the work once more than the record says. What this gives is at-least-once
execution with deduplication of the answers, not exactly-once; the lock TTL must be longer
than any request takes, and a 409 ``IDEMPOTENCY_CLAIM_LOST`` tells the client to check.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Callable

from flask import Response, current_app, make_response, request
from werkzeug.exceptions import HTTPException

from .clock import Clock
from .errors import ApiError, Conflict, InvalidInput, Unprocessable
from .store import Store

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"  # Stripe's header; the draft defines no replay marker
MAX_KEY_LENGTH = 255  # Stripe's limit; the draft leaves it to the server
DAY = 24 * 3600.0

BARE_KEY = re.compile(r"[\x21\x23-\x7e]+")                    # visible ASCII, no quotes
_QUOTED_KEY = re.compile(r'"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')  # RFC 8941 sf-string
_UNSTORED_HEADERS = {"content-length", "date", "set-cookie", "connection"}
log = logging.getLogger(__name__)


class IdempotencyKeyMissing(InvalidInput):
    """400: this endpoint requires an Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header, 2.7)."""

    code = "IDEMPOTENCY_KEY_MISSING"


class IdempotencyKeyMalformed(InvalidInput):
    """400: the Idempotency-Key is not a 1-255 character string (draft, section 2.1: an sf-string)."""

    code = "IDEMPOTENCY_KEY_INVALID"


class IdempotencyKeyReused(Unprocessable):
    """422: the key was already used with a different request payload (draft, section 2.7)."""

    code = "IDEMPOTENCY_KEY_REUSED"


class IdempotencyKeyInUse(Conflict):
    """409: a request with this key is still being processed (draft, section 2.7)."""

    code = "IDEMPOTENCY_KEY_IN_USE"


class IdempotencyClaimLost(Conflict):
    """409: this request ran past its lock and a retry took the key over, so its result was not recorded (fencing)."""

    code = "IDEMPOTENCY_CLAIM_LOST"


# -- the key and the fingerprint --------------------------------------------------

def parse_key(header: str, max_length: int = MAX_KEY_LENGTH) -> str:
    """The key in an ``Idempotency-Key`` header: a quoted sf-string (the draft), or leniently a bare token."""
    header = header.strip()
    quoted = _QUOTED_KEY.fullmatch(header)
    if quoted:
        key = re.sub(r'\\(["\\])', r"\1", quoted.group(1))
    elif BARE_KEY.fullmatch(header):
        key = header
    else:
        raise IdempotencyKeyMalformed(f"{HEADER} must be a quoted string of visible ASCII characters.",
                                      details=[{"field": HEADER, "issue": "invalid_format"}])
    if not 1 <= len(key) <= max_length:
        raise IdempotencyKeyMalformed(f"{HEADER} must be 1 to {max_length} characters long.",
                                      details=[{"field": HEADER, "issue": "invalid_length", "max": max_length}])
    return key


def canonical_json(value: Any) -> str:
    """One spelling per JSON value: sorted keys, no spaces, so key order never changes a fingerprint."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(body: bytes) -> str:
    """SHA-256 of the body as canonical JSON (of the raw bytes if it is not JSON)."""
    try:
        data = canonical_json(json.loads(body)).encode()
    except (ValueError, UnicodeDecodeError, RecursionError):  # not JSON, or nested too deep to parse
        data = body
    return hashlib.sha256(data).hexdigest()


# -- records ------------------------------------------------------------------------

@dataclass(frozen=True)
class Record:
    """What the store holds for one key: in flight (locked until ``deadline``), completed (kept until ``deadline``),
    or released (free again; kept only so that ``generation`` keeps counting)."""

    state: str            # "in_flight", "completed" or "released"
    fingerprint: str
    deadline: float       # seconds on the store's clock: lock expiry, or end of retention
    generation: int       # the fencing token: 1 for the key's first claim, +1 for each claim after it
    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""        # UTF-8 text; undecodable bytes survive as surrogate escapes
    took_over: bool = False  # this run took the key over from an earlier run whose lock expired

    def encode(self) -> str:
        """``state deadline generation fingerprint {json}``: Lua reads the first four fields without a JSON parser."""
        return f"{self.state} {self.deadline!r} {self.generation} {self.fingerprint} {self.rest()}"

    def rest(self) -> str:
        """The fields only Python reads, as JSON."""
        return json.dumps({"status": self.status, "headers": [list(h) for h in self.headers], "body": self.body,
                           "took_over": self.took_over})

    @classmethod
    def decode(cls, text: str) -> "Record":
        state, deadline, generation, fp, rest = text.split(" ", 4)
        r = json.loads(rest)
        return cls(state, fp, float(deadline), int(generation), r.get("status", 0),
                   tuple(tuple(h) for h in r.get("headers", ())), r.get("body", ""), r.get("took_over", False))

    def response(self) -> Response:
        """The stored response, byte for byte, marked as a replay."""
        replay = Response(self.body.encode("utf-8", "surrogateescape"), status=self.status, headers=list(self.headers))
        replay.headers[REPLAYED] = "true"
        return replay


@dataclass(frozen=True)
class Claim:
    """The answer to "may I run this request?": ``won`` with a ``generation``, or the ``record`` already there."""

    won: bool
    generation: int = 0      # the fencing token: completing or releasing needs the key's current generation
    fingerprint: str = ""
    record: Record | None = None
    took_over: bool = False  # won by taking over an unfinished run whose lock had expired


# Both scripts read ``now`` from ARGV[1], or the store's own clock (TIME) when it is negative, so
# every app server measures deadlines on the one clock they share.
_LUA_NOW = """
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local function record(state, lifetime, generation, fingerprint, rest)
  local deadline = string.format('%.17g', now + lifetime)
  return state .. ' ' .. deadline .. ' ' .. generation .. ' ' .. fingerprint .. ' ' .. rest
end
"""

# Claim: a live record (deadline in the future) wins, and so does an unfinished run of a different request
# (a key reused with another payload is a 422, never a takeover). Otherwise ours is written, one generation
# up. Returns {0, the record found} or {our generation, the state we replaced ('' if none)}.
_CLAIM_LUA = _LUA_NOW + """
local current = redis.call('GET', KEYS[1])
local generation, replaced = 1, ''
if current then
  local state, deadline, gen, fingerprint = string.match(current, '^(%S+) (%S+) (%S+) (%S+) ')
  if tonumber(deadline) > now or (state == 'in_flight' and fingerprint ~= ARGV[2]) then return {0, current} end
  generation, replaced = tonumber(gen) + 1, state
end
redis.call('SET', KEYS[1], record('in_flight', tonumber(ARGV[3]), generation, ARGV[2], '{}'), 'PX', ARGV[4])
return {generation, replaced}
"""

# Complete or release: only the holder of the key's current generation may (a takeover raises it).
_FINISH_LUA = _LUA_NOW + """
local current = redis.call('GET', KEYS[1])
if current and string.match(current, '^%S+ %S+ (%S+) ') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], record(ARGV[3], tonumber(ARGV[4]), ARGV[2], ARGV[5], ARGV[6]), 'PX', ARGV[7])
return 1
"""


def _claim_py(store, keys, args):
    now, fingerprint, lock_ttl, ttl_ms = args
    current = store.load(keys[0])
    generation, replaced = 1, ""
    if current is not None:
        state, deadline, gen, found = current.split(" ", 4)[:4]
        if float(deadline) > now or (state == "in_flight" and found != fingerprint):
            return [0, current]
        generation, replaced = int(gen) + 1, state
    store.save(keys[0], Record("in_flight", fingerprint, now + lock_ttl, generation).encode(), ttl_ms / 1000)
    return [generation, replaced]


def _finish_py(store, keys, args):
    now, generation, state, lifetime, fingerprint, rest, ttl_ms = args
    current = store.load(keys[0])
    if current is not None and current.split(" ", 3)[2] != generation:
        return 0
    store.save(keys[0], f"{state} {now + lifetime!r} {generation} {fingerprint} {rest}", ttl_ms / 1000)
    return 1


class IdempotencyStore:
    """Claim, complete and release idempotency records in a ``Store``: one round trip each.

    A call whose reply is lost raises ``StoreUnavailable`` and is not re-sent: if a lost claim did run,
    its key stays in flight (409 to a retry) until ``lock_ttl`` passes, and only then runs again.

    Time: with no ``clock``, deadlines are read on the store's own clock (Redis ``TIME``
    inside the script; the memory store's clock), so app servers with skewed clocks agree.
    Tests and demos pass a ``FakeClock`` (on a memory store, the store's own).
    """

    def __init__(self, store: Store, clock: Clock | None = None, *, ttl: float = DAY, lock_ttl: float = 30.0,
                 prefix: str = "idem:"):
        self.store, self.ttl, self.lock_ttl, self.prefix = store, ttl, lock_ttl, prefix
        if clock is None:
            clock = store.clock if store.kind == "memory" else STORE_TIME
        self.clock = clock
        self._claim = store.script(_CLAIM_LUA, _claim_py)
        self._finish = store.script(_FINISH_LUA, _finish_py)

    def key(self, scope: str, key: str) -> str:
        """The store key: scope (caller, method, path) then the client's key."""
        return f"{self.prefix}{scope}|{key}"

    def claim(self, scope: str, key: str, fingerprint: str) -> Claim:
        """Take the key for a new run, or return the live record that holds it (see ``_CLAIM_LUA``)."""
        # Every record is kept for ``ttl``, in flight too: a takeover must see the generation it replaces.
        generation, found = self._claim([self.key(scope, key)], [self.clock.now(), fingerprint, self.lock_ttl,
                                                                 _ms(self.ttl)])
        if generation == 0:
            return Claim(False, fingerprint=fingerprint, record=Record.decode(found))
        return Claim(True, int(generation), fingerprint, took_over=found == "in_flight")

    def complete(self, scope: str, key: str, claim: Claim, response: Response) -> bool:
        """Store ``response`` as the key's result for ``ttl`` seconds; False if a takeover fenced this claim off."""
        headers = tuple((k, v) for k, v in response.headers.items() if k.lower() not in _UNSTORED_HEADERS)
        body = response.get_data().decode("utf-8", "surrogateescape")
        done = Record("completed", claim.fingerprint, 0.0, claim.generation, response.status_code, headers, body,
                      claim.took_over)
        return self._finish_as(scope, key, done, lifetime=self.ttl)

    def release(self, scope: str, key: str, claim: Claim) -> bool:
        """Free the key (nothing was done), so the same key may run again; False if a takeover fenced this claim off."""
        return self._finish_as(scope, key, Record("released", claim.fingerprint, 0.0, claim.generation), lifetime=0)

    def _finish_as(self, scope: str, key: str, record: Record, lifetime: float) -> bool:
        """Write ``record`` if its generation still holds the key; the script sets its deadline, ``lifetime`` from now."""
        args = [self.clock.now(), str(record.generation), record.state, lifetime, record.fingerprint, record.rest(),
                _ms(self.ttl)]
        return bool(self._finish([self.key(scope, key)], args))

    def peek(self, scope: str, key: str) -> Record | None:
        """The record stored for a key, expired or not (for inspection)."""
        text = self.store.get(self.key(scope, key))
        return None if text is None else Record.decode(text)


class _StoreTime:
    """``now`` for a Redis script that reads the server's ``TIME`` itself (see ``_LUA_NOW``)."""

    def now(self) -> float:
        return -1.0


STORE_TIME = _StoreTime()


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


# -- the Flask decorator --------------------------------------------------------------

def records() -> IdempotencyStore:
    """The app's ``IdempotencyStore``, built once from config (``IDEMPOTENCY_TTL``, ``IDEMPOTENCY_LOCK_TTL``,
    ``IDEMPOTENCY_CLOCK``: "store", the shared store's clock, or "app", the app's ``CLOCK`` for fake-clock demos)."""
    from .server.services import services  # imported here: the server package imports this module
    svc = services()
    if "idempotency" not in svc.extras:
        cfg = current_app.config
        clock = svc.clock if cfg.get("IDEMPOTENCY_CLOCK", "store") == "app" else None
        svc.extras.setdefault("idempotency", IdempotencyStore(
            svc.store, clock, ttl=cfg.get("IDEMPOTENCY_TTL", DAY), lock_ttl=cfg.get("IDEMPOTENCY_LOCK_TTL", 30.0)))
    return svc.extras["idempotency"]


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Make a POST endpoint safe to retry with an ``Idempotency-Key`` (required if ``IDEMPOTENCY_REQUIRED``)."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get(HEADER)
        if header is None:
            if current_app.config.get("IDEMPOTENCY_REQUIRED", False):
                raise IdempotencyKeyMissing(f"This endpoint requires an {HEADER} header.",
                                            details=[{"field": HEADER, "issue": "required"}])
            return view(*args, **kwargs)
        key = parse_key(header, current_app.config.get("IDEMPOTENCY_KEY_MAX_LENGTH", MAX_KEY_LENGTH))
        from .server.auth import principal_id  # imported here: the server package imports this module
        scope = f"{principal_id()}|{request.method} {request.path}"  # authenticates first: 401 before any record
        store = records()
        claim = store.claim(scope, key, fingerprint(request.get_data()))
        if not claim.won:
            return answer_existing(claim)
        if claim.took_over:
            log.warning("%s %r: an unfinished run's lock expired; taken over as generation %d (it may still finish)",
                        HEADER, key, claim.generation)
        return run_claimed(store, scope, key, claim, view, args, kwargs)

    return guarded


def answer_existing(claim: Claim) -> Response:
    """A replay of the completed record, or the draft's 422 (other payload) / 409 (still running)."""
    record = claim.record
    if record.fingerprint != claim.fingerprint:
        raise IdempotencyKeyReused(f"This {HEADER} was already used with a different request body.",
                                   details=[{"field": HEADER, "issue": "reused_with_different_payload"}])
    if record.state == "in_flight":
        raise IdempotencyKeyInUse(f"A request with this {HEADER} is still being processed; retry later.",
                                  headers={"Retry-After": "1"})
    return record.response()


def run_claimed(store: IdempotencyStore, scope: str, key: str, claim: Claim,
                view: Callable[..., Any], args: tuple, kwargs: dict) -> Response:
    """Run the view we claimed the key for, then store its response or release the key (see module doc)."""
    writes = database_writes()
    try:
        response = make_response(view(*args, **kwargs))
    except (ApiError, HTTPException):
        store.release(scope, key, claim)  # deliberate errors are raised before any work: safe to run again
        raise
    except Exception as exc:  # a crash: stored if work was done (Stripe's choice), else released
        response = make_response(current_app.handle_user_exception(exc))
    if 400 <= response.status_code < 500 or (response.status_code >= 500 and database_writes() == writes):
        store.release(scope, key, claim)
    elif not store.complete(scope, key, claim, response):  # fenced off: a later claim holds the key now
        raise claim_lost(key, claim)
    return response


def claim_lost(key: str, claim: Claim) -> IdempotencyClaimLost:
    """The 409 for a run that finished after a takeover: logged, because its work may now be done twice."""
    log.warning("%s %r: generation %d finished after a takeover; its result was not recorded",
                HEADER, key, claim.generation)
    return IdempotencyClaimLost(f"This request outlived its {HEADER} lock and a retry took the key over, so its "
                                "result was not recorded and its effect may have happened twice: check the "
                                "resource's state before retrying.",
                                details=[{"field": HEADER, "issue": "taken_over", "generation": claim.generation}])


def database_writes() -> int:
    """Rows the app's database has changed so far: if a crashed request left it unchanged, it did no work.

    Another request's write in the meantime also counts, which errs on the side of storing the 500.
    """
    from .server.services import services  # imported here: the server package imports this module
    return services().db.conn.total_changes
