"""Idempotency keys: the store on every backend, and the @idempotent decorator on the send-message endpoint."""

import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from flask import Response

from apidesign import idempotency
from apidesign.idempotency import IdempotencyStore, Record, canonical_json, fingerprint, parse_key
from apidesign.server import create_app, credentials, serve

ALICE, BOB = "usr_alice", "usr_bob"
DAY = 24 * 3600


@pytest.fixture
def app(clock, store):
    """The reference API with its shared state in the parametrised ``store`` (memory, fakeredis, real Redis),
    its lock deadlines on the fake clock (``IDEMPOTENCY_CLOCK``), so tests can expire them by hand."""
    return create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "STORE": store,
                       "IDEMPOTENCY_CLOCK": "app"})


@pytest.fixture
def channel(client, as_user):
    r = client.post("/v1/channels", json={"name": "general", "memberIds": [BOB]}, headers=as_user(ALICE))
    return r.get_json()["data"]["channelId"]


def post(client, as_user, channel, key, content="hi", user=ALICE, **body):
    headers = {**as_user(user), **({"Idempotency-Key": key} if key is not None else {})}
    return client.post(f"/v1/channels/{channel}/messages", json={"content": content, **body}, headers=headers)


def messages(client, as_user, channel):
    return client.get(f"/v1/channels/{channel}/messages?limit=100", headers=as_user(ALICE)).get_json()["data"]


# --- the key and the fingerprint ----------------------------------------------------------

@pytest.mark.parametrize("header, key", [('"8e03978e-40d5"', "8e03978e-40d5"), ("abc", "abc"),
                                         ('"a \\"quoted\\" key"', 'a "quoted" key'), ('"' + "k" * 255 + '"', "k" * 255)])
def test_keys_are_sf_strings_or_bare_tokens(header, key):
    assert parse_key(header) == key


@pytest.mark.parametrize("header", ['""', '"' + "k" * 256 + '"', "two words", '"unterminated', "caf\u00e9"])
def test_empty_over_long_or_non_ascii_keys_are_malformed(header):
    with pytest.raises(idempotency.IdempotencyKeyMalformed):
        parse_key(header)


def test_fingerprint_ignores_key_order_and_whitespace_but_not_values():
    assert fingerprint(b'{"a": 1, "b": [1, 2]}') == fingerprint(b'{"b":[1,2],"a":1}')
    assert fingerprint(b'{"a": 1}') != fingerprint(b'{"a": 2}')
    assert fingerprint(b"not json") != fingerprint(b"not json!")
    assert canonical_json({"b": 1, "a": "\u00e9"}) == '{"a":"\u00e9","b":1}'


def test_a_record_survives_encoding_byte_for_byte():
    record = Record("completed", "f" * 64, 1.5, 3, 201, (("Location", "/x"),), "{\"a\":1}\udcff", took_over=True)
    assert Record.decode(record.encode()) == record
    assert record.response().get_data() == b'{"a":1}\xff'


# --- the store, on every backend ------------------------------------------------------------

def test_only_one_claim_wins_until_the_record_completes(store, clock):
    records = IdempotencyStore(store, clock)
    first = records.claim("s", "k", "fp")
    second = records.claim("s", "k", "fp")
    assert first.won and not second.won and second.record.state == "in_flight"
    assert records.complete("s", "k", first, Response("ok", 201))
    third = records.claim("s", "k", "fp")
    assert not third.won and third.record.state == "completed" and third.record.status == 201


def test_completed_records_expire_after_the_ttl_on_the_fake_clock(store, clock):
    records = IdempotencyStore(store, clock, ttl=DAY)
    records.complete("s", "k", records.claim("s", "k", "fp"), Response("ok", 201))
    clock.advance(DAY - 1)
    assert not records.claim("s", "k", "fp").won
    clock.advance(1)
    assert records.claim("s", "k", "fp").won


def test_a_crashed_in_flight_claim_is_taken_over_after_its_lock_expires(store, clock):
    records = IdempotencyStore(store, clock, lock_ttl=30)
    crashed = records.claim("s", "k", "fp")
    clock.advance(29.9)
    assert not records.claim("s", "k", "fp").won
    clock.advance(0.1)
    rescuer = records.claim("s", "k", "fp")
    assert rescuer.won
    assert not records.complete("s", "k", crashed, Response("late", 201)), "the crashed owner lost its claim"
    assert records.complete("s", "k", rescuer, Response("ok", 201))
    assert records.peek("s", "k").body == "ok"


def test_a_takeover_raises_the_generation_and_fences_off_the_slow_first_holder(store, clock):
    records = IdempotencyStore(store, clock, lock_ttl=30)
    slow = records.claim("s", "k", "fp")
    clock.advance(31)
    retry = records.claim("s", "k", "fp")
    assert (slow.generation, retry.generation, retry.won, retry.took_over) == (1, 2, True, True)
    assert not records.complete("s", "k", slow, Response("first run", 201)), "a stale generation may not record"
    assert not records.release("s", "k", slow)
    assert records.complete("s", "k", retry, Response("retry", 201))
    record = records.peek("s", "k")
    assert (record.body, record.generation, record.took_over) == ("retry", 2, True), "the takeover shows in the record"


def test_a_stale_holder_stays_fenced_off_after_the_key_is_released_and_claimed_again(store, clock):
    records = IdempotencyStore(store, clock, lock_ttl=30)
    slow = records.claim("s", "k", "fp")
    clock.advance(31)
    records.release("s", "k", records.claim("s", "k", "fp"))  # the retry failed validation: nothing done
    third = records.claim("s", "k", "fp")
    assert third.won and third.generation == 3 and not third.took_over
    assert not records.complete("s", "k", slow, Response("first run", 201))


def test_an_expired_lock_is_not_taken_over_by_a_different_request_with_the_same_key(store, clock):
    records = IdempotencyStore(store, clock, lock_ttl=30)
    records.claim("s", "k", "fp-a")
    clock.advance(31)
    other = records.claim("s", "k", "fp-b")
    assert not other.won and other.record.fingerprint == "fp-a"  # the decorator answers 422: a reused key


def test_without_a_clock_lock_deadlines_are_read_on_the_stores_own_clock(store, clock):
    clock.set(0.0)  # the app server's clock is far off; only memory stores run on it
    records = IdempotencyStore(store, lock_ttl=30)
    before = store.time()
    records.claim("s", "k", "fp")
    assert before + 30 <= records.peek("s", "k").deadline <= store.time() + 30


@pytest.mark.parametrize("store", ["fakeredis", "redis"], indirect=True)  # a memory store runs on the app's clock
def test_on_a_shared_store_the_servers_deadlines_follow_the_stores_clock_not_the_app_servers(store):
    from apidesign.clock import FakeClock
    skewed = FakeClock(1_000.0)  # an app server whose clock is decades behind the store's
    app = create_app({"CLOCK": skewed, "WALL_CLOCK": skewed, "STORE": store, "ID_SEED": 3})
    client, alice = app.test_client(), dict(credentials(app, ALICE))
    cid = client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]["channelId"]
    client.post(f"/v1/channels/{cid}/messages", json={"content": "hi"}, headers={**alice, "Idempotency-Key": "k1"})
    [key] = store.keys("*idem:*")  # under the app's namespace
    assert Record.decode(store.get(key)).deadline >= store.time() + DAY - 60


def test_on_real_redis_a_first_request_costs_two_round_trips_and_a_replay_one(redis_url, clock):
    from apidesign.localhost import SocketWrites
    from apidesign.store import redis_store
    store = redis_store(redis_url, prefix="trips-" + fingerprint(str(clock.now()).encode())[:8] + ":")
    sent = SocketWrites().watch(store.client.connection_pool)
    records = IdempotencyStore(store)  # the store's clock: TIME is read inside the scripts, no extra trip
    records.complete("s", "warm-up", records.claim("s", "warm-up", "fp"), Response("ok", 201))  # loads scripts
    before = sent.n
    records.complete("s", "k", records.claim("s", "k", "fp"), Response("ok", 201))
    first = sent.n - before
    replay = records.claim("s", "k", "fp")
    assert (first, sent.n - before - first) == (2, 1) and replay.record.body == "ok"
    store.delete(*store.keys())


def test_release_lets_the_same_key_run_again(store, clock):
    records = IdempotencyStore(store, clock)
    claim = records.claim("s", "k", "fp")
    assert records.release("s", "k", claim)
    assert records.claim("s", "k", "fp").won


# --- the decorator over the API ---------------------------------------------------------------

def test_without_a_key_the_endpoint_works_as_before(client, as_user, channel):
    assert post(client, as_user, channel, None).status_code == 201
    assert post(client, as_user, channel, None).status_code == 201
    assert len(messages(client, as_user, channel)) == 2


def test_a_missing_key_is_400_when_the_app_requires_keys(clock, store):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "STORE": store, "IDEMPOTENCY_REQUIRED": True,
                      "IDEMPOTENCY_CLOCK": "app"})
    client, as_user = app.test_client(), lambda user: dict(credentials(app, user))  # this app's own tokens
    cid = client.post("/v1/channels", json={"name": "general"}, headers=as_user(ALICE)).get_json()["data"]["channelId"]
    r = post(client, as_user, cid, None)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "IDEMPOTENCY_KEY_MISSING"
    assert post(client, as_user, cid, "k1").status_code == 201


def test_a_malformed_key_is_400_and_nothing_is_sent(client, as_user, channel):
    r = post(client, as_user, channel, '"' + "x" * 256 + '"')
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "IDEMPOTENCY_KEY_INVALID"
    assert messages(client, as_user, channel) == []


def test_a_replay_is_byte_identical_and_has_no_side_effect(client, as_user, channel, clock):
    first = post(client, as_user, channel, "k1")
    clock.advance(60)
    again = post(client, as_user, channel, "k1")
    assert (again.status_code, again.data) == (first.status_code, first.data)
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert len(messages(client, as_user, channel)) == 1


def test_the_same_payload_with_reordered_keys_is_a_replay(client, as_user, channel):
    headers = {**as_user(ALICE), "Idempotency-Key": "k1", "Content-Type": "application/json"}
    url = f"/v1/channels/{channel}/messages"
    client.post(url, data='{"content": "hi", "type": "text"}', headers=headers)
    r = client.post(url, data='{"type":"text","content":"hi"}', headers=headers)
    assert r.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_a_different_payload_is_422(client, as_user, channel):
    post(client, as_user, channel, "k1", "hi")
    r = post(client, as_user, channel, "k1", "hello")
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(messages(client, as_user, channel)) == 1


def test_the_same_key_while_the_first_request_runs_is_409(app, client, as_user, channel, clock):
    records = IdempotencyStore(app.extensions["apidesign"].store, clock)  # the app's view: its namespace
    scope = f"user:{ALICE}|POST /v1/channels/{channel}/messages"
    records.claim(scope, "k1", fingerprint(b'{"content":"hi"}'))  # another server is running it right now
    r = post(client, as_user, channel, "k1")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "IDEMPOTENCY_KEY_IN_USE"
    assert r.headers["Retry-After"] == "1"


def test_a_crashed_request_is_recovered_after_the_lock_expires(app, client, as_user, channel, clock):
    records = IdempotencyStore(app.extensions["apidesign"].store, clock)  # the app's view: its namespace
    scope = f"user:{ALICE}|POST /v1/channels/{channel}/messages"
    records.claim(scope, "k1", fingerprint(b'{"content":"hi"}'))  # claimed, then the server died
    assert post(client, as_user, channel, "k1").status_code == 409
    clock.advance(app.config["IDEMPOTENCY_LOCK_TTL"])
    assert post(client, as_user, channel, "k1").status_code == 201
    assert len(messages(client, as_user, channel)) == 1


def test_a_slow_first_request_overtaken_by_a_retry_gets_409_not_a_silent_201(app, client, as_user, channel, clock,
                                                                          monkeypatch, caplog):
    scope = f"user:{ALICE}|POST /v1/channels/{channel}/messages"
    services = app.extensions["apidesign"]  # the app's view of the store: under its namespace
    repo, other_server = services.repo, IdempotencyStore(services.store, clock)
    real_add = repo.add_message

    def slow_add(*args):
        row = real_add(*args)  # the first run's message is committed, but only after its lock expired ...
        clock.advance(app.config["IDEMPOTENCY_LOCK_TTL"] + 1)
        retry = other_server.claim(scope, "k1", fingerprint(b'{"content":"hi"}'))  # ... and a retry took over
        assert retry.won
        other_server.complete(scope, "k1", retry, Response('{"data":"the retry"}', 201))
        return row
    monkeypatch.setattr(repo, "add_message", slow_add)
    with caplog.at_level("WARNING", logger="apidesign.idempotency"):
        first = post(client, as_user, channel, "k1")
    assert first.status_code == 409 and first.get_json()["error"]["code"] == "IDEMPOTENCY_CLAIM_LOST"
    assert "not recorded" in caplog.text
    assert other_server.peek(scope, "k1").body == '{"data":"the retry"}', "the retry's result stands"


def test_a_retry_that_takes_over_is_logged_and_marked_in_its_record(app, client, as_user, channel, clock, caplog):
    scope = f"user:{ALICE}|POST /v1/channels/{channel}/messages"
    records = IdempotencyStore(app.extensions["apidesign"].store, clock)  # the app's view: its namespace
    records.claim(scope, "k1", fingerprint(b'{"content":"hi"}'))  # then died
    clock.advance(app.config["IDEMPOTENCY_LOCK_TTL"])
    with caplog.at_level("WARNING", logger="apidesign.idempotency"):
        assert post(client, as_user, channel, "k1").status_code == 201
    assert "taken over as generation 2" in caplog.text
    record = records.peek(scope, "k1")
    assert (record.state, record.generation, record.took_over) == ("completed", 2, True)


def test_two_users_with_the_same_key_never_see_each_others_response(client, as_user, channel):
    alice = post(client, as_user, channel, "shared-key", "from alice", user=ALICE)
    bob = post(client, as_user, channel, "shared-key", "from bob", user=BOB)
    assert bob.status_code == 201 and "Idempotent-Replayed" not in bob.headers
    assert bob.get_json()["data"]["senderId"] == BOB and alice.get_json()["data"]["senderId"] == ALICE
    assert len(messages(client, as_user, channel)) == 2


def test_after_24_hours_the_key_runs_as_new(client, as_user, channel, clock):
    post(client, as_user, channel, "k1")
    clock.advance(DAY)
    r = post(client, as_user, channel, "k1")
    assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    assert len(messages(client, as_user, channel)) == 2


def test_validation_failures_are_not_stored_so_the_fixed_request_can_reuse_the_key(client, as_user, channel):
    bad = post(client, as_user, channel, "k1", "x" * 5000)
    assert bad.status_code == 400
    assert post(client, as_user, channel, "k1", "x" * 5000).status_code == 400, "validated again, not replayed"
    carol = client.post(f"/v1/channels/{channel}/messages", json={"content": "hi"},
                        headers={**as_user("usr_carol"), "Idempotency-Key": "k2"})
    assert carol.status_code == 403
    assert post(client, as_user, channel, "k2").status_code == 201  # a 403 for Carol did not burn Alice's key either


def test_a_crash_after_work_began_is_stored_and_replayed_not_rerun(app, client, as_user, channel, monkeypatch):
    repo = app.extensions["apidesign"].repo
    real_add = repo.add_message

    def add_then_crash(*args):
        real_add(*args)  # the message is committed ...
        raise RuntimeError("... and then the server fails before answering")
    monkeypatch.setattr(repo, "add_message", add_then_crash)
    first = post(client, as_user, channel, "k1")
    monkeypatch.setattr(repo, "add_message", real_add)
    again = post(client, as_user, channel, "k1")
    assert first.status_code == 500 and first.get_json()["error"]["code"] == "INTERNAL"
    assert (again.status_code, again.data, again.headers["Idempotent-Replayed"]) == (500, first.data, "true")
    assert len(messages(client, as_user, channel)) == 1, "re-running would have sent it twice"


def test_a_crash_before_any_write_is_never_stored_so_the_retry_runs(app, client, as_user, channel, monkeypatch):
    repo = app.extensions["apidesign"].repo
    real_add = repo.add_message

    def crash(*args):
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")  # as a lone surrogate once did
    monkeypatch.setattr(repo, "add_message", crash)
    assert post(client, as_user, channel, "k1").status_code == 500
    monkeypatch.setattr(repo, "add_message", real_add)
    again = post(client, as_user, channel, "k1")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert len(messages(client, as_user, channel)) == 1


def test_a_deliberate_503_before_work_releases_the_key(app, client, as_user, channel, monkeypatch):
    from apidesign.errors import ServiceUnavailable
    repo = app.extensions["apidesign"].repo
    real_add = repo.add_message

    def unavailable(*args):
        raise ServiceUnavailable("database is in maintenance")
    monkeypatch.setattr(repo, "add_message", unavailable)
    assert post(client, as_user, channel, "k1").status_code == 503
    monkeypatch.setattr(repo, "add_message", real_add)
    assert post(client, as_user, channel, "k1").status_code == 201


def test_a_werkzeug_http_error_raised_by_the_view_releases_the_key_like_an_api_error(app, client, as_user, channel,
                                                                                  monkeypatch):
    from werkzeug.exceptions import NotFound
    repo = app.extensions["apidesign"].repo
    real_add = repo.add_message

    def gone(*args):
        raise NotFound()
    monkeypatch.setattr(repo, "add_message", gone)
    assert post(client, as_user, channel, "k1").status_code == 404
    monkeypatch.setattr(repo, "add_message", real_add)
    assert post(client, as_user, channel, "k1").status_code == 201


def test_unauthenticated_requests_get_401_before_any_record(client, channel):
    r = client.post(f"/v1/channels/{channel}/messages", json={"content": "hi"}, headers={"Idempotency-Key": "k1"})
    assert r.status_code == 401


def test_fifty_concurrent_identical_posts_over_http_create_exactly_one_message(app, as_user, channel):
    headers = {**as_user(ALICE), "Idempotency-Key": '"one-key-for-all"'}
    with serve(app) as live:
        url = f"{live.url}/v1/channels/{channel}/messages"

        def send(_):
            r = requests.post(url, json={"content": "hi"}, headers=headers, timeout=10)
            return r.status_code, r.headers.get("Idempotent-Replayed"), r.content if r.status_code == 201 else None
        with ThreadPoolExecutor(50) as pool:
            results = list(pool.map(send, range(50)))
        listed = requests.get(url, headers=as_user(ALICE), timeout=10).json()["data"]
    outcomes = Counter((status, replayed) for status, replayed, _ in results)
    assert len(listed) == 1
    assert outcomes[(201, None)] == 1
    assert set(outcomes) <= {(201, None), (201, "true"), (409, None)}
    assert len({body for *_, body in results if body is not None}) == 1, "every 201 carries the same bytes"


# --- on a real Redis: round trips, and a lost reply ----------------------------------------

def test_on_redis_a_first_request_adds_at_most_two_round_trips_and_a_replay_one(redis_url, clock):
    """Claim + complete on a first request, one claim on a replay: counted as writes to the Redis socket."""
    from apidesign.localhost import SocketWrites
    from apidesign.server import credentials
    from apidesign.store import redis_store
    store = redis_store(redis_url, prefix=f"test-{secrets.token_hex(4)}:")
    sent = SocketWrites().watch(store.client.connection_pool)
    app = create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "STORE": store})
    client, me = app.test_client(), dict(credentials(app, ALICE))
    channel = client.post("/v1/channels", json={"name": "general"}, headers=me).get_json()["data"]["channelId"]

    def round_trips(key):
        before = sent.n
        assert post(client, lambda _: me, channel, key).status_code == 201
        return sent.n - before
    round_trips("warm-up")  # loads the scripts (NOSCRIPT, then SCRIPT LOAD)
    plain, first, replay = round_trips(None), round_trips("k1"), round_trips("k1")
    assert first - plain <= 2 and replay - plain <= 1, (plain, first, replay)


def test_a_claim_whose_reply_is_lost_raises_instead_of_finding_itself_in_flight(redis_url, clock):
    """Re-sent after a lost reply, a claim would find its own in-flight record and answer its own request 409."""
    from apidesign.localhost import LossyProxy
    from apidesign.store import StoreUnavailable, redis_store
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    with LossyProxy(port) as proxy:
        records = IdempotencyStore(redis_store(f"redis://127.0.0.1:{proxy.port}/0",
                                               prefix=f"test-{secrets.token_hex(4)}:"), clock)
        assert records.claim("scope", "warm-up", "fp").won  # the script is loaded, so the reply lost is a run's
        proxy.lose_next_reply()
        with pytest.raises(StoreUnavailable):
            records.claim("scope", "k1", "fp")
        assert records.peek("scope", "k1").state == "in_flight", "the claim ran: the key is held until its lock expires"
