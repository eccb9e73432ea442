"""Checks for the exercises in 00-start-here.

Both checks ask the live server themselves: the Location must name the channel this exercise just created
(the name ``fresh_name()`` handed out), and the non-member's status and code are what the server really
answers Carol, 403 FORBIDDEN (or 404 NOT_FOUND, which RFC 9110 section 15.5.4 allows in place of 403).
A check that cannot reach the server says it is stopped, rather than failing the answer.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any, Mapping
from urllib.parse import urljoin, urlsplit

import requests

from ..errors import Forbidden, NotFound, Unauthenticated
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered
from .answers import as_int, as_text, describe, never_raises

_RUNS = itertools.count(1)
_ISSUED: list[str] = []  # the names fresh_name() handed out, oldest first

SERVER_STOPPED = ("the server is stopped, so the check cannot ask it: re-run *Start the reference API* and the cells "
                  "below it, then this one.")
# The error code each status goes with, in this API's envelope (apidesign.errors).
CODE_OF = {error.status: error.code for error in (Unauthenticated, Forbidden, NotFound)}


def fresh_name(prefix: str = "exercise") -> str:
    """A channel name not used before, so an exercise cell that creates a channel can be run twice."""
    _ISSUED.append(f"{prefix}-{next(_RUNS)}-{uuid.uuid4().hex[:6]}")
    return _ISSUED[-1]


def base_url_of(server: Any) -> str:
    """The base URL of a running server: ``live`` itself or its ``live.url``."""
    return str(getattr(server, "url", server)).rstrip("/")


def stopped(server: Any) -> bool:
    """True for a ``live`` whose ``stop()`` has run (a bare URL cannot say, so it counts as running)."""
    return getattr(server, "running", True) is False


def channel_at(url: str, headers: dict) -> dict | None:
    """The channel a GET of ``url`` returns, or None when it returns anything else."""
    found = requests.get(url, headers=headers, timeout=5)
    body = found.json() if found.headers.get("Content-Type", "").startswith("application/json") else {}
    channel = body.get("data") if found.status_code == 200 and isinstance(body, dict) else None
    return channel if isinstance(channel, dict) and "channelId" in channel else None


def channel_named(base: str, headers: dict, name: str | None) -> dict | None:
    """The caller's channel called ``name``, from their channel list (``GET /v1/users/{id}/channels``), or None."""
    who = requests.get(f"{base}/v1/whoami", headers=headers, timeout=5).json().get("data", {})
    user = str(who.get("principal", "")).removeprefix("user:")  # "user:usr_alice"
    params = {"limit": 100}
    while name and user:
        page = requests.get(f"{base}/v1/users/{user}/channels", params=params, headers=headers, timeout=5).json()
        match = next((c for c in page.get("data", []) if c.get("name") == name), None)
        cursor = page.get("meta", {}).get("nextCursor")
        if match or not cursor:
            return match
        params["cursor"] = cursor
    return None


@never_raises
def check_create_response(status: Any, location: Any, server: Any = None,
                          headers: Mapping[str, str] | None = None, name: str | None = None) -> Feedback:
    """Exercise 1: ``(status, location)`` of creating the channel ``name`` (default: the last ``fresh_name()``),
    checked against the live ``server`` with ``headers``."""
    code = as_int(status)
    if code is None:
        return failed(f"the status should be the number from your response, such as 200 (`r.status_code`); "
                      f"you gave {describe(status)}.")
    if code == 409:
        return failed("409 Conflict: a channel with that name already exists, probably from running the cell before. "
                      "Use `name` (from `exercises.fresh_name()`) as the name, and the cell can be run again.")
    if code != 201:
        return failed(f"You said {code}; a POST that creates a resource answers 201 Created (RFC 9110 section 15.3.2).")
    text = as_text(location)
    if text is None:
        return failed(f"201 is right, but the Location should point at the new channel, not {location!r}.")
    if server is None or not headers:
        return failed("pass the server and Alice's headers too: check_create_response(status, location, live, alice).")
    if stopped(server):
        return failed(SERVER_STOPPED)
    try:
        return judge_location(base_url_of(server), text, dict(headers), name or (_ISSUED[-1] if _ISSUED else None))
    except requests.ConnectionError:
        return failed(SERVER_STOPPED)


def judge_location(base: str, location: str, headers: dict, wanted: str | None) -> Feedback:
    """Exercise 1's verdict on a 201's ``location``: the channel it names against the channel named ``wanted``."""
    target = urljoin(base + "/", location)  # absolute or relative: both are valid (RFC 9110 section 10.2.2)
    if urlsplit(target).netloc != urlsplit(base).netloc:
        return failed(f"{location!r} points at another server; the new channel lives on {base}.")
    channel = channel_at(target, headers)
    if channel is not None and channel["name"] == wanted:
        return passed(f"201 Created, and Location names the new resource ({channel['channelId']}) "
                      "so the client can fetch it.")
    if channel_named(base, headers, wanted) is not None:
        named = f"{location} is channel {channel['name']!r}" if channel else f"GET {location} answers no channel"
        return failed(f"you did create {wanted!r}, but {named}: copy the Location header from that POST's response "
                      "(`r.headers['Location']`) instead of writing it yourself.")
    if channel is None:
        return failed(f"you haven't created the channel yet: no channel is named {wanted!r}, the `name` of this run. "
                      "Write the POST on the `# r = requests.post(...)` line, then read status and Location from `r`.")
    return failed(wrong_channel(channel["name"], wanted))


def wrong_channel(created: str, wanted: str | None) -> str:
    """Why the channel ``created`` is not the one asked for (``wanted``, which does not exist)."""
    if created in _ISSUED and wanted in _ISSUED and _ISSUED.index(created) > _ISSUED.index(wanted):
        return (f"your channel {created!r} got its name from a second call of `exercises.fresh_name()`, which hands "
                f"out a new name each time; the exercise asks for the channel named `name` ({wanted!r}): "
                "post `json={\"name\": name}`.")
    if created in _ISSUED:
        return (f"{created!r} is the channel from an earlier run of this cell; this run's `name` is {wanted!r}, and "
                "no channel has it yet: the POST and the answer must come from the same run.")
    return (f"you created {created!r}, but the exercise asks you to create the channel named `name` ({wanted!r}): "
            "post `json={\"name\": name}`.")


@never_raises
def check_error_code(status: Any, code: Any, server: Any = None, channel_id: str = "",
                     headers: Mapping[str, str] | None = None) -> Feedback:
    """Exercise 2: ``(status, code)`` of a non-member's message, compared with what the live ``server`` answers."""
    if unanswered(code):
        return NOT_ANSWERED
    number, text = as_int(status), as_text(code)
    if number is None:
        with_phrase = isinstance(status, str) and status.strip()[:1].isdigit()  # "403 Forbidden"
        phrase = " (the number alone: the reason phrase is not part of it)" if with_phrase else ""
        return failed(f"the first item, the status, should be a whole number such as 404{phrase}; "
                      f"you gave {describe(status)}.")
    if text is None:
        return failed(f"the second item, the error code, should be a string such as 'NOT_FOUND'; "
                      f"you gave {describe(code)}.")
    if server is None:
        return failed("pass the server, the channel and Carol's headers too: "
                      "check_error_code(status, code, live, channel_id, carol).")
    if stopped(server):
        return failed(SERVER_STOPPED)
    try:
        real = requests.post(f"{base_url_of(server)}/v1/channels/{channel_id}/messages", json={"content": "hi"},
                             headers=dict(headers or {}), timeout=5)
    except requests.ConnectionError:
        return failed(SERVER_STOPPED)
    error = real.json().get("error", {}) if real.headers.get("Content-Type", "").startswith("application/json") else {}
    if real.status_code != 403 or not error.get("code"):
        return failed(nothing_to_compare(real.status_code, channel_id))
    return judge_error(number, text, real.status_code, error["code"])


def nothing_to_compare(answered: int, channel_id: str) -> str:
    """Why a message that did not get a non-member's 403 says nothing about the answer (the channel, the headers)."""
    if answered == 404:
        return (f"`channel_id` ({channel_id!r}) names no channel on this server (it answers 404): after restarting "
                "the server, run *Your first POST* and the cell after it again, then this one.")
    if answered == 401:
        return "the server does not know the headers you passed (it answers 401): pass `carol`."
    if answered < 400:
        return (f"the server accepted that message ({answered}), so its sender is a member: pass `carol`, "
                "who is not, as the headers.")
    return f"the server answered {answered} to Carol's message, not a non-member's refusal; run the cells above again."


def judge_error(number: int, text: str, want_status: int, want_code: str) -> Feedback:
    """Exercise 2's verdict on ``(number, text)`` when the server answers ``want_status want_code``."""
    if (number, text) == (want_status, want_code):
        return passed(f"{want_status} {want_code}: authenticated, but not authorised for this channel.")
    if number == 401 and want_status != 401:
        return failed("401 means 'we don't know who you are'. Carol is known; she is just not allowed here.")
    if number == 404 and want_status == 403 and text == CODE_OF[404]:
        return passed(f"404 NOT_FOUND is a fair design: RFC 9110 section 15.5.4 lets a server answer 404 to hide that "
                      f"the channel exists. This server answers {want_status} {want_code} instead, because channel "
                      "IDs are not secret here; either way, not 401, since Carol is authenticated.")
    fair = number == want_status or (number == 404 and want_status == 403)
    if fair and text in CODE_OF.values():
        return failed(f"the pair is inconsistent: {number} goes with {CODE_OF[number]!r}, and {text!r} is the code "
                      f"of a {next(s for s, c in CODE_OF.items() if c == text)}. This server answers "
                      f"{want_status} {want_code}.")
    if fair:
        return failed(f"{number} is {'right' if number == want_status else 'a fair status'}; the envelope's "
                      f"machine-readable code for it is {CODE_OF[number]!r}, not {text!r}.")
    if text == want_code:
        return failed(f"{text!r} is right, but it comes with {want_status}, not {number}.")
    return failed(f"{number} is not it: the caller is authenticated but not a member of the channel.")
