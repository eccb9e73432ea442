"""The recap's figures are recomputed by the library, and each one says what its chapter taught."""

from __future__ import annotations

import pytest

from apidesign.review import recap


def test_cursors_never_repeat_rows_that_offsets_repeat_under_arrivals():
    point = recap.pagination_drift()
    assert point.figures["offset_duplicates"] > 0 and point.figures["cursor_duplicates"] == 0
    assert f"shows {point.figures['offset_duplicates']} of them twice" in point.say


def test_keyset_pages_do_far_less_work_than_offset_pages_deep_in_a_channel():
    point = recap.keyset_work(depth=9_000, rows=10_000)
    assert point.figures["offset_steps"] > 100 * point.figures["keyset_steps"]
    assert f"{point.figures['offset_steps']:,} steps" in point.say


@pytest.mark.parametrize("limit", [3, 5])
def test_a_fixed_window_admits_twice_its_limit_across_a_boundary_and_a_sliding_log_does_not(limit):
    point = recap.window_boundary(limit=limit)
    assert (point.figures["fixed_window"], point.figures["sliding_log"]) == (2 * limit, limit)


def test_idempotency_keys_turn_retries_into_exactly_the_intended_rows():
    point = recap.retries_without_keys(drop_rate=0.3)
    assert point.figures["naive_rows"] > point.figures["intended"] == point.figures["keyed_rows"]
    assert point.figures["keyed_duplicates"] == 0


def test_a_revoked_token_works_for_its_lifetime_plus_leeway_without_a_denylist_and_not_at_all_with_one():
    point = recap.revocation_window()
    assert point.figures == {"none_s": 900 + 30, "denylist_s": 0.0}  # create_app's ACCESS_TOKEN_TTL and JWT_LEEWAY


@pytest.mark.parametrize("strategy", ["none", "denylist"])
def test_the_widgets_revocation_window_is_the_one_measured_by_scanning_past_the_first_refusal(strategy):
    from apidesign.revocation import revocation_tradeoff
    model = revocation_tradeoff(900, strategy, request_rate=0)  # create_app's lifetime; the default leeway
    assert model.revoked_token_window == recap.still_works_for(strategy == "denylist", step=1.0)


def test_measure_adds_up_every_moment_a_condition_holds_on_the_fake_clock():
    from apidesign.clock import FakeClock
    clock = FakeClock(0.0)
    assert recap.measure(lambda: clock.now() < 12, clock, step=1.0, horizon=30) == 12
    assert recap.measure(lambda: False, clock, step=1.0, horizon=30) == 0


def test_measure_scans_past_the_first_refusal():
    from apidesign.clock import FakeClock
    clock = FakeClock(0.0)
    refused_then_accepted = lambda: not 1 <= clock.now() < 5  # noqa: E731  accepted at 0, refused 1-4, then again
    assert recap.measure(refused_then_accepted, clock, step=1.0, horizon=10) == 6


def test_hpack_repeats_save_the_ordinary_headers_but_still_carry_the_token():
    f = recap.header_compression().figures
    assert 150 < f["repeat"] < f["first"] < f["http1"], "the token is never indexed, so repeats stay large"
    assert 0.9 * f["repeat"] < f["token"] < len("Bearer " + "x" * 200), "the token is most of a repeat, Huffman-coded"


def test_the_recap_covers_the_chapters_in_course_order():
    chapters = [p.chapter for p in recap.talking_points()]
    assert chapters == sorted(chapters) and {c[:2] for c in chapters} == {"01", "02", "03", "04", "05", "07"}


def test_without_if_match_the_second_writer_erases_the_first_and_with_it_gets_a_412_and_keeps_both():
    point = recap.lost_update()
    assert point.figures == {"unconditional_kept": 1, "conditional_kept": 2, "refused": 1}


def test_revalidating_polls_get_304s_while_nothing_changed_and_receive_far_fewer_bytes():
    f = recap.revalidation(polls=12, messages=10, changes_at=(4, 8)).figures
    assert f["not_modified"] == 12 - 1 - 2  # the first poll and one after each change carry the body
    assert f["conditional_bytes"] * 2 < f["plain_bytes"]


def test_polling_often_costs_requests_polling_as_told_costs_fewer_and_a_callback_one():
    f = recap.long_running_work(duration=4.3, interval=0.5).figures
    assert f["eager_requests"] > f["retry_after_requests"] > f["callback_requests"] == 1 == f["callbacks"]
    assert f["callback_late"] <= f["eager_late"] <= 0.5


def test_the_webhook_receiver_handles_each_event_once_and_refuses_the_replay_and_the_tampered_body():
    f = recap.webhook_defences().figures
    assert (f["accepted"], f["duplicate"], f["rejected"]) == (2, 1, 2)
    replay, tampered = f["refused_because"]
    assert "timestamp" in replay and "signature" in tampered


def test_the_webhook_talking_point_gives_each_answer_with_the_receivers_own_reason():
    from apidesign.webhook_receiver import defences
    said = recap.webhook_defences().say
    assert all(f"{s.outcome} ({s.status}): \"{s.reason.rstrip('.')}\"" in said for s in defences() if s.outcome != "accepted")
    assert recap.webhook_defences().figures["refused_seen_before"] == 2  # the replay and the tampered body reuse IDs


def test_naive_resolvers_run_a_statement_per_parent_and_dataloaders_one_per_level():
    small, large = (recap.graphql_n_plus_one(channels=n).figures for n in (2, 5))
    assert large["naive"] > small["naive"] and large["dataloader"] == small["dataloader"]
    assert large["naive"] > 10 * large["dataloader"]
