""""Design it" exercises: a brief names the core flows and the decisions; the reviewer and the brief judge a design.

Inventory of concepts:
    a core flow the product cannot live without -> ``Flow`` (methods + a pattern on the route and its text)
    a decision an interviewer asks about        -> ``Decision`` (a pattern that names it; the note must say why)
    the endpoint whose exchange must be drawn   -> ``Brief.sketch``, a Flow
    one design question                         -> ``Brief``; ``check_brief(answer, brief)`` is the verdict

The reviewer (``apidesign.review``) finds the common mistakes; the brief adds what a reviewer
cannot know without the question: which flows this product needs, and why each choice was made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..review import DesignParseError, Endpoint, parse_markdown, review
from . import Feedback, failed, passed
from .answers import wrong_shape

# A decision note must give its reason, not just its name ("Auth." is a label, not a decision).
REASON = re.compile(r"\b(because|since|so that|so|which|as it|as they|otherwise|instead of|rather than|means|"
                    r"that way|ensures?|guarantees?|prevents?|avoids?|lets|keeps|"
                    r"to (avoid|keep|let|stop|prevent|protect|make|spread|save|survive|resume|stay))\b", re.I)
MIN_NOTE_WORDS = 6


@dataclass(frozen=True)
class Flow:
    """A core flow: an endpoint with one of ``methods`` whose route matches ``route`` and whose text matches ``text``."""

    name: str
    methods: tuple[str, ...]
    route: str
    text: str = ""

    def served_by(self, ep: Endpoint) -> bool:
        route = re.sub(r"\{[^}]*\}|:\w+|<[^>]*>", "{}", ep.route)
        return (ep.method in self.methods and re.search(self.route, route, re.I) is not None
                and (not self.text or re.search(self.text, f"{ep.path} {ep.description}", re.I) is not None))


@dataclass(frozen=True)
class Decision:
    """A key decision: some note matching ``names`` must state it, with its reason; ``hint`` says what to decide."""

    topic: str
    names: str
    hint: str

    def stated_in(self, note: str) -> bool:
        return (re.search(self.names, note, re.I) is not None and REASON.search(note) is not None
                and len(note.split()) >= MIN_NOTE_WORDS)


@dataclass(frozen=True)
class Brief:
    """One design question: what to design, the flows it needs, the decisions to justify, the exchange to sketch."""

    id: str
    prompt: str
    flows: tuple[Flow, ...]
    decisions: tuple[Decision, ...]
    sketch: Flow | None = None


def read_design(answer: Any):
    """``(design, None)`` for readable markdown, else ``(None, feedback)`` saying what was expected."""
    if not isinstance(answer, str):
        return None, wrong_shape("the design as one markdown string: a | Method | Path | Description | table "
                                 "and your decision notes", answer)
    try:
        return parse_markdown(answer), None
    except DesignParseError as exc:
        return None, failed(f"the reviewer cannot read it: {exc}")


def reviewer_verdict(design) -> Feedback | None:
    """The reviewer's first error or warning as a failed Feedback, or None when it finds none."""
    serious = [f for f in review(design) if f.severity in ("error", "warning")]
    if not serious:
        return None
    first = serious[0]
    where = f"`{first.line}`" if first.line else "the design as a whole"
    return failed(f"{len(serious)} errors or warnings left; first, {first.rule} on {where}: {first.reason} {first.fix}")


def missing_flow(design, brief: Brief) -> Flow | None:
    return next((f for f in brief.flows if not any(f.served_by(ep) for ep in design.endpoints)), None)


def missing_decision(design, brief: Brief) -> Decision | None:
    return next((d for d in brief.decisions if not any(d.stated_in(n.text) for n in design.notes)), None)


def has_sketch(text: str, design, flow: Flow) -> bool:
    """True if, outside the table, the text shows a request to ``flow``'s endpoint and a response with a status and a JSON body."""
    prose = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("|"))
    endpoints = [ep for ep in design.endpoints if flow.served_by(ep)]
    request = any(re.search(rf"\b{ep.method}\s+`?{re.escape(ep.route)}", prose) for ep in endpoints)
    # A status line of its own ("201 Created", "HTTP/1.1 201", "-> 201"), not a code mentioned in a note.
    status = re.search(r"^\s*(?:[-=<>→←]+\s*)?(?:HTTP/[\d.]+\s+)?[23]\d\d\b", prose, re.M) is not None
    body = re.search(r"\{\s*\"\w+\"\s*:", prose) is not None
    return request and status and body


def check_brief(answer: Any, brief: Brief) -> Feedback:
    """The verdict on a design for ``brief``: readable, clean for the reviewer, every flow, every decision with a reason."""
    design, problem = read_design(answer)
    if problem is not None:
        return problem
    problem = reviewer_verdict(design)
    if problem is not None:
        return problem
    flow = missing_flow(design, brief)
    if flow:
        return failed(f"no endpoint serves the core flow '{flow.name}' (a {' or '.join(flow.methods)} for it): "
                      "every core flow needs one.")
    decision = missing_decision(design, brief)
    if decision:
        return failed(f"the notes do not decide {decision.topic} with a reason: {decision.hint} "
                      f"Write it as one note of at least {MIN_NOTE_WORDS} words with a 'because' or 'so that'.")
    if brief.sketch and not has_sketch(answer, design, brief.sketch):
        return failed(f"sketch the most important exchange, '{brief.sketch.name}': below the table, the request line "
                      "(METHOD /path, as in your table), the response status and a JSON body with its fields.")
    return passed(f"{len(design.endpoints)} endpoints cover all {len(brief.flows)} core flows, the reviewer finds no "
                  f"errors or warnings, and {len(brief.decisions)} decisions carry their reasons.")
