"""apidesign.datasets: the generated message history is reproducible and in the API's schema."""

from apidesign.datasets import CHANNEL, build, history_path, message_rows
from apidesign.paths import CACHE
from apidesign.server.db import Database
from apidesign.pagination import NEWEST, cursor_page, CursorCodec


def test_same_size_and_seed_give_the_same_rows():
    assert list(message_rows(500, seed=3)) == list(message_rows(500, seed=3))
    assert list(message_rows(500, seed=3)) != list(message_rows(500, seed=4))


def test_rows_are_oldest_first_two_per_millisecond_with_unique_ids():
    rows = list(message_rows(1000))
    stamps = [r[5] for r in rows]
    assert stamps == sorted(stamps) and len(set(stamps)) == 500
    assert len({r[0] for r in rows}) == 1000 and all(r[0].startswith("msg_") for r in rows)


def test_built_database_is_the_api_schema_and_pages_like_the_api(tmp_path):
    path = build(tmp_path / "h.sqlite3", 250)
    db = Database(str(path))
    assert db.query_one("SELECT count(*) FROM messages WHERE channel_id = ?", (CHANNEL,))[0] == 250
    page = cursor_page(db, CursorCodec(b"k"), CHANNEL, limit=5, order=NEWEST)
    assert [r["content"] for r in page.rows][0] in ("message 249", "message 248")  # the newest tick
    assert not (tmp_path / "h.partial").exists()


def test_cache_files_live_in_the_git_ignored_cache_folder():
    assert history_path(1_000_000).parent == CACHE
    assert "/data/cache/" in (CACHE.parents[1] / ".gitignore").read_text()
