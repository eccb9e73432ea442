"""QUIC connection migration against TCP: a client that changes port keeps its QUIC connection."""

import socket

import pytest

from apidesign.protocols import http3, migration
from apidesign.server import create_app, credentials, serve


def test_a_quic_client_that_moves_to_a_new_port_keeps_its_connection_after_path_validation():
    with http3.Http3Server() as server:
        moved = migration.move_mid_connection(server)
    before, after = moved.client_ports
    assert before != after
    assert moved.bodies == ("/v1/ping early=False",) * 2
    assert [a.peer[1] for a in moved.server_saw] == [before, after], "the server answered each port in turn"
    assert len({a.connection for a in moved.server_saw}) == 1, "one connection, seen from two addresses"
    assert moved.path_challenges >= 1, "the server checked the new address before trusting it (RFC 9000 8.2)"
    old_cid, new_cid = moved.destination_cids
    assert old_cid != new_cid, "a fresh connection ID on the new path (RFC 9000 section 9.5)"


def test_a_tcp_client_that_moves_to_a_new_port_is_a_second_connection_with_a_second_handshake(clock):
    app = create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1})
    with serve(app) as live:
        moved = migration.tcp_move(live, "/v1/users/usr_alice/channels", dict(credentials(app, "usr_alice")))
    assert moved.client_ports[0] != moved.client_ports[1] and moved.statuses == (200, 200)
    assert moved.connections == 2, "the server saw two connections, counted by client port"
    if hasattr(socket, "TCP_INFO"):
        assert moved.handshakes == 2, "one SYN-ACK waited for on each"


@pytest.mark.parametrize("path", ["", "v1/ping", None])
def test_a_path_that_is_no_request_target_fails_at_once_not_after_a_timeout(path):
    with http3.Http3Server() as server, pytest.raises(ValueError, match="path"):
        migration.move_mid_connection(server, path)
