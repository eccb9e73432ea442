"""``POST /graphql``: the chat schema over HTTP, authenticated like the REST API.

Status codes follow GraphQL over HTTP (Stage 2 draft, graphql/graphql-over-http
``spec/GraphQLOverHTTP.md`` as of August 2026, section "Status Codes"):

* not a GraphQL request at all -> the API's error envelope: 401/403 (credentials), 406 (Accept),
  415 (not ``application/json``), 413 (body too large), 400 (body not JSON: ``server/bodies.py``
  parses it, with the same limits as every endpoint), 422 (not ``{"query": "<string>", ...}``);
* a document that does not parse -> 400 (graphql-core's parser also refuses one nested more than 200 deep,
  before its recursion can exhaust the stack), one that fails validation (depth, size and cost included)
  or whose operation or variables cannot be used -> 422, body ``{"errors": [...]}`` and no ``data``;
* too slow -> 503 in the envelope, after EXECUTION_TIMEOUT;
* executed -> 200 with ``data`` (and ``errors`` for refused fields; 294 "partial success" when the
  client asked for ``application/graphql-response+json``, which is the only type that spec pairs it with).

A legacy client (``Accept: application/json``, or none) gets the same codes, with ``application/json``
on 2xx answers. Nothing a client sends is a 500: unexpected resolver failures are logged and masked.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode, parse
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from ..errors import ApiError, Forbidden, ServiceUnavailable, Unprocessable, UnsupportedMediaType
from ..graphql_api.limits import MAX_TOKENS, TOO_DEEP
from ..graphql_api.schema import SCHEMA, context_for, is_bug
from ..protocols.loops import run
from .auth import current_principal
from .paging import cursor_codec
from .services import services

bp = Blueprint("graphql", __name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
PARAMETERS = {"query": str, "operationName": str, "variables": dict, "extensions": dict}
EXECUTION_TIMEOUT = 10.0  # seconds one request may run (the spec's Security section: "execution timeouts")


class NotAcceptable(ApiError):
    """406: no media type in Accept is one this endpoint produces (RFC 9110 section 15.5.7)."""

    status, code = 406, "NOT_ACCEPTABLE"


@bp.post("/graphql")
def graphql_endpoint():
    viewer = current_principal()
    if viewer.kind != "user":
        raise Forbidden("API keys act for services, not users: /graphql needs a user's bearer token.")
    media_type = negotiate()
    params = graphql_request()
    svc = services()
    batched = current_app.config["GRAPHQL_BATCHED"]
    context = context_for(svc.db, viewer.id, viewer.scopes, cursor_codec(), batched=batched)
    body, status = execute(params, context)
    if media_type == JSON and status == 294:
        status = 200
    if status >= 300:  # not a 2xx: the spec keeps graphql-response+json, which says "this is GraphQL's answer"
        media_type = GRAPHQL_RESPONSE
    return body, status, {"Content-Type": f"{media_type}; charset=utf-8"}


def negotiate() -> str:
    """graphql-response+json if the client names it (not below application/json); else application/json.

    No Accept, ``*/*`` and ``application/json`` alone are legacy clients; an Accept with neither type is a 406.
    """
    accept = request.accept_mimetypes
    if not request.headers.get("Accept"):
        return JSON
    if accept.best_match([JSON, GRAPHQL_RESPONSE]) is None:
        raise NotAcceptable(f"/graphql answers {GRAPHQL_RESPONSE} or {JSON}.")
    named = dict(accept).get(GRAPHQL_RESPONSE, 0)  # (type, quality) pairs as the client listed them
    return GRAPHQL_RESPONSE if named and named >= accept.quality(JSON) else JSON


def graphql_request() -> dict[str, Any]:
    """The GraphQL-over-HTTP request parameters from a JSON body, or the envelope's 415/400/422."""
    if request.mimetype != JSON or request.mimetype_params.get("charset", "utf-8").lower() != "utf-8":
        raise UnsupportedMediaType("Send the GraphQL request as Content-Type: application/json (UTF-8).")
    params = request.get_json()  # StrictJSONProvider: I-JSON, nesting limit, or a 400
    if not isinstance(params, dict) or not isinstance(params.get("query"), str):
        raise Unprocessable('A GraphQL request is a JSON object with "query" (a string).',
                            details=[{"field": "query", "issue": "required_string"}])
    for name, kind in PARAMETERS.items():
        if params.get(name) is not None and not isinstance(params[name], kind):
            raise Unprocessable(f"'{name}' must be a {'string' if kind is str else 'JSON object'}.",
                                details=[{"field": name, "issue": "wrong_type"}])
    return params


def execute(params: dict[str, Any], context: Any) -> tuple[dict, int]:
    """The GraphQL response and its status code (400 parse, 422 validation, 200/294 executed)."""
    query = params["query"]
    try:
        result = run(lambda: SCHEMA.execute(query, variable_values=params.get("variables"), context_value=context,
                                            operation_name=params.get("operationName")), timeout=EXECUTION_TIMEOUT)
    except TimeoutError:
        raise ServiceUnavailable(f"The query ran longer than {EXECUTION_TIMEOUT:g} s; ask for less.",
                                 headers={"Retry-After": "1"}) from None
    except MissingQueryError:
        return request_error("The document is empty.", "GRAPHQL_PARSE_FAILED")
    except CannotGetOperationTypeError as exc:
        return request_error(missing_operation(query, exc.operation_name), "GRAPHQL_VALIDATION_FAILED")
    except InvalidOperationTypeError as exc:
        return request_error(f"This endpoint does not run {exc.operation_type.value} operations.",
                             "GRAPHQL_VALIDATION_FAILED")
    errors = [error_json(e) for e in result.errors or ()]
    if result.data is None:  # a request error: nothing ran (every root field is nullable, so execution gives data)
        status = 400 if any(e["extensions"]["code"] == "GRAPHQL_PARSE_FAILED" for e in errors) else 422
        return {"errors": errors}, status
    return ({"data": result.data, "errors": errors} if errors else {"data": result.data}), 294 if errors else 200


def missing_operation(query: str, name: str | None) -> str:
    """Why no operation in ``query`` can run: none is named ``name`` (saying which names there are), or none at all."""
    document = parse(query, max_tokens=MAX_TOKENS)  # it parsed before, so it parses again
    operations = [d.name.value if d.name else "an anonymous operation" for d in document.definitions
                  if isinstance(d, OperationDefinitionNode)]
    if name is None or not operations:
        return "The document holds no operation to run, only fragments."
    return f"No operation named '{name}' in the document; it has: {', '.join(operations)}."


def request_error(message: str, code: str) -> tuple[dict, int]:
    status = 400 if code == "GRAPHQL_PARSE_FAILED" else 422
    return {"errors": [{"message": message, "extensions": {"code": code}}]}, status


def error_json(error: GraphQLError) -> dict[str, Any]:
    """One GraphQL error with ``extensions.code``: the REST code for refusals, a GraphQL code otherwise."""
    original = error.original_error
    if isinstance(original, ApiError):
        code, message = original.code, original.message
    elif is_bug(error):
        code, message = ("GRAPHQL_PARSE_FAILED", "The document could not be parsed.") if isinstance(
            original, RecursionError) else ("INTERNAL", "Something went wrong on our side. Try again later.")
    else:
        code, message = graphql_code(error), error.message
    body = error.formatted
    body["message"] = message
    body["extensions"] = {**(error.extensions or {}), "code": code}
    return body


def graphql_code(error: GraphQLError) -> str:
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.extensions and "code" in error.extensions:
        return error.extensions["code"]
    if TOO_DEEP in error.message:
        return "QUERY_TOO_DEEP"
    return "GRAPHQL_VALIDATION_FAILED"
