"""Many open event streams on one serve()d reference API: can it still answer REST calls quickly?

    .venv/bin/python benchmarks/streams.py [--streams 1000] [--requests 500]

1. Baseline, thread per stream (``serve(app, streaming="threads")``, 16 workers): the
   streams are opened at once; count how many get their ``200`` within 2 s, then try a GET.
2. Streams on the event loop (``serve(app)``, the default): the same streams; then
   ``--requests`` sequential GETs of a channel's history on one kept-alive connection while
   they are all connected, and their p50/p99; then one POST, and the time until every
   stream has the new message (fan-out).
Target (issue #19): 1,000 concurrent SSE clients with REST p99 under 50 ms on a 2-core machine.
Clients and server share this process (raw sockets for the streams, requests for REST), so
the times include the client's own work. Timings on a shared machine vary from run to run.
"""

from __future__ import annotations

import argparse
import resource
import socket
import statistics
import time
from contextlib import ExitStack

import requests

from apidesign.server import create_app, credentials, serve

HEARTBEAT_SECONDS = 5.0  # so the run includes heartbeat traffic (every stream beats once or twice)


def raise_file_limit(needed: int) -> None:
    """Two file descriptors per stream (client and server end) in this one process: lift the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def open_streams(stack: ExitStack, live, channel: str, headers: dict, count: int) -> list[socket.socket]:
    """``count`` event-stream requests, all sent before any answer is read."""
    request = (f"GET /v1/channels/{channel}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()
    streams = [stack.enter_context(socket.create_connection(("127.0.0.1", live.port), timeout=10)) for _ in range(count)]
    for stream in streams:
        stream.sendall(request)
    return streams


def answered(streams: list[socket.socket], seconds: float) -> int:
    """How many streams got ``HTTP/1.1 200`` within ``seconds`` (all share one deadline)."""
    deadline, count = time.monotonic() + seconds, 0
    for stream in streams:
        stream.settimeout(max(0.001, deadline - time.monotonic()))
        try:
            count += stream.recv(12) == b"HTTP/1.1 200"
        except (socket.timeout, ConnectionError):
            pass
    return count


def rest_latencies_ms(url: str, headers: dict, n: int) -> list[float]:
    """Wall time of ``n`` sequential GETs on one kept-alive connection, after 20 warm-up calls."""
    times = []
    with requests.Session() as http:
        for i in range(n + 20):
            started = time.perf_counter()
            http.get(url, headers=headers, timeout=5).raise_for_status()
            if i >= 20:
                times.append((time.perf_counter() - started) * 1000)
    return times


def fan_out_ms(live, channel: str, headers: dict, streams: list[socket.socket], marker: str) -> float:
    """Time from just before a POST until every stream has received the message (its text in the stream)."""
    started = time.perf_counter()
    requests.post(f"{live.url}/v1/channels/{channel}/messages", json={"content": marker}, headers=headers,
                  timeout=10).raise_for_status()
    for stream in streams:
        stream.settimeout(10)
        seen = b""
        while marker.encode() not in seen:
            chunk = stream.recv(65536)
            if not chunk:
                raise ConnectionError("a stream ended before the message came")
            seen = seen[-len(marker):] + chunk
    return (time.perf_counter() - started) * 1000


def baseline(app, channel: str, bob: dict, alice: dict, count: int) -> None:
    with serve(app, streaming="threads") as live, ExitStack() as stack:
        streams = open_streams(stack, live, channel, bob, count)
        got = answered(streams, 2.0)
        try:
            started = time.perf_counter()
            requests.get(f"{live.url}/v1/channels/{channel}/messages?limit=1", headers=alice, timeout=2).raise_for_status()
            rest = f"answered in {(time.perf_counter() - started) * 1000:.0f} ms"
        except requests.RequestException:
            rest = "no answer within 2 s"
        print(f"1. thread per stream (16 workers): {got} of {count} streams answered; server holding {live.streams}; "
              f"a REST GET: {rest}")


def on_the_loop(app, channel: str, bob: dict, alice: dict, count: int, n: int) -> None:
    live = serve(app)
    with ExitStack() as stack:
        started = time.perf_counter()
        streams = open_streams(stack, live, channel, bob, count)
        got = answered(streams, 10.0)
        opened_s = time.perf_counter() - started
        print(f"2. streams on the event loop: {got} of {count} streams answered in {opened_s:.2f} s; "
              f"server holding {live.streams} concurrent streams")
        times = rest_latencies_ms(f"{live.url}/v1/channels/{channel}/messages?limit=20", alice, n)
        p99 = statistics.quantiles(times, n=100)[98]
        print(f"   REST GET while they are connected: {n} requests, p50 {statistics.median(times):.1f} ms, "
              f"p99 {p99:.1f} ms, max {max(times):.1f} ms (target: p99 < 50 ms) -> {'met' if p99 < 50 else 'NOT met'}")
        print(f"   one POST reaches all {got} streams in {fan_out_ms(live, channel, alice, streams, 'fan-out'):.0f} ms; "
              f"still holding {live.streams} streams")
        started = time.perf_counter()
        live.stop()  # with every stream still connected
        print(f"   stop() with {got} streams connected: {(time.perf_counter() - started) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    raise_file_limit(2 * args.streams + 256)
    app = create_app({"ID_SEED": 19, "SSE_HEARTBEAT_SECONDS": HEARTBEAT_SECONDS})
    alice, bob = (dict(credentials(app, u)) for u in ("usr_alice", "usr_bob"))
    channel = app.test_client().post("/v1/channels", json={"name": "general", "memberIds": ["usr_bob"]},
                                     headers=alice).get_json()["data"]["channelId"]
    print(f"{args.streams} SSE clients on 127.0.0.1, heartbeat every {HEARTBEAT_SECONDS:g} s")
    baseline(app, channel, bob, alice, args.streams)
    on_the_loop(app, channel, bob, alice, args.streams, args.requests)


if __name__ == "__main__":
    main()
