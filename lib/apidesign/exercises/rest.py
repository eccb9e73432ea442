"""Checks for the exercises in 02-rest-design."""

from __future__ import annotations

import sqlite3

from . import NOT_ANSWERED, Feedback, failed, passed, unanswered

# Exercise 1: the operation -> the method and path a REST API uses for it.
OPERATIONS = {
    "send a message to channel ch_1": "POST /v1/channels/ch_1/messages",
    "read the history of channel ch_1": "GET /v1/channels/ch_1/messages",
    "delete message msg_9": "DELETE /v1/messages/msg_9",
    "rename channel ch_1, changing nothing else": "PATCH /v1/channels/ch_1",
    "translate message msg_9 into French": "POST /v1/messages/msg_9/translate",
}

# Exercise 2: the situation -> the status code the reference API answers.
SITUATIONS = {
    "PUT /v1/channels/ch_1 renaming it to a name another channel has": 409,
    "DELETE /v1/channels/ch_1 (channels have no DELETE route)": 405,
    "GET /v1/channels/ch_1/messages?cursor=<a cursor from channel ch_2>": 400,
    "PATCH /v1/channels/ch_1 by a user who is not a member": 403,
    "DELETE /v1/messages/msg_9 by its sender": 204,
}


def check_routes(answer: dict[str, str]) -> Feedback:
    """Exercise 1: method and path for each operation in OPERATIONS."""
    if unanswered(answer):
        return NOT_ANSWERED
    for operation, expected in OPERATIONS.items():
        given = " ".join(str(answer.get(operation, "")).split())
        if not given:
            return failed(f"You left out {operation!r}.")
        method, _, path = given.partition(" ")
        if any(verb in path.lower() for verb in ("send", "delete", "get", "update", "rename", "create")):
            return failed(f"{given!r} puts a verb in the path; the method already says what happens.")
        if given != expected:
            why = "the method is the verb" if path == expected.split(" ")[1] else "plural nouns, nested under the owner"
            return failed(f"For {operation!r} you wrote {given!r}; expected {expected!r} ({why}).")
    return passed("Nouns in the path, the verb in the method, and one action endpoint where CRUD does not fit.")


def check_status_codes(answer: dict[str, int]) -> Feedback:
    """Exercise 2: the status code for each situation in SITUATIONS."""
    if unanswered(answer):
        return NOT_ANSWERED
    for situation, expected in SITUATIONS.items():
        given = answer.get(situation)
        if given != expected:
            return failed(f"{situation}: you said {given}, the API answers {expected}. Try it on the live server above.")
    return passed("409 for the name clash, 405 for a missing method, 400 INVALID_CURSOR, 403 for non-members, 204 on delete.")


def check_drift_prediction(duplicates: int, *, actual: int) -> Feedback:
    """Exercise 3: duplicates an offset client sees; ``actual`` is what ``simulate_drift`` measured."""
    if unanswered(duplicates):
        return NOT_ANSWERED
    if duplicates == actual:
        return passed(f"{actual}: every message that arrives at the head pushes one already-seen row onto the next page.")
    return failed(f"You predicted {duplicates}; the simulation counted {actual}. Each arrival shifts every later "
                  f"page down by one row, so count the arrivals that happen before the last page is fetched.")


KEYSET_REFERENCE = "(created_at, id) > (:created_at, :id)"


def _history() -> sqlite3.Connection:
    """A small channel in the API's schema with ties on created_at, for checking WHERE clauses."""
    from ..server.db import SCHEMA
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    conn.execute("INSERT INTO users VALUES ('u', 'U', 0)")
    conn.execute("INSERT INTO channels VALUES ('ch', 'c', '', 'u', 0)")
    conn.executemany("INSERT INTO messages VALUES (?, 'ch', 'u', '', 'text', ?)",
                     [(f"m{i:03d}", i // 3) for i in range(300)])
    conn.execute("ANALYZE")
    return conn


def _run(conn: sqlite3.Connection, where: str, explain: bool = False):
    sql = (f"SELECT id FROM messages WHERE channel_id = 'ch' AND ({where}) "
           "ORDER BY created_at, id LIMIT 5")
    params = {"created_at": 40, "id": "m121"}
    if explain:
        return " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    return [r[0] for r in conn.execute(sql, params)]


def check_keyset_where(where: str) -> Feedback:
    """Exercise 4: a WHERE condition for "the rows after (:created_at, :id)", oldest first, that seeks the index."""
    if unanswered(where):
        return NOT_ANSWERED
    conn = _history()
    try:
        got, expected = _run(conn, where), _run(conn, KEYSET_REFERENCE)
        plan = _run(conn, where, explain=True)
    except sqlite3.Error as exc:
        return failed(f"SQLite refused it: {exc}. Use the named parameters :created_at and :id.")
    if got != expected:
        return failed(f"After (40, 'm121') the next rows are {expected}; your condition returns {got}. "
                      "Remember the tie: rows at created_at = 40 with a larger id come first.")
    if "(created_at,id)>" not in plan.replace(" ", ""):
        return failed(f"Right rows, but SQLite's plan is {plan!r}: it seeks only on channel_id and then filters. "
                      "Write it as a row value, (created_at, id) > (:created_at, :id), and the index seeks.")
    return passed(f"Right rows, and the plan seeks: {plan}.")
