"""The 01-protocols checks pass the model solutions and fail known wrong answers with a specific hint."""

import random

import pytest

from apidesign.exercises import NOT_ANSWERED, protocols
from apidesign.protocols.hol import Scenario
from apidesign.protocols.polling import message_times

ARRIVALS = message_times(60, 0.2, random.Random(2026))
CANDIDATES = (0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
SCENARIO = Scenario(streams=12, packets=30, loss=0.05, rtt=0.1, seed=4)


@pytest.fixture
def solutions(load_solution):
    return load_solution("01-protocols")


def test_exercise_1_model_solution_passes(solutions):
    assert protocols.check_choices(solutions.exercise_1()).ok


@pytest.mark.parametrize("change, hint", [
    ({"team-chat": "SSE"}, "the table says WebSocket"),
    ({"fraud-check": "HTTP/1.1"}, "the table says gRPC"),
    ({"build-progress": "Kafka"}, "is not one of"),
    ({"feed-on-cellular": ...}, "Still to answer: feed-on-cellular"),
])
def test_exercise_1_wrong_answers_fail_with_a_specific_hint(solutions, change, hint):
    feedback = protocols.check_choices({**solutions.exercise_1(), **change})
    assert not feedback.ok and hint in feedback.message


def test_exercise_2_model_solution_passes(solutions):
    answer = solutions.exercise_2(ARRIVALS, 0.1, 1.5, CANDIDATES)
    assert protocols.check_polling_interval(answer, ARRIVALS, 0.1, 1.5, CANDIDATES).ok


@pytest.mark.parametrize("answer, hint", [(10.0, "over the 1.5 s budget"), (0.5, "fewer requests"),
                                          (4.0, "candidate intervals")])
def test_exercise_2_wrong_answers_fail_with_a_specific_hint(answer, hint):
    feedback = protocols.check_polling_interval(answer, ARRIVALS, 0.1, 1.5, CANDIDATES)
    assert not feedback.ok and hint in feedback.message


def test_exercise_3_model_solution_passes(solutions):
    assert protocols.check_stalled_streams(solutions.exercise_3(SCENARIO), SCENARIO).ok


def test_exercise_3_wrong_answers_say_which_way_to_look():
    right = protocols.stalled_streams(SCENARIO)
    assert "more" in protocols.check_stalled_streams(right - 1, SCENARIO).message
    assert "fewer" in protocols.check_stalled_streams(right + 1, SCENARIO).message


def test_unanswered_exercises_say_so_instead_of_failing_the_notebook():
    assert protocols.check_choices(...) == NOT_ANSWERED
    assert protocols.check_choices(dict.fromkeys(protocols.SCENARIOS, ...)) == NOT_ANSWERED
    assert protocols.check_polling_interval(..., ARRIVALS, 0.1, 1.5, CANDIDATES) == NOT_ANSWERED
    assert protocols.check_stalled_streams(..., SCENARIO) == NOT_ANSWERED
