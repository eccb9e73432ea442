"""The client's half of the contract: on a 429, wait as long as ``Retry-After`` says, then try again."""

from __future__ import annotations

from typing import Callable, Mapping

import requests


def get_politely(session: requests.Session, url: str, *, wait: Callable[[float], object],
                 headers: Mapping[str, str] | None = None, attempts: int = 3) -> list[requests.Response]:
    """GET ``url``; after each 429 call ``wait(Retry-After seconds)`` and retry. Returns every response, in order.

    ``wait`` is ``time.sleep`` in production; on a fake clock it is ``clock.advance``, so a demo
    "waits" a minute instantly. Retry-After as an HTTP-date is not handled: this API sends seconds.
    """
    history = []
    for _ in range(attempts):
        response = session.get(url, headers=dict(headers or {}), timeout=10)
        history.append(response)
        if response.status_code != 429:
            break
        wait(int(response.headers.get("Retry-After", "1")))
    return history
