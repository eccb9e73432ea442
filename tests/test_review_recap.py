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
    assert chapters == sorted(chapters) and {c[:2] for c in chapters} == {"01", "02", "03", "04", "05"}
