"""Namespaces: one shared store, many apps, and no key of one app visible to another.

Two learners pointing their apps at one class Redis must not share API keys, rate-limit
counters, refresh tokens or idempotency records. So every key an app writes starts with
its namespace: ``Namespaced(store, "app-3f9a2c1b")`` is the same store, with the prefix
added to every key on the way in and taken off on the way out. Code above it never sees
the prefix, so the algorithms (rate limiting, idempotency, tokens) stay unchanged.

``create_app`` gives each app a random namespace unless config ``STORE_NAMESPACE`` names
one; servers that should share state on purpose (one rate limit across three servers)
name the same namespace.
"""

from __future__ import annotations

import os
import re
import secrets
from typing import Any, Callable, Sequence

from .errors import ApiDesignError
from .store import ScriptFn, Store

NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")  # no glob characters, so keys("*") stays inside the namespace


class InvalidNamespace(ApiDesignError, ValueError):
    """A namespace must be 1-64 letters, digits, '_', '.' or '-' (a '*' would let ``keys()`` match other apps)."""


def new_namespace() -> str:
    """A namespace no other app will pick: 32 random bits."""
    return f"app-{secrets.token_hex(4)}"


def for_this_kernel(label: str) -> str:
    """A namespace for one learner's kernel on a shared store: ``label``, the hub user if any, 32 random bits."""
    user = re.sub(r"[^A-Za-z0-9_.-]", "_", os.environ.get("JUPYTERHUB_USER", ""))[:24]
    return "-".join(part for part in (label, user, secrets.token_hex(4)) if part)


class Namespaced:
    """``store`` seen through ``namespace``: the Store interface, every key prefixed with ``namespace:``."""

    def __init__(self, store: Store, namespace: str):
        if not isinstance(namespace, str) or not NAME.fullmatch(namespace):
            raise InvalidNamespace(f"not a namespace: {namespace!r}")
        self.inner, self.namespace, self.prefix = store, namespace, namespace + ":"
        self.kind = store.kind

    @property
    def clock(self) -> Any:
        """The memory store's clock (rate limiters check it is theirs); Redis stores have none."""
        return self.inner.clock

    def get(self, key: str) -> str | None:
        return self.inner.get(self.prefix + key)

    def set(self, key: str, value: str, *, ttl: float | None = None, nx: bool = False) -> bool:
        return self.inner.set(self.prefix + key, value, ttl=ttl, nx=nx)

    def delete(self, *keys: str) -> int:
        return self.inner.delete(*(self.prefix + k for k in keys))

    def incr(self, key: str, amount: int = 1, *, ttl: float | None = None) -> int:
        return self.inner.incr(self.prefix + key, amount, ttl=ttl)

    def ttl(self, key: str) -> float | None:
        return self.inner.ttl(self.prefix + key)

    def keys(self, pattern: str = "*") -> list[str]:
        n = len(self.prefix)
        return [k[n:] for k in self.inner.keys(self.prefix + pattern)]

    def time(self) -> float:
        return self.inner.time()

    def script(self, lua: str, py: Callable[..., Any]) -> ScriptFn:
        """The inner store's script, called with this namespace's key names."""
        run, prefix = self.inner.script(lua, py), self.prefix

        def namespaced(keys: Sequence[str], args: Sequence[Any] = ()) -> Any:
            return run([prefix + k for k in keys], args)
        return namespaced

    def __repr__(self) -> str:
        return f"Namespaced({self.inner!r}, {self.namespace!r})"
