"""Idempotency keys: a retried POST returns the first response instead of doing the work twice.

Follows the IETF draft ``draft-ietf-httpapi-idempotency-key-header``. The client sends
``Idempotency-Key: "<unique value>"``; the server remembers, per caller, endpoint and key:

* an **in-flight** record while the first request runs. It has a lock expiry, so a
  server that crashed mid-request does not hold the key forever;
* a **completed** record (status, headers, body) once it answered, kept for
  ``ttl`` seconds (24 h by default). A retry gets that response back byte for byte,
  marked ``Idempotent-Replayed: true``; after the ttl the key runs as new.

Claiming a key is one atomic step (a Lua script on Redis, the store's lock in memory),
so of 50 identical requests racing, exactly one does the work.

What is stored:

* 2xx/3xx responses: stored (that is the point);
* 4xx raised before any work (validation, 403, 404): not stored, the key is released,
  so the client can fix the request and retry with the same key;
* a deliberate ``ApiError`` 5xx (e.g. 503 from an open circuit breaker) is raised before
  any work too: released, so a retry can succeed once the dependency is back;
* an unexpected crash (500) after the handler began: **stored**, as Stripe does. The
  server cannot tell whether the side effect committed, so re-running could duplicate
  it; a replayed 500 tells the client to check state and use a new key.

Deadlines are read from the app's wall clock (epoch seconds): records live in a shared
store, and every app server must agree on what "expired" means.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any, Callable

from flask import Response, current_app, make_response, request
from werkzeug.exceptions import HTTPException

from .clock import Clock
from .errors import ApiError, Conflict, InvalidInput, Unprocessable
from .store import Store

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255  # Stripe's limit; the draft leaves it to the server
DAY = 24 * 3600.0

BARE_KEY = re.compile(r"[\x21\x23-\x7e]+")                    # visible ASCII, no quotes
_QUOTED_KEY = re.compile(r'"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')  # RFC 8941 sf-string
_UNSTORED_HEADERS = {"content-length", "date", "set-cookie", "connection"}


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


# -- the key and the fingerprint --------------------------------------------------

def parse_key(header: str, max_length: int = MAX_KEY_LENGTH) -> str:
    """The key in an ``Idempotency-Key`` header: a quoted sf-string (the draft) or a bare token."""
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
    except (ValueError, UnicodeDecodeError):
        data = body
    return hashlib.sha256(data).hexdigest()


# -- records ------------------------------------------------------------------------

@dataclass(frozen=True)
class Record:
    """What the store holds for one key: in flight (until ``deadline``) or completed (kept until ``deadline``)."""

    state: str            # "in_flight" or "completed"
    fingerprint: str
    deadline: float       # epoch seconds: lock expiry, or end of retention
    owner: str            # the claim's token: only the owner may complete or release it
    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""        # UTF-8 text; undecodable bytes survive as surrogate escapes

    def encode(self) -> str:
        """``state deadline owner {json}``: the Lua scripts read the first three fields without a JSON parser."""
        rest = {"fingerprint": self.fingerprint, "status": self.status,
                "headers": [list(h) for h in self.headers], "body": self.body}
        return f"{self.state} {self.deadline!r} {self.owner} {json.dumps(rest)}"

    @classmethod
    def decode(cls, text: str) -> "Record":
        state, deadline, owner, rest = text.split(" ", 3)
        r = json.loads(rest)
        return cls(state, r["fingerprint"], float(deadline), owner, r["status"],
                   tuple(tuple(h) for h in r["headers"]), r["body"])

    def response(self) -> Response:
        """The stored response, byte for byte, marked as a replay."""
        replay = Response(self.body.encode("utf-8", "surrogateescape"), status=self.status, headers=list(self.headers))
        replay.headers[REPLAYED] = "true"
        return replay


@dataclass(frozen=True)
class Claim:
    """The answer to "may I run this request?": ``won`` with a ``token``, or the ``record`` already there."""

    won: bool
    token: str = ""
    fingerprint: str = ""
    record: Record | None = None


# Claim: if a live record exists (deadline in the future), return it; otherwise write ours.
_CLAIM_LUA = """
local current = redis.call('GET', KEYS[1])
if current then
  local deadline = tonumber(string.match(current, '^%S+ (%S+) '))
  if deadline > tonumber(ARGV[1]) then return current end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return ''
"""

# Complete or release: only the claim's owner may (a takeover after lock expiry changes the owner).
# An empty ARGV[2] means release (delete); a record whose lock already expired unclaimed is still written.
_FINISH_LUA = """
local current = redis.call('GET', KEYS[1])
if current and string.match(current, '^%S+ %S+ (%S+) ') ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
"""


def _claim_py(store, keys, args):
    now, record, ttl_ms = float(args[0]), args[1], int(args[2])
    current = store.load(keys[0])
    if current is not None and float(current.split(" ", 2)[1]) > now:
        return current
    store.save(keys[0], record, ttl_ms / 1000)
    return ""


def _finish_py(store, keys, args):
    owner, record, ttl_ms = args[0], args[1], int(args[2])
    current = store.load(keys[0])
    if current is not None and current.split(" ", 3)[2] != owner:
        return 0
    if record == "":
        store.delete(keys[0])
    else:
        store.save(keys[0], record, ttl_ms / 1000)
    return 1


class IdempotencyStore:
    """Claim, complete and release idempotency records in a ``Store``: one round trip each.

    A call whose reply is lost raises ``StoreUnavailable`` and is not re-sent: if a lost claim did run,
    its key stays in flight (409 to a retry) until ``lock_ttl`` passes, and only then runs again.
    """

    def __init__(self, store: Store, clock: Clock, *, ttl: float = DAY, lock_ttl: float = 30.0,
                 prefix: str = "idem:"):
        self.store, self.clock, self.ttl, self.lock_ttl, self.prefix = store, clock, ttl, lock_ttl, prefix
        self._claim = store.script(_CLAIM_LUA, _claim_py)
        self._finish = store.script(_FINISH_LUA, _finish_py)

    def key(self, scope: str, key: str) -> str:
        """The store key: scope (caller, method, path) then the client's key."""
        return f"{self.prefix}{scope}|{key}"

    def claim(self, scope: str, key: str, fingerprint: str) -> Claim:
        """Take the key for a new run, or return the live record that holds it (expired ones are taken over)."""
        token, now = secrets.token_hex(8), self.clock.now()
        mine = Record("in_flight", fingerprint, now + self.lock_ttl, token)
        found = self._claim([self.key(scope, key)], [repr(now), mine.encode(), _ms(self.lock_ttl)])
        if found == "":
            return Claim(True, token, fingerprint)
        return Claim(False, fingerprint=fingerprint, record=Record.decode(found))

    def complete(self, scope: str, key: str, claim: Claim, response: Response) -> bool:
        """Store ``response`` as the key's result for ``ttl`` seconds; False if the claim was lost."""
        headers = tuple((k, v) for k, v in response.headers.items() if k.lower() not in _UNSTORED_HEADERS)
        body = response.get_data().decode("utf-8", "surrogateescape")
        done = Record("completed", claim.fingerprint, self.clock.now() + self.ttl, claim.token,
                      response.status_code, headers, body)
        return bool(self._finish([self.key(scope, key)], [claim.token, done.encode(), _ms(self.ttl)]))

    def release(self, scope: str, key: str, claim: Claim) -> bool:
        """Forget the key (nothing was done), so the same key may run again; False if the claim was lost."""
        return bool(self._finish([self.key(scope, key)], [claim.token, "", 0]))

    def peek(self, scope: str, key: str) -> Record | None:
        """The record stored for a key, expired or not (for inspection)."""
        text = self.store.get(self.key(scope, key))
        return None if text is None else Record.decode(text)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


# -- the Flask decorator --------------------------------------------------------------

def records() -> IdempotencyStore:
    """The app's ``IdempotencyStore``, built once from config (``IDEMPOTENCY_TTL``, ``IDEMPOTENCY_LOCK_TTL``)."""
    from .server.services import services  # imported here: the server package imports this module
    svc = services()
    if "idempotency" not in svc.extras:
        cfg = current_app.config
        svc.extras.setdefault("idempotency", IdempotencyStore(
            svc.store, svc.wall_clock, ttl=cfg.get("IDEMPOTENCY_TTL", DAY),
            lock_ttl=cfg.get("IDEMPOTENCY_LOCK_TTL", 30.0)))
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
    try:
        response = make_response(view(*args, **kwargs))
    except (ApiError, HTTPException):
        store.release(scope, key, claim)  # deliberate errors are raised before any work: safe to run again
        raise
    except Exception as exc:  # a crash after work may have begun: store the 500 (Stripe's choice)
        response = make_response(current_app.handle_user_exception(exc))
        store.complete(scope, key, claim, response)
        return response
    if 400 <= response.status_code < 500:
        store.release(scope, key, claim)
    else:
        store.complete(scope, key, claim, response)
    return response
