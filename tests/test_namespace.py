"""Namespaces: apps that share one store (fake or real Redis, or one memory store) see nothing of each other's."""

from __future__ import annotations

import pytest
import redis

from apidesign.namespace import NAME, InvalidNamespace, Namespaced, for_this_kernel
from apidesign.server import create_app, credentials

ALICE, BOB = "usr_alice", "usr_bob"
LIMIT = {"algorithm": "fixed_window", "limit": 3, "window": 60, "clock": "app"}


def test_a_namespaced_store_prefixes_every_key_and_hides_the_prefix(store):
    a, b = Namespaced(store, "a"), Namespaced(store, "b")
    a.set("k", "1")
    assert (a.get("k"), b.get("k")) == ("1", None)
    assert a.keys("k*") == ["k"] and b.keys() == [] and "a:k" in store.keys()
    assert a.incr("n", ttl=60) == 1 and b.incr("n", ttl=60) == 1 and 0 < a.ttl("n") <= 60
    take = a.script("return redis.call('GET', KEYS[1])", lambda s, keys, args: s.load(keys[0]))
    assert take(["k"]) == "1"
    assert a.delete("k") == 1 and store.get("a:k") is None


@pytest.mark.parametrize("name", ["", "a*", "a:b", "x" * 65, None])
def test_a_namespace_with_glob_or_separator_characters_is_refused(store, name):
    with pytest.raises(InvalidNamespace):
        Namespaced(store, name)


def two_apps(store, clock, **config):
    """Two apps on one shared store, as two learners on one class Redis (notebook 03's seed: the same IDs and tokens)."""
    return [create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 7, "STORE": store,
                        **config}) for _ in range(2)]


def test_an_api_key_made_on_one_app_does_not_authenticate_on_another(store, clock):
    a, b = two_apps(store, clock)
    made = a.test_client().post("/v1/api-keys", json={"scopes": ["messages:write"]}, headers=credentials(a, ALICE))
    key = {"X-API-Key": made.get_json()["data"]["key"]}
    assert a.test_client().get("/v1/whoami", headers=key).status_code == 200
    assert b.test_client().get("/v1/whoami", headers=key).status_code == 401


def test_the_api_key_owner_index_is_per_app(store, clock):
    a, b = two_apps(store, clock)
    for app in (a, a, b, b):
        r = app.test_client().post("/v1/api-keys", json={"scopes": []}, headers=credentials(app, ALICE))
        assert r.status_code == 201, r.get_json()


def test_rate_limit_counters_are_per_app(store, clock):
    a, b = two_apps(store, clock, RATE_LIMIT=LIMIT)
    spend = [a.test_client().get("/v1/whoami", headers=credentials(a, ALICE)).status_code for _ in range(4)]
    assert spend == [200, 200, 200, 429]
    assert b.test_client().get("/v1/whoami", headers=credentials(b, ALICE)).status_code == 200


def test_servers_that_name_one_namespace_share_one_limit(store, clock):
    apps = two_apps(store, clock, RATE_LIMIT=LIMIT, STORE_NAMESPACE="cluster")
    statuses = [apps[i % 2].test_client().get("/v1/whoami", headers=credentials(apps[0], ALICE)).status_code
                for i in range(6)]
    assert statuses.count(200) == 3


def test_an_access_token_minted_on_one_app_is_refused_by_an_app_with_another_namespace(store, clock):
    """The tenancy boundary is the namespace: B cannot see A's revocations, so B must not accept A's tokens."""
    a, b = two_apps(store, clock)
    token_a = credentials(a, ALICE)
    assert a.test_client().get("/v1/whoami", headers=token_a).status_code == 200
    assert b.test_client().get("/v1/whoami", headers=token_a).status_code == 401


def test_servers_that_name_one_namespace_accept_each_others_tokens_and_see_each_others_revocations(store, clock):
    a, b = two_apps(store, clock, STORE_NAMESPACE="cluster")  # notebook 03's three servers, two of them
    token_a = credentials(a, ALICE)
    assert b.test_client().get("/v1/whoami", headers=token_a).status_code == 200
    a.test_client().post("/oauth/revoke", data={"token": token_a["Authorization"].split()[1], "client_id": "first-party"})
    assert [app.test_client().get("/v1/whoami", headers=token_a).status_code for app in (a, b)] == [401, 401]


def test_a_refresh_token_of_one_app_is_unknown_to_another(store, clock):
    a, b = two_apps(store, clock)
    grant = {"sub": ALICE, "client_id": "chat-cli", "scope": "messages:read"}
    token = a.extensions["apidesign"].extras["auth"].refresh_tokens.issue(grant)
    answers = [app.test_client().post("/oauth/token", data={"grant_type": "refresh_token", "client_id": "chat-cli",
                                                            "refresh_token": token}) for app in (b, a)]
    assert [r.status_code for r in answers] == [400, 200], [r.get_json() for r in answers]


def test_the_same_idempotency_key_on_another_app_runs_there_instead_of_replaying(store, clock):
    a, b = two_apps(store, clock)
    answers = []
    for app in (a, b):
        client, alice = app.test_client(), credentials(app, ALICE)
        cid = client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]["channelId"]
        answers.append(client.post(f"/v1/channels/{cid}/messages", json={"content": "hi"},
                                   headers={**alice, "Idempotency-Key": "k1"}))
    assert [r.status_code for r in answers] == [201, 201]
    assert "Idempotent-Replayed" not in answers[1].headers


def test_every_key_an_app_writes_is_under_its_namespace(store, clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "STORE": store, "STORE_NAMESPACE": "mine",
                      "RATE_LIMIT": LIMIT})
    client, alice = app.test_client(), credentials(app, ALICE)
    client.post("/v1/api-keys", json={"scopes": []}, headers=alice)
    cid = client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]["channelId"]
    client.post(f"/v1/channels/{cid}/messages", json={"content": "hi"}, headers={**alice, "Idempotency-Key": "k"})
    client.post("/oauth/revoke", data={"token": alice["Authorization"].split()[1], "client_id": "first-party"})
    written = store.keys()
    assert len(written) >= 6 and all(k.startswith("mine:") for k in written), written


def test_each_app_gets_its_own_namespace_by_default(clock):
    a, b = (create_app({"CLOCK": clock}) for _ in range(2))
    assert a.extensions["apidesign"].store.namespace != b.extensions["apidesign"].store.namespace


def test_redis_url_in_the_environment_points_create_app_at_that_redis(redis_url, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    app = create_app({})
    store = app.extensions["apidesign"].store
    assert store.kind == "redis"
    app.test_client().post("/v1/api-keys", json={"scopes": []}, headers=credentials(app, ALICE))
    server = redis.Redis.from_url(redis_url, decode_responses=True)
    written = list(server.scan_iter(match=f"{store.namespace}:apikey:*"))
    assert len(written) == 3  # the key's record, its id, and its owner's index
    server.delete(*written)


def test_without_redis_url_create_app_keeps_its_state_in_memory(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert create_app({}).extensions["apidesign"].store.kind == "memory"


def test_two_kernels_of_one_hub_user_get_different_valid_namespaces(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "ada lovelace@uni")
    first, second = for_this_kernel("nb03"), for_this_kernel("nb03")
    assert first != second and first.startswith("nb03-ada_lovelace_uni-")
    assert NAME.fullmatch(first) and NAME.fullmatch(second)


def test_a_kernel_namespace_without_a_hub_is_the_label_and_random_bits(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert NAME.fullmatch(for_this_kernel("nb03")) and for_this_kernel("nb03").count("-") == 1
