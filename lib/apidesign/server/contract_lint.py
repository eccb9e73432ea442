"""The contract through the industry's linters: Spectral (OpenAPI rules plus OWASP API Security) and Redocly.

    problems = lint(openapi_document(app))   # [] when both pass; each Problem names tool, rule and place

The npm packages live in ``tools/lint`` (``make lint-deps``), run with the machine's Node.js.
The rulesets there (``.spectral.yaml``, ``redocly.yaml``, ``.redocly.lint-ignore.yaml``) switch
off each rule the contract does not follow, each with its reason. Nothing here reaches the network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ..errors import ApiDesignError
from ..paths import ROOT

LINT = ROOT / "tools" / "lint"
BIN = LINT / "node_modules" / ".bin"
DOCUMENT = "openapi.json"  # the rulesets' overrides name this file, in LINT
SPECTRAL_SEVERITY = ("error", "warning", "info", "hint")
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}


class LintersMissing(ApiDesignError):
    """Node.js or the linters in tools/lint are not installed (``make system-deps``, ``make lint-deps``)."""


@dataclass(frozen=True)
class Problem:
    """One thing a linter objects to: which tool and rule, how serious, where in the document, and why."""

    tool: str
    rule: str
    severity: str
    where: str
    message: str


def missing() -> str | None:
    """Why the linters cannot run here, or None if they can."""
    if shutil.which("node") is None:
        return "Node.js is not installed (make system-deps installs it)"
    if not (BIN / "spectral").exists() or not (BIN / "redocly").exists():
        return "the linters are not installed in tools/lint/node_modules (run make lint-deps)"
    return None


def lint(document: dict[str, Any]) -> list[Problem]:
    """Every problem Spectral and Redocly report on the document, with the committed rulesets."""
    reason = missing()
    if reason:
        raise LintersMissing(reason)
    (LINT / DOCUMENT).write_text(json.dumps(document, indent=1), encoding="utf-8")
    return spectral() + redocly()


def spectral() -> list[Problem]:
    out = run("spectral", "lint", DOCUMENT, "--ruleset", ".spectral.yaml", "--format", "json", "--quiet",
              "--fail-severity", "hint")
    found, _ = json.JSONDecoder().raw_decode(out)  # Spectral prints a sentence after the JSON
    return [Problem("spectral", p["code"], SPECTRAL_SEVERITY[p["severity"]], "/".join(map(str, p["path"])),
                    p["message"]) for p in found]


def redocly() -> list[Problem]:
    report = json.loads(run("redocly", "lint", DOCUMENT, "--config", "redocly.yaml", "--format", "json"))
    return [Problem("redocly", p["ruleId"], p["severity"].replace("warn", "warning"),
                    p["location"][0]["pointer"] if p.get("location") else "", p["message"])
            for p in report["problems"]]


def run(tool: str, *args: str) -> str:
    """The tool's standard output; its exit status says only whether it found problems, so it is not checked."""
    done = subprocess.run([str(BIN / tool), *args], cwd=LINT, env={**os.environ, **QUIET},
                          capture_output=True, text=True, timeout=300)
    return done.stdout


def switched_off() -> list[tuple[str, str, str]]:
    """``(rule, where, reason)`` for each rule the Spectral ruleset switches off, in file order: where is
    "everywhere" or the parts of the document its override names, and the reason is the comment above it."""
    found, comment, in_comment, files = [], [], False, []
    for line in (LINT / ".spectral.yaml").read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.startswith("#"):
            comment = (comment if in_comment else []) + [text.lstrip("# ")]
        elif line == "rules:":  # the top-level rules apply to the whole document
            files = []
        elif text.startswith("- files:"):  # an override: its files inline, or one per line below
            files = re.findall(r'"([^"]*)"', text)
        elif text.startswith('- "'):
            files += re.findall(r'"([^"]*)"', text)
        elif text.endswith(": off"):
            found.append((text.removesuffix(": off"), ", ".join(map(place, files)) or "everywhere", " ".join(comment)))
        in_comment = text.startswith("#")
    return found


def place(file: str) -> str:
    """``openapi.json#/paths/~1v1~1whoami`` -> ``/v1/whoami``; a component stays ``components/schemas/X``."""
    pointer = unquote(file.partition("#/")[2])
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")]
    return "".join(tokens[1:]) if tokens[0] == "paths" else "/".join(tokens)
