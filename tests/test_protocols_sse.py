"""Server-Sent Events on the reference API: numbered events, resume with Last-Event-ID, bounded streams."""

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
import requests

from apidesign.protocols.streaming import read_events
from apidesign.server import create_app, serve
from apidesign.server.events import broker_of

FAST = {"SSE_HEARTBEAT_SECONDS": 0.2, "SSE_MAX_HEARTBEATS": 25}  # streams notice closed clients quickly


@pytest.fixture
def sse_app(clock):
    return create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, **FAST})


@pytest.fixture
def app(sse_app):
    """conftest's client and as_user, on the app under test: another app (another namespace) refuses its tokens."""
    return sse_app


@pytest.fixture
def sse_live(sse_app):
    server = serve(sse_app)
    yield server
    broker_of(sse_app).close()  # ends every open stream, so the server stops at once
    server.stop()


@pytest.fixture
def channel(sse_live, as_user):
    r = requests.post(f"{sse_live.url}/v1/channels", json={"name": "general", "memberIds": ["usr_bob"]},
                      headers=as_user("usr_alice"), timeout=5)
    return r.json()["data"]["channelId"]


def post(live, channel, text, headers):
    r = requests.post(f"{live.url}/v1/channels/{channel}/messages", json={"content": text}, headers=headers, timeout=5)
    assert r.status_code == 201
    return r.json()["data"]


def stream(live, channel, headers, **extra):
    return requests.get(f"{live.url}/v1/channels/{channel}/events", headers={**headers, **extra},
                        stream=True, timeout=5)


def test_new_messages_arrive_as_numbered_message_created_events(sse_live, channel, as_user):
    with stream(sse_live, channel, as_user("usr_bob")) as r:
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/event-stream")
        sent = [post(sse_live, channel, t, as_user("usr_alice")) for t in ("one", "two")]
        events = read_events(r, 2)
    assert [e["event"] for e in events] == ["message.created"] * 2
    assert [e["data"] for e in events] == sent
    assert int(events[0]["id"]) < int(events[1]["id"])


def test_a_dropped_stream_resumes_after_last_event_id_without_gaps_or_repeats(sse_live, channel, as_user):
    bob, alice = as_user("usr_bob"), as_user("usr_alice")
    with stream(sse_live, channel, bob) as r:
        post(sse_live, channel, "seen", alice)
        (seen,) = read_events(r, 1)
    missed = [post(sse_live, channel, t, alice)["content"] for t in ("missed-1", "missed-2")]  # while disconnected
    with stream(sse_live, channel, bob, **{"Last-Event-ID": seen["id"]}) as r:
        post(sse_live, channel, "live", alice)
        resumed = read_events(r, 3)
    assert [e["data"]["content"] for e in resumed] == missed + ["live"]


def test_a_fresh_stream_replays_the_retained_history(sse_live, channel, as_user):
    post(sse_live, channel, "before", as_user("usr_alice"))
    with stream(sse_live, channel, as_user("usr_bob")) as r:
        assert read_events(r, 1)[0]["data"]["content"] == "before"


def test_an_idle_stream_ends_after_its_heartbeats_so_no_connection_is_held_forever(clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "SSE_HEARTBEAT_SECONDS": 0.05, "SSE_MAX_HEARTBEATS": 3})
    client = app.test_client()
    created = client.post("/v1/channels", json={"name": "quiet"}, headers=_headers(app, "usr_alice"))
    body = client.get(f"/v1/channels/{created.get_json()['data']['channelId']}/events",
                      headers=_headers(app, "usr_alice")).get_data(as_text=True)
    assert body == "retry: 1000\n\n" + ": keep-alive\n\n" * 3


def _headers(app, user):
    from apidesign.server import credentials
    return dict(credentials(app, user))


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "\u00b2", "9" * 40])  # "²" passes str.isdigit(), not int()
def test_a_garbled_last_event_id_is_a_400_envelope(client, as_user, value):
    cid = client.post("/v1/channels", json={"name": "g"}, headers=as_user("usr_alice")).get_json()["data"]["channelId"]
    r = client.get(f"/v1/channels/{cid}/events", headers={**as_user("usr_alice"), "Last-Event-ID": value})
    assert r.status_code == 400 and r.get_json()["error"]["details"][0]["issue"] == "not_an_event_id"


def test_a_garbled_lasteventid_query_is_a_400_even_beside_an_empty_header(client, as_user):
    cid = client.post("/v1/channels", json={"name": "g"}, headers=as_user("usr_alice")).get_json()["data"]["channelId"]
    r = client.get(f"/v1/channels/{cid}/events?lastEventId=x", headers={**as_user("usr_alice"), "Last-Event-ID": ""})
    assert r.status_code == 400 and r.get_json()["error"]["details"][0]["field"] == "lastEventId"


def test_listening_needs_the_messages_read_scope(client, app, as_user):
    from apidesign.server import credentials
    cid = client.post("/v1/channels", json={"name": "g"}, headers=as_user("usr_alice")).get_json()["data"]["channelId"]
    r = client.get(f"/v1/channels/{cid}/events", headers=credentials(app, "usr_alice", scopes=["channels:read"]))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "INSUFFICIENT_SCOPE"


def test_only_members_may_listen(client, as_user):
    cid = client.post("/v1/channels", json={"name": "g"}, headers=as_user("usr_alice")).get_json()["data"]["channelId"]
    assert client.get(f"/v1/channels/{cid}/events", headers=as_user("usr_carol")).status_code == 403
    assert client.get(f"/v1/channels/{cid}/events").status_code == 401


PROMPTLY = 2.0  # the claims are "within a second"; twice that for a busy shared machine


def open_raw_streams(stack: ExitStack, live, channel, headers, count: int) -> list[socket.socket]:
    """``count`` event-stream requests on raw sockets, sent at once (none waits for the one before)."""
    request = (f"GET /v1/channels/{channel}/events HTTP/1.1\r\nHost: x\r\n"
               f"Authorization: {headers['Authorization']}\r\n\r\n").encode()
    sockets = [stack.enter_context(socket.create_connection(("127.0.0.1", live.port), timeout=PROMPTLY))
               for _ in range(count)]
    for sock in sockets:
        sock.sendall(request)
    return sockets


def test_more_open_streams_than_worker_threads_still_leave_the_server_answering(sse_live, channel, as_user):
    with ExitStack() as stack:
        streams = open_raw_streams(stack, sse_live, channel, as_user("usr_bob"), sse_live.threads + 4)
        started = time.monotonic()
        assert all(sock.recv(12) == b"HTTP/1.1 200" for sock in streams), "every stream is answered"
        r = requests.get(f"{sse_live.url}/v1/users/usr_alice/channels", headers=as_user("usr_alice"), timeout=PROMPTLY)
        assert r.status_code == 200 and time.monotonic() - started < PROMPTLY


def test_streams_whose_clients_vanished_are_noticed_within_a_second(sse_live, channel, as_user):
    with ExitStack() as stack:
        for sock in open_raw_streams(stack, sse_live, channel, as_user("usr_bob"), sse_live.threads + 4):
            sock.recv(12)
    deadline = time.monotonic() + PROMPTLY  # the clients are gone; the server should know
    while sse_live.streams and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sse_live.streams == 0
    r = requests.get(f"{sse_live.url}/v1/users/usr_alice/channels", headers=as_user("usr_alice"), timeout=PROMPTLY)
    assert r.status_code == 200


@pytest.mark.parametrize("last_id, why", [(1, "events 2 and 3 fell out of a history of 2"),
                                          (99, "an id from before a restart: this broker gave 5 at most")])
def test_a_gap_the_history_cannot_fill_starts_the_stream_with_a_reset_to_refetch_by_rest(last_id, why):
    from apidesign.server.events import EventBroker
    from apidesign.server.sse import event_stream
    events = EventBroker(history=2)
    for n in range(5):
        events.publish("ch_1", "message.created", {"n": n})
    body = event_stream(events, "ch_1", last_id, heartbeat=0.01, max_heartbeats=1)
    assert next(body).startswith("retry:")
    assert next(body) == ('id: 5\nevent: reset\ndata: {"reason": "events after your Last-Event-ID are no longer '
                          'retained", "refetch": "/v1/channels/ch_1/messages"}\n\n'), why
    assert next(body) == ": keep-alive\n\n", "then live events after the reset's id"


def test_a_gap_the_history_can_fill_is_replayed_without_a_reset():
    from apidesign.server.events import EventBroker
    from apidesign.server.sse import event_stream
    events = EventBroker(history=2)
    for n in range(5):
        events.publish("ch_1", "message.created", {"n": n})
    body = event_stream(events, "ch_1", 3, heartbeat=0.01, max_heartbeats=1)
    assert [next(body).split("\n")[0] for _ in range(3)] == ["retry: 1000", "id: 4", "id: 5"]


def test_the_event_loop_body_sends_the_same_reset():
    import asyncio

    from apidesign.server.events import EventBroker
    from apidesign.server.sse import event_stream_async
    events = EventBroker(history=2)
    for n in range(5):
        events.publish("ch_1", "message.created", {"n": n})

    async def first_two():
        body = event_stream_async(events, "ch_1", 1, heartbeat=0.01, max_heartbeats=1)
        return [await anext(body), await anext(body)]
    with ThreadPoolExecutor(1) as own_thread:  # a loop of its own, whatever the calling thread holds
        assert own_thread.submit(asyncio.run, first_two()).result(timeout=10)[1].startswith("id: 5\nevent: reset\n")
