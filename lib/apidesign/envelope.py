"""The two response shapes every endpoint uses.

Success: ``{"data": ..., "meta": {...}}``. Error: ``{"error": {"code", "message", "details"}}``.
Wrapping data in an envelope leaves room for metadata (cursors, rate-limit state)
without breaking clients; a machine-readable ``code`` lets clients branch on errors
without parsing English.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from .errors import ApiError


def success(data: Any, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The success envelope: the payload under ``data``, extras under ``meta``."""
    body: dict[str, Any] = {"data": data}
    if meta:
        body["meta"] = dict(meta)
    return body


def error(code: str, message: str, details: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The error envelope: one machine-readable ``code``, a human ``message``, field ``details``."""
    return {"error": {"code": code, "message": message, "details": [dict(d) for d in details]}}


def error_from(exc: ApiError) -> dict[str, Any]:
    """The error envelope for an ``ApiError``."""
    return error(exc.code, exc.message, exc.details)
