"""The reference API over real HTTP on 127.0.0.1, through ``serve()``."""

import re
import socket
import threading
import time
from contextlib import ExitStack

import pytest
import requests

from apidesign.protocols.streaming import open_socket
from apidesign.server import create_app, credentials, serve

# The claims are "within a second"; the tests allow twice that, for a busy shared machine.
PROMPTLY = 2.0


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


def test_kept_alive_requests_are_not_held_back_by_nagle_and_delayed_acks(live):
    """Head and body go out as two writes; without TCP_NODELAY the second waits ~40 ms for the client's ACK."""
    with requests.Session() as http:
        times = []
        for _ in range(10):
            started = time.perf_counter()
            http.get(f"{live.url}/nope", timeout=5)
            times.append(time.perf_counter() - started)
    assert sorted(times)[5] < 0.025


def test_status_lines_carry_the_standard_reason_phrase(live, as_user):
    r = requests.post(f"{live.url}/v1/channels", json={"name": "phrases"}, headers=as_user("usr_alice"), timeout=5)
    assert (r.status_code, r.reason) == (201, "Created")
    assert requests.get(f"{live.url}/nope", timeout=5).reason == "Not Found"


def test_reason_phrases_are_rfc_9110s_names_not_rfc_7231s(live, as_user):
    alice = {**as_user("usr_alice"), "Idempotency-Key": '"phrase-1"'}
    channel = requests.post(f"{live.url}/v1/channels", json={"name": "phrases-422"}, headers=as_user("usr_alice"),
                            timeout=5).json()["data"]["channelId"]
    for content in ("one", "two"):  # the same key with another body: 422
        r = requests.post(f"{live.url}/v1/channels/{channel}/messages", json={"content": content}, headers=alice, timeout=5)
    assert (r.status_code, r.reason) == (422, "Unprocessable Content")


def test_serve_binds_only_to_loopback(live):
    assert live.url.startswith("http://127.0.0.1:")


def conversation(port: int, data: bytes, seconds: float = 3.0) -> bytes:
    """Everything the server sends on one connection after ``data``, until it closes or ``seconds`` pass."""
    received, deadline = b"", time.monotonic() + seconds
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as sock:
        sock.sendall(data)
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            received += chunk
    return received


def status_lines(received: bytes) -> list[bytes]:
    return re.findall(rb"HTTP/1\.[01] \d{3}[^\r\n]*", received)


def chunked_post(path: str, headers: dict, chunk: bytes) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{head}"
            "Transfer-Encoding: chunked\r\n\r\n").encode() + b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk)


@pytest.fixture
def channel(live, as_user):
    r = requests.post(f"{live.url}/v1/channels", json={"name": "general"}, headers=as_user("usr_alice"), timeout=5)
    return r.json()["data"]["channelId"]


def test_an_unread_chunked_body_is_never_parsed_as_the_next_request_on_the_connection(live, as_user, channel):
    refused = chunked_post(f"/v1/channels/{channel}/messages", as_user("usr_carol"), b'{"content": "hi"}')
    follow_up = f"GET /v1/users/usr_alice/channels HTTP/1.1\r\nHost: x\r\nAuthorization: {as_user('usr_alice')['Authorization']}\r\n\r\n"
    statuses = status_lines(conversation(live.port, refused + follow_up.encode()))
    assert statuses[0].startswith(b"HTTP/1.1 403")
    assert statuses[1:] in ([], [b"HTTP/1.1 200 OK"]), "the next request is answered as itself, or the connection closes"


def test_a_request_smuggled_inside_a_2_mib_chunk_is_never_executed(live, as_user, channel):
    smuggled = b"GET /smuggled/00000 HTTP/1.0\r\n\r\n"  # 32 bytes: one starts wherever a reader could stop
    before = live.requests
    received = conversation(live.port, chunked_post(f"/v1/channels/{channel}/messages", as_user("usr_alice"),
                                                    smuggled * ((2 << 20) // len(smuggled))))
    assert [s[:12] for s in status_lines(received)] == [b"HTTP/1.1 413"], "one answer, to the one request"
    assert live.requests == before + 1


def test_a_request_framed_by_both_content_length_and_chunked_is_answered_and_the_connection_closed(live, as_user):
    """RFC 9112 section 6.3: Transfer-Encoding wins, and the server MUST close the connection after responding."""
    alice = as_user("usr_alice")["Authorization"]
    both = (f"POST /v1/channels HTTP/1.1\r\nHost: x\r\nAuthorization: {alice}\r\nContent-Type: application/json\r\n"
            "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    then = f"GET /v1/users/usr_alice/channels HTTP/1.1\r\nHost: x\r\nAuthorization: {alice}\r\n\r\n"
    assert [s[:12] for s in status_lines(conversation(live.port, (both + then).encode()))] == [b"HTTP/1.1 400"]


def test_an_oversized_upload_gets_its_413_and_is_cut_off_after_a_bounded_drain(live, as_user):
    size, sent = 32 << 20, 0
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(f"POST /v1/channels HTTP/1.1\r\nHost: x\r\nAuthorization: {as_user('usr_alice')['Authorization']}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n".encode())
        try:
            while sent < size:
                sent += sock.send(b"x" * 65536)
        except OSError:
            pass  # the server closed the connection: what it should do
        assert sent < 16 << 20, "the server stops reading an unwanted body"
        assert sock.recv(12) == b"HTTP/1.1 413"


SLOW_CLIENTS = {  # what each kind of slow client sends, and how many of them attack at once
    "send their headers slowly": (b"GET /v1/users/usr_alice/channels HTTP/1.1\r\nHost: x\r\nX-Slow: ", 50),
    "connect and stay idle": (b"", 50),
    "stall in the middle of an upload": (b"POST /v1/channels HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                         b"Content-Length: 100000\r\n\r\n{\"name\": ", 20),
}


def open_slow_clients(stack: ExitStack, port: int, kind: str) -> list[socket.socket]:
    sent, count = SLOW_CLIENTS[kind]
    sockets = [stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5)) for _ in range(count)]
    for sock in sockets:
        sock.sendall(sent)
    return sockets


@pytest.mark.parametrize("kind", list(SLOW_CLIENTS))
def test_clients_that_are_slow_or_idle_do_not_delay_anyone_else(live, as_user, kind):
    with ExitStack() as stack:
        open_slow_clients(stack, live.port, kind)
        time.sleep(0.2)  # let the server take them all in
        started = time.monotonic()
        r = requests.get(f"{live.url}/v1/users/usr_alice/channels", headers=as_user("usr_alice"), timeout=PROMPTLY)
        assert r.status_code == 200 and time.monotonic() - started < PROMPTLY


def open_clients(stack: ExitStack, live, app, kind: str) -> None:
    """Open clients of one kind that stop() must deal with."""
    alice = dict(credentials(app, "usr_alice"))
    channel = requests.post(f"{live.url}/v1/channels", json={"name": "general"}, headers=alice,
                            timeout=5).json()["data"]["channelId"]
    if kind == "event streams":
        for _ in range(5):
            stack.enter_context(requests.get(f"{live.url}/v1/channels/{channel}/events", headers=alice,
                                             stream=True, timeout=5))
    elif kind == "WebSockets":
        for _ in range(3):
            stack.callback(open_socket(live.url, f"/v1/channels/{channel}/socket", alice).close)
    else:
        for slow in SLOW_CLIENTS:
            open_slow_clients(stack, live.port, slow)


@pytest.mark.parametrize("streaming", ["async", "threads"])
@pytest.mark.parametrize("kind", ["event streams", "WebSockets", "slow clients"])
def test_stop_returns_within_a_second_and_releases_the_port_and_every_thread(kind, streaming):
    baseline = threading.active_count()
    app = create_app()
    server = serve(app, streaming=streaming)
    with ExitStack() as clients:
        open_clients(clients, server, app, kind)
        time.sleep(0.2)
        started = time.monotonic()
        server.stop()
        took = time.monotonic() - started
        left = [t.name for t in threading.enumerate() if t.name.startswith("apidesign")]  # clients still connected
    assert took < PROMPTLY, f"stop() took {took:.1f} s"
    assert left == []
    assert threading.active_count() == baseline
    with serve(app, port=server.port) as again:  # the port is free at once
        assert requests.get(f"{again.url}/nope", timeout=5).status_code == 404


def test_in_threads_mode_stop_ends_streams_waiting_for_a_worker_too_and_joins_every_thread():
    """More streams than workers: the queued ones must not start streaming (and hold a thread) once stop() began."""
    app = create_app()
    server = serve(app, threads=4, streaming="threads")
    alice = dict(credentials(app, "usr_alice"))
    channel = requests.post(f"{server.url}/v1/channels", json={"name": "general"}, headers=alice,
                            timeout=5).json()["data"]["channelId"]
    request = f"GET /v1/channels/{channel}/events HTTP/1.1\r\nHost: x\r\nAuthorization: {alice['Authorization']}\r\n\r\n"
    with ExitStack() as stack:
        for _ in range(server.threads + 2):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", server.port), timeout=5))
            sock.sendall(request.encode())
        time.sleep(0.3)
        started = time.monotonic()
        server.stop()
        took = time.monotonic() - started
        time.sleep(0.1)
        left = [t.name for t in threading.enumerate() if t.name.startswith(f"apidesign-worker-{server.port}")]
    assert took < PROMPTLY, f"stop() took {took:.1f} s"
    assert left == []


def test_a_server_started_again_under_the_same_name_stops_the_one_before():
    # a notebook cell that starts a server, run twice, must not leave the first one running with no name to stop it
    first = serve(create_app({"TESTING": True}), name="test-rerun")
    second = serve(create_app({"TESTING": True}), name="test-rerun")
    try:
        assert not first.running and second.running
        other = serve(create_app({"TESTING": True}), name="another")
        assert second.running and other.running
        other.stop()
    finally:
        second.stop()


def test_with_a_certificate_serve_speaks_https_and_offers_http2_by_alpn(app, tmp_path, as_user):
    import ssl

    import httpx

    from apidesign.clock import WallClock
    from apidesign.protocols.certs import self_signed
    cert, key = self_signed(tmp_path, WallClock())
    with serve(app, certificate=(cert, key)) as live:
        assert live.url.startswith("https://")
        for http2, version in ((True, "HTTP/2"), (False, "HTTP/1.1")):
            with httpx.Client(http2=http2, verify=ssl.create_default_context(cafile=cert)) as client:
                r = client.get(f"{live.url}/v1/users/usr_alice/channels", headers=as_user("usr_alice"), timeout=5)
            assert (r.status_code, r.http_version) == (200, version)


@pytest.fixture
def https(tmp_path):
    """A throw-away certificate and an SSL context that trusts it."""
    import ssl

    from apidesign.clock import WallClock
    from apidesign.protocols.certs import self_signed
    cert, key = self_signed(tmp_path, WallClock())
    return (cert, key), ssl.create_default_context(cafile=cert)


def http2_settings(sock) -> dict:
    """The SETTINGS the server sends first on an HTTP/2 connection (``sock`` speaks HTTP/2 already)."""
    import h2.connection
    import h2.events
    client = h2.connection.H2Connection()
    client.initiate_connection()
    sock.sendall(client.data_to_send())
    while data := sock.recv(65536):
        for event in client.receive_data(data):
            if isinstance(event, h2.events.RemoteSettingsChanged):
                return {setting: change.new_value for setting, change in event.changed_settings.items()}
    raise ConnectionError("the server closed the connection before its SETTINGS")


def test_over_http2_websockets_are_not_offered_so_browsers_open_them_over_http1(app, https):
    # RFC 8441 section 3: a server that sends SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 invites WebSockets over
    # HTTP/2 (Chromium takes it up); the course's WebSockets, their Pings and Pong deadline, speak HTTP/1.1.
    from h2.settings import SettingCodes
    certificate, trust = https
    trust.set_alpn_protocols(["h2"])
    with serve(app, certificate=certificate) as secure, serve(app) as cleartext:
        tls = trust.wrap_socket(socket.create_connection(("127.0.0.1", secure.port), timeout=5),
                                server_hostname="127.0.0.1")
        h2c = socket.create_connection(("127.0.0.1", cleartext.port), timeout=5)  # HTTP/2 by prior knowledge
        assert tls.selected_alpn_protocol() == "h2"
        for sock in (tls, h2c):
            with sock:
                settings = http2_settings(sock)
            assert SettingCodes.MAX_CONCURRENT_STREAMS in settings  # the server's SETTINGS were read
            assert settings.get(SettingCodes.ENABLE_CONNECT_PROTOCOL, 0) == 0


def test_over_https_the_links_the_app_builds_say_https(app, https, as_user):
    import httpx
    certificate, trust = https
    with serve(app, certificate=certificate) as live:
        for http2 in (True, False):
            with httpx.Client(http2=http2, verify=trust) as client:
                r = client.get(f"{live.url}/v1/users/usr_alice/channels", headers=as_user("usr_alice"), timeout=5)
            assert r.headers["Link"].startswith(f"<{live.url}/")  # https://127.0.0.1:port/..., not http://


def test_a_tls_client_that_never_says_hello_is_dropped_after_the_keep_alive_time(app, https, monkeypatch):
    from apidesign.server import serving
    monkeypatch.setattr(serving, "KEEP_ALIVE_SECONDS", 0.3)  # asyncio's own TLS handshake timeout is 60 s
    with serve(app, certificate=https[0]) as live, \
            socket.create_connection(("127.0.0.1", live.port), timeout=5) as silent:  # no ClientHello
        started = time.monotonic()
        assert silent.recv(1) == b""  # closed by the server
        assert time.monotonic() - started < 3.0
