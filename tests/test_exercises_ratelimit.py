"""The rate-limiting checks measure every number with the library, accept any numeric type, and never raise."""

import numpy as np
import pytest
from hypothesis import given

from apidesign.exercises import NOT_ANSWERED, ratelimit
from apidesign.ratelimit import TokenBucket
from exercise_strategies import ANY_ANSWER, never_raises_never_passes


@pytest.fixture
def solutions(load_solution):
    return load_solution("03-rate-limiting")


def test_the_model_solutions_pass(solutions):
    assert ratelimit.check_boundary_burst(solutions.exercise_1).ok
    assert ratelimit.check_retry_after(solutions.exercise_2).ok
    feedback = ratelimit.check_token_bucket(solutions.exercise_3)
    assert feedback.ok, feedback.message
    assert ratelimit.check_search_limits_design(solutions.search_limits_design).ok


@pytest.mark.parametrize("answer", [200, "200", np.int64(200), 200.0])
def test_exercise_1_accepts_any_numeric_type(answer):
    assert ratelimit.check_boundary_burst(answer).ok


@pytest.mark.parametrize("answer, hint", [(100, "straddle a boundary"), (150, "touch two windows"),
                                          ("lots", "expected a whole number"), ([200], "a list of 1 item")])
def test_exercise_1_wrong_answers_fail_with_their_own_hint(answer, hint):
    feedback = ratelimit.check_boundary_burst(answer)
    assert not feedback.ok and hint in feedback.message


@pytest.mark.parametrize("answer", [2, "2", 2.0, np.int32(2)])
def test_exercise_2_accepts_any_numeric_type(answer):
    assert ratelimit.check_retry_after(answer).ok


@pytest.mark.parametrize("answer, hint", [(1, "Round the 1.5 s wait up"), (1.5, "whole seconds"), ("1.5", "whole seconds"),
                                          (3, "not it"), ({}, "expected a number of seconds")])
def test_exercise_2_wrong_answers_fail_with_their_own_hint(answer, hint):
    feedback = ratelimit.check_retry_after(answer)
    assert not feedback.ok and hint in feedback.message


def test_exercise_3_accepts_numpy_verdicts_and_yes_no_words(solutions):
    assert ratelimit.check_token_bucket(lambda times: np.array(solutions.exercise_3(times))).ok
    assert ratelimit.check_token_bucket(lambda times: tuple(solutions.exercise_3(times))).ok


def never_refills(times):
    return [i < 10 for i in range(len(times))]


def refuses_at_exactly_one_token(times):
    tokens, last, out = 10.0, None, []
    for t in times:
        if last is not None:
            tokens = min(10, tokens + (t - last) * 5)
        last, ok = t, tokens > 1
        tokens -= ok
        out.append(ok)
    return out


@pytest.mark.parametrize("allowed, hint", [
    (lambda times: [True] * len(times), "admits request 11 at t=0.00 s; the reference refuses it"),
    (never_refills, "refuses request 11 at t=0.20 s; the reference admits it"),
    (refuses_at_exactly_one_token, "refuses request 10 at t=0.00 s"),
    (lambda times: [True], "one per request"),
    (lambda times: 1 / 0, "raised ZeroDivisionError"),
    (lambda times: ["maybe"] * len(times), "must be True or False"),
    (lambda times: None, "return a list"),
    (TokenBucket, "the library's TokenBucket"),
    ([True, False], "expected a function allowed(times)"),
])
def test_exercise_3_shows_the_smallest_trace_where_a_wrong_bucket_differs(allowed, hint):
    feedback = ratelimit.check_token_bucket(allowed)
    assert not feedback.ok and hint in feedback.message, feedback.message


@pytest.mark.parametrize("edit, hint", [
    (lambda d: d.replace("| POST | /v1/exports |", "| POST | /v1/export-jobs |"), "start an export"),
    (lambda d: d.replace("because searches come in bursts and the bucket absorbs them while holding the average", ""),
     "the algorithm"),
    (lambda d: d.replace("A token bucket per API key for search", "A token bucket for search").replace(
        "not per IP, so one customer behind a shared NAT does not starve the others", "always"), "the key"),
])
def test_exercise_4_designs_missing_a_flow_or_a_reason_are_told_which(solutions, edit, hint):
    feedback = ratelimit.check_search_limits_design(edit(solutions.search_limits_design))
    assert not feedback.ok and hint in feedback.message, feedback.message


def test_unanswered_exercises_say_so():
    for check in (ratelimit.check_boundary_burst, ratelimit.check_retry_after, ratelimit.check_token_bucket,
                  ratelimit.check_search_limits_design):
        assert check(...) == NOT_ANSWERED


@given(ANY_ANSWER)
def test_arbitrary_answers_never_raise_and_never_pass(value):
    never_raises_never_passes(ratelimit.check_boundary_burst, value, right=lambda v: ratelimit.as_int(v) == 200)
    never_raises_never_passes(ratelimit.check_retry_after, value, right=lambda v: ratelimit.as_number(v) == 2)
    never_raises_never_passes(ratelimit.check_token_bucket, value)
    never_raises_never_passes(ratelimit.check_search_limits_design, value)


@pytest.mark.parametrize("answer", [400, 1e30, 10**30])
def test_exercise_1_an_answer_above_twice_the_limit_is_told_it_is_too_high_without_echoing_31_digits(answer):
    feedback = ratelimit.check_boundary_burst(answer)
    assert not feedback.ok and "too high" in feedback.message and "0" * 20 not in feedback.message


def test_exercise_2_states_a_capacity_large_enough_for_the_request():
    assert ratelimit._EX2_CAPACITY >= ratelimit._EX2_COST and ratelimit._retry_after_for() == 2


def caps_after_taking(times):
    tokens, last, out = 10.0, None, []
    for t in times:
        tokens += 0 if last is None else (t - last) * 5
        last, ok = t, tokens >= 1
        tokens = min(10, tokens - ok)
        out.append(ok)
    return out


def test_exercise_3_a_capacity_bug_is_shown_on_a_short_rest_then_burst_trace_that_names_the_capacity():
    feedback = ratelimit.check_token_bucket(caps_after_taking)
    assert not feedback.ok and "[0.0, 5.0, 5.0" in feedback.message and "holds at most 10 tokens" in feedback.message


BAD_DESIGN = """
| Method | Path | Description |
|---|---|---|
| GET | /v1/search?q=term&cursor=X | Run a search and return one page of hits |
| POST | /v1/exports (Idempotency-Key header) | Start an export |
| GET | /v1/exports/{exportId} | An export's status |

- A fixed window of 100 per minute per IP for everything, because it is simple.
- A refused client gets 503, so that it backs off.
"""


def test_exercise_4_an_ip_keyed_single_limit_answered_with_503_fails_on_key_exports_and_the_status():
    message = ratelimit.check_search_limits_design(BAD_DESIGN).message
    assert "the key" in message and "per API key" in message
    assert "the export limit" in message
    assert "503 is for an overloaded server; a refused client gets 429 with Retry-After (RFC 6585" in message


def test_exercise_4_is_not_failed_on_authentication_idempotency_or_error_cases_it_does_not_ask_for(solutions):
    trimmed = "\n".join(line for line in solutions.search_limits_design.splitlines()
                        if not line.startswith(("- Authentication", "- Errors")))
    trimmed = trimmed.replace(" (Idempotency-Key header)", "")
    feedback = ratelimit.check_search_limits_design(trimmed)
    assert feedback.ok, feedback.message
