"""WebSocket heartbeats: serve() pings every socket, and closes one whose peer stops answering (RFC 6455 5.5.2-3)."""

import json
import socket
import time

import pytest
import requests
import websocket

from apidesign.protocols.streaming import answer_then_fall_silent, close_frame, count_pings, open_socket
from apidesign.server import serve
from apidesign.server import serving
from apidesign.server.serving import PING_SECONDS, PONG_SECONDS, hypercorn_config

INTERVAL, TIMEOUT = 0.1, 0.2
# A silent peer is closed within INTERVAL + TIMEOUT; the tests allow more, for a busy shared machine.
BOUND = 1.5


@pytest.fixture
def channel(app, as_user):
    with serve(app) as live:
        r = requests.post(f"{live.url}/v1/channels", json={"name": "general"}, headers=as_user("usr_alice"), timeout=5)
    return r.json()["data"]["channelId"]


def test_an_idle_socket_that_answers_gets_pings_and_stays_open(app, channel, as_user):
    with serve(app, ping_interval=INTERVAL, ping_timeout=TIMEOUT) as live:
        ws = open_socket(live.url, f"/v1/channels/{channel}/socket", as_user("usr_alice"))
        answered = count_pings(ws, 8, time.monotonic() + 8 * BOUND)  # 8 pings: far longer than one TIMEOUT
        assert answered == 8 and live.streams == 1
        ws.close()


def test_a_socket_that_stops_answering_is_closed_with_1011_within_a_bound_and_logged(app, channel, as_user, caplog):
    with serve(app, ping_interval=INTERVAL, ping_timeout=TIMEOUT) as live:
        beat = answer_then_fall_silent(live, f"/v1/channels/{channel}/socket", as_user("usr_alice"), pings=2, wait=BOUND)
    assert beat.answered == 2 and beat.held_listening == 1
    assert beat.held_after_silence == 0
    assert (beat.close_code, beat.close_reason) == (1011, "keepalive ping timeout")
    assert f"no Pong within {TIMEOUT:g} s" in caplog.text  # RFC 6455 section 7.1.7: the server SHOULD log it
    assert TIMEOUT <= beat.closed_after <= BOUND  # not before a Ping went unanswered for TIMEOUT


def test_under_the_same_short_settings_a_client_that_keeps_answering_stays_open(app, channel, as_user):
    with serve(app, ping_interval=INTERVAL, ping_timeout=TIMEOUT) as live:
        beat = answer_then_fall_silent(live, f"/v1/channels/{channel}/socket", as_user("usr_alice"), pings=2, wait=BOUND,
                                       silent=False)
    assert (beat.answered, beat.held_after_silence, beat.close_code, beat.closed_after) == (2, 1, None, None)


def test_without_pings_a_silent_socket_is_held_and_never_hears_a_thing(app, channel, as_user):
    with serve(app, ping_interval=None) as live:
        beat = answer_then_fall_silent(live, f"/v1/channels/{channel}/socket", as_user("usr_alice"), pings=2, wait=0.5)
    assert (beat.answered, beat.held_after_silence, beat.close_code) == (0, 1, None)


def test_only_a_pong_that_echoes_the_pings_data_counts(app, channel, as_user):
    with serve(app, ping_interval=INTERVAL, ping_timeout=TIMEOUT) as live:
        ws = open_socket(live.url, f"/v1/channels/{channel}/socket", as_user("usr_alice"))
        assert live.streams == 1  # counted before the 101 went out
        deadline = time.monotonic() + BOUND
        while live.streams and time.monotonic() < deadline:
            ws.pong(b"not the ping's data")  # unsolicited Pongs (RFC 6455 5.5.3): no answer to the Ping
            time.sleep(INTERVAL / 4)
        assert live.streams == 0
        assert close_frame(ws, wait=BOUND)[0] == 1011


def test_pings_keep_a_socket_busy_without_disturbing_its_messages(app, channel, as_user):
    with serve(app, ping_interval=INTERVAL, ping_timeout=TIMEOUT) as live:
        ws = open_socket(live.url, f"/v1/channels/{channel}/socket", as_user("usr_alice"))
        assert count_pings(ws, 3, time.monotonic() + 3 * BOUND) == 3
        ws.send('{"content": "still here"}')
        assert '"still here"' in ws.recv()  # recv() answers any Ping that comes first, and skips it
        assert count_pings(ws, 3, time.monotonic() + 3 * BOUND) == 3 and live.streams == 1
        ws.close()


def test_serve_pings_by_default_and_hypercorn_is_told_both_settings():
    config = hypercorn_config(1024)
    assert (config.websocket_ping_interval, config.websocket_ping_timeout) == (PING_SECONDS, PONG_SECONDS)
    assert hypercorn_config(1024, None).websocket_ping_interval is None


@pytest.mark.parametrize("interval, timeout", [(0, 1.0), (-1, 1.0), (1.0, 0), (1.0, None)])
def test_a_ping_setting_that_is_not_positive_is_refused_and_pings_need_a_pong_deadline(app, interval, timeout):
    with pytest.raises(ValueError):
        serve(app, ping_interval=interval, ping_timeout=timeout)


def test_a_refused_upgrade_gets_no_pings(app, channel, as_user):
    with serve(app, ping_interval=INTERVAL, ping_timeout=TIMEOUT) as live:
        with pytest.raises(websocket.WebSocketBadStatusException):
            open_socket(live.url, f"/v1/channels/{channel}/socket", as_user("usr_carol"))  # not a member: 403
        assert live.streams == 0


def test_a_closed_socket_stops_its_pings_at_once_and_its_connection_ends(app, channel, as_user, monkeypatch):
    # After a WebSocket closes, hypercorn keeps the connection's task for up to its keep-alive timeout (before this
    # change too); shortened here, so that what is measured is the Ping task, which must not wait out its 30 s.
    monkeypatch.setattr(serving, "KEEP_ALIVE_SECONDS", 0.2)
    with serve(app, ping_interval=30, ping_timeout=30) as live:
        ws = open_socket(live.url, f"/v1/channels/{channel}/socket", as_user("usr_alice"))
        assert count_pings(ws, 1, time.monotonic() + BOUND) == 1
        ws.close()
        deadline = time.monotonic() + BOUND  # not the 30 s of the next Ping
        while live._transports and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not live._transports and live.streams == 0


def flood_without_reading(live, path: str, headers, most: float = 10.0) -> websocket.WebSocket:
    """A client that answers the first Ping, then sends chat messages and reads nothing, until the server's writes to
    it wait (each message comes back to its sender as a confirmation, and the client takes none)."""
    ws = websocket.create_connection("ws" + live.url.removeprefix("http") + path, header=dict(headers), timeout=5,
                                     sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),))
    (transport,) = live._transports.values()
    # Small kernel buffers on both sides, so that a few messages fill them even on a loaded machine.
    transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    assert count_pings(ws, 1, time.monotonic() + BOUND) == 1
    ws.settimeout(0.05)
    frame = json.dumps({"content": "x" * 3900})
    deadline = time.monotonic() + most
    # asyncio's flow control: past the high-water mark the transport calls pause_writing(), and a writer's
    # drain() waits until resume_writing(), which a peer that reads nothing never brings.
    while not transport.get_protocol()._paused and time.monotonic() < deadline:
        try:
            ws.send(frame)
        except websocket.WebSocketTimeoutException:  # the server's queue for this client is full too
            time.sleep(0.01)
    assert transport.get_protocol()._paused, f"the server's writes never had to wait ({most:g} s)"
    return ws


def test_a_peer_that_stops_reading_with_data_queued_is_still_closed_within_a_bound(app, channel, as_user, monkeypatch):
    # The Close frame cannot go out either (the peer reads nothing): the server gives it CLOSE_SECONDS, then aborts.
    monkeypatch.setattr(serving, "CLOSE_SECONDS", 0.2)
    interval, timeout = 3.0, 0.5  # the flood fills the buffers (in 0.1 s on an idle machine) before the second Ping
    with serve(app, ping_interval=interval, ping_timeout=timeout) as live:
        ws = flood_without_reading(live, f"/v1/channels/{channel}/socket", as_user("usr_alice"))
        started = time.monotonic()
        while (live.streams or live._transports) and time.monotonic() < started + interval + timeout + 2 * BOUND:
            time.sleep(0.01)
        assert (live.streams, len(live._transports)) == (0, 0)
        ws.shutdown()
