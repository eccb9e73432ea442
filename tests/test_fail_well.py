"""Bad input gets a 4xx in the error envelope, never a 500: odd numbers, deep JSON, lone surrogates, big bodies."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time

import pytest
import requests

from apidesign.localhost import _wait_until_ready, free_port
from apidesign.oauth import code_verifier, s256
from apidesign.server import create_app, credentials, serve
from apidesign.server.bodies import MAX_JSON_DEPTH
from apidesign.store import redis_store

ALICE, BOB = "usr_alice", "usr_bob"
LONE = "\ud800"  # a UTF-16 surrogate with no partner: not a Unicode scalar value, so not text


@pytest.fixture
def channel(client, as_user):
    r = client.post("/v1/channels", json={"name": "general", "memberIds": [BOB]}, headers=as_user(ALICE))
    assert r.status_code == 201
    return r.get_json()["data"]["channelId"]


@pytest.fixture
def api_key(client, as_user):
    r = client.post("/v1/api-keys", json={"scopes": ["messages:write"]}, headers=as_user(ALICE))
    return r.get_json()["data"]["key"]


def raw_json(client, method, path, text, headers):
    """Send ``text`` as the body verbatim (the test client's json= would re-encode it)."""
    return client.open(path, method=method, data=text.encode("utf-8", "surrogatepass"),
                       headers={**headers, "Content-Type": "application/json"})


def assert_envelope(r, status, code=None):
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    error = r.get_json()["error"]
    assert set(error) == {"code", "message", "details"}
    if code:
        assert error["code"] == code, error
    return error


# --- pagination parameters ---------------------------------------------------------------

@pytest.mark.parametrize("query,field", [("offset=9223372036854775808", "offset"), ("offset=-1", "offset"),
                                         ("limit=-5", "limit"), ("limit=0", "limit"),
                                         ("offset=99999999999999999999999999", "offset"),
                                         ("offset=%D9%A1", "offset"), ("limit=1_0", "limit")])
def test_an_offset_or_limit_out_of_range_is_a_400_naming_it(client, as_user, channel, query, field):
    r = client.get(f"/v1/channels/{channel}/messages?{query}", headers=as_user(ALICE))
    error = assert_envelope(r, 400, "INVALID_INPUT")
    assert error["details"][0]["field"] == field


def test_the_largest_offset_sqlite_can_hold_is_still_served(client, as_user, channel):
    r = client.get(f"/v1/channels/{channel}/messages?offset=9223372036854775807", headers=as_user(ALICE))
    assert r.status_code == 200 and r.get_json()["data"] == []


def test_a_limit_above_the_maximum_is_still_clamped_not_refused(client, as_user, channel):
    r = client.get(f"/v1/channels/{channel}/messages?limit=100000000000000000000000", headers=as_user(ALICE))
    assert r.status_code == 200 and r.get_json()["meta"]["limit"] == 100


# --- JSON bodies ------------------------------------------------------------------------

def deep(n: int) -> str:
    return '{"content": ' + "[" * (n - 1) + "]" * (n - 1) + "}"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 100_000])
def test_json_nested_deeper_than_the_limit_is_a_400(client, as_user, channel, depth):
    r = raw_json(client, "POST", f"/v1/channels/{channel}/messages", deep(depth), as_user(ALICE))
    error = assert_envelope(r, 400, "JSON_TOO_DEEP")
    assert error["details"] == [{"field": "(body)", "issue": "too_deep", "max": MAX_JSON_DEPTH}]


def test_json_at_the_depth_limit_is_parsed_and_then_validated(client, as_user, channel):
    r = raw_json(client, "POST", f"/v1/channels/{channel}/messages", deep(MAX_JSON_DEPTH), as_user(ALICE))
    assert_envelope(r, 400, "INVALID_INPUT")  # content must be a string: the depth was fine


def test_brackets_inside_strings_are_text_not_nesting(client, as_user, channel):
    content = '[{"\\"' * 100  # a quote escaped inside the string does not end it
    r = client.post(f"/v1/channels/{channel}/messages", json={"content": content}, headers=as_user(ALICE))
    assert r.status_code == 201 and r.get_json()["data"]["content"] == content


NEVER_CLOSED = {  # 100 KB bodies whose string never closes: 20-35 s each while every quote in it was a new start
    "escaped quotes": '"' + '\\"' * 50_000,
    "escaped quotes, then a lone backslash": '{"content": "' + '\\"' * 50_000 + "\\",
    "escaped quotes and brackets": '{"content": "' + '\\"[' * 33_000,
}


@pytest.mark.parametrize("body", NEVER_CLOSED.values(), ids=NEVER_CLOSED.keys())
def test_a_body_whose_string_never_closes_is_a_400_in_well_under_a_second(client, as_user, channel, body):
    started = time.monotonic()
    r = raw_json(client, "POST", f"/v1/channels/{channel}/messages", body, as_user(ALICE))
    assert time.monotonic() - started < 1.0, "the depth check read the string again from each quote in it"
    assert_envelope(r, 400)  # MALFORMED_JSON, or JSON_TOO_DEEP when the brackets after the open quote count


def test_a_graphql_query_whose_string_never_closes_is_a_400_in_well_under_a_second(client, as_user):
    started = time.monotonic()  # the query is measured for depth before it is parsed, like a body
    r = client.post("/graphql", json={"query": '{ me(x: "' + '\\"' * 50_000 + "}"}, headers=as_user(ALICE))
    assert time.monotonic() - started < 1.0, "the depth check read the string again from each quote in it"
    assert r.status_code == 400


def test_deep_json_with_an_idempotency_key_is_a_400_too(client, as_user, channel):
    r = raw_json(client, "POST", f"/v1/channels/{channel}/messages", deep(1000),
                 {**as_user(ALICE), "Idempotency-Key": "deep-1"})
    assert_envelope(r, 400, "JSON_TOO_DEEP")


def lone_surrogate_requests(channel):
    """(method, path, body) for every place the issue found a lone surrogate reaching the database."""
    return [("POST", f"/v1/channels/{channel}/messages", {"content": LONE}),
            ("POST", f"/v2/channels/{channel}/messages", {"content": "ok" + LONE}),
            ("POST", f"/v1/channels/{channel}/messages:batchCreate", {"messages": [{"content": LONE}]}),
            ("POST", "/v1/channels", {"name": "topical", "topic": LONE}),
            ("PATCH", f"/v1/channels/{channel}", {"topic": LONE}),
            ("PUT", f"/v1/channels/{channel}", {"name": "general", "memberIds": [LONE]}),
            ("POST", "/v1/channels", {"name": "members", "memberIds": ["usr_" + LONE]}),
            ("POST", "/v1/api-keys", {"scopes": [LONE]}),
            ("POST", f"/v1/channels/{channel}/messages", {LONE: "a key is a string too"})]


def escaped(body) -> str:
    return json.dumps(body)  # ensure_ascii: the surrogate travels as the escape \ud800, as an attacker sends it


def test_a_lone_surrogate_anywhere_in_a_body_is_a_400_invalid_text(client, as_user, channel):
    for method, path, body in lone_surrogate_requests(channel):
        r = raw_json(client, method, path, escaped(body), as_user(ALICE))
        error = assert_envelope(r, 400, "INVALID_TEXT")
        assert error["details"][0]["issue"] == "lone_surrogate", (method, path)


def test_a_lone_surrogate_in_a_webhook_is_a_400(client, channel, api_key):
    r = raw_json(client, "POST", f"/v1/hooks/channels/{channel}/messages", escaped({"content": LONE}),
                 {"X-API-Key": api_key})
    assert_envelope(r, 400, "INVALID_TEXT")


@pytest.mark.parametrize("nonchar", ["\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"])
def test_a_noncharacter_anywhere_in_a_body_is_a_400_invalid_text(client, as_user, channel, nonchar):
    """I-JSON (RFC 7493 section 2.1) forbids noncharacters (Unicode section 23.7): U+FDD0-U+FDEF, U+xFFFE, U+xFFFF."""
    for sent_as in (json.dumps, lambda body: json.dumps(body, ensure_ascii=False)):  # escaped, and raw UTF-8
        for method, path, body in lone_surrogate_requests(channel):
            text = sent_as(body).replace(sent_as(LONE)[1:-1], sent_as(nonchar)[1:-1])
            r = raw_json(client, method, path, text, as_user(ALICE))
            error = assert_envelope(r, 400, "INVALID_TEXT")
            assert error["details"][0]["issue"] == "noncharacter", (method, path)


def test_the_characters_beside_the_noncharacters_are_welcome(client, as_user, channel):
    for text in ("\ufdcf", "\ufdf0", "\ufffd", "\U0001fffd", "\U00100000"):
        r = client.post(f"/v1/channels/{channel}/messages", json={"content": text}, headers=as_user(ALICE))
        assert r.status_code == 201 and r.get_json()["data"]["content"] == text


def test_a_surrogate_pair_is_one_character_and_welcome(client, as_user, channel):
    r = raw_json(client, "POST", f"/v1/channels/{channel}/messages", '{"content": "\\ud83d\\ude00"}', as_user(ALICE))
    assert r.status_code == 201 and r.get_json()["data"]["content"] == "\N{GRINNING FACE}"


def test_a_refused_surrogate_is_not_stored_under_its_idempotency_key(client, as_user, channel):
    headers = {**as_user(ALICE), "Idempotency-Key": "once"}
    first = raw_json(client, "POST", f"/v1/channels/{channel}/messages", escaped({"content": LONE}), headers)
    assert_envelope(first, 400, "INVALID_TEXT")
    fixed = client.post(f"/v1/channels/{channel}/messages", json={"content": "fixed"}, headers=headers)
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers


@pytest.mark.parametrize("text,issue", [('{"content": "a", "content": "b"}', "duplicate_name"),
                                        ('{"content": NaN}', "syntax"), ('{"content": Infinity}', "syntax"),
                                        ('{"content": "a"', "syntax"), ("", "syntax"),
                                        ('{"content": ' + "1" * 5000 + "}", "syntax")])
def test_json_that_is_not_i_json_is_a_400_malformed_json(client, as_user, channel, text, issue):
    r = raw_json(client, "POST", f"/v1/channels/{channel}/messages", text, as_user(ALICE))
    error = assert_envelope(r, 400, "MALFORMED_JSON")
    assert error["details"][0]["issue"] == issue


@pytest.mark.parametrize("data", [b'{"content": "\xff\xfe"}', '{"content": "x"}'.encode("utf-16"),
                                  '{"content": "x"}'.encode("utf-32"), b'{"content": "\xed\xa0\x80"}'])
def test_a_body_that_is_not_utf8_is_a_400(client, as_user, channel, data):
    r = client.post(f"/v1/channels/{channel}/messages", data=data,
                    headers={**as_user(ALICE), "Content-Type": "application/json"})
    error = assert_envelope(r, 400, "MALFORMED_JSON")
    assert error["details"] == [{"field": "(body)", "issue": "not_utf8"}]


# --- body size ----------------------------------------------------------------------------

def test_a_chunked_body_over_the_limit_is_a_413_not_a_truncated_400(clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1})
    alice = dict(credentials(app, ALICE))
    megabyte = b"a" * (1 << 20)

    def body(megabytes):  # a generator body: requests sends it with Transfer-Encoding: chunked
        yield b'{"content": "'
        for _ in range(megabytes):
            yield megabyte
        yield b'"}'

    with serve(app) as live:
        cid = requests.post(live.url + "/v1/channels", json={"name": "big"}, headers=alice).json()["data"]["channelId"]
        r = requests.post(f"{live.url}/v1/channels/{cid}/messages", data=body(10),
                          headers={**alice, "Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 413 and r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


# --- the shared store down ---------------------------------------------------------------------

@pytest.fixture
def redis_server():
    """A redis-server process of this test's own on a free port, and its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (run `make system-deps`)")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    _wait_until_ready(url, proc)
    yield url, proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGCONT)  # in case a test froze it
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def redis_that_stops(redis_server):
    """The test's redis-server, and a function that stops it (a class Redis going away)."""
    url, proc = redis_server

    def stop():
        proc.terminate()
        proc.wait(timeout=10)
    return url, stop


def test_with_the_store_stopped_every_endpoint_that_needs_it_says_retry_later_never_500(clock, redis_that_stops):
    url, stop = redis_that_stops
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "STORE": redis_store(url),
                      "RATE_LIMIT": {"algorithm": "token_bucket", "limit": 100, "window": 60, "clock": "app"}})
    client, alice = app.test_client(), dict(credentials(app, ALICE))
    cid = client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]["channelId"]
    key = client.post("/v1/api-keys", json={"scopes": ["messages:write"]}, headers=alice).get_json()["data"]
    verifier = code_verifier(random.Random(3))
    authorize = {"response_type": "code", "client_id": "chat-cli", "redirect_uri": "http://127.0.0.1:8400/callback",
                 "scope": "messages:read", "state": "s", "code_challenge": s256(verifier),
                 "code_challenge_method": "S256", "decision": "approve"}
    approved = client.post("/oauth/authorize", data=authorize, headers=alice)
    code = approved.headers["Location"].split("code=")[1].split("&")[0]
    stop()
    calls = {
        "send with Idempotency-Key": client.post(f"/v1/channels/{cid}/messages", json={"content": "hi"},
                                                 headers={**alice, "Idempotency-Key": "k1"}),
        "batch with Idempotency-Key": client.post(f"/v1/channels/{cid}/messages:batchCreate",
                                                  json={"messages": [{"content": "hi"}]},
                                                  headers={**alice, "Idempotency-Key": "k2"}),
        "token (code)": client.post("/oauth/token", data={"grant_type": "authorization_code", "code": code,
                                                          "client_id": "chat-cli", "code_verifier": verifier,
                                                          "redirect_uri": authorize["redirect_uri"]}),
        "token (refresh)": client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": "chat-cli",
                                                             "refresh_token": "rt_abc.def"}),
        "revoke access token": client.post("/oauth/revoke", data={"token": alice["Authorization"].split()[1],
                                                                  "client_id": "first-party"}),
        "revoke refresh token": client.post("/oauth/revoke", data={"token": "rt_abc.def", "client_id": "chat-cli"}),
        "create API key": client.post("/v1/api-keys", json={"scopes": []}, headers=alice),
        "rotate API key": client.post(f"/v1/api-keys/{key['keyId']}/rotate", headers=alice),
        "revoke API key": client.delete(f"/v1/api-keys/{key['keyId']}", headers=alice),
        "webhook": client.post(f"/v1/hooks/channels/{cid}/messages", json={"content": "hi"},
                               headers={"X-API-Key": key["key"]}),
    }
    denied_consent = client.post("/oauth/authorize", data=authorize, headers=alice)
    for name, r in calls.items():
        assert r.status_code == 503, (name, r.status_code, r.get_data(as_text=True)[:200])
        assert r.headers["Retry-After"] == "1", name
        if name.startswith(("token", "revoke access", "revoke refresh")):  # OAuth clients parse RFC 6749's shape
            assert r.get_json()["error"] == "temporarily_unavailable", name
        else:
            assert r.get_json()["error"]["code"] == "SERVICE_UNAVAILABLE", name
    # The authorization endpoint answers by redirect, since a 503 cannot reach the client (RFC 6749 4.1.2.1).
    assert denied_consent.status_code == 302
    assert "error=temporarily_unavailable" in denied_consent.headers["Location"]
    # Documented fail-open paths: the denylist (DENYLIST_ON_STORE_ERROR="open") and the rate limiter
    # (on_store_error="open") let a request through; a POST without an Idempotency-Key needs no store.
    assert client.get("/v1/whoami", headers=alice).status_code == 200
    assert client.post(f"/v1/channels/{cid}/messages", json={"content": "hi"}, headers=alice).status_code == 201


@pytest.fixture
def redis_that_hangs(redis_server):
    """The test's redis-server, and a function that freezes it (SIGSTOP: it keeps connections and never answers)."""
    url, proc = redis_server
    try:
        yield url, lambda: proc.send_signal(signal.SIGSTOP)
    finally:
        proc.send_signal(signal.SIGCONT)


def within(seconds: float, call):
    """``call()``'s result if it returns within ``seconds``, else None (it may still be blocked on the store)."""
    result = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    return result[0] if result else None


def test_with_the_store_hung_store_backed_requests_get_a_prompt_503_and_fail_open_paths_answer(clock,
                                                                                             redis_that_hangs):
    url, freeze = redis_that_hangs
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "REDIS_URL": url,
                      "RATE_LIMIT": {"algorithm": "token_bucket", "limit": 100, "window": 60, "clock": "app"}})
    client, alice = app.test_client(), dict(credentials(app, ALICE))
    cid = client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]["channelId"]
    freeze()  # a Redis that accepts bytes and never answers: the read timeout, not the connect one, must fire
    started = time.monotonic()
    sent = [within(5, lambda i=i: client.post(f"/v1/channels/{cid}/messages", json={"content": "hi"},
                                              headers={**alice, "Idempotency-Key": f"hung-{i}"})) for i in range(3)]
    assert all(r is not None for r in sent), "a store-backed request waited more than 5 s on a hung Redis"
    assert [(r.status_code, r.headers.get("Retry-After")) for r in sent] == [(503, "1")] * 3
    whoami = within(5, lambda: client.get("/v1/whoami", headers=alice))  # denylist and rate limit fail open
    assert whoami is not None and whoami.status_code == 200
    assert time.monotonic() - started < 12  # each call waits one read timeout per store round trip at most


def test_deep_json_and_lone_surrogates_are_400s_over_real_http_too(clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1})
    alice = {**credentials(app, ALICE), "Content-Type": "application/json"}
    with serve(app) as live, requests.Session() as http:  # cheroot's worker threads, not the test's own
        cid = http.post(live.url + "/v1/channels", data='{"name": "deep"}', headers=alice).json()["data"]["channelId"]
        deep_answer = http.post(f"{live.url}/v1/channels/{cid}/messages", data=deep(100_000), headers=alice)
        lone_answer = http.post(f"{live.url}/v1/channels/{cid}/messages", data=escaped({"content": LONE}),
                                headers=alice)
    assert (deep_answer.status_code, deep_answer.json()["error"]["code"]) == (400, "JSON_TOO_DEEP")
    assert (lone_answer.status_code, lone_answer.json()["error"]["code"]) == (400, "INVALID_TEXT")


def test_a_chunked_body_of_exactly_the_limit_is_read_and_one_byte_more_is_a_413_for_json_and_forms(clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "MAX_CONTENT_LENGTH": 1000})
    alice = dict(credentials(app, ALICE))

    def chunked(data: bytes):  # a generator: requests sends it chunked, 100 bytes a chunk
        yield from (data[i:i + 100] for i in range(0, len(data), 100))

    def message(size: int) -> bytes:
        return b'{"content": "' + b"a" * (size - 15) + b'"}'
    form = b"grant_type=refresh_token&client_id=chat-cli&refresh_token=rt_" + b"a" * 2000
    with serve(app) as live:
        cid = requests.post(live.url + "/v1/channels", json={"name": "edge"}, headers=alice).json()["data"]["channelId"]
        sent = [requests.post(f"{live.url}/v1/channels/{cid}/messages", data=chunked(message(size)),
                              headers={**alice, "Content-Type": "application/json"}, timeout=10).status_code
                for size in (1000, 1001)]
        token = requests.post(live.url + "/oauth/token", data=chunked(form), timeout=10,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert sent == [201, 413]
    assert token.status_code == 413  # it was cut at the limit and read as a wrong refresh token: 400 invalid_grant


# --- the URL map -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/channels//messages", "//v1/channels", "/v1//channels"])
def test_a_path_with_an_empty_segment_is_a_404_in_the_envelope_not_a_redirect(client, as_user, path):
    """Werkzeug would merge the slashes and answer 308 with an HTML body; an empty ID names no resource."""
    r = client.get(path, headers=as_user(ALICE))
    assert_envelope(r, 404, "NOT_FOUND")
