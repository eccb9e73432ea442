"""The head-of-line blocking model: limiting cases and properties that hold for any seed."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apidesign.protocols.hol import InvalidScenario, Scenario, http2, http3, simulate

scenarios = st.builds(Scenario, streams=st.integers(1, 12), packets=st.integers(1, 15),
                      loss=st.floats(0, 0.3), rtt=st.floats(0.001, 0.5), connections=st.integers(1, 8),
                      seed=st.integers(0, 10_000))


@given(scenarios)
@settings(max_examples=60, deadline=None)
def test_without_loss_http2_and_http3_finish_every_stream_at_the_same_time(s):
    lossless = Scenario(**{**s.__dict__, "loss": 0.0})
    r = simulate(lossless)
    assert r["HTTP/2"] == pytest.approx(r["HTTP/3"])


@given(scenarios)
@settings(max_examples=60, deadline=None)
def test_quic_never_finishes_a_stream_later_than_tcp_for_the_same_losses(s):
    r = simulate(s)
    assert all(h3 <= h2 + 1e-12 for h3, h2 in zip(r["HTTP/3"], r["HTTP/2"]))


@given(scenarios)
@settings(max_examples=60, deadline=None)
def test_with_one_stream_there_is_nobody_to_block_so_http2_equals_http3(s):
    r = simulate(Scenario(**{**s.__dict__, "streams": 1}))
    assert r["HTTP/2"] == pytest.approx(r["HTTP/3"])


@given(scenarios)
@settings(max_examples=60, deadline=None)
def test_losses_only_ever_delay_a_stream(s):
    lossy, clean = simulate(s), simulate(Scenario(**{**s.__dict__, "loss": 0.0}))
    for name in lossy:
        assert all(a >= b - 1e-12 for a, b in zip(lossy[name], clean[name]))
        assert all(t >= s.rtt / 2 for t in lossy[name])  # nothing arrives before half a round trip


def test_one_loss_on_tcp_stalls_every_stream_but_on_quic_only_its_own():
    s = Scenario(streams=4, packets=3, loss=0.0, rtt=0.1, gap=0.001)
    lost = [[1, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]  # the very first packet of stream 0 is lost once
    h2, h3 = http2(s, lost), http3(s, lost)
    assert all(t >= 0.2 for t in h2)                   # everyone waits for the retransmission
    assert h3[0] >= 0.2 and all(t < 0.15 for t in h3[1:])  # only stream 0 waits


def test_http11_with_fewer_connections_than_streams_queues_responses_behind_each_other():
    r = simulate(Scenario(streams=4, packets=2, loss=0.0, rtt=0.1, gap=0.0, connections=2))
    first, second = sorted(r["HTTP/1.1"])[:2], sorted(r["HTTP/1.1"])[2:]
    assert first == pytest.approx([0.1, 0.1]) and second == pytest.approx([0.2, 0.2])  # one extra round trip


def test_same_seed_same_result_different_seed_different_losses():
    s = Scenario(streams=8, packets=20, loss=0.05)
    assert simulate(s) == simulate(s)
    assert simulate(s) != simulate(Scenario(streams=8, packets=20, loss=0.05, seed=1))


@pytest.mark.parametrize("bad", [dict(loss=1.0), dict(loss=-0.1), dict(streams=0), dict(rtt=-1)])
def test_scenarios_outside_the_model_are_refused_by_name(bad):
    with pytest.raises(InvalidScenario):
        Scenario(**bad)


@given(scenarios)
@settings(max_examples=40, deadline=None)
def test_loss_delays_no_stream_more_over_quic_than_over_tcp(s):
    from apidesign.protocols.hol import loss_delay
    delay = loss_delay(s)
    assert all(q <= t + 1e-9 for q, t in zip(delay["HTTP/3"], delay["HTTP/2"]))
    assert all(d >= -1e-9 for d in delay["HTTP/3"]), "loss never makes a QUIC stream finish earlier"


def test_one_loss_on_tcp_delays_every_stream_sent_after_it_and_on_quic_only_its_own():
    from apidesign.protocols.hol import loss_delay
    delay = loss_delay(Scenario(streams=12, packets=30, loss=0.02, rtt=0.1, seed=4))
    assert sum(d > 0 for d in delay["HTTP/2"]) == 12
    assert 0 < sum(d > 0 for d in delay["HTTP/3"]) < 12
