"""Outbound requests (outbound.py): a total deadline per attempt, a capped read of the answer, fair rounds."""

from __future__ import annotations

import time

import pytest
from flask import Flask, request

from apidesign import outbound
from apidesign.server import serve
from receivers import dribbling_receiver, silent_receiver, streaming_receiver


def test_a_receiver_that_answers_gets_its_status_and_the_start_of_its_body_read():
    receiver = Flask("receiver")
    heard = []

    @receiver.post("/hook")
    def hook():
        heard.append((request.headers["Content-Type"], request.get_data()))
        return "thanks", 202

    with serve(receiver) as inbox:
        reply = outbound.post(f"{inbox.url}/hook", b'{"a":1}', {"content-type": "application/json"})
    assert reply == outbound.Reply(202, b"thanks") and heard == [("application/json", b'{"a":1}')]


def test_the_deadline_covers_the_whole_attempt_whatever_the_receiver_does():
    for receiver in (silent_receiver(), dribbling_receiver(every=0.1)):
        with receiver as url:
            started = time.monotonic()
            with pytest.raises(TimeoutError, match="within 0.5 s"):
                outbound.post(url, b"{}", {}, deadline=0.5)
            assert time.monotonic() - started < 1.5


def test_at_most_body_cap_bytes_of_a_huge_answer_are_kept_and_the_rest_is_left_unsent():
    with streaming_receiver(megabytes=100) as (url, pushed):
        reply = outbound.post(url, b"{}", {}, deadline=5)
        time.sleep(0.2)
    assert reply.status == 200 and len(reply.body) == outbound.BODY_CAP == 1024
    assert pushed() < 32 << 20  # what the kernel's buffers took before the connection was closed


@pytest.mark.parametrize("url", ["http://localhost:99999/", "ftp://127.0.0.1/", "http:///nohost", "not a url"])
def test_a_url_no_request_can_go_to_is_a_value_error_before_any_connection(url):
    with pytest.raises(ValueError):
        outbound.post(url, b"{}", {})


def test_the_request_goes_to_the_host_urllib3_reads_which_is_the_one_the_ssrf_check_read():
    assert outbound.request_url("http://LOCALHOST:8400/a?b=1").host == "localhost"
    assert str(outbound.request_url("http://127.0.0.1:8400/a?b=1")) == "http://127.0.0.1:8400/a?b=1"


def test_turns_take_one_item_per_owner_a_round_and_whoever_went_longest_ago_goes_first():
    turns, owner = outbound.Turns(), lambda item: item[0]
    carols = [("carol", n) for n in range(5)]
    assert turns.next_round(carols, owner) == [("carol", 0)]
    # Bob arrives while Carol's first attempt is in flight: he has had no turn, so he goes before her second
    assert turns.next_round([*carols[1:], ("bob", 0), ("alice", 0)], owner) == [("bob", 0), ("alice", 0), ("carol", 1)]
    assert turns.next_round([*carols[2:], ("bob", 1)], owner) == [("bob", 1), ("carol", 2)]
    assert turns.next_round([], owner) == []
