"""nginx in front of the reference API: round robin, limit_req's leaky bucket, and what a gateway cannot see."""

import time

import pytest
import requests

from apidesign.gateway import WORKER_HEADER, Gateway, LimitReq, nginx_binary
from apidesign.server import create_app, serve

pytestmark = pytest.mark.skipif(nginx_binary() is None,
                                reason="gateway lane: nginx is not installed (run `make system-deps`)")

OPEN_PATH = "/v1/openapi.json"  # needs no credentials


@pytest.fixture
def apps():
    servers = [serve(create_app({"TESTING": True, "ID_SEED": i})) for i in range(3)]
    yield servers
    for s in servers:
        s.stop()


def upstreams(servers):
    return [f"127.0.0.1:{s.port}" for s in servers]


def burst(url, n, headers=None):
    """``n`` requests as fast as one client sends them: (statuses, seconds taken)."""
    start = time.monotonic()
    with requests.Session() as http:
        statuses = [http.get(url + OPEN_PATH, headers=headers or {}).status_code for _ in range(n)]
    return statuses, time.monotonic() - start


def test_the_gateway_spreads_requests_over_every_app_server(apps):
    with Gateway(upstreams(apps)) as gw:
        statuses, _ = burst(gw.url, 9)
    assert statuses == [200] * 9
    assert [s.requests for s in apps] == [3, 3, 3]


def test_limit_req_admits_one_request_plus_the_burst_then_refuses_in_the_api_envelope(apps):
    with Gateway(upstreams(apps), LimitReq(rate="1r/s", burst=4)) as gw:
        statuses, took = burst(gw.url, 12)
        refused = requests.get(gw.url + OPEN_PATH)
    if took >= 0.9:
        pytest.skip(f"12 requests took {took:.2f} s, so the bucket drained during the burst")
    assert statuses == [200] * 5 + [429] * 7
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.json()["error"]["code"] == "RATE_LIMITED"


def test_a_limit_keyed_on_a_header_does_not_limit_clients_that_leave_it_out(apps):
    with Gateway(upstreams(apps), LimitReq(key="$http_x_api_key", rate="1r/s", burst=2)) as gw:
        with_key, took = burst(gw.url, 6, headers={"X-API-Key": "key_1"})
        without_key, _ = burst(gw.url, 6)
    if took >= 0.9:
        pytest.skip(f"6 requests took {took:.2f} s, so the bucket drained during the burst")
    assert with_key == [200] * 3 + [429] * 3
    assert without_key == [200] * 6  # nginx does not account requests whose key is empty


def test_two_gateways_keep_two_buckets_so_the_client_gets_twice_the_limit(apps):
    limit = LimitReq(rate="1r/s", burst=4)
    with Gateway(upstreams(apps), limit) as a, Gateway(upstreams(apps), limit) as b:
        start = time.monotonic()
        first, _ = burst(a.url, 8)
        second, _ = burst(b.url, 8)
        took = time.monotonic() - start
    if took >= 0.9:
        pytest.skip(f"16 requests took {took:.2f} s, so the buckets drained during the burst")
    assert first.count(200) == second.count(200) == 5


def test_the_workers_of_one_nginx_share_one_bucket_per_key(apps):
    # a connection per request (Connection: close), so the kernel hands them to different workers
    with Gateway(upstreams(apps), LimitReq(rate="1r/m", burst=4), workers=4) as gw:
        answers = [requests.get(gw.url + OPEN_PATH, headers={"Connection": "close"}) for _ in range(16)]
    workers = {r.headers[WORKER_HEADER] for r in answers}
    if len(workers) < 2:
        pytest.skip("every connection went to one worker, so this run cannot tell shared from separate buckets")
    assert [r.status_code for r in answers].count(200) == 5  # one request and the burst, across all workers
    # with a bucket per worker, every worker's first request would pass too: more than 5 in all
