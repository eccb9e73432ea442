"""Rate limits over HTTP: 429 in the error envelope, Retry-After, the RateLimit headers, fail open or closed."""

from __future__ import annotations

import math
import re

import pytest
import requests

from apidesign.server import create_app, credentials, serve
from apidesign.server.ratelimiting import RateLimitConfigError
from apidesign.store import memory_store, redis_store

LIST = "/v1/users/usr_alice/channels"


def limited_app(clock, **rate_limit):
    config = {"algorithm": "fixed_window", "limit": 3, "window": 60, **rate_limit}
    return create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1,
                       "RATE_LIMIT": config})


@pytest.fixture
def limited(clock):
    return limited_app(clock)


@pytest.fixture
def alice(limited):
    return dict(credentials(limited, "usr_alice"))


def test_rate_limiting_is_off_by_default_so_other_chapters_are_unaffected(client, as_user):
    responses = [client.get(LIST, headers=as_user("usr_alice")) for _ in range(300)]
    assert {r.status_code for r in responses} == {200}
    assert "RateLimit" not in responses[-1].headers and "RateLimit-Policy" not in responses[-1].headers


def test_every_response_carries_the_policy_and_the_remaining_quota(limited, alice):
    client = limited.test_client()
    ok = client.get(LIST, headers=alice)
    missing = client.get("/v1/channels/ch_nope", headers=alice)
    anonymous = client.get(LIST)
    for r in (ok, missing, anonymous):
        assert r.headers["RateLimit-Policy"] == '"default";q=3;w=60'
    assert ok.headers["RateLimit"] == '"default";r=2'
    assert missing.headers["RateLimit"] == '"default";r=1'
    assert anonymous.status_code == 401 and anonymous.headers["RateLimit"] == '"default";r=2'


def test_over_the_limit_a_429_in_the_envelope_says_how_long_to_wait_in_whole_seconds(limited, alice, clock):
    client = limited.test_client()
    for _ in range(3):
        assert client.get(LIST, headers=alice).status_code == 200
    clock.advance(0.5)
    r = client.get(LIST, headers=alice)
    assert r.status_code == 429
    assert r.get_json()["error"]["code"] == "RATE_LIMITED"
    assert r.get_json()["error"]["details"] == [{"policy": "default", "limit": 3, "window": 60.0, "retry_after": 60}]
    assert r.headers["Retry-After"] == "60", "59.5 s rounds up, so a client that obeys is not refused again"
    assert r.headers["RateLimit"] == '"default";r=0;t=60'


def test_on_a_429_the_reset_parameter_t_equals_retry_after_as_draft_10_section_6_asks(clock):
    app = limited_app(clock, algorithm="token_bucket", limit=5, window=10)
    client, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    responses = [client.get(LIST, headers=alice) for _ in range(6)]
    refused = responses[-1]
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2", "one token at 0.5 per second"
    assert refused.headers["RateLimit"] == '"default";r=0;t=2', "t is when more quota comes, not when it is whole (10 s)"
    assert responses[-2].headers["RateLimit"] == '"default";r=0', "no -09 style 'until whole' t on a 2xx"


def test_an_admission_leaves_out_t_because_a_decision_does_not_know_when_the_next_unit_comes(clock):
    """Draft -10 section 4.1: t is OPTIONAL; its meaning (4.1.2) is 'until additional quota', which differs from
    reset_after for a bucket (a token every 2 s, the bucket whole after 10 s)."""
    app = limited_app(clock, algorithm="token_bucket", limit=5, window=10)
    client, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    headers = [client.get(LIST, headers=alice).headers["RateLimit"] for _ in range(5)]
    assert headers == [f'"default";r={r}' for r in (4, 3, 2, 1, 0)]


def test_only_a_refusal_sends_the_reset_parameter(clock):
    from apidesign.ratelimit import Decision
    from apidesign.server.ratelimiting import ratelimit_header, waits

    assert ratelimit_header("default", Decision(True, 5, 5, 0.0, 0.0)) == '"default";r=5'
    assert ratelimit_header("default", Decision(True, 5, 2, 0.0, 6.0)) == '"default";r=2'
    refused = Decision(False, 5, 0, 1.2, 9.0)
    assert waits({"default": refused}, 1) == {"default": 2}, "1.2 s rounds up"
    assert ratelimit_header("default", refused, 2) == '"default";r=0;t=2'


def test_a_client_that_waits_as_told_gets_through(limited, alice, clock):
    client = limited.test_client()
    for _ in range(3):
        client.get(LIST, headers=alice)
    clock.advance(12.3)
    r = client.get(LIST, headers=alice)
    clock.advance(int(r.headers["Retry-After"]))
    assert client.get(LIST, headers=alice).status_code == 200


def test_limits_are_per_principal(limited, alice):
    client = limited.test_client()
    for _ in range(4):
        client.get(LIST, headers=alice)
    assert client.get(LIST, headers=alice).status_code == 429
    bob = client.get("/v1/users/usr_bob/channels", headers=dict(credentials(limited, "usr_bob")))
    assert bob.status_code == 200 and bob.headers["RateLimit"] == '"default";r=2'



def test_anonymous_callers_are_keyed_on_the_socket_address_never_on_x_forwarded_for(limited):
    client = limited.test_client()
    statuses = [client.get(LIST, headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code for i in range(5)]
    assert statuses == [401, 401, 401, 429, 429], "a forged X-Forwarded-For does not buy a fresh quota"
    other = client.get(LIST, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 401, "another peer address has its own quota"


def test_a_token_bucket_policy_reports_its_refill_window(clock):
    app = limited_app(clock, algorithm="token_bucket", limit=100)
    r = app.test_client().get(LIST, headers=dict(credentials(app, "usr_alice")))
    assert r.headers["RateLimit-Policy"] == '"default";q=100;w=60'
    assert r.headers["RateLimit"] == '"default";r=99'


def test_fail_open_serves_the_request_when_the_store_is_unreachable(clock, unreachable_store):
    app = create_app({"CLOCK": clock, "STORE": unreachable_store,
                      "RATE_LIMIT": {"algorithm": "sliding_log", "limit": 1, "window": 60, "on_store_error": "open"}})
    r = app.test_client().get(LIST, headers=dict(credentials(app, "usr_alice")))
    assert r.status_code == 200
    assert "RateLimit" not in r.headers, "no decision was made, so no quota is claimed"
    assert r.headers["RateLimit-Policy"] == '"default";q=1;w=60'


def test_fail_closed_refuses_with_503_when_the_store_is_unreachable(clock, unreachable_store):
    app = create_app({"CLOCK": clock, "STORE": unreachable_store,
                      "RATE_LIMIT": {"algorithm": "sliding_log", "limit": 1, "window": 60, "on_store_error": "closed"}})
    r = app.test_client().get(LIST, headers=dict(credentials(app, "usr_alice")))
    assert r.status_code == 503
    assert r.get_json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert r.headers["Retry-After"] == "1"


def test_an_unknown_failure_mode_is_refused_at_start_up(clock):
    with pytest.raises(RateLimitConfigError, match="sometimes"):
        limited_app(clock, on_store_error="sometimes")


@pytest.mark.parametrize("shared", [False, True])
def test_three_servers_admit_the_limit_once_with_a_shared_store_and_three_times_without(clock, shared):
    store = redis_store(url="") if shared else None
    config = {"algorithm": "sliding_log", "limit": 10, "window": 60, "clock": "app"}
    apps = [create_app({"CLOCK": clock, "STORE": store or memory_store(clock), "RATE_LIMIT": config,
                        "STORE_NAMESPACE": "cluster"})  # one namespace: the servers share their counters on purpose
            for _ in range(3)]
    clients = [a.test_client() for a in apps]
    headers = dict(credentials(apps[0], "usr_alice"))
    statuses = [clients[i % 3].get(LIST, headers=headers).status_code for i in range(60)]
    assert statuses.count(200) == (10 if shared else 30)


def test_the_429_travels_over_real_http_with_its_headers(limited, alice):
    with serve(limited) as live, requests.Session() as http:
        statuses = [http.get(live.url + LIST, headers=alice) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert statuses[-1].reason == "Too Many Requests"
    assert statuses[-1].headers["Retry-After"] == "60"
    assert statuses[-1].json()["error"]["code"] == "RATE_LIMITED"


def test_a_polite_client_waits_exactly_as_told_and_then_succeeds(limited, alice, clock):
    from apidesign.ratelimit.client import get_politely

    waits = []
    with serve(limited) as live, requests.Session() as http:
        for _ in range(3):
            http.get(live.url + LIST, headers=alice)
        history = get_politely(http, live.url + LIST, headers=alice,
                               wait=lambda s: (waits.append(s), clock.advance(s)))
    assert [r.status_code for r in history] == [429, 200]
    assert waits == [60]


# --- plans, endpoint costs and several policies in one field (draft -10 sections 3 and 4)

EXPORT = "POST /v1/channels/<channel_id>/exports"
PLANS = {"free": {"burst": {"algorithm": "token_bucket", "limit": 3, "window": 6},
                  "daily": {"algorithm": "fixed_window", "limit": 20, "window": 86_400}},
         "paid": {"burst": {"algorithm": "token_bucket", "limit": 10, "window": 10},
                  "daily": {"algorithm": "fixed_window", "limit": 1000, "window": 86_400}}}


def planned_app(clock, **extra):
    config = {"plans": PLANS, "plan_of": {"user:usr_bob": "paid"}, "default_plan": "free", "clock": "app", **extra}
    return create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "RATE_LIMIT": config})


def test_a_free_and_a_paid_caller_get_different_limits_on_the_same_route(clock):
    app = planned_app(clock)
    client = app.test_client()
    free, paid = dict(credentials(app, "usr_alice")), dict(credentials(app, "usr_bob"))
    assert [client.get(LIST, headers=free).status_code for _ in range(5)] == [200, 200, 200, 429, 429]
    bob_list = LIST.replace("usr_alice", "usr_bob")
    paid_statuses = [client.get(bob_list, headers=paid) for _ in range(5)]
    assert [r.status_code for r in paid_statuses] == [200] * 5
    assert paid_statuses[-1].headers["RateLimit-Policy"] == '"burst";q=10;w=10, "daily";q=1000;w=86400'


def test_every_response_lists_every_policy_of_the_plan_and_one_item_each(clock):
    app = planned_app(clock)
    r = app.test_client().get(LIST, headers=dict(credentials(app, "usr_alice")))
    assert r.headers["RateLimit-Policy"] == '"burst";q=3;w=6, "daily";q=20;w=86400'
    assert r.headers["RateLimit"] == '"burst";r=2, "daily";r=19'


def test_an_expensive_route_drains_the_shared_budget_by_its_cost(clock):
    app = planned_app(clock, costs={EXPORT: 3})
    client, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    channel = client.post("/v1/channels", json={"name": "general"}, headers=alice).headers["Location"]
    clock.advance(60)  # the burst bucket full again
    cheap = client.get(LIST, headers=alice).headers["RateLimit"]
    clock.advance(60)
    export = client.post(f"{channel}/exports", json={}, headers=alice)
    assert cheap == '"burst";r=2, "daily";r=18'
    assert export.status_code == 202 and export.headers["RateLimit"] == '"burst";r=0, "daily";r=15'


@pytest.mark.parametrize("costs, plans, says", [
    ({EXPORT: 10}, PLANS, "exceed the limit 3 of policy 'burst'"),  # could never fit: no honest Retry-After
    ({EXPORT: -1}, PLANS, "a cost is a whole number >= 0"),
    ({EXPORT: 2.5}, PLANS, "a cost is a whole number >= 0"),
    ({EXPORT: "10"}, PLANS, "a cost is a whole number >= 0"),
    ({"POST /v1/channels/{channel_id}/exports": 1}, PLANS, "POST /v1/channels/<channel_id>/exports"),
    ({}, {**PLANS, "free": {}}, "plan 'free' has no policies"),
    ({}, {**PLANS, "free": {'bu"rst': PLANS["free"]["burst"]}}, "structured-field string"),
    ({}, {**PLANS, "free": {"b\\": PLANS["free"]["burst"]}}, "structured-field string"),
    ({}, {**PLANS, "free": {"burst": {**PLANS["free"]["burst"], "window": 0.5}}}, "whole seconds >= 1"),
    ({}, {**PLANS, "free": {"burst": {**PLANS["free"]["burst"], "window": 6.5}}}, "whole seconds >= 1"),
])
def test_a_config_that_would_fail_or_mislead_per_request_is_refused_at_start_up(clock, costs, plans, says):
    with pytest.raises(RateLimitConfigError, match=re.escape(says)):
        planned_app(clock, costs=costs, plans=plans)


def test_a_cost_of_zero_is_allowed_and_spends_nothing(clock):
    app = planned_app(clock, costs={"GET /v1/users/<user_id>/channels": 0})
    client, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    assert [client.get(LIST, headers=alice).headers["RateLimit"] for _ in range(2)] == ['"burst";r=3, "daily";r=20'] * 2


def test_an_export_costs_ten_units_of_a_policy_large_enough_to_hold_it(clock):
    app = planned_app(clock, costs={EXPORT: 10}, plan_of={},
                      plans={"free": {"daily": PLANS["free"]["daily"]}})
    client, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    channel = client.post("/v1/channels", json={"name": "general"}, headers=alice).headers["Location"]
    exports = [client.post(f"{channel}/exports", json={}, headers=alice) for _ in range(2)]
    assert [r.status_code for r in exports] == [202, 429]
    assert exports[0].headers["RateLimit"] == '"daily";r=9', "1 for the channel, 10 for the export"


def test_a_429_names_the_policy_that_refused_and_takes_retry_after_from_it(clock):
    app = planned_app(clock)
    client, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    responses = [client.get(LIST, headers=alice) for _ in range(4)]
    burst = responses[-1]
    assert burst.status_code == 429 and '"burst"' in burst.get_json()["error"]["message"]
    assert burst.get_json()["error"]["details"][0]["policy"] == "burst"
    assert burst.headers["Retry-After"] == "2", "one token at 3 per 6 s"
    assert burst.headers["RateLimit"] == '"burst";r=0;t=2, "daily";r=17', "the daily policy was only read"
    for _ in range(17):  # a request every 2 s keeps the bucket from refusing: the daily quota runs out
        clock.advance(2)
        client.get(LIST, headers=alice)
    clock.advance(2)
    daily = client.get(LIST, headers=alice)
    assert daily.status_code == 429 and '"daily"' in daily.get_json()["error"]["message"]
    assert daily.get_json()["error"]["details"][0]["policy"] == "daily"
    wait = math.ceil(86_400 - clock.now() % 86_400)  # the fixed window ends at the next UTC midnight
    assert daily.headers["Retry-After"] == str(wait) and wait > 2, "from the daily policy, not the burst's 2 s"
    assert daily.headers["RateLimit"] == f'"burst";r=0;t=6, "daily";r=0;t={wait}', "burst charged first, then whole in 6 s"


def test_each_policy_costs_one_store_round_trip_per_decision(clock, monkeypatch):
    from apidesign.ratelimit import Limiter
    calls = []
    original = Limiter.allow
    monkeypatch.setattr(Limiter, "allow", lambda self, key, cost=1: calls.append(key) or original(self, key, cost))
    app = planned_app(clock)
    app.test_client().get(LIST, headers=dict(credentials(app, "usr_alice")))
    assert calls == ["burst:user:usr_alice", "daily:user:usr_alice"]


def test_a_plan_named_but_not_defined_is_refused_at_start_up(clock):
    with pytest.raises(RateLimitConfigError):
        planned_app(clock, plan_of={"user:usr_bob": "gold"})


@pytest.mark.parametrize("order", [("burst", "daily"), ("daily", "burst")])
def test_the_config_order_of_the_policies_does_not_change_the_quota(order):
    from apidesign.clock import FakeClock
    from apidesign.ratelimit import FixedWindow, TokenBucket
    from apidesign.server.ratelimiting import charge

    clock = FakeClock(1_773_311_400.0)
    policies = {"burst": TokenBucket(5, 0.5, clock=clock), "daily": FixedWindow(20, 86_400, clock=clock)}
    admitted = 0
    for second in range(60):  # one request a second: twice what the burst refills
        clock.set(1_773_311_400.0 + second)
        admitted += all(d.allowed for d in charge({name: policies[name] for name in order}, "a", 1).values())
    assert admitted == 20, "a burst refusal spends no daily unit, whichever policy the config lists first"


@pytest.mark.parametrize("order", [("burst", "daily"), ("daily", "burst")])
def test_live_the_config_order_changes_neither_the_admissions_nor_the_header_order(clock, order):
    app = planned_app(clock, plans={"free": {name: PLANS["free"][name] for name in order}}, plan_of={})
    client, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    statuses = []
    for _ in range(60):
        clock.advance(1)
        r = client.get(LIST, headers=alice)
        statuses.append(r.status_code)
    assert statuses.count(200) == 20
    assert r.headers["RateLimit-Policy"].startswith(f'"{order[0]}"') and r.headers["RateLimit"].startswith(f'"{order[0]}"')


def test_retry_after_waits_for_every_policy_so_a_client_that_obeys_it_gets_through(clock):
    app = planned_app(clock, costs={EXPORT: 3})
    client, alice = app.test_client(), dict(credentials(app, "usr_alice"))
    channel = client.post("/v1/channels", json={"name": "general"}, headers=alice).headers["Location"]
    clock.advance(60)
    for _ in range(15):  # one every 2 s: the bucket refills as fast as it is spent; the day falls to 4
        clock.advance(2)
        client.get(LIST, headers=alice)
    assert [client.get(LIST, headers=alice).status_code for _ in range(2)] == [200, 200]  # bucket 0, day 2
    refused = client.post(f"{channel}/exports", json={}, headers=alice)
    midnight = math.ceil(86_400 - clock.now() % 86_400)
    assert refused.status_code == 429 and '"burst"' in refused.get_json()["error"]["message"]
    assert refused.headers["RateLimit"] == f'"burst";r=0;t=6, "daily";r=2;t={midnight}', "3 tokens at 0.5 a second"
    assert refused.headers["Retry-After"] == str(midnight), "the day's 2 units cannot take a cost of 3 before then"
    assert [(d["policy"], d["retry_after"]) for d in refused.get_json()["error"]["details"]] == [
        ("burst", 6), ("daily", midnight)]
    clock.advance(int(refused.headers["Retry-After"]))
    alice = dict(credentials(app, "usr_alice"))  # a fresh token: the first has expired by midnight
    assert client.post(f"{channel}/exports", json={}, headers=alice).status_code == 202
