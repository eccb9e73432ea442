"""Requests the API sends to its users' servers (webhooks, export callbacks): bounded in time, in bytes and in turns.

A receiver is someone else's server, so one attempt must cost the sender a known, small amount
whatever the receiver does:

* a total deadline per attempt: connecting, sending the body, the answer's head and the little of its
  body we read all count. A per-read timeout (``requests.post(timeout=2)``) is not one: a receiver that
  sends a byte a second resets it every time, and holds the sender for as long as it likes.
* the status and at most ``BODY_CAP`` bytes of the body are read, then the connection is closed: reading
  the whole body (what ``requests`` does unless ``stream=True``) lets a receiver that streams gigabytes
  fill the sender's memory.
* redirects are not followed: a ``3xx`` is the answer (the URL rules checked only the URL we were given).
* senders take turns (``Turns``): a round takes at most one item per owner, the owner who waited longest
  first, so one user's slow receivers delay anyone else by about one attempt, not by their whole queue.

The exchange is one coroutine (httpx's async client) under ``asyncio.wait_for``: wherever it waits
(connecting, a TLS handshake, a read), the deadline cancels it and the connection is closed. It runs
on a fresh event loop (``within``), so it works the same from a sender thread, a test or a notebook.
One wait it cannot cut short is a host name's DNS lookup, which runs in a thread; ``asyncio.run``
waits for that thread, so a stuck resolver costs its own timeout (seconds) on top. The URL is read
once, by urllib3's parser as ``ssrf.check_target`` reads it, and the request is built from those
parts: the host we connect to is the host that was checked.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from dataclasses import dataclass
from typing import Awaitable, Callable, Iterable, Mapping, TypeVar

import httpx
from urllib3.util import parse_url

from .protocols import loops

DEADLINE = 2.0    # seconds one attempt may take in all, unless the caller says otherwise
BODY_CAP = 1024   # bytes of the answer's body kept (the start of an error message, for a log); the rest is left unread
NO_ANSWER = (httpx.TransportError, OSError)  # connection errors, and TimeoutError (an OSError) when the deadline passes

T = TypeVar("T")


@dataclass(frozen=True)
class Reply:
    """What a receiver answered: its status, and at most ``BODY_CAP`` bytes of its body."""

    status: int
    body: bytes


def post(url: str, body: bytes, headers: Mapping[str, str], *, deadline: float = DEADLINE,
         body_cap: int = BODY_CAP) -> Reply:
    """POST ``body`` to ``url``: the reply, all within ``deadline`` seconds; ``TimeoutError`` if it takes longer,
    an ``httpx.TransportError`` if the connection fails, ``ValueError`` if ``url`` is no http(s) URL."""
    target = request_url(url)
    try:
        return within(deadline, lambda: exchange(target, body, dict(headers), body_cap))
    except TimeoutError:
        raise TimeoutError(f"No answer from {target.host} within {deadline:g} s.") from None


def within(deadline: float, make_coro: Callable[[], Awaitable[T]]) -> T:
    """``make_coro()`` run to its end within ``deadline`` seconds (``TimeoutError`` if not), on a fresh event loop:
    on this thread, or on a short-lived one where this thread runs a loop already (a notebook's kernel does)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop here: a sender thread, a test, a script
        return asyncio.run(asyncio.wait_for(make_coro(), deadline))
    return loops.run(make_coro, timeout=deadline)


def request_url(url: str) -> httpx.URL:
    """``url`` as urllib3 reads it (so as the SSRF check does), rebuilt for httpx; ``ValueError`` if it is not one."""
    parts = parse_url(url)  # LocationParseError, a ValueError, for a port out of range and other malformed URLs
    if parts.scheme not in ("http", "https") or not parts.host:
        raise ValueError(f"Only http(s) URLs with a host can be called, not {url!r}.")
    return httpx.URL(scheme=parts.scheme, host=parts.host.strip("[]"), port=parts.port,
                     raw_path=parts.request_uri.encode())


async def exchange(url: httpx.URL, body: bytes, headers: dict[str, str], body_cap: int) -> Reply:
    """One POST on a fresh connection: the status and the start of the body, then the connection is closed."""
    # trust_env=False: no proxy from the environment, so the connection goes to the host that was checked.
    async with httpx.AsyncClient(verify=tls_context(), trust_env=False, follow_redirects=False, timeout=None) as client:
        async with client.stream("POST", url, content=body, headers=headers) as response:
            return Reply(response.status_code, await first_bytes(response, body_cap))


async def first_bytes(response: httpx.Response, cap: int) -> bytes:
    """At most ``cap`` bytes of the body as sent (not decompressed); nothing is read past the chunk that holds them."""
    kept = b""
    async for chunk in response.aiter_raw():
        kept += chunk[:cap - len(kept)]
        if len(kept) >= cap:
            break
    return kept


@functools.cache
def tls_context():
    """httpx's default TLS settings (certificates checked), built once: building them takes tens of milliseconds."""
    return httpx.create_ssl_context()


class Turns:
    """Whose turn it is to send: one item per owner a round, the owner whose last turn was longest ago first.

    So a user with many slow receivers gets one attempt a round, and someone new gets the next one.
    """

    def __init__(self):
        self.last: dict[str, int] = {}     # owner -> the number of their latest turn
        self.taken = itertools.count()     # turns handed out so far

    def next_round(self, items: Iterable[T], owner: Callable[[T], str]) -> list[T]:
        """Each owner's first item, in turn order (who never had a turn goes first); each counts as a turn taken."""
        first: dict[str, T] = {}
        for item in items:
            first.setdefault(owner(item), item)
        order = sorted(first, key=lambda who: self.last.get(who, -1))
        for who in order:
            self.last[who] = next(self.taken)
        return [first[who] for who in order]
