"""apidesign.jwt against PyJWT, in the same run: HS256 encode/decode with every check on, RS256, and the floor.

    .venv/bin/python benchmarks/jwt.py

The floor is what any HS256 verifier must do at least: split, base64url-decode two
segments, parse two JSON objects, one HMAC-SHA-256 and a constant-time compare, and an
``exp`` test. The gap between the floor and a library is the price of its checks.

Target (issue 15): HS256 decode with all checks at least 1.5x PyJWT, as the median of the
per-batch ratios (batches interleaved, so a load spike hits both sides).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import platform
import statistics
import sys
import timeit
from pathlib import Path

# This file is called jwt.py, so Python would import it as `jwt`: drop its folder from the path first.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import jwt as pyjwt  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from apidesign import jwt  # noqa: E402
from apidesign.clock import FakeClock  # noqa: E402

NOW = 1_773_311_400
SECRET = b"s" * 32
CLAIMS = {"iss": "https://auth.apidesign.test", "sub": "usr_alice", "aud": "apidesign-chat", "iat": NOW,
          "nbf": NOW, "exp": NOW + 900, "jti": "MFLZDe1f8rESQedU", "scope": "messages:read messages:write"}
CHECKS = dict(audience="apidesign-chat", issuer="https://auth.apidesign.test", leeway=30)
REQUIRE = ["exp", "iat", "sub", "jti"]
DECODE_TARGET = 1.5  # HS256 decode, all checks: ours / PyJWT


def floor_decode(token: str, secret: bytes) -> dict:
    """The least an HS256 verifier can do: no algorithm, audience or issuer checks at all."""
    h, p, s = token.split(".")
    json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))
    expected = base64.urlsafe_b64encode(hmac.new(secret, f"{h}.{p}".encode(), hashlib.sha256).digest()).rstrip(b"=")
    if not hmac.compare_digest(expected, s.encode()):
        raise ValueError("bad signature")
    payload = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    if payload["exp"] <= NOW:
        raise ValueError("expired")
    return payload


def floor_encode(payload: dict, secret: bytes) -> str:
    seg = lambda o: base64.urlsafe_b64encode(json.dumps(o, separators=(",", ":")).encode()).rstrip(b"=").decode()
    signing_input = seg({"alg": "HS256", "typ": "JWT"}) + "." + seg(payload)
    sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()


def batches(fns, number: int, repeat: int = 9) -> list[list[float]]:
    """Seconds per batch of ``number`` calls, ``repeat`` batches of each function.

    Batches are interleaved (ours, theirs, floor, ours, ...) so that a burst of load from
    other processes slows all contenders alike instead of one of them.
    """
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            times[i].append(timeit.timeit(fn, number=number))
    return times


def main() -> int:
    clock = FakeClock(NOW)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_public = rsa_key.public_key()
    hs_token = jwt.encode(CLAIMS, SECRET)
    rs_token = jwt.encode(CLAIMS, rsa_key, "RS256")
    assert pyjwt.decode(hs_token, SECRET, algorithms=["HS256"], **CHECKS, options={"require": REQUIRE,
                        "verify_exp": False, "verify_iat": False, "verify_nbf": False}) == CLAIMS

    # PyJWT reads the system clock; its exp/iat/nbf checks run against a token valid now, so
    # give it a token expiring far in the future to keep every check on.
    future = {**CLAIMS, "iat": NOW, "nbf": NOW, "exp": 4_102_444_800}
    hs_future, rs_future = pyjwt.encode(future, SECRET), pyjwt.encode(future, rsa_key, algorithm="RS256")
    py_opts = {"require": REQUIRE}

    rows = [
        ("HS256 encode", 50_000,
         lambda: jwt.encode(CLAIMS, SECRET), lambda: pyjwt.encode(CLAIMS, SECRET), lambda: floor_encode(CLAIMS, SECRET)),
        ("HS256 decode, all checks", 50_000,
         lambda: jwt.decode(hs_token, SECRET, ["HS256"], clock=clock, require=REQUIRE, **CHECKS),
         lambda: pyjwt.decode(hs_future, SECRET, algorithms=["HS256"], options=py_opts, **CHECKS),
         lambda: floor_decode(hs_token, SECRET)),
        ("RS256 encode", 300,
         lambda: jwt.encode(CLAIMS, rsa_key, "RS256"), lambda: pyjwt.encode(CLAIMS, rsa_key, algorithm="RS256"), None),
        ("RS256 decode, all checks", 5_000,
         lambda: jwt.decode(rs_token, rsa_public, ["RS256"], clock=clock, require=REQUIRE, **CHECKS),
         lambda: pyjwt.decode(rs_future, rsa_public, algorithms=["RS256"], options=py_opts, **CHECKS), None),
    ]
    print(f"Python {platform.python_version()}, PyJWT {pyjwt.__version__}, {platform.machine()}")
    print("best batch of each side in operations per second; 'median' is the median of the per-batch ratios")
    print(f"{'operation':<26}{'apidesign/s':>13}{'PyJWT/s':>11}{'ours/PyJWT':>12}{'median':>8}"
          f"{'floor/s':>11}{'ours/floor':>12}")
    medians = {}
    for name, n, ours, theirs, floor in rows:
        times = batches([ours, theirs] + ([floor] if floor else []), n)
        a, b, *rest = (n / min(t) for t in times)
        medians[name] = statistics.median(t / o for o, t in zip(times[0], times[1]))
        f = rest[0] if rest else None
        floor_cols = f"{f:>11,.0f}{a / f:>11.2f}x" if f else f"{'-':>11}{'-':>12}"
        print(f"{name:<26}{a:>13,.0f}{b:>11,.0f}{a / b:>11.2f}x{medians[name]:>7.2f}x{floor_cols}")
    decode = medians["HS256 decode, all checks"]
    met = decode >= DECODE_TARGET
    print(f"\ntarget: HS256 decode with all checks >= {DECODE_TARGET:g}x PyJWT (median ratio):"
          f" {'MET' if met else 'MISSED'} ({decode:.2f}x)")
    sys.stdout.flush()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
