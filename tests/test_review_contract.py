"""Interview artifacts generated from the OpenAPI document: the endpoint table, the sketch, the conformance check."""

from __future__ import annotations

import pytest

from apidesign.review import review
from apidesign.review.contract import UnknownOperation, conformance, from_openapi, shape, sketch
from apidesign.server.openapi import openapi_document

CORE_FLOWS = ["create_channel", "list_user_channels", "send_message", "list_messages"]


@pytest.fixture(scope="module")
def document():
    from apidesign.server import create_app
    return openapi_document(create_app())


def test_the_table_lists_the_chosen_operations_in_order_with_their_paging(document):
    design = from_openapi(document, CORE_FLOWS)
    assert [e.line for e in design.endpoints] == [
        "POST /v1/channels", "GET /v1/users/{user_id}/channels?cursor={cursor}&limit=20",
        "POST /v1/channels/{channel_id}/messages", "GET /v1/channels/{channel_id}/messages?cursor={cursor}&limit=20"]


def test_every_operation_appears_once_when_none_are_chosen(document):
    n = sum(len(ops) for ops in document["paths"].values())
    assert len(from_openapi(document).endpoints) == n


def test_the_reference_apis_core_flows_pass_the_reviewer_with_the_syllabus_notes(document):
    from apidesign.paths import DATA
    from apidesign.review import load_design
    notes = load_design(DATA / "designs" / "chat-good.md").notes
    assert review(from_openapi(document, CORE_FLOWS, notes=[n.text for n in notes])) == []


def test_an_unknown_operation_id_is_a_named_error(document):
    with pytest.raises(UnknownOperation):
        from_openapi(document, ["sendMessage"])


def test_the_sketch_shows_method_credentials_body_shape_status_and_errors(document):
    text = sketch(document, "send_message")
    assert text.splitlines()[0] == "POST /v1/channels/{channel_id}/messages"
    assert "Authorization: Bearer <jwt>" in text and "Idempotency-Key: \"8e03978e-40d5-43e8-bc93-6894a57f9324\"" in text
    assert '"content": "<string, 1-4000 chars>"' in text and '"type": "text | markdown"' in text
    assert "Response (201 Created), Location: <string>" in text
    assert text.splitlines()[-1].startswith("Errors (the error envelope): 400, 401, 403, 404")


def test_shape_follows_refs_and_shows_arrays_enums_and_nullable_types(document):
    assert shape(document, {"$ref": "#/components/schemas/ChannelPatch"})["topic"] == "<string or null, 0-250 chars>"
    assert shape(document, {"type": "array", "items": {"enum": ["a", "b"]}}) == ["a | b"]


def test_conformance_accepts_a_real_answer_and_names_what_is_wrong_with_a_bad_one(document, client, as_user):
    r = client.post("/v1/channels", json={"name": "general"}, headers=as_user("usr_alice"))
    assert conformance(document, "create_channel", 201, r.get_json()) == []
    broken = {"data": {**r.get_json()["data"], "createdAt": 1773311400}}
    assert conformance(document, "create_channel", 201, broken) == ["data/createdAt: 1773311400 is not of type 'string'"]
    assert conformance(document, "create_channel", 418, {}) == ["418 is not a documented answer of create_channel"]


def test_conformance_checks_the_response_headers_when_given_them(document, client, as_user):
    r = client.post("/v1/channels", json={"name": "general"}, headers=as_user("usr_alice"))
    assert conformance(document, "create_channel", 201, r.get_json(), r.headers) == []
    without = {k: v for k, v in r.headers.items() if k != "ETag"}
    assert conformance(document, "create_channel", 201, r.get_json(), without) == ["ETag: required header missing"]
    weak = {**dict(r.headers.items()), "etag": 'W/"1"'}  # names are case-insensitive; the contract promises strong tags
    assert conformance(document, "create_channel", 201, r.get_json(), weak)[0].startswith("ETag: ")


def with_if_match(document, required):
    """The document with its ``IfMatch`` parameter made required (or left optional)."""
    parameters = document["components"]["parameters"]
    return document | {"components": document["components"] | {
        "parameters": parameters | {"IfMatch": parameters["IfMatch"] | {"required": required}}}}


def test_a_write_row_says_whether_the_contract_requires_if_match_and_only_a_required_one_stands_the_reviewer_down(
        document):
    rows = {e.line: e.description for e in from_openapi(document).endpoints}
    assert document["components"]["parameters"]["IfMatch"]["required"] is False  # /v1 applies a write without it
    assert rows["PUT /v1/channels/{channel_id}"].endswith("(If-Match optional)")
    assert "If-Match" not in rows["POST /v1/channels"] and "If-Match" not in rows["GET /v1/channels/{channel_id}"]
    lost = {f.line for f in review(from_openapi(document), ["Bearer JWT."]) if f.rule == "shared-edit-without-precondition"}
    assert lost == {"PUT /v1/channels/{channel_id}", "PATCH /v1/channels/{channel_id}"}  # last write wins on /v1
    required = from_openapi(with_if_match(document, True))
    assert {e.line: e.description for e in required.endpoints}["PUT /v1/channels/{channel_id}"].endswith(
        "(If-Match required)")
    assert "shared-edit-without-precondition" not in {f.rule for f in review(required, ["Bearer JWT."])}