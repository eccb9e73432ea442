"""Checks for the exercises in 00-start-here."""

from __future__ import annotations

from . import NOT_ANSWERED, Feedback, failed, passed, unanswered


def check_create_response(status: int, location_header: str | None) -> Feedback:
    """Exercise 1: the status and Location a successful create returns."""
    if unanswered(status):
        return NOT_ANSWERED
    if status != 201:
        return failed(f"You said {status}; a POST that creates a resource answers 201 Created (RFC 9110 section 15.3.2).")
    if not location_header or not location_header.startswith("/v1/channels/"):
        return failed(f"201 is right, but the Location should point at the new channel, not {location_header!r}.")
    return passed("201 Created, and Location names the new resource so the client can fetch it.")


def check_error_code(status: int, code: str) -> Feedback:
    """Exercise 2: the status and machine-readable code for a message sent by a non-member."""
    if unanswered(status) or unanswered(code):
        return NOT_ANSWERED
    if status == 401:
        return failed("401 means 'we don't know who you are'. Carol is known; she is just not allowed here.")
    if status != 403:
        return failed(f"{status} is not it: the caller is authenticated but not a member of the channel.")
    if code != "FORBIDDEN":
        return failed(f"403 is right; the envelope's machine-readable code is 'FORBIDDEN', not {code!r}.")
    return passed("403 FORBIDDEN: authenticated, but not authorised for this channel.")
