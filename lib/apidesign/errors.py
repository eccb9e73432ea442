"""The exception tree: every error is named after the rule it breaks.

``ApiDesignError`` is the root of everything the library raises on purpose.
``ApiError`` and its subclasses are the ones that map to an HTTP response; the
Flask app turns any of them into the error envelope (see ``envelope``).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping


class ApiDesignError(Exception):
    """Root of every exception the apidesign library raises on purpose."""


class ApiError(ApiDesignError):
    """An error with an HTTP status and a machine-readable code (the error envelope)."""

    status = 500
    code = "INTERNAL"

    def __init__(self, message: str, *, details: Iterable[Mapping[str, Any]] = (),
                 status: int | None = None, code: str | None = None,
                 headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = [dict(d) for d in details]
        self.status = status if status is not None else type(self).status
        self.code = code if code is not None else type(self).code
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status}, {self.code!r}, {self.message!r})"


class InvalidInput(ApiError):
    """400: the request is well-formed but a field breaks a rule (RFC 9110 section 15.5.1)."""

    status, code = 400, "INVALID_INPUT"


class MalformedJson(ApiError):
    """400: the body is not parseable JSON."""

    status, code = 400, "MALFORMED_JSON"


class JsonTooDeep(InvalidInput):
    """400: the body nests arrays and objects deeper than the API's limit (RFC 8259 section 9 lets a parser set one)."""

    status, code = 400, "JSON_TOO_DEEP"


class InvalidText(InvalidInput):
    """400: a string holds a lone surrogate, which is not a Unicode character (RFC 8259 8.2, RFC 7493 2.1)."""

    status, code = 400, "INVALID_TEXT"


class Unauthenticated(ApiError):
    """401: credentials are missing or invalid; must carry WWW-Authenticate (RFC 9110 section 15.5.2)."""

    status, code = 401, "UNAUTHENTICATED"


class Forbidden(ApiError):
    """403: the caller is known but not allowed to do this (RFC 9110 section 15.5.4)."""

    status, code = 403, "FORBIDDEN"


class NotFound(ApiError):
    """404: no resource at this URI (RFC 9110 section 15.5.5)."""

    status, code = 404, "NOT_FOUND"


class MethodNotAllowed(ApiError):
    """405: the resource exists but not this method; must carry Allow (RFC 9110 section 15.5.6)."""

    status, code = 405, "METHOD_NOT_ALLOWED"


class Conflict(ApiError):
    """409: the request conflicts with the resource's current state, e.g. a duplicate name."""

    status, code = 409, "CONFLICT"


class UnsupportedMediaType(ApiError):
    """415: the body is not in a format this endpoint accepts (RFC 9110 section 15.5.16)."""

    status, code = 415, "UNSUPPORTED_MEDIA_TYPE"


class PreconditionFailed(ApiError):
    """412: If-Match or If-None-Match is false for the current representation (RFC 9110 section 15.5.13)."""

    status, code = 412, "PRECONDITION_FAILED"


class Unprocessable(ApiError):
    """422: the request is understood but cannot be processed as sent (RFC 9110 section 15.5.21)."""

    status, code = 422, "UNPROCESSABLE"


class PreconditionRequired(ApiError):
    """428: this write must be conditional; send If-Match with the ETag you read (RFC 6585 section 3)."""

    status, code = 428, "PRECONDITION_REQUIRED"


class RateLimited(ApiError):
    """429: too many requests; carries Retry-After (RFC 6585 section 4)."""

    status, code = 429, "RATE_LIMITED"


class ServiceUnavailable(ApiError):
    """503: a dependency is down or the server is shedding load; may carry Retry-After."""

    status, code = 503, "SERVICE_UNAVAILABLE"


def field_issue(field: str, issue: str, **extra: Any) -> dict[str, Any]:
    """One entry of an error's ``details``: which field, and a machine-readable issue."""
    return {"field": field, "issue": issue, **extra}
