"""The presence endpoint behind a circuit breaker: 503 while failing, fail-fast 503 once open, then recovery."""

import pytest

from apidesign.server import create_app

ALICE = "usr_alice"


@pytest.fixture
def app(clock):
    return create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1,
                       "BREAKER_FAILURES": 3, "BREAKER_COOLDOWN": 30, "BREAKER_TRIALS": 1})


def test_presence_lists_each_member_once_healthy(client, as_user):
    cid = client.post("/v1/channels", json={"name": "general", "memberIds": ["usr_bob"]},
                      headers=as_user(ALICE)).get_json()["data"]["channelId"]
    r = client.get(f"/v1/channels/{cid}/presence", headers=as_user(ALICE))
    assert r.status_code == 200
    assert r.get_json()["data"] == [{"userId": ALICE, "presence": "online"}, {"userId": "usr_bob", "presence": "online"}]


def test_a_failing_dependency_trips_the_breaker_and_the_api_fails_fast_with_503(app, client, as_user, clock):
    cid = client.post("/v1/channels", json={"name": "general"}, headers=as_user(ALICE)).get_json()["data"]["channelId"]
    presence = app.extensions["apidesign"].extras["presence"]
    presence.failing = True
    url = f"/v1/channels/{cid}/presence"
    answers = [client.get(url, headers=as_user(ALICE)) for _ in range(5)]
    assert [r.status_code for r in answers] == [503] * 5
    assert {r.get_json()["error"]["code"] for r in answers} == {"SERVICE_UNAVAILABLE"}
    assert [r.get_json()["error"]["details"][0]["breaker"] for r in answers] == ["closed", "closed", "open", "open", "open"]
    assert presence.calls == 3, "once open, the API stops calling the dependency"
    assert answers[-1].headers["Retry-After"] == "30"
    presence.failing = False
    clock.advance(30)
    assert client.get(url, headers=as_user(ALICE)).status_code == 200
    assert app.extensions["apidesign"].extras["presence_breaker"].state == "closed"
