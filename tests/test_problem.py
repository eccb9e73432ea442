"""RFC 9457 problem details carry the same information as the error envelope."""

from apidesign.envelope import error
from apidesign.problem import from_envelope, problem_type


def test_an_invalid_input_envelope_maps_to_problem_details_with_json_pointers_and_a_title_per_type():
    body = error("INVALID_INPUT", "The request has 1 invalid field.", [{"field": "content", "issue": "too_long", "max": 4000}])
    assert from_envelope(body, 400, "/v1/channels/ch_1/messages") == {
        "type": "https://apidesign.example/problems/invalid-input", "title": "Invalid input", "status": 400,
        "detail": "The request has 1 invalid field.", "instance": "/v1/channels/ch_1/messages",
        "errors": [{"pointer": "#/content", "issue": "too_long", "max": 4000}]}


def test_an_error_without_details_has_no_errors_member():
    problem = from_envelope(error("IDEMPOTENCY_KEY_IN_USE", "busy"), 409)
    assert problem["type"] == problem_type("IDEMPOTENCY_KEY_IN_USE") and "errors" not in problem
    assert problem["title"] == "Idempotency key in use", "title names the problem type, not the status"
