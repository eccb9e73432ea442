"""Every check of 04-idempotency-and-errors passes the model solution and fails a known wrong answer, saying why."""

import pytest

from apidesign.exercises import NOT_ANSWERED
from apidesign.exercises import idempotency as ex


@pytest.fixture
def solutions(load_solution):
    return load_solution("04-idempotency-and-errors")


@pytest.mark.parametrize("check, name", [(ex.check_should_retry, "should_retry"), (ex.check_ceilings, "ceilings"),
                                         (ex.check_trip_call, "trip_call"), (ex.check_statuses, "statuses")])
def test_model_solutions_pass_and_placeholders_say_not_answered(check, name, solutions):
    assert check(getattr(solutions, name)).ok
    assert check(...) == NOT_ANSWERED


def test_retrying_a_keyless_post_is_wrong_and_says_it_can_duplicate(solutions):
    fb = ex.check_should_retry({**solutions.should_retry, "POST 503 without key": True})
    assert not fb.ok and "duplicate" in fb.message and "POST 503 without key" in fb.message


def test_retrying_a_404_is_wrong_and_says_the_request_itself_is_wrong(solutions):
    fb = ex.check_should_retry({**solutions.should_retry, "DELETE 404": True})
    assert not fb.ok and "request itself is wrong" in fb.message


def test_a_ceiling_past_the_cap_is_caught_with_the_formula():
    fb = ex.check_ceilings([0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4])
    assert not fb.ok and "before retry 6 you said 3.2" in fb.message and "min(2, 0.1 * 32) = 2" in fb.message


def test_counting_total_instead_of_consecutive_failures_is_named():
    fb = ex.check_trip_call(5)
    assert not fb.ok and "consecutive" in fb.message


def test_a_wrong_status_names_the_case():
    wrong = {**ex.STATUS_CASES, "same key, different body": 409}
    fb = ex.check_statuses(wrong)
    assert not fb.ok and "'same key, different body': you said 409" in fb.message
