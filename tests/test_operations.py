"""Long-running operations: the runner on a fake clock (operations.py), the routes over HTTP (server/exports.py)."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from flask import Flask, request

from apidesign.clock import FakeClock
from apidesign.operations import OperationFailed, OperationRunner
from apidesign.server import create_app, credentials, serve
from apidesign.server.serving import STOP_SECONDS
from receivers import dribbling_receiver, redirecting_receiver, silent_receiver

ALICE, BOB, CAROL = "usr_alice", "usr_bob", "usr_carol"


# --- the runner, with no HTTP in sight

def test_an_operation_is_not_done_until_its_duration_has_passed_on_the_clock():
    clock, calls = FakeClock(0), []
    runner = OperationRunner(clock, lambda op: calls.append(op.target) or {"ok": True}, duration=5)
    runner.submit("op_1", ALICE, "ch_1")
    clock.advance(4.9)
    assert runner.step() == [] and not runner.get("op_1").done and calls == []
    clock.advance(0.1)
    [done] = runner.step()
    assert done.done and done.result == {"ok": True} and calls == ["ch_1"]
    assert runner.step() == [] and calls == ["ch_1"]  # the work runs once


def test_failed_work_ends_the_operation_with_an_error_not_a_result():
    def work(op):
        raise OperationFailed("FORBIDDEN", "no longer a member")
    clock = FakeClock(0)
    runner = OperationRunner(clock, work, duration=1)
    runner.submit("op_1", ALICE, "ch_1")
    clock.advance(1)
    runner.step()
    body = runner.get("op_1").json()
    assert body == {"operationId": "op_1", "done": True,
                    "error": {"code": "FORBIDDEN", "message": "no longer a member", "details": []}}


def test_the_callback_is_delivered_once_when_the_operation_finishes():
    clock, delivered = FakeClock(0), []
    runner = OperationRunner(clock, lambda op: {}, duration=2, deliver=lambda url, body: delivered.append((url, body)))
    runner.submit("op_1", ALICE, "ch_1", callback_url="http://127.0.0.1:9/done")
    runner.submit("op_2", ALICE, "ch_1")  # no callback: nothing delivered for it
    clock.advance(2)
    runner.step()
    runner.step()
    assert delivered == [("http://127.0.0.1:9/done", {"data": {"operationId": "op_1", "done": True, "result": {}}})]


def test_a_running_operations_json_has_neither_result_nor_error():
    runner = OperationRunner(FakeClock(0), lambda op: {}, duration=1)
    assert runner.submit("op_1", ALICE, "ch_1").json() == {"operationId": "op_1", "done": False}


def test_the_background_thread_finishes_operations_without_anyone_polling():
    clock, delivered = FakeClock(0), []
    runner = OperationRunner(clock, lambda op: {}, duration=1, deliver=lambda url, body: delivered.append(url))
    runner.submit("op_1", ALICE, "ch_1", callback_url="http://127.0.0.1:9/")
    clock.advance(1)
    runner.start(interval=0.005)
    try:
        for _ in range(400):
            if delivered:
                break
            time.sleep(0.005)
    finally:
        runner.stop()
    assert delivered == ["http://127.0.0.1:9/"]


def test_each_step_sends_one_callback_per_owner_so_one_users_many_callbacks_wait_their_turns():
    clock, delivered = FakeClock(0), []
    runner = OperationRunner(clock, lambda op: {}, duration=1, deliver=lambda url, body: delivered.append(url),
                             max_running=10)
    for n in range(3):
        runner.submit(f"op_b{n}", BOB, "ch_1", callback_url=f"http://127.0.0.1:9/bob/{n}")
    runner.submit("op_a", ALICE, "ch_1", callback_url="http://127.0.0.1:9/alice")
    clock.advance(1)
    assert len(runner.step()) == 4 and delivered == ["http://127.0.0.1:9/bob/0", "http://127.0.0.1:9/alice"]
    runner.step()
    runner.step()
    assert delivered[2:] == ["http://127.0.0.1:9/bob/1", "http://127.0.0.1:9/bob/2"]
    assert runner.step() == [] and len(delivered) == 4  # each callback is sent once


def test_no_lock_is_held_while_an_operation_works_so_reading_another_one_never_waits_for_it():
    clock, release = FakeClock(0), threading.Event()

    def work(op):
        if op.owner == BOB:  # a 12 MB history, say
            release.wait(10)
        return {}
    runner = OperationRunner(clock, work, duration=1)
    runner.submit("op_b", BOB, "ch_big")
    runner.submit("op_a", ALICE, "ch_small")
    clock.advance(1)
    worker = threading.Thread(target=runner.step)  # the worker's tick starts on Bob's export
    worker.start()
    try:
        time.sleep(0.1)
        started = time.monotonic()
        alices = runner.get("op_a")
        assert time.monotonic() - started < 1  # the old runner held its lock through every export of the tick
        assert runner.finish_if_due(alices).done and not runner.get("op_b").done
    finally:
        release.set()
        worker.join()
    assert runner.get("op_b").done


def test_a_step_stops_between_callbacks_once_told_to():
    clock, stop, delivered = FakeClock(0), threading.Event(), []
    runner = OperationRunner(clock, lambda op: {}, duration=1, deliver=lambda url, body: delivered.append(url) or stop.set())
    for user in (ALICE, BOB, CAROL):
        runner.submit(f"op_{user}", user, "ch_1", callback_url=f"http://127.0.0.1:9/{user}")
    clock.advance(1)
    runner.step(stop)
    assert delivered == ["http://127.0.0.1:9/usr_alice"]


def test_a_callback_to_a_receiver_that_dribbles_its_answer_costs_its_deadline_in_all():
    from apidesign.operations import post_json
    with dribbling_receiver(every=0.2) as url:  # 100 bytes, each well within a per-read timeout: 20 s in all
        started = time.monotonic()
        post_json(url, {"data": {"done": True}})
        assert time.monotonic() - started < 4  # CALLBACK_DEADLINE is 2 s


# --- the HTTP surface

@pytest.fixture
def channel(client, as_user, clock):
    """A channel of Alice's with Bob in it and two messages."""
    r = client.post("/v1/channels", json={"name": "general", "memberIds": [BOB]}, headers=as_user(ALICE))
    url = r.headers["Location"]
    for text in ("one", "two"):
        clock.advance(1)
        client.post(f"{url}/messages", json={"content": text}, headers=as_user(ALICE))
    return url


def start(client, headers, channel_url, body=None):
    return client.post(f"{channel_url}/exports", json={} if body is None else body, headers=headers)


def test_an_export_is_accepted_with_202_and_a_location_to_poll(client, as_user, channel):
    r = start(client, as_user(ALICE), channel)
    assert r.status_code == 202 and r.headers["Retry-After"] == "2"  # EXPORT_DURATION: the whole wait
    op = r.get_json()["data"]
    assert op == {"operationId": op["operationId"], "done": False} and op["operationId"].startswith("op_")
    assert r.headers["Location"] == f"/v1/operations/{op['operationId']}"


def test_polling_says_not_done_with_retry_after_then_done_with_the_history(client, as_user, channel, clock):
    location = start(client, as_user(ALICE), channel).headers["Location"]
    running = client.get(location, headers=as_user(ALICE))
    assert running.status_code == 200 and running.get_json()["data"]["done"] is False
    assert running.headers["Retry-After"] == "2"
    clock.advance(2)  # EXPORT_DURATION
    finished = client.get(location, headers=as_user(ALICE))
    data = finished.get_json()["data"]
    assert data["done"] is True and "error" not in data and "Retry-After" not in finished.headers
    assert data["result"]["messageCount"] == 2
    assert [m["content"] for m in data["result"]["messages"]] == ["one", "two"]


def test_an_operation_is_polled_with_if_none_match_for_304s_while_it_runs(client, as_user, channel, clock):
    location = start(client, as_user(ALICE), channel).headers["Location"]
    tag = client.get(location, headers=as_user(ALICE)).headers["ETag"]
    waiting = client.get(location, headers={**as_user(ALICE), "If-None-Match": tag})
    assert waiting.status_code == 304 and waiting.headers["Retry-After"] == "2"
    clock.advance(2)
    assert client.get(location, headers={**as_user(ALICE), "If-None-Match": tag}).status_code == 200


@pytest.mark.parametrize("duration, elapsed, retry_after", [
    (4.3, 0, "5"),     # 4.3 s left: rounded up, so the poll it asks for finds the work done
    (4.3, 4, "1"),     # 0.3 s left: still a whole second, never 0 (which would invite a busy loop)
    (4.3, 4.3, None),  # done: no Retry-After at all
    (600, 0, "60"),    # ten minutes of work: capped, so a misjudged estimate costs at most a minute
    (600, 590, "10"),
])
def test_retry_after_is_the_time_the_work_is_still_expected_to_take_whole_seconds_at_least_1_and_capped(
        duration, elapsed, retry_after):
    clock = FakeClock(1_000_000)
    app = create_app({"TESTING": True, "CLOCK": clock, "WALL_CLOCK": clock, "EXPORT_DURATION": duration})
    client, alice = app.test_client(), dict(credentials(app, ALICE))
    url = client.post("/v1/channels", json={"name": "timed"}, headers=alice).headers["Location"]
    started = start(client, alice, url)
    clock.advance(elapsed)
    polled = client.get(started.headers["Location"], headers=alice)
    assert polled.headers.get("Retry-After") == retry_after
    if elapsed == 0:
        assert started.headers["Retry-After"] == retry_after


def test_only_the_creator_may_read_an_operation_and_others_get_the_same_404_as_for_none(client, as_user, channel):
    location = start(client, as_user(ALICE), channel).headers["Location"]
    theirs = client.get(location, headers=as_user(BOB))  # a member of the channel, but not the creator
    missing = client.get("/v1/operations/op_nothing", headers=as_user(BOB))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.get_json()["error"]["code"] == "NOT_FOUND"
    assert client.get(location).status_code == 401


def test_only_members_may_export_a_channel(client, as_user, channel):
    assert start(client, as_user(CAROL), channel).status_code == 403
    assert start(client, as_user(ALICE), "/v1/channels/ch_missing").status_code == 404
    assert start(client, as_user(BOB), channel).status_code == 202


def test_an_export_needs_the_messages_read_scope(client, app, channel):
    no_read = dict(credentials(app, ALICE, scopes=["channels:read", "channels:write", "messages:write"]))
    r = start(client, no_read, channel)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "INSUFFICIENT_SCOPE"


def test_a_member_who_leaves_before_the_export_finishes_gets_an_error_not_the_history(client, as_user, channel, clock):
    location = start(client, as_user(BOB), channel).headers["Location"]
    client.patch(channel, json={"memberIds": []}, headers=as_user(ALICE))  # Alice removes Bob
    clock.advance(2)
    data = client.get(location, headers=as_user(BOB)).get_json()["data"]
    assert data["done"] is True and "result" not in data and data["error"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("body, issue", [({"callbackUrl": "http://10.0.0.5/hook"}, "callback_not_allowed"),
                                         ({"callbackUrl": "file:///etc/passwd"}, "callback_not_allowed"),
                                         ({"callbackUrl": "http://127.0.0.1:0/"}, "callback_not_allowed"),
                                         ({"callbackUrl": "http://localhost:99999/"}, "callback_not_allowed"),
                                         ({"callbackUrl": "http://localhost:65536/x"}, "callback_not_allowed"),
                                         ({"callbackUrl": "http://[::1/"}, "callback_not_allowed"),
                                         ({"callbackUrl": "http://alice@127.0.0.1/"}, "callback_not_allowed"),
                                         ({"callbackUrl": "http://127.0.0.1.evil.test/"}, "callback_not_allowed"),
                                         ({"callbackUrl": "http://127.0.0.1/a b"}, "callback_not_allowed"),
                                         ({"callbackUrl": "http://127.0.0.1/\n"}, "callback_not_allowed"),
                                         ({"callbackUrl": 7}, "must_be_string"),
                                         ({"colour": "red"}, "unknown_field")])
def test_a_callback_may_only_go_to_an_allowed_host_and_bad_bodies_are_400s(client, as_user, channel, body, issue):
    r = start(client, as_user(ALICE), channel, body)
    assert r.status_code == 400 and r.get_json()["error"]["details"][0]["issue"] == issue


def test_the_finished_operation_is_posted_to_the_callback_url(clock):
    delivered = []
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "EXPORT_DURATION": 3})
    app.extensions["apidesign"].extras["operations"].deliver = lambda url, body: delivered.append((url, body))
    client, alice = app.test_client(), dict(credentials(app, ALICE))
    url = client.post("/v1/channels", json={"name": "general"}, headers=alice).headers["Location"]
    op = start(client, alice, url, {"callbackUrl": "http://127.0.0.1:8400/exports-done"}).get_json()["data"]
    clock.advance(3)
    app.extensions["apidesign"].extras["operations"].step()  # the worker's tick
    [(to, body)] = delivered
    assert to == "http://127.0.0.1:8400/exports-done"
    assert body["data"]["operationId"] == op["operationId"] and body["data"]["done"] is True


def test_a_live_server_with_the_thread_worker_posts_the_finished_operation_to_a_receiver():
    """Real HTTP both ways: the export finishes on the system clock and the callback reaches a receiver on 127.0.0.1."""
    heard, arrived = [], threading.Event()
    receiver = Flask("receiver")

    @receiver.post("/done")
    def done():
        heard.append(request.get_json())
        arrived.set()
        return "", 204

    app = create_app({"EXPORT_DURATION": 0.1, "OPERATIONS_WORKER": "thread"})
    runner = app.extensions["apidesign"].extras["operations"]
    assert not runner.running  # the thread belongs to the served app, not to create_app
    with serve(receiver) as inbox, serve(app) as live:
        assert runner.running
        alice = dict(credentials(app, ALICE))
        url = requests.post(live.url + "/v1/channels", json={"name": "live"}, headers=alice).headers["Location"]
        r = requests.post(f"{live.url}{url}/exports", json={"callbackUrl": f"{inbox.url}/done"}, headers=alice)
        assert r.status_code == 202
        assert arrived.wait(10), "no callback within 10 s"
    assert not runner.running and "apidesign-operations" not in {t.name for t in threading.enumerate()}
    assert heard[0]["data"]["operationId"] == r.json()["data"]["operationId"]
    assert heard[0]["data"]["done"] is True and heard[0]["data"]["result"]["messageCount"] == 0


def test_the_contract_publishes_the_callback_rule_the_server_applies(client, as_user, channel):
    from jsonschema import Draft202012Validator
    doc = client.get("/v1/openapi.json").get_json()
    schema = doc["components"]["schemas"]["ExportInput"]
    for url in ("http://127.0.0.1:8400/done", "https://localhost/x?y=1", "http://localhost", "http://LOCALHOST/",
                "http://127.0.0.1:0/", "http://10.0.0.5/", "http://127.0.0.1/\n", "ftp://127.0.0.1/",
                "http://localhost:65535/", "http://localhost:65536/", "http://localhost:99999/"):
        documented = Draft202012Validator(schema).is_valid({"callbackUrl": url})
        accepted = start(client, as_user(ALICE), channel, {"callbackUrl": url}).status_code == 202
        assert documented == accepted, url


def test_the_callback_does_not_follow_a_redirect():
    """A 307 to another path is a failed delivery, not a second POST: the callback rule checked only the first URL."""
    from apidesign.operations import post_json
    with redirecting_receiver() as (url, hits):
        post_json(url, {"done": True})
    assert hits == ["/hook"]


# --- what one user can make the server do for them, and what that costs everyone else

def test_polling_your_operation_does_no_one_elses_work_and_sends_no_callback(clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "EXPORT_DURATION": 1})
    runner, delivered = app.extensions["apidesign"].extras["operations"], []
    runner.deliver = lambda url, body: delivered.append(url)
    client, alice, bob = app.test_client(), dict(credentials(app, ALICE)), dict(credentials(app, BOB))
    theirs = client.post("/v1/channels", json={"name": "b"}, headers=bob).headers["Location"]
    ours = client.post("/v1/channels", json={"name": "a"}, headers=alice).headers["Location"]
    bobs = start(client, bob, theirs, {"callbackUrl": "http://127.0.0.1:9/bob"}).get_json()["data"]["operationId"]
    location = start(client, alice, ours, {"callbackUrl": "http://127.0.0.1:9/alice"}).headers["Location"]
    clock.advance(1)
    assert client.get(location, headers=alice).get_json()["data"]["done"] is True
    assert delivered == [] and runner.get(bobs).done is False  # Bob's work and both callbacks wait for the worker
    runner.step()
    assert runner.get(bobs).done and sorted(delivered) == ["http://127.0.0.1:9/alice", "http://127.0.0.1:9/bob"]


def test_a_poll_answers_promptly_while_another_users_callbacks_go_to_a_receiver_that_never_answers():
    app = create_app({"EXPORT_DURATION": 0.3})
    with silent_receiver() as hole, serve(app) as live:
        alice, bob = dict(credentials(app, ALICE)), dict(credentials(app, BOB))
        theirs = requests.post(live.url + "/v1/channels", json={"name": "b"}, headers=bob, timeout=5).json()["data"]
        ours = requests.post(live.url + "/v1/channels", json={"name": "a"}, headers=alice, timeout=5).json()["data"]
        for _ in range(5):
            requests.post(f"{live.url}/v1/channels/{theirs['channelId']}/exports", json={"callbackUrl": hole},
                          headers=bob, timeout=5)
        op = requests.post(f"{live.url}/v1/channels/{ours['channelId']}/exports", json={}, headers=alice,
                           timeout=5).json()["data"]["operationId"]
        time.sleep(0.5)
        started = time.monotonic()
        r = requests.get(f"{live.url}/v1/operations/{op}", headers=alice, timeout=60)
        assert r.json()["data"]["done"] is True
        assert time.monotonic() - started < 1.5  # the old poll sent Bob's callbacks first: 2 s each


def test_with_the_thread_worker_stop_returns_in_time_while_callbacks_go_to_a_receiver_that_never_answers():
    app = create_app({"EXPORT_DURATION": 0.1, "OPERATIONS_WORKER": "thread"})
    with silent_receiver() as hole:
        live = serve(app)
        try:
            bob = dict(credentials(app, BOB))
            channel = requests.post(live.url + "/v1/channels", json={"name": "b"}, headers=bob, timeout=5).json()["data"]
            for _ in range(5):
                requests.post(f"{live.url}/v1/channels/{channel['channelId']}/exports", json={"callbackUrl": hole},
                              headers=bob, timeout=5)
            time.sleep(0.5)  # the worker is inside the first callback now
        finally:
            started = time.monotonic()
            live.stop()
        assert time.monotonic() - started < STOP_SECONDS + 0.5  # the old stop() waited 2 s for each callback


def test_a_user_with_max_running_exports_running_gets_429_with_retry_after_until_the_first_is_done(clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "EXPORT_DURATION": 2,
                      "OPERATIONS_MAX_RUNNING": 3})
    client, alice, bob = app.test_client(), dict(credentials(app, ALICE)), dict(credentials(app, BOB))
    url = client.post("/v1/channels", json={"name": "general", "memberIds": [BOB]}, headers=alice).headers["Location"]
    for _ in range(3):
        assert start(client, alice, url).status_code == 202
        clock.advance(0.25)
    refused = start(client, alice, url)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"  # the first is due in 1.25 s
    assert refused.get_json()["error"]["code"] == "TOO_MANY_OPERATIONS"
    assert start(client, bob, url).status_code == 202  # a quota per user: Bob is not held up by Alice
    clock.advance(1.25)
    assert start(client, alice, url).status_code == 202


def test_an_operation_is_kept_for_its_retention_once_due_then_polling_it_is_a_404(clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "EXPORT_DURATION": 2,
                      "OPERATION_RETENTION": 600})
    client, alice = app.test_client(), dict(credentials(app, ALICE, ttl=3600))
    url = client.post("/v1/channels", json={"name": "general"}, headers=alice).headers["Location"]
    location = start(client, alice, url).headers["Location"]
    clock.advance(2 + 599)
    assert client.get(location, headers=alice).get_json()["data"]["done"] is True
    clock.advance(1)
    gone = client.get(location, headers=alice)
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "NOT_FOUND"
    start(client, alice, url)  # any submit sweeps what expired: the result is no longer held at all
    assert location.rsplit("/", 1)[1] not in app.extensions["apidesign"].extras["operations"].operations


def test_only_each_users_newest_operations_are_kept_so_no_user_holds_more_than_running_plus_kept(clock):
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "EXPORT_DURATION": 1,
                      "OPERATIONS_MAX_RUNNING": 2, "OPERATIONS_KEPT": 3})
    client, alice = app.test_client(), dict(credentials(app, ALICE, ttl=3600))
    url = client.post("/v1/channels", json={"name": "general"}, headers=alice).headers["Location"]
    started = []
    for _ in range(50):
        r = start(client, alice, url)
        if r.status_code == 202:
            started.append(r.headers["Location"])
        clock.advance(0.5)
    assert len(started) == 50  # two running at a time, each 1 s: never refused at this pace
    kept = app.extensions["apidesign"].extras["operations"].operations
    assert len(kept) <= 2 + 3
    assert [client.get(loc, headers=alice).status_code for loc in started[-3:]] == [200] * 3
    assert client.get(started[0], headers=alice).status_code == 404
