"""HTTP/1.1, HTTP/2 and HTTP/3 for real on 127.0.0.1: assertions on order and counts, never on wall time."""

import pytest

from apidesign.protocols import http1, http2, http3


@pytest.fixture(scope="module")
def hypercorn():
    with http2.HypercornServer() as server:
        yield server


def test_keep_alive_reuses_one_connection_and_connection_close_opens_one_per_request(live, as_user):
    path, h = "/v1/users/usr_alice/channels", as_user("usr_alice")
    assert http1.count_connections(live, path, h, 5, keep_alive=True) == http1.ConnectionCount(5, 1)
    assert http1.count_connections(live, path, h, 5, keep_alive=False) == http1.ConnectionCount(5, 5)


def test_pipelined_responses_come_back_in_request_order_even_when_the_first_is_slow(hypercorn):
    bodies = http1.pipeline("127.0.0.1", hypercorn.port, ["/slow?name=a&ms=200", "/slow?name=b", "/slow?name=c"])
    assert bodies == ["a", "b", "c"]
    assert [f"{w} {n}" for w, n, *_ in hypercorn.app.log[-6:]] == ["start a", "end a", "start b", "end b",
                                                                      "start c", "end c"]


def test_pipelined_responses_behind_a_slow_one_reach_the_client_only_after_it(hypercorn):
    arrivals = http1.pipeline_arrivals("127.0.0.1", hypercorn.port, ["/slow?name=a&ms=200", "/slow?name=b"])
    assert [body for body, _ in arrivals] == ["a", "b"]
    assert arrivals[1][1] >= 0.2, "b was instant, but its response may not overtake a's (RFC 9112 section 9.3.2)"


PIPELINE = ["/slow?name=a&ms=300", "/slow?name=b", "/slow?name=c&ms=100"]


def test_a_server_may_work_on_pipelined_requests_in_parallel_but_answers_in_request_order():
    with http1.PipeliningServer() as server:
        bodies = http1.pipeline("127.0.0.1", server.port, PIPELINE)
    assert server.finished == ["b", "c", "a"], "b and c were done while a was still working"
    assert bodies == ["a", "b", "c"], "their responses still waited for a's (RFC 9112 section 9.3.2)"


def test_responses_sent_as_they_are_ready_reach_the_client_out_of_order_so_it_misreads_them():
    with http1.PipeliningServer(ordered=False) as server:
        bodies = http1.pipeline("127.0.0.1", server.port, PIPELINE)
    assert bodies == ["b", "c", "a"], "the client takes the first response for a's: it is b's"


def test_http2_multiplexes_slow_requests_on_one_connection(hypercorn):
    exchange = http2.fetch_concurrently(hypercorn, ["a", "b", "c"], ms=200, http2=True)
    assert exchange.http_versions == ("HTTP/2",) * 3 and exchange.connections == 1
    assert exchange.overlapped()  # all three were in flight before any finished
    assert exchange.bodies == ("a", "b", "c")


def test_http11_on_one_connection_serves_the_same_requests_one_after_another(hypercorn):
    exchange = http2.fetch_concurrently(hypercorn, ["a", "b", "c"], ms=50, http2=False)
    assert exchange.http_versions == ("HTTP/1.1",) * 3 and exchange.connections == 1
    assert not exchange.overlapped()
    kinds = [entry.split()[0] for entry in exchange.order()]
    assert kinds == ["start", "end"] * 3  # strictly one at a time


def test_hpack_sends_repeated_headers_as_a_few_index_bytes():
    headers = [(":method", "GET"), (":scheme", "https"), (":authority", "api.example.com"),
               (":path", "/v1/channels/ch_1/messages"), ("authorization", "Bearer " + "x" * 100)]
    first, *repeats = http2.hpack_sizes(headers, 4)
    assert all(r < first / 10 for r in repeats)
    assert first < http2.http1_header_bytes("GET", "/v1/channels/ch_1/messages", headers)


def test_h2_sends_authorization_never_indexed_so_repeats_stay_large():
    headers = [(":method", "GET"), (":scheme", "https"), (":authority", "api.example.com"),
               (":path", "/v1/channels/ch_1/messages"), ("authorization", "Bearer " + "x" * 100)]
    first, *repeats = http2.h2_header_sizes(headers, 3)
    indexed_first, *indexed_repeats = http2.hpack_sizes(headers, 3)
    assert repeats[0] > 0.7 * first, "the token is sent as a literal every time (RFC 7541 section 7.1.3)"
    assert indexed_repeats[0] < 10 < 0.7 * indexed_first
    without_token = [h for h in headers if h[0] != "authorization"]
    assert http2.h2_header_sizes(without_token, 2)[1] < 10, "everything else is still indexed"


def test_http3_answers_over_quic_and_resumes_in_zero_rtt():
    with http3.Http3Server() as server:
        first, resumed = http3.first_then_resumed(server, "/v1/ping")
    assert (first.status, first.alpn, first.resumed) == (200, "h3", False)
    assert first.timeline.index("handshake done") < first.timeline.index("request sent")
    assert first.body == "/v1/ping early=False"
    assert resumed.resumed and resumed.early_data_accepted
    assert resumed.timeline.index("request sent") < resumed.timeline.index("handshake done")  # 0-RTT
    assert resumed.body == "/v1/ping early=True"  # the server had it before the handshake finished
