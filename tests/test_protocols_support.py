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
