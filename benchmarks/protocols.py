"""Protocols, measured for real on 127.0.0.1, every contender in the same run.

    .venv/bin/python benchmarks/protocols.py [--messages 30]

1. Delivery of chat messages on the reference API (serve()): SSE and the WebSocket
   against short polling (0.25 s and 1 s) of GET /v1/channels/{id}/messages. Latency is from
   just before the POST to the moment the listener has the message; requests are counted by the server.
   This checks the deterministic model in apidesign.protocols.polling against reality.
2. HTTP/1.1 keep-alive against a new connection per request (requests per second, serve()).
3. HTTP/2 multiplexing against HTTP/1.1 on one connection (hypercorn + httpx): 20 requests of 50 ms.
4. Serialisation of the chat message: protobuf (generated from chat.proto) against stdlib json,
   bytes and encode+decode time.
Timings on a shared machine vary from run to run; ratios are the point.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
import time
import timeit

import requests

from apidesign.protocols import grpc_chat, http1, http2, streaming
from apidesign.server import create_app, credentials, serve
from apidesign.server.events import broker_of


def setup(live, app):
    alice, bob = credentials(app, "usr_alice"), credentials(app, "usr_bob")
    r = requests.post(f"{live.url}/v1/channels", json={"name": f"bench-{random.randrange(10**9)}",
                                                       "memberIds": ["usr_bob"]}, headers=alice, timeout=5)
    return r.json()["data"]["channelId"], alice, bob


def send_all(live, channel, alice, n, rng, sent):
    """Post ``n`` messages with random gaps, noting when each send started."""
    for i in range(n):
        time.sleep(rng.uniform(0.02, 0.15))
        sent[f"m{i}"] = time.perf_counter()
        requests.post(f"{live.url}/v1/channels/{channel}/messages", json={"content": f"m{i}"}, headers=alice, timeout=5)


def listen_sse(live, channel, bob, n, got, ready):
    with requests.get(f"{live.url}/v1/channels/{channel}/events", headers=bob, stream=True, timeout=10) as r:
        ready.set()
        events = streaming.sse_events(r.iter_lines(decode_unicode=True))
        for _ in range(n):
            got.setdefault(next(events)["data"]["content"], time.perf_counter())


def listen_ws(live, channel, bob, n, got, ready):
    ws = streaming.open_socket(live.url, f"/v1/channels/{channel}/socket", bob, timeout=10)
    ready.set()
    for _ in range(n):
        got.setdefault(streaming.receive_json(ws)["data"]["content"], time.perf_counter())
    ws.close()


def poller(interval):
    def listen(live, channel, bob, n, got, ready):
        ready.set()
        with requests.Session() as s:
            while len(got) < n:
                rows = s.get(f"{live.url}/v1/channels/{channel}/messages", headers=bob, timeout=5).json()["data"]
                now = time.perf_counter()
                for m in rows:
                    got.setdefault(m["content"], now)
                time.sleep(interval)
    return listen


def delivery(name, listen, n, seed=1):
    app = create_app({"SSE_HEARTBEAT_SECONDS": 0.5})
    with serve(app) as live:
        channel, alice, bob = setup(live, app)
        before = live.requests
        sent, got, ready = {}, {}, threading.Event()
        listener = threading.Thread(target=listen, args=(live, channel, bob, n, got, ready), daemon=True)
        listener.start()
        ready.wait(5)
        time.sleep(0.1)
        send_all(live, channel, alice, n, random.Random(seed), sent)
        listener.join(30)
        requests_made = live.requests - before - n  # minus the POSTs themselves
        broker_of(app).close()
    lat = [1000 * (got[k] - sent[k]) for k in sent]
    return {"strategy": name, "median ms": statistics.median(lat), "p90 ms": sorted(lat)[int(0.9 * len(lat)) - 1],
            "listener requests": requests_made, "per message": requests_made / n}


def keep_alive(n=300):
    app = create_app({})
    with serve(app) as live:
        h = credentials(app, "usr_alice")
        out = {}
        for mode in (True, False):
            t = time.perf_counter()
            count = http1.count_connections(live, "/v1/users/usr_alice/channels", h, n, keep_alive=mode)
            out["keep-alive" if mode else "new connection each"] = (n / (time.perf_counter() - t), count.connections)
    return out


def multiplexing(k=20, ms=50):
    out = {}
    with http2.HypercornServer() as demo:
        http2.fetch_concurrently(demo, ["warm-up"], 0, http2=True)  # imports and first-connection costs
        for label, h2 in (("HTTP/2, 1 connection", True), ("HTTP/1.1, 1 connection", False)):
            t = time.perf_counter()
            ex = http2.fetch_concurrently(demo, [f"r{i}" for i in range(k)], ms, http2=h2)
            out[label] = (time.perf_counter() - t, ex.connections)
    return out


def serialisation(repeats=20000):
    pb, _ = grpc_chat.stubs()
    msg = {"messageId": "msg_a1b2c3", "channelId": "ch_x9y8z7", "senderId": "usr_p4q5r6",
           "content": "Hello, world!", "type": "text", "createdAt": "2026-03-12T10:30:00Z"}
    proto = pb.Message(message_id=msg["messageId"], channel_id=msg["channelId"], sender_id=msg["senderId"],
                       content=msg["content"], type=msg["type"], created_at=msg["createdAt"])
    def j():
        return json.loads(json.dumps(msg, separators=(",", ":")))
    def p():
        return pb.Message.FromString(proto.SerializeToString())
    tj = min(timeit.repeat(j, number=repeats, repeat=3)) / repeats
    tp = min(timeit.repeat(p, number=repeats, repeat=3)) / repeats
    return {"JSON (stdlib)": (grpc_chat.payload_sizes(msg)["JSON"], tj), "protobuf": (proto.ByteSize(), tp)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=30)
    n = parser.parse_args().messages
    print(f"1. delivery of {n} chat messages on the reference API (127.0.0.1, serve())")
    rows = [delivery("SSE", listen_sse, n), delivery("WebSocket", listen_ws, n),
            delivery("short polling 0.25 s", poller(0.25), n), delivery("short polling 1 s", poller(1.0), n)]
    base = rows[0]["median ms"]
    print(f"   {'strategy':22} {'median ms':>10} {'p90 ms':>8} {'vs SSE':>8} {'requests':>9} {'per msg':>8}")
    for r in rows:
        print(f"   {r['strategy']:22} {r['median ms']:10.1f} {r['p90 ms']:8.1f} {r['median ms'] / base:7.1f}x "
              f"{r['listener requests']:9d} {r['per message']:8.2f}")
    print("\n2. HTTP/1.1 keep-alive vs a new connection per request (300 GETs)")
    ka = keep_alive()
    for label, (rps, conns) in ka.items():
        print(f"   {label:22} {rps:8.0f} req/s  {conns:4d} connections")
    print(f"   keep-alive / new connection: {ka['keep-alive'][0] / ka['new connection each'][0]:.2f}x")
    print("\n3. 20 concurrent 50 ms requests on ONE connection (hypercorn + httpx)")
    mx = multiplexing()
    for label, (secs, conns) in mx.items():
        print(f"   {label:24} {secs * 1000:8.0f} ms  {conns} connection(s)")
    print(f"   HTTP/1.1 / HTTP/2 wall time: {mx['HTTP/1.1, 1 connection'][0] / mx['HTTP/2, 1 connection'][0]:.1f}x")
    print("\n4. the chat message: encode + decode")
    ser = serialisation()
    for label, (size, secs) in ser.items():
        print(f"   {label:14} {size:4d} bytes  {secs * 1e6:6.2f} us")
    (js, jt), (ps, pt) = ser["JSON (stdlib)"], ser["protobuf"]
    print(f"   protobuf / JSON: size {ps / js:.2f}x, time {pt / jt:.2f}x")


if __name__ == "__main__":
    main()
