"""The 02-rest-design checks pass the model solutions and fail known wrong answers with the right hint."""

import pytest

from apidesign.drift import simulate_drift
from apidesign.exercises import NOT_ANSWERED, rest


@pytest.fixture
def solutions(load_solution):
    return load_solution("02-rest-design")


def drift_actual():
    return simulate_drift(page_size=10, arrivals_per_page=3, initial=50).offset.duplicates


def test_model_solutions_pass(solutions):
    assert rest.check_routes(solutions.exercise_1).ok
    assert rest.check_status_codes(solutions.exercise_2).ok
    assert rest.check_drift_prediction(solutions.exercise_3, actual=drift_actual()).ok
    assert rest.check_keyset_where(solutions.exercise_4).ok


def test_placeholders_say_not_answered():
    assert rest.check_routes(...) == NOT_ANSWERED
    assert rest.check_status_codes(...) == NOT_ANSWERED
    assert rest.check_drift_prediction(..., actual=18) == NOT_ANSWERED
    assert rest.check_keyset_where(...) == NOT_ANSWERED


def test_a_verb_in_the_path_is_called_out(solutions):
    answer = {**solutions.exercise_1, "send a message to channel ch_1": "POST /v1/sendMessage"}
    feedback = rest.check_routes(answer)
    assert not feedback.ok and "verb in the path" in feedback.message


def test_put_for_a_rename_is_not_accepted(solutions):
    answer = {**solutions.exercise_1, "rename channel ch_1, changing nothing else": "PUT /v1/channels/ch_1"}
    feedback = rest.check_routes(answer)
    assert not feedback.ok and "the method is the verb" in feedback.message


def test_a_wrong_status_code_names_the_situation(solutions):
    situation = "DELETE /v1/channels/ch_1 (channels have no DELETE route)"
    feedback = rest.check_status_codes({**solutions.exercise_2, situation: 404})
    assert not feedback.ok and "you said 404, the API answers 405" in feedback.message


def test_a_wrong_drift_prediction_quotes_the_measured_count():
    feedback = rest.check_drift_prediction(21, actual=drift_actual())
    assert not feedback.ok and "the simulation counted 18" in feedback.message


def test_the_or_form_gets_the_right_rows_but_is_told_it_does_not_seek():
    feedback = rest.check_keyset_where("created_at > :created_at OR (created_at = :created_at AND id > :id)")
    assert not feedback.ok and "Right rows, but" in feedback.message and "row value" in feedback.message


def test_a_condition_that_drops_the_tie_breaker_loses_rows():
    feedback = rest.check_keyset_where("created_at > :created_at")
    assert not feedback.ok and "Remember the tie" in feedback.message


def test_invalid_sql_is_reported_not_raised():
    feedback = rest.check_keyset_where("created_at >>> ")
    assert not feedback.ok and "SQLite refused it" in feedback.message
