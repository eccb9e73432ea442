"""The labelled design corpus: what an expert would raise in each design of ``data/designs/``, and how
close the reviewer comes, as precision and recall over (rule, line) pairs.

``labels.json`` maps a design's path (relative to ``data/designs/``) to its prompt, its kind
(careful, typical or sloppy), the findings an expert raises (``[rule, line]``, line '' for the
whole design) and the traps a naive reviewer falls into (prose, for the reader).

A design with ``held_out`` (a commit) was written and labelled after the reviewer of that commit was final
and before it was run on it: its score is the honest estimate for a design nobody tuned on. A fix made by
reading a held-out design's result makes it a tuned one: drop its ``held_out`` (keeping the commit as
``was_held_out``, for the record) and write new ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..paths import DATA
from . import load_design, review

DESIGNS = DATA / "designs"
LABELS = DESIGNS / "labels.json"


@dataclass(frozen=True)
class Labelled:
    """One design of the corpus and the (rule, line) pairs an expert raises in it."""

    name: str
    prompt: str
    kind: str
    expected: frozenset[tuple[str, str]]
    traps: tuple[str, ...]
    held_out: str = ""  # the reviewer commit it was written against, unseen; '' for a design the rules were tuned on
    was_held_out: str = ""  # held out once (against this commit), then seen: neither tuned on nor unseen

    @property
    def path(self) -> Path:
        return DESIGNS / self.name


@dataclass(frozen=True)
class Score:
    """Counts of agreed, spurious and missed (rule, line) pairs, with precision and recall."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def load_labels(path: Path = LABELS) -> tuple[Labelled, ...]:
    """Every labelled design, in file order."""
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(Labelled(name, v["prompt"], v["kind"], frozenset(map(tuple, v["findings"])), tuple(v["traps"]),
                          v.get("held_out", ""), v.get("was_held_out", "")) for name, v in items.items())


def held_out(designs=None) -> tuple[Labelled, ...]:
    """The designs the rules were not tuned on."""
    return tuple(d for d in (designs if designs is not None else load_labels()) if d.held_out)


def found(design: Labelled) -> frozenset[tuple[str, str]]:
    """The (rule, line) pairs the reviewer reports on a labelled design."""
    return frozenset((f.rule, f.line) for f in review(load_design(design.path)))


def score(designs=None) -> Score:
    """Precision and recall of the reviewer over the corpus, pooled over every (rule, line) pair."""
    designs = designs if designs is not None else load_labels()
    tp = fp = fn = 0
    for d in designs:
        got = found(d)
        tp, fp, fn = tp + len(got & d.expected), fp + len(got - d.expected), fn + len(d.expected - got)
    return Score(tp, fp, fn)
