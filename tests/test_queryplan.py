"""apidesign.queryplan: plans and deterministic work counts for the notebook's scale section."""

from apidesign.drift import CHANNEL, LiveChannel
from apidesign.pagination import KEYSET_SQL, NEWEST, OFFSET_SQL
from apidesign.queryplan import explain, vm_steps


def test_explain_returns_the_plan_detail_lines():
    db = LiveChannel(initial=10).db
    assert explain(db, OFFSET_SQL[NEWEST], (CHANNEL, 5, 0)) == ["SEARCH messages USING INDEX messages_by_channel (channel_id=?)"]


def test_offset_work_grows_with_depth_but_keyset_work_does_not():
    channel = LiveChannel(initial=2_000)
    db = channel.db
    shallow, deep = db.query(OFFSET_SQL[NEWEST], (CHANNEL, 1, 10))[0], db.query(OFFSET_SQL[NEWEST], (CHANNEL, 1, 1_900))[0]
    offset_shallow = vm_steps(db, OFFSET_SQL[NEWEST], (CHANNEL, 20, 10))
    offset_deep = vm_steps(db, OFFSET_SQL[NEWEST], (CHANNEL, 20, 1_900))
    keyset_shallow = vm_steps(db, KEYSET_SQL[NEWEST], (CHANNEL, shallow["created_at"], shallow["id"], 20))
    keyset_deep = vm_steps(db, KEYSET_SQL[NEWEST], (CHANNEL, deep["created_at"], deep["id"], 20))
    assert offset_deep > 20 * offset_shallow
    assert keyset_deep <= 2 * keyset_shallow


def test_vm_steps_are_the_same_on_every_run_and_leave_no_handler_behind():
    db = LiveChannel(initial=300).db
    runs = {vm_steps(db, OFFSET_SQL[NEWEST], (CHANNEL, 20, 250)) for _ in range(3)}
    assert len(runs) == 1
    assert db.query_one("SELECT count(*) FROM messages")[0] == 300
