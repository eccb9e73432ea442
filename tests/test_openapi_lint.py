"""The contract passes the industry's linters: Spectral (OpenAPI rules plus OWASP API Security) and Redocly.

The npm tools live in tools/lint (``make lint-deps`` installs them with the machine's Node.js).
Every rule the contract does not follow is switched off in tools/lint/.spectral.yaml or
tools/lint/.redocly.lint-ignore.yaml with its reason; anything else, error or warning, fails.
Without Node.js or the installed packages, the lane skips and says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from apidesign.paths import ROOT
from apidesign.server import create_app
from apidesign.server.openapi import openapi_document

LINT = ROOT / "tools" / "lint"
BIN = LINT / "node_modules" / ".bin"
QUIET = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def document():
    """The contract the app serves at /v1/openapi.json, written where the rulesets expect it."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: the OpenAPI lint lane needs it (`make system-deps` installs it)")
    if not (BIN / "spectral").exists() or not (BIN / "redocly").exists():
        pytest.skip("the linters are not installed in tools/lint/node_modules: run `make lint-deps`")
    path = LINT / "openapi.json"
    path.write_text(json.dumps(openapi_document(create_app()), indent=1), encoding="utf-8")
    return path.name


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=LINT, env=QUIET, capture_output=True, text=True, timeout=300)


def test_spectral_with_the_owasp_ruleset_finds_no_error_and_no_warning(document):
    result = run(str(BIN / "spectral"), "lint", document, "--ruleset", ".spectral.yaml", "--format", "json",
                 "--quiet", "--fail-severity", "hint")
    problems, _ = json.JSONDecoder().raw_decode(result.stdout)  # Spectral appends a sentence after the JSON
    assert [(p["code"], "/".join(map(str, p["path"]))) for p in problems] == [], result.stderr


def test_redocly_recommended_rules_find_no_error_and_no_warning(document):
    result = run(str(BIN / "redocly"), "lint", document, "--config", "redocly.yaml", "--format", "json")
    report = json.loads(result.stdout)
    assert report["totals"]["errors"] == 0 and report["totals"]["warnings"] == 0, report["problems"]
