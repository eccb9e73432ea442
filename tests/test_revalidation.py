"""What a 304 saves (revalidation.py): real bytes over a live server, the same on every run."""

from __future__ import annotations

import pytest

from apidesign.revalidation import compare_polling, header_bytes


@pytest.fixture(scope="module")
def costs():
    return compare_polling(polls=10, messages=5, changes_at=(4,))


def test_revalidating_polls_get_304s_except_the_first_and_after_a_change(costs):
    assert costs["plain"].statuses == {200: 10}
    assert costs["If-None-Match"].statuses == {200: 2, 304: 8}


def test_a_304_saves_bytes_but_not_requests(costs):
    plain, conditional = costs["plain"], costs["If-None-Match"]
    assert plain.polls == conditional.polls == 10
    assert conditional.bytes_received < plain.bytes_received / 2
    assert conditional.body_bytes < plain.body_bytes / 4  # only two of the ten answers carried a body
    assert conditional.bytes_sent > plain.bytes_sent  # the If-None-Match header itself is not free


def test_the_measurement_is_reproducible():
    assert compare_polling(polls=3, messages=2, changes_at=()) == compare_polling(polls=3, messages=2, changes_at=())


def test_header_bytes_counts_the_start_line_each_header_line_and_the_blank_line():
    head = "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"
    assert header_bytes("HTTP/1.1 304 Not Modified", {"ETag": '"x"'}) == len(head)
