"""Checks for the exercises in 02-rest-design.

The questions are public; the answers are not stored here. Routes are judged by rules (nouns in
the path, the verb in the method, the owner in front), status codes are whatever the reference
API answers when the check itself sends the request, and counts are measured by the library.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import random
import re
import sqlite3
from typing import Any
from urllib.parse import urlsplit

from ..drift import simulate_drift
from ..pagination import MAC_BYTES, NEWEST, ORDERS, CursorCodec, InvalidCursor, Position
from ..review.rules import verb_of, words
from ..server import create_app, credentials
from . import NOT_ANSWERED, Feedback, failed, passed, unanswered
from .answers import as_int, as_mapping, as_text, first_disagreement, never_raises, own_function, wrong_shape
from .briefs import Brief, Decision, Flow, check_brief, read_design

# Exercise 1: the operations to route (questions only).
OPERATIONS = ("send a message to channel ch_1", "read the history of channel ch_1", "delete message msg_9",
              "rename channel ch_1, changing nothing else", "translate message msg_9 into French")

# What each operation does to which resource: (methods that fit, path patterns that name the resource, the
# resource in words, for the message when a path does not name it).
_MSG9 = r"/v1/(channels/ch_1/)?messages/msg_9"
_ROUTES = {
    OPERATIONS[0]: (("POST",), (r"/v1/channels/ch_1/messages",), "the messages collection of channel ch_1"),
    OPERATIONS[1]: (("GET",), (r"/v1/channels/ch_1/messages",), "the messages collection of channel ch_1"),
    OPERATIONS[2]: (("DELETE",), (_MSG9,), "message msg_9 itself"),
    OPERATIONS[3]: (("PATCH",), (r"/v1/channels/ch_1",), "channel ch_1 itself"),
    # Translating changes nothing on the server, so a GET of a translation is as good as the action POST; the
    # action may be spelled /translate or :translate (AIP-136), or a translation may be a resource of its own.
    OPERATIONS[4]: (("POST", "GET"), (_MSG9 + r"[/:]translat(e|ion|ions)(/fr|/french)?", r"/v1/translations"),
                    "message msg_9 (an action on it, or its French translation as a sub-resource)"),
}
# A right route that still deserves a remark: (operation, pattern) -> the note.
_NOTES = {(OPERATIONS[2], r"/v1/channels/ch_1/messages/msg_9"):
          "a message has its own ID, so it has one canonical URL, /v1/messages/msg_9 (the notebook's naming table); "
          "the nested path works but gives it a second one"}
_WRONG_METHOD = {
    ("PUT", OPERATIONS[3]): "PUT replaces the whole channel: a body with only the new name would wipe the topic and "
                            "members, as the notebook's PUT demo showed. PATCH sends only the change",
    ("POST", OPERATIONS[3]): "POST creates something new or runs an action; changing one field of a channel is PATCH",
    ("GET", OPERATIONS[0]): "a GET must be safe (RFC 9110 section 9.2.1); sending creates a message, which is POST",
    ("PUT", OPERATIONS[0]): "PUT needs the client to name the new message's URL; the server picks message IDs, so POST",
    ("POST", OPERATIONS[1]): "reading changes nothing, so it is a GET (safe, cacheable)",
    ("POST", OPERATIONS[2]): "the method that removes a resource is DELETE",
}
PLACEHOLDER = re.compile(r"\{[^}]*\}|<[^>]*>|/:\w+")


MORE_VERBS = {"rename", "modify", "post", "patch", "destroy", "write"}  # beyond the reviewer's list, for these operations


def path_verbs(path: str) -> list[str]:
    """The path segments (or AIP-136 ``:verb`` suffixes) that start with a verb; whole words, query ignored."""
    return [seg for seg in re.split(r"[/:]", path.split("?", 1)[0])
            if seg and (verb_of(seg) or (words(seg) or [""])[0] in MORE_VERBS)]


def path_of(target: str) -> str:
    """The path of a request target: an absolute URL (RFC 9110 section 4.2) counts by its path, as a server routes it."""
    parts = urlsplit(target)
    return (parts.path or "/") if parts.scheme in ("http", "https") and parts.netloc else target


def route_problem(operation: str, given: str) -> str | None:
    """Why ``given`` ('METHOD /path' or 'METHOD https://host/path') is wrong for ``operation``, or None when right."""
    methods, paths, resource = _ROUTES[operation]
    method, _, target = given.strip().partition(" ")
    method, path = method.upper(), path_of(target.strip())
    route = path.split("?", 1)[0].rstrip("/") if path != "/" else path
    if not route.startswith("/"):
        return (f"write it as 'METHOD /path' (or 'METHOD https://host/path'), e.g. 'GET /v1/...'; "
                f"after the method, {target.strip()!r} is neither a path nor an absolute URL")
    if not route.startswith("/v1/"):
        return f"this API's paths start with the version, /v1/..., and {route!r} does not"
    if PLACEHOLDER.search(route):
        return (f"{route!r} has a placeholder ({PLACEHOLDER.search(route).group().lstrip('/')}); this operation names "
                f"its resources (ch_1, msg_9), so write the concrete path a client would send")
    verbs = [v for v in path_verbs(route) if not (operation == OPERATIONS[4] and words(v)[0] == "translate")]
    if verbs:
        return f"'{verbs[0]}' in {route!r} is a verb in the path; the method already says what happens"
    if not any(re.fullmatch(p, route) for p in paths):
        singular = [seg for seg in re.split(r"[/:]", route) if seg in ("message", "channel", "translation")]
        if singular:
            return f"{route!r} has '{singular[0]}' in the singular; collections are plural nouns ('{singular[0]}s')"
        return (f"{route!r} does not name the resource this acts on, {resource}: plural nouns, with the item's ID, "
                f"nested under its owner only where it has no identity of its own")
    if method not in methods:
        return _WRONG_METHOD.get((method, operation), f"{method} is not the method for this: "
                                                       f"the method carries the verb, and here it is {methods[0]}")
    return None


def route_note(operation: str, given: str) -> str | None:
    """A remark on a right route (a second URL for one resource), or None."""
    route = path_of(given.strip().partition(" ")[2].strip()).split("?", 1)[0].rstrip("/")
    return next((note for (op, p), note in _NOTES.items() if op == operation and re.fullmatch(p, route)), None)


@never_raises
def check_routes(answer: Any) -> Feedback:
    """Exercise 1: a dict from each operation in OPERATIONS to 'METHOD /v1/path'."""
    routes = as_mapping(answer)
    if routes is None:
        return wrong_shape("a dict from each operation in exercises.OPERATIONS to a string 'METHOD /v1/path'", answer)
    notes = []
    for operation in OPERATIONS:
        given = as_text(routes.get(operation))
        if given is None:
            return failed(f"You left out {operation!r} (or it is not a string 'METHOD /v1/path').")
        problem = route_problem(operation, given)
        if problem is not None:
            return failed(f"For {operation!r} you wrote {given!r}: {problem}.")
        note = route_note(operation, given)
        notes += [f" Note on {operation!r}: {note}."] if note else []
    return passed("Nouns in the path, the verb in the method, and one action endpoint where CRUD does not fit."
                  + "".join(notes))


# Exercise 2: situations (questions only); the check sends each request to a fresh reference API.
SITUATIONS = ("PUT /v1/channels/ch_1 renaming it to a name another channel has",
              "DELETE /v1/channels/ch_1 (channels have no DELETE route)",
              "GET /v1/channels/ch_1/messages?cursor=<a cursor from channel ch_2>",
              "PATCH /v1/channels/ch_1 by a user who is not a member",
              "DELETE /v1/messages/msg_9 by its sender")


@functools.lru_cache(maxsize=1)
def _live_statuses() -> dict[str, int]:
    """Each situation's status, measured by sending it to a fresh reference API (test client, no network)."""
    app = create_app({"TESTING": True, "ID_SEED": 1})
    client = app.test_client()
    alice, bob = dict(credentials(app, "usr_alice")), dict(credentials(app, "usr_bob"))
    ch1 = client.post("/v1/channels", json={"name": "one"}, headers=alice).get_json()["data"]["channelId"]
    ch2 = client.post("/v1/channels", json={"name": "two"}, headers=alice).get_json()["data"]["channelId"]
    msg = [client.post(f"/v1/channels/{ch2}/messages", json={"content": "hi"}, headers=alice) for _ in range(2)][-1]
    cursor = client.get(f"/v1/channels/{ch2}/messages?limit=1", headers=alice).get_json()["meta"]["nextCursor"]
    sent = [client.put(f"/v1/channels/{ch1}", json={"name": "two"}, headers=alice),
            client.delete(f"/v1/channels/{ch1}", headers=alice),
            client.get(f"/v1/channels/{ch1}/messages?cursor={cursor}", headers=alice),
            client.patch(f"/v1/channels/{ch1}", json={"name": "renamed"}, headers=bob),
            client.delete(f"/v1/messages/{msg.get_json()['data']['messageId']}", headers=alice)]
    return {situation: r.status_code for situation, r in zip(SITUATIONS, sent)}


_STATUS_WHY = {409: "the request is valid but clashes with the current state (the name is taken)",
               405: "the resource exists but does not support that method (the Allow header lists what does)",
               400: "the client sent something invalid: here a cursor that belongs to another channel",
               403: "the caller is known but not allowed (a server may answer 404 instead, to hide that the "
                    "channel exists: RFC 9110 section 15.5.4)",
               404: "the server hides or does not have the resource",
               204: "the delete worked and there is nothing to send back"}


@never_raises
def check_status_codes(answer: Any) -> Feedback:
    """Exercise 2: a dict from each situation in SITUATIONS to the status code (a number)."""
    codes = as_mapping(answer)
    if codes is None:
        return wrong_shape("a dict from each situation in exercises.SITUATIONS to a status code", answer)
    for situation, expected in _live_statuses().items():
        given = as_int(codes.get(situation))
        if given is None:
            return failed(f"{situation}: give a status code as a number, not {codes.get(situation)!r}.")
        if given != expected:
            return failed(f"{situation}: you said {given}, the API answers {expected}: "
                          f"{_STATUS_WHY.get(expected, 'try it on the live server above')}.")
    codes = list(_live_statuses().values())  # in SITUATIONS' order: clash, method, cursor, non-member, delete
    return passed(f"{codes[0]} for the name clash, {codes[1]} for a missing method, {codes[2]} for a foreign cursor, "
                  f"{codes[3]} for non-members, {codes[4]} on delete: what the live API answers.")


# Exercise 3: the drift the question describes; the check measures it with the library.
DRIFT = {"page_size": 10, "arrivals_per_page": 3, "initial": 50}


@never_raises
def check_drift_prediction(duplicates: Any, actual: Any = None) -> Feedback:
    """Exercise 3: how many rows the offset client receives twice (a whole number).

    The count is measured here; an ``actual`` passed in (older copies of the notebook did) is ignored.
    """
    count = as_int(duplicates)
    if count is None:
        return wrong_shape("a whole number of duplicated rows", duplicates)
    actual = simulate_drift(**DRIFT).offset.duplicates
    if count == actual:
        return passed(f"{actual}: every message that arrives at the head pushes one already-seen row onto the next page.")
    return failed(f"You predicted {count}; the simulation counts {'more' if count < actual else 'fewer'}. Each arrival "
                  "shifts every later page down by one row, so count the arrivals that happen before the last page "
                  "is fetched.")


def _row_id(i: int) -> str:
    """Row i's ID: unique, but not in time order (as real IDs are not), so ``id > :id`` alone is wrong."""
    return f"m{i * 919 % 1000:03d}"


ROWS = [(_row_id(i), i // 3) for i in range(300)]  # three rows per created_at: ties
_AFTER = {"created_at": 40, "id": "m199"}  # the middle one of created_at 40's rows (m118, m199, m280)


def _history() -> sqlite3.Connection:
    """A small channel in the API's schema with ties on created_at, for checking WHERE clauses."""
    from ..server.db import SCHEMA
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    conn.execute("INSERT INTO users VALUES ('u', 'U', 0)")
    conn.execute("INSERT INTO channels VALUES ('ch', 'c', '', 'u', 0)")
    conn.executemany("INSERT INTO messages VALUES (?, 'ch', 'u', '', 'text', ?)", ROWS)
    conn.execute("ANALYZE")
    return conn


def _run(conn: sqlite3.Connection, where: str, explain: bool = False):
    sql = (f"SELECT id FROM messages WHERE channel_id = 'ch' AND ({where}) "
           "ORDER BY created_at, id LIMIT 5")
    if explain:
        return " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, _AFTER))
    return [r[0] for r in conn.execute(sql, _AFTER)]


def _rows_after(created_at: int, row_id: str, limit: int = 5) -> list[str]:
    """The IDs of the next ``limit`` rows after a position, oldest first, computed in Python (no SQL to copy)."""
    return [r for t, r in sorted((t, r) for r, t in ROWS) if (t, r) > (created_at, row_id)][:limit]


def _rows_by_id_after(row_id: str, limit: int = 5) -> list[str]:
    """What ``id > :id`` alone returns, in the walk's order: rows with a larger ID, whenever they were created."""
    return [r for t, r in sorted((t, r) for r, t in ROWS) if r > row_id][:limit]


def keyset_hint(got: list[str], where: str = "") -> str:
    """Why the rows are wrong: the ID used as the position, the position itself, the direction, the tie, or else."""
    position = {row_id: (t, row_id) for row_id, t in ROWS}
    here = (_AFTER["created_at"], _AFTER["id"])
    if "created_at" not in where.lower() or got == _rows_by_id_after(_AFTER["id"]):
        return ("IDs here are random, not time-ordered (as this API's are), so a larger ID says nothing about "
                "being newer: the rows you get are scattered through the history. The walk's order is created_at, "
                "with the ID only as the tie-breaker, so compare created_at first")
    if _AFTER["id"] in got:
        return "the position itself is the last row already seen; 'after' is strictly greater"
    if got and all(position[r] < here for r in got):
        return "your rows come *before* the position: an oldest-first walk continues with larger (created_at, id)"
    if "m280" not in got:  # created_at 40 like the position, with a larger id: the very next row
        return "you lost the tie: m280 has the same created_at (40) and a larger id, so it comes next"
    return "the rows after a position are those with a larger created_at, or the same created_at and a larger id"


@never_raises
def check_keyset_where(where: Any) -> Feedback:
    """Exercise 4: a WHERE condition (a string) for "the rows after (:created_at, :id)", oldest first, that seeks the index."""
    text = as_text(where)
    if text is None:
        return wrong_shape("a SQL condition as a string, using :created_at and :id", where)
    conn = _history()
    try:
        got, plan = _run(conn, text), _run(conn, text, explain=True)
    except sqlite3.Error as exc:  # sqlite3.Warning too (two statements): both say "not a condition"
        return failed(f"SQLite refused it: {exc}. Use the named parameters :created_at and :id.")
    except sqlite3.Warning as exc:
        return failed(f"SQLite refused it: {exc}. Write one condition, without ';'.")
    expected = _rows_after(_AFTER["created_at"], _AFTER["id"])
    if got != expected:
        return failed(f"After (40, 'm199') the next rows are {expected}; your condition returns {got}: "
                      f"{keyset_hint(got, text)}.")
    if not re.search(r"created_at\s*[<>]|\(created_at,\s*id\)\s*[<>]", plan):
        return failed(f"Right rows, but SQLite's plan is {plan!r}: it seeks only on channel_id and then filters. "
                      "Compare against the position in the index's own columns, e.g. the row value "
                      "(created_at, id) > (:created_at, :id), or created_at > :created_at OR (created_at = "
                      ":created_at AND id > :id) with each parameter bound once.")
    return passed(f"Right rows, and the plan seeks: {plan}.")


# Exercise 5 (implement it): read a signed cursor back, as the server does.
CURSOR_KEY = b"exercise-5-cursor-key"


def _reference_decode(token: Any, collection: str) -> tuple | None:
    """The library's answer: ``(order, created_at, id)`` for a valid cursor of ``collection``, else None."""
    try:
        order, position = CursorCodec(CURSOR_KEY).decode(token, collection)
    except InvalidCursor:
        return None
    return order, position.created_at, position.id


def _cursor_cases(seed: int = 5) -> list[tuple[str, str]]:
    """(token, collection) pairs, shortest token first: valid, foreign, tampered, truncated and junk cursors."""
    rng, codec = random.Random(seed), CursorCodec(CURSOR_KEY)
    cases = []
    for i in range(12):
        token = codec.encode(f"ch_{i % 3}", ORDERS[i % 2], Position(rng.randrange(10**12), f"msg_{rng.randrange(999)}"))
        flipped = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
        cases += [(token, f"ch_{i % 3}"), (token, f"ch_{i % 3 + 1}"), (flipped, f"ch_{i % 3}"),
                  (token[:-4], f"ch_{i % 3}")]
    token = codec.encode("ch_0", NEWEST, Position(1, "m"))
    cases += [("", "ch_0"), ("not a cursor!", "ch_0"), ("e30", "ch_0"),
              (CursorCodec(b"another key").encode("ch_0", NEWEST, Position(1, "m")), "ch_0")]
    cases += [("A" * n, "ch_0") for n in (1, 5, 9)]  # 4k+1 characters: no base64 decoder can read them
    cases += [(token + "A", "ch_0"), (token + "=", "ch_0"), (token + "==", "ch_0")]  # a stray character, padding
    cases += [(_signed([2, "ch_0", NEWEST, 1, "m"]), "ch_0")]  # genuine signature, a cursor layout it cannot read
    return sorted(cases, key=lambda c: (len(c[0]), c))


def _signed(fields: list) -> str:
    """A token with a valid tag over any payload, as a server with another cursor layout would issue."""
    payload = json.dumps(fields, separators=(",", ":")).encode()
    tag = hmac.new(CURSOR_KEY, payload, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(payload + tag).rstrip(b"=").decode("ascii")


def _same_cursor(yours: Any, ours: Any) -> bool:
    if ours is None:
        return yours is None
    return isinstance(yours, (tuple, list)) and len(yours) == 3 and tuple(yours) == ours


@never_raises
def check_decode_cursor(decode_cursor: Any) -> Feedback:
    """Exercise 5: a function decode_cursor(token, collection) -> (order, created_at, id), or None for a bad cursor."""
    problem = own_function(decode_cursor, "a function decode_cursor(token, collection)")
    if problem is not None:
        return problem
    bad = first_disagreement(decode_cursor, _reference_decode, _cursor_cases(), _same_cursor)
    if bad is None:
        return passed(f"all {len(_cursor_cases())} cursors decoded as the server does: forged, altered, truncated "
                      "and foreign ones refused, valid ones read back.")
    token, collection = bad.case
    shown = f"decode_cursor({token[:24] + '...' if len(token) > 24 else token!r}, {collection!r})"
    if bad.error:
        hint = " (binascii.Error is a ValueError: catch that)" if "base64" in bad.error.lower() else ""
        return failed(f"{shown} raised {bad.error}; a bad cursor is a None (the server's 400), never a crash{hint}.")
    if bad.reference is None:
        why = _reference_reason(token, collection)
        return failed(f"{shown} returned {bad.yours!r}; the server refuses this cursor: {why}")
    return failed(f"{shown} returned {bad.yours!r}; the server reads {bad.reference!r} from it.")


def _reference_reason(token: str, collection: str) -> str:
    try:
        CursorCodec(CURSOR_KEY).decode(token, collection)
    except InvalidCursor as exc:
        return str(exc)
    return "it is valid"


# Exercise 6 (design it): a bookmarks API.
class RenameFlow(Flow):
    """Renaming: PATCH on the bookmark, or PUT on its title as a sub-resource of its own (a whole-value replace)."""

    def served_by(self, ep) -> bool:
        route = re.sub(r"\{[^}]*\}|:\w+|<[^>]*>", "{}", ep.route)
        return ((ep.method == "PATCH" and re.search(r"/bookmarks/\{\}$", route) is not None)
                or (ep.method == "PUT" and re.search(r"/bookmarks/\{\}/title$", route) is not None))


BOOKMARKS = Brief(
    "bookmarks",
    "Users save bookmarks (a URL and a title), list their bookmarks newest first, rename one, and delete one.",
    flows=(Flow("save a bookmark", ("POST",), r"/bookmarks$"),
           Flow("list my bookmarks, newest first", ("GET",), r"/bookmarks$"),
           RenameFlow("rename a bookmark", ("PATCH", "PUT"), r"/bookmarks/\{\}(/title)?$"),
           Flow("delete a bookmark", ("DELETE",), r"/bookmarks/\{\}$")),
    decisions=(Decision("pagination", r"cursor|keyset|offset|page number",
                        "cursor or offset for the list, and why (either can be right: say what makes yours fit)."),
               Decision("the rename's method", r"\b(PATCH|PUT)\b", "which method renames, and why that one.")))

BOOKMARKS_CHECKED = "\n".join((
    "The check wants, in this order:",
    "1. no errors or warnings from the course's reviewer (notebook 06 builds it);",
    "2. an endpoint for each core flow: " + "; ".join(f.name for f in BOOKMARKS.flows) + "",
    "   (a rename is PATCH on the bookmark, or PUT on its title as a sub-resource of its own);",
    "3. one note deciding each of: " + "; ".join(d.topic for d in BOOKMARKS.decisions)
    + ", at least six words, with its reason ('..., because ...');",
    "4. a rename note that names the same method your table uses for the rename."))


def rename_contradiction(design) -> str | None:
    """A note that decides the rename with one method while the table renames with the other, or None."""
    table = next((ep.method for ep in design.endpoints if BOOKMARKS.flows[2].served_by(ep)), None)
    other = {"PATCH": "PUT", "PUT": "PATCH"}.get(table or "")
    for note in design.notes:
        says_other = re.search(rf"\b(renam\w*|title)\b[^.;]{{0,40}}?\b(uses?|is|via|with|through|by|using)\s+"
                               rf"(an?\s+)?{other}\b", note.text, re.I)
        denies_table = re.search(rf"\b{table}\b\s+(is\s+not|isn't|is\s+un|not)\s*(supported|available|allowed)",
                                 note.text, re.I)
        if other and (says_other or denies_table):
            return (f"your note says {note.text.strip()!r}, but your table renames with {table}: the decision and "
                    "the table must agree (change one of them).")
    return None


def check_bookmarks_design(answer: Any) -> Feedback:
    """Exercise 6: a markdown design (table + notes) for the bookmarks brief."""
    if unanswered(answer):
        return NOT_ANSWERED
    verdict = never_raises(check_brief)(answer, BOOKMARKS)
    if not verdict.ok:
        return verdict
    design, _ = read_design(answer)
    problem = rename_contradiction(design)
    return failed(problem) if problem else verdict
