"""The browser's cap on connections per origin, on real Chromium: 7 EventSources to one origin over HTTP/1.1 open only 6.

The cap is Chromium's policy (6 connections per host, ``g_max_sockets_per_group``), not HTTP's: RFC 9112 section 9.4 sets
no number. Over HTTP/2, which Chromium speaks only over TLS, the same 7 streams share one connection and all open.
``apidesign.protocols.per_origin`` models the same cap for notebook 01, where no browser runs.
Over HTTPS the page's chat WebSocket (``wss://``) opens and talks too: the server does not offer WebSockets
over HTTP/2 (RFC 8441), so Chromium opens it over HTTP/1.1.

``EventSource`` cannot send an ``Authorization`` header; the page's context adds it to every request it makes
(Playwright's ``extra_http_headers``), which changes nothing about how connections are pooled.
"""

import pytest
import requests

from apidesign.clock import FakeClock, WallClock
from apidesign.protocols.certs import self_signed
from apidesign.server import create_app, credentials, serve

STREAMS = 7
OPEN_STREAMS = "window.sources.filter(s => s.readyState === EventSource.OPEN).length"
# Open STREAMS EventSources on this page's origin; note each one's readyState later.
OPEN_SOURCES = """path => { window.sources = [];
  for (let i = 0; i < %d; i++) window.sources.push(new EventSource(path)); }""" % STREAMS
# A plain fetch from the same page, given up after `ms` milliseconds: its status, or "waiting".
FETCH = """([path, ms]) => { const stop = new AbortController(); setTimeout(() => stop.abort(), ms);
  return fetch(path, {signal: stop.signal}).then(r => r.status, () => "waiting"); }"""


@pytest.fixture
def api():
    clock = FakeClock(1_773_311_400)
    return create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 7})


def open_page(browser, live, api, cafile=None, **context_options):
    """A page at the API's origin, authenticated as Alice; the paths of a channel's event stream and its messages."""
    alice = dict(credentials(api, "usr_alice"))
    channel = requests.post(f"{live.url}/v1/channels", json={"name": "general"}, headers=alice, timeout=5,
                            verify=cafile or True).json()["data"]["channelId"]
    context = browser.new_context(extra_http_headers=alice, **context_options)
    page = context.new_page()
    page.goto(f"{live.url}/v1/channels/{channel}")
    return context, page, f"/v1/channels/{channel}/events", f"/v1/channels/{channel}/messages?limit=1"


def test_over_http1_chromium_opens_six_event_streams_per_origin_and_the_rest_wait(browser, api):
    with serve(api) as live:
        context, page, events, messages = open_page(browser, live, api)
        page.evaluate(OPEN_SOURCES, events)
        page.wait_for_function(f"{OPEN_STREAMS} >= 6", timeout=10_000)
        page.wait_for_timeout(1000)  # time enough for a seventh, had there been a connection for it
        assert page.evaluate(OPEN_STREAMS) == 6 and live.streams == 6
        assert page.evaluate(FETCH, [messages, 1000]) == "waiting"  # the page's REST call waits too
        page.evaluate("window.sources[0].close()")  # one connection frees up: the seventh stream takes it
        page.wait_for_function("window.sources[6].readyState === EventSource.OPEN", timeout=10_000)
        page.evaluate("window.sources[1].close()")  # and now the REST call gets one
        assert page.evaluate(FETCH, [messages, 5000]) == 200
        context.close()


def test_over_http2_one_connection_carries_all_seven_and_the_rest_call(browser, api, tmp_path):
    cert, key = self_signed(tmp_path, WallClock())
    with serve(api, certificate=(cert, key)) as live:  # Chromium does not trust the throw-away certificate: told to ignore it
        context, page, events, messages = open_page(browser, live, api, cafile=cert, ignore_https_errors=True)
        assert page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol") == "h2"
        page.evaluate(OPEN_SOURCES, events)
        page.wait_for_function(f"{OPEN_STREAMS} === {STREAMS}", timeout=10_000)
        assert live.streams == STREAMS
        assert page.evaluate(FETCH, [messages, 5000]) == 200
        assert live.connections == 2  # Chromium's one connection, and the requests call that made the channel
        context.close()


# Open a WebSocket, send one chat message, resolve with the first frame the server sends back (or what went wrong).
CHAT = """url => new Promise(done => { const ws = new WebSocket(url); setTimeout(() => done("timeout"), 10000);
  ws.onopen = () => ws.send(JSON.stringify({content: "over wss"}));
  ws.onmessage = event => { done(JSON.parse(event.data)); ws.close(); };
  ws.onerror = () => done("error"); })"""


def test_over_https_chromium_opens_the_chat_websocket_over_http1_and_talks(browser, api, tmp_path):
    # The page itself came over HTTP/2; a server that offered WebSockets over HTTP/2 (RFC 8441) would have the
    # socket opened as an HTTP/2 stream instead, which this server's WebSockets do not speak.
    cert, key = self_signed(tmp_path, WallClock())
    with serve(api, certificate=(cert, key)) as live:
        context, page, events, _ = open_page(browser, live, api, cafile=cert, ignore_https_errors=True)
        assert page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol") == "h2"
        socket_url = live.url.replace("https://", "wss://") + events.replace("/events", "/socket")
        frame = page.evaluate(CHAT, socket_url)
        assert isinstance(frame, dict), frame  # not "error": the handshake was not refused
        assert frame["event"] == "message.created" and frame["data"]["content"] == "over wss"
        context.close()
