"""Conditional requests (RFC 9110 section 13): ETags on representations, 304 for reads, 412 and 428 for writes.

- Every channel and message representation carries a strong ``ETag`` (section 8.8.3): a hash
  of its JSON, so two responses share a tag exactly when their content is byte-for-byte equal.
- A read with ``If-None-Match`` naming the current tag gets ``304 Not Modified``: no body, the
  tag repeated (section 15.4.5). A client that polls pays a few header bytes instead of the body.
  ``If-Match`` is evaluated first, on reads as on writes (section 13.2.2).
- A write with ``If-Match`` goes ahead only if the tag is still current, by *strong* comparison
  (section 13.1.1); a stale tag gets ``412 Precondition Failed`` and nothing changes. That turns
  the lost update (two writers, the second silently wiping the first) into a refusal.
- On ``/v2`` a write without ``If-Match`` gets ``428 Precondition Required`` (RFC 6585 section 3).
  ``/v1`` stays lenient: its clients were written before ETags existed, and rejecting their
  unconditional writes would break them, which an additive change must never do.

Preconditions are evaluated after authentication and access checks, as section 13.2.1 asks:
a stranger learns nothing from a 304 or a 412, because they get their 403/404 first.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from flask import Response, make_response, request
from werkzeug.datastructures import ETags
from werkzeug.http import generate_etag, parse_etags, quote_etag

from ..errors import InvalidInput, PreconditionFailed, PreconditionRequired, field_issue

# A per-user representation: no shared cache may keep it ("private"), and a client's own cache
# must ask before reusing it ("no-cache"), because a channel changes whenever anyone writes.
# RFC 9111 section 5.2.2.4 (no-cache) and 5.2.2.7 (private).
CACHE_CONTROL = "private, no-cache"
REQUIRED_ON = ("/v2/",)  # path prefixes whose writes must be conditional (428 without If-Match)
# RFC 9110 section 13.1.1: "*" alone, or a comma-separated list of entity-tags, each [W/]"<etagc...>"
ENTITY_TAG = r'(W/)?"[\x21\x23-\x7e]*"'
ENTITY_TAG_LIST = rf"^(\*|({ENTITY_TAG}([ \t]*,[ \t]*{ENTITY_TAG})*)?)$"
MAX_TAGS_LENGTH = 2000  # characters of If-Match / If-None-Match: room for dozens of tags
NO_REPRESENTATION = object()  # the target of a write that has no GET (an action, a collection without a list)


def entity_tag(body: Any) -> str:
    """The strong entity tag of a JSON body, unquoted: a hash of its canonical bytes."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return generate_etag(canonical.encode("utf-8"))


def represent(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """The answer to a read: the body with its ``ETag`` and ``Cache-Control``, or a 304 if the client has it.

    Section 13.2.2's order: a false If-Match is a 412 on a read too; only then does If-None-Match count."""
    tag = entity_tag(body)
    reading = request.method in ("GET", "HEAD")
    if reading and "If-Match" in request.headers and not tags_in("If-Match").contains(tag):
        raise PreconditionFailed(f"If-Match does not name the current ETag of {request.path}: it has changed.")
    if reading and tags_in("If-None-Match").contains_weak(tag):
        response = Response(status=304, headers=dict(headers or {}))  # Werkzeug drops the entity headers
    else:
        response = make_response(body, status, dict(headers or {}))
    response.set_etag(tag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def check_preconditions(current_body: Any, *, creating: bool = False) -> None:
    """Let a write proceed only if its preconditions hold for ``current_body``; else 412 (or 428 on /v2).

    ``current_body`` is what a GET of the target would show, or ``NO_REPRESENTATION`` for a target with no GET:
    then If-Match, even ``*``, is false (there is nothing for it to match, section 13.1.1) and If-None-Match is
    true. Every write evaluates the preconditions it received, as section 13.1.1 requires (a MUST): after
    authentication and access checks, before the request content is processed (section 13.2.1).
    ``creating``: a POST that adds to a collection overwrites nothing, so ``/v2`` does not require it to be
    conditional.
    """
    if_match, if_none_match = tags_in("If-Match"), tags_in("If-None-Match")  # a malformed header is a 400 first
    if current_body is NO_REPRESENTATION:
        if "If-Match" in request.headers:
            raise PreconditionFailed(f"{request.path} has no current representation for If-Match to match "
                                     "(RFC 9110 section 13.1.1), so the condition is false: send the request "
                                     "without it.")
        return  # If-None-Match is true: no current representation matches anything
    tag = entity_tag(current_body)
    if "If-Match" in request.headers:
        if not if_match.contains(tag):  # strong comparison: W/"..." never matches; "*" matches any
            raise PreconditionFailed(f"If-Match does not name the current ETag of {request.path}: someone "
                                     "changed it since you read it. GET it again, reapply your change, retry.")
    elif request.path.startswith(REQUIRED_ON) and not creating:
        raise PreconditionRequired(f"{request.method} on {request.path} must carry If-Match: send it with "
                                   "the ETag from your last GET, so you cannot overwrite a change you never saw.")
    if if_none_match.contains_weak(tag):
        # On a write, If-None-Match: * means "only if it does not exist yet" (section 13.1.2)
        raise PreconditionFailed(f"If-None-Match names the current representation of {request.path}.")


def received() -> bool:
    """Whether the request carries a precondition this module evaluates (If-Match or If-None-Match)."""
    return "If-Match" in request.headers or "If-None-Match" in request.headers


def tags_in(header: str) -> ETags:
    """The entity tags a request header names (none if it is absent); 400 if it breaks RFC 9110's grammar."""
    value = request.headers.get(header, "")
    if len(value) > MAX_TAGS_LENGTH or not re.fullmatch(ENTITY_TAG_LIST, value):
        raise InvalidInput(f"{header} must be * or a list of quoted entity tags, e.g. \"abc\", W/\"def\".",
                           details=[field_issue(header, "malformed_entity_tag")])
    return parse_etags(value)


def etag_header(body: Any) -> dict[str, str]:
    """``{"ETag": '"<tag>"'}`` for a response that carries ``body`` without being a read (a 201, a PATCH)."""
    return {"ETag": quote_etag(entity_tag(body))}
