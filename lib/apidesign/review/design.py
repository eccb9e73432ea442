"""A design as a candidate writes it on a whiteboard: an endpoint table plus short notes on decisions.

Three input forms become one ``Design``: a markdown table (``| Method | Path | Description |``,
the notes are the other lines), a list of dicts, or a pandas DataFrame (notes passed separately).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import ApiDesignError

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
PATH_COLUMNS = ("path", "endpoint", "url", "route")


class DesignParseError(ApiDesignError):
    """The design could not be read as an endpoint table (method | path | description) plus notes."""


class NoEndpointTable(DesignParseError):
    """No table with a method and a path column was found (the syllabus's Step 2 table)."""


class MalformedRow(DesignParseError):
    """A row of the endpoint table is not ``METHOD | /path | description`` (RFC 9110 section 9 methods)."""


@dataclass(frozen=True)
class Endpoint:
    """One row of the table; ``lineno`` is its line in the source (1-based), or its row number."""

    method: str
    path: str
    description: str
    lineno: int

    @property
    def line(self) -> str:
        """How a reviewer quotes this endpoint: ``POST /sendMessage``."""
        return f"{self.method} {self.path}"

    @property
    def route(self) -> str:
        """The path without its query string."""
        return self.path.split("?", 1)[0]

    @property
    def segments(self) -> tuple[str, ...]:
        """The path's segments: ``/channels/{id}/messages`` -> ``('channels', '{id}', 'messages')``."""
        return tuple(s for s in self.route.split("/") if s)

    @property
    def query(self) -> str:
        return self.path.split("?", 1)[1] if "?" in self.path else ""

    @property
    def text(self) -> str:
        """Everything written on the row, for keyword checks."""
        return f"{self.path} {self.description}"


@dataclass(frozen=True)
class Note:
    """One line of free-text notes on decisions; ``section`` is the heading it sits under ('' if none)."""

    text: str
    lineno: int
    section: str = ""

    @property
    def is_flow(self) -> bool:
        """True for an item of the design's core flows (a note under a heading such as 'Core flows')."""
        return bool(re.search(r"\bflows?\b", self.section, re.I))


@dataclass(frozen=True)
class Design:
    """The endpoints and the decision notes of one API design."""

    endpoints: tuple[Endpoint, ...]
    notes: tuple[Note, ...] = ()
    title: str = ""

    @property
    def notes_text(self) -> str:
        return "\n".join(n.text for n in self.notes)

    @property
    def flows(self) -> tuple[Note, ...]:
        """The core flows the design states (Step 1 of the interview), in order."""
        return tuple(n for n in self.notes if n.is_flow)

    def with_flows(self, flows: Iterable[str]) -> "Design":
        """This design, with ``flows`` as its core flows if it states none (numbered from 1, like notes)."""
        flows = [f for f in flows if f.strip()]
        if self.flows or not flows:
            return self
        return Design(self.endpoints, self.notes + tuple(Note(f, i, "Core flows") for i, f in enumerate(flows, 1)),
                      self.title)

    @property
    def decisions_text(self) -> str:
        """The notes other than the core flows: what the design decides, not what users do."""
        return "\n".join(n.text for n in self.notes if not n.is_flow)

    def to_markdown(self, notes: bool = True) -> str:
        """The design as written on the whiteboard: the endpoint table, then the notes as a list."""
        rows = ["| Method | Path | Description |", "|---|---|---|"]
        rows += [f"| {e.method} | `{e.path}` | {e.description.replace('|', '/')} |" for e in self.endpoints]
        return "\n".join(rows + ([""] + [f"- {n.text}" for n in self.notes] if notes and self.notes else []))


def is_param(segment: str) -> bool:
    """True for a path parameter: ``{id}``, ``:id`` or ``<id>``."""
    return bool(re.fullmatch(r"\{[^}]*\}|:\w+|<[^>]*>", segment))


def endpoint(method: Any, path: Any, description: Any, lineno: int) -> Endpoint:
    """A validated ``Endpoint``, or ``MalformedRow`` naming the line."""
    method = clean(method).upper()
    path, aside = path_and_aside(clean(path))
    description = f"{clean(description)} ({aside})".strip() if aside else clean(description)
    if method not in METHODS:
        raise MalformedRow(f"line {lineno}: {method!r} is not an HTTP method (expected one of {', '.join(METHODS)})")
    if not path.startswith("/"):
        raise MalformedRow(f"line {lineno}: the path {path!r} must start with '/'")
    return Endpoint(method, path, description, lineno)


def path_and_aside(cell: str) -> tuple[str, str]:
    """A path cell split into the path and any note written after it: ``/v1/exports (Idempotency-Key header)``
    -> ``('/v1/exports', 'Idempotency-Key header')``; the note joins the description, so rules still see it."""
    path, _, aside = cell.partition(" ")
    return path.strip("`"), aside.strip().strip("`()[]").strip()


def clean(cell: Any) -> str:
    """A table cell as plain text: no surrounding space or backticks; None and NaN become ''."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return ""
    return str(cell).strip().strip("`").strip()


def split_row(line: str) -> list[str]:
    """The cells of a markdown table row ``| a | b |``."""
    return [c.strip() for c in line.strip().strip("|").split("|")]


def column_index(header: list[str]) -> tuple[int | None, int, int | None] | None:
    """Positions of the method, path and description columns in a header row, or None.

    Without a Method column, the path column holds both (``| Endpoint | ... |`` with ``POST /v1/orders``).
    """
    names = [clean(h).lower() for h in header]
    method = names.index("method") if "method" in names else None
    path = next((names.index(p) for p in PATH_COLUMNS if p in names), None)
    if path is None or (method is None and names[path] == "path"):
        return None
    return method, path, names.index("description") if "description" in names else None


def note_text(line: str) -> str:
    """A notes line without its list marker; '' for headings and blank lines."""
    line = line.strip()
    if not line or line.startswith("#"):
        return ""
    return re.sub(r"^([-*+]|\d+[.)])\s+", "", line).strip()


def parse_markdown(text: str) -> Design:
    """A ``Design`` from markdown: the table with Method and Path (or Endpoint) columns, else a bulleted list of
    ``METHOD /path`` items; the other lines are notes."""
    if not isinstance(text, str):
        raise NoEndpointTable(f"expected markdown text, got {type(text).__name__}")
    lines = text.splitlines()
    title = next((l.lstrip("#").strip() for l in lines if l.startswith("# ")), "")
    rows: list[Endpoint] = []
    bullets: list[Endpoint] = []
    notes: list[Note] = []
    columns, section = None, ""
    for n, line in enumerate(lines, start=1):
        if line.strip().startswith("|"):
            columns = table_row(line, n, columns, rows)
            section = ""  # the lines after a table are decisions, whatever heading came before it
        elif line.lstrip().startswith("#") or re.fullmatch(r"\s*[^-*+|#].*:\s*", line):
            section = line.strip().lstrip("#").strip().rstrip(":")  # "## Core flows" or "Core flows:"
        elif bullet_endpoint(line, n) and not re.search(r"\bflows?\b", section, re.I):
            bullets.append(bullet_endpoint(line, n))
        elif note_text(line):
            notes.append(Note(note_text(line), n, section))
    if not rows and bullets:  # no table: the bulleted list is the endpoint list
        rows = bullets
    else:  # a table is the endpoint list; items naming endpoints are notes about them
        notes = sorted(notes + [Note(note_text(lines[b.lineno - 1]), b.lineno) for b in bullets], key=lambda x: x.lineno)
    if not rows:
        raise NoEndpointTable("no endpoints: write a markdown table with 'Method' and 'Path' columns (or one "
                              "'Endpoint' column holding 'POST /v1/orders'), or a list of '- POST /v1/orders — what it does'")
    return Design(tuple(rows), tuple(notes), title)


def table_row(line: str, n: int, columns, rows: list[Endpoint]):
    """Read one ``|`` line: a header sets the columns, a separator is skipped, a body row is appended."""
    cells = split_row(line)
    if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
        return columns
    header = column_index(cells)
    if header is not None:
        return header
    if columns is None:
        raise NoEndpointTable(f"line {n}: table row before a header with 'Method' and 'Path' columns")
    m, p, d = columns
    if len(cells) <= max(m or 0, p):
        raise MalformedRow(f"line {n}: expected at least {max(m or 0, p) + 1} cells, found {len(cells)}")
    method, path = (cells[m], cells[p]) if m is not None else split_endpoint(cells[p], n)
    rows.append(endpoint(method, path, cells[d] if d is not None and d < len(cells) else "", n))
    return columns


def split_endpoint(cell: str, n: int) -> tuple[str, str]:
    """``POST /v1/orders`` (one cell of an Endpoint column) -> ``('POST', '/v1/orders')``."""
    method, _, path = clean(cell).partition(" ")
    if not path.strip():
        raise MalformedRow(f"line {n}: the Endpoint cell {cell!r} must hold 'METHOD /path', e.g. 'POST /v1/orders'")
    return method, path.strip()


# A bulleted endpoint: "- POST /v1/orders — create an order", "* `GET /v1/orders/{id}`: one order".
BULLET_ENDPOINT = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+`?(" + "|".join(METHODS) + r")\s+(/[^\s`]*)`?"
                             r"\s*(?:(?:[—–:]|--?)\s*)?(.*)")


def bullet_endpoint(line: str, n: int) -> Endpoint | None:
    """The endpoint a list item names, or None for any other line."""
    match = BULLET_ENDPOINT.fullmatch(line)
    return endpoint(match.group(1), match.group(2), match.group(3), n) if match else None


def from_records(records: Iterable[Mapping[str, Any]], notes: Iterable[str] | str = (), title: str = "") -> Design:
    """A ``Design`` from dicts with ``method``, ``path`` (or ``endpoint``) and ``description`` keys."""
    rows = []
    for i, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            raise MalformedRow(f"row {i}: expected a dict, got {type(record).__name__}")
        keys = {str(k).lower(): v for k, v in record.items()}
        path = next((keys[p] for p in PATH_COLUMNS if p in keys), None)
        if "method" not in keys or path is None:
            raise MalformedRow(f"row {i}: needs 'method' and 'path' keys, has {sorted(keys)}")
        rows.append(endpoint(keys["method"], path, keys.get("description", ""), i))
    if not rows:
        raise NoEndpointTable("the design has no endpoints")
    return Design(tuple(rows), notes_from(notes), title)


def notes_from(notes: Iterable[str] | str) -> tuple[Note, ...]:
    """Notes given as one text or as lines; numbered by position."""
    lines = notes.splitlines() if isinstance(notes, str) else list(notes)
    texts = [note_text(str(l)) for l in lines]
    return tuple(Note(t, i) for i, t in enumerate(texts, start=1) if t)


def as_design(source: Any, notes: Iterable[str] | str = ()) -> Design:
    """Any accepted input as a ``Design``: a Design, markdown text, a list of dicts or a DataFrame."""
    if isinstance(source, Design):
        return source
    if isinstance(source, str):
        design = parse_markdown(source)
        extra = notes_from(notes)
        return Design(design.endpoints, design.notes + extra, design.title) if extra else design
    if hasattr(source, "to_dict") and hasattr(source, "columns"):  # a DataFrame, without importing pandas
        return from_records(source.to_dict("records"), notes)
    if isinstance(source, (list, tuple)):
        return from_records(source, notes)
    raise DesignParseError(f"cannot read a design from {type(source).__name__}: "
                           "pass markdown text, a list of dicts or a DataFrame")


def from_routes(app: Any, notes: Iterable[str] | str = (), title: str = "") -> Design:
    """The routes a Flask app really serves, as a design (description: the view's name, in words).

    A route table knows paths and methods, not query parameters, so list endpoints
    appear without their ``?cursor=`` here: an interview table must add them.
    """
    records = [{"method": method, "path": re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule),
                "description": rule.endpoint.rsplit(".", 1)[-1].replace("_", " ")}
               for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods)))
               if rule.endpoint != "static"
               for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return from_records(records, notes, title)


def load_design(path: str | Path) -> Design:
    """A design from a markdown file (as in ``data/designs/``)."""
    return parse_markdown(Path(path).read_text(encoding="utf-8"))
