"""The small supporting modules: the SSE parser, the asyncio runner, the throw-away certificate."""

import asyncio
import ipaddress

import pytest
from cryptography import x509

from apidesign.clock import FakeClock
from apidesign.protocols import certs, loops, streaming


def test_the_sse_parser_skips_comments_and_retry_and_keeps_id_event_and_json_data():
    lines = ["retry: 1000", "", ": keep-alive", "", "id: 7", "event: message.created", 'data: {"a": 1}', "",
             'data: {"b": 2}', ""]
    assert list(streaming.sse_events(lines)) == [{"id": "7", "event": "message.created", "data": {"a": 1}},
                                                 {"id": "7", "event": "message", "data": {"b": 2}}]


def test_the_sse_parser_returns_data_that_is_not_json_as_text_and_joins_data_lines():
    assert list(streaming.sse_events(["data: hello", ""])) == [{"id": None, "event": "message", "data": "hello"}]
    assert [e["data"] for e in streaming.sse_events(["data: a", "data:b", "", "data", ""])] == ["a\nb", ""]


@pytest.mark.parametrize("lines, resume", [
    ([], None),
    (["id: 1", "data: {}"], None),                                  # cut off before its blank line: never dispatched
    (["id: 1", "data: {}", ""], "1"),
    (["id:9", "data: {}", ""], "9"),                                # the space after the colon is optional
    (["id:  9", "data: {}", ""], " 9"),                             # and only one space is removed
    (["id: 1", ""], "1"),                                           # no data: no message, but the id counts
    (["id: 1", "data: {}", "", "data: {}", ""], "1"),              # an event without an id keeps the last one
    (["id: 1", "data: {}", "", "id: 2", "data: {}"], "1"),
    (["id: 1", "data: {}", "", "id", "data: {}", ""], None),        # an empty id resets it: no Last-Event-ID
    (["id: 1", "", "id: 2\0", ""], "1"),                            # an id with NUL is ignored
    (["id 1", "data: {}", ""], None),                               # no colon: a field named "id 1", ignored
])
def test_last_event_id_follows_the_whatwg_event_stream_interpretation(lines, resume):
    assert streaming.last_event_id(lines) == resume


def test_run_returns_the_coroutine_result_and_reraises_its_exception_in_the_caller():
    async def answer():
        await asyncio.sleep(0)
        return 42

    async def broken():
        raise ValueError("inside the loop")
    assert loops.run(answer) == 42
    with pytest.raises(ValueError, match="inside the loop"):
        loops.run(broken)


def test_run_is_bounded_in_time():
    with pytest.raises((TimeoutError, asyncio.TimeoutError)):
        loops.run(lambda: asyncio.sleep(5), timeout=0.05)


def test_the_certificate_names_localhost_and_127_0_0_1_and_starts_at_the_clock(tmp_path):
    cert_path, key_path = certs.self_signed(tmp_path, FakeClock(1_773_311_400), hours=2)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert cert.not_valid_before_utc.timestamp() == 1_773_311_400 - 300 and lifetime.total_seconds() == 2 * 3600 + 300
    assert key_path.read_text().startswith("-----BEGIN PRIVATE KEY-----")


def test_thread_per_stream_serves_only_as_many_streams_as_threads_and_then_nothing_else():
    from apidesign.server import create_app, credentials
    app = create_app({"ID_SEED": 1})
    alice = dict(credentials(app, "usr_alice"))
    channel = app.test_client().post("/v1/channels", json={"name": "g"}, headers=alice).get_json()["data"]["channelId"]
    threads = streaming.hold_streams(app, channel, alice, count=6, streaming="threads", threads=4, wait=0.5)
    on_the_loop = streaming.hold_streams(app, channel, alice, count=30, streaming="async", threads=4, wait=2.0)
    assert (threads.answered, threads.held, threads.rest_ms) == (4, 4, None), "stream 5 and the GET wait for a thread"
    assert (on_the_loop.answered, on_the_loop.held) == (30, 30) and on_the_loop.rest_ms is not None
    assert (threads.rest_outcome, on_the_loop.rest_outcome) == ("no answer within 0.5 s", "answered")


def test_hold_streams_tells_a_refused_rest_call_from_one_that_got_no_answer():
    from apidesign.server import create_app, credentials
    app = create_app({"ID_SEED": 1})
    alice, bob = dict(credentials(app, "usr_alice")), dict(credentials(app, "usr_bob"))
    channel = app.test_client().post("/v1/channels", json={"name": "g"}, headers=alice).get_json()["data"]["channelId"]
    outsider = streaming.hold_streams(app, channel, bob, count=2, streaming="async", threads=4, wait=2.0)
    assert (outsider.answered, outsider.rest_status, outsider.rest_outcome) == (0, 403, "refused (403)")


@pytest.mark.parametrize("args, words", [
    ({"count": -1}, "count >= 0"), ({"threads": 0}, "threads >= 1"), ({"wait": 0}, "wait > 0"),
    ({"streaming": "fibers"}, "streaming 'threads' or 'async'"),
])
def test_hold_streams_rejects_impossible_loads_before_starting_a_server(args, words):
    call = {"count": 1, "streaming": "async", "threads": 1, "wait": 1.0, **args}
    with pytest.raises(ValueError, match=words):
        streaming.hold_streams(None, "ch_1", {}, **call)
