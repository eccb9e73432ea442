"""Hostile input on every route: never a 5xx, and every 4xx in the error envelope (RFC 6749's shape on /oauth/token and /oauth/revoke).

Hypothesis builds requests from the shapes attackers send: odd Unicode (lone surrogates
included), huge and negative numbers, wrong types, nulls, arrays for objects, repeated
names, NaN, deep nesting, empty bodies, bytes that are not UTF-8 and wrong content types,
against every route of the app's URL map, with real IDs or garbage in the path.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import hypothesis
import pytest
import requests
from hypothesis import strategies as st

from apidesign.server import create_app, credentials, serve

ALICE = "usr_alice"
EXAMPLES = 1200
KNOWN = "<known>"  # stands for a real ID of the kind the path wants (made by the fixture)
TALLY = {"requests": 0, "server_errors": 0}

APP_CONFIG = {"TESTING": True, "ID_SEED": 5, "SSE_MAX_HEARTBEATS": 0}
ROUTES = sorted((rule.rule, method, tuple(rule.arguments)) for rule in create_app(APP_CONFIG).url_map.iter_rules()
                for method in rule.methods)
FIELDS = ["content", "type", "name", "topic", "memberIds", "scopes", "messages", "token", "grant_type", "url",
          "eventTypes"]

# -- the shapes -------------------------------------------------------------------------------

odd_text = st.one_of(
    st.text(max_size=20),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),  # lone surrogates
    st.sampled_from(["", " ", "\x00", "\u202e", "\ufeff", "\uffff", "\U0010ffff", "a" * 5000, "usr_alice",
                     "ch_\ud800", "../../etc/passwd", "%00", "' OR 1=1 --", "text", "markdown"]))
huge_number = st.one_of(st.integers(), st.sampled_from([2**63, -2**63 - 1, 10**4000, 1e308, -0.0]),
                        st.floats(allow_nan=True, allow_infinity=True))
scalar = st.one_of(st.none(), st.booleans(), huge_number, odd_text)
json_value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(st.sampled_from(FIELDS) | odd_text, inner,
                                                                          max_size=4)), max_leaves=12)
field_body = st.dictionaries(st.sampled_from(FIELDS), json_value, max_size=4)  # the real names, wrong values
RAW_BODIES = [
    b"", b"null", b"[]", b"{", b'{"content": "a", "content": "b"}', b'{"content": NaN}', b'{"content": 1e999}',
    b'{"content": "\xff\xfe"}', b"\xef\xbb\xbf{}", b'{"content": "\\ud800"}', b'{"content": "\\udfff\\ud800"}',
    b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 5000 + b"1" + b"}" * 5000, b'{"content": ' + b"9" * 5000 + b"}",
    b'{"messages": [' + b'{"content": "x"},' * 200 + b'{"content": "x"}]}', b"\x00" * 100, b"content=hi",
]
raw_body = st.sampled_from(RAW_BODIES)


@st.composite
def body(draw):
    """(bytes, content type): JSON of any shape, or raw bytes, labelled with a right or wrong type."""
    kind = draw(st.sampled_from(["json", "fields", "raw"]))
    if kind == "raw":
        data = draw(raw_body)
    else:
        value = draw(json_value if kind == "json" else field_body)
        data = json.dumps(value, allow_nan=True).encode()  # ensure_ascii: a lone surrogate travels as \ud800
    ctype = draw(st.sampled_from(["application/json", "application/json", "application/json; charset=utf-8",
                                  "text/plain", "application/x-www-form-urlencoded", "application/merge-patch+json",
                                  "multipart/form-data; boundary=x", None]))
    return data, ctype


query_param = st.dictionaries(st.sampled_from(["offset", "limit", "cursor", "order", "version", "lastEventId",
                                               "client_id", "redirect_uri", "scope", "code_challenge"]),
                              st.one_of(odd_text, huge_number.map(str)), max_size=3)
headers = st.fixed_dictionaries({}, optional={
    "Idempotency-Key": st.one_of(odd_text, st.just('"k"')), "Accept": st.sampled_from(
        ["application/vnd.apidesign.v2+json", "application/vnd.apidesign.v9+json", "*/*", "\x00"]),
    "Last-Event-ID": st.one_of(odd_text, huge_number.map(str)),
    "If-Match": st.one_of(odd_text, st.sampled_from(["*", 'W/"x"', '"a", "b"', '"unterminated', ",,,"])),
    "If-None-Match": st.one_of(odd_text, st.sampled_from(["*", 'W/"x"', '"a", *']))})
who = st.sampled_from(["alice", "alice", "key", "nobody", "garbage", "forged"])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# Tokens whose header is hostile JSON: read before any signature check, so they must fail cleanly.
FORGED = ".".join([b64(b'{"alg":' * 3000 + b"1" + b"}" * 3000), b64(b'{"sub":"\\ud800"}'), "sig"])


def latin1(value: str) -> str:
    """A header value as it can travel: Latin-1 only (a surrogate cannot reach a server in a header)."""
    return value.encode("latin-1", "replace").decode("latin-1").replace("\r", "").replace("\n", "")


# -- the test -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world():
    """An app with one channel, one message and one API key of Alice's: the real IDs paths can name."""
    app = create_app(APP_CONFIG)
    client, alice = app.test_client(), dict(credentials(app, ALICE))
    channel = client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]
    message = client.post(f"/v1/channels/{channel['channelId']}/messages", json={"content": "hi"},
                          headers=alice).get_json()["data"]
    key = client.post("/v1/api-keys", json={"scopes": ["messages:write"]}, headers=alice).get_json()["data"]
    export = client.post(f"/v1/channels/{channel['channelId']}/exports", json={}, headers=alice).get_json()["data"]
    hook = client.post("/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/hook", "eventTypes": ["message.created"]},
                       headers=alice).get_json()["data"]  # never called: deliveries wait for run_due
    known = {"channel_id": channel["channelId"], "message_id": message["messageId"], "key_id": key["keyId"],
             "user_id": ALICE, "filename": "x", "operation_id": export["operationId"], "endpoint_id": hook["endpointId"]}
    creds = {"alice": alice, "key": {"X-API-Key": key["key"]}, "nobody": {},
             "garbage": {"Authorization": "Bearer a.b.c", "X-API-Key": "sk_live_x"},
             "forged": {"Authorization": f"Bearer {FORGED[:8000]}"}}
    yield client, known, creds
    print(f"\nfuzz: {TALLY['requests']} requests, {TALLY['server_errors']} server errors")


@hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(route=st.sampled_from(ROUTES), data=st.data())
def test_no_request_of_any_shape_gets_a_5xx_and_every_4xx_is_the_envelope(world, route, data):
    client, known, creds = world
    rule, method, arguments = route
    path = rule
    for arg in arguments:
        value = data.draw(st.one_of(st.just(KNOWN), odd_text), label=arg)
        value = known[arg] if value == KNOWN else value
        path = path.replace(f"<{arg}>", quote(value.encode("utf-8", "surrogatepass"), safe="")).replace(
            f"<path:{arg}>", quote(value.encode("utf-8", "surrogatepass"), safe=""))
    payload, ctype = data.draw(body(), label="body")
    sent = {k: latin1(v) for k, v in {**data.draw(headers, label="headers"),
                                      **creds[data.draw(who, label="who")]}.items()}
    if ctype:
        sent["Content-Type"] = ctype
    query = {k: v.encode("utf-8", "surrogatepass") for k, v in data.draw(query_param, label="query").items()}
    response = client.open(path, method=method, data=payload, headers=sent, query_string=query)
    TALLY["requests"] += 1
    TALLY["server_errors"] += response.status_code >= 500
    assert response.status_code < 500, (method, path, response.get_data()[:300])
    if 400 <= response.status_code < 500 and method != "HEAD":  # a HEAD answer has no body (RFC 9110 section 9.3.2)
        assert_error_shape(rule, response)


OAUTH_SHAPED = ("/oauth/token", "/oauth/revoke")  # endpoints that answer errors in OAuth's own shape


def assert_error_shape(rule: str, response) -> None:
    body = response.get_json()
    assert body is not None, (rule, response.status_code, response.get_data()[:200])
    if rule in OAUTH_SHAPED:  # RFC 6749 section 5.2 (and RFC 7009 section 2.2.1), for OAuth client libraries
        assert set(body) <= {"error", "error_description"} and isinstance(body["error"], str), body
        return
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["details"], list), body


def test_every_hostile_body_gets_a_4xx_envelope_over_real_http_on_every_route_that_takes_one():
    """The same raw shapes through cheroot (its worker threads, its body framing), to each POST, PUT and PATCH."""
    app = create_app(APP_CONFIG)
    with serve(app) as live, requests.Session() as http:
        alice = dict(credentials(app, ALICE))
        cid = http.post(live.url + "/v1/channels", json={"name": "general"}, headers=alice).json()["data"]["channelId"]
        key = http.post(live.url + "/v1/api-keys", json={"scopes": ["messages:write"]}, headers=alice).json()["data"]
        known = {"channel_id": cid, "key_id": key["keyId"], "user_id": ALICE, "message_id": "msg_x", "filename": "x",
                 "operation_id": "op_x", "endpoint_id": "ep_x"}
        statuses = []
        for rule, method, arguments in ROUTES:
            if method not in ("POST", "PUT", "PATCH"):
                continue
            path = rule
            for arg in arguments:
                path = path.replace(f"<{arg}>", known[arg])
            who = {"X-API-Key": key["key"]} if rule.startswith("/v1/hooks") else alice
            for data in RAW_BODIES:
                r = http.request(method, live.url + path, data=data,
                                 headers={**who, "Content-Type": "application/json"}, timeout=10)
                statuses.append(r.status_code)
                assert r.status_code < 500, (method, path, data[:40], r.text[:200])
                if r.status_code >= 400 and rule not in OAUTH_SHAPED:
                    assert set(r.json()["error"]) == {"code", "message", "details"}
    TALLY["requests"] += len(statuses)
    assert len(statuses) > 150
