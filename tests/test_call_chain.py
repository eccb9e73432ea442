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


def test_without_deadline_propagation_the_chain_works_on_long_after_the_client_gave_up():
    run = call_chain.run_chain(propagate=False, client_timeout=1.0)
    assert run.bottom_calls == 27 and run.after_client_gave_up > 0 and run.work_ended > 1.0


def test_with_deadline_propagation_no_call_starts_after_the_client_gave_up():
    run = call_chain.run_chain(propagate=True, client_timeout=1.0)
    assert run.after_client_gave_up == 0 and run.bottom_calls < 27
    assert run.work_ended <= 1.0 + 0.1, "at most the one call already running when the deadline passed"
