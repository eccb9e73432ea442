"""Lost responses: the work is done, then the connection closes without a byte of response."""

import socket

import pytest
import requests

from apidesign.server import create_app, credentials, serve
from apidesign.server.faults import LostResponses


def test_a_dropped_response_is_a_connection_error_over_real_http_and_the_message_exists(clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1})
    headers = dict(credentials(app, "usr_alice"))
    faults = app.extensions["apidesign"].extras["faults"]
    with serve(app) as live:
        cid = requests.post(f"{live.url}/v1/channels", json={"name": "general"}, headers=headers,
                            timeout=5).json()["data"]["channelId"]
        faults.rate = 1.0
        with pytest.raises(requests.ConnectionError, match="without response|reset"):
            requests.post(f"{live.url}/v1/channels/{cid}/messages", json={"content": "lost?"}, headers=headers, timeout=5)
        listed = requests.get(f"{live.url}/v1/channels/{cid}/messages?limit=100", headers=headers, timeout=5).json()["data"]
    assert [m["content"] for m in listed] == ["lost?"], "committed, though the client never heard"
    assert faults.dropped == 1


def test_the_server_sends_zero_bytes_before_closing(clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "FAULT_DROP_RATE": 1.0})
    with serve(app) as live, socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(b"POST /v1/channels HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        assert sock.recv(1024) == b""  # orderly close, no status line: the response is simply gone


def test_the_drop_pattern_is_reproducible_from_the_seed():
    def pattern(seed):
        faults = LostResponses(lambda e, s: [b""], rate=0.3, seed=seed)
        return [faults._roll() for _ in range(50)]
    assert pattern(7) == pattern(7) and pattern(7) != pattern(8)
    assert 5 < sum(pattern(7)) < 25
