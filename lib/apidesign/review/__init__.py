"""An automatic API design reviewer: the syllabus's checklist and common mistakes, as rules.

    findings = review(markdown_text)                 # a table + notes, as in data/designs/
    findings = review(records_or_dataframe, notes)   # the same table as dicts or a DataFrame

No network, no model: every finding comes from a small rule in ``rules`` that can be read.
"""

from __future__ import annotations

from typing import Any, Iterable

from .design import (Design, DesignParseError, Endpoint, MalformedRow, NoEndpointTable, Note, as_design,
                     from_records, from_routes, load_design, parse_markdown)
from .findings import Finding, as_markdown, errors, sort_key, summary
from .rules import RULE_IDS, RULES, Rule


def review(source: Any, notes: Iterable[str] | str = (), rules: Iterable[Rule] = RULES,
           flows: Iterable[str] = ()) -> list[Finding]:
    """Every finding of ``rules`` on the design, errors first, then in the order of the design.

    ``flows`` are the prompt's core flows, checked when the design states none of its own.
    """
    design = as_design(source, notes).with_flows(flows)
    return sorted((f for rule in rules for f in rule(design)), key=sort_key)


__all__ = ["review", "Design", "Endpoint", "Note", "Finding", "Rule", "RULES", "RULE_IDS", "as_design",
           "parse_markdown", "from_records", "from_routes", "load_design", "as_markdown", "errors", "summary",
           "DesignParseError", "NoEndpointTable", "MalformedRow"]
