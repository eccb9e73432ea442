"""Generated files (gRPC stubs, the message history) go to the user's cache when data/cache is read-only.

On a JupyterHub the course is installed by root and students run it as themselves: the repository's
``data/cache`` is not theirs to write (issue #18). The tests run as root here, and root may write
anywhere, so a read-only folder is made in a way root cannot write either (a file where the folder
would be), and the chmod variant runs only for an ordinary user.
"""

import os
import stat
import sqlite3
import sys

import pytest

from apidesign import datasets, paths
from apidesign.protocols import grpc_chat
from apidesign.server.db import Database


@pytest.fixture
def unwritable_repo_cache(tmp_path, monkeypatch):
    """The repository's cache made impossible to create, and the user cache pointed into tmp_path."""
    blocker = tmp_path / "repo" / "data"
    blocker.parent.mkdir()
    blocker.write_text("a file where data/ should be: no folder can be made under it, even by root")
    monkeypatch.setattr(paths, "CACHE", blocker / "cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("APIDESIGN_CACHE", raising=False)
    monkeypatch.setattr(grpc_chat, "_loaded", {})  # stubs() must generate again, not reuse this session's
    for name in ("chat_pb2", "chat_pb2_grpc"):  # load() replaces these; put this session's back afterwards
        if name in sys.modules:
            monkeypatch.setitem(sys.modules, name, sys.modules[name])
    return tmp_path / "xdg" / "apidesign"


def test_writable_repo_cache_is_used_as_before(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "CACHE", tmp_path / "data" / "cache")
    monkeypatch.delenv("APIDESIGN_CACHE", raising=False)
    assert paths.cache_path("x.sqlite3") == tmp_path / "data" / "cache" / "x.sqlite3"


def test_grpc_stubs_are_generated_in_the_user_cache(unwritable_repo_cache):
    pb, services = grpc_chat.stubs()
    assert hasattr(services, "ChatServiceStub")
    assert (unwritable_repo_cache / "grpc") in grpc_chat.Path(pb.__file__).parents
    assert not paths.CACHE.exists()


def test_message_history_is_built_in_the_user_cache(unwritable_repo_cache):
    path = datasets.message_history(300)
    assert path == unwritable_repo_cache / "messages-300-seed7.sqlite3" and path.exists()
    assert Database(str(path)).query_one("SELECT count(*) FROM messages")[0] == 300


def test_xdg_unset_means_home_dot_cache(unwritable_repo_cache, tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.cache_path("grpc") == tmp_path / "home" / ".cache" / "apidesign" / "grpc"


def test_apidesign_cache_wins_even_over_a_writable_repo_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "CACHE", tmp_path / "data" / "cache")
    monkeypatch.setenv("APIDESIGN_CACHE", str(tmp_path / "mine"))
    assert datasets.history_path(5) == tmp_path / "mine" / "messages-5-seed7.sqlite3"


def test_a_file_prebuilt_in_the_repo_cache_is_used_even_if_the_folder_is_read_only(tmp_path, monkeypatch):
    repo = tmp_path / "data" / "cache"
    monkeypatch.setattr(paths, "CACHE", repo)
    monkeypatch.delenv("APIDESIGN_CACHE", raising=False)
    monkeypatch.setattr(paths, "writable", lambda folder: False)  # what an ordinary user finds on a root install
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datasets.history_path(200) == tmp_path / "xdg" / "apidesign" / "messages-200-seed7.sqlite3"
    datasets.build(repo / "messages-200-seed7.sqlite3", 200)  # "prebuilt by root"
    assert datasets.message_history(200) == repo / "messages-200-seed7.sqlite3"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders; the blocker tests cover root")
def test_chmod_read_only_repo_cache(tmp_path, monkeypatch):
    repo = tmp_path / "data" / "cache"
    repo.mkdir(parents=True)
    repo.chmod(stat.S_IRUSR | stat.S_IXUSR)
    monkeypatch.setattr(paths, "CACHE", repo)
    monkeypatch.delenv("APIDESIGN_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    try:
        assert datasets.message_history(100).parent == tmp_path / "xdg" / "apidesign"
    finally:
        repo.chmod(stat.S_IRWXU)


def test_a_database_this_user_cannot_write_is_opened_read_only_and_unchanged(tmp_path, monkeypatch):
    path = datasets.build(tmp_path / "h.sqlite3", 50)
    before = path.read_bytes()
    monkeypatch.setattr("apidesign.server.db.os.access", lambda p, mode: False)  # as a student sees root's file
    db = Database(str(path))
    assert db.readonly and db.query_one("SELECT count(*) FROM messages")[0] == 50
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.conn.execute("DELETE FROM messages")
    db.conn.close()
    assert path.read_bytes() == before and not (tmp_path / "h.sqlite3-wal").exists()
