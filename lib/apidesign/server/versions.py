"""API versions side by side: ``/v2`` message routes, media-type negotiation, and ``/v1``'s deprecation.

- **Path**: ``/v2/channels/{id}/messages``. v2 changes one thing: a message embeds a
  ``sender`` object (``{"userId", "name"}``) instead of a bare ``senderId``, so clients
  stop making one extra request per author. Channel routes are served unchanged under
  ``/v2`` too, so a client can move over completely.
- **Header**: ``GET /channels/{id}/messages`` with ``Accept: application/vnd.apidesign.v2+json``.
- **Query**: the same unversioned path with ``?version=2``.
  Without either, the unversioned routes answer v1: a client that never asked for v2
  must not get it by surprise.
- **Deprecation**: every ``/v1`` response whose route has a ``/v2`` successor carries
  ``Deprecation`` (RFC 9745), ``Sunset`` (RFC 8594) and ``Link: <...>; rel="successor-version"`` (RFC 5829).
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import quote

from flask import Blueprint, current_app, g, make_response, request
from werkzeug.exceptions import HTTPException

from ..envelope import success
from ..errors import ApiError, InvalidInput, field_issue
from ..idempotency import REPLAYED
from . import channels, conditional, messages
from .auth import current_user
from .db import iso8601
from .paging import fetch_page, page_links
from .services import services

bp = Blueprint("versions", __name__)

MEDIA_TYPES = {"application/vnd.apidesign.v1+json": 1, "application/vnd.apidesign.v2+json": 2}
VENDOR_PREFIX = "application/vnd.apidesign."
DEFAULT_VERSION = 1
# Overridable with config keys V1_DEPRECATED_AT / V1_SUNSET_AT (epoch seconds). The sunset is a promise about the
# future: a date already past tells clients v1 may vanish at any moment (RFC 8594 section 3), so keep it ahead.
V1_DEPRECATED_AT = int(datetime(2026, 3, 1, tzinfo=timezone.utc).timestamp())
V1_SUNSET_AT = int(datetime(2028, 3, 1, tzinfo=timezone.utc).timestamp())


def message_json_v2(row, names: dict[str, str]) -> dict:
    """The v2 shape of a message: the sender embedded as an object."""
    return {"messageId": row["id"], "channelId": row["channel_id"],
            "sender": {"userId": row["sender_id"], "name": names.get(row["sender_id"])},
            "content": row["content"], "type": row["type"], "createdAt": iso8601(row["created_at"])}


def render_v2(rows) -> list[dict]:
    """Rows in the v2 shape, looking up every sender's name in one query."""
    users = services().repo.users({r["sender_id"] for r in rows})
    return [message_json_v2(r, {u: users[u]["name"] for u in users}) for r in rows]


@bp.get("/v2/channels/<channel_id>/messages")
def list_messages_v2(channel_id: str):
    channels.require_member(channel_id, current_user())
    page, meta = fetch_page(channel_id)
    return conditional.represent(success(render_v2(page.rows), meta), headers=page_links(page))


@bp.get("/v2/messages/<message_id>")
def get_message_v2(message_id: str):
    return conditional.represent(success(render_v2([messages.readable_message(message_id)])[0]))


@bp.post("/v2/channels/<channel_id>/messages")
def send_message_v2(channel_id: str):
    """v1's send (with whatever it enforces), re-rendered in the v2 shape."""
    response = make_response(messages.send_message(channel_id, render_page=render_v2))
    if response.status_code != 201:
        return response
    row = messages.load_message(response.get_json()["data"]["messageId"])
    body = success(render_v2([row])[0])
    replayed = {REPLAYED: response.headers[REPLAYED]} if REPLAYED in response.headers else {}  # a retry says so on v2 too
    return body, 201, {"Location": f"/v2/messages/{row['id']}", **conditional.etag_header(body), **replayed}


@bp.delete("/v2/messages/<message_id>")
def delete_message_v2(message_id: str):
    return messages.delete_message(message_id, render=lambda row: render_v2([row])[0])


def unchanged_in_v2(view):
    """A v1 view served as-is under /v2, its ``Location`` pointing at the /v2 URL."""

    @functools.wraps(view)
    def v2_view(**kwargs):
        response = make_response(view(**kwargs))
        if response.headers.get("Location", "").startswith("/v1/"):
            response.headers["Location"] = "/v2/" + response.headers["Location"].removeprefix("/v1/")
        return response
    return v2_view


# Channels look the same in v2; serving them there lets a client move to /v2 completely.
for rule, view, methods in (("/v2/channels", channels.create_channel, ["POST"]),
                            ("/v2/channels/<channel_id>", channels.get_channel, ["GET"]),
                            ("/v2/channels/<channel_id>", channels.replace_channel, ["PUT"]),
                            ("/v2/channels/<channel_id>", channels.update_channel, ["PATCH"]),
                            ("/v2/users/<user_id>/channels", channels.list_user_channels, ["GET"])):
    bp.add_url_rule(rule, endpoint=f"{view.__name__}_v2", view_func=unchanged_in_v2(view), methods=methods)


def requested_version() -> int:
    """The version asked for by ``?version=`` or the ``Accept`` header; v1 if neither says."""
    if "version" in request.args:
        raw = request.args["version"]
        if raw not in ("1", "2"):
            raise InvalidInput("'version' must be 1 or 2.", details=[field_issue("version", "invalid_choice",
                                                                                  allowed=[1, 2])])
        return int(raw)
    if any(m.startswith(VENDOR_PREFIX) for m, _ in request.accept_mimetypes):
        best = request.accept_mimetypes.best_match(list(MEDIA_TYPES))
        if best is None:
            raise ApiError(f"This API serves {', '.join(MEDIA_TYPES)}.", status=406, code="NOT_ACCEPTABLE")
        return MEDIA_TYPES[best]
    return DEFAULT_VERSION


def negotiated(view_v1, view_v2, *args):
    """Call the view for the requested version and label the response with its media type."""
    g.api_version = requested_version()
    response = make_response((view_v2 if g.api_version == 2 else view_v1)(*args))
    if response.is_json and response.status_code < 400:
        response.headers["Content-Type"] = f"{VENDOR_PREFIX}v{g.api_version}+json"
    response.vary.add("Accept")
    return response


@bp.get("/channels/<channel_id>/messages")
def list_messages_negotiated(channel_id: str):
    return negotiated(messages.list_messages, list_messages_v2, channel_id)


@bp.get("/messages/<message_id>")
def get_message_negotiated(message_id: str):
    return negotiated(messages.get_message, get_message_v2, message_id)


def successor(path: str, method: str) -> str | None:
    """The ``/v2`` path that replaces a ``/v1`` path, if the app routes it for this method."""
    candidate = "/v2/" + path.removeprefix("/v1/")
    try:
        current_app.url_map.bind("localhost").match(candidate, method=method)
    except HTTPException:
        return None
    return candidate


@bp.after_app_request
def announce_deprecation(response):
    """``Deprecation``, ``Sunset`` and ``successor-version`` on v1 responses that have a v2 successor."""
    path = request.path
    if path.startswith("/v1/"):
        target = successor(path, request.method)
    elif g.get("api_version") == 1:
        target = "/v2" + path
    else:
        return response
    if target:
        config = current_app.config
        response.headers["Deprecation"] = f"@{config.get('V1_DEPRECATED_AT', V1_DEPRECATED_AT)}"
        sunset = datetime.fromtimestamp(config.get("V1_SUNSET_AT", V1_SUNSET_AT), tz=timezone.utc)
        response.headers["Sunset"] = format_datetime(sunset, usegmt=True)
        # quote(): a path may hold any Unicode, a header only Latin-1 (and a URI only ASCII)
        response.headers.add("Link", f'<{request.host_url.rstrip("/")}{quote(target)}>; rel="successor-version"')
    return response
