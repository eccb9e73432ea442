"""Round trips before the first request byte, counted on real TCP, TLS and QUIC handshakes."""

import socket
import ssl

import pytest

from apidesign.clock import WallClock
from apidesign.protocols import handshakes
from apidesign.protocols.certs import self_signed


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return self_signed(tmp_path_factory.mktemp("certs"), WallClock())


@pytest.mark.skipif(not hasattr(socket, "TCP_INFO"), reason="the kernel's counters are Linux only")
def test_a_tcp_client_waits_for_one_segment_from_the_server_before_it_may_send():
    count = handshakes.tcp_waits()
    assert count.waits == 1, count.note


@pytest.mark.parametrize("version, waits", [(ssl.TLSVersion.TLSv1_3, 1), (ssl.TLSVersion.TLSv1_2, 2)])
def test_tls_1_3_costs_one_round_trip_before_the_request_and_tls_1_2_two(cert, version, waits):
    certfile, keyfile = cert
    count = handshakes.tls_waits(certfile, certfile, keyfile, version)
    assert count.waits == waits and version.name.replace("_", ".") in count.note


def test_quic_needs_one_round_trip_and_a_resumed_session_none_with_the_request_in_0_rtt(cert):
    certfile, keyfile = cert
    tickets, issued = {}, []
    first = handshakes.quic_waits(certfile, certfile, keyfile, tickets, on_ticket=issued.append)
    resumed = handshakes.quic_waits(certfile, certfile, keyfile, tickets, ticket=issued[-1])
    assert (first.waits, resumed.waits) == (1, 0)
    assert resumed.note.endswith("True") and first.note.endswith("False"), "only the resumed one arrived early"


def test_a_ticket_the_server_no_longer_knows_gets_no_0_rtt(cert):
    certfile, keyfile = cert
    tickets, issued = {}, []
    handshakes.quic_waits(certfile, certfile, keyfile, tickets, on_ticket=issued.append)
    forgotten = handshakes.quic_waits(certfile, certfile, keyfile, {}, ticket=issued[-1])
    assert forgotten.waits >= 1 and forgotten.note.endswith("False")


def test_tcp_plus_tls_1_3_costs_two_round_trips_where_quic_costs_one():
    totals = {way: sum(c.waits for c in counts) for way, counts in handshakes.before_first_request().items()}
    if not hasattr(socket, "TCP_INFO"):
        pytest.skip("the kernel's counters are Linux only")
    assert totals == {"TCP + TLS 1.3": 2, "TCP + TLS 1.2": 3, "QUIC, first connection": 1,
                      "QUIC, resumed with its ticket": 0}


def test_no_handshakes_is_no_way_to_a_first_request():
    with pytest.raises(ValueError):
        handshakes.round_trips([])
    assert handshakes.round_trips([handshakes.Count("TCP", None, "")]) is None
