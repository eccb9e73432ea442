"""RFC 9457 problem details: the standard alternative to our error envelope.

Our envelope is ``{"error": {"code", "message", "details"}}``. RFC 9457 (which replaced
RFC 7807) standardises ``application/problem+json`` with ``type`` (a URI naming the
problem, the counterpart of our ``code``), ``title``, ``status``, ``detail`` and
``instance``, plus any extension members. ``title`` summarises the problem *type* and does
not change between occurrences (section 3.1.3), so it comes from our code, not the HTTP status;
``detail`` is the human-readable account of this occurrence (section 3.1.4), our ``message``.
Field errors go in an extension, here ``errors`` with a JSON Pointer (RFC 6901) to each
offending field, as in RFC 9457's own example, and our machine-readable ``issue``. Both carry the same information; the course API speaks the envelope, and
``from_envelope`` shows the mapping.
"""

from __future__ import annotations

from typing import Any, Mapping

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://apidesign.example/problems/"  # a URI the API owner controls and documents


def problem_type(code: str) -> str:
    """The ``type`` URI for one of our machine-readable codes, e.g. INVALID_INPUT -> .../invalid-input."""
    return TYPE_BASE + code.lower().replace("_", "-")


def problem_title(code: str) -> str:
    """The ``title`` of a problem type, the same for every occurrence: INVALID_INPUT -> "Invalid input"."""
    return code.replace("_", " ").capitalize()


def field_error(detail: Mapping[str, Any]) -> dict[str, Any]:
    """One ``details`` entry as a problem-details ``errors`` member: a JSON Pointer plus the issue."""
    extra = {k: v for k, v in detail.items() if k != "field"}
    return {"pointer": "#/" + str(detail.get("field", "")), **extra}


def from_envelope(body: Mapping[str, Any], status: int, instance: str | None = None) -> dict[str, Any]:
    """The RFC 9457 document carrying the same information as an error envelope ``body``."""
    error = body["error"]
    problem = {"type": problem_type(error["code"]), "title": problem_title(error["code"]),
               "status": status, "detail": error["message"]}
    if instance:
        problem["instance"] = instance
    if error.get("details"):
        problem["errors"] = [field_error(d) for d in error["details"]]
    return problem
