"""The chat WebSocket through serve(): echo, broadcast, both directions, errors."""

import asyncio
import socket
import time

import pytest
import requests
import websocket

from apidesign.protocols.streaming import open_socket, receive_json
from apidesign.server.events import broker_of


@pytest.fixture
def channel(live, as_user):
    r = requests.post(f"{live.url}/v1/channels", json={"name": "general", "memberIds": ["usr_bob"]},
                      headers=as_user("usr_alice"), timeout=5)
    return r.json()["data"]["channelId"]


@pytest.fixture
def sockets(live, channel, as_user, app):
    opened = {u: open_socket(live.url, f"/v1/channels/{channel}/socket", as_user(u)) for u in ("usr_alice", "usr_bob")}
    yield opened
    for ws in opened.values():
        ws.close()
    broker_of(app).close()


def test_a_message_sent_on_one_socket_is_echoed_to_the_sender_and_broadcast_to_the_other(sockets):
    sockets["usr_alice"].send('{"content": "hi bob"}')
    echo, broadcast = receive_json(sockets["usr_alice"]), receive_json(sockets["usr_bob"])
    assert echo == broadcast
    assert echo["event"] == "message.created" and echo["data"]["senderId"] == "usr_alice"
    assert echo["data"]["content"] == "hi bob"


def test_both_clients_talk_in_both_directions_over_their_one_connection(sockets, live):
    alice, bob = sockets["usr_alice"], sockets["usr_bob"]
    alice.send('{"content": "ping"}')
    assert receive_json(bob)["data"]["content"] == "ping"
    bob.send('{"content": "pong"}')
    seen_by_alice = [receive_json(alice)["data"]["content"] for _ in range(2)]
    assert seen_by_alice == ["ping", "pong"]
    assert live.requests == 3  # create channel + two upgrade requests: no polling


def test_messages_posted_over_rest_reach_the_sockets(sockets, live, channel, as_user):
    requests.post(f"{live.url}/v1/channels/{channel}/messages", json={"content": "from rest"},
                  headers=as_user("usr_alice"), timeout=5)
    assert receive_json(sockets["usr_bob"])["data"]["content"] == "from rest"


@pytest.mark.parametrize("frame, code", [("not json", "MALFORMED_JSON"), ('{"content": ""}', "INVALID_INPUT"),
                                         ('["hi"]', "INVALID_INPUT"),
                                         ('{"content": "\\ud800"}', "INVALID_INPUT"),  # a lone surrogate
                                         ('{"content": "\\ufffe"}', "INVALID_INPUT"),  # a noncharacter (I-JSON)
                                         ("[" * 1000 + "]" * 1000, "INVALID_INPUT"),  # nested 1,000 deep
                                         ('{"content": ' + "[" * 1000 + "]" * 1000 + "}", "INVALID_INPUT")])
def test_a_bad_frame_gets_an_error_frame_and_the_socket_stays_open(sockets, frame, code):
    alice = sockets["usr_alice"]
    alice.send(frame)
    assert receive_json(alice)["error"]["code"] == code
    alice.send('{"content": "still here"}')
    assert receive_json(alice)["data"]["content"] == "still here"


def test_non_members_are_refused_before_the_upgrade_with_a_plain_403(live, channel, as_user):
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        open_socket(live.url, f"/v1/channels/{channel}/socket", as_user("usr_carol"))
    assert refused.value.status_code == 403


def test_the_server_keeps_serving_plain_http_after_a_socket_closes(sockets, live, as_user):
    sockets["usr_alice"].close()
    r = requests.get(f"{live.url}/v1/users/usr_alice/channels", headers=as_user("usr_alice"), timeout=5)
    assert r.status_code == 200


def test_a_read_only_token_may_listen_on_the_socket_but_not_send(live, channel, app):
    from apidesign.server import credentials
    reader = open_socket(live.url, f"/v1/channels/{channel}/socket",
                         credentials(app, "usr_alice", scopes=["channels:read", "messages:read"]))
    try:
        reader.send('{"content": "may I?"}')
        assert receive_json(reader)["error"]["code"] == "INSUFFICIENT_SCOPE"
    finally:
        reader.close()


@pytest.mark.parametrize("key", ["abc", "!!!", "dGhlIHNhbXBsZSBub25jZQ"])  # not 16 bytes in base64 (the last lacks ==)
def test_a_handshake_with_a_malformed_key_is_refused_with_426_in_the_envelope(live, channel, as_user, key):
    headers = {**as_user("usr_alice"), "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": key,
               "Sec-WebSocket-Version": "13"}
    r = requests.get(f"{live.url}/v1/channels/{channel}/socket", headers=headers, timeout=5)
    assert r.status_code == 426 and r.json()["error"]["code"] == "UPGRADE_REQUIRED"
    assert r.headers["Sec-WebSocket-Version"] == "13"


def test_the_upgrade_answers_101_switching_protocols_with_its_reason_phrase(live, channel, as_user):
    handshake = (f"GET /v1/channels/{channel}/socket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 f"Authorization: {as_user('usr_alice')['Authorization']}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(handshake.encode())
        assert sock.recv(1024).split(b"\r\n")[0] == b"HTTP/1.1 101 Switching Protocols"


def test_a_plain_get_on_the_socket_is_426_upgrade_required_in_the_envelope(live, channel, as_user):
    r = requests.get(f"{live.url}/v1/channels/{channel}/socket", headers=as_user("usr_alice"), timeout=5)
    assert r.status_code == 426 and r.headers["Upgrade"] == "websocket"
    assert r.json()["error"]["code"] == "UPGRADE_REQUIRED"


def test_a_client_that_leaves_while_messages_flow_ends_its_session_and_the_server_carries_on(live, channel, as_user):
    """A client can close while the server is sending to it (Schemathesis found this race on the old server)."""
    alice = as_user("usr_alice")
    leaving = open_socket(live.url, f"/v1/channels/{channel}/socket", alice)
    for i in range(20):
        requests.post(f"{live.url}/v1/channels/{channel}/messages", json={"content": f"m{i}"}, headers=alice, timeout=5)
    leaving.close()
    deadline = time.monotonic() + 2.0
    while live.streams and time.monotonic() < deadline:
        time.sleep(0.02)
    assert live.streams == 0
    again = open_socket(live.url, f"/v1/channels/{channel}/socket", alice)
    try:
        again.send('{"content": "still serving"}')
        assert receive_json(again)["data"]["content"] == "still serving"
    finally:
        again.close()


def forwarders(live) -> int:
    """Chat sessions still forwarding events on the server's loop (``ChatSession.forward`` tasks)."""
    async def count():
        return sum(task.get_coro().__qualname__ == "ChatSession.forward" for task in asyncio.all_tasks())
    return asyncio.run_coroutine_threadsafe(count(), live._loop.loop).result(5)


def test_clients_that_leave_mid_burst_leave_no_session_forwarding_to_nobody(live, channel, as_user):
    # Each frame's message is published while the session may be ending: its forwarder's cancel must not be lost.
    for _ in range(10):
        ws = open_socket(live.url, f"/v1/channels/{channel}/socket", as_user("usr_alice"))
        for _ in range(200):
            ws.send('{"content": "hi"}')
        ws.shutdown()  # gone mid-burst, without a closing handshake
    deadline = time.monotonic() + 3.0
    while (live.streams or forwarders(live)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (live.streams, forwarders(live)) == (0, 0)
