"""QUIC connection migration against TCP: a client that changes port keeps its QUIC connection."""

from apidesign.protocols import http3, migration


def test_a_quic_client_that_moves_to_a_new_port_keeps_its_connection_after_path_validation():
    with http3.Http3Server() as server:
        moved = migration.move_mid_connection(server)
    before, after = moved.client_ports
    assert before != after
    assert moved.bodies == ("/v1/ping early=False",) * 2
    assert [a.peer[1] for a in moved.server_saw] == [before, after], "the server answered each port in turn"
    assert len({a.connection for a in moved.server_saw}) == 1, "one connection, seen from two addresses"
    assert moved.path_challenges >= 1, "the server checked the new address before trusting it (RFC 9000 8.2)"


def test_a_connected_tcp_socket_cannot_take_a_new_port():
    assert migration.tcp_cannot_move().startswith("OSError")
