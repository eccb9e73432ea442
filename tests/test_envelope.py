import pytest

from apidesign import errors
from apidesign.envelope import error, error_from, success


def test_success_envelope_matches_the_syllabus_shape():
    assert success({"id": 1}, {"cursor": "abc123", "hasMore": True}) == {
        "data": {"id": 1}, "meta": {"cursor": "abc123", "hasMore": True}}
    assert success([1]) == {"data": [1]}


def test_error_envelope_matches_the_syllabus_shape():
    body = error("INVALID_INPUT", "The 'email' field must be a valid email address.",
                 [{"field": "email", "issue": "invalid_format"}])
    assert body == {"error": {"code": "INVALID_INPUT",
                              "message": "The 'email' field must be a valid email address.",
                              "details": [{"field": "email", "issue": "invalid_format"}]}}


ALL_API_ERRORS = [errors.InvalidInput, errors.MalformedJson, errors.Unauthenticated, errors.Forbidden,
                  errors.NotFound, errors.MethodNotAllowed, errors.Conflict, errors.UnsupportedMediaType,
                  errors.Unprocessable, errors.RateLimited, errors.ServiceUnavailable]


@pytest.mark.parametrize("cls", ALL_API_ERRORS)
def test_every_api_error_has_a_status_a_code_and_a_docstring(cls):
    exc = cls("nope")
    assert 400 <= exc.status < 600
    assert exc.code.isupper()
    assert cls.__doc__ and len(cls.__doc__.splitlines()) == 1
    assert isinstance(exc, errors.ApiDesignError)
    assert error_from(exc)["error"]["code"] == exc.code


def test_status_code_and_headers_can_be_overridden_per_instance():
    exc = errors.RateLimited("slow down", headers={"Retry-After": "3"}, code="QUOTA")
    assert (exc.status, exc.code, exc.headers) == (429, "QUOTA", {"Retry-After": "3"})
