"""A merge patch applied twice changes nothing more; a JSON Patch add to an array appends on every application."""

import pytest

from apidesign.patches import json_patch, merge_patch

CHANNEL = {"name": "general", "topic": "chat", "memberIds": ["usr_alice"]}


def test_the_rfc_7396_appendix_a_examples():
    assert merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert merge_patch({"a": "b"}, {"a": None}) == {}
    assert merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert merge_patch({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}) == {"a": {"b": "d"}}
    assert merge_patch(["a", "b"], ["c", "d"]) == ["c", "d"]
    assert merge_patch({}, {"a": {"bb": {"ccc": None}}}) == {"a": {"bb": {}}}


def test_a_merge_patch_is_idempotent():
    patch = {"topic": "standup", "memberIds": ["usr_alice", "usr_bob"]}
    once = merge_patch(CHANNEL, patch)
    assert merge_patch(once, patch) == once


def test_json_patch_add_to_the_end_of_an_array_appends_again_on_every_application():
    add = [{"op": "add", "path": "/memberIds/-", "value": "usr_bob"}]
    once = json_patch(CHANNEL, add)
    assert once["memberIds"] == ["usr_alice", "usr_bob"]
    assert json_patch(once, add)["memberIds"] == ["usr_alice", "usr_bob", "usr_bob"]
    assert CHANNEL["memberIds"] == ["usr_alice"], "the document passed in is left alone"


def test_json_patch_replace_and_add_at_an_index_and_escaped_names():
    doc = {"a/b": {"~x": 1}, "list": [1, 3]}
    patched = json_patch(doc, [{"op": "replace", "path": "/a~1b/~0x", "value": 2},
                               {"op": "add", "path": "/list/1", "value": 2}])
    assert patched == {"a/b": {"~x": 2}, "list": [1, 2, 3]}
    with pytest.raises(ValueError):
        json_patch(doc, [{"op": "remove", "path": "/list/0"}])
