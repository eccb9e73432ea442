"""Shared fixtures: the fake clock, stores on every backend, the app, its test client, a live server.

The real-Redis lane: if ``REDIS_URL`` is set it is used; otherwise, if ``redis-server``
is installed, one is started on a free port of 127.0.0.1 for the session and stopped
after it. Without either, tests that need it are skipped with the reason shown.
"""

from __future__ import annotations

import os
import uuid

import pytest

from apidesign.clock import FakeClock
from apidesign.localhost import real_redis, unreachable_redis_store
from apidesign.server import create_app, credentials, serve
from apidesign.store import memory_store, redis_store

START = 1_773_311_400.0  # 2026-03-12T10:30:00Z, the syllabus's example timestamp


# Read once: the autouse fixture below hides it from the apps the tests build.
ENV_REDIS_URL = os.environ.get("REDIS_URL")


@pytest.fixture(autouse=True)
def apps_keep_their_state_in_memory(monkeypatch):
    """``create_app`` honours $REDIS_URL, but tests run apps on fake clocks, and Redis expires keys on its own
    clock: so a test's app uses Redis only when the test asks for it (``STORE``, or ``redis_url``)."""
    monkeypatch.delenv("REDIS_URL", raising=False)


@pytest.fixture(scope="session")
def redis_url():
    """URL of a real Redis server for this session, or a skip saying why there is none."""
    if ENV_REDIS_URL:
        yield ENV_REDIS_URL
        return
    with real_redis() as url:
        if url is None:
            pytest.skip("real-Redis lane: redis-server is not installed (run `make system-deps`) and REDIS_URL is unset")
        yield url


@pytest.fixture
def unreachable_store():
    """A Redis store whose server is down: for fail-open / fail-closed behaviour."""
    return unreachable_redis_store()


@pytest.fixture
def clock():
    """A fake clock at the syllabus's example time; advance it by hand."""
    return FakeClock(START)


@pytest.fixture(params=["memory", "fakeredis", "redis"])
def store(request, clock):
    """The same tests on every backend: in-memory, fakeredis, and a real Redis server."""
    if request.param == "memory":
        return memory_store(clock)
    if request.param == "fakeredis":
        return redis_store(url="", prefix="test:")
    url = request.getfixturevalue("redis_url")
    s = redis_store(url, prefix=f"test-{uuid.uuid4().hex[:8]}:")
    request.addfinalizer(lambda: s.delete(*s.keys()) if s.keys() else None)
    return s


@pytest.fixture
def app(clock):
    """A fresh reference API with a fake clock and reproducible IDs."""
    return create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def as_user(app):
    """``as_user("usr_alice")`` -> the headers that authenticate a request as Alice."""
    return lambda user_id: dict(credentials(app, user_id))


@pytest.fixture
def live(app):
    """The app served over real HTTP on 127.0.0.1, stopped after the test."""
    with serve(app) as server:
        yield server


@pytest.fixture
def load_solution():
    """``load_solution("03-rate-limiting")`` -> the module of model solutions in notebooks/solutions/."""
    import importlib.util

    from apidesign.paths import NOTEBOOKS

    def load(stem: str):
        path = NOTEBOOKS / "solutions" / f"{stem}.py"
        spec = importlib.util.spec_from_file_location(f"solutions_{stem.replace('-', '_')}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return load
