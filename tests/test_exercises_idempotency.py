"""Every check of 04-idempotency-and-errors: verdicts come from the library and the live API, never from a stored dict."""

import numpy as np
import pytest
from hypothesis import given

from apidesign.exercises import NOT_ANSWERED
from apidesign.exercises import idempotency as ex
from exercise_strategies import ANY_ANSWER, never_raises_never_passes


@pytest.fixture
def solutions(load_solution):
    return load_solution("04-idempotency-and-errors")


@pytest.mark.parametrize("check, name", [(ex.check_should_retry, "should_retry"), (ex.check_ceilings, "ceilings"),
                                         (ex.check_trip_call, "trip_call"), (ex.check_statuses, "statuses"),
                                         (ex.check_claim_decision, "decide"),
                                         (ex.check_payments_design, "payments_design")])
def test_model_solutions_pass_and_placeholders_say_not_answered(check, name, solutions):
    feedback = check(getattr(solutions, name))
    assert feedback.ok, feedback.message
    assert check(...) == NOT_ANSWERED


def test_equivalent_spellings_pass(solutions):
    words = {case: "yes" if retry else "no" for case, retry in solutions.should_retry.items()}
    assert ex.check_should_retry(words).ok
    assert ex.check_should_retry({k: np.bool_(v) for k, v in solutions.should_retry.items()}).ok
    assert ex.check_ceilings([str(c) for c in solutions.ceilings]).ok
    assert ex.check_ceilings(np.array(solutions.ceilings)).ok
    assert ex.check_ceilings(tuple(solutions.ceilings)).ok
    assert ex.check_trip_call("7").ok and ex.check_trip_call(np.int8(7)).ok
    assert ex.check_statuses({k: str(v) for k, v in solutions.statuses.items()}).ok


@pytest.mark.parametrize("case, answer, hint", [
    ("POST 503 without key", True, "resending can duplicate it"),
    ("DELETE 404", True, "request itself is wrong"),
    ("POST 400 with key", True, "request itself is wrong"),
    ("DELETE 404", True, "408, 425, 429, and a 409 that carries Retry-After"),
    ("PUT 429", False, "safe to repeat"),
    ("GET 503", "perhaps", "answer True or False"),
])
def test_exercise_1_wrong_answers_say_why(solutions, case, answer, hint):
    feedback = ex.check_should_retry({**solutions.should_retry, case: answer})
    assert not feedback.ok and hint in feedback.message and case in feedback.message, feedback.message


def test_exercise_1_missing_cases_are_named(solutions):
    feedback = ex.check_should_retry({"GET 503": True})
    assert not feedback.ok and "still to answer: POST 503 without key" in feedback.message


@pytest.mark.parametrize("answer, hint", [
    ([0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4], "min(2, 0.1 * 32) = 2"),
    ([0.1, 0.2, 0.4], "a list of 7 numbers"),
    (["0.1", "0.2", "x", "0.8", "1.6", "2", "2"], "before retry 3 you gave 'x'"),
    ("0.1, 0.2", "a list of 7 numbers"),
])
def test_exercise_2_wrong_ceilings_fail_with_the_formula_or_the_shape(answer, hint):
    feedback = ex.check_ceilings(answer)
    assert not feedback.ok and hint in feedback.message, feedback.message


@pytest.mark.parametrize("answer, hint", [(5, "consecutive"), (8, "count failures in a row"), ([7], "the number of one call")])
def test_exercise_3_wrong_calls_get_their_own_hint(answer, hint):
    feedback = ex.check_trip_call(answer)
    assert not feedback.ok and hint in feedback.message


@pytest.mark.parametrize("case, answer, hint", [
    ("same key, different body", 409, "422 Unprocessable Content"),
    ("same key, same body, first request still running", 201, "SHOULD answer 409 Conflict"),
    ("same key, same body, first request finished", 200, "stored response"),
    ("a 300-character key", 422, "draft-ietf-httpapi-idempotency-key-header-06 leaves the key's length to the server"),
])
def test_exercise_4_wrong_statuses_get_the_reason_not_an_appeal_to_the_draft(solutions, case, answer, hint):
    feedback = ex.check_statuses({**solutions.statuses, case: answer})
    assert not feedback.ok and hint in feedback.message and "the draft's answer" not in feedback.message


def test_exercise_4_the_cases_hold_no_answers():
    assert all(isinstance(case, str) for case in ex.STATUS_CASES)


def checks_running_before_body(record, fingerprint, now):
    """Right about expiry and takeovers, but asks "still running?" before "same body?"."""
    if record is None:
        return "run"
    expired = record["deadline"] <= now
    if expired and (record["state"] == "completed" or record["fingerprint"] == fingerprint):
        return "run"
    if record["state"] == "in_flight" and not expired:
        return 409
    return 422 if record["fingerprint"] != fingerprint else record["status"]


@pytest.mark.parametrize("decide, hint", [
    (lambda record, fp, now: "run" if record is None else record["status"], "deadline (90) has passed"),
    (lambda record, fp, now: "run" if record is None or record["deadline"] <= now else 201, "replay its stored response"),
    (checks_running_before_body, "checked before anything else"),
    (lambda record, fp, now: record["state"], "raised TypeError"),
    (ex.IdempotencyStore, "the library's IdempotencyStore"),
])
def test_exercise_5_wrong_deciders_see_the_simplest_case_they_get_wrong(decide, hint):
    feedback = ex.check_claim_decision(decide)
    assert not feedback.ok and hint in feedback.message, feedback.message


@pytest.mark.parametrize("edit, hint", [
    (lambda d: d.replace("| POST | /v1/payments/{paymentId}/refunds |", "| POST | /v1/refund-requests |"),
     "refund a payment"),
    (lambda d: d.replace("Keys are kept for 24 hours, because clients retry within minutes; after that the same key "
                         "runs as new, which the docs state.", "Keys: 24 h."), "how long keys are kept"),
])
def test_exercise_6_designs_missing_a_flow_or_a_reason_are_told_which(solutions, edit, hint):
    feedback = ex.check_payments_design(edit(solutions.payments_design))
    assert not feedback.ok and hint in feedback.message, feedback.message


@given(ANY_ANSWER)
def test_arbitrary_answers_never_raise_and_never_pass(value):
    for check in (ex.check_should_retry, ex.check_ceilings, ex.check_statuses, ex.check_claim_decision,
                  ex.check_payments_design):
        never_raises_never_passes(check, value)
    never_raises_never_passes(ex.check_trip_call, value, right=lambda v: ex.as_int(v) == 7)
