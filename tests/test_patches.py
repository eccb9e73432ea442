"""A merge patch applied twice changes nothing more; a JSON Patch add to an array appends on every application."""

import pytest

from apidesign.patches import PatchError, json_patch, merge_patch

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


# RFC 6902 Appendix A, each example: (document, patch, result), or PatchError where the RFC says it is an error.
# A.13 (a member given twice) is a JSON parsing matter that a Python dict cannot even represent.
APPENDIX_A = {
    "A.1 adding an object member": ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}],
                                    {"baz": "qux", "foo": "bar"}),
    "A.2 adding an array element": ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}],
                                    {"foo": ["bar", "qux", "baz"]}),
    "A.3 removing an object member": ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}],
                                      {"foo": "bar"}),
    "A.4 removing an array element": ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}],
                                      {"foo": ["bar", "baz"]}),
    "A.5 replacing a value": ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}],
                              {"baz": "boo", "foo": "bar"}),
    "A.6 moving a value": ({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
                           [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
                           {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
    "A.7 moving an array element": ({"foo": ["all", "grass", "cows", "eat"]},
                                    [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
                                    {"foo": ["all", "cows", "eat", "grass"]}),
    "A.8 testing a value: success": ({"baz": "qux", "foo": ["a", 2, "c"]},
                                     [{"op": "test", "path": "/baz", "value": "qux"},
                                      {"op": "test", "path": "/foo/1", "value": 2}],
                                     {"baz": "qux", "foo": ["a", 2, "c"]}),
    "A.9 testing a value: error": ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], PatchError),
    "A.10 adding a nested member object": ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
                                           {"foo": "bar", "child": {"grandchild": {}}}),
    "A.11 ignoring unrecognized elements": ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
                                            {"foo": "bar", "baz": "qux"}),
    "A.12 adding to a nonexistent target": ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}],
                                            PatchError),
    "A.14 ~ escape ordering": ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    "A.15 comparing strings and numbers": ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}],
                                           PatchError),
    "A.16 adding an array value": ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
                                   {"foo": ["bar", ["abc", "def"]]}),
}


@pytest.mark.parametrize("example", APPENDIX_A)
def test_the_rfc_6902_appendix_a_examples(example):
    document, patch, result = APPENDIX_A[example]
    if result is PatchError:
        with pytest.raises(PatchError):
            json_patch(document, patch)
    else:
        assert json_patch(document, patch) == result


@pytest.mark.parametrize("operation, rule", [
    ({"op": "replace", "path": "/missing", "value": 1}, "replace needs an existing target (section 4.3)"),
    ({"op": "remove", "path": "/missing"}, "remove needs an existing target (section 4.2)"),
    ({"op": "remove", "path": "/list/2"}, "an index equal to the size names no element"),
    ({"op": "add", "path": "/list/3", "value": 9}, "an index greater than the array's size (section 4.1)"),
    ({"op": "add", "path": "/list/99", "value": 9}, "an index far past the end does not append"),
    ({"op": "add", "path": "/list/-1", "value": 9}, "negative indices are not array indices (RFC 6901 section 4)"),
    ({"op": "add", "path": "/list/01", "value": 9}, "a leading zero is not an array index (RFC 6901 section 4)"),
    ({"op": "replace", "path": "/list/-", "value": 9}, "'-' is only for add"),
    ({"op": "remove", "path": "/list/-"}, "'-' is only for add"),
    ({"op": "add", "path": "list", "value": 9}, "a pointer starts with '/' (RFC 6901 section 3)"),
    ({"op": "add", "path": "/a~2", "value": 9}, "'~' is followed by 0 or 1 (RFC 6901 section 3)"),
    ({"op": "add", "path": "/name/x", "value": 9}, "a string has no members"),
    ({"op": "add", "path": "/list"}, "add needs a value"),
    ({"op": "replace", "value": 1}, "every operation needs a path"),
    ({"op": "remove", "path": ""}, "removing the whole document"),
    ({"op": "move", "from": "/list", "path": "/list/0"}, "a value cannot move into its own child (section 4.4)"),
    ({"op": "move", "from": "/missing", "path": "/missing"}, "the from location MUST exist, even for a move onto itself"),
    ({"op": "move", "from": "", "path": "/whole"}, "the root is a proper prefix of every other location (section 4.4)"),
    ({"op": "test", "path": "/flag", "value": 1}, "true is not 1 (section 4.6)"),
    ({"op": "frobnicate", "path": "/name"}, "an unknown op"),
    ("add /name", "an operation is an object"),
])
def test_a_patch_that_breaks_a_rule_is_a_patch_error_and_the_document_is_unchanged(operation, rule):
    doc = {"name": "general", "list": [1, 2], "flag": True}
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "add", "path": "/added", "value": 1}, operation])
    assert doc == {"name": "general", "list": [1, 2], "flag": True}, rule


def test_the_empty_pointer_is_the_whole_document():
    assert json_patch({"a": 1}, [{"op": "replace", "path": "", "value": [1]}]) == [1]
    assert json_patch({"a": 1}, [{"op": "add", "path": "", "value": {"b": 2}}]) == {"b": 2}
    assert json_patch({"a": 1}, [{"op": "test", "path": "", "value": {"a": 1.0}}]) == {"a": 1}


@pytest.mark.parametrize("location", ["", "/name", "/list/1", "/list"])
def test_a_move_from_a_location_to_itself_changes_nothing_since_from_is_not_a_proper_prefix_of_path(location):
    doc = {"name": "general", "list": [1, 2]}
    assert json_patch(doc, [{"op": "move", "from": location, "path": location}]) == doc


def test_the_error_names_the_operation_that_failed():
    with pytest.raises(PatchError, match=r"operation 1 .*'/missing'"):
        json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 1}, {"op": "replace", "path": "/missing", "value": 2}])


def test_a_json_patch_test_guards_an_add_against_a_concurrent_change():
    guarded = [{"op": "test", "path": "/memberIds", "value": ["usr_alice"]},
               {"op": "add", "path": "/memberIds/-", "value": "usr_bob"}]
    assert json_patch(CHANNEL, guarded)["memberIds"] == ["usr_alice", "usr_bob"]
    with pytest.raises(PatchError):
        json_patch(json_patch(CHANNEL, guarded), guarded)
