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
                                                 {"id": None, "event": "message", "data": {"b": 2}}]


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
