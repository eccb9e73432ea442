"""Input validation at the edge: every problem in a body is reported at once, per field.

A 400 that says ``{"field": "content", "issue": "too_long", "max": 4000}`` lets a
client fix everything in one round trip; it also means nothing invalid reaches SQL.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from flask import request

from ..errors import InvalidInput, UnsupportedMediaType, field_issue

# A TCP port from 1 to 65535 (0 is reserved, RFC 6335 section 6), as a regular expression for the URL patterns
# the contract publishes (webhook endpoints, export callbacks): "[1-9][0-9]{0,4}" would let 99999 through.
PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"


def json_object() -> dict[str, Any]:
    """The request body as a JSON object, or the matching 400/415 error (parsing rules: ``bodies``)."""
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as JSON with 'Content-Type: application/json'.")
    body = request.get_json()  # the app's StrictJSONProvider: a 400 naming the rule a bad body breaks
    if not isinstance(body, dict):
        raise InvalidInput("The request body must be a JSON object.",
                           details=[field_issue("(body)", "not_an_object")])
    return body


class Fields:
    """Reads fields from a body, collecting every issue; ``done()`` raises them together."""

    def __init__(self, body: dict[str, Any], allowed: Iterable[str]):
        self.body = body
        self.details: list[dict[str, Any]] = [
            field_issue(k, "unknown_field") for k in body if k not in set(allowed)]

    def string(self, name: str, *, required: bool = True, default: str | None = None,
               max_len: int = 4000, min_len: int = 1, pattern: str | None = None) -> str | None:
        """A string field within length bounds (and matching ``pattern``, if given)."""
        value = self.body.get(name, default)
        if value is None:
            if required:
                self.details.append(field_issue(name, "required"))
            return None
        if not isinstance(value, str):
            self.details.append(field_issue(name, "must_be_string"))
        elif len(value.strip()) < min_len:
            self.details.append(field_issue(name, "too_short", min=min_len))
        elif len(value) > max_len:
            self.details.append(field_issue(name, "too_long", max=max_len))
        elif pattern and not re.fullmatch(pattern, value):
            self.details.append(field_issue(name, "invalid_format", pattern=pattern))
        else:
            return value
        return None

    def choice(self, name: str, choices: tuple[str, ...], *, default: str) -> str | None:
        """One of ``choices``; missing means ``default``."""
        value = self.body.get(name, default)
        if value not in choices:
            self.details.append(field_issue(name, "invalid_choice", allowed=list(choices)))
            return None
        return value

    def string_list(self, name: str, *, max_items: int = 100) -> list[str]:
        """A list of strings (may be absent: empty list)."""
        value = self.body.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.details.append(field_issue(name, "must_be_list_of_strings"))
            return []
        if len(value) > max_items:
            self.details.append(field_issue(name, "too_many_items", max=max_items))
            return []
        return value

    def problem(self, name: str, issue: str, **extra: Any) -> None:
        """Record an issue found by a check the caller made itself."""
        self.details.append(field_issue(name, issue, **extra))

    def done(self) -> None:
        """Raise one 400 listing every issue, if there were any."""
        if self.details:
            n = len(self.details)
            raise InvalidInput(f"The request has {n} invalid field{'s' if n > 1 else ''}.", details=self.details)
