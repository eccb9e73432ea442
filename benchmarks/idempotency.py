"""What does @idempotent cost per request, and how many store round trips does it make?

    .venv/bin/python benchmarks/idempotency.py [--requests N]

Same app, same send-message code, through Flask's test client (no sockets, so the
numbers are the decorator's own cost plus the store's). Three ways in:

* ``plain``: the undecorated view (``send_message.__wrapped__``) on its own route: the baseline;
* ``first``: the decorated endpoint with a new key every time (claim + run + complete);
* ``replay``: the decorated endpoint with a key it has already answered (claim returns the record).

Backends: memory, fakeredis, and a real Redis (``REDIS_URL``, or a ``redis-server`` started
here on a free port; skipped with a note if neither exists). Round trips are counted as
writes to the Redis socket (real Redis), commands issued (fakeredis, which has no socket),
or store operations (memory).
The target from the issue: at most 2 round trips on a first request, 1 on a replay.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from flask import Response

from apidesign.clock import FakeClock
from apidesign.idempotency import IdempotencyStore
from apidesign.localhost import SocketWrites, real_redis
from apidesign.server import create_app, credentials
from apidesign.server.messages import send_message
from apidesign.store import MemoryStore, RedisStore, memory_store, redis_store


class RoundTrips:
    """Counts store round trips: Redis commands for Redis stores, script/get/set calls for memory."""

    def __init__(self, store):
        self.counted, self.writes = 0, None
        if isinstance(store, RedisStore) and store.kind == "redis":
            self.writes = SocketWrites().watch(store.client.connection_pool)
        elif isinstance(store, RedisStore):  # fakeredis: no sockets, so count the commands issued
            real = store.client.execute_command

            def counted(*args, **kwargs):
                self.counted += 1
                return real(*args, **kwargs)
            store.client.execute_command = counted
        elif isinstance(store, MemoryStore):
            for name in ("get", "set", "delete", "incr"):
                setattr(store, name, self._wrap(getattr(store, name)))
            real_script = store.script
            store.script = lambda lua, py: self._wrap(real_script(lua, py))

    @property
    def n(self) -> int:
        return self.writes.n if self.writes else self.counted

    def _wrap(self, fn):
        def counted(*args, **kwargs):
            self.counted += 1
            return fn(*args, **kwargs)
        return counted


def build(store):
    clock = FakeClock(1_773_311_400.0)
    trips = RoundTrips(store)  # before create_app, so the idempotency scripts are wrapped too
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "STORE": store})
    app.add_url_rule("/bench/plain/<channel_id>", "bench_plain", send_message.__wrapped__, methods=["POST"])
    client, me = app.test_client(), dict(credentials(app, "usr_alice"))
    cid = client.post("/v1/channels", json={"name": "bench"}, headers=me).get_json()["data"]["channelId"]
    return client, me, cid, trips


def measure(store, n: int) -> dict[str, tuple[float, float]]:
    """Median microseconds per request and round trips per request, for plain / first / replay."""
    client, me, cid, trips = build(store)
    url, body = f"/v1/channels/{cid}/messages", {"content": "hello"}
    cases = {
        "plain": lambda i: client.post(f"/bench/plain/{cid}", json=body, headers=me),
        "first": lambda i: client.post(url, json=body, headers={**me, "Idempotency-Key": f"k-{i}"}),
        "replay": lambda i: client.post(url, json=body, headers={**me, "Idempotency-Key": "k-0"}),
    }
    results = {}
    for name, call in cases.items():
        for i in range(50):  # warm up (and for replay: k-0 exists from "first")
            call(i + n + 1 if name == "first" else i)
        times, before = [], trips.n
        for i in range(n):
            start = time.perf_counter()
            status = call(i).status_code
            times.append(time.perf_counter() - start)
            assert status == 201, (name, status)
        results[name] = (statistics.median(times) * 1e6, (trips.n - before) / n)
    return results


def store_only_us(store) -> tuple[float, float]:
    """Median microseconds of the store work alone: claim + complete (first), claim of a completed key (replay)."""
    records = IdempotencyStore(store, FakeClock(1e9), prefix="bench-only:")
    response = Response(b'{"data":{"messageId":"msg_0123456789","content":"hello"}}', 201,
                        {"Location": "/v1/messages/msg_0123456789", "Content-Type": "application/json"})

    def first(i):
        records.complete("s", f"k{i}", records.claim("s", f"k{i}", "fp"), response)
    return timed(first), timed(lambda i: records.claim("s", "k0", "fp"))


def timed(fn, n: int = 1000) -> float:
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def ping_us(store) -> float | None:
    """Median microseconds of one PING: the floor under any round trip to this store."""
    if not isinstance(store, RedisStore):
        return None
    times = []
    for _ in range(1000):
        start = time.perf_counter()
        store.client.ping()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    n = parser.parse_args().requests
    rows, ok = [], True
    with real_redis() as url:
        backends = [("memory", lambda: memory_store(FakeClock(0))), ("fakeredis", lambda: redis_store(url=""))]
        if url:
            backends.append(("redis", lambda: redis_store(url, prefix="bench:")))
        else:
            print("note: no real Redis (set REDIS_URL or install redis-server): that row is skipped")
        for name, make in backends:
            store = make()
            r = measure(store, n)
            if isinstance(store, RedisStore) and store.kind == "redis":
                store.delete(*store.keys()) if store.keys() else None
            rows.append((name, r, ping_us(store), store_only_us(store)))
    print(f"\n@idempotent overhead, {n} requests per case, median per request (Flask test client, no sockets)\n")
    print(f"{'store':10} {'plain us':>9} {'first us':>9} {'x plain':>8} {'replay us':>10} {'x plain':>8}"
          f" {'trips plain':>12} {'+ first':>8} {'+ replay':>9} {'PING us':>8} {'store-only first/replay us':>27}")
    for name, r, ping, alone in rows:
        plain, first, replay = r["plain"][0], r["first"][0], r["replay"][0]
        # The decorator's own round trips: on top of what the undecorated request already makes
        # (authentication's jti denylist lookup is one store read per authenticated request).
        added_first, added_replay = r["first"][1] - r["plain"][1], r["replay"][1] - r["plain"][1]
        print(f"{name:10} {plain:9.0f} {first:9.0f} {first / plain:8.2f} {replay:10.0f} {replay / plain:8.2f}"
              f" {r['plain'][1]:12.2f} {added_first:8.2f} {added_replay:9.2f} {'-' if ping is None else f'{ping:.0f}':>8}"
              f" {f'{alone[0]:.0f} / {alone[1]:.0f}':>27}")
        ok &= added_first <= 2 and added_replay <= 1
    print("\ntarget: @idempotent adds at most 2 round trips on a first request, 1 on a replay:", "met" if ok else "MISSED")
    print("('trips plain' is the undecorated request's own store traffic, the authentication denylist lookup;")
    print(" 'store-only' times the IdempotencyStore calls alone, outside Flask, to separate store cost from request handling)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
