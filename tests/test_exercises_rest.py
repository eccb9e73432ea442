"""The 02-rest-design checks: every right route and condition passes, each wrong one gets its own reason."""

import numpy as np
import pytest
from hypothesis import given

from apidesign.exercises import NOT_ANSWERED, rest
from exercise_strategies import ANY_ANSWER, never_raises_never_passes


@pytest.fixture
def solutions(load_solution):
    return load_solution("02-rest-design")


def test_model_solutions_pass(solutions):
    assert rest.check_routes(solutions.exercise_1).ok
    assert rest.check_status_codes(solutions.exercise_2).ok
    assert rest.check_drift_prediction(solutions.exercise_3).ok
    assert rest.check_keyset_where(solutions.exercise_4).ok
    assert rest.check_decode_cursor(solutions.decode_cursor).ok
    assert rest.check_bookmarks_design(solutions.bookmarks_design).ok


@pytest.mark.parametrize("operation, route", [
    ("translate message msg_9 into French", "GET /v1/messages/msg_9/translate?target=fr"),
    ("translate message msg_9 into French", "POST /v1/messages/msg_9/translations"),
    ("delete message msg_9", "DELETE /v1/channels/ch_1/messages/msg_9"),
    ("read the history of channel ch_1", "get  /v1/channels/ch_1/messages?cursor=abc&limit=20"),
    ("send a message to channel ch_1", "POST /v1/channels/ch_1/messages/"),
    ("send a message to channel ch_1", "POST https://api.example.com/v1/channels/ch_1/messages"),
    ("translate message msg_9 into French", "POST /v1/messages/msg_9:translate"),
    ("translate message msg_9 into French", "GET /v1/messages/msg_9/translations/fr"),
    ("translate message msg_9 into French", "POST /v1/translations"),
])
def test_exercise_1_accepts_every_right_route(solutions, operation, route):
    feedback = rest.check_routes({**solutions.exercise_1, operation: route})
    assert feedback.ok, feedback.message


@pytest.mark.parametrize("operation, route, hint", [
    ("send a message to channel ch_1", "POST /v1/sendMessage", "'sendMessage' in '/v1/sendMessage' is a verb"),
    ("rename channel ch_1, changing nothing else", "PUT /v1/channels/ch_1", "would wipe the topic and members"),
    ("rename channel ch_1, changing nothing else", "POST /v1/channels/ch_1/rename", "'rename'"),
    ("send a message to channel ch_1", "GET /v1/channels/ch_1/messages", "must be safe"),
    ("delete message msg_9", "DELETE /v1/message/msg_9", "in the singular"),
    ("send a message to channel ch_1", "POST /v1/messages", "nested under its owner"),
    ("read the history of channel ch_1", "GET /channels/ch_1/messages", "start with the version"),
    ("delete message msg_9", "POST /v1/messages/msg_9", "DELETE"),
    ("delete message msg_9", 42, "not a string"),
    ("send a message to channel ch_1", "POST /v1/channels/{channelId}/messages", "placeholder ({channelId})"),
    ("delete message msg_9", "DELETE /v1/messages/:id", "placeholder (:id)"),
    ("rename channel ch_1, changing nothing else", "POST /v1/channels/ch_1:rename", "'rename'"),
    ("send a message to channel ch_1", "POST api.example.com/v1/channels/ch_1/messages", "nor an absolute URL"),
])
def test_exercise_1_wrong_routes_fail_with_the_reason_that_route_is_wrong(solutions, operation, route, hint):
    feedback = rest.check_routes({**solutions.exercise_1, operation: route})
    assert not feedback.ok and hint in feedback.message, feedback.message


def test_exercise_1_a_second_url_for_a_message_passes_with_the_one_canonical_url_noted(solutions):
    feedback = rest.check_routes({**solutions.exercise_1, "delete message msg_9": "DELETE /v1/channels/ch_1/messages/msg_9"})
    assert feedback.ok and "one canonical URL, /v1/messages/msg_9" in feedback.message
    assert "canonical" not in rest.check_routes(solutions.exercise_1).message


def test_exercise_1_a_list_gets_a_sentence_not_a_traceback():
    feedback = rest.check_routes(["POST /v1/channels/ch_1/messages"])
    assert not feedback.ok and "expected a dict" in feedback.message


def test_exercise_2_accepts_strings_and_numpy_ints(solutions):
    assert rest.check_status_codes({k: str(v) for k, v in solutions.exercise_2.items()}).ok
    assert rest.check_status_codes({k: np.int16(v) for k, v in solutions.exercise_2.items()}).ok


@pytest.mark.parametrize("situation, code, hint", [
    ("DELETE /v1/channels/ch_1 (channels have no DELETE route)", 404, "you said 404, the API answers 405"),
    ("PATCH /v1/channels/ch_1 by a user who is not a member", 401, "caller is known but not allowed"),
    ("PUT /v1/channels/ch_1 renaming it to a name another channel has", "400", "clashes with the current state"),
    ("DELETE /v1/messages/msg_9 by its sender", "two hundred", "as a number"),
])
def test_exercise_2_wrong_codes_fail_with_the_reason(solutions, situation, code, hint):
    feedback = rest.check_status_codes({**solutions.exercise_2, situation: code})
    assert not feedback.ok and hint in feedback.message, feedback.message


def test_exercise_2_does_not_expose_the_answers():
    assert all(isinstance(s, str) for s in rest.SITUATIONS)


@pytest.mark.parametrize("answer", [18, "18", np.int64(18), 18.0])
def test_exercise_3_accepts_the_count_in_any_numeric_type(answer):
    assert rest.check_drift_prediction(answer).ok


def test_exercise_3_measures_the_count_itself_and_ignores_one_passed_in():
    assert not rest.check_drift_prediction(999, actual=999).ok
    feedback = rest.check_drift_prediction(21)
    assert not feedback.ok and "counts fewer" in feedback.message and "18" not in feedback.message


@pytest.mark.parametrize("where", [
    "(created_at, id) > (:created_at, :id)",
    "created_at > :created_at OR (created_at = :created_at AND id > :id)",
    "(created_at > :created_at) OR (created_at = :created_at AND id > :id)",
])
def test_exercise_4_accepts_the_row_value_and_the_or_form_both_of_which_seek(where):
    feedback = rest.check_keyset_where(where)
    assert feedback.ok and "seeks" in feedback.message, feedback.message


@pytest.mark.parametrize("where, hint", [
    ("(created_at, id) < (:created_at, :id)", "*before* the position"),
    ("created_at > :created_at", "you lost the tie"),
    ("(created_at, id) >= (:created_at, :id)", "strictly greater"),
    ("created_at >= :created_at AND id > :id", "the same created_at and a larger id"),
    ("id > :id OR created_at > :created_at", "IDs here are random, not time-ordered"),
    ("id > :id", "IDs here are random, not time-ordered"),
    ("created_at >>> ", "SQLite refused it"),
    ("1; DROP TABLE messages", "SQLite refused it"),
    (["(created_at, id) > (:created_at, :id)"], "expected a SQL condition"),
])
def test_exercise_4_wrong_conditions_fail_with_the_reason(where, hint):
    feedback = rest.check_keyset_where(where)
    assert not feedback.ok and hint in feedback.message, feedback.message


def signature_ignored(token, collection):
    """Wrong: reads the payload without checking the tag."""
    import base64
    import json
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    _, owner, order, created_at, row_id = json.loads(raw[:-16])
    return (order, created_at, row_id) if owner == collection else None


def _decoder(strict_chars=True, catch=True, check_version=True):
    """The model decoder with one of its checks left out."""
    import base64, hashlib, hmac, json, re

    def decode(token, collection):
        if not isinstance(token, str) or (strict_chars and not re.fullmatch(r"[A-Za-z0-9_-]+", token)):
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            if not catch:
                raise
            return None
        payload, tag = raw[:-16], raw[-16:]
        if len(raw) <= 16 or not hmac.compare_digest(tag, hmac.new(rest.CURSOR_KEY, payload, hashlib.sha256).digest()[:16]):
            return None
        version, owner, order, created_at, row_id = json.loads(payload)
        return (order, created_at, row_id) if (version == 1 or not check_version) and owner == collection else None
    return decode


@pytest.mark.parametrize("decode, hint", [
    (_decoder(catch=False), "decode_cursor('A', 'ch_0') raised Error"),
    (_decoder(check_version=False), "layout is version 2"),
    (_decoder(strict_chars=False), "unpadded"),
])
def test_exercise_5_a_decoder_missing_one_check_gets_a_counterexample_for_it(decode, hint):
    feedback = rest.check_decode_cursor(decode)
    assert not feedback.ok and hint in feedback.message, feedback.message


@pytest.mark.parametrize("decode, hint", [
    (lambda token, collection: None, "the server reads"),
    (signature_ignored, "raised"),
    (lambda token, collection: ("newest", 1, "m"), "the server refuses this cursor"),
    (rest.CursorCodec(rest.CURSOR_KEY).decode, "the library's decode"),
    ("cursor", "expected a function decode_cursor"),
])
def test_exercise_5_wrong_decoders_are_shown_the_first_cursor_they_get_wrong(decode, hint):
    feedback = rest.check_decode_cursor(decode)
    assert not feedback.ok and hint in feedback.message, feedback.message


@pytest.mark.parametrize("edit, hint", [
    (lambda d: d.replace("| PATCH |", "| PUT |"), "put-as-partial-update"),
    (lambda d: d.replace("| DELETE | /v1/bookmarks/{bookmarkId} | Delete a bookmark |\n", ""), "delete a bookmark"),
    (lambda d: d.replace("because new bookmarks arrive while a client pages and offsets would drift", "always"),
     "pagination"),
    ("| Method | Path |\n|---|---|\n| GET | /health |\n\nREST. Auth. Rate limit. Unknown, forbidden, invalid.",
     "save a bookmark"),
])
def test_exercise_6_designs_missing_a_flow_or_a_reason_are_told_which(solutions, edit, hint):
    design = edit(solutions.bookmarks_design) if callable(edit) else edit
    feedback = rest.check_bookmarks_design(design)
    assert not feedback.ok and hint in feedback.message, feedback.message


OFFSET_NOTE = ("- Pagination uses offset and limit because a user has at most a few hundred bookmarks and the UI "
               "shows page numbers.")
MODEL_PAGINATION = ("- The list uses cursor pagination on (created_at, id), because new bookmarks arrive while a client "
                    "pages and offsets would drift.")
MODEL_RENAME = "- Renaming is PATCH, because PUT replaces the whole bookmark and would wipe the fields the client left out."


@pytest.mark.parametrize("edit", [
    lambda d: d.replace(MODEL_PAGINATION, OFFSET_NOTE),
    lambda d: d.replace("| PATCH | /v1/bookmarks/{bookmarkId} | Rename: change only the title |",
                        "| PUT | /v1/bookmarks/{bookmarkId}/title | Rename: replace the title |").replace(
        MODEL_RENAME, "- Renaming is PUT on the title sub-resource, because the title is replaced whole and PUT is idempotent."),
])
def test_exercise_6_accepts_a_decided_offset_and_a_put_on_the_title_sub_resource(solutions, edit):
    feedback = rest.check_bookmarks_design(edit(solutions.bookmarks_design))
    assert feedback.ok, feedback.message


def test_exercise_6_a_rename_note_that_contradicts_the_table_fails(solutions):
    design = solutions.bookmarks_design.replace(
        MODEL_RENAME, "- Rename uses PUT on the bookmark because PATCH is not supported by our gateway.")
    feedback = rest.check_bookmarks_design(design)
    assert not feedback.ok and "your table renames with PATCH" in feedback.message, feedback.message


def test_exercise_6_says_what_it_checks():
    assert all(f.name in rest.BOOKMARKS_CHECKED for f in rest.BOOKMARKS.flows)
    assert all(d.topic in rest.BOOKMARKS_CHECKED for d in rest.BOOKMARKS.decisions)


def test_placeholders_say_not_answered():
    for check in (rest.check_routes, rest.check_status_codes, rest.check_drift_prediction, rest.check_keyset_where,
                  rest.check_decode_cursor, rest.check_bookmarks_design):
        assert check(...) == NOT_ANSWERED


@given(ANY_ANSWER)
def test_arbitrary_answers_never_raise_and_never_pass(value):
    for check in (rest.check_routes, rest.check_status_codes, rest.check_keyset_where, rest.check_decode_cursor,
                  rest.check_bookmarks_design):
        never_raises_never_passes(check, value)
    never_raises_never_passes(rest.check_drift_prediction, value, right=lambda v: rest.as_int(v) == 18)
