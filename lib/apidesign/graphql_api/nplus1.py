"""The N+1 problem, counted: one query run with naive resolvers and with DataLoaders, and the REST calls
that fetch the same data.

Everything is reproducible: ``chat_world`` builds an app with seeded IDs and a fake clock, so the
counts and byte sizes come out the same on every run (the tests pin them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Flask

from ..clock import FakeClock
from ..protocols.loops import run
from ..server.auth import CHAT_SCOPES, credentials
from ..server.paging import cursor_codec
from .schema import SCHEMA, context_for

MY_CHANNELS = """
query MyChannels {
  me {
    channels(first: 20) {
      nodes {
        name
        messages(first: 10) { nodes { content sender { name } } }
      }
    }
  }
}"""
VIEWER = "usr_alice"
START = 1_773_311_400.0  # 2026-03-12T10:30:00Z, the syllabus's example time


@dataclass(frozen=True)
class Measured:
    """One way of getting the data: HTTP requests made, response bytes received, SQL statements run."""

    how: str
    requests: int
    bytes: int
    statements: int
    missing: int = 0  # values the client wanted but could not get this way (sender names over REST)


def chat_world(channels: int = 5, messages: int = 12, seed: int = 7) -> Flask:
    """An app where Alice is in ``channels`` channels with Bob, Carol and Dave, each holding ``messages``
    messages sent in turn by the four of them, one second apart (seeded IDs, fake clock)."""
    from ..server import create_app  # the app imports this package's schema: import it when called
    clock = FakeClock(START)
    app = create_app({"TESTING": True, "ID_SEED": seed, "CLOCK": clock, "WALL_CLOCK": clock})
    client, people = app.test_client(), ["usr_alice", "usr_bob", "usr_carol", "usr_dave"]
    for c in range(channels):
        made = client.post("/v1/channels", json={"name": f"team-{c}", "memberIds": people[1:]},
                           headers=credentials(app, VIEWER)).get_json()["data"]["channelId"]
        for m in range(messages):
            clock.advance(1)
            sender = people[m % len(people)]
            client.post(f"/v1/channels/{made}/messages", json={"content": f"message {m} in team-{c}"},
                        headers=credentials(app, sender))
    return app


def run_query(app: Flask, query: str = MY_CHANNELS, batched: bool = True, viewer: str = VIEWER) -> tuple[dict, int]:
    """The query's result, and how many SQL statements it took: resolvers fetch naively or through DataLoaders."""
    svc = app.extensions["apidesign"]
    with app.app_context():
        codec = cursor_codec()
    context = context_for(svc.db, viewer, CHAT_SCOPES, codec, batched=batched)
    before = svc.db.statements
    result = run(lambda: SCHEMA.execute(query, context_value=context))
    if result.errors:
        raise result.errors[0]
    return result.data, svc.db.statements - before


def statement_counts(app: Flask, query: str = MY_CHANNELS) -> dict[str, int]:
    """SQL statements for ``query``, naive resolvers against DataLoaders (the same data both ways)."""
    naive, naive_count = run_query(app, query, batched=False)
    batched, batched_count = run_query(app, query, batched=True)
    assert naive == batched, "both fetchers must answer alike"
    return {"naive": naive_count, "dataloader": batched_count}


def over_graphql(app: Flask, query: str = MY_CHANNELS) -> Measured:
    """The query as one ``POST /graphql``: its bytes, and the SQL it cost (authentication included)."""
    client, db = app.test_client(), app.extensions["apidesign"].db
    before = db.statements
    response = client.post("/graphql", json={"query": query}, headers=credentials(app, VIEWER))
    return Measured("GraphQL", 1, len(response.get_data()), db.statements - before)


def over_rest(app: Flask, channels: int = 20, messages: int = 10) -> Measured:
    """The same data from the REST API: the channel list, then each channel's messages (1 + N requests).

    REST has no user resource, so the sender names stay missing: ``missing`` counts the distinct senders.
    """
    client, db = app.test_client(), app.extensions["apidesign"].db
    headers, before, sizes = credentials(app, VIEWER), db.statements, []
    listing = client.get(f"/v1/users/{VIEWER}/channels?limit={channels}", headers=headers)
    sizes.append(len(listing.get_data()))
    senders = set()
    for channel in listing.get_json()["data"]:
        page = client.get(f"/v1/channels/{channel['channelId']}/messages?limit={messages}", headers=headers)
        sizes.append(len(page.get_data()))
        senders |= {m["senderId"] for m in page.get_json()["data"]}
    return Measured("REST", len(sizes), sum(sizes), db.statements - before, missing=len(senders))


def needed_bytes(app: Flask, query: str = MY_CHANNELS) -> int:
    """Bytes of exactly the data the screen needs: the GraphQL answer's ``data``, as compact JSON."""
    data, _ = run_query(app, query)
    return len(json.dumps(data, separators=(",", ":")).encode())


def comparison(app: Flask) -> list[dict[str, Any]]:
    """REST against GraphQL for "my channels with their last 10 messages and each sender's name"."""
    need = needed_bytes(app)
    rows = []
    for m in (over_rest(app), over_graphql(app)):
        rows.append({"how": m.how, "requests": m.requests, "bytes": m.bytes, "needed bytes": need,
                     "over-fetched bytes": max(0, m.bytes - need), "SQL statements": m.statements,
                     "sender names missing": m.missing})
    return rows
