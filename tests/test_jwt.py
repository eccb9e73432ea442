"""apidesign.jwt: the RFC 7515 vector, PyJWT interop both ways, the attack suite, and fuzzing."""

import base64
import hashlib
import hmac
import json
import re

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from apidesign import jwt
from apidesign.clock import FakeClock, WallClock

SECRET = b"k" * 32
NOW = 1_773_311_400


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def pem_public(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def forge_hs256(header: dict, payload: dict, secret: bytes) -> str:
    """What an attacker does by hand: sign header.payload with HMAC and any bytes they like."""
    seg = lambda o: jwt.b64url_encode(json.dumps(o).encode())
    signing_input = seg(header) + "." + seg(payload)
    return signing_input + "." + jwt.b64url_encode(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def unsigned(header: dict, payload: dict, signature: str = "") -> str:
    seg = lambda o: jwt.b64url_encode(json.dumps(o).encode())
    return f"{seg(header)}.{seg(payload)}.{signature}"


# --- RFC 7515 Appendix A.1 ------------------------------------------------------------

RFC_HEADER = b'{"typ":"JWT",\r\n "alg":"HS256"}'
RFC_PAYLOAD = b'{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}'
RFC_KEY = base64.urlsafe_b64decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow==")
RFC_TOKEN = ("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
             ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
             ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")


def test_rfc7515_a1_segments_are_the_exact_crlf_bytes():
    assert RFC_TOKEN.split(".")[:2] == [jwt.b64url_encode(RFC_HEADER), jwt.b64url_encode(RFC_PAYLOAD)]


def test_rfc7515_a1_verifies_before_exp_and_is_expired_on_the_real_clock():
    payload = jwt.decode(RFC_TOKEN, RFC_KEY, ["HS256"], clock=FakeClock(1300819380 - 60), issuer="joe")
    assert payload == {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(RFC_TOKEN, RFC_KEY, ["HS256"], clock=WallClock())


# --- interoperability with PyJWT, both ways ---------------------------------------------

def keys_for(alg, rsa_key, ec_key):
    return {"HS256": (SECRET, SECRET), "RS256": (rsa_key, rsa_key.public_key()),
            "ES256": (ec_key, ec_key.public_key())}[alg]


@pytest.mark.parametrize("alg", ["HS256", "RS256", "ES256"])
def test_pyjwt_verifies_our_tokens(alg, rsa_key, ec_key):
    signing, verifying = keys_for(alg, rsa_key, ec_key)
    claims = {"sub": "usr_alice", "aud": "chat", "iat": NOW, "exp": NOW + 900}
    token = jwt.encode(claims, signing, alg)
    assert pyjwt.decode(token, verifying, algorithms=[alg], audience="chat",
                        options={"verify_exp": False, "verify_iat": False}) == claims


@pytest.mark.parametrize("alg", ["HS256", "RS256", "ES256"])
def test_we_verify_pyjwts_tokens(alg, rsa_key, ec_key):
    signing, verifying = keys_for(alg, rsa_key, ec_key)
    claims = {"sub": "usr_alice", "aud": ["chat", "other"], "iat": NOW, "exp": NOW + 900}
    token = pyjwt.encode(claims, signing, algorithm=alg)
    assert jwt.decode(token, verifying, [alg], audience="chat", clock=FakeClock(NOW)) == claims


def test_pem_text_and_key_objects_are_the_same_key(rsa_key):
    token = jwt.encode({"a": 1}, rsa_key, "RS256")
    assert jwt.decode(token, pem_public(rsa_key).decode(), ["RS256"]) == {"a": 1}


# --- the attack suite: PyJWT's advisories and RFC 8725 as regression tests --------------

@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_is_refused_in_any_capitalisation(alg):
    token = unsigned({"alg": alg, "typ": "JWT"}, {"sub": "usr_alice"}, signature="AA")
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(token, SECRET, ["HS256"])
    with pytest.raises(jwt.DecodeError):  # and without a signature it is not even a JWS
        jwt.decode(unsigned({"alg": alg}, {"sub": "x"}), SECRET, ["HS256"])


@pytest.mark.parametrize("token, says", [
    ("aaaa.bbbb", "Not enough segments"),
    ("aaaa.bbbb.cccc.dddd", "Too many segments"),
    ("aaaa.bb!b.cccc", "Malformed segments"),
    ("aaaa.bbbb.", "unsecured JWT (RFC 7519 section 6.1)"),
])
def test_a_shape_error_names_what_is_wrong_with_the_segments(token, says):
    with pytest.raises(jwt.DecodeError, match=re.escape(says)):
        jwt.decode(token, SECRET, ["HS256"])


def test_none_can_not_be_allowed_by_the_caller():
    with pytest.raises(ValueError):
        jwt.decode(RFC_TOKEN, SECRET, ["none"])


def test_algorithms_is_required_and_must_be_a_list_not_a_string():
    with pytest.raises(TypeError):
        jwt.decode(RFC_TOKEN, RFC_KEY, "HS256")  # PyJWT once did `alg in "HS256"`: a substring test
    with pytest.raises(TypeError):
        jwt.decode(RFC_TOKEN, RFC_KEY, [])


def _pem_variants(pem: bytes):
    return {"plain": pem, "crlf": pem.replace(b"\n", b"\r\n"), "spaces": b"  \n" + pem + b"\n\n  ",
            "bom": "\ufeff".encode() + pem, "str": pem.decode()}


@pytest.mark.parametrize("variant", ["plain", "crlf", "spaces", "bom", "str"])
def test_algorithm_confusion_hs256_signed_with_the_rsa_public_key_is_refused(rsa_key, variant):
    """CVE-2022-29217 and CVE-2017-11424: the public key must never act as an HMAC secret."""
    public = _pem_variants(pem_public(rsa_key))[variant]
    raw = public.encode() if isinstance(public, str) else public
    forged = forge_hs256({"alg": "HS256", "typ": "JWT"}, {"sub": "usr_admin"}, raw)
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(forged, public, ["RS256", "HS256"])  # even with a careless allow-list
    with pytest.raises(jwt.InvalidKeyError):
        jwt.encode({"sub": "usr_admin"}, public, "HS256")


@pytest.mark.parametrize("fmt", ["ssh", "der"])
def test_algorithm_confusion_with_ssh_and_der_public_keys_is_refused(rsa_key, fmt):
    encoding = {"ssh": (serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH),
                "der": (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)}[fmt]
    public = rsa_key.public_key().public_bytes(*encoding)
    forged = forge_hs256({"alg": "HS256"}, {"sub": "usr_admin"}, public)
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(forged, public, ["RS256", "HS256"])


def test_an_ec_public_key_can_not_verify_hs256_either(ec_key):
    public = pem_public(ec_key)
    forged = forge_hs256({"alg": "HS256"}, {"sub": "usr_admin"}, public)
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(forged, public, ["ES256", "HS256"])


def test_an_rs256_token_can_not_be_checked_with_an_es256_key(rsa_key, ec_key):
    token = jwt.encode({"a": 1}, rsa_key, "RS256")
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(token, ec_key.public_key(), ["RS256", "ES256"])


@pytest.mark.parametrize("header", [{"jwk": {"kty": "oct", "k": "YXR0YWNrZXI"}}, {"jku": "https://evil/jwks"},
                                    {"x5u": "https://evil/cert"}, {"kid": "../../dev/null"}])
def test_keys_named_in_the_header_are_never_used(header):
    """CVE-2018-0114 and friends: the verifier's key is the only key; header key hints change nothing."""
    attacker = b"attacker-secret-" * 2
    forged = forge_hs256({"alg": "HS256", **header}, {"sub": "usr_admin"}, attacker)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, SECRET, ["HS256"])


def test_short_and_empty_hmac_keys_are_refused():
    for key in (b"", b"secret", b"x" * 31):
        with pytest.raises(jwt.InvalidKeyError):
            jwt.encode({"a": 1}, key, "HS256")
        with pytest.raises(jwt.InvalidKeyError):
            jwt.decode(RFC_TOKEN, key, ["HS256"])


def test_a_tampered_payload_or_signature_fails_verification():
    token = jwt.encode({"sub": "usr_bob"}, SECRET)
    h, p, s = token.split(".")
    evil = jwt.b64url_encode(b'{"sub":"usr_admin"}')
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{h}.{evil}.{s}", SECRET, ["HS256"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, b"q" * 32, ["HS256"])


def test_a_non_canonical_signature_spelling_is_refused():
    token = jwt.encode({"sub": "usr_bob"}, SECRET)
    last = token[-1]
    # 32 bytes -> 43 chars, the last holds 2 unused bits: flipping them decodes to the same bytes
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(last) ^ 1]
    with pytest.raises(jwt.DecodeError):
        jwt.decode(token[:-1] + twin, SECRET, ["HS256"])


def test_issuer_is_an_exact_match_not_a_substring():
    """CVE-2024-53861: PyJWT 2.10.0 accepted iss 'acb' for issuer 'abc'-like partial matches."""
    token = jwt.encode({"iss": "auth"}, SECRET)
    with pytest.raises(jwt.InvalidIssuerError):
        jwt.decode(token, SECRET, ["HS256"], issuer="https://auth.example")
    with pytest.raises(jwt.InvalidIssuerError):
        jwt.decode(jwt.encode({"iss": ["auth"]}, SECRET), SECRET, ["HS256"], issuer=["auth"])
    assert jwt.decode(token, SECRET, ["HS256"], issuer=["auth", "other"]) == {"iss": "auth"}


@pytest.mark.parametrize("aud", ["cha", "chatroom", ["cha"], "", ["chat2"], 7, [7], {"chat": 1}])
def test_audience_is_exact_string_or_membership_never_substring(aud):
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(jwt.encode({"aud": aud}, SECRET), SECRET, ["HS256"], audience="chat")


def test_a_token_for_some_audience_is_refused_by_a_verifier_expecting_none():
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(jwt.encode({"aud": "billing"}, SECRET), SECRET, ["HS256"])


@pytest.mark.parametrize("claims,error", [
    ({"exp": NOW}, jwt.ExpiredSignatureError),
    ({"exp": NOW - 1}, jwt.ExpiredSignatureError),
    ({"nbf": NOW + 1}, jwt.ImmatureSignatureError),
    ({"iat": NOW + 1}, jwt.ImmatureSignatureError),
    ({"exp": "2030-01-01"}, jwt.InvalidClaimError),
    ({"exp": True}, jwt.InvalidClaimError),
    ({"nbf": None}, jwt.InvalidClaimError),
    ({"iat": [NOW]}, jwt.InvalidClaimError),
])
def test_time_claims_are_checked_on_the_injected_clock(claims, error):
    with pytest.raises(error):
        jwt.decode(jwt.encode(claims, SECRET), SECRET, ["HS256"], clock=FakeClock(NOW))


def test_leeway_tolerates_small_clock_skew_and_no_more():
    token = jwt.encode({"exp": NOW, "nbf": NOW + 20}, SECRET)
    assert jwt.decode(token, SECRET, ["HS256"], clock=FakeClock(NOW + 5), leeway=30)
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, SECRET, ["HS256"], clock=FakeClock(NOW + 30), leeway=30)


def test_non_finite_numbers_are_not_json():
    token = forge_hs256({"alg": "HS256"}, {}, SECRET)
    h, _, _ = token.split(".")
    for body in (b'{"exp": NaN}', b'{"exp": Infinity}', b'{"exp": 1e999}'):
        p = jwt.b64url_encode(body)
        s = jwt.b64url_encode(hmac.new(SECRET, f"{h}.{p}".encode(), hashlib.sha256).digest())
        with pytest.raises((jwt.DecodeError, jwt.InvalidClaimError)):
            jwt.decode(f"{h}.{p}.{s}", SECRET, ["HS256"], clock=FakeClock(NOW))


def test_required_claims_must_be_present():
    with pytest.raises(jwt.MissingRequiredClaimError) as info:
        jwt.decode(jwt.encode({"sub": "x"}, SECRET), SECRET, ["HS256"], require=["sub", "jti"])
    assert info.value.claim == "jti"


@pytest.mark.parametrize("crit", [["exp"], ["b64"], [], "b64", [1]])
def test_unknown_or_malformed_crit_headers_are_refused(crit):
    token = jwt.encode({"a": 1}, SECRET, headers={"crit": crit, "b64": False})
    with pytest.raises(jwt.UnsupportedCriticalHeaderError):
        jwt.decode(token, SECRET, ["HS256"])


def test_headers_can_not_override_the_signing_algorithm():
    token = jwt.encode({"a": 1}, SECRET, "HS256", headers={"alg": "none", "kid": "k1"})
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT", "kid": "k1"}


@pytest.mark.parametrize("token", [
    "", "a", "a.b", "a.b.c.d", "a..c", ".b.c", "a.b.", "e30.e30.e30=", "e30.e30.e+/", " e30.e30.AA",
    "W10.e30.AA", "e30.W10.AA", "bnVsbA.e30.AA", "e30.eyJhIjoxLCJhIjoyfQ.AA", "eyJhbGciOiJIUzI1NiJ9.e30.A",
    "x" * 10_000, b"\xff.\xff.\xff", None, 123, ["a", "b", "c"],
])
def test_anything_not_a_compact_jws_is_a_decode_error(token):
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(token, SECRET, ["HS256"])


def test_deep_nesting_is_refused_before_parsing():
    body = jwt.b64url_encode(b'{"a":' + b"[" * 2000 + b"]" * 2000 + b"}")
    header = jwt.b64url_encode(b'{"alg":"HS256"}')
    with pytest.raises(jwt.TokenTooLargeError):
        jwt.decode(f"{body}.{header}.AAAA", SECRET, ["HS256"])
    with pytest.raises(jwt.TokenTooLargeError):
        jwt.get_unverified_header(f"{body}.{header}.AAAA")


def test_brackets_inside_strings_do_not_count_as_nesting():
    claims = {"note": "[[[[[[[[[[{{{{{{{{{{ \\\" [[[[", "roles": [["a"]]}
    assert jwt.decode(jwt.encode(claims, SECRET), SECRET, ["HS256"]) == claims


def test_mutating_a_returned_header_never_changes_the_next_decode():
    token = jwt.encode({"a": 1}, SECRET, headers={"kid": "k1", "x5c": ["cert"]})
    first = jwt.decode_complete(token, SECRET, ["HS256"])["header"]
    first["alg"], first["x5c"][0] = "none", "evil"
    assert jwt.decode_complete(token, SECRET, ["HS256"])["header"] == {"alg": "HS256", "typ": "JWT", "kid": "k1",
                                                                      "x5c": ["cert"]}


def test_duplicate_member_names_are_refused():
    header = jwt.b64url_encode(b'{"alg":"HS256","alg":"none"}')
    with pytest.raises(jwt.DecodeError):
        jwt.decode(f"{header}.e30.AAAA", SECRET, ["HS256"])


# --- fuzzing: decode raises InvalidTokenError subclasses and nothing else ------------------

def _only_token_errors(token):
    try:
        jwt.decode(token, SECRET, ["HS256", "RS256"], audience="chat", issuer="auth", leeway=5,
                   clock=FakeClock(NOW), require=["exp"])
    except jwt.InvalidTokenError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.binary()))
def test_fuzz_arbitrary_strings_and_bytes(token):
    _only_token_errors(token)


segment = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(segment, min_size=1, max_size=5))
def test_fuzz_dotted_base64url_segments(parts):
    _only_token_errors(".".join(parts))


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                           max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["alg", "typ", "crit", "kid"]), json_values),
       st.dictionaries(st.sampled_from(["exp", "nbf", "iat", "aud", "iss", "sub"]), json_values))
def test_fuzz_validly_signed_tokens_with_arbitrary_claims(header, payload):
    seg = lambda o: jwt.b64url_encode(json.dumps(o).encode())
    signing_input = seg({**header, "alg": header.get("alg", "HS256")}) + "." + seg(payload)
    sig = jwt.b64url_encode(hmac.new(SECRET, signing_input.encode(), hashlib.sha256).digest())
    _only_token_errors(f"{signing_input}.{sig}")


def test_a_jwk_thumbprint_matches_rfc7638_section_3_1():
    jwk = {"kty": "RSA", "e": "AQAB", "alg": "RS256", "kid": "2011-04-29",
           "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4"
                "n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0"
                "zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-c"
                "sFCur-kEgU8awapJzKnqDKgw"}
    assert jwt.thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_a_public_jwk_names_itself_by_its_thumbprint_and_never_carries_the_private_part():
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = jwt.public_jwk(key.public_key(), "ES256")
    assert "d" not in jwk and jwk["kid"] == jwt.thumbprint(jwk) and jwk["use"] == "sig"
    assert jwt.public_jwk(ec.generate_private_key(ec.SECP256R1()).public_key(), "ES256")["kid"] != jwk["kid"]
