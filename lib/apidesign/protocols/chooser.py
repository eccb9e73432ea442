"""The protocol chooser: requirements in, a protocol and a one-sentence reason out.

The decision table lives in ``data/protocol_chooser.csv`` (one row per rule, ``*`` matches
anything, the first matching row wins), so changing a recommendation is a data edit.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ApiDesignError
from ..paths import DATA

TABLE = DATA / "protocol_chooser.csv"
FIELDS = {"direction": ("request-response", "server-push", "bidirectional"),
          "browser": ("yes", "no"),
          "latency": ("relaxed", "sensitive"),
          "network": ("reliable", "lossy")}


class UnknownRequirement(ApiDesignError):
    """A requirement value the decision table does not know (see ``FIELDS`` for the allowed ones)."""


class NoRuleMatches(ApiDesignError):
    """The decision table has no row for this combination of requirements: the table has a gap."""


@dataclass(frozen=True)
class Requirements:
    """What the feature needs: who talks to whom, from where, how fast, over what network."""

    direction: str          # request-response | server-push | bidirectional
    browser: str = "yes"    # must a browser speak it natively?
    latency: str = "relaxed"
    network: str = "reliable"

    def __post_init__(self):
        for name, allowed in FIELDS.items():
            if getattr(self, name) not in allowed:
                raise UnknownRequirement(f"{name}={getattr(self, name)!r}; choose one of {', '.join(allowed)}")


@dataclass(frozen=True)
class Recommendation:
    """The chosen protocol, the sentence that justifies it, and the table row it came from."""

    protocol: str
    why: str
    row: int


@lru_cache(maxsize=None)
def rules(path: Path = TABLE) -> tuple[dict[str, str], ...]:
    """The decision table's rows, in order."""
    with open(path, newline="", encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def matches(rule: dict[str, str], need: Requirements) -> bool:
    """Does every condition of ``rule`` hold for ``need`` (``*`` always holds)?"""
    return all(rule[name] in ("*", getattr(need, name)) for name in FIELDS)


def choose(need: Requirements, path: Path = TABLE) -> Recommendation:
    """The first rule of the table that matches ``need``."""
    for n, rule in enumerate(rules(path), start=1):
        if matches(rule, need):
            return Recommendation(rule["protocol"], rule["why"], n)
    raise NoRuleMatches(f"no rule in {path.name} covers {need}")
