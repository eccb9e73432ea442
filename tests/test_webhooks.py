"""Signed webhooks: the Standard Webhooks test vector, tampering, replays and secret rotation."""

import pytest

from apidesign.webhooks import TOLERANCE, WebhookVerificationError, new_secret, secret_bytes, sign, verify

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
MSG, NOW, BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'


def headers(signature, timestamp=NOW):
    return {"webhook-id": MSG, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def test_the_signature_matches_the_standard_webhooks_reference_vector():
    assert sign(SECRET, MSG, NOW, BODY) == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_an_authentic_webhook_verifies_and_yields_its_id_for_deduplication():
    assert verify(SECRET, headers(sign(SECRET, MSG, NOW, BODY)), BODY, now=NOW + 10) == MSG


@pytest.mark.parametrize("body,secret", [(b'{"test": 1}', SECRET), (BODY, OTHER)])
def test_a_changed_body_or_another_secret_is_refused(body, secret):
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, headers(sign(secret, MSG, NOW, BODY)), body, now=NOW)


def test_a_replay_outside_the_tolerance_is_refused_even_with_a_valid_signature():
    signed = headers(sign(SECRET, MSG, NOW, BODY))
    assert verify(SECRET, signed, BODY, now=NOW + TOLERANCE)
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, signed, BODY, now=NOW + TOLERANCE + 1)


def test_during_a_secret_rotation_either_of_two_signatures_verifies():
    both = f"{sign(OTHER, MSG, NOW, BODY)} {sign(SECRET, MSG, NOW, BODY)}"
    assert verify(SECRET, headers(both), BODY, now=NOW) == verify(OTHER, headers(both), BODY, now=NOW) == MSG


@pytest.mark.parametrize("drop", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_webhook_missing_a_header_is_refused(drop):
    signed = headers(sign(SECRET, MSG, NOW, BODY))
    del signed[drop]
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, signed, BODY, now=NOW)


@pytest.mark.parametrize("field, value", [("webhook-timestamp", "\u00b2"), ("webhook-timestamp", "\u0661\u0662"),
                                          ("webhook-signature", "v1,\u00e9t\u00e9")])
def test_a_header_with_other_characters_is_refused_not_a_crash(field, value):
    """Unicode digits pass str.isdigit and non-ASCII text breaks compare_digest on str: both are refusals."""
    odd = {**headers(sign(SECRET, MSG, NOW, BODY)), field: value}
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, odd, BODY, now=NOW)


def test_new_secrets_hold_24_to_64_random_bytes_as_the_spec_requires():
    """Standard Webhooks 1.0.0: a secret is whsec_ and the base64 of 24 to 64 random bytes (32 by default)."""
    assert len(secret_bytes(new_secret())) == 32 and new_secret() != new_secret()
    assert [len(secret_bytes(new_secret(n))) for n in (24, 64)] == [24, 64]
    for n in (16, 23, 65):
        with pytest.raises(ValueError):
            new_secret(n)
