"""Request bodies at the edge: a size limit that holds for chunked bodies too, and strict JSON.

Every JSON body is parsed here (``request.get_json()`` goes through ``StrictJSONProvider``), so
one set of rules holds on every endpoint. A body must be I-JSON (RFC 7493): UTF-8 without lone
surrogates or noncharacters (section 2.1), no member name twice in one object (section 2.3), no ``NaN`` or
``Infinity`` (not JSON at all, RFC 8259 section 6). And it may nest arrays and objects at most
``MAX_JSON_DEPTH`` deep (RFC 8259 section 9 lets a parser set that limit); the API's own bodies
nest three deep.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from typing import Any

from flask import Request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream

from ..envelope import NONCHARACTER
from ..errors import InvalidText, JsonTooDeep, MalformedJson, field_issue

MAX_JSON_DEPTH = 32
# A string literal (it may hold brackets): its opening quote, then runs of plain characters and escape pairs,
# then its closing quote if it has one. Linear time: since the closing quote is optional a match never fails, so
# re.sub never starts again inside a string it has read, and the possessive *+ never gives back what it took.
JSON_STRING = re.compile(r'"(?:[^"\\]+|\\.)*+(?P<closing>")?')
NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class DuplicateName(ValueError):
    """An object names the same member twice (RFC 7493 section 2.3): which value was meant is anyone's guess."""


def parse_json(data: bytes | str) -> Any:
    """The JSON value in ``data`` if it is I-JSON nested at most ``MAX_JSON_DEPTH`` deep, else a 400."""
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
    except UnicodeDecodeError:  # RFC 8259 section 8.1: UTF-8 only (json.loads would guess UTF-16 and -32 too)
        raise MalformedJson("The request body is not UTF-8.", details=[field_issue("(body)", "not_utf8")]) from None
    if nesting(text) > MAX_JSON_DEPTH:  # measured before parsing: the parser itself recurses
        raise too_deep()
    try:
        value = json.loads(text, object_pairs_hook=unique_names, parse_constant=not_json, parse_float=finite_number)
    except RecursionError:  # not expected after the check above; kept so a miss is a 400, never a 500
        raise too_deep() from None
    except DuplicateName as exc:
        name = exc.args[0][:40]
        raise MalformedJson(f"The body is not valid JSON: the member name {name!r} appears twice in one object.",
                            details=[field_issue("(body)", "duplicate_name", name=name)]) from None
    except ValueError:  # JSONDecodeError, or an integer of more than 4,300 digits
        raise MalformedJson("The request body is not valid JSON.", details=[field_issue("(body)", "syntax")]) from None
    check_text(value)
    return value


def nesting(text: str) -> int:
    """How deep arrays and objects nest in JSON ``text``: the most brackets open at once, outside strings.

    Strings are cut out in one pass of ``JSON_STRING``, which matches every string, closed or not (requiring the
    closing quote re-read a string that never closed from each quote inside it: quadratic, 22 s for 80 KB). A regex
    rather than a loop over the characters, because a loop cannot tell that a quote never closes until the end of
    the text, and then its brackets should have counted.
    """
    brackets = NOT_A_BRACKET.sub("", JSON_STRING.sub(outside_strings, text))
    return max(itertools.accumulate(map(BRACKET_STEP.__getitem__, brackets)), default=0)


def outside_strings(string: re.Match) -> str:
    """A closed string literal is cut out; a quote that never closes opens no string, so the brackets after it count."""
    return "" if string["closing"] else string[0]


def unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object from its members, refusing a name given twice."""
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        repeated = next(name for name, _ in pairs if name in seen or seen.add(name))
        raise DuplicateName(repeated)
    return obj


def not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def finite_number(literal: str) -> float:
    """A JSON number with a fraction or exponent, as a float; ``1e999`` is too big for one and would read as
    infinity, which JSON cannot write back (RFC 8259 section 6; I-JSON, RFC 7493 section 2.2: stay within
    IEEE 754 doubles), so it is refused like the NaN and Infinity words."""
    value = float(literal)
    if math.isinf(value):
        raise ValueError(f"{literal} is beyond the range of a double")
    return value


def check_text(value: Any) -> None:
    """400 if any string in ``value``, member names included, holds a lone surrogate (UTF-8 cannot encode one)
    or a noncharacter (I-JSON forbids them: they are for a program's internal use, never for interchange)."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidText("Strings must be Unicode text: a lone surrogate (\\ud800-\\udfff) is not.",
                          details=[field_issue(holding(value, is_not_utf8), "lone_surrogate")]) from None
    if NONCHARACTER.search(text):
        raise InvalidText("Strings must not hold Unicode noncharacters (U+FDD0-U+FDEF, U+FFFE, U+FFFF, ...): "
                          "RFC 7493 section 2.1.",
                          details=[field_issue(holding(value, NONCHARACTER.search), "noncharacter")])


def is_not_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def holding(value: Any, bad: Any) -> str:
    """The top-level member (or item) whose JSON text is ``bad``, for the error's ``details``."""
    members = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for name, child in members:
        if bad(json.dumps([name, child], ensure_ascii=False)):
            return str(name).encode("utf-8", "replace").decode("utf-8")
    return "(body)"


def too_deep() -> JsonTooDeep:
    return JsonTooDeep(f"The body nests arrays and objects more than {MAX_JSON_DEPTH} deep.",
                       details=[field_issue("(body)", "too_deep", max=MAX_JSON_DEPTH)])


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with ``loads`` (what ``request.get_json()`` calls) replaced by ``parse_json``."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return parse_json(s)


class BodyLimit(LimitedStream):
    """A chunked body read up to ``MAX_CONTENT_LENGTH``: a 413 if it goes on past it.

    Werkzeug's own stream (``LimitedStream(is_max=True)``) stops reading at the limit and returns
    what it has, so a 10 MB chunked body reached the JSON parser cut at 1 MiB, and failed there as a 400.
    """

    def __init__(self, raw: Any, limit: int):
        super().__init__(raw, limit, is_max=True)
        self.raw = raw

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self.raw.read(1):  # one byte more than allowed: the body is too large
            raise RequestEntityTooLarge()
        return data


class ApiRequest(Request):
    """Flask's request, except that a chunked body over ``MAX_CONTENT_LENGTH`` is a 413 (see ``BodyLimit``)."""

    @cached_property
    def stream(self) -> Any:
        limit = self.max_content_length
        if self.content_length is None and limit is not None and self.environ.get("wsgi.input_terminated"):
            return BodyLimit(self.environ["wsgi.input"], limit)
        return super().stream
