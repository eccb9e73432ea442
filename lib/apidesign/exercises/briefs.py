""""Design it" exercises: a brief names the core flows and the decisions; the reviewer and the brief judge a design.

Inventory of concepts:
    a core flow the product cannot live without -> ``Flow`` (methods + a pattern on the route and its text)
    a decision an interviewer asks about        -> ``Decision`` (a pattern that names it; the note must say why),
                                                   or a ``Judge``: a function of the notes that says what is wrong
                                                   with the decision's substance (an inverted choice), or None
    the endpoint whose exchange must be drawn   -> ``Brief.sketch``, a Flow
    what the reviewer checks for this question  -> ``Brief.checklist`` (its checklist areas; None: all of them)
    one design question                         -> ``Brief``; ``check_brief(answer, brief)`` is the verdict,
                                                   naming every problem at once

The reviewer (``apidesign.review``) finds the common mistakes; the brief adds what a reviewer
cannot know without the question: which flows this product needs, and why each choice was made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from ..review import RULES, DesignParseError, Endpoint, parse_markdown, review
from ..review.flows import takes_queries
from ..review.language import singular
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
    expect: str = ""  # the route requirement in words, for the feedback ("a GET on ..."); else the methods

    def requirement(self) -> str:
        return self.expect or f"a {' or '.join(self.methods)} for it"

    def served_by(self, ep: Endpoint) -> bool:
        route = re.sub(r"\{[^}]*\}|:\w+|<[^>]*>", "{}", ep.route)
        text_ok = not self.text or re.search(self.text, f"{ep.path} {ep.description}", re.I) is not None
        return text_ok and (ep.method in self.methods and re.search(self.route, route, re.I) is not None
                            or self.read_by_graphql(ep))

    def read_by_graphql(self, ep: Endpoint) -> bool:
        """A read flow served by a GraphQL row that takes queries and names what the flow reads, as the reviewer's
        missing-core-flow counts it (``flows.serves``): ``POST /v1/graphql`` "Trip history ..." serves "see past
        trips"."""
        if "GET" not in self.methods or not takes_queries(ep):
            return False
        subjects = {singular(w) for w in re.findall(r"[a-z]{3,}", self.route)}
        return any(singular(w) in subjects for w in re.findall(r"[a-z]+", ep.description.lower()))


@dataclass(frozen=True)
class Decision:
    """A key decision: some note matching ``names`` must state it, with its reason; ``hint`` says what to decide."""

    topic: str
    names: str
    hint: str

    def stated_in(self, note: str) -> bool:
        return (re.search(self.names, note, re.I) is not None and REASON.search(note) is not None
                and len(note.split()) >= MIN_NOTE_WORDS)


# A decision judged on its substance: a function of the design's notes that says what is wrong, or None.
Judge = Callable[[list[str]], "str | None"]


@dataclass(frozen=True)
class Brief:
    """One design question: what to design, the flows it needs, the decisions to justify, the exchange to sketch."""

    id: str
    prompt: str
    flows: tuple[Flow, ...]
    decisions: tuple[Decision | Judge, ...]
    sketch: Flow | None = None
    checklist: tuple[str, ...] | None = None  # the reviewer's areas this question checks (None: every area)


def read_design(answer: Any):
    """``(design, None)`` for readable markdown, else ``(None, feedback)`` saying what was expected."""
    if not isinstance(answer, str):
        return None, wrong_shape("the design as one markdown string: a | Method | Path | Description | table "
                                 "and your decision notes", answer)
    try:
        return parse_markdown(answer), None
    except DesignParseError as exc:
        return None, failed(f"the reviewer cannot read it: {exc}")


def reviewer_problems(design, brief: Brief) -> list[str]:
    """Every error or warning of the reviewer, in the areas ``brief`` checks, one line each."""
    rules = [r for r in RULES if brief.checklist is None or r.checklist in brief.checklist]
    serious = [f for f in review(design, rules=rules) if f.severity in ("error", "warning")]
    return [f"{f.rule} on {f'`{f.line}`' if f.line else 'the design as a whole'}: {f.reason} {f.fix}" for f in serious]


def missing_flows(design, brief: Brief) -> list[Flow]:
    return [f for f in brief.flows if not any(f.served_by(ep) for ep in design.endpoints)]


def missing_decisions(design, brief: Brief) -> list[Decision]:
    return [d for d in brief.decisions
            if isinstance(d, Decision) and not any(d.stated_in(n.text) for n in design.notes)]


def judged_decisions(design, brief: Brief) -> list[str]:
    """What each Judge of ``brief`` finds wrong with the design's notes, one sentence each."""
    notes = [n.text for n in design.notes]
    found = [judge(notes) for judge in brief.decisions if not isinstance(judge, Decision)]
    return [p if p.endswith(("?", ".")) else p + "." for p in found if p]


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
    """The verdict on a design for ``brief``: readable, clean for the reviewer, every flow, every reasoned decision.

    Every problem is named at once, so a learner fixes them in one pass rather than one per run.
    """
    design, problem = read_design(answer)
    if problem is not None:
        return problem
    findings = reviewer_problems(design, brief)
    counted = f"{len(findings)} error or warning" if len(findings) == 1 else f"{len(findings)} errors or warnings"
    problems = [f"{counted} from the reviewer:" + "".join(f"\n    - {f}" for f in findings)
                ] if findings else []
    problems += [f"no endpoint serves the core flow '{flow.name}' ({flow.requirement()}): every core flow needs one."
                 for flow in missing_flows(design, brief)]
    problems += [f"the notes do not decide {d.topic} with a reason: {d.hint} Write it as one note of at least "
                 f"{MIN_NOTE_WORDS} words with a 'because' or 'so that'." for d in missing_decisions(design, brief)]
    problems += judged_decisions(design, brief)
    if brief.sketch and not has_sketch(answer, design, brief.sketch):
        problems.append(f"sketch the most important exchange, '{brief.sketch.name}': below the table, the request "
                        "line (METHOD /path, as in your table), the response status and a JSON body with its fields.")
    if problems:  # a markdown list, so each problem is a line of its own in the notebook and in print()
        return failed(f"{len(problems)} {'thing' if len(problems) == 1 else 'things'} to fix:\n\n"
                      + "\n".join(f"- {p}" for p in problems))
    areas = "" if brief.checklist is None else f" in the areas checked here ({', '.join(brief.checklist)})"
    return passed(f"{len(design.endpoints)} endpoints cover all {len(brief.flows)} core flows, the reviewer finds no "
                  f"errors or warnings{areas}, and {len(brief.decisions)} decisions carry their reasons.")
