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
    assert not feedback.ok and "still to answer: 'POST 503 without key'" in feedback.message


def test_exercise_1_a_misspelt_case_is_named_as_matching_no_case_not_as_unanswered(solutions):
    answer = dict(solutions.should_retry)
    answer["GET 503 "] = answer.pop("GET 503")
    feedback = ex.check_should_retry(answer)
    assert not feedback.ok and "'GET 503 ' is not one of the cases; did you mean 'GET 503'?" in feedback.message
    assert "still to answer" not in feedback.message


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


def test_exercise_1_accepts_one_and_zero_as_yes_and_no(solutions):
    assert ex.check_should_retry({k: int(v) for k, v in solutions.should_retry.items()}).ok
    assert ex.check_should_retry({k: np.int64(v) for k, v in solutions.should_retry.items()}).ok
    assert not ex.check_should_retry({k: 2 for k in solutions.should_retry}).ok


def test_exercise_1_names_every_wrong_case_not_just_the_first(solutions):
    flipped = {k: not v for k, v in solutions.should_retry.items()}
    feedback = ex.check_should_retry(flipped)
    assert not feedback.ok and f"{len(ex.RETRY_CASES)} of {len(ex.RETRY_CASES)} wrong" in feedback.message
    assert all(f"'{case}'" in feedback.message for case in ex.RETRY_CASES), feedback.message


def test_exercise_2_milliseconds_are_told_the_unit_is_seconds(solutions):
    feedback = ex.check_ceilings([1000 * c for c in solutions.ceilings])
    assert not feedback.ok and "in seconds" in feedback.message and "milliseconds" in feedback.message


def test_exercise_3_a_zero_based_answer_is_told_so():
    feedback = ex.check_trip_call(6)
    assert not feedback.ok and "counted from 0" in feedback.message


def test_exercise_5_a_deadline_equal_to_now_has_been_reached_not_passed():
    assert "deadline (100) has been reached" in ex._decision_why(
        {"state": "completed", "fingerprint": "a", "deadline": 100.0, "status": 201}, "a", 100.0)
    assert "deadline (90) has passed" in ex._decision_why(
        {"state": "completed", "fingerprint": "a", "deadline": 90.0, "status": 201}, "a", 100.0)


RETENTION = "Keys are kept for 24 hours, because clients retry within minutes"
RETRIES = ("Clients retry only connection errors, 5xx (not 501 or 505), 408 and 429, with exponential backoff and full "
           "jitter, so a recovering server is not flattened.")


@pytest.mark.parametrize("edit, hint", [
    (lambda d: d.replace(RETENTION, "Keys are kept for 5 minutes, because clients retry within minutes"),
     "5 minutes is shorter than a client's retry horizon"),
    (lambda d: d.replace(RETENTION, "Keys are kept for 12 hours, because clients retry within minutes"),
     "12 hours is shorter than a client's retry horizon"),
    (lambda d: d.replace(RETENTION, "Keys are kept forever, because storage is cheap and safe"), "grow without bound"),
    (lambda d: d.replace(RETRIES, "Clients retry every failed request including 400 and 422, so that nothing is lost."),
     "failures waiting cannot fix (400, 422)"),
    (lambda d: d.replace(RETRIES, "Clients retry all errors with exponential backoff, so that nothing is lost."),
     "never another 4xx"),
    (lambda d: d.replace("- " + RETRIES + "\n", ""), "client retries"),
    (lambda d: d.replace(RETRIES, "Clients retry only connection errors, 503 and 429, so a blip does not fail it."),
     "say how retries are spaced"),
])
def test_exercise_6_retention_and_retries_are_checked_for_substance_not_just_named(solutions, edit, hint):
    design = edit(solutions.payments_design)
    assert design != solutions.payments_design
    feedback = ex.check_payments_design(design)
    assert not feedback.ok and hint in feedback.message, feedback.message


def test_exercise_6_a_retry_note_that_rules_out_4xx_passes(solutions):
    note = ("Clients retry 503, 429 and connection errors, never 400 or 422, with exponential backoff and full jitter, "
            "so a recovering server is not flattened.")
    assert ex.check_payments_design(solutions.payments_design.replace(RETRIES, note)).ok


def test_exercise_6_a_refund_custom_method_and_a_put_create_serve_the_flows(solutions):
    custom = solutions.payments_design.replace("| POST | /v1/payments/{paymentId}/refunds |",
                                               "| POST | /v1/payments/{payment_id}:refund |")
    owner = "- Only the merchant that owns a payment may refund it, so one merchant cannot refund another's sale.\n"
    assert ex.check_payments_design(custom + owner).ok
    put = solutions.payments_design.replace(
        "| POST | /v1/payments | Create a payment (Idempotency-Key header) |",
        "| PUT | /v1/payments/{payment_id} | Create a payment with a client-chosen ID, idempotent by design |")
    assert ex.check_payments_design(put).ok


def test_exercise_6_the_prompt_lists_what_is_checked():
    for words in ("reviewer", "create", "look up", "refund", "24 hours", "bounded", "400 or 422", "backoff"):
        assert words in ex.PAYMENTS.prompt
