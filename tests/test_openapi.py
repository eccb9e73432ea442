"""The OpenAPI document: valid 3.1, served publicly, and unable to drift from the routes or the handlers' limits."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from apidesign.idempotency import IdempotencyKeyMalformed, parse_key
from apidesign.server import create_app
from apidesign.server import openapi as contract
from apidesign.server.openapi import StaleOperation, UndocumentedRoute, openapi_document, openapi_path


@pytest.fixture
def document(client):
    return client.get("/v1/openapi.json").get_json()


def schema_of(document, name):
    return document["components"]["schemas"][name]


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


def test_the_document_is_public_and_is_the_one_the_app_builds(client, app):
    r = client.get("/v1/openapi.json")  # no credentials
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.get_json() == openapi_document(app)


def test_every_v1_route_and_method_is_documented_and_nothing_else_is(app, document):
    routed = {(openapi_path(r.rule), m.lower()) for r in app.url_map.iter_rules() if r.rule.startswith("/v1/")
              for m in r.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert routed == documented


def test_a_new_v1_route_without_an_operation_stops_the_document_from_being_built(app: Flask):
    app.add_url_rule("/v1/secret-admin", "admin.secret", lambda: "")
    with pytest.raises(UndocumentedRoute, match="/v1/secret-admin"):
        openapi_document(app)


def test_an_operation_whose_route_was_removed_stops_the_document_from_being_built(app, monkeypatch):
    monkeypatch.setitem(contract.OPERATIONS, "channels.archive_channel", contract.OPERATIONS["channels.get_channel"])
    with pytest.raises(StaleOperation, match="channels.archive_channel"):
        openapi_document(app)


def test_flask_path_converters_become_openapi_templates():
    assert openapi_path("/v1/channels/<channel_id>/messages") == "/v1/channels/{channel_id}/messages"
    assert openapi_path("/static/<path:filename>") == "/static/{filename}"


def test_each_operation_requires_the_scope_the_server_checks(document, client, app):
    """The oauth2 scope in the document is the one whose absence gets a 403 insufficient_scope."""
    from apidesign.server import credentials
    op = document["paths"]["/v1/channels/{channel_id}/messages:batchCreate"]["post"]
    needed = [s["oauth2"] for s in op["security"] if "oauth2" in s][0]
    assert needed == ["messages:write"]
    r = client.post("/v1/channels/ch_x/messages:batchCreate", json={"messages": [{"content": "hi"}]},
                    headers=credentials(app, "usr_alice", scopes=["channels:read", "messages:read"]))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "INSUFFICIENT_SCOPE"


@pytest.mark.parametrize("length, status", [(0, 201), (1, 400)])
def test_the_documented_content_limit_is_the_one_the_server_enforces(document, client, as_user, length, status):
    limit = schema_of(document, "MessageInput")["properties"]["content"]["maxLength"]
    channel = client.post("/v1/channels", json={"name": "limits"}, headers=as_user("usr_alice")).get_json()
    r = client.post(f"/v1/channels/{channel['data']['channelId']}/messages", json={"content": "x" * (limit + length)},
                    headers=as_user("usr_alice"))
    assert r.status_code == status


@pytest.mark.parametrize("field, value", [("name", "Not Lowercase"), ("name", "x" * 81), ("topic", "t" * 251),
                                          ("surprise", 1)])
def test_a_body_the_schema_rejects_the_server_rejects_too(document, client, as_user, field, value):
    from jsonschema import Draft202012Validator
    schema = {**schema_of(document, "ChannelInput"), "components": document["components"]}
    body = {"name": "ok-name", field: value}
    assert not Draft202012Validator(schema).is_valid(body)
    assert client.post("/v1/channels", json=body, headers=as_user("usr_alice")).status_code == 400


def test_a_body_the_schema_accepts_the_server_accepts(document, client, as_user):
    from jsonschema import Draft202012Validator
    body = {"name": "a" + "b" * 79, "topic": "t" * 250, "memberIds": ["usr_bob"]}
    assert Draft202012Validator(schema_of(document, "ChannelInput")).is_valid(body)
    assert client.post("/v1/channels", json=body, headers=as_user("usr_alice")).status_code == 201


def test_links_name_operations_that_exist(document):
    operation_ids = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    targets = {link["operationId"] for ops in document["paths"].values() for op in ops.values()
               for response in op["responses"].values() for link in response.get("links", {}).values()}
    assert targets and targets <= operation_ids


def test_every_error_response_is_the_envelope(document):
    for name, response in document["components"]["responses"].items():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, name



def test_the_batch_operation_documents_what_an_all_failed_batch_answers(document, client, as_user):
    op = document["paths"]["/v1/channels/{channel_id}/messages:batchCreate"]["post"]
    assert "BATCH_FAILED" in op["description"] and "400" in op["responses"]
    alice = as_user("usr_alice")
    cid = client.post("/v1/channels", json={"name": "general"}, headers=alice).get_json()["data"]["channelId"]
    r = client.post(f"/v1/channels/{cid}/messages:batchCreate", json={"messages": [{"content": ""}]}, headers=alice)
    assert (r.status_code, r.get_json()["error"]["code"]) == (400, "BATCH_FAILED")


def test_the_patch_operation_declares_merge_patch_json_first_and_plain_json(document):
    content = document["paths"]["/v1/channels/{channel_id}"]["patch"]["requestBody"]["content"]
    assert list(content) == ["application/merge-patch+json", "application/json"]


BUILT = openapi_document(create_app())


def key_pattern(document):
    return document["components"]["parameters"]["IdempotencyKey"]["schema"]["pattern"]


def test_the_idempotency_key_pattern_accepts_the_drafts_quoted_form_which_the_server_accepts(document, client, as_user):
    quoted = '"8e03978e-40d5-43e8-bc93-6894a57f9324"'  # draft-ietf-httpapi-idempotency-key-header-06, section 2.1
    assert re.fullmatch(key_pattern(document), quoted) and re.fullmatch(key_pattern(document), quoted.strip('"'))
    headers = {**as_user("usr_alice"), "Idempotency-Key": quoted}
    assert client.post("/v1/channels", json={"name": "quoted"}, headers=headers).status_code == 201


def server_accepts(header):
    try:
        parse_key(header)
    except IdempotencyKeyMalformed:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=260),
                 st.text(alphabet='ab "\\', max_size=8).map(lambda s: f'"{s}"'),
                 st.sampled_from(["x" * 255, "x" * 256, '"' + "x" * 255 + '"', '"' + "\\\\" * 255 + '"'])))
def test_the_idempotency_key_pattern_accepts_exactly_what_the_server_accepts(header):
    if header.strip() == header:  # an HTTP parser strips the blanks around a field value before any check
        assert bool(re.fullmatch(key_pattern(BUILT), header)) == server_accepts(header)
