"""Review design files from the command line: ``python -m apidesign.review data/designs/chat-flawed.md``.

Prints every finding and exits with status 1 if any is an error (so it can gate a CI job);
``--json`` prints, for each file, its findings as JSON objects instead (the exit status is the same).
"""

from __future__ import annotations

import json
import sys

from . import DesignParseError, errors, load_design, review, summary

JSON_FIELDS = ("rule", "severity", "line", "reason", "fix")


def main(argv: list[str]) -> int:
    """Review each file named in ``argv``; 0 if none has an error-level finding, 1 if one has, 2 if unreadable."""
    as_json = "--json" in argv
    status, reports = 0, []
    for path in (a for a in argv if a != "--json"):
        try:
            findings = review(load_design(path))
        except (DesignParseError, OSError) as exc:
            reports.append({"file": path, "error": f"cannot read: {exc}"})
            status = 2
            continue
        reports.append({"file": path, "summary": summary(findings), "findings": findings})
        status = max(status, 1 if errors(findings) else 0)
    print(json.dumps([as_json_report(r) for r in reports], indent=2) if as_json else
          "\n".join(map(as_text, reports)))
    return status


def as_json_report(report: dict) -> dict:
    """A file's report with each finding as ``{rule, severity, line, reason, fix}``."""
    if "error" in report:
        return report
    return {**report, "findings": [{k: getattr(f, k) for k in JSON_FIELDS} for f in report["findings"]]}


def as_text(report: dict) -> str:
    """A file's report as the terminal shows it: the summary line, then one finding per line."""
    if "error" in report:
        return f"{report['file']}: {report['error']}"
    return "\n".join([f"{report['file']}: {report['summary']}"] + [f"  {f}" for f in report["findings"]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
