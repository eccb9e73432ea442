"""The interview artifacts, generated from an OpenAPI document: the endpoint table and the request/response sketch.

    design = from_openapi(document, ["create_channel", "send_message"])   # rows for the table
    print(sketch(document, "send_message"))                               # the 30-second sketch
    problems = conformance(document, "send_message", 201, response_json, response_headers)  # [] if it matches

The sketch shows shapes, not data: ``"<string, 1-4000 chars>"`` where the schema gives a
string with those limits, ``"text | markdown"`` for an enum. Send the request to a running
server to see real values, then ``conformance`` checks them against the same document: the status, the body
and, when given, the response headers (each required one present, each present one in its schema).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, Iterable, Iterator, Mapping

from jsonschema import Draft202012Validator

from ..errors import ApiDesignError
from .design import Design, from_records

METHODS = ("get", "put", "post", "delete", "patch")
PAGE_PARAMS = ("cursor", "limit")  # shown in a list endpoint's row, as the syllabus's table does


class UnknownOperation(ApiDesignError, KeyError):
    """No operation in the OpenAPI document has this ``operationId``."""


def operations(document: dict) -> Iterator[tuple[str, str, dict]]:
    """Every ``(METHOD, path, operation)`` of the document, in document order."""
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def operation(document: dict, operation_id: str) -> tuple[str, str, dict]:
    """The ``(METHOD, path, operation)`` whose ``operationId`` is ``operation_id``."""
    for found in operations(document):
        if found[2].get("operationId") == operation_id:
            return found
    raise UnknownOperation(operation_id)


def from_openapi(document: dict, operation_ids: Iterable[str] | None = None, notes: Iterable[str] | str = (),
                 title: str = "") -> Design:
    """An endpoint table from the document: every operation, or those named (in that order)."""
    chosen = ([operation(document, i) for i in operation_ids] if operation_ids is not None
              else list(operations(document)))
    records = [{"method": method, "path": path + page_query(document, op),
                "description": op.get("summary", "") + precondition(document, method, op)}
               for method, path, op in chosen]
    return from_records(records, notes, title or document.get("info", {}).get("title", ""))


def page_query(document: dict, op: dict) -> str:
    """``?cursor={cursor}&limit=20`` for an operation with paging parameters ('' otherwise)."""
    params = {p["name"]: p for p in map(lambda p: resolve(document, p), op.get("parameters", ()))
              if p.get("in") == "query"}
    shown = [f"{name}={params[name].get('schema', {}).get('default', '{' + name + '}')}"
             for name in PAGE_PARAMS if name in params]
    return "?" + "&".join(shown) if shown else ""


def precondition(document: dict, method: str, op: dict) -> str:
    """What the contract promises about a write's ``If-Match`` (RFC 9110 section 13.1.1): `` (If-Match required)``
    when the parameter is required, so a write without it is refused (``428``, RFC 6585 section 3), `` (If-Match
    optional)`` when an unconditional write is applied too; '' for a read or a write that takes no ``If-Match``."""
    if_match = [p for p in map(lambda p: resolve(document, p), op.get("parameters", ()))
                if p.get("in") == "header" and p.get("name", "").lower() == "if-match"]
    if method == "GET" or not if_match:
        return ""
    return " (If-Match required)" if if_match[0].get("required") else " (If-Match optional)"


def resolve(document: dict, node: Any) -> Any:
    """``node`` with a top-level ``$ref`` into this document followed (repeatedly)."""
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def shape(document: dict, schema: Any) -> Any:
    """A JSON-like value showing what ``schema`` allows: objects and arrays as such, leaves as placeholders."""
    schema = resolve(document, schema)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    if "oneOf" in schema:
        return shape(document, schema["oneOf"][0])
    kind = schema.get("type")
    if kind == "object":
        return {name: shape(document, sub) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [shape(document, schema.get("items", {}))]
    return placeholder(schema)


def placeholder(schema: dict) -> Any:
    """The schema's first example if it has one; else ``<string, 1-4000 chars>``, ``<date-time>``, ``<integer>`` ..."""
    if schema.get("examples"):
        return schema["examples"][0]
    kind = schema.get("type", "any")
    kind = " or ".join(kind) if isinstance(kind, list) else kind
    if "format" in schema:
        return f"<{schema['format']}>"
    low, high = schema.get("minLength"), schema.get("maxLength")
    if high is not None:
        return f"<{kind}, {low or 0}-{high} chars>"
    return f"<{kind}>"


def sketch(document: dict, operation_id: str) -> str:
    """The request/response sketch of one operation, as the syllabus's step 4 writes it."""
    method, path, op = operation(document, operation_id)
    status, ok = next((code, r) for code, r in op["responses"].items() if code.startswith("2"))
    lines = [f"{method} {path}", "Headers: " + ", ".join(request_headers(document, op))]
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body:
        lines += ["Request:", json.dumps(shape(document, body), indent=2, ensure_ascii=False)]
    headers = "".join(f", {name}: <{resolve(document, h).get('schema', {}).get('type', 'string')}>"
                      for name, h in ok.get("headers", {}).items())
    lines.append(f"Response ({status} {HTTPStatus(int(status)).phrase}){headers}:")
    for media in ok.get("content", {}).values():
        lines.append(json.dumps(shape(document, media["schema"]), indent=2, ensure_ascii=False))
    errors = [code for code in op["responses"] if not code.startswith("2")]
    lines.append("Errors (the error envelope): " + ", ".join(errors))
    return "\n".join(lines)


def request_headers(document: dict, op: dict) -> list[str]:
    """The credentials the operation takes first (its first security alternative), then its header parameters."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    shown = [CREDENTIALS.get(schemes[name].get("type"), f"{name}: <credentials>")(schemes[name])
             for name in (op.get("security") or [{}])[0]]
    for param in (resolve(document, p) for p in op.get("parameters", ())):
        if param.get("in") == "header":
            shown.append(f"{param['name']}: {placeholder(param.get('schema', {}))}")
    return shown


CREDENTIALS = {"http": lambda s: f"Authorization: {s.get('scheme', '').title()} <{s.get('bearerFormat', 'token').lower()}>",
               "apiKey": lambda s: f"{s['name']}: <api key>",
               "oauth2": lambda s: "Authorization: Bearer <access token>"}


def conformance(document: dict, operation_id: str, status: int, body: Any,
                headers: Mapping[str, str] | None = None) -> list[str]:
    """What is wrong with ``body`` (and ``headers``, if given) as the operation's ``status`` answer ([] if nothing)."""
    _, _, op = operation(document, operation_id)
    response = op["responses"].get(str(status))
    if response is None:
        return [f"{status} is not a documented answer of {operation_id}"]
    response = resolve(document, response)
    problems = [] if headers is None else header_problems(document, response, headers)
    schemas = [m["schema"] for m in response.get("content", {}).values()]
    if not schemas:
        return problems + ([] if body in (None, "", b"") else [f"{status} has no documented body"])
    return problems + schema_problems(document, schemas[0], body, "(body)")


def header_problems(document: dict, response: dict, headers: Mapping[str, str]) -> list[str]:
    """Each documented header that is required but absent, or present but outside its schema."""
    sent = {name.lower(): value for name, value in headers.items()}
    problems = []
    for name, header in response.get("headers", {}).items():
        header = resolve(document, header)
        if name.lower() not in sent:
            problems += [f"{name}: required header missing"] if header.get("required") else []
        else:
            problems += schema_problems(document, header.get("schema", {}), sent[name.lower()], name)
    return problems


def schema_problems(document: dict, schema: dict, value: Any, where: str) -> list[str]:
    """``where: message`` for each way ``value`` breaks ``schema`` (refs into the document's components)."""
    validator = Draft202012Validator({**schema, "components": document.get("components", {})})
    return [f"{'/'.join(map(str, e.absolute_path)) or where}: {e.message}" for e in validator.iter_errors(value)]
