"""apidesign.pagination: offset vs keyset pages, signed cursors, and the no-skip/no-repeat guarantee."""

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apidesign.drift import CHANNEL, CursorWalker, LiveChannel, OffsetWalker
from apidesign.errors import ApiDesignError
from apidesign.pagination import (DEFAULT_LIMIT, EXPANDED_OR_SQL, EXPANDED_OR_TWO_PARAMS_SQL, KEYSET_SQL, MAX_LIMIT,
                                  NEWEST, OFFSET_SQL, OLDEST, CursorCodec, InvalidCursor, InvalidPageRequest, Position, clamp_limit,
                                  cursor_page, offset_page, position_of)

CODEC = CursorCodec(b"test-key")


def walk(walker, budget=10_000):
    """Every row a walker returns until it is done."""
    seen = []
    while not walker.done and budget:
        seen += walker.step()
        budget -= 1
    return seen


def ordered_ids(channel, order=NEWEST):
    positions = channel.positions()
    return sorted(positions, key=positions.get, reverse=(order == NEWEST))


# --- pages ----------------------------------------------------------------------

@pytest.mark.parametrize("order", [NEWEST, OLDEST])
def test_cursor_walk_returns_every_row_once_in_order_including_ties(order):
    channel = LiveChannel(initial=57)  # pairs of messages share a millisecond
    rows = walk(CursorWalker(channel.db, CODEC, CHANNEL, limit=10, order=order))
    assert [r["id"] for r in rows] == ordered_ids(channel, order)


def test_offset_walk_on_a_quiet_channel_matches_the_cursor_walk():
    channel = LiveChannel(initial=33)
    by_offset = [r["id"] for r in walk(OffsetWalker(channel.db, CHANNEL, limit=7))]
    assert by_offset == ordered_ids(channel)


def test_rows_tied_on_created_at_are_split_across_pages_without_loss():
    channel = LiveChannel(initial=0)
    ids = [channel.add_at(1_000) for _ in range(5)]  # five messages in the same millisecond
    pages = []
    walker = CursorWalker(channel.db, CODEC, CHANNEL, limit=2, order=OLDEST)
    while not walker.done:
        pages.append([r["id"] for r in walker.step()])
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sum(pages, []) == sorted(ids)


def test_last_page_has_no_next_cursor_and_has_more_is_false():
    channel = LiveChannel(initial=4)
    page = cursor_page(channel.db, CODEC, CHANNEL, limit=4)
    assert len(page.rows) == 4 and not page.has_more and page.next_cursor is None
    page = cursor_page(channel.db, CODEC, CHANNEL, limit=3)
    assert page.has_more and page.next_cursor


@pytest.mark.parametrize("asked, got", [(None, DEFAULT_LIMIT), (0, 1), (-5, 1), (1, 1), (100, 100), (10_000, MAX_LIMIT)])
def test_limit_is_clamped_to_1_through_100(asked, got):
    assert clamp_limit(asked) == got


def test_negative_offset_and_unknown_order_are_named_errors():
    channel = LiveChannel(initial=1)
    with pytest.raises(InvalidPageRequest) as e:
        offset_page(channel.db, CHANNEL, offset=-1)
    assert (e.value.field, e.value.issue) == ("offset", "too_small")
    with pytest.raises(InvalidPageRequest):
        cursor_page(channel.db, CODEC, CHANNEL, order="sideways")


# --- cursors --------------------------------------------------------------------

def test_cursor_round_trips_collection_order_and_position():
    token = CODEC.encode("ch_a", NEWEST, Position(1_700, "msg_x"))
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert CODEC.decode(token, "ch_a") == (NEWEST, Position(1_700, "msg_x"))


def reason(token, collection="ch_a", order=None, codec=CODEC):
    with pytest.raises(InvalidCursor) as e:
        codec.decode(token, collection, order)
    assert isinstance(e.value, ApiDesignError)
    return e.value.reason


def test_edited_cursor_is_refused_as_bad_signature():
    token = CODEC.encode("ch_a", NEWEST, Position(1_700, "msg_x"))
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    payload, tag = raw[:-16], raw[-16:]
    edited = payload.replace(b"1700", b"9999") + tag
    assert reason(base64.urlsafe_b64encode(edited).rstrip(b"=").decode()) == "bad_signature"


def test_forged_cursor_without_the_key_is_refused():
    forged = CursorCodec(b"attacker-key").encode("ch_a", NEWEST, Position(1, "msg_x"))
    assert reason(forged) == "bad_signature"


def test_cursor_from_another_channel_is_refused_as_foreign():
    assert reason(CODEC.encode("ch_b", NEWEST, Position(1, "msg_x")), collection="ch_a") == "foreign_collection"


def test_cursor_used_with_the_other_order_is_refused():
    assert reason(CODEC.encode("ch_a", NEWEST, Position(1, "m")), order=OLDEST) == "wrong_order"


@pytest.mark.parametrize("token", ["not base64!", "abc", "A", "x" * 600, "", base64.urlsafe_b64encode(b"{}").decode(),
                                   base64.urlsafe_b64encode(json.dumps([1, "ch_a"]).encode()).decode().rstrip("=")])
def test_malformed_cursors_are_invalid_cursor_never_a_crash(token):
    assert reason(token) in ("malformed", "bad_signature")


@given(st.text(max_size=80))
def test_no_string_decodes_except_through_invalid_cursor(token):
    try:
        CODEC.decode(token, "ch_a")
    except InvalidCursor:
        pass


# --- the guarantee under concurrent change ---------------------------------------

OPS = st.lists(st.one_of(st.just(("page",)),
                         st.tuples(st.just("insert"), st.sampled_from(["newest", "oldest", "anywhere"])),
                         st.tuples(st.just("delete"))), max_size=40)


def interleave(walker, channel, ops):
    """Run ``ops`` against the channel between page fetches; finish the walk. Returns (rows, survivors)."""
    before = set(channel.positions())
    rows = []
    for op in ops:
        if op[0] == "page" and not walker.done:
            rows += walker.step()
        elif op[0] == "insert":
            channel.arrive(op[1])
        elif op[0] == "delete":
            channel.delete_random()
    rows += walk(walker)
    survivors = before & set(channel.positions())
    return [r["id"] for r in rows], survivors


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=st.integers(0, 25), limit=st.integers(1, 6), order=st.sampled_from([NEWEST, OLDEST]),
       seed=st.integers(0, 10_000), ops=OPS)
def test_cursor_pages_never_repeat_or_skip_rows_under_concurrent_inserts_and_deletes(initial, limit, order, seed, ops):
    channel = LiveChannel(initial, seed)
    ids, survivors = interleave(CursorWalker(channel.db, CODEC, CHANNEL, limit, order), channel, ops)
    assert len(ids) == len(set(ids)), "a row was returned twice"
    assert survivors <= set(ids), "a row that existed for the whole walk was skipped"


def test_offset_pages_repeat_a_row_when_a_message_arrives_at_the_head():
    channel = LiveChannel(initial=6)
    walker = OffsetWalker(channel.db, CHANNEL, limit=3)
    first = [r["id"] for r in walker.step()]
    channel.arrive("newest")  # pushes every row down by one
    second = [r["id"] for r in walker.step()]
    assert second[0] == first[-1], "the last row of page 1 comes back as the first row of page 2"


def test_offset_pages_skip_a_row_when_an_earlier_row_is_deleted():
    channel = LiveChannel(initial=6)
    walker = OffsetWalker(channel.db, CHANNEL, limit=3)
    first = [r["id"] for r in walker.step()]
    channel.repo.delete_message(first[0])  # pulls every row up by one
    rest = [r["id"] for r in walk(walker)]
    skipped = set(ordered_ids(channel)) - set(first) - set(rest)
    assert len(skipped) == 1, "the row that slid from page 2 onto page 1 is never seen"


def test_the_same_interleaving_leaves_the_cursor_walk_intact():
    for change in ("arrive", "delete"):
        channel = LiveChannel(initial=6)
        walker = CursorWalker(channel.db, CODEC, CHANNEL, limit=3)
        first = [r["id"] for r in walker.step()]
        before = set(channel.positions())
        channel.arrive("newest") if change == "arrive" else channel.repo.delete_message(first[0])
        ids = first + [r["id"] for r in walk(walker)]
        assert len(ids) == len(set(ids)) and (before & set(channel.positions())) <= set(ids)


# --- the SQL the API runs --------------------------------------------------------

def plan(db, sql, params):
    return " ".join(r["detail"] for r in db.query("EXPLAIN QUERY PLAN " + sql, params))


def test_both_keyset_spellings_seek_the_index_when_the_position_is_bound_once():
    db = LiveChannel(initial=10).db
    row_value = plan(db, KEYSET_SQL[NEWEST], (CHANNEL, 1, "m", 5))
    expanded = plan(db, EXPANDED_OR_SQL, {"channel": CHANNEL, "created_at": 1, "id": "m", "limit": 5})
    assert "messages_by_channel (channel_id=? AND (created_at,id)<(?,?))" in row_value
    assert "messages_by_channel (channel_id=? AND created_at<?)" in expanded


def test_the_or_form_loses_the_range_when_the_timestamp_is_bound_as_two_parameters():
    db = LiveChannel(initial=10).db
    twice = plan(db, EXPANDED_OR_TWO_PARAMS_SQL, (CHANNEL, 1, 1, "m", 5))
    assert "messages_by_channel (channel_id=?)" in twice and "created_at" not in twice


def test_the_or_form_returns_the_same_rows_as_the_row_value():
    channel = LiveChannel(initial=40, seed=2)
    rows = channel.db.query(OFFSET_SQL[NEWEST], (CHANNEL, 40, 0))
    for seen in rows[::7]:
        row_value = channel.db.query(KEYSET_SQL[NEWEST], (CHANNEL, seen["created_at"], seen["id"], 6))
        expanded = channel.db.query(EXPANDED_OR_SQL, {"channel": CHANNEL, "created_at": seen["created_at"],
                                                      "id": seen["id"], "limit": 6})
        assert [r["id"] for r in row_value] == [r["id"] for r in expanded]


def test_position_of_reads_created_at_and_id():
    db = LiveChannel(initial=1).db
    row = db.query_one("SELECT * FROM messages")
    assert position_of(row) == Position(row["created_at"], row["id"])


def test_prev_cursor_walks_back_to_the_rows_of_the_previous_page():
    channel = LiveChannel(initial=9)
    page_1 = cursor_page(channel.db, CODEC, CHANNEL, limit=3)
    page_2 = cursor_page(channel.db, CODEC, CHANNEL, cursor=page_1.next_cursor, limit=3)
    back = cursor_page(channel.db, CODEC, CHANNEL, cursor=page_2.prev_cursor, limit=3)
    assert page_1.prev_cursor is None, "the first page has nothing before it"
    assert [r["id"] for r in back.rows] == [r["id"] for r in reversed(page_1.rows)]
    assert CODEC.decode(page_2.prev_cursor, CHANNEL)[0] == OLDEST


def test_a_cursor_from_an_older_cursor_layout_is_refused_as_expired(monkeypatch):
    import apidesign.pagination as pagination
    monkeypatch.setattr(pagination, "CURSOR_VERSION", 0)
    old = CODEC.encode("ch_a", NEWEST, Position(1, "m"))
    monkeypatch.undo()
    assert reason(old) == "expired"
