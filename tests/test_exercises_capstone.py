"""The capstone checks pass the model solutions and fail known wrong answers with the right hint."""

import pytest

from apidesign.exercises import NOT_ANSWERED, capstone
from apidesign.paths import DATA


@pytest.fixture
def solutions(load_solution):
    return load_solution("06-presenting-api-design")


def test_every_model_solution_passes(solutions):
    assert capstone.check_resource_path(solutions.resource_path).ok
    assert capstone.check_predicted_rules(solutions.predicted_rules).ok
    assert capstone.check_protocol_decision(solutions.protocol_decision).ok
    assert capstone.check_design(solutions.design).ok


@pytest.mark.parametrize("check", [capstone.check_resource_path, capstone.check_predicted_rules,
                                   capstone.check_protocol_decision, capstone.check_design])
def test_a_fresh_exercise_cell_says_not_answered(check):
    assert check(...) == NOT_ANSWERED


@pytest.mark.parametrize("answer, hint", [
    ("POST /sendMessage", "'sendMessage' is an action"),
    ("POST /channel/{channelId}/messages", "'channel' names a collection but is singular"),
    ("PUT /channels/{channelId}/messages", "creating is POST"),
    ("POST /messages", "sub-collection of one channel"),
    ("POST /channels/general/messages", "channel's ID as a parameter"),
    ("send it", "write it as 'METHOD /path'"),
])
def test_exercise_1_wrong_answers_fail_with_a_specific_hint(answer, hint):
    feedback = capstone.check_resource_path(answer)
    assert not feedback.ok and hint in feedback.message


@pytest.mark.parametrize("answer, hint", [
    ({"verb-in-path"}, "you missed ['get-changes-state'"),
    ({"verb-in-path", "get-changes-state", "put-as-partial-update", "post-without-idempotency-key",
      "singular-collection", "protocol-without-justification", "missing-error-cases", "no-rate-limiting",
      "list-without-pagination", "missing-core-flow", "no-authentication"}, "['no-authentication'] do not fire"),
    ({"verb-in-path", "get-changes-state", "put-as-partial-update", "post-without-idempotency-key",
      "singular-collection", "protocol-without-justification", "missing-error-cases", "no-rate-limiting",
      "missing-core-flow"}, "you missed ['list-without-pagination']"),  # GET /getProducts returns every product
    ({"sendMessage"}, "not rule ids"),
])
def test_exercise_2_wrong_answers_fail_with_a_specific_hint(answer, hint):
    feedback = capstone.check_predicted_rules(answer)
    assert not feedback.ok and hint in feedback.message


@pytest.mark.parametrize("answer, hint", [
    ("We poll every five seconds.", "name the transport"),
    ("We use WebSockets.", "not why"),
    ("Webhooks, because they are simple.", "keeps a stream open"),
])
def test_exercise_3_wrong_answers_fail_with_a_specific_hint(answer, hint):
    feedback = capstone.check_protocol_decision(answer)
    assert not feedback.ok and hint in feedback.message


def test_exercise_4_names_the_first_problem_of_a_flawed_design():
    feedback = capstone.check_design((DATA / "designs" / "chat-flawed.md").read_text())
    assert not feedback.ok and "16 errors or warnings" in feedback.message and "`POST /sendMessage`" in feedback.message


def test_exercise_4_rejects_text_without_a_table():
    feedback = capstone.check_design("We would have some endpoints.")
    assert not feedback.ok and "cannot read it" in feedback.message
