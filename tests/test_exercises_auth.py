"""Every 05-authentication check passes the model solution and fails a known wrong answer with the right message."""

import pytest

from apidesign.exercises import NOT_ANSWERED
from apidesign.exercises import auth as ex


@pytest.fixture
def solutions(load_solution):
    return load_solution("05-authentication")


@pytest.mark.parametrize("check,name", [
    (ex.check_status_codes, "status_codes"), (ex.check_access_token_ttl, "access_token_ttl"),
    (ex.check_audience_ok, "audience_ok"), (ex.check_auth_choice, "auth_choice")])
def test_model_solutions_pass_and_placeholders_are_not_answered(solutions, check, name):
    feedback = check(getattr(solutions, name))
    assert feedback.ok, feedback.message
    assert check(...) == NOT_ANSWERED


def test_calling_a_missing_scope_401_is_wrong(solutions):
    wrong = {**solutions.status_codes, "valid token, but only messages:read, sending a message": 401}
    fb = ex.check_status_codes(wrong)
    assert not fb.ok and "should be 403, you said 401" in fb.message


@pytest.mark.parametrize("ttl,message", [(300, "33.3 times a second"), (3600, "up to 3630 s"), (-1, "positive"),
                                         (590, "up to 620 s (its lifetime plus 30 s of leeway)")])
def test_token_lifetimes_outside_the_band_fail_with_the_number(ttl, message):
    fb = ex.check_access_token_ttl(ttl)
    assert not fb.ok and message in fb.message


def test_a_substring_audience_check_is_caught():
    fb = ex.check_audience_ok(lambda aud, expected: expected in (aud or ""))
    assert not fb.ok and "audience_ok('chatty', 'chat') returned True" in fb.message


def test_oauth_for_a_webhook_is_wrong(solutions):
    fb = ex.check_auth_choice({**solutions.auth_choice, "a payment provider's webhook calling your server": "oauth"})
    assert not fb.ok and "better 'api_key'" in fb.message
