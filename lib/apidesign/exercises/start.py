"""Checks for the exercises in 00-start-here.

Both checks ask the live server themselves: the Location must name the channel this exercise just created
(the name ``fresh_name()`` handed out), and the non-member's status and code are whatever the server really
answers (or 404, which RFC 9110 section 15.5.4 allows in place of 403).
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any, Mapping
from urllib.parse import urljoin, urlsplit

import requests

from . import NOT_ANSWERED, Feedback, failed, passed, unanswered
from .answers import as_int, as_text, never_raises, wrong_shape

_RUNS = itertools.count(1)
_ISSUED: list[str] = []  # the names fresh_name() handed out, newest last


def fresh_name(prefix: str = "exercise") -> str:
    """A channel name not used before, so an exercise cell that creates a channel can be run twice."""
    _ISSUED.append(f"{prefix}-{next(_RUNS)}-{uuid.uuid4().hex[:6]}")
    return _ISSUED[-1]


def base_url_of(server: Any) -> str:
    """The base URL of a running server: ``live`` itself or its ``live.url``."""
    return str(getattr(server, "url", server)).rstrip("/")


@never_raises
def check_create_response(status: Any, location: Any, server: Any = None,
                          headers: Mapping[str, str] | None = None, name: str | None = None) -> Feedback:
    """Exercise 1: ``(status, location)`` of creating the channel ``name`` (default: the last ``fresh_name()``),
    checked against the live ``server`` with ``headers``."""
    code = as_int(status)
    if code is None:
        return wrong_shape("the status code as a number, such as 200", status)
    if code == 409:
        return failed("409 Conflict: a channel with that name already exists, probably from running the cell before. "
                      "Use `exercises.fresh_name()` as the name, and the cell can be run again.")
    if code != 201:
        return failed(f"You said {code}; a POST that creates a resource answers 201 Created (RFC 9110 section 15.3.2).")
    text = as_text(location)
    if text is None:
        return failed(f"201 is right, but the Location should point at the new channel, not {location!r}.")
    if server is None:
        return failed("pass the server and Alice's headers too: check_create_response(status, location, live, alice).")
    base = base_url_of(server)
    target = urljoin(base + "/", text)  # absolute or relative: both are valid (RFC 9110 section 10.2.2)
    if urlsplit(target).netloc != urlsplit(base).netloc:
        return failed(f"{text!r} points at another server; the new channel lives on {base}.")
    found = requests.get(target, headers=dict(headers or {}), timeout=5)
    channel = found.json().get("data") if found.headers.get("Content-Type", "").startswith("application/json") else None
    if found.status_code != 200 or not isinstance(channel, dict) or "channelId" not in channel:
        return failed(f"201 is right, but GET {text} answers {found.status_code}, not the new channel: "
                      "copy the Location header from the response instead of writing it yourself.")
    wanted = name or (_ISSUED[-1] if _ISSUED else None)
    if channel.get("name") != wanted:
        return failed(f"{text} is channel {channel.get('name')!r}, which already existed; the Location of your 201 "
                      f"names the channel you just created ({wanted!r}): copy it from that response.")
    return passed(f"201 Created, and Location names the new resource ({channel['channelId']}) so the client can fetch it.")


@never_raises
def check_error_code(status: Any, code: Any, server: Any = None, channel_id: str = "",
                     headers: Mapping[str, str] | None = None) -> Feedback:
    """Exercise 2: ``(status, code)`` of a non-member's message, compared with what the live ``server`` answers."""
    if unanswered(code):
        return NOT_ANSWERED
    number, text = as_int(status), as_text(code)
    if number is None or text is None:
        return wrong_shape("a status code and an error code, such as 404 and 'NOT_FOUND'", (status, code))
    if server is None:
        return failed("pass the server, the channel and Carol's headers too: "
                      "check_error_code(status, code, live, channel_id, carol).")
    real = requests.post(f"{base_url_of(server)}/v1/channels/{channel_id}/messages", json={"content": "hi"},
                         headers=dict(headers or {}), timeout=5)
    want_status, want_code = real.status_code, real.json()["error"]["code"]
    if number == 401 and want_status != 401:
        return failed("401 means 'we don't know who you are'. Carol is known; she is just not allowed here.")
    if number == 404 and want_status == 403 and text == "NOT_FOUND":
        return passed(f"404 NOT_FOUND is a fair design: RFC 9110 section 15.5.4 lets a server answer 404 to hide that "
                      f"the channel exists. This server answers {want_status} {want_code} instead, because channel "
                      "IDs are not secret here; either way, not 401, since Carol is authenticated.")
    if number != want_status:
        return failed(f"{number} is not it: the caller is authenticated but not a member of the channel.")
    if text != want_code:
        return failed(f"{number} is right; the envelope's machine-readable code is {want_code!r}, not {text!r}.")
    return passed(f"{want_status} {want_code}: authenticated, but not authorised for this channel.")
