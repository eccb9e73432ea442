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


def test_exercise_1_accepts_the_name_passed_to_the_check_and_the_last_fresh_name_by_default(live, alice, solutions):
    name = start.fresh_name()
    status, location = solutions.exercise_1(live.url, alice, name)
    assert start.check_create_response(status, location, live, alice, name).ok
    assert start.check_create_response(status, location, live, alice).ok


@pytest.mark.parametrize("status, location, hint", [
    (200, "/v1/channels/ch_1", "201 Created"),
    ("200", "/v1/channels/ch_1", "You said 200"),
    (201, None, "Location should point at the new channel"),
    (409, "/v1/channels/ch_1", "the cell can be run again"),
    ([201], "/v1/channels/ch_1", "the status should be the number"),
    (True, "/v1/channels/ch_1", "you gave bool True"),
])
def test_exercise_1_wrong_answers_fail_with_their_own_hint(live, alice, status, location, hint):
    feedback = start.check_create_response(status, location, live, alice)
    assert not feedback.ok and hint in feedback.message, feedback.message


@pytest.mark.parametrize("location", ["/v1/channels/ch_madeup", "/v1/channels/"])
def test_exercise_1_typed_in_answers_without_a_post_say_the_channel_is_not_created_yet(live, alice, location):
    name = start.fresh_name()
    feedback = start.check_create_response(201, location, live, alice, name)
    assert not feedback.ok and "you haven't created the channel yet" in feedback.message, feedback.message
    assert name in feedback.message and "requests.post" in feedback.message


def test_exercise_1_a_channel_created_under_another_name_is_named_as_such(live, alice, solutions):
    name = start.fresh_name()
    _, location = solutions.exercise_1(live.url, alice, "my-first-channel")
    feedback = start.check_create_response(201, location, live, alice, name)
    assert not feedback.ok, feedback.message
    assert f"you created 'my-first-channel', but the exercise asks you to create the channel named `name` ('{name}')" \
        in feedback.message, feedback.message


def test_exercise_1_a_second_fresh_name_call_is_explained(live, alice, solutions):
    name = start.fresh_name()
    status, location = solutions.exercise_1(live.url, alice, start.fresh_name())  # the learner's POST calls it again
    feedback = start.check_create_response(status, location, live, alice, name)
    assert not feedback.ok and "second call of `exercises.fresh_name()`" in feedback.message, feedback.message


def test_exercise_1_the_location_from_an_earlier_run_is_explained(live, alice, solutions):
    _, earlier = solutions.exercise_1(live.url, alice, start.fresh_name())
    feedback = start.check_create_response(201, earlier, live, alice, start.fresh_name())
    assert not feedback.ok and "from an earlier run of this cell" in feedback.message, feedback.message


@pytest.mark.parametrize("wrong", ["older", "/v1/channels/"])
def test_exercise_1_a_wrong_location_after_the_right_post_says_copy_it(live, alice, solutions, wrong):
    _, older = solutions.exercise_1(live.url, alice, "older-channel")
    name = start.fresh_name()
    solutions.exercise_1(live.url, alice, name)
    feedback = start.check_create_response(201, older if wrong == "older" else wrong, live, alice, name)
    assert not feedback.ok and f"you did create '{name}'" in feedback.message, feedback.message
    assert "copy the Location header" in feedback.message


def test_exercise_1_without_the_server_says_what_to_pass():
    feedback = start.check_create_response(201, "/v1/channels/ch_1")
    assert not feedback.ok and "live, alice" in feedback.message


@pytest.mark.parametrize("given", ["live", "url"])
def test_exercise_1_after_stop_says_the_server_is_stopped(live, alice, solutions, given):
    name = start.fresh_name()
    status, location = solutions.exercise_1(live.url, alice, name)
    live.stop()
    feedback = start.check_create_response(status, location, live if given == "live" else live.url, alice, name)
    assert not feedback.ok and "the server is stopped" in feedback.message, feedback.message
    assert "Start the reference API" in feedback.message and "could not read" not in feedback.message


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
    (404, "FORBIDDEN", "the pair is inconsistent: 404 goes with 'NOT_FOUND'"),
    (403, "NOT_FOUND", "the pair is inconsistent: 403 goes with 'FORBIDDEN'"),
    (403, "NOPE", "'FORBIDDEN', not 'NOPE'"),
    (400, "FORBIDDEN", "'FORBIDDEN' is right, but it comes with 403"),
    (418, "TEAPOT", "not a member"),
    ("403 Forbidden", "FORBIDDEN", "the first item, the status, should be a whole number such as 404 (the number"),
    (403.5, "FORBIDDEN", "the first item, the status, should be a whole number such as 404; you gave float 403.5"),
    (True, "FORBIDDEN", "the first item, the status, should be a whole number such as 404; you gave bool True"),
    ({}, "FORBIDDEN", "the first item, the status"),
    (403, 403, "the second item, the error code, should be a string"),
])
def test_exercise_2_wrong_answers_fail_with_their_own_hint(live, as_user, general, status, code, hint):
    feedback = start.check_error_code(status, code, live, general, as_user("usr_carol"))
    assert not feedback.ok and hint in feedback.message, feedback.message


@pytest.mark.parametrize("given", ["live", "url"])
def test_exercise_2_after_stop_says_the_server_is_stopped(live, as_user, general, given):
    live.stop()
    feedback = start.check_error_code(403, "FORBIDDEN", live if given == "live" else live.url, general,
                                      as_user("usr_carol"))
    assert not feedback.ok and "the server is stopped" in feedback.message, feedback.message


@pytest.mark.parametrize("channel, user, hint", [
    ("ch_gone", "usr_carol", "names no channel on this server"),
    ("general", "usr_alice", "so its sender is a member"),
    ("general", None, "does not know the headers"),
])
def test_exercise_2_a_wrong_channel_or_wrong_headers_is_named_instead_of_failing_the_answer(
        live, as_user, general, channel, user, hint):
    headers = as_user(user) if user else None
    feedback = start.check_error_code(403, "FORBIDDEN", live, general if channel == "general" else channel, headers)
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
