"""The key written in the same transaction as the message: a UNIQUE constraint deduplicates atomically."""

from apidesign import dedup


def count(db, table):
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_a_second_insert_with_the_same_key_fails_and_leaves_no_message_behind():
    db = dedup.connect()
    first = dedup.send_once(db, "usr_alice", "msg-7", "Hello")
    again = dedup.send_once(db, "usr_alice", "msg-7", "Hello")
    assert first == (1, True) and again == (1, False)
    assert count(db, "messages") == 1 and count(db, "idempotency_keys") == 1


def test_keys_are_scoped_to_the_sender():
    db = dedup.connect()
    assert dedup.send_once(db, "usr_alice", "k", "Hi")[1] and dedup.send_once(db, "usr_bob", "k", "Hi")[1]
    assert count(db, "messages") == 2
