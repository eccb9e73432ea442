"""The presence endpoint behind a circuit breaker: 503 while failing, fail-fast 503 once open, then recovery."""

import pytest

from apidesign.server import create_app, credentials

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


def test_with_a_max_stale_a_failure_is_answered_with_the_last_known_presence_marked_stale_until_too_old(clock):
    app = create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "BREAKER_FAILURES": 3,
                      "BREAKER_COOLDOWN": 30, "PRESENCE_MAX_STALE": 60})
    client, alice = app.test_client(), dict(credentials(app, ALICE))
    cid = client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]["channelId"]
    url, presence = f"/v1/channels/{cid}/presence", app.extensions["apidesign"].extras["presence"]
    fresh = client.get(url, headers=alice).get_json()
    presence.failing = True
    clock.advance(45)
    stale = client.get(url, headers=alice)
    assert stale.status_code == 200 and stale.get_json()["data"] == fresh["data"]
    assert stale.get_json()["meta"] == {"count": 1, "stale": True, "ageSeconds": 45}
    assert "stale" not in fresh["meta"]
    clock.advance(16)
    assert client.get(url, headers=alice).status_code == 503, "61 s old is past the 60 s allowed"


def test_without_a_max_stale_a_failure_is_a_503_even_at_the_same_instant(app, client, as_user):
    cid = client.post("/v1/channels", json={"name": "general"}, headers=as_user(ALICE)).get_json()["data"]["channelId"]
    url = f"/v1/channels/{cid}/presence"
    assert client.get(url, headers=as_user(ALICE)).status_code == 200
    app.extensions["apidesign"].extras["presence"].failing = True
    assert client.get(url, headers=as_user(ALICE)).status_code == 503


@pytest.mark.parametrize("value", ["20", -5, True, None, float("nan"), [20]])
def test_a_max_stale_that_is_not_a_number_of_seconds_is_refused_when_the_app_is_created(value):
    with pytest.raises(ValueError, match="PRESENCE_MAX_STALE"):
        create_app({"TESTING": True, "PRESENCE_MAX_STALE": value})


@pytest.mark.parametrize("value", [0, 0.0, 20, 2.5])
def test_a_max_stale_of_zero_or_more_seconds_is_accepted(value):
    assert create_app({"TESTING": True, "PRESENCE_MAX_STALE": value}).config["PRESENCE_MAX_STALE"] == value


def test_presence_fresh_or_stale_is_never_kept_by_a_cache_and_carries_no_age_header(clock):
    app = create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "PRESENCE_MAX_STALE": 60})
    client, alice = app.test_client(), dict(credentials(app, ALICE))
    cid = client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]["channelId"]
    url = f"/v1/channels/{cid}/presence"
    fresh = client.get(url, headers=alice)
    app.extensions["apidesign"].extras["presence"].failing = True
    clock.advance(10)
    stale = client.get(url, headers=alice)
    assert stale.get_json()["meta"]["stale"] is True
    for r in (fresh, stale):
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store" and "Age" not in r.headers


def test_the_last_known_presence_is_per_instance_so_another_instance_still_answers_503(clock, tmp_path):
    config = {"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "PRESENCE_MAX_STALE": 60,
              "DATABASE": str(tmp_path / "shared.db")}
    one, other = create_app(config), create_app({**config, "USERS": ()})  # one database behind two instances
    cid = one.test_client().post("/v1/channels", json={"name": "general"},
                                 headers=dict(credentials(one, ALICE))).get_json()["data"]["channelId"]
    url = f"/v1/channels/{cid}/presence"
    assert one.test_client().get(url, headers=dict(credentials(one, ALICE))).status_code == 200
    for app in (one, other):
        app.extensions["apidesign"].extras["presence"].failing = True
    clock.advance(5)
    assert one.test_client().get(url, headers=dict(credentials(one, ALICE))).status_code == 200
    assert other.test_client().get(url, headers=dict(credentials(other, ALICE))).status_code == 503
