"""What the reviewer reports: one ``Finding`` per broken rule, rendered as a markdown table."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Iterable

SEVERITIES = ("error", "warning", "info")  # most serious first


@dataclass(frozen=True)
class Finding:
    """One problem in a design: which rule, how serious, the offending line, why it matters, how to fix it.

    ``line`` quotes the endpoint (``POST /sendMessage``) or the note; it is '' when
    the problem is something missing from the whole design (no authentication stated).
    """

    rule: str
    severity: str
    line: str
    reason: str
    fix: str
    lineno: int | None = None

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")

    def __str__(self) -> str:
        where = f"`{self.line}`" if self.line else "(whole design)"
        return f"[{self.severity}] {self.rule} {where}: {self.reason} Fix: {self.fix}"


def sort_key(finding: Finding) -> tuple:
    """Errors first, then by position in the design (design-wide findings last)."""
    line = finding.lineno if finding.lineno is not None else 10**9
    return SEVERITIES.index(finding.severity), line, finding.rule


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """Only the error-level findings."""
    return [f for f in findings if f.severity == "error"]


def as_markdown(findings: Iterable[Finding]) -> str:
    """The findings as a markdown table (reads the same in Jupyter and on GitHub)."""
    findings = list(findings)
    if not findings:
        return "No findings: every rule of the checklist is satisfied."
    rows = ["| severity | rule | line | reason | fix |", "|---|---|---|---|---|"]
    for f in findings:
        line = f"`{f.line}`" if f.line else "(whole design)"
        rows.append(f"| {f.severity} | `{f.rule}` | {escape(line)} | {escape(f.reason)} | {escape(f.fix)} |")
    return "\n".join(rows)


def as_html(findings: Iterable[Finding]) -> str:
    """The findings as an HTML table, for widgets (an ``ipywidgets.HTML`` needs no Output area)."""
    findings = list(findings)
    if not findings:
        return "<p>No findings: every rule of the checklist is satisfied.</p>"
    cells = lambda tag, values: "".join(f"<{tag} style='text-align:left'>{html.escape(v)}</{tag}>" for v in values)
    rows = [f"<tr>{cells('th', ['severity', 'rule', 'line', 'reason', 'fix'])}</tr>"]
    rows += [f"<tr>{cells('td', [f.severity, f.rule, f.line or '(whole design)', f.reason, f.fix])}</tr>"
             for f in findings]
    return f"<table>{''.join(rows)}</table>"


def escape(cell: str) -> str:
    """A table cell: a literal ``|`` would end the cell."""
    return cell.replace("|", "\\|")


def summary(findings: Iterable[Finding]) -> str:
    """``2 errors, 1 warning, 0 info``."""
    findings = list(findings)
    counts = [sum(f.severity == s for f in findings) for s in SEVERITIES]
    return ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for n, s in zip(counts, SEVERITIES))
