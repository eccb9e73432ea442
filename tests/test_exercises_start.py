"""The start-here checks ask the live server themselves, accept every correct answer, and never raise."""

import numpy as np
import pytest
from hypothesis import given

from apidesign.exercises import NOT_ANSWERED, start
from exercise_strategies import ANY_VALUE, never_raises_never_passes


@pytest.fixture
def solutions(load_solution):
    return load_solution("00-start-here")


@pytest.fixture
def alice(as_user):
    return as_user("usr_alice")


def test_exercise_1_model_solution_passes_and_can_be_run_twice(live, alice, solutions):
    for _ in range(2):
        status, location = solutions.exercise_1(live.url, alice, start.fresh_name())
        feedback = start.check_create_response(status, location, live, alice)
        assert feedback.ok, feedback.message


def test_exercise_1_accepts_a_string_status_a_numpy_status_and_an_absolute_location(live, alice, solutions):
    status, location = solutions.exercise_1(live.url, alice, start.fresh_name())
    for same_status in (status, str(status), np.int64(status)):
        for same_location in (location, live.url + location):
            feedback = start.check_create_response(same_status, same_location, live.url, alice)
            assert feedback.ok, feedback.message


@pytest.mark.parametrize("status, location, hint", [
    (200, "/v1/channels/ch_1", "201 Created"),
    ("200", "/v1/channels/ch_1", "You said 200"),
    (201, None, "Location should point at the new channel"),
    (201, "/v1/channels/", "copy the Location header"),
    (201, "/v1/channels/ch_madeup", "answers 404"),
    (409, "/v1/channels/ch_1", "the cell can be run again"),
    ([201], "/v1/channels/ch_1", "expected the status code as a number"),
])
def test_exercise_1_wrong_answers_fail_with_their_own_hint(live, alice, status, location, hint):
    feedback = start.check_create_response(status, location, live, alice)
    assert not feedback.ok and hint in feedback.message, feedback.message


def test_exercise_1_rejects_the_location_of_a_channel_that_existed_before(live, alice, solutions):
    _, older = solutions.exercise_1(live.url, alice, "older-channel")
    solutions.exercise_1(live.url, alice, start.fresh_name())
    feedback = start.check_create_response(201, older, live, alice)
    assert not feedback.ok and "the channel you just created" in feedback.message, feedback.message


def test_exercise_1_without_the_server_says_what_to_pass():
    feedback = start.check_create_response(201, "/v1/channels/ch_1")
    assert not feedback.ok and "live, alice" in feedback.message


@pytest.fixture
def general(client, alice):
    return client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]["channelId"]


def test_exercise_2_model_solution_passes_in_every_spelling(live, as_user, solutions, general):
    carol = as_user("usr_carol")
    status, code = solutions.exercise_2(live.url, general, carol)
    for answer in [(status, code), (str(status), code), (np.int32(status), f" {code} ")]:
        feedback = start.check_error_code(*answer, live, general, carol)
        assert feedback.ok, feedback.message


def test_exercise_2_accepts_404_which_may_hide_existence_and_says_this_server_answers_403(live, as_user, general):
    feedback = start.check_error_code(404, "NOT_FOUND", live, general, as_user("usr_carol"))
    assert feedback.ok and "15.5.4" in feedback.message and "answers 403 FORBIDDEN" in feedback.message


@pytest.mark.parametrize("status, code, hint", [
    (401, "UNAUTHENTICATED", "Carol is known"),
    (404, "FORBIDDEN", "not a member"),
    (403, "NOPE", "'FORBIDDEN'"),
    ({}, "FORBIDDEN", "expected a status code and an error code"),
])
def test_exercise_2_wrong_answers_fail_with_their_own_hint(live, as_user, general, status, code, hint):
    feedback = start.check_error_code(status, code, live, general, as_user("usr_carol"))
    assert not feedback.ok and hint in feedback.message, feedback.message


def test_unanswered_exercises_say_so_instead_of_failing_the_notebook():
    assert start.check_create_response(..., ...) == NOT_ANSWERED
    assert start.check_error_code(..., ...) == NOT_ANSWERED
    assert start.check_error_code(403, ...) == NOT_ANSWERED
    assert str(NOT_ANSWERED).startswith("✗ Not answered yet")


@given(ANY_VALUE, ANY_VALUE)
def test_arbitrary_answers_never_raise_and_never_pass(status, other):
    never_raises_never_passes(lambda s: start.check_create_response(s, other), status)
    never_raises_never_passes(lambda s: start.check_error_code(s, other), status)
