"""The lost-response experiment: naive retries duplicate, idempotency keys make retries safe."""

import pytest

from apidesign.lost_responses import run_client


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
