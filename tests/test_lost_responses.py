"""The lost-response experiment: naive retries duplicate, idempotency keys make retries safe."""

import pytest

from apidesign.lost_responses import over_seeds, run_client
from apidesign.resilience import RetryPolicy


def test_naive_retries_without_keys_create_duplicates():
    tally = run_client(0.3, "naive", keys=False, seed=0)
    assert tally.duplicates > 0 and tally.created == tally.intended + tally.duplicates


def test_with_keys_every_client_that_retries_creates_each_message_exactly_once():
    for client in ("naive", "safe"):
        tally = run_client(0.3, client, keys=True, seed=0)
        assert (tally.created, tally.duplicates, tally.reported_failed) == (20, 0, 0)
        assert tally.requests > 20


def test_the_safe_client_never_resends_a_keyless_post_so_the_user_sees_failures_that_in_fact_succeeded():
    tally = run_client(0.3, "safe", keys=False, seed=0)
    assert tally.requests == 20 and tally.duplicates == 0 and tally.reported_failed > 0
    assert tally.created == 20, "every 'failed' message was in fact stored"


@pytest.mark.parametrize("client", ["none", "naive", "safe"])
def test_without_loss_every_client_sends_each_message_once(client):
    tally = run_client(0.0, client, keys=False)
    assert (tally.requests, tally.created, tally.duplicates, tally.reported_failed) == (20, 20, 0, 0)


@pytest.mark.parametrize("client", ["", "Naive", "retry"])
def test_an_unknown_client_is_refused_rather_than_run_as_none(client):
    with pytest.raises(ValueError, match="client must be one of none, naive, safe"):
        run_client(0.3, client)


@pytest.mark.parametrize("options", [dict(drop_rate=1.5), dict(drop_rate=-0.1), dict(messages=0), dict(messages=10**6)])
def test_out_of_range_experiments_are_refused(options):
    with pytest.raises(ValueError):
        run_client(**{"drop_rate": 0.3, **options})


def test_the_naive_client_stops_at_the_policys_time_budget_however_many_attempts_it_may_make():
    policy = RetryPolicy(max_attempts=10**6, max_elapsed=5.0)
    tally = run_client(1.0, "naive", keys=False, messages=2, policy=policy)
    assert tally.requests <= 2 * 6 and tally.seconds <= 2 * (5.0 + 1.0)


def test_over_seeds_reports_the_mean_and_the_spread_of_several_runs():
    spread = over_seeds(0.1, "naive", keys=False, seeds=range(6))
    one_by_one = [run_client(0.1, "naive", keys=False, seed=s).duplicates for s in range(6)]
    assert spread["duplicates"] == (sum(one_by_one) / 6, min(one_by_one), max(one_by_one))
    assert min(one_by_one) < max(one_by_one), "one seed alone would misstate the duplicates"
