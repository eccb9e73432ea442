"""Review design files from the command line: ``python -m apidesign.review data/designs/chat-flawed.md``.

Prints every finding and exits with status 1 if any is an error (so it can gate a CI job);
``--json`` prints, for each file, its findings as JSON objects instead (the exit status is the same).
``-`` reads a design from standard input.
"""

from __future__ import annotations

import json
import os
import sys

from . import DesignParseError, errors, parse_markdown, review, summary

USAGE = """usage: python -m apidesign.review [--json] FILE [FILE ...]

Review API designs written as markdown (an endpoint table plus notes); '-' reads one from standard input.
Exit status: 0 no error-level finding, 1 some error-level finding, 2 a file could not be read (or bad usage).
  --json      print each file's findings as JSON: rule, severity, line (its line number), where, reason, fix
  -h, --help  show this message"""


def main(argv: list[str]) -> int:
    """Review each file named in ``argv``; 0 if none has an error-level finding, 1 if one has, 2 if unreadable."""
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE)
        return 0
    paths = [a for a in argv if a != "--json"]
    unknown = [a for a in paths if a.startswith("-") and a != "-"]
    if not paths or unknown:
        print((f"unknown option {unknown[0]}\n" if unknown else "") + USAGE, file=sys.stderr)
        return 2
    status, reports = 0, []
    for path in paths:
        try:
            findings = review(parse_markdown(read(path)))
        except (DesignParseError, OSError, UnicodeDecodeError) as exc:
            reports.append({"file": path, "error": f"cannot read: {exc}"})
            status = 2
            continue
        reports.append({"file": path, "summary": summary(findings), "findings": findings})
        status = max(status, 1 if errors(findings) else 0)
    print(json.dumps([as_json_report(r) for r in reports], indent=2) if "--json" in argv else
          "\n".join(map(as_text, reports)))
    return status


def read(path: str) -> str:
    """The text of a design file, or of standard input for '-'."""
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as file:
        return file.read()


def as_json_report(report: dict) -> dict:
    """A file's report with each finding as ``{rule, severity, line, where, reason, fix}``; ``line`` is its line number."""
    if "error" in report:
        return report
    return {**report, "findings": [{"rule": f.rule, "severity": f.severity, "line": f.lineno, "where": f.line,
                                    "reason": f.reason, "fix": f.fix} for f in report["findings"]]}


def as_text(report: dict) -> str:
    """A file's report as the terminal shows it: the summary line, then one finding per line."""
    if "error" in report:
        return f"{report['file']}: {report['error']}"
    return "\n".join([f"{report['file']}: {report['summary']}"] + [f"  {f}" for f in report["findings"]])


def run(argv: list[str]) -> int:
    """``main``, quiet when the reader goes away early (``| head``): the rest of the output has nowhere to go."""
    try:
        status = main(argv)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the interpreter's final flush is quiet
        return 1


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
