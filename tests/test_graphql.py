"""POST /graphql: the chat data over GraphQL, authenticated and limited like the REST API.

Mirrors ``apidesign.graphql_api`` (schema, fetchers, limits, nplus1) and ``server/graphql_http``.
"""

from __future__ import annotations

import json
import logging
import time

import hypothesis
import pytest
from graphql import parse
from hypothesis import strategies as st

from apidesign.graphql_api.limits import (MAX_COST, MAX_DEPTH, MAX_EXACT, MAX_SELECTIONS, MAX_TOKENS, cost_of,
                                          expanded_size, query_cost)
from apidesign.graphql_api.nplus1 import (MY_CHANNELS, chat_world, comparison, over_graphql, over_rest, run_query,
                                          statement_counts)
from apidesign.graphql_api.schema import SCHEMA, cost
from apidesign.server import create_app, credentials

ALICE, BOB, CAROL = "usr_alice", "usr_bob", "usr_carol"
GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def world():
    """Alice in 5 channels of 12 messages each, from four senders (seeded IDs, fake clock)."""
    return chat_world()


def ask(app, query, user=ALICE, variables=None, **headers):
    """POST /graphql as ``user`` (None: no credentials)."""
    sent = {**(credentials(app, user) if user else {}), **headers}
    return app.test_client().post("/graphql", json={"query": query, "variables": variables}, headers=sent)


def first_channel(world):
    return run_query(world, "{ me { channels(first: 1) { nodes { id } } } }")[0]["me"]["channels"]["nodes"][0]["id"]


# -- authentication and membership ------------------------------------------------------------

def test_without_credentials_it_is_the_rest_apis_401_with_a_bearer_challenge(world):
    r = ask(world, "{ me { name } }", user=None)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.get_json()["error"]["code"] == "UNAUTHENTICATED"


def test_a_bad_token_is_401_and_an_api_key_is_403(world):
    r = world.test_client().post("/graphql", json={"query": "{ me { name } }"},
                                 headers={"Authorization": "Bearer a.b.c"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "INVALID_TOKEN"
    key = world.test_client().post("/v1/api-keys", json={"scopes": ["messages:write"]},
                                   headers=credentials(world, ALICE)).get_json()["data"]["key"]
    r = world.test_client().post("/graphql", json={"query": "{ me { name } }"}, headers={"X-API-Key": key})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "FORBIDDEN"


def test_me_is_the_caller(world):
    assert ask(world, "{ me { id name } }", user=BOB).get_json() == {"data": {"me": {"id": BOB, "name": "Bob"}}}


def test_a_channel_is_visible_only_to_its_members(world, client, app):
    made = client.post("/v1/channels", json={"name": "secret"}, headers=credentials(app, CAROL)).get_json()["data"]
    query = '{ channel(id: "%s") { name } }' % made["channelId"]
    assert ask(app, query, user=CAROL).get_json() == {"data": {"channel": {"name": "secret"}}}
    r = ask(app, query, user=ALICE)
    assert r.status_code == 200 and r.get_json()["data"] == {"channel": None}
    assert r.get_json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    r = ask(app, '{ channel(id: "ch_nope") { name } }')
    assert r.get_json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_only_your_own_channel_list_is_served_even_through_a_sender(world):
    query = ("{ me { channels(first: 1) { nodes { messages(first: 4) { nodes {"
             " sender { id channels { nodes { id } } } } } } } } }")
    body = ask(world, query).get_json()
    senders = body["data"]["me"]["channels"]["nodes"][0]["messages"]["nodes"]
    assert {s["sender"]["id"] for s in senders} == {ALICE, BOB, CAROL, "usr_dave"}
    assert all((s["sender"]["channels"] is None) == (s["sender"]["id"] != ALICE) for s in senders)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"} and len(body["errors"]) == 3


def test_scopes_are_the_rest_apis_a_token_without_messages_read_gets_no_messages(world):
    headers = credentials(world, ALICE, scopes=["channels:read"])
    query = "{ me { channels(first: 1) { nodes { name messages { nodes { id } } } } } }"
    r = world.test_client().post("/graphql", headers=headers, json={"query": query})
    node = r.get_json()["data"]["me"]["channels"]["nodes"][0]
    assert node["name"] == "team-0" and node["messages"] is None
    assert r.get_json()["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"


# -- paging ------------------------------------------------------------------------------------

PAGE = """query Page($id: ID!, $after: String) { channel(id: $id) {
  messages(first: 5, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }"""


def test_cursor_pages_walk_the_history_newest_first_without_skipping_or_repeating(world):
    channel, seen, after = first_channel(world), [], None
    while True:
        page = ask(world, PAGE, variables={"id": channel, "after": after}).get_json()["data"]["channel"]["messages"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    rest = world.test_client().get(f"/v1/channels/{channel}/messages?limit=100", headers=credentials(world, ALICE))
    assert seen == [m["messageId"] for m in rest.get_json()["data"]] and len(seen) == 12


def test_a_rest_cursor_continues_in_graphql(world):
    channel = first_channel(world)
    rest = world.test_client().get(f"/v1/channels/{channel}/messages?limit=5", headers=credentials(world, ALICE))
    page = ask(world, PAGE, variables={"id": channel, "after": rest.get_json()["meta"]["nextCursor"]}).get_json()
    assert page["data"]["channel"]["messages"]["edges"][0]["node"]["id"] != rest.get_json()["data"][-1]["messageId"]
    assert len(page["data"]["channel"]["messages"]["edges"]) == 5


@pytest.mark.parametrize("args, code", [("first: 0", "INVALID_INPUT"), ("first: 101", "INVALID_INPUT"),
                                        ('first: 5, after: "forged"', "INVALID_CURSOR")])
def test_a_bad_page_request_is_a_field_error_naming_the_rule(world, args, code):
    r = ask(world, '{ channel(id: "%s") { name messages(%s) { nodes { id } } } }' % (first_channel(world), args))
    assert r.status_code == 200 and r.get_json()["data"]["channel"]["messages"] is None
    assert r.get_json()["errors"][0]["extensions"]["code"] == code


# -- the N+1 problem, counted ------------------------------------------------------------------

def test_naive_resolvers_run_one_statement_per_object_and_dataloaders_one_per_level(world):
    # naive: me 1 + channels 1 + messages 5 (one per channel) + senders 50 (one per message) = 57
    # batched: me, channels, every channel's page (one UNION ALL), every sender (WHERE id IN) = 4
    assert statement_counts(world) == {"naive": 57, "dataloader": 4}


def test_the_dataloader_count_stays_flat_as_the_data_grows_while_the_naive_one_grows_with_it():
    small, large = chat_world(channels=2, messages=3), chat_world(channels=6, messages=12)
    assert statement_counts(small) == {"naive": 1 + 1 + 2 + 2 * 3, "dataloader": 4}
    assert statement_counts(large) == {"naive": 1 + 1 + 6 + 6 * 10, "dataloader": 4}


def test_members_are_batched_too():
    app = chat_world(channels=3, messages=1)
    query = "{ me { channels { nodes { members { name } } } } }"
    naive, naive_count = run_query(app, query, batched=False)
    batched, batched_count = run_query(app, query, batched=True)
    assert naive == batched and (naive_count, batched_count) == (1 + 1 + 3 + 3 * 4, 1 + 1 + 1 + 1)


def test_rest_needs_1_plus_n_requests_and_over_fetches_graphql_needs_one(world):
    rest, graphql = over_rest(world), over_graphql(world)
    assert (rest.requests, rest.bytes, rest.missing) == (6, 10250, 4)
    assert (graphql.requests, graphql.bytes, graphql.missing) == (1, 3221, 0)
    rows = comparison(world)
    assert [r["how"] for r in rows] == ["REST", "GraphQL"] and rows[0]["over-fetched bytes"] == 10250 - 3211


def test_the_server_can_run_naive_resolvers_to_show_n_plus_1_live(world):
    world.config["GRAPHQL_BATCHED"] = False
    try:
        naive = over_graphql(world)
    finally:
        world.config["GRAPHQL_BATCHED"] = True
    batched = over_graphql(world)
    assert (naive.bytes, naive.statements, batched.statements) == (batched.bytes, 1 + 57, 1 + 4)


def test_the_counter_counts_every_statement_on_the_connection(world):
    db = world.extensions["apidesign"].db
    before = db.statements
    db.query("SELECT 1")
    db.query_one("SELECT 2")
    assert db.statements == before + 2


# -- limits: depth, cost, size -----------------------------------------------------------------

def nested(levels: int) -> str:
    """me > channels > nodes > messages > nodes > sender > channels > ... ``levels`` times round."""
    inner = "id"
    for _ in range(levels):
        inner = f"channels(first: 1) {{ nodes {{ messages(first: 1) {{ nodes {{ sender {{ {inner} }} }} }} }} }}"
    return f"{{ me {{ {inner} }} }}"


def test_a_query_deeper_than_the_limit_is_refused_before_it_runs(world):
    db = world.extensions["apidesign"].db
    assert ask(world, nested(1)).status_code == 200
    before = db.statements
    r = ask(world, nested(2))  # depth 11 > MAX_DEPTH
    assert MAX_DEPTH == 10 and r.status_code == 422 and "data" not in r.get_json()
    assert r.get_json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert db.statements - before == 1  # only authentication's user lookup: no resolver ran


def test_a_query_that_could_return_too_many_objects_is_refused_with_its_cost(world):
    wide = "{ me { channels(first: 100) { nodes { messages(first: 100) { nodes { sender { name } } } } } } }"
    r = ask(world, wide)
    assert r.status_code == 422 and "data" not in r.get_json()
    error = r.get_json()["errors"][0]["extensions"]
    assert error == {"code": "QUERY_TOO_COSTLY", "cost": 1 + 1 + 100 * (1 + 1 + 100 * (1 + 1)), "limit": MAX_COST}


def test_the_cost_counts_objects_a_page_at_a_time_and_a_variable_page_at_its_maximum():
    document = parse(MY_CHANNELS)
    assert query_cost(SCHEMA._schema, document.definitions[0], {}) == 1 + 1 + 20 * (1 + 1 + 10 * (1 + 1)) == 442
    assert cost_of(SCHEMA._schema, "query($n: Int!) { me { channels(first: $n) { nodes { id } } } }") == 1 + 1 + 100
    assert cost("{ me { channels { nodes { members { id } } } } }") == 1 + 1 + 20 * (1 + 20)


def test_aliases_cannot_dodge_the_cost_and_fragments_are_counted(world):
    aliased = "{ " + " ".join(f"a{i}: me {{ channels(first: 20) {{ nodes {{ id }} }} }}" for i in range(50)) + " }"
    assert ask(world, aliased).get_json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    fragment = ("query { me { channels(first: 100) { nodes { ...C } } } } "
                "fragment C on Channel { messages(first: 100) { nodes { id } } }")
    assert ask(world, fragment).get_json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_a_negative_page_cannot_offset_a_huge_one_in_the_cost(world):
    huge = "a: me { channels(first: 100) { nodes { messages(first: 100) { nodes { id } } } } }"
    negative = "b: me { channels(first: -1000000) { nodes { messages(first: 100) { nodes { id } } } } }"
    r = ask(world, "{ %s %s }" % (huge, negative))
    assert r.status_code == 422 and r.get_json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def doubling(n: int, last: str = "__typename") -> str:
    """A query whose fragment Q0 spreads Q1 twice, Q1 spreads Q2 twice, ... Qn selects ``last``: 2**n copies of it."""
    chain = " ".join(f"fragment Q{i} on Query {{ ...Q{i + 1} ...Q{i + 1} }}" for i in range(n))
    return f"{{ ...Q0 }} {chain} fragment Q{n} on Query {{ {last} }}"


def test_fragments_that_spread_the_next_one_twice_are_refused_at_once_by_their_written_out_size(world):
    query = doubling(24)  # 1 KB, 300 tokens, depth 1, cost 0: every other limit passes it
    assert len(query) < 1100 and expanded_size(parse(query)) == 3 * 2**24 - 1 > MAX_SELECTIONS
    started = time.monotonic()
    r = ask(world, query)
    assert time.monotonic() - started < 2  # the depth limiter, which follows every spread, never saw it
    assert r.status_code == 422 and "data" not in r.get_json()
    error = r.get_json()["errors"][0]
    assert error["extensions"] == {"code": "QUERY_TOO_LARGE", "selections": 3 * 2**24 - 1, "limit": MAX_SELECTIONS}
    assert "fragment" in error["message"]
    assert ask(world, doubling(8)).get_json() == {"data": {"__typename": "Query"}}  # 767 selections: fine


def test_a_cyclic_or_unknown_fragment_gets_graphql_cores_own_error_not_a_hang_or_a_500(world):
    cycle = "{ ...A } fragment A on Query { ...B ...B } fragment B on Query { ...A ...A }"
    r = ask(world, cycle)
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["message"] == "Cannot spread fragment 'A' within itself via 'B'."
    r = ask(world, "{ me { id } ...Nope }")
    assert r.status_code == 422 and r.get_json()["errors"][0]["message"] == "Unknown fragment 'Nope'."
    assert r.get_json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_the_cost_counts_a_fragment_once_per_selection_set_as_execution_runs_it():
    page = "channels(first: 5) { nodes { id } }"
    assert cost("{ me { %s } }" % page) == 1 + 1 + 5
    assert cost("{ me { ...A ...A } } fragment A on User { %s }" % page) == 1 + 1 + 5
    assert cost("{ me { ...A ...B } } fragment A on User { ...B } fragment B on User { %s }" % page) == 1 + 1 + 5
    assert cost("{ me { ...A a: %s } } fragment A on User { %s }" % (page, page)) == 1 + 2 * (1 + 5)  # two fields
    started = time.monotonic()
    assert cost(doubling(20, "me { %s }" % page)) == 1 + 1 + 5  # each fragment costed once, not 2**20 times
    assert time.monotonic() - started < 2


def test_a_cost_beyond_what_json_numbers_hold_exactly_is_reported_capped_and_said_to_be_more(world):
    huge = "{ me { %s } }" % ("channels(first: 100) { nodes { members { " * 8 + "id" + " } } }" * 8)
    assert cost(huge) > MAX_EXACT == 2**53 - 1  # I-JSON (RFC 7493, section 2.2)
    r = ask(world, huge)
    error = next(e for e in r.get_json()["errors"] if e["extensions"]["code"] == "QUERY_TOO_COSTLY")
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": MAX_EXACT, "limit": MAX_COST}
    assert error["message"].startswith(f"This query could return more than {MAX_EXACT} objects")


def test_a_huge_document_stops_at_the_token_limit_and_deep_brackets_at_the_parsers_nesting_limit(world):
    r = ask(world, "{ " + "me { id } " * MAX_TOKENS + "}")
    assert r.status_code == 400 and r.get_json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    r = ask(world, "{ me " + "{ a " * 5000 + "}" * 5001)
    assert r.status_code == 400 and r.get_json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    r = ask(world, '# a comment\'s " is no string\n{ me(x: ' + "[" * 5000 + "]" * 5000 + ') { id } } # "')
    assert r.status_code == 400 and "nested too deeply" in r.get_json()["errors"][0]["message"]


def test_brackets_in_a_comment_or_a_string_are_not_nesting(world):
    r = ask(world, "{ me { id } } # " + "{" * 40)
    assert r.get_json() == {"data": {"me": {"id": ALICE}}}
    r = ask(world, '{ channel(id: "%s") { id } }' % ("[" * 40))
    assert r.status_code == 200 and r.get_json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_a_body_over_the_apps_limit_is_413_in_the_envelope(world):
    r = world.test_client().post("/graphql", data=json.dumps({"query": "#" * (2 << 20)}),
                                 headers={**credentials(world, ALICE), "Content-Type": "application/json"})
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


# -- GraphQL over HTTP: status codes and media types -------------------------------------------

@pytest.mark.parametrize("query, status, code", [
    ("{", 400, "GRAPHQL_PARSE_FAILED"),
    ("", 400, "GRAPHQL_PARSE_FAILED"),
    ("{ nope }", 422, "GRAPHQL_VALIDATION_FAILED"),
    ("mutation { me { id } }", 422, "GRAPHQL_VALIDATION_FAILED"),
    ("query A { me { id } } query B { me { name } }", 422, "GRAPHQL_VALIDATION_FAILED"),
    ("query($n: Int!) { me { channels(first: $n) { nodes { id } } } }", 422, "GRAPHQL_VALIDATION_FAILED"),
])
def test_request_errors_are_4xx_graphql_responses_without_data(world, query, status, code):
    r = ask(world, query, Accept=GRAPHQL_RESPONSE)
    assert (r.status_code, r.mimetype) == (status, GRAPHQL_RESPONSE)
    assert "data" not in r.get_json() and r.get_json()["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("body, content_type, status, code", [
    (b"{", "application/json", 400, "MALFORMED_JSON"),
    (b'{"query": "{ me { id } }", "query": "x"}', "application/json", 400, "MALFORMED_JSON"),
    (b"[" * 100 + b"]" * 100, "application/json", 400, "JSON_TOO_DEEP"),
    (b'{"qeury": "{ me { id } }"}', "application/json", 422, "UNPROCESSABLE"),
    (b'{"query": "{ me { id } }", "variables": [7]}', "application/json", 422, "UNPROCESSABLE"),
    (b'{"query": 7}', "application/json", 422, "UNPROCESSABLE"),
    (b'{"query": "{ me { id } }"}', "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"),
    (b'{"query": "{ me { id } }"}', "application/graphql", 415, "UNSUPPORTED_MEDIA_TYPE"),
])
def test_a_request_that_is_not_graphql_gets_the_apis_error_envelope(world, body, content_type, status, code):
    r = world.test_client().post("/graphql", data=body, headers={**credentials(world, ALICE),
                                                                 "Content-Type": content_type})
    assert r.status_code == status and r.get_json()["error"]["code"] == code


@pytest.mark.parametrize("accept, media_type", [
    (None, "application/json"), ("*/*", "application/json"), ("application/json", "application/json"),
    (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE), (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE)])
def test_the_response_media_type_follows_accept(world, accept, media_type):
    r = ask(world, "{ me { id } }", **({"Accept": accept} if accept else {}))
    assert (r.status_code, r.mimetype, r.mimetype_params["charset"]) == (200, media_type, "utf-8")


def test_partial_success_is_294_for_graphql_response_json_and_200_for_legacy_clients(world):
    query = '{ me { id } channel(id: "ch_nope") { id } }'
    r = ask(world, query, Accept=GRAPHQL_RESPONSE)
    assert r.status_code == 294 and r.get_json()["data"] == {"me": {"id": ALICE}, "channel": None}
    assert ask(world, query, Accept="application/json").status_code == 200


def test_operation_name_picks_one_of_several_operations(world):
    r = world.test_client().post("/graphql", headers=credentials(world, ALICE), json={
        "query": "query A { me { id } } query B { me { name } }", "operationName": "B"})
    assert r.get_json() == {"data": {"me": {"name": "Alice"}}}
    r = world.test_client().post("/graphql", headers=credentials(world, ALICE), json={
        "query": "query A { me { id } }", "operationName": "C"})
    assert r.status_code == 422 and "data" not in r.get_json()


@pytest.mark.parametrize("query, name, message", [
    ("query A { me { id } }", "B", "No operation named 'B' in the document; it has: A."),
    ("query A { me { id } } query C { me { name } }", "B", "No operation named 'B' in the document; it has: A, C."),
    ("{ me { id } }", "B", "No operation named 'B' in the document; it has: an anonymous operation."),
    ("fragment F on Query { me { id } }", None, "The document holds no operation to run, only fragments."),
    ("fragment F on Query { me { id } }", "F", "The document holds no operation to run, only fragments."),
])
def test_an_operation_that_cannot_be_found_is_422_saying_which_ones_there_are(world, query, name, message):
    r = world.test_client().post("/graphql", headers=credentials(world, ALICE),
                                 json={"query": query, "operationName": name})
    assert r.status_code == 422
    assert r.get_json() == {"errors": [{"message": message, "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}


def test_an_accept_it_cannot_satisfy_is_406_and_get_is_405(world):
    r = ask(world, "{ me { id } }", Accept="text/html")
    assert r.status_code == 406 and r.get_json()["error"]["code"] == "NOT_ACCEPTABLE"
    r = world.test_client().get("/graphql", headers=credentials(world, ALICE))
    assert r.status_code == 405 and r.headers["Allow"] == "OPTIONS, POST"


def test_graphql_is_outside_the_v1_contract(world):
    contract = world.test_client().get("/v1/openapi.json").get_json()
    assert "/graphql" not in contract["paths"]


# -- never a 500 -------------------------------------------------------------------------------

def test_an_unexpected_resolver_failure_is_masked_not_a_500(world, monkeypatch):
    from apidesign.graphql_api import fetchers
    async def broken(self, ids):
        raise RuntimeError("disk on fire at /var/db")
    monkeypatch.setattr(fetchers.BatchedFetch, "load_users", broken)
    r = ask(world, "{ me { channels(first: 1) { nodes { messages(first: 1) { nodes { sender { name } } } } } } }")
    assert r.status_code == 200
    error = r.get_json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL" and "disk" not in error["message"]


def test_a_variable_of_the_wrong_type_is_the_clients_mistake_and_logged_as_no_bug_while_a_failing_resolver_is(
        world, monkeypatch, caplog):
    from apidesign.graphql_api import fetchers
    with caplog.at_level(logging.ERROR):
        wrong_id = ask(world, "query($id: ID!) { channel(id: $id) { id } }", variables={"id": {"a": 1}})
        wrong_int = ask(world, "query($n: Int!) { me { channels(first: $n) { nodes { id } } } }",
                        variables={"n": 2**40})
    assert (wrong_id.status_code, wrong_int.status_code) == (422, 422) and caplog.records == []
    async def broken(self, ids):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(fetchers.BatchedFetch, "load_users", broken)
    with caplog.at_level(logging.ERROR):
        ask(world, "{ me { channels(first: 1) { nodes { messages(first: 1) { nodes { sender { name } } } } } } }")
    assert [type(r.exc_info[1]) for r in caplog.records] == [RuntimeError]


def test_a_query_running_past_the_timeout_is_a_503_not_a_500(world, monkeypatch):
    import asyncio

    from apidesign.graphql_api import fetchers
    from apidesign.server import graphql_http
    async def slow(self, ids):
        await asyncio.sleep(2)
    monkeypatch.setattr(fetchers.BatchedFetch, "load_users", slow)
    monkeypatch.setattr(graphql_http, "EXECUTION_TIMEOUT", 0.05)
    r = ask(world, "{ me { channels(first: 1) { nodes { messages(first: 1) { nodes { sender { name } } } } } } }")
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "SERVICE_UNAVAILABLE"


graphql_text = st.one_of(st.text(max_size=60), st.text(alphabet="{}()[]:$@!.,\"# \n\\meidnamchlsfrt0123456789",
                                                       max_size=200))


@hypothesis.settings(max_examples=300, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(query=graphql_text, variables=st.one_of(st.none(), st.dictionaries(st.text(max_size=5),
                                                                                    st.integers() | st.text(max_size=5),
                                                                                    max_size=2)))
def test_no_document_of_any_shape_gets_a_5xx(world, query, variables):
    r = ask(world, query, variables=variables)
    assert r.status_code < 500, (query, r.get_data()[:300])
    body = r.get_json()
    assert "errors" in body or "data" in body or set(body) == {"error"}


@hypothesis.settings(max_examples=150, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(data=st.data())
def test_every_valid_query_the_schema_allows_is_answered_or_refused_by_a_limit_never_a_5xx(world, data):
    hypothesis_graphql = pytest.importorskip("hypothesis_graphql")
    query = data.draw(hypothesis_graphql.queries(SCHEMA.as_str()))
    r = ask(world, query)
    assert r.status_code in (200, 422), (query, r.get_data()[:300])
    if r.status_code == 422:
        assert r.get_json()["errors"][0]["extensions"]["code"] in ("QUERY_TOO_DEEP", "QUERY_TOO_COSTLY")


def test_over_real_http_the_query_runs_on_a_worker_thread_and_partial_success_is_294(world):
    import requests

    from apidesign.server import serve
    with serve(world) as live:
        headers = {**credentials(world, ALICE), "Accept": GRAPHQL_RESPONSE}
        ok = requests.post(live.url + "/graphql", json={"query": MY_CHANNELS}, headers=headers, timeout=10)
        partial = requests.post(live.url + "/graphql", json={"query": '{ channel(id: "ch_x") { id } }'},
                                headers=headers, timeout=10)
    assert ok.status_code == 200 and len(ok.json()["data"]["me"]["channels"]["nodes"]) == 5
    assert partial.status_code == 294 and partial.headers["Content-Type"].startswith(GRAPHQL_RESPONSE)


@pytest.mark.parametrize("module", ["apidesign.graphql_api.schema", "apidesign.graphql_api.fetchers",
                                    "apidesign.graphql_api.nplus1", "apidesign.server.graphql_http",
                                    "apidesign.server"])
def test_any_module_can_be_imported_first(module):
    """The schema reads server.db and the server serves the schema: no import order may break that cycle."""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
