"""apidesign.exchange: what print_exchange shows of a response."""

import requests

from apidesign.exchange import body_text


def response(content_type: str, body: bytes) -> requests.Response:
    r = requests.Response()
    r.status_code, r._content = 200, body
    r.headers["Content-Type"] = content_type
    return r


def test_vendor_json_media_types_are_pretty_printed_like_json():
    for content_type in ("application/json", "application/vnd.apidesign.v2+json", "application/merge-patch+json"):
        assert body_text(response(content_type, b'{"a":1}')) == '{\n  "a": 1\n}'


def test_other_bodies_are_shown_as_text():
    assert body_text(response("text/plain", b"hello")) == "hello"
    assert body_text(response("application/json", b"")) == ""
