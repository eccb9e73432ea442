"""Schemathesis against a live server: every documented operation, generated requests, no 500s, no schema violations.

The server is the reference API behind ``serve()`` on 127.0.0.1, called with real
credentials: a bearer token for user routes, an API key for the server-to-server one.
Four rules of the API depend on state the schema cannot express, so this test checks
them itself instead of letting the fuzzer call them wrong (see ``expect_state_rule``).
"""

from __future__ import annotations

import itertools
import re
import time

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis.stateful import initialize
from schemathesis.checks import CHECKS
from schemathesis.generation.stateful.state_machine import StepInput

from apidesign.server import create_app, credentials, serve
from apidesign.server.openapi import openapi_document
from apidesign.server.openapi_components import IDEMPOTENCY_KEY_PATTERN

# Every documented operation is fuzzed, the WebSocket upgrade included: generated handshakes get their
# 101 (or 404/403/426) and Schemathesis closes the connection; tests/test_protocols_websocket.py talks over it.
NOT_FUZZED: set[str] = set()
MAX_EXAMPLES = 25   # per operation and phase
STATEFUL_RUNS = 40  # scenarios of up to 8 linked calls each

CASES = {"total": 0, "by_status": {}}
_unique = itertools.count()


SERVER_CONFIG = {"SSE_MAX_HEARTBEATS": 0, "ID_SEED": 11}  # event streams end at once instead of idling


@pytest.fixture(scope="module")
def contract_server(request):
    """A live reference API with one channel, plus a user's token and an API key that can post to it."""
    with serve(create_app(SERVER_CONFIG)) as live:
        user, api_key = logged_in(live)
        requests.post(live.url + "/v1/channels", json={"name": "general", "memberIds": ["usr_bob"]},
                      headers=user).raise_for_status()
        yield live, user, api_key
    summarize(request.config)


def logged_in(live) -> tuple[dict, dict]:
    """Alice's bearer-token headers, and headers with an API key she made for an integration."""
    user = dict(credentials(live.app, "usr_alice"))
    key = requests.post(live.url + "/v1/api-keys", json={"scopes": ["messages:write"]}, headers=user)
    return user, {"X-API-Key": key.json()["data"]["key"]}


def summarize(config) -> None:
    """One line in the test log: how many requests Schemathesis generated, by status."""
    report, capture = (config.pluginmanager.get_plugin(name) for name in ("terminalreporter", "capturemanager"))
    if report and capture and CASES["total"]:
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(CASES["by_status"].items()))
        with capture.global_and_fixture_disabled():
            report.write_line(f"\nschemathesis: {CASES['total']} requests to the live server ({statuses})")


# Loaded from the document the app builds, at import time; schemathesis.pytest.from_fixture (lazy
# loading from a live URL) breaks on pytest 9. test_openapi.py checks the served document is this one.
schema = schemathesis.openapi.from_dict(openapi_document(create_app())).exclude(operation_id=list(NOT_FUZZED))

def also_expect(check, status: str) -> None:
    """Add ``status`` to what a Schemathesis check accepts (a new list: the default one is shared)."""
    check.expected_statuses = [*check.expected_statuses, status]


# The WebSocket endpoint answers a good handshake with 101 Switching Protocols and anything else with
# 426 Upgrade Required (RFC 9110 section 15.5.22); Schemathesis's default lists know neither. Any other
# operation answering 101 or 426 still fails, because the status is not in its documented responses.
checks = schema.config.checks
also_expect(checks.not_a_server_error, "101")
also_expect(checks.positive_data_acceptance, "101")
also_expect(checks.negative_data_rejection, "426")
also_expect(checks.missing_required_header, "426")
# A stale If-Match is answered 412 before the body is read: RFC 9110 section 13.2.1 evaluates preconditions
# "just before it would process the request content", so a bad body behind a failed precondition is a 412.
also_expect(checks.negative_data_rejection, "412")


@schema.parametrize()
@hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_live_server_answers_every_generated_request_as_its_contract_says(case, contract_server):
    live, user, api_key = contract_server
    unique_idempotency_key(case)
    headers = credentials_for(case, user, api_key)
    response = case.call(base_url=live.url, headers=headers, timeout=10)
    validate(case, response, headers)


def test_core_flows_chained_through_the_documents_links_keep_the_contract():
    """Stateful: create a channel, then follow the document's links (send, read, patch, delete ...) with its real IDs.

    Each scenario gets a fresh, seeded server, so a scenario's answers depend only on its own steps
    (Hypothesis replays a scenario's start to explore from it, and needs the same answers again).
    """
    base = schema.as_state_machine()

    class CoreFlows(base):
        def setup(self):
            self.live = serve(create_app(SERVER_CONFIG))
            self.user, self.api_key = logged_in(self.live)

        def teardown(self):
            self.live.stop()

        # Schemathesis starts flows only from requests it expects to succeed, and it reads memberIds as a
        # reference to users nothing creates, so it never starts at POST /v1/channels. Start there ourselves.
        @initialize(target=base.bundles["POST /v1/channels -> 201"])
        def create_channel(self):
            case = schema["/v1/channels"]["POST"].Case(body={"name": "flow", "memberIds": ["usr_bob"]},
                                                      media_type="application/json")
            self.recorder.record_case(case=case)  # as Schemathesis's own root steps do (pinned version)
            return self.step(StepInput.initial(case))

        def before_call(self, case):
            unique_idempotency_key(case)

        def get_call_kwargs(self, case):
            return {"base_url": self.live.url, "headers": credentials_for(case, self.user, self.api_key), "timeout": 10}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            validate(case, response, kwargs["headers"])

    created = CASES["by_status"].get(201, 0)
    # No shrinking: a failure is reported as found, with its whole scenario.
    CoreFlows.run(settings=hypothesis.settings(max_examples=STATEFUL_RUNS, stateful_step_count=8, deadline=None,
                                               derandomize=True, phases=[hypothesis.Phase.generate],
                                               suppress_health_check=list(hypothesis.HealthCheck)))
    assert CASES["by_status"].get(201, 0) > created + STATEFUL_RUNS, "the flows never got past creating a channel"


def test_the_long_running_flow_follows_the_documents_links_and_keeps_the_contract(contract_server):
    """Create a channel -> export it (202) -> poll the operation until done: each ID taken from the link the
    document declares, each answer run through every Schemathesis check. The generated scenarios above
    rarely reach the poll, so this flow is walked on purpose."""
    live, user, api_key = contract_server
    created = call("/v1/channels", "POST", live, user, body={"name": "export-flow"})
    started = call("/v1/channels/{channel_id}/exports", "POST", live, user, body={},
                   path_parameters=follow(created, "create_channel", "start_export"))
    # Retry-After: the export's whole 2 s (EXPORT_DURATION), the time it is still expected to take
    assert started.status_code == 202 and started.headers["retry-after"] == ["2"]  # Schemathesis's headers: lists
    for _ in range(50):  # EXPORT_DURATION is 2 s on this server's real clock
        polled = call("/v1/operations/{operation_id}", "GET", live, user,
                      path_parameters=follow(started, "start_export", "get_operation"))
        if polled.json()["data"]["done"]:
            break
        time.sleep(0.1)
    assert polled.json()["data"]["result"]["channelId"] == created.json()["data"]["channelId"]


def test_a_stream_that_cannot_resume_starts_with_a_reset_event_the_document_describes(contract_server):
    """A Last-Event-ID from before a restart gets ``event: reset`` (server/sse.py); every event a stream sends
    must match the document, which before OpenAPI 3.2 describes one event. The stateful run above reaches this
    only when Hypothesis happens to send such an id, so it is walked on purpose."""
    live, user, api_key = contract_server
    created = call("/v1/channels", "POST", live, user, body={"name": "reset-flow"})
    streamed = call("/v1/channels/{channel_id}/events", "GET", live, user, headers={"Last-Event-ID": "999999999"},
                    path_parameters={"channel_id": created.json()["data"]["channelId"]})
    assert "event: reset" in streamed.text


def call(path: str, method: str, live, user: dict, **parts):
    """One request made and checked as Schemathesis would: ``parts`` are the Case's body, path_parameters ..."""
    case = schema[path][method].Case(media_type="application/json" if "body" in parts else None, **parts)
    response = case.call(base_url=live.url, headers=user, timeout=10)
    validate(case, response, user)
    return response


def follow(response, source: str, target: str) -> dict:
    """The parameters the document's link from ``source``'s success answer to ``target`` gives, resolved."""
    document = schema.raw_schema
    operation = next(op for ops in document["paths"].values() for op in ops.values() if op["operationId"] == source)
    link = next(iter(r for r in operation["responses"].values() if "links" in r))["links"][target]
    body = response.json()
    resolved = {}
    for name, expression in link["parameters"].items():
        pointer = expression.removeprefix("$response.body#")
        value = body
        for part in pointer.strip("/").split("/"):
            value = value[part]
        resolved[name] = value
    return resolved


def credentials_for(case, user: dict, api_key: dict) -> dict:
    """A user's bearer token, except on the server-to-server route, which takes the API key."""
    return api_key if case.operation.definition.raw.get("operationId") == "incoming_webhook" else user


def validate(case, response, headers: dict) -> None:
    """Run every Schemathesis check on the response, minus any a state rule decided (see expect_state_rule)."""
    record(response.status_code)
    skip = expect_state_rule(case, response)
    case.validate_response(response, headers=headers, excluded_checks=CHECKS.get_by_names(sorted(skip)))


def unique_idempotency_key(case) -> None:
    """A valid generated Idempotency-Key made unique to this case.

    Reusing a key with a different body is a 422 by design (tests/test_idempotency.py covers it),
    but whether a key was used before is history, not schema; invalid keys are left as generated.
    """
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        n = next(_unique)  # a quoted key is replaced whole: cutting it could split an escape
        case.headers["Idempotency-Key"] = f'"key-{n}"' if key.startswith('"') else f"{key[:200]}-{n}"


def expect_state_rule(case, response) -> set[str]:
    """Checks to skip because a rule outside the schema decided the answer; asserts that rule was the reason."""
    body = case.body if isinstance(case.body, dict) else {}
    members = body.get("memberIds")
    if isinstance(members, list) and response.status_code == 400:
        issues = {d.get("issue") for d in response.json()["error"]["details"]}
        if issues == {"unknown_user"}:  # a well-formed ID that names nobody: only the server knows its users
            return {"positive_data_acceptance"}
    conditions = {"If-Match", "If-None-Match"} & set(case.headers or {})
    if conditions and response.status_code == 412:
        # whether an entity tag is current is history, not schema: only the server knows its ETags
        assert error_code(response) == "PRECONDITION_FAILED", response.text
        return {"positive_data_acceptance"}
    query = case.query or {}
    if query.get("cursor") and response.status_code == 400 and error_code(response) == "INVALID_CURSOR":
        return {"positive_data_acceptance"}  # a cursor is valid only if this server signed it
    if query.get("cursor") and "offset" in query and response.status_code == 400:
        # "cursor or offset, not both" is beyond what OpenAPI can say about parameters
        assert response.json()["error"]["details"][0]["issue"] == "conflicts_with_cursor", response.text
        return {"positive_data_acceptance"}
    return set()


def error_code(response) -> str | None:
    return (response.json().get("error") or {}).get("code")


def record(status: int) -> None:
    CASES["total"] += 1
    CASES["by_status"][status] = CASES["by_status"].get(status, 0) + 1
