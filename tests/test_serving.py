"""The reference API over real HTTP on 127.0.0.1, through ``serve()``."""

import socket

import pytest
import requests

from apidesign.server import create_app, serve


def test_first_post_and_get_over_real_http(live, as_user):
    h = as_user("usr_alice")
    r = requests.post(f"{live.url}/v1/channels", json={"name": "general"}, headers=h, timeout=5)
    assert r.status_code == 201
    cid = r.json()["data"]["channelId"]
    r = requests.post(f"{live.url}/v1/channels/{cid}/messages", json={"content": "hi"}, headers=h, timeout=5)
    assert r.status_code == 201 and r.headers["Content-Type"] == "application/json"
    r = requests.get(f"{live.url}{r.headers['Location']}", headers=h, timeout=5)
    assert r.json()["data"]["content"] == "hi"


def test_unknown_route_wrong_method_and_bad_json_are_json_envelopes_not_html(live, as_user):
    h = as_user("usr_alice")
    cases = [
        (requests.get(f"{live.url}/nope", timeout=5), 404, "NOT_FOUND"),
        (requests.delete(f"{live.url}/v1/channels", headers=h, timeout=5), 405, "METHOD_NOT_ALLOWED"),
        (requests.post(f"{live.url}/v1/channels", data="{oops", headers={**h, "Content-Type": "application/json"},
                       timeout=5), 400, "MALFORMED_JSON"),
    ]
    for r, status, code in cases:
        assert r.status_code == status
        assert r.headers["Content-Type"] == "application/json"
        assert r.json()["error"]["code"] == code
        assert "<html" not in r.text.lower()


def test_a_session_reuses_one_keep_alive_connection(live, as_user):
    with requests.Session() as s:
        for _ in range(5):
            assert s.get(f"{live.url}/v1/users/usr_alice/channels", headers=as_user("usr_alice"), timeout=5).ok
    assert live.requests == 5
    assert live.connections == 1


def test_separate_requests_open_separate_connections(live, as_user):
    for _ in range(3):
        requests.get(f"{live.url}/v1/users/usr_alice/channels", headers={**as_user("usr_alice"), "Connection": "close"},
                     timeout=5)
    assert live.connections == 3


def test_stop_closes_keep_alive_connections_and_releases_the_port():
    server = serve(create_app())
    session = requests.Session()
    session.get(f"{server.url}/nope", timeout=5)  # leaves a keep-alive connection open
    server.stop()
    assert not server.running
    with pytest.raises(requests.ConnectionError):
        session.get(f"{server.url}/nope", timeout=5)  # neither the old connection nor a new one is served
    session.close()
    with socket.socket() as probe:  # nothing listens on the port any more
        assert probe.connect_ex(("127.0.0.1", server.port)) != 0


def test_serve_binds_only_to_loopback(live):
    assert live.url.startswith("http://127.0.0.1:")
