"""apidesign.revocation: the jti denylist in the shared store, and the trade-off model behind the widget."""

import pytest

from apidesign.revocation import CLOCK_SKEW_LEEWAY, Denylist, revocation_tradeoff


def test_a_denied_jti_is_remembered_until_exp_plus_the_verifiers_leeway(store, clock):
    denylist = Denylist(store)
    now = clock.now()
    assert denylist.revoke("abc", exp=now + 600, now=now, leeway=30) == 630
    assert denylist.is_revoked("abc") and not denylist.is_revoked("other")
    assert 629 <= store.ttl("deny:abc") <= 630


def test_memory_denylist_forgets_the_jti_once_no_verifier_could_accept_the_token(clock):
    from apidesign.store import memory_store
    denylist = Denylist(memory_store(clock))
    denylist.revoke("abc", exp=clock.now() + 600, now=clock.now(), leeway=30)
    clock.advance(600 + 29)
    assert denylist.size() == 1 and denylist.is_revoked("abc"), "past exp, but a verifier still accepts it"
    clock.advance(1)
    assert denylist.size() == 0 and not denylist.is_revoked("abc")


def test_a_token_past_exp_but_inside_the_leeway_is_still_denied(store, clock):
    now = clock.now()
    assert Denylist(store).revoke("late", exp=now - 10, now=now, leeway=30) == 20
    assert store.keys("deny:*") == ["deny:late"]


def test_a_token_no_verifier_accepts_any_more_is_not_stored_at_all(store, clock):
    now = clock.now()
    assert Denylist(store).revoke("old", exp=now - 30, now=now, leeway=30) == 0
    assert store.keys("deny:*") == []


def test_the_tradeoff_moves_cost_from_exposure_to_state_to_calls():
    none, deny, intro = (revocation_tradeoff(900, s, request_rate=5000, sessions=10_000, revocations_per_hour=360,
                                             leeway=30)
                         for s in ("none", "denylist", "introspection"))
    assert none.revoked_token_window == 900 + 30 and deny.revoked_token_window == 0 == intro.revoked_token_window
    assert deny.denylist_entries == pytest.approx(0.1 * (900 / 2 + 30)) and none.denylist_entries == 0
    assert intro.auth_server_calls_per_s == pytest.approx(10_000 / 900 + 5000)
    assert deny.store_lookups_per_s == 5000 and none.store_lookups_per_s == 0


def test_shorter_tokens_shrink_the_window_and_the_denylist_but_cost_refreshes():
    short, long = (revocation_tradeoff(ttl, "denylist", 100) for ttl in (60, 3600))
    assert short.denylist_entries < long.denylist_entries
    assert short.auth_server_calls_per_s > long.auth_server_calls_per_s
    with pytest.raises(ValueError):
        revocation_tradeoff(60, "blocklist", 100)


def test_the_model_counts_the_leeway_a_verifier_grants_after_exp():
    assert revocation_tradeoff(900, "none", 0, leeway=0).revoked_token_window == 900
    assert revocation_tradeoff(900, "none", 0, leeway=30).revoked_token_window == 930
    assert revocation_tradeoff(900, "none", 0).revoked_token_window == 900 + CLOCK_SKEW_LEEWAY


def test_a_denylist_that_fails_open_while_its_store_is_down_is_as_exposed_as_no_denylist():
    """The default DENYLIST_ON_STORE_ERROR="open": during an outage revoked tokens verify until exp plus leeway."""
    up = revocation_tradeoff(900, "denylist", 5000, leeway=30)
    down = revocation_tradeoff(900, "denylist", 5000, leeway=30, store_down=True)
    assert up.revoked_token_window == 0 and down.revoked_token_window == 900 + 30
    assert down.store_lookups_per_s == 5000, "every request still asks, and gets no answer"
    assert revocation_tradeoff(900, "none", 0, store_down=True).revoked_token_window == 930
    assert revocation_tradeoff(900, "introspection", 0, store_down=True).revoked_token_window == 0


@pytest.mark.parametrize("kwargs", [dict(access_ttl=0), dict(access_ttl=-60), dict(request_rate=-1),
                                    dict(sessions=-5), dict(revocations_per_hour=-1), dict(leeway=-30)])
def test_tradeoff_refuses_a_zero_lifetime_and_negative_inputs_with_a_value_error(kwargs):
    args = {"access_ttl": 900, "strategy": "denylist", "request_rate": 100} | kwargs
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        revocation_tradeoff(**args)


def test_log_out_everywhere_refuses_tokens_issued_before_the_cutoff_and_not_those_after(store, clock):
    denylist = Denylist(store)
    before = {"sub": "usr_alice", "iat": clock.now() - 60}
    denylist.log_out_everywhere("usr_alice", clock.now(), max_lifetime=900, leeway=30)
    after = {"sub": "usr_alice", "iat": clock.now() + 1}
    assert denylist.issued_before_cutoff(before) and not denylist.issued_before_cutoff(after)
    assert not denylist.issued_before_cutoff({"sub": "usr_bob", "iat": 0})
    assert 929 <= store.ttl("deny:sub:usr_alice") <= 930, "kept exactly as long as a revoked token could verify"
