"""Retries and deadlines down a chain of services: a budget caps the amplification, a deadline ends the work."""

import pytest

from apidesign import call_chain


def test_without_a_budget_three_layers_of_three_attempts_send_27_calls_per_request_to_a_dead_service():
    assert call_chain.calls_during_outage(100, layers=3, attempts=3, budget_ratio=None) == 2700


@pytest.mark.parametrize("ratio", [0.1, 0.2])
def test_a_retry_budget_adds_its_share_per_layer_instead_of_multiplying_by_the_attempts(ratio):
    calls = call_chain.calls_during_outage(1000, layers=3, attempts=3, budget_ratio=ratio)
    assert calls == round(1000 * (1 + ratio) ** 3)


def test_a_budget_never_allows_a_retry_before_it_has_seen_enough_requests():
    budget = call_chain.RetryBudget(0.1)
    budget.requests = 9
    assert not budget.allow_retry()
    budget.requests = 10
    assert budget.allow_retry() and not budget.allow_retry()


def test_with_no_timeout_and_no_deadline_the_chain_works_on_long_after_the_client_gave_up():
    run = call_chain.run_chain(propagate=False, client_timeout=1.0)
    assert run.bottom_calls == 27 and run.after_client_gave_up > 0 and run.work_ended > 1.0


def test_with_deadline_propagation_no_call_starts_after_the_client_gave_up():
    run = call_chain.run_chain(propagate=True, client_timeout=1.0)
    assert run.after_client_gave_up == 0 and run.bottom_calls < 27
    assert run.work_ended <= 1.0 + 0.1, "at most the one call already running when the deadline passed"


def test_the_budget_counts_every_request_ever_received_so_a_warm_service_spends_banked_retries():
    cold = call_chain.calls_during_outage(1000, layers=1, attempts=3, budget_ratio=0.1)
    warm = call_chain.calls_during_outage(1000, layers=1, attempts=3, budget_ratio=0.1, served_before=10_000)
    assert (cold, warm) == (1100, 2100), "no window: 10,000 healthy requests bank 1,000 retries"


def test_with_no_floor_a_quiet_service_never_retries():
    assert call_chain.calls_during_outage(9, layers=1, attempts=3, budget_ratio=0.1) == 9
    assert call_chain.calls_during_outage(9, layers=1, attempts=3, budget_ratio=None) == 27


def test_fixed_hop_timeouts_longer_than_the_clients_keep_the_chain_working_for_nobody():
    runs = {hop: call_chain.run_chain(propagate=False, client_timeout=1.0, hop_timeout=hop) for hop in (2.0, 1.0)}
    assert runs[2.0].after_client_gave_up > 0
    assert runs[1.0] == call_chain.run_chain(propagate=True, client_timeout=1.0), "a hop timeout equal to the client's"
    shorter = 0.5  # a client with less patience than the hops were configured for
    assert call_chain.run_chain(propagate=False, client_timeout=shorter, hop_timeout=1.0).after_client_gave_up > 0
    assert call_chain.run_chain(propagate=True, client_timeout=shorter).after_client_gave_up == 0


@pytest.mark.parametrize("kwargs", [dict(attempts=0), dict(attempts=-2), dict(layers=0), dict(layers=-1),
                                    dict(latency=-0.1), dict(backoff=-1), dict(hop_timeout=-1),
                                    dict(client_timeout=0), dict(attempts=True),
                                    dict(attempts=2.0), dict(layers=3.0), dict(attempts=2.5)])
def test_run_chain_refuses_nonsense_with_a_value_error(kwargs):
    with pytest.raises(ValueError):
        call_chain.run_chain(**{"propagate": True, "client_timeout": 1.0, **kwargs})


@pytest.mark.parametrize("kwargs", [dict(attempts=0), dict(attempts=-2), dict(layers=-1), dict(layers=0),
                                    dict(budget_ratio=-0.1), dict(requests=-1), dict(served_before=-5),
                                    dict(requests=10.0), dict(layers=3.0), dict(attempts=2.5),
                                    dict(served_before=1.5), dict(requests=True)])
def test_calls_during_outage_refuses_nonsense_with_a_value_error(kwargs):
    with pytest.raises(ValueError):
        call_chain.calls_during_outage(**{"requests": 10, "layers": 3, "attempts": 3, "budget_ratio": 0.1, **kwargs})
