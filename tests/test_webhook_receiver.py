"""The receiver: an authentic webhook is handled once; a retry is a 2xx duplicate; a replay and a tampered body are refused."""

from __future__ import annotations

import time

import pytest
import requests
from standardwebhooks import Webhook
from standardwebhooks import WebhookVerificationError as StandardRefusal

from apidesign.clock import FakeClock
from apidesign.server import serve
from apidesign.webhook_delivery import event_body, signed_headers
from apidesign.webhook_receiver import Receiver, captured_delivery, defences, receiver_app, replays
from apidesign.webhooks import TOLERANCE, new_secret

NOW = 1_773_311_400.0
BODY = event_body("message.created", {"content": "pay Bob 10"}, "2026-03-12T10:30:00.000Z")


@pytest.fixture
def secret():
    return new_secret()


def test_an_authentic_webhook_is_handled_and_its_retry_is_answered_2xx_without_handling_it_again(secret):
    receiver = Receiver(secret)
    first = receiver.receive(signed_headers(secret, "evt_1", NOW, BODY), BODY, now=NOW)
    retry = receiver.receive(signed_headers(secret, "evt_1", NOW + 30, BODY), BODY, now=NOW + 30)
    assert (first.status, first.outcome, retry.status, retry.outcome) == (200, "accepted", 200, "duplicate")
    assert receiver.events == [{"type": "message.created", "timestamp": "2026-03-12T10:30:00.000Z",
                                "data": {"content": "pay Bob 10"}}]


def test_a_replay_older_than_the_tolerance_is_refused_though_its_signature_still_matches(secret):
    captured = signed_headers(secret, "evt_1", NOW, BODY)
    assert Receiver(secret).receive(captured, BODY, now=NOW + TOLERANCE).outcome == "accepted"
    late = Receiver(secret).receive(captured, BODY, now=NOW + TOLERANCE + 1)  # a receiver with no memory of it
    assert (late.status, late.outcome) == (400, "rejected") and "tolerance" in late.reason


def test_a_tampered_body_or_a_forged_signature_is_refused(secret):
    receiver = Receiver(secret)
    tampered = receiver.receive(signed_headers(secret, "evt_1", NOW, BODY), BODY.replace(b"10", b"1000"), now=NOW)
    forged = receiver.receive(signed_headers(new_secret(), "evt_2", NOW, BODY), BODY, now=NOW)
    assert [v.outcome for v in (tampered, forged)] == ["rejected", "rejected"] and receiver.events == []


def test_header_names_match_whatever_their_case(secret):
    headers = {k.title(): v for k, v in signed_headers(secret, "evt_1", NOW, BODY).items()}
    assert Receiver(secret).receive(headers, BODY, now=NOW).outcome == "accepted"


def test_the_standard_library_and_the_receiver_agree_on_fresh_tampered_and_stale_webhooks(secret):
    now = time.time()  # standardwebhooks reads the real clock
    cases = {"fresh": (signed_headers(secret, "evt_1", now, BODY), BODY),
             "tampered": (signed_headers(secret, "evt_2", now, BODY), BODY + b" "),
             "stale": (signed_headers(secret, "evt_3", now - TOLERANCE - 60, BODY), BODY)}
    for name, (headers, body) in cases.items():
        ours = Receiver(secret).receive(headers, body, now=now).outcome == "accepted"
        try:
            Webhook(secret).verify(body, headers)
            theirs = True
        except StandardRefusal:
            theirs = False
        assert ours == theirs == (name == "fresh"), name


def test_the_receiver_app_answers_each_verdict_over_http_after_its_outage(secret):
    clock = FakeClock(NOW)
    receiver = Receiver(secret)
    with serve(receiver_app(receiver, clock, fail_first=1)) as live, requests.Session() as http:
        def post(headers, body=BODY):
            return http.post(live.url + "/webhooks", data=body, headers=headers, timeout=5)
        signed = signed_headers(secret, "evt_1", NOW, BODY)
        answers = [post(signed), post(signed), post(signed), post(signed, BODY + b" ")]
    assert [(r.status_code, r.json()["outcome"]) for r in answers] == [
        (503, "unavailable"), (200, "accepted"), (200, "duplicate"), (400, "rejected")]


def test_the_defences_table_shows_a_retry_deduplicated_a_replay_too_old_and_a_tampered_body_refused():
    scenes = defences()
    assert [(s.status, s.outcome) for s in scenes] == [(200, "accepted"), (200, "duplicate"), (400, "rejected"),
                                                       (200, "accepted"), (400, "rejected")]
    attempt, retry, replay, paid, tampered = scenes
    assert attempt.webhook_id == retry.webhook_id == replay.webhook_id != paid.webhook_id == tampered.webhook_id
    assert retry.timestamp != attempt.timestamp == replay.timestamp  # a retry is signed anew; a replay is not
    assert "tolerance" in replay.reason and replay.at - attempt.at > TOLERANCE
    assert "signature" in tampered.reason and tampered.timestamp == paid.timestamp
    assert defences() == scenes  # the same table on every run


def test_while_the_receiver_remembers_an_id_deduplication_alone_stops_a_replay(secret):
    captured = signed_headers(secret, "evt_1", NOW, BODY)
    receiver = Receiver(secret, tolerance=float("inf"), remember=3 * 86_400)  # no age check at all
    assert receiver.receive(captured, BODY, now=NOW).outcome == "accepted"
    assert receiver.receive(captured, BODY, now=NOW + 600).outcome == "duplicate"
    assert receiver.receive(captured, BODY, now=NOW + 4 * 86_400).outcome == "accepted"  # forgotten: handled again
    assert len(receiver.events) == 2


def test_remember_0_means_no_deduplication_and_none_means_for_ever(secret):
    captured = signed_headers(secret, "evt_1", NOW, BODY)
    forgetful, elephant = Receiver(secret, remember=0), Receiver(secret, tolerance=float("inf"))
    for receiver in (forgetful, elephant):
        receiver.receive(captured, BODY, now=NOW)
    assert forgetful.receive(captured, BODY, now=NOW + 1).outcome == "accepted"
    assert elephant.receive(captured, BODY, now=NOW + 10 * 365 * 86_400).outcome == "duplicate"


def test_a_receiver_needs_both_defences_ids_inside_the_window_and_the_tolerance_after_ids_are_forgotten():
    handled = {(r.receiver, r.after): (r.status, r.outcome, r.handled) for r in replays()}
    accepted, duplicate, rejected = (200, "accepted", 2), (200, "duplicate", 1), (400, "rejected", 1)
    assert handled == {
        ("signature only", "1 min"): accepted, ("signature only", "10 min"): accepted,
        ("signature only", "5 days"): accepted,
        ("IDs only (kept 4 days)", "1 min"): duplicate, ("IDs only (kept 4 days)", "10 min"): duplicate,
        ("IDs only (kept 4 days)", "5 days"): accepted,
        ("tolerance only (5 min)", "1 min"): accepted, ("tolerance only (5 min)", "10 min"): rejected,
        ("tolerance only (5 min)", "5 days"): rejected,
        ("both", "1 min"): duplicate, ("both", "10 min"): rejected, ("both", "5 days"): rejected}


def test_ids_are_kept_longer_than_the_standard_webhooks_example_schedule_and_the_late_replay_comes_after():
    from apidesign.webhook_receiver import DAY, KEEP_IDS
    example_ends = 75 * 3600 + 35 * 60 + 5  # 75:35:05 after attempt 1, the spec's example schedule
    assert example_ends < KEEP_IDS < 5 * DAY


def test_a_receiver_that_does_not_deduplicate_handles_the_senders_retry_twice():
    scenes = defences(remember=0)
    first = scenes[0].webhook_id
    assert [s.outcome for s in scenes if s.webhook_id == first] == ["accepted", "accepted", "rejected"]


def test_the_captured_delivery_is_what_the_real_sender_signs_and_the_reference_library_accepts():
    secret, headers, body = captured_delivery()
    assert b"pay Bob 10" in body
    assert Receiver(secret).receive(headers, body, now=int(headers["webhook-timestamp"])).outcome == "accepted"
    with pytest.raises(StandardRefusal):  # its timestamp is 2026-03-12, far from the real clock: too old or too new
        Webhook(secret).verify(body, headers)
