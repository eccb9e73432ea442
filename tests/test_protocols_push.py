"""HTTP/2 server push is refused by a client that sets SETTINGS_ENABLE_PUSH to 0; 103 Early Hints reach it anyway."""

import pytest

from apidesign.protocols import http2, push


@pytest.fixture(scope="module")
def server():
    with http2.HypercornServer(push.PageApp()) as s:
        yield s


def test_a_server_pushes_only_to_a_client_that_allows_it(server):
    assert push.get_page(server.port, enable_push=True).pushed == ("/style.css",)
    assert push.get_page(server.port, enable_push=False).pushed == (), "RFC 9113 section 6.5.2: MUST NOT push"


def test_an_early_hint_arrives_before_the_response_whatever_the_push_setting(server):
    for enable_push in (True, False):
        heads = push.get_page(server.port, enable_push).heads
        assert heads == ("103 " + push.HINT.decode(), "200")


def test_httpx_like_chrome_since_106_takes_no_push_so_the_server_answers_the_page_only(server):
    import httpx
    server.app.served.clear()
    with httpx.Client(http1=False, http2=True) as client:
        assert client.get(f"{server.url}/page").status_code == 200
    assert server.app.served == ["/page"]
    push.get_page(server.port, enable_push=True)
    assert server.app.served == ["/page", "/page", "/style.css"], "a client that allows push gets the stylesheet"


def test_a_server_that_closes_without_answering_is_a_prompt_connection_error_not_a_spin():
    import socket
    import threading
    import time

    with socket.create_server(("127.0.0.1", 0)) as listener:
        def accept_read_close():
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.close()
        threading.Thread(target=accept_read_close, daemon=True).start()
        started = time.monotonic()
        with pytest.raises(ConnectionError, match="closed the connection"):
            push.get_page(listener.getsockname()[1], enable_push=False)
    assert time.monotonic() - started < 2
