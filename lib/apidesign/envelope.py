"""The two response shapes every endpoint uses.

Success: ``{"data": ..., "meta": {...}}``. Error: ``{"error": {"code", "message", "details"}}``.
Wrapping data in an envelope leaves room for metadata (cursors, rate-limit state)
without breaking clients; a machine-readable ``code`` lets clients branch on errors
without parsing English.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from .errors import ApiError

# Unicode's 66 noncharacters (section 23.7): U+FDD0-U+FDEF and the last two code points of every plane.
# I-JSON (RFC 7493 section 2.1) allows none in a string, so bodies refuse them and errors never echo them.
NONCHARACTER = re.compile("[\ufdd0-\ufdef" + "".join(chr(p + 0xFFFE) + chr(p + 0xFFFF)
                                                      for p in range(0, 0x110000, 0x10000)) + "]")


def success(data: Any, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The success envelope: the payload under ``data``, extras under ``meta``."""
    body: dict[str, Any] = {"data": data}
    if meta:
        body["meta"] = dict(meta)
    return body


def error(code: str, message: str, details: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The error envelope: one machine-readable ``code``, a human ``message``, field ``details``."""
    details = [{name: echoable(v) for name, v in d.items()} for d in details]
    return {"error": {"code": code, "message": echoable(message), "details": details}}


def echoable(value: Any) -> Any:
    """``value`` with any noncharacter replaced by U+FFFD: an error may quote the request (a path, a field)."""
    return NONCHARACTER.sub("\ufffd", value) if isinstance(value, str) else value


def error_from(exc: ApiError) -> dict[str, Any]:
    """The error envelope for an ``ApiError``."""
    return error(exc.code, exc.message, exc.details)
