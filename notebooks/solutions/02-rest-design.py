"""Model solutions for 02-rest-design. Try the exercises yourself before reading these."""

import base64
import hashlib
import hmac
import json
import re

# Exercise 1: nouns in the path, the verb in the method; one action endpoint where CRUD does not fit.
exercise_1 = {
    "send a message to channel ch_1": "POST /v1/channels/ch_1/messages",
    "read the history of channel ch_1": "GET /v1/channels/ch_1/messages",
    "delete message msg_9": "DELETE /v1/messages/msg_9",
    "rename channel ch_1, changing nothing else": "PATCH /v1/channels/ch_1",
    "translate message msg_9 into French": "POST /v1/messages/msg_9/translate",
}

# Exercise 2: what the reference API answers (try each on the live server).
exercise_2 = {
    "PUT /v1/channels/ch_1 renaming it to a name another channel has": 409,
    "DELETE /v1/channels/ch_1 (channels have no DELETE route)": 405,
    "GET /v1/channels/ch_1/messages?cursor=<a cursor from channel ch_2>": 400,
    "PATCH /v1/channels/ch_1 by a user who is not a member": 403,
    "DELETE /v1/messages/msg_9 by its sender": 204,
}

# Exercise 3: 50 messages, pages of 10, 3 arrivals at the head after every fetch.
# Rows 50 + 3 per gap; the walk takes 7 pages (offset 60 < 50 + 18 = 68), so 6 gaps x 3 = 18 repeats.
exercise_3 = 18

# Exercise 4: the row-value form, so SQLite seeks the index on (channel_id, created_at, id).
exercise_4 = "(created_at, id) > (:created_at, :id)"


def decode_cursor(token, collection, key=b"exercise-5-cursor-key"):
    """Exercise 5: base64url(payload + 16-byte HMAC-SHA256 tag); check the tag, then the collection."""
    if not isinstance(token, str) or len(token) > 512 or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        return None  # base64url without padding: '=' or any other character is not a cursor this API issued
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        return None
    payload, tag = raw[:-16], raw[-16:]
    if len(raw) <= 16 or not hmac.compare_digest(tag, hmac.new(key, payload, hashlib.sha256).digest()[:16]):
        return None
    version, owner, order, created_at, row_id = json.loads(payload)
    return (order, created_at, row_id) if version == 1 and owner == collection else None


# Exercise 6: the bookmarks API.
bookmarks_design = """
| Method | Path | Description |
|---|---|---|
| POST | /v1/bookmarks | Save a bookmark (Idempotency-Key header) |
| GET | /v1/bookmarks?cursor=X&limit=20 | My bookmarks, newest first |
| PATCH | /v1/bookmarks/{bookmarkId} | Rename: change only the title |
| DELETE | /v1/bookmarks/{bookmarkId} | Delete a bookmark |

- The list uses cursor pagination on (created_at, id), because new bookmarks arrive while a client pages and offsets would drift.
- Renaming is PATCH, because PUT replaces the whole bookmark and would wipe the fields the client left out.
- Authentication: Bearer JWTs for users; a user sees only their own bookmarks.
- Rate limiting: a token bucket per user; 429 with Retry-After.
- Errors: 404 for an unknown bookmark, 403 for someone else's, 400 for an invalid URL.
"""
