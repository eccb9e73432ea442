"""apidesign.drift: the side-by-side walk behind the notebook's drift widget."""

import pytest

from apidesign.drift import POSITIONS, simulate_drift


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("deletions", [0, 2])
def test_cursor_walk_has_no_drift_wherever_messages_arrive(position, deletions):
    report = simulate_drift(page_size=10, arrivals_per_page=3, position=position, deletions_per_page=deletions)
    assert (report.cursor.duplicates, report.cursor.misses) == (0, 0)
    assert report.cursor.finished


def test_offset_walk_repeats_rows_when_messages_arrive_at_the_head_of_a_newest_first_feed():
    report = simulate_drift(page_size=10, arrivals_per_page=3, position="newest")
    steps = [b - a for a, b in zip(report.offset.duplicates_by_page, report.offset.duplicates_by_page[1:])]
    assert steps == [3] * len(steps), "every page after the first starts 3 rows late: 3 repeats per page"
    assert report.offset.misses == 0


def test_offset_walk_misses_rows_when_rows_ahead_of_it_are_deleted():
    report = simulate_drift(page_size=10, arrivals_per_page=0, deletions_per_page=2, position="newest")
    assert report.offset.misses > 0
    assert report.cursor.misses == 0


def test_arrivals_behind_a_newest_first_walk_do_not_disturb_offset():
    report = simulate_drift(page_size=10, arrivals_per_page=3, position="oldest")
    assert (report.offset.duplicates, report.offset.misses) == (0, 0)


def test_drift_counts_are_cumulative_per_page_and_end_at_the_totals():
    report = simulate_drift(page_size=7, arrivals_per_page=2, position="anywhere", deletions_per_page=1, seed=3)
    for walk in (report.offset, report.cursor):
        assert list(walk.duplicates_by_page) == sorted(walk.duplicates_by_page)
        assert walk.duplicates_by_page[-1] == walk.duplicates
        assert walk.misses_by_page[-1] == walk.misses
        assert len(walk.duplicates_by_page) == walk.pages


def test_simulation_is_reproducible_for_a_seed():
    assert simulate_drift(seed=5, position="anywhere") == simulate_drift(seed=5, position="anywhere")


def test_a_client_outrun_by_arrivals_gives_up_and_says_so():
    report = simulate_drift(page_size=2, arrivals_per_page=3, position="newest", initial=20, max_pages=30)
    assert not report.offset.finished and report.offset.pages == 30
    assert report.cursor.finished


def test_unknown_position_is_refused():
    with pytest.raises(ValueError):
        simulate_drift(position="sideways")


def test_cursors_drift_too_when_the_sort_key_of_existing_rows_changes():
    report = simulate_drift(page_size=10, arrivals_per_page=0, moves_per_page=2)
    assert report.cursor.duplicates > 0 and report.cursor.misses > 0, "a cursor is a position in a moving order"
    assert report.cursor.finished


def test_a_client_that_gave_up_reports_the_rows_it_never_reached():
    report = simulate_drift(page_size=2, arrivals_per_page=15, position="newest")
    assert not report.offset.finished and report.offset.duplicates == report.offset.misses == 0
    assert report.offset.unreached > 0.9 * report.survivors, "almost all of the original history was never reached"
    assert report.cursor.finished and report.cursor.unreached == 0


@pytest.mark.parametrize("bad", [{"page_size": 0}, {"page_size": 101}, {"arrivals_per_page": -5},
                                 {"deletions_per_page": -1}, {"moves_per_page": -1}, {"initial": -1}])
def test_settings_the_walk_cannot_honour_are_refused_not_clamped(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        simulate_drift(**bad)
