"""The contract passes the industry's linters: Spectral (OpenAPI rules plus OWASP API Security) and Redocly.

``make lint-deps`` installs them into tools/lint with the machine's Node.js; without them this lane
skips and says why. Every rule the contract does not follow is switched off in a committed ruleset
with its reason; any other problem, error or warning, fails.
"""

from __future__ import annotations

import pytest

from apidesign.server import create_app
from apidesign.server.contract_lint import LintersMissing, lint, missing, switched_off
from apidesign.server.openapi import openapi_document


@pytest.fixture(scope="module")
def problems():
    reason = missing()
    if reason:
        pytest.skip(f"OpenAPI lint lane: {reason}")
    return lint(openapi_document(create_app()))


def test_spectral_with_the_owasp_ruleset_finds_no_error_and_no_warning(problems):
    assert [(p.rule, p.where) for p in problems if p.tool == "spectral"] == []


def test_redocly_recommended_rules_find_no_error_and_no_warning(problems):
    assert [(p.rule, p.where) for p in problems if p.tool == "redocly"] == []


def test_a_problem_the_rulesets_do_not_excuse_is_reported(problems):
    document = openapi_document(create_app())
    del document["paths"]["/v1/whoami"]["get"]["description"]
    assert [(p.tool, p.rule) for p in lint(document)] == [("spectral", "operation-description")]


def test_every_rule_switched_off_gives_its_reason():
    assert switched_off() and all(len(reason) > 30 for _, _, reason in switched_off())


def test_switched_off_says_where_each_rule_is_off():
    where = {(rule, place) for rule, place, _ in switched_off()}
    assert ("info-contact", "everywhere") in where and ("owasp:api2:2023-read-restricted", "/v1/openapi.json") in where
    assert ("owasp:api4:2023-string-limit", "components/schemas/ErrorBody") in where


def test_without_the_linters_lint_says_what_to_install(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(LintersMissing, match="Node.js"):
        lint({})
