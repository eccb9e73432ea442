"""POST/GET/DELETE /v1/webhook-endpoints, and the signed message.created deliveries a new message queues.

Deliveries go only to receivers this test starts on 127.0.0.1; the refusal of private targets
is checked as a decision, before any connection.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
from flask import Flask, request
from jsonschema import Draft202012Validator
from standardwebhooks import Webhook

from apidesign.clock import FakeClock
from apidesign.resilience import RetryPolicy
from apidesign.server import create_app, credentials, serve
from apidesign.server.openapi import openapi_document
from apidesign.server.serving import STOP_SECONDS
from apidesign.server.webhook_endpoints import MAX_ENDPOINTS
from apidesign.webhook_receiver import Receiver, receiver_app
from receivers import silent_receiver

RECEIVER = "http://127.0.0.1:8400/webhooks"  # registered but never reached: these tests step deliveries by hand


def register(client, headers, url=RECEIVER, event_types=("message.created",)):
    return client.post("/v1/webhook-endpoints", json={"url": url, "eventTypes": list(event_types)}, headers=headers)


def deliveries_of(app):
    return app.extensions["apidesign"].extras["webhooks"].deliveries


def channel_of(client, headers, name="general", members=()):
    r = client.post("/v1/channels", json={"name": name, "memberIds": list(members)}, headers=headers)
    return r.get_json()["data"]["channelId"]


def test_registering_returns_the_secret_once_and_reading_never_shows_it(client, as_user):
    alice = as_user("usr_alice")
    r = register(client, alice)
    assert r.status_code == 201 and r.headers["Cache-Control"] == "no-store"
    created = r.get_json()["data"]
    assert created["secret"].startswith("whsec_") and created["eventTypes"] == ["message.created"]
    assert r.headers["Location"] == f"/v1/webhook-endpoints/{created['endpointId']}"
    read = client.get(r.headers["Location"], headers=alice)
    assert read.status_code == 200 and "secret" not in read.get_json()["data"]
    assert read.get_json()["data"] == {k: v for k, v in created.items() if k != "secret"}


def test_only_the_owner_may_read_or_delete_an_endpoint_and_to_anyone_else_it_does_not_exist(client, as_user):
    location = register(client, as_user("usr_alice")).headers["Location"]
    for method in ("GET", "DELETE"):
        assert client.open(location, method=method).status_code == 401
        bob = client.open(location, method=method, headers=as_user("usr_bob"))
        stranger = client.open("/v1/webhook-endpoints/ep_doesnotexist", method=method, headers=as_user("usr_bob"))
        assert bob.status_code == stranger.status_code == 404
        assert bob.get_json()["error"]["code"] == "NOT_FOUND"
    assert client.delete(location, headers=as_user("usr_alice")).status_code == 204
    assert client.get(location, headers=as_user("usr_alice")).status_code == 404


def test_managing_endpoints_needs_a_users_token_with_the_messages_read_scope(app, client, as_user):
    location = register(client, as_user("usr_alice")).headers["Location"]
    no_read = credentials(app, "usr_alice", scopes=["channels:read", "messages:write"])
    for method, path in (("POST", "/v1/webhook-endpoints"), ("GET", location), ("DELETE", location)):
        r = client.open(path, method=method, json={"url": RECEIVER, "eventTypes": ["message.created"]},
                        headers=no_read)
        assert (r.status_code, r.get_json()["error"]["code"]) == (403, "INSUFFICIENT_SCOPE")
    key = client.post("/v1/api-keys", json={"scopes": ["messages:read"]}, headers=as_user("usr_alice"))
    r = register(client, {"X-API-Key": key.get_json()["data"]["key"]})
    assert r.status_code == 403  # an API key acts for a service, and an endpoint receives a user's messages


@pytest.mark.parametrize("body, field, issue", [
    ({"eventTypes": ["message.created"]}, "url", "required"),
    ({"url": "ftp://127.0.0.1/x", "eventTypes": ["message.created"]}, "url", "invalid_format"),
    ({"url": "http://127.0.0.1/a b", "eventTypes": ["message.created"]}, "url", "invalid_format"),
    ({"url": "http://127.0.0.1:8400/x\n", "eventTypes": ["message.created"]}, "url", "invalid_format"),
    ({"url": "http://user@127.0.0.1/", "eventTypes": ["message.created"]}, "url", "invalid_format"),
    ({"url": "http://127.0.0.1:65536/", "eventTypes": ["message.created"]}, "url", "invalid_format"),
    ({"url": RECEIVER}, "eventTypes", "required"),
    ({"url": RECEIVER, "eventTypes": []}, "eventTypes", "invalid_choice"),
    ({"url": RECEIVER, "eventTypes": ["message.deleted"]}, "eventTypes", "invalid_choice"),
    ({"url": RECEIVER, "eventTypes": [{"a": 1}]}, "eventTypes", "invalid_choice"),
    ({"url": RECEIVER, "eventTypes": ["message.created"] * 2}, "eventTypes", "duplicate_items"),
    ({"url": RECEIVER, "eventTypes": ["message.created"], "secret": "mine"}, "secret", "unknown_field"),
])
def test_a_bad_registration_is_a_400_naming_the_field_and_the_rule(client, as_user, body, field, issue):
    r = client.post("/v1/webhook-endpoints", json=body, headers=as_user("usr_alice"))
    assert r.status_code == 400
    assert {"field": field, "issue": issue} in [{k: d[k] for k in ("field", "issue")}
                                                for d in r.get_json()["error"]["details"]]


@pytest.mark.parametrize("url", [RECEIVER, "https://hooks.example.com/in?src=chat#x", "http://a-b.c-d.example:1/",
                                 "http://ftp://127.0.0.1/x", "http://127.0.0.1:8400/x\n", "http://a..b/"])
def test_the_documented_url_pattern_is_the_rule_the_server_enforces(client, as_user, url):
    document = openapi_document(create_app())
    schema = {**document["components"]["schemas"]["WebhookEndpointInput"], "components": document["components"]}
    body = {"url": url, "eventTypes": ["message.created"]}
    expected = 201 if Draft202012Validator(schema).is_valid(body) else 400
    assert client.post("/v1/webhook-endpoints", json=body, headers=as_user("usr_alice")).status_code == expected


def test_an_unknown_webhook_worker_is_refused_at_startup():
    with pytest.raises(ValueError, match="WEBHOOK_WORKER"):
        create_app({"WEBHOOK_WORKER": "threads"})


def test_each_user_has_at_most_max_endpoints(client, as_user):
    for _ in range(MAX_ENDPOINTS):
        assert register(client, as_user("usr_alice")).status_code == 201
    r = register(client, as_user("usr_alice"))
    assert (r.status_code, r.get_json()["error"]["code"]) == (409, "CONFLICT")
    assert register(client, as_user("usr_bob")).status_code == 201  # a limit per user


def test_a_new_message_queues_one_signed_delivery_for_each_endpoint_whose_owner_is_in_the_channel(app, client,
                                                                                                    as_user, clock):
    alice, carol = as_user("usr_alice"), as_user("usr_carol")
    ours = [register(client, alice).get_json()["data"], register(client, as_user("usr_bob")).get_json()["data"]]
    register(client, carol)  # Carol is not in the channel: she must not hear of its messages
    cid = channel_of(client, alice, members=["usr_bob"])
    message = client.post(f"/v1/channels/{cid}/messages", json={"content": "hi"}, headers=alice).get_json()["data"]
    due = deliveries_of(app).due(clock.now())
    assert sorted(d.endpoint.endpoint_id for d in due) == sorted(e["endpointId"] for e in ours)
    assert len({d.webhook_id for d in due}) == 1 and due[0].webhook_id.startswith("evt_")
    assert json.loads(due[0].body) == {"type": "message.created", "timestamp": message["createdAt"], "data": message}


def test_every_way_of_sending_a_message_announces_it_to_webhooks_and_streams(app, client, as_user, clock):
    """A batch and an integration's incoming hook store messages too: each one is a message.created event."""
    alice = as_user("usr_alice")
    register(client, alice)
    cid = channel_of(client, alice)
    key = client.post("/v1/api-keys", json={"scopes": ["messages:write"]}, headers=alice).get_json()["data"]["key"]
    sent = [client.post(f"/v1/channels/{cid}/messages", json={"content": "one"}, headers=alice),
            client.post(f"/v1/channels/{cid}/messages:batchCreate",
                        json={"messages": [{"content": "two"}, {"content": ""}, {"content": "three"}]}, headers=alice),
            client.post(f"/v1/hooks/channels/{cid}/messages", json={"content": "four"}, headers={"X-API-Key": key})]
    assert [r.status_code for r in sent] == [201, 207, 201]
    delivered = [json.loads(d.body)["data"]["content"] for d in deliveries_of(app).due(clock.now())]
    streamed = [e.data["content"] for e in app.extensions["apidesign"].extras["events"].since(cid, 0)]
    assert sorted(delivered) == sorted(streamed) == ["four", "one", "three", "two"]  # not the refused empty item


def test_the_delivered_body_matches_the_documents_message_created_webhook(app, client, as_user, clock):
    alice = as_user("usr_alice")
    register(client, alice)
    client.post(f"/v1/channels/{channel_of(client, alice)}/messages", json={"content": "hi"}, headers=alice)
    document = openapi_document(app)
    webhook = document["webhooks"]["message.created"]["post"]
    schema = {**webhook["requestBody"]["content"]["application/json"]["schema"], "components": document["components"]}
    [delivery] = deliveries_of(app).due(clock.now())
    Draft202012Validator(schema).validate(json.loads(delivery.body))
    assert {p["name"] for p in webhook["parameters"]} == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_deleting_an_endpoint_drops_the_deliveries_still_queued_for_it(app, client, as_user, clock):
    alice = as_user("usr_alice")
    location = register(client, alice).headers["Location"]
    client.post(f"/v1/channels/{channel_of(client, alice)}/messages", json={"content": "hi"}, headers=alice)
    assert len(deliveries_of(app).due(clock.now())) == 1
    client.delete(location, headers=alice)
    assert deliveries_of(app).due(clock.now()) == []


# -- live: a receiver on 127.0.0.1 ---------------------------------------------------------------

def standard_receiver(secret_of, fail_first=0):
    """A receiver app that verifies with the standardwebhooks library (the secret is known once registered)."""
    app, got, calls = Flask("standard-receiver"), [], []

    @app.post("/webhooks")
    def hear():
        calls.append(1)
        if len(calls) <= fail_first:
            return "", 503
        got.append((dict(request.headers), Webhook(secret_of()).verify(request.get_data(), dict(request.headers))))
        return "", 204
    return app, got


def test_in_the_default_configuration_a_delivery_reaches_a_127_0_0_1_receiver_and_the_standard_library_verifies_it():
    clock = FakeClock(time.time())  # standardwebhooks checks the timestamp against the real clock
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 3})
    client, alice, secret = app.test_client(), dict(credentials(app, "usr_alice")), {}
    receiver, got = standard_receiver(lambda: secret["value"])
    with serve(receiver) as live:
        secret["value"] = register(client, alice, url=live.url + "/webhooks").get_json()["data"]["secret"]
        message = client.post(f"/v1/channels/{channel_of(client, alice)}/messages", json={"content": "hi"},
                              headers=alice).get_json()["data"]
        [delivered] = deliveries_of(app).run_due(clock.now())
    assert delivered.state == "delivered" and [a.outcome for a in delivered.attempts] == ["204"]
    [(headers, payload)] = got
    assert payload == {"type": "message.created", "timestamp": message["createdAt"], "data": message}
    assert headers["Webhook-Id"] == delivered.webhook_id


def test_a_receiver_that_was_down_or_slow_gets_the_retries_and_handles_the_event_once():
    """Attempt 1 meets an outage (503); attempt 2 is handled, but its answer comes after the sender's timeout;
    attempt 3 carries the same webhook-id, so the receiver answers 2xx without handling it again."""
    clock = FakeClock(time.time())
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 3, "WEBHOOK_SEED": 3, "WEBHOOK_TIMEOUT": 0.5,
                      "WEBHOOK_RETRY": RetryPolicy(max_attempts=5, base=4.0, cap=30.0, max_elapsed=300.0)})
    client, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    receiver, answers = Receiver(secret=""), []
    hooks = Flask("flaky-receiver")

    @hooks.post("/webhooks")
    def hear():
        if not answers:
            answers.append("outage")
            return "", 503
        verdict = receiver.receive(request.headers, request.get_data(), clock.now())
        answers.append(verdict.outcome)
        if len(answers) == 2:
            time.sleep(1.0)  # handled, but the answer is too late for the sender
        return "", verdict.status

    with serve(hooks) as live:
        receiver.secret = register(client, alice, url=live.url + "/webhooks").get_json()["data"]["secret"]
        client.post(f"/v1/channels/{channel_of(client, alice)}/messages", json={"content": "hi"}, headers=alice)
        deliveries = deliveries_of(app)
        while deliveries.due(float("inf")):
            clock.set(deliveries.due(float("inf"))[0].due_at)
            deliveries.run_due(clock.now())
    [delivery] = deliveries.deliveries.values()
    assert [a.outcome for a in delivery.attempts] == ["503", "TimeoutError", "200"] and delivery.state == "delivered"
    assert answers == ["outage", "accepted", "duplicate"] and len(receiver.events) == 1


def test_with_private_targets_refused_127_0_0_1_is_refused_at_registration_and_at_delivery(monkeypatch, clock):
    monkeypatch.setattr(requests, "post", lambda *a, **k: pytest.fail("connected to a refused address"))
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 3, "WEBHOOK_ALLOW_PRIVATE": False})
    client, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    for url in ("http://127.0.0.1:8400/webhooks", "http://localhost:8400/", "http://2130706433/", "http://0.0.0.0/"):
        r = register(client, alice, url=url)
        assert r.status_code == 400 and r.get_json()["error"]["details"][0]["issue"] == "refused_address", url
    # An endpoint whose name resolved to a public address when registered may resolve elsewhere later
    # (DNS rebinding): every delivery checks again. Here the stored URL stands for that later answer.
    hooks = app.extensions["apidesign"].extras["webhooks"]
    from apidesign.webhook_delivery import Endpoint
    hooks.endpoints["ep_x"] = Endpoint("ep_x", "usr_alice", "http://127.0.0.1:8400/webhooks", ("message.created",),
                                       "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "2026-03-12T10:30:00.000Z")
    client.post(f"/v1/channels/{channel_of(client, alice)}/messages", json={"content": "hi"}, headers=alice)
    [delivery] = deliveries_of(app).run_due(clock.now())
    assert delivery.state == "failed" and "loopback" in delivery.attempts[0].outcome


def test_with_the_thread_worker_deliveries_run_while_served_and_the_thread_ends_with_the_server():
    app = create_app({"ID_SEED": 3, "WEBHOOK_WORKER": "thread"})
    alice, secret = dict(credentials(app, "usr_alice")), {}
    receiver, got = standard_receiver(lambda: secret["value"])
    before = set(threading.enumerate())
    with serve(receiver) as hearing:
        with serve(app) as live:
            assert deliveries_of(app).running
            r = requests.post(live.url + "/v1/webhook-endpoints", headers=alice, timeout=5,
                              json={"url": hearing.url + "/webhooks", "eventTypes": ["message.created"]})
            secret["value"] = r.json()["data"]["secret"]
            cid = requests.post(live.url + "/v1/channels", json={"name": "live"}, headers=alice, timeout=5).json()
            requests.post(f"{live.url}/v1/channels/{cid['data']['channelId']}/messages", json={"content": "hi"},
                          headers=alice, timeout=5)
            for _ in range(200):
                if got:
                    break
                time.sleep(0.02)
        assert not deliveries_of(app).running
    assert got[0][1]["data"]["content"] == "hi"
    assert [t.name for t in set(threading.enumerate()) - before] == []  # no thread outlives the servers


def test_one_users_never_answering_receivers_neither_hold_up_another_users_webhook_nor_stop():
    """Carol points all her endpoints at a receiver that never answers; Bob's webhook still arrives at once,
    and the server still stops in time (the old sender sent Carol's 30 deliveries first, 2 s each)."""
    app = create_app({"WEBHOOK_WORKER": "thread"})
    bob, carol = dict(credentials(app, "usr_bob")), dict(credentials(app, "usr_carol"))
    heard, receiver = threading.Event(), Flask("bobs-receiver")

    @receiver.post("/webhooks")
    def hear():
        heard.set()
        return "", 204

    with silent_receiver() as hole, serve(receiver) as inbox:
        live = serve(app)
        try:
            for _ in range(MAX_ENDPOINTS):
                requests.post(live.url + "/v1/webhook-endpoints", json={"url": hole, "eventTypes": ["message.created"]},
                              headers=carol, timeout=5).raise_for_status()
            requests.post(live.url + "/v1/webhook-endpoints", headers=bob, timeout=5,
                          json={"url": inbox.url + "/webhooks", "eventTypes": ["message.created"]}).raise_for_status()
            theirs = requests.post(live.url + "/v1/channels", json={"name": "c"}, headers=carol, timeout=5).json()
            ours = requests.post(live.url + "/v1/channels", json={"name": "b"}, headers=bob, timeout=5).json()
            requests.post(f"{live.url}/v1/channels/{theirs['data']['channelId']}/messages:batchCreate", timeout=5,
                          json={"messages": [{"content": str(n)} for n in range(3)]}, headers=carol)
            time.sleep(0.2)  # the sender is inside Carol's first attempt
            sent = time.monotonic()
            requests.post(f"{live.url}/v1/channels/{ours['data']['channelId']}/messages", json={"content": "hi"},
                          headers=bob, timeout=5)
            assert heard.wait(30)
            assert time.monotonic() - sent < 4  # at most one of Carol's attempts (2 s) before Bob's
        finally:
            stopping = time.monotonic()
            live.stop()
        assert time.monotonic() - stopping < STOP_SECONDS + 0.5


def test_without_any_webhook_endpoint_sending_a_message_draws_no_id(clock):
    """Seeded IDs are what the notebooks print: with no endpoint, messages get the IDs a bare IdFactory gives."""
    from apidesign.ids import IdFactory
    from apidesign.server import create_app, credentials
    app = create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1})
    client, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    cid = client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]["channelId"]
    sent = [client.post(f"/v1/channels/{cid}/messages", json={"content": c}, headers=alice).get_json()["data"]["messageId"]
            for c in "ab"]
    expected = IdFactory(1)
    assert [expected.new("ch"), expected.new("msg"), expected.new("msg")] == [cid, *sent]
