"""apidesign.apikeys: prefix, hash at rest, scopes, two-key rotation, revocation; on every store backend."""

import random

import pytest

from apidesign.apikeys import ApiKeyRing, InvalidApiKey, TooManyActiveKeys, key_hash


@pytest.fixture
def ring(store, clock):
    return ApiKeyRing(store, clock, rng=random.Random(3))


def test_a_key_has_the_visible_prefix_and_verifies_to_its_record(ring):
    key, record = ring.issue("usr_alice", ["messages:write"])
    assert key.startswith("sk_live_") and len(key) == len("sk_live_") + 32
    assert ring.verify(key) == record
    assert record.owner == "usr_alice" and record.scopes == ("messages:write",)


def test_the_store_holds_only_a_hash_never_the_key(ring, store):
    key, _ = ring.issue("usr_alice")
    everything = " ".join(k + " " + (store.get(k) or "") for k in store.keys())
    assert key not in everything and key[8:] not in everything
    assert key_hash(key) in everything


@pytest.mark.parametrize("presented", ["", "sk_live_", "sk_test_abc", "sk_live_" + "A" * 32, "x" * 500, None, 42])
def test_unknown_or_malformed_keys_are_refused(ring, presented):
    ring.issue("usr_alice")
    with pytest.raises(InvalidApiKey):
        ring.verify(presented)


def test_rotation_keeps_two_keys_working_until_the_old_one_is_revoked(ring):
    old_key, old = ring.issue("svc", ["messages:write"])
    new_key, new = ring.rotate(old.key_id)
    assert new.scopes == old.scopes and new.key_id != old.key_id
    assert ring.verify(old_key) and ring.verify(new_key)
    with pytest.raises(TooManyActiveKeys):
        ring.issue("svc")
    assert ring.revoke(old.key_id) is True
    with pytest.raises(InvalidApiKey):
        ring.verify(old_key)
    assert ring.verify(new_key) == new
    assert [r.key_id for r in ring.active("svc")] == [new.key_id]


def test_revoking_twice_or_an_unknown_key_is_harmless(ring):
    _, record = ring.issue("svc")
    assert ring.revoke(record.key_id) is True
    assert ring.revoke(record.key_id) is False
    assert ring.revoke("key_nope") is False
