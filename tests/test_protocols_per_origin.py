"""The browser's connection cap, modelled: at most N connections per origin over HTTP/1.1; HTTP/2 shares one."""

import pytest
import requests

from apidesign.protocols.per_origin import open_tab, origin
from apidesign.server import serve

SEVEN = ["127.0.0.1"] * 7


@pytest.fixture
def channel(app, as_user):
    with serve(app) as live:
        r = requests.post(f"{live.url}/v1/channels", json={"name": "general"}, headers=as_user("usr_alice"), timeout=5)
    return r.json()["data"]["channelId"]


@pytest.mark.parametrize("url, expected", [
    ("http://127.0.0.1:8000/v1/x", "http://127.0.0.1:8000"), ("http://localhost:8000/", "http://localhost:8000"),
    ("https://chat.example.com/a?b", "https://chat.example.com:443"), ("http://chat.example.com", "http://chat.example.com:80")])
def test_an_origin_is_scheme_host_and_port(url, expected):
    assert origin(url) == expected


def test_over_http1_the_seventh_stream_and_a_rest_call_wait_behind_six(app, channel, as_user):
    tab = open_tab(app, channel, as_user("usr_alice"), SEVEN)
    assert (tab.asked, tab.opened, tab.held, tab.connections, tab.rest_status) == (7, 6, 6, 6, None)


@pytest.mark.parametrize("cap", [2, 4])
def test_the_cap_is_the_clients_parameter_not_the_servers(app, channel, as_user, cap):
    tab = open_tab(app, channel, as_user("usr_alice"), SEVEN, per_origin=cap)
    assert (tab.opened, tab.held, tab.rest_status) == (cap, cap, None)


def test_a_cap_above_the_streams_leaves_room_for_everything(app, channel, as_user):
    tab = open_tab(app, channel, as_user("usr_alice"), SEVEN, per_origin=8)
    assert (tab.opened, tab.held, tab.rest_status) == (7, 7, 200)


def test_another_host_name_is_another_origin_with_its_own_connections(app, channel, as_user):
    tab = open_tab(app, channel, as_user("usr_alice"), ["127.0.0.1"] * 6 + ["localhost"], rest_host="localhost")
    assert (tab.opened, tab.held, tab.connections, tab.rest_status) == (7, 7, 8, 200)


def test_over_http2_one_connection_carries_every_stream_and_the_rest_call(app, channel, as_user):
    tab = open_tab(app, channel, as_user("usr_alice"), SEVEN, http2=True)
    assert (tab.http, tab.opened, tab.held, tab.connections, tab.rest_status) == ("HTTP/2", 7, 7, 1, 200)


@pytest.mark.parametrize("kwargs", [{"per_origin": 0}, {"wait": 0}])
def test_nonsense_settings_are_refused(app, channel, as_user, kwargs):
    with pytest.raises(ValueError):
        open_tab(app, channel, as_user("usr_alice"), SEVEN, **kwargs)
