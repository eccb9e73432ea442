"""Every 05-authentication check: the model passes, defensible answers pass, each wrong one hears why, nothing raises."""

import numpy as np
import pytest
from hypothesis import given

from apidesign.exercises import NOT_ANSWERED
from apidesign.exercises import auth as ex
from exercise_strategies import ANY_ANSWER, never_raises_never_passes


@pytest.fixture
def solutions(load_solution):
    return load_solution("05-authentication")


@pytest.mark.parametrize("check,name", [
    (ex.check_status_codes, "status_codes"), (ex.check_access_token_ttl, "access_token_ttl"),
    (ex.check_audience_ok, "audience_ok"), (ex.check_auth_choice, "auth_choice"),
    (ex.check_hs256_valid, "hs256_valid"), (ex.check_partner_design, "partner_design")])
def test_model_solutions_pass_and_placeholders_are_not_answered(solutions, check, name):
    feedback = check(getattr(solutions, name))
    assert feedback.ok, feedback.message
    assert check(...) == NOT_ANSWERED


def test_the_questions_hold_no_answers():
    assert all(isinstance(s, str) for s in ex.STATUS_SCENARIOS + ex.METHOD_SCENARIOS)


def test_status_codes_as_strings_or_numpy_pass(solutions):
    assert ex.check_status_codes({k: str(v) for k, v in solutions.status_codes.items()}).ok
    assert ex.check_status_codes({k: np.int64(v) for k, v in solutions.status_codes.items()}).ok


@pytest.mark.parametrize("scenario, code, hint", [
    ("valid token, but only messages:read, sending a message", 401, "should be 403, you said 401"),
    ("token signed with alg none", 403, "cannot tell who is calling"),
    ("no Authorization header", "four oh one", "as a number"),
])
def test_wrong_status_codes_say_why(solutions, scenario, code, hint):
    feedback = ex.check_status_codes({**solutions.status_codes, scenario: code})
    assert not feedback.ok and hint in feedback.message


@pytest.mark.parametrize("ttl", [500, 540, 570, "540", np.float64(540.0)])
def test_lifetimes_inside_the_band_pass(ttl):
    assert ex.check_access_token_ttl(ttl).ok


@pytest.mark.parametrize("ttl,message", [(300, "33.33 times a second"), (499, "20.04 times a second"),
                                         (3600, "up to 3630 s"), (600, "up to 630 s"), (571, "30 s leeway"),
                                         (-1, "positive"), ("ten minutes", "positive")])
def test_lifetimes_outside_the_band_fail_with_the_number(ttl, message):
    fb = ex.check_access_token_ttl(ttl)
    assert not fb.ok and message in fb.message


def test_audience_wrong_functions_see_the_smallest_case():
    substring = ex.check_audience_ok(lambda aud, expected: expected in (aud or ""))
    assert not substring.ok and "returned True, should be False (a substring test?)" in substring.message
    junk = ex.check_audience_ok(lambda aud, expected: aud == expected or (isinstance(aud, list) and expected in aud))
    assert not junk.ok and "neither a string nor a list of strings" in junk.message
    crash = ex.check_audience_ok(lambda aud, expected: aud.lower() == expected)
    assert not crash.ok and "raised AttributeError" in crash.message
    library = ex.check_audience_ok(ex.jwt.claims.check_audience)
    assert not library.ok and "the library's check_audience" in library.message


@pytest.mark.parametrize("changes", [
    {"your own mobile app's users calling your API": "oauth"},
    {"a nightly batch job of a partner company": "api_key"},
    {"a nightly batch job of a partner company": "client-credentials"},
    {"a payment provider's webhook calling your server": "HMAC signature"},
    {"a third-party app that wants read-only access to a user's messages": "OAuth"},
    {"a payment provider's webhook calling your server": "HMAC-SHA256"},
    {"a payment provider's webhook calling your server": "signed webhook"},
    {"a nightly batch job of a partner company": "OAuth client credentials grant"},
])
def test_defensible_auth_choices_pass(solutions, changes):
    feedback = ex.check_auth_choice({**solutions.auth_choice, **changes})
    assert feedback.ok, feedback.message


@pytest.mark.parametrize("scenario, choice, hint", [
    ("a payment provider's webhook calling your server", "api_key", "HMAC, as Stripe and GitHub do"),
    ("a payment provider's webhook calling your server", "oauth", "no user delegates anything"),
    ("a third-party app that wants read-only access to a user's messages", "api_key", "no consent"),
    ("a nightly batch job of a partner company", "oauth", "RFC 6749 section 4.4"),
    ("your own mobile app's users calling your API", "api_key", "extracted by anyone"),
    ("your own mobile app's users calling your API", "kerberos", "answer one of"),
])
def test_wrong_auth_choices_hear_why(solutions, scenario, choice, hint):
    fb = ex.check_auth_choice({**solutions.auth_choice, scenario: choice})
    assert not fb.ok and hint in fb.message, fb.message


def test_a_signed_jwt_webhook_passes_with_a_note_that_the_provider_signs_it(solutions):
    fb = ex.check_auth_choice({**solutions.auth_choice, "a payment provider's webhook calling your server": "jwt"})
    assert fb.ok and "Plaid" in fb.message and "JWKS" in fb.message, fb.message


def test_oauth_for_the_batch_job_asks_which_grant_in_one_sentence(solutions):
    fb = ex.check_auth_choice({**solutions.auth_choice, "a nightly batch job of a partner company": "oauth"})
    assert "you chose 'oauth': the right family, but which grant?" in fb.message, fb.message


def no_alg_check(token, secret):
    import base64
    import hashlib
    import hmac
    head, payload, sig = token.split(".")
    mac = hmac.new(secret, f"{head}.{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode() == sig


@pytest.mark.parametrize("verify, hint", [
    (lambda token, secret: token.count(".") == 2, "alg 'none'"),
    (no_alg_check, "raised ValueError"),
    (lambda token, secret: False, "the library says True"),
    (ex.jwt.decode, "the library's decode"),
])
def test_hs256_wrong_verifiers_see_the_smallest_token_they_misjudge(verify, hint):
    fb = ex.check_hs256_valid(verify)
    assert not fb.ok and hint in fb.message, fb.message


def test_hs256_a_verifier_that_ignores_the_header_is_caught_on_a_relabelled_token():
    def ignores_header(token, secret):
        return token.count(".") == 2 and "eyJhbGciOiJub25l" not in token and no_alg_check(token, secret)
    fb = ex.check_hs256_valid(ignores_header)
    assert not fb.ok and "alg 'HS512'" in fb.message, fb.message


@pytest.mark.parametrize("edit, hint", [
    (lambda d: d.replace("| POST | /v1/api-keys/{keyId}/rotate |", "| GET | /v1/status |"), "rotate"),
    (lambda d: d.replace(", so the user consents to messages:read only and can revoke that app alone", ""),
     "delegation by a user"),
])
def test_partner_designs_missing_a_flow_or_a_reason_are_told_which(solutions, edit, hint):
    fb = ex.check_partner_design(edit(solutions.partner_design))
    assert not fb.ok and hint in fb.message, fb.message


@given(ANY_ANSWER)
def test_arbitrary_answers_never_raise_and_never_pass(value):
    for check in (ex.check_status_codes, ex.check_audience_ok, ex.check_auth_choice, ex.check_hs256_valid,
                  ex.check_partner_design):
        never_raises_never_passes(check, value)
    never_raises_never_passes(ex.check_access_token_ttl, value, right=lambda v: 500 <= (ex.as_number(v) or 0) <= 570)


def careful_verifier(token, secret, *, decode_header=None, alg_ok=None, compare_bytes=False):
    """A correct hs256_valid, with one step swappable for a known mistake."""
    import base64
    import hashlib
    import hmac
    import json
    parts = token.split(".")
    if len(parts) != 3:
        return False
    try:
        header = (decode_header or (lambda h: json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))))(parts[0])
    except ValueError:
        return False
    if not (alg_ok or (lambda h, raw: isinstance(h, dict) and h.get("alg") == "HS256"))(header, parts[0]):
        return False
    mac = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if compare_bytes:
        try:
            return hmac.compare_digest(mac, base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4)))
        except ValueError:
            return False
    text = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    return hmac.compare_digest(text, parts[2])


def test_a_careful_verifier_passes_and_names_compare_digest():
    fb = ex.check_hs256_valid(careful_verifier)
    assert fb.ok and "compare_digest" in fb.message, fb.message


def _b64(h):
    import base64
    import json
    return json.loads(base64.urlsafe_b64decode(h))


@pytest.mark.parametrize("mistake, hint", [
    ({"decode_header": _b64}, "restore the '=' padding"),
    ({"compare_bytes": True}, "not the canonical base64url"),
    ({"alg_ok": lambda h, raw: "HS256" in __import__("base64").urlsafe_b64decode(raw + "==").decode()}, "'HS512'"),
    ({"alg_ok": lambda h, raw: str(h.get("alg", "")).upper() == "HS256"}, "case-sensitive"),
])
def test_hs256_verifiers_with_one_classic_mistake_fail_and_hear_which(mistake, hint):
    def verifier(token, secret):
        return careful_verifier(token, secret, **mistake)
    fb = ex.check_hs256_valid(verifier)
    assert not fb.ok and hint in fb.message, fb.message


def test_hs256_a_verifier_comparing_with_equals_is_told_to_use_compare_digest():
    def equals(token, secret):
        import base64
        import hashlib
        import hmac
        import json
        parts = token.split(".")
        if len(parts) != 3:
            return False
        try:
            header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
        except ValueError:
            return False
        if not isinstance(header, dict) or header.get("alg") != "HS256":
            return False
        mac = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode() == parts[2]
    fb = ex.check_hs256_valid(equals)
    assert not fb.ok and "never calls hmac.compare_digest" in fb.message and "cannot measure timing" in fb.message


def test_hs256_pyjwt_itself_is_refused_as_the_answer():
    import jwt as pyjwt

    def wraps_pyjwt(token, secret):
        try:
            pyjwt.decode(token, secret, algorithms=["HS256"])
            return True
        except pyjwt.PyJWTError:
            return False
    for answer in (pyjwt.decode, wraps_pyjwt):
        fb = ex.check_hs256_valid(answer)
        assert not fb.ok and "JWT library" in fb.message, fb.message


SOLID = {  # the model's three decision notes, each replaced by the wrong substance a learner submitted
    "- The partner's service uses a scoped API key, because no user is involved and a key can be rotated and revoked "
    "on its own.": ("- All tenants share one API key, because that is simplest to operate.", "shared by every tenant"),
    "- Third-party apps use OAuth with PKCE, so the user consents to messages:read only and can revoke that app alone.":
        ("- Third-party apps collect the user's password and call us with it, because that is simple.", "RFC 9700"),
    "- A known caller without the scope gets 403 insufficient_scope, because 401 would wrongly tell it to log in again.":
        ("- A caller without the scope gets 401, because it must authenticate again.", "RFC 6750 section 3.1"),
}


@pytest.mark.parametrize("right", list(SOLID))
def test_partner_designs_with_the_wrong_substance_fail_and_name_it(solutions, right):
    wrong, hint = SOLID[right]
    assert right in solutions.partner_design
    fb = ex.check_partner_design(solutions.partner_design.replace(right, wrong))
    assert not fb.ok and hint in fb.message and wrong[2:40] in fb.message, fb.message


def test_partner_design_accepts_an_alerts_route_and_the_oauth_authorization_endpoint(solutions):
    design = solutions.partner_design.replace("/v1/channels/{channelId}/messages | A partner's service posts",
                                              "/v1/channels/{channelId}/alerts | A partner's service posts")
    design = design.replace("| POST | /v1/api-keys", "| GET | /oauth/authorize | OAuth consent page for the user |\n"
                                                     "| POST | /v1/api-keys")
    fb = ex.check_partner_design(design)
    assert fb.ok, fb.message


def test_partner_design_too_long_to_be_a_design_is_refused_at_once():
    fb = ex.check_partner_design("| Method | Path | Description |\n" + "x" * 400_000)
    assert not fb.ok and "keep it under 20,000" in fb.message


def test_status_codes_404_for_a_non_member_passes_with_rfc_9110_15_5_4(solutions):
    fb = ex.check_status_codes({**solutions.status_codes, ex.STATUS_SCENARIOS[-1]: 404})
    assert fb.ok and "RFC 9110 section 15.5.4" in fb.message and "this server answers 403" in fb.message, fb.message


def test_status_codes_name_the_missing_and_the_misspelt_key(solutions):
    answer = dict(solutions.status_codes)
    answer["no authorisation header"] = answer.pop("no Authorization header")
    fb = ex.check_status_codes(answer)
    assert not fb.ok and "did you mean 'no Authorization header'?" in fb.message
    assert "'no authorisation header' is not one of the scenarios" in fb.message, fb.message
    del answer["no authorisation header"]
    assert "still to answer: 'no Authorization header'" in ex.check_status_codes(answer).message


@pytest.mark.parametrize("ttl, message", [(499.9, "just over 20 (20.0040)"), (9, "did you mean 9 minutes, 540 s?")])
def test_lifetimes_just_over_the_limit_or_in_minutes_hear_so(ttl, message):
    fb = ex.check_access_token_ttl(ttl)
    assert not fb.ok and message in fb.message, fb.message


def test_audience_checks_ask_for_a_bool_and_two_parameters():
    zero = ex.check_audience_ok(lambda aud, expected: 1 if aud == expected else 0)
    assert not zero.ok and "must return a bool" in zero.message, zero.message
    one = ex.check_audience_ok(lambda aud: True)
    assert not one.ok and "with two arguments" in one.message, one.message
