"""Channels: ``POST /v1/channels``; ``GET``, ``PUT`` (full replace) and ``PATCH`` (partial) on
``/v1/channels/{id}``; a user's channel list."""

from __future__ import annotations

import sqlite3

from flask import Blueprint, request

from ..envelope import success
from ..errors import Forbidden, NotFound, UnsupportedMediaType
from . import conditional
from .auth import current_user
from .db import iso8601
from .paging import fetch_user_channels, page_links
from .services import services
from .validation import Fields, json_object

bp = Blueprint("channels", __name__)

NAME_PATTERN = r"[a-z0-9][a-z0-9-]{0,79}"  # Slack-style: lowercase, digits, hyphens
# The media type names the patch format (RFC 5789 section 2): JSON Merge Patch (RFC 7396 section 4),
# and plain application/json, still read as a merge patch for clients written before this was declared.
PATCH_TYPES = ("application/merge-patch+json", "application/json")


def channel_json(row: sqlite3.Row, member_ids: list[str]) -> dict:
    """The public shape of a channel."""
    return {"channelId": row["id"], "name": row["name"], "topic": row["topic"],
            "createdBy": row["created_by"], "memberIds": member_ids,
            "createdAt": iso8601(row["created_at"])}


def load_channel(channel_id: str) -> sqlite3.Row:
    """The channel row, or 404."""
    row = services().repo.channel(channel_id)
    if row is None:
        raise NotFound(f"Channel '{channel_id}' does not exist.")
    return row


def require_member(channel_id: str, user_id: str) -> sqlite3.Row:
    """The channel row if ``user_id`` belongs to it: 404 if it does not exist, 403 if not a member."""
    row = load_channel(channel_id)
    if not services().repo.is_member(channel_id, user_id):
        raise Forbidden(f"You are not a member of channel '{channel_id}'.")
    return row


def channel_body(channel_id: str) -> dict:
    """The channel's current representation, in its envelope: what GET answers and ETags are computed from."""
    repo = services().repo
    return success(channel_json(repo.channel(channel_id), repo.members(channel_id)))


def check_members(fields: Fields, member_ids: list[str]) -> None:
    """Record an ``unknown_user`` issue for every member ID that names no user."""
    known = services().repo.users(member_ids)
    for missing in sorted(set(member_ids) - set(known)):
        fields.problem("memberIds", "unknown_user", value=missing)


def full_channel() -> tuple[str, str, list[str]]:
    """The whole representation of a channel from the body: what POST creates and PUT replaces."""
    fields = Fields(json_object(), allowed=("name", "topic", "memberIds"))
    name = fields.string("name", max_len=80, pattern=NAME_PATTERN)
    topic = fields.string("topic", required=False, default="", min_len=0, max_len=250)
    member_ids = fields.string_list("memberIds")
    check_members(fields, member_ids)
    fields.done()
    return name, topic, member_ids


@bp.post("/v1/channels")
def create_channel():
    user = current_user()
    conditional.check_preconditions(conditional.NO_REPRESENTATION)
    name, topic, member_ids = full_channel()
    svc = services()
    channel_id = svc.ids.new("ch")
    svc.repo.create_channel(channel_id, name, topic, user, member_ids, svc.now_ms())
    body = channel_body(channel_id)
    return body, 201, {"Location": f"/v1/channels/{channel_id}", **conditional.etag_header(body)}


@bp.get("/v1/channels/<channel_id>")
def get_channel(channel_id: str):
    require_member(channel_id, current_user())
    return conditional.represent(channel_body(channel_id))


@bp.get("/v1/users/<user_id>/channels")
def list_user_channels(user_id: str):
    """Your channels, oldest first, a page at a time (``?cursor=&limit=``, as for messages)."""
    caller = current_user()
    repo = services().repo
    if repo.user(user_id) is None:
        raise NotFound(f"User '{user_id}' does not exist.")
    if caller != user_id:
        raise Forbidden("You can only list your own channels.")
    page, meta = fetch_user_channels(user_id)
    body = success([channel_json(r, repo.members(r["id"])) for r in page.rows], meta)
    return conditional.represent(body, headers=page_links(page))


@bp.put("/v1/channels/<channel_id>")
def replace_channel(channel_id: str):
    """Full replace (idempotent): fields left out fall back to their defaults, they are not kept."""
    row = require_member(channel_id, current_user())
    with services().db.transaction():  # the precondition and the write as one step: no writer in between
        conditional.check_preconditions(channel_body(channel_id))
        name, topic, member_ids = full_channel()
        services().repo.update_channel(row["id"], name, topic, member_ids)
    # No ETag: the stored representation is not the one sent (IDs, creator, timestamps were added),
    # and RFC 9110 section 9.3.4 forbids a validator on such a PUT response. GET for the new tag.
    return channel_body(channel_id)


def merge_patch() -> dict:
    """The body as a JSON Merge Patch, or 415 with ``Accept-Patch`` for another patch format (RFC 5789 section 2.2)."""
    if request.mimetype not in PATCH_TYPES:
        raise UnsupportedMediaType(f"Send a JSON Merge Patch as '{PATCH_TYPES[0]}'.",
                                   headers={"Accept-Patch": ", ".join(PATCH_TYPES)})
    return json_object()


@bp.patch("/v1/channels/<channel_id>")
def update_channel(channel_id: str):
    """Partial update as a JSON Merge Patch (RFC 7396): only the members sent change; null topic resets it to ""."""
    require_member(channel_id, current_user())
    with services().db.transaction():  # read, check and write as one step: the fields kept are the current ones
        row = services().repo.channel(channel_id)
        conditional.check_preconditions(channel_body(channel_id))
        body = merge_patch()
        fields = Fields(body, allowed=("name", "topic", "memberIds"))
        name = fields.string("name", max_len=80, pattern=NAME_PATTERN) if "name" in body else row["name"]
        topic = row["topic"]
        if "topic" in body:
            topic = "" if body["topic"] is None else fields.string("topic", min_len=0, max_len=250)
        member_ids = fields.string_list("memberIds") if "memberIds" in body else None
        check_members(fields, member_ids or [])
        fields.done()
        services().repo.update_channel(row["id"], name, topic, member_ids)
    # The content is the channel's new representation (Content-Location says so, RFC 9110 section 8.7),
    # so its ETag may go along, as in RFC 5789's example: the client can PATCH again without a GET.
    changed = channel_body(channel_id)
    return changed, 200, {"Content-Location": request.path, **conditional.etag_header(changed)}
