"""Print an HTTP exchange the way a learner should read it: request line, status line, chosen headers, body."""

from __future__ import annotations

import json
from typing import Iterable

import requests

DEFAULT_HEADERS = ("Content-Type", "Location")


def status_line(resp: requests.Response) -> str:
    """``HTTP/1.1 201 Created``."""
    version = {10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2", 30: "HTTP/3"}.get(getattr(resp.raw, "version", 11), "HTTP/1.1")
    return f"{version} {resp.status_code} {resp.reason}"


def body_text(resp: requests.Response) -> str:
    """The body, pretty-printed if it is JSON; empty for a body-less response."""
    if not resp.content:
        return ""
    media_type = resp.headers.get("Content-Type", "").split(";")[0].strip()
    if media_type == "application/json" or media_type.endswith("+json"):  # e.g. application/vnd.apidesign.v2+json
        return json.dumps(resp.json(), indent=2)
    return resp.text


def format_exchange(resp: requests.Response, headers: Iterable[str] = DEFAULT_HEADERS) -> str:
    """Request line, status line, the named response headers that are present, then the body."""
    lines = [f"{resp.request.method} {resp.request.path_url}", status_line(resp)]
    lines += [f"{h}: {resp.headers[h]}" for h in headers if h in resp.headers]
    body = body_text(resp)
    return "\n".join(lines + ([""] + [body] if body else []))


def print_exchange(resp: requests.Response, headers: Iterable[str] = DEFAULT_HEADERS) -> None:
    """Print ``format_exchange``: what the client sent and what the server answered."""
    print(format_exchange(resp, headers))
