"""How deep a body nests (``server/bodies.nesting``): the same answers as always, in time linear in the text.

``nesting()`` reads every JSON body and every GraphQL document before it is parsed. Its old pattern required
a string's closing quote, so a string that never closed was read again from each quote inside it: 100 KB of
``\\"`` took 20-35 s. (The same bodies over HTTP: ``test_fail_well.py``.)
"""

from __future__ import annotations

import itertools
import json
import re
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from apidesign.server.bodies import MalformedJson, nesting, parse_json

SIZE = 100_000  # characters: seconds of work if each quote is a new start, milliseconds if each is read once
BOUND = 1.0  # seconds: generous, so that only time growing with the square of the size goes over it

NEVER_CLOSED = [  # (text, its nesting): a quote that never closes opens no string, so brackets after it count
    pytest.param('"' + '\\"' * (SIZE // 2), 0, id="escaped quotes"),
    pytest.param('"' * (SIZE + 1), 0, id="an odd number of quotes"),
    pytest.param('"' + '\\"' * (SIZE // 2) + "\\", 0, id="escaped quotes, then a lone backslash"),
    pytest.param('"' + '\\"' * (SIZE // 2) + "\\\n", 0, id="escaped quotes, then a backslash and a line break"),
    pytest.param('{"content": "' + '\\"[' * (SIZE // 3), 1 + SIZE // 3, id="escaped quotes and brackets"),
]


@pytest.mark.parametrize("text, depth", NEVER_CLOSED)
def test_a_string_that_never_closes_is_read_once_not_once_per_quote_in_it(text, depth):
    started = time.monotonic()
    assert nesting(text) == depth
    assert time.monotonic() - started < BOUND


def test_deep_brackets_and_brackets_inside_a_long_string_are_read_in_linear_time_too():
    started = time.monotonic()
    assert nesting("[" * SIZE + "]" * SIZE) == SIZE
    assert nesting('["' + "[" * SIZE + '"]') == 1
    assert time.monotonic() - started < BOUND


# --- the same answers as before ------------------------------------------------------------

OLD_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # the pattern before: quadratic on unclosed strings


def nesting_as_before(text: str) -> int:
    """``nesting()`` as it was: cut out the closed strings, then the most brackets open at once."""
    brackets = re.sub(r"[^\[\]{}]", "", OLD_JSON_STRING.sub("", text))
    return max(itertools.accumulate(1 if bracket in "[{" else -1 for bracket in brackets), default=0)


jsonish = st.text(st.sampled_from('"\\[]{}a \n'), max_size=80)  # the characters that decide where strings are


@settings(max_examples=1000, deadline=None)
@given(jsonish)
@example('"\\\n"[ "')  # a backslash before a line break escapes nothing (. is not a line break): as before
def test_nesting_gives_the_answer_it_gave_before_on_any_text(text):
    assert nesting(text) == nesting_as_before(text)


def depth(value) -> int:
    """How deep arrays and objects nest in ``value``: 0 for a scalar, one more than the deepest item otherwise."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


tricky_text = st.text(st.sampled_from('"\\[]{}a\n/é'), max_size=8)  # quotes, backslashes, brackets inside strings
json_value = st.recursive(st.none() | st.booleans() | st.integers() | tricky_text,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3))


@settings(max_examples=300, deadline=None)
@given(json_value, st.booleans())
def test_the_nesting_of_valid_json_is_how_deep_its_arrays_and_objects_go(value, ensure_ascii):
    assert nesting(json.dumps(value, ensure_ascii=ensure_ascii)) == depth(value)


@pytest.mark.parametrize("body", [b'{"a": 1e999}', b'[-1E400]', b'{"a": 1.5e308, "b": 2e308}'])
def test_a_number_beyond_a_double_is_refused_not_read_as_infinity(body):
    """RFC 8259 section 6 / RFC 7493 section 2.2: 1e999 would become inf, which JSON cannot even write back."""
    with pytest.raises(MalformedJson):
        parse_json(body)
    assert parse_json(b'{"a": 1.5e308, "b": 1e-400}') == {"a": 1.5e308, "b": 0.0}  # large but finite, and underflow
