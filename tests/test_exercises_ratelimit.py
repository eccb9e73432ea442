"""The rate-limiting checks pass the model solutions and fail known wrong answers with the right hint."""

import pytest

from apidesign.exercises import NOT_ANSWERED, ratelimit


@pytest.fixture
def solutions(load_solution):
    return load_solution("03-rate-limiting")


def test_unanswered_exercises_say_so():
    assert ratelimit.check_boundary_burst(...) == NOT_ANSWERED
    assert ratelimit.check_retry_after(...) == NOT_ANSWERED
    assert ratelimit.check_token_bucket(...) == NOT_ANSWERED


def test_the_model_solutions_pass(solutions):
    assert ratelimit.check_boundary_burst(solutions.exercise_1).ok
    assert ratelimit.check_retry_after(solutions.exercise_2).ok
    feedback = ratelimit.check_token_bucket(solutions.exercise_3)
    assert feedback.ok, feedback.message


@pytest.mark.parametrize("answer, hint", [(100, "straddle a boundary"), (150, "touch two windows")])
def test_exercise_1_wrong_answers_fail_with_a_specific_hint(answer, hint):
    feedback = ratelimit.check_boundary_burst(answer)
    assert not feedback.ok and hint in feedback.message


@pytest.mark.parametrize("answer, hint", [(1, "Round the 1.5 s wait up"), (1.5, "whole seconds"), (3, "not it")])
def test_exercise_2_wrong_answers_fail_with_a_specific_hint(answer, hint):
    feedback = ratelimit.check_retry_after(answer)
    assert not feedback.ok and hint in feedback.message


def test_exercise_3_a_limiter_that_never_refuses_is_told_how_many_it_let_through():
    feedback = ratelimit.check_token_bucket(lambda times: [True] * len(times))
    assert not feedback.ok
    assert "admitted 15 requests in the first second" in feedback.message
    assert "capacity 10 refilled at 5/s admits 10 there" in feedback.message


def test_exercise_3_a_bucket_that_never_refills_is_shown_the_first_request_it_refused():
    def no_refill(times):
        return [i < 10 for i in range(len(times))]
    feedback = ratelimit.check_token_bucket(no_refill)
    assert not feedback.ok and "you refused it" in feedback.message


def test_exercise_3_one_verdict_per_request():
    feedback = ratelimit.check_token_bucket(lambda times: [True])
    assert not feedback.ok and "one per request" in feedback.message
