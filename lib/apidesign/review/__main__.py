"""Review design files from the command line: ``python -m apidesign.review data/designs/chat-flawed.md``.

Prints every finding and exits with status 1 if any is an error (so it can gate a CI job).
"""

from __future__ import annotations

import sys

from . import DesignParseError, errors, load_design, review, summary


def main(argv: list[str]) -> int:
    """Review each file named in ``argv``; 0 if none has an error-level finding, 1 if one has, 2 if unreadable."""
    status = 0
    for path in argv:
        try:
            findings = review(load_design(path))
        except (DesignParseError, OSError) as exc:
            print(f"{path}: cannot read: {exc}")
            status = 2
            continue
        print(f"{path}: {summary(findings)}")
        for f in findings:
            print(f"  {f}")
        status = max(status, 1 if errors(findings) else 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
