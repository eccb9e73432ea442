"""Looking inside a SQLite query: its plan (``EXPLAIN QUERY PLAN``) and how much work it did.

The plan says *how* SQLite means to find rows (``SEARCH ... USING INDEX`` is a seek;
``SCAN`` reads everything). The work is counted in virtual-machine instructions with
SQLite's progress handler: unlike a stopwatch it gives the same number on every run,
so a notebook can print it and a test can compare it.
"""

from __future__ import annotations

STEP = 100  # the progress handler fires every STEP VM instructions


def explain(db, sql: str, params: tuple = ()) -> list[str]:
    """The ``detail`` lines of ``EXPLAIN QUERY PLAN`` for ``sql``."""
    return [row[3] for row in db.query("EXPLAIN QUERY PLAN " + sql, params)]


def vm_steps(db, sql: str, params: tuple = ()) -> int:
    """How many VM instructions running ``sql`` took (to the nearest STEP below)."""
    count = 0

    def tick() -> int:
        nonlocal count
        count += 1
        return 0  # 0 means "keep going"

    with db.lock:
        db.conn.execute(sql, params).fetchall()  # first run also prepares the statement: not counted
        db.conn.set_progress_handler(tick, STEP)
        try:
            db.conn.execute(sql, params).fetchall()
        finally:
            db.conn.set_progress_handler(None, STEP)
    return count * STEP
