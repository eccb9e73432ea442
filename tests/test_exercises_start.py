"""The start-here checks pass the model solution and fail known wrong answers with the right hint."""

import pytest

from apidesign.exercises import NOT_ANSWERED, start


@pytest.fixture
def solutions(load_solution):
    return load_solution("00-start-here")


def test_exercise_1_model_solution_passes(live, as_user, solutions):
    status, location = solutions.exercise_1(live.url, as_user("usr_alice"))
    assert start.check_create_response(status, location).ok


@pytest.mark.parametrize("status, location, hint", [
    (200, "/v1/channels/ch_1", "201 Created"),
    (201, None, "Location should point at the new channel"),
])
def test_exercise_1_wrong_answers_fail_with_a_specific_hint(status, location, hint):
    feedback = start.check_create_response(status, location)
    assert not feedback.ok and hint in feedback.message


def test_exercise_2_model_solution_passes(live, as_user, solutions, client):
    created = client.post("/v1/channels", json={"name": "general"}, headers=as_user("usr_alice"))
    channel_id = created.get_json()["data"]["channelId"]
    status, code = solutions.exercise_2(live.url, channel_id, as_user("usr_carol"))
    assert start.check_error_code(status, code).ok


@pytest.mark.parametrize("status, code, hint", [
    (401, "UNAUTHENTICATED", "Carol is known"),
    (404, "NOT_FOUND", "not a member"),
    (403, "NOPE", "'FORBIDDEN'"),
])
def test_exercise_2_wrong_answers_fail_with_a_specific_hint(status, code, hint):
    feedback = start.check_error_code(status, code)
    assert not feedback.ok and hint in feedback.message


def test_unanswered_exercises_say_so_instead_of_failing_the_notebook():
    assert start.check_create_response(..., ...) == NOT_ANSWERED
    assert start.check_error_code(..., ...) == NOT_ANSWERED
    assert str(NOT_ANSWERED).startswith("✗ Not answered yet")
