"""What one GraphQL request may cost: a depth limit, a cost (complexity) limit and a token limit.

A REST endpoint's cost is known from its URL: ``GET /v1/channels/{id}/messages?limit=20`` reads
at most 20 rows, so "100 requests a minute" bounds the work. One ``POST /graphql`` can ask for
channels -> 100 messages each -> each sender -> their channels -> ... and cost a million rows, so a
public GraphQL API bounds each *query* before running it (GraphQL over HTTP, section Validation:
"depth limit, complexity limit" are the examples of extra validation rules), and rate-limits by
cost rather than by request (GitHub's GraphQL API charges points per query; Shopify's a cost per query).

Caching is harder for the same reason. Every query is a POST to one URL, so the HTTP caches that serve
REST for free (browser, CDN, ``ETag``/``304``, RFC 9111) see no resource to key on: POST responses
are not reused, and one URL holds every shape of answer. GraphQL clients cache per object instead
(normalised by ``id``), and servers cache persisted queries sent by GET; both are extra machinery.
"""

from __future__ import annotations

from typing import Any

from graphql import (DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError, GraphQLList,
                     GraphQLNonNull, InlineFragmentNode, IntValueNode, KnownFragmentNamesRule, NoFragmentCyclesRule,
                     OperationDefinitionNode, SelectionSetNode, ValidationRule, get_named_type, parse, validate)
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension

from ..pagination import DEFAULT_LIMIT, MAX_LIMIT

MAX_DEPTH = 10      # me > channels > edges > node > messages > edges > node > sender is 8
MAX_COST = 1000     # objects one response may hold, at most (see ``query_cost``)
MAX_TOKENS = 2000   # the parser stops a huge document here, before building it
MAX_SELECTIONS = 10_000  # selections in a document with its fragments written out (see ``expanded_size``)
MAX_EXACT = 2**53 - 1    # the largest integer every JSON parser keeps exact (I-JSON, RFC 7493 section 2.2)
TOO_DEEP = "exceeds maximum operation depth"  # the start of QueryDepthLimiter's message


class Fragments:
    """A document's fragments by name, and what each one's own fields cost, remembered once counted."""

    def __init__(self, definitions: dict[str, FragmentDefinitionNode]):
        self.definitions = definitions
        self.costs: dict[tuple[str, int | None], int] = {}  # (fragment name, page size) -> cost


def query_cost(schema: Any, operation: OperationDefinitionNode, fragments: dict[str, Any]) -> int:
    """The most objects ``operation`` can return: each list counts ``first`` items (unknown: its maximum).

    A fragment counts once in a selection set however often it is spread there, as execution runs it (graphql-core's
    ``collect_fields`` skips a fragment it has visited); a field written twice counts twice, so this is an upper
    bound. A fragment's fields are costed once per page size and remembered: a fragment that a document reaches
    2**20 ways is still counted once, not 2**20 times.
    """
    return selection_cost(schema, schema.query_type, operation.selection_set, Fragments(fragments), None)


def cost_of(schema: Any, document: str) -> int:
    """``query_cost`` of the first operation in ``document`` (GraphQL text), for exploring by hand."""
    parsed = parse(document)
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    return query_cost(schema, operation, fragments)


def selection_cost(schema, parent, selection_set: SelectionSetNode | None, fragments: Fragments, first) -> int:
    """Objects under one selection set (``first``: the page size of the connection it belongs to): the fields
    written in it, plus those of each fragment it reaches, once each."""
    reached = spread_fragments(selection_set, fragments.definitions, set())
    return (fields_cost(schema, parent, selection_set, fragments, first)
            + sum(fragment_cost(schema, name, fragments, first) for name in reached))


def fields_cost(schema, parent, selection_set: SelectionSetNode | None, fragments: Fragments, first) -> int:
    """Objects under the fields written in ``selection_set`` and its inline fragments (not behind a spread)."""
    total = 0
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            total += field_cost(schema, parent, node, fragments, first)
        elif isinstance(node, InlineFragmentNode):
            on = schema.get_type(node.type_condition.name.value) if node.type_condition else parent
            total += fields_cost(schema, on or parent, node.selection_set, fragments, first)
    return total


def field_cost(schema, parent, node: FieldNode, fragments: Fragments, first) -> int:
    """1 per object the field returns (times the page size for a list), plus what each object holds."""
    field = getattr(parent, "fields", {}).get(node.name.value)
    if field is None or node.selection_set is None or node.name.value.startswith("__"):
        return 0  # a scalar, an unknown field (validation reports it) or introspection (limited by graphql-core)
    items = (first or DEFAULT_LIMIT) if is_list(field.type) else 1
    inner = selection_cost(schema, get_named_type(field.type), node.selection_set, fragments, page_size(node))
    return items * (1 + inner)


def spread_fragments(selection_set: SelectionSetNode | None, definitions, reached: set[str]) -> set[str]:
    """The known fragments a selection set spreads: directly, in its inline fragments, or in those fragments."""
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, InlineFragmentNode):
            spread_fragments(node.selection_set, definitions, reached)
        elif isinstance(node, FragmentSpreadNode) and node.name.value in definitions and node.name.value not in reached:
            reached.add(node.name.value)
            spread_fragments(definitions[node.name.value].selection_set, definitions, reached)
    return reached


def fragment_cost(schema, name: str, fragments: Fragments, first) -> int:
    """Objects under the fields fragment ``name`` writes itself: counted once per page size, then remembered."""
    key = (name, first)
    if key not in fragments.costs:
        fragments.costs[key] = 0  # while it is counted, a spread of itself adds nothing (validation refuses cycles)
        fragment = fragments.definitions[name]
        on = schema.get_type(fragment.type_condition.name.value)  # None: an unknown type, 0 (validation reports it)
        fragments.costs[key] = fields_cost(schema, on, fragment.selection_set, fragments, first)
    return fragments.costs[key]


def is_list(type_: Any) -> bool:
    return isinstance(type_.of_type if isinstance(type_, GraphQLNonNull) else type_, GraphQLList)


def page_size(node: FieldNode) -> int | None:
    """The field's ``first`` argument: its value if written in the query (kept in 1..MAX_LIMIT, so a negative
    page cannot offset a huge one), MAX_LIMIT if a variable, else None."""
    for argument in node.arguments or ():
        if argument.name.value == "first":
            written = int(argument.value.value) if isinstance(argument.value, IntValueNode) else MAX_LIMIT
            return max(1, min(written, MAX_LIMIT))
    return None


def capped(count: int) -> int:
    """``count`` as a JSON number: at most MAX_EXACT, beyond which many parsers round it."""
    return min(count, MAX_EXACT)


def in_words(count: int) -> str:
    """``count`` for a message, saying "more than" where ``capped`` cuts it."""
    return str(count) if count <= MAX_EXACT else f"more than {MAX_EXACT}"


class CostLimit(ValidationRule):
    """Refuses an operation whose ``query_cost`` is over MAX_COST, before anything runs."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        schema = self.context.schema
        if schema.query_type is None or node.operation.value != "query":
            return
        fragments = {d.name.value: d for d in self.context.document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        cost = query_cost(schema, node, fragments)
        if cost > MAX_COST:
            self.report_error(GraphQLError(
                f"This query could return {in_words(cost)} objects; the limit is {MAX_COST}. "
                "Ask for smaller pages (first).",
                node, extensions={"code": "QUERY_TOO_COSTLY", "cost": capped(cost), "limit": MAX_COST}))


def expanded_size(document: DocumentNode) -> int:
    """Selections in ``document``'s operations once every fragment spread is replaced by the fragment's selections.

    That is the work of a walk that follows each spread afresh, as strawberry's QueryDepthLimiter does: a fragment
    that spreads the next one twice, 30 deep, makes 2**30. Each fragment's size is counted once and remembered,
    so this takes time linear in the document. It needs known fragments and no cycles (``fragment_errors``).
    """
    definitions = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    sizes: dict[str, int] = {}
    return sum(selections_size(d.selection_set, definitions, sizes) for d in document.definitions
               if isinstance(d, OperationDefinitionNode))


def selections_size(selection_set: SelectionSetNode | None, definitions, sizes: dict[str, int]) -> int:
    """Selections under ``selection_set``, each fragment spread counting its fragment's selections too."""
    total = 0
    for node in selection_set.selections if selection_set else ():
        total += 1
        if isinstance(node, FragmentSpreadNode):
            total += fragment_size(node.name.value, definitions, sizes)
        else:
            total += selections_size(node.selection_set, definitions, sizes)
    return total


def fragment_size(name: str, definitions, sizes: dict[str, int]) -> int:
    """Selections in fragment ``name``, its own spreads written out: counted once, then remembered."""
    if name not in sizes:
        sizes[name] = selections_size(definitions[name].selection_set, definitions, sizes)
    return sizes[name]


def fragment_errors(schema: Any, document: DocumentNode) -> list[GraphQLError]:
    """Why ``document``'s fragments cannot be followed safely ([] if they can): graphql-core's own error for an
    unknown or a cyclic fragment, else ours when writing the fragments out would make it over MAX_SELECTIONS."""
    errors = validate(schema, document, [KnownFragmentNamesRule, NoFragmentCyclesRule])
    if errors:
        return errors
    size = expanded_size(document)
    if size <= MAX_SELECTIONS:
        return []
    return [GraphQLError(
        f"With each fragment spread replaced by its fragment, this document holds {in_words(size)} selections; "
        f"the limit is {MAX_SELECTIONS}. Spread fewer fragments.",
        extensions={"code": "QUERY_TOO_LARGE", "selections": capped(size), "limit": MAX_SELECTIONS})]


class FragmentLimit(SchemaExtension):
    """Runs ``fragment_errors`` before validation: strawberry's depth limiter, a validation rule, expands every
    fragment spread afresh, so it must never see a document that ``expanded_size`` says is too large."""

    def on_validate(self):
        context = self.execution_context
        if context.pre_execution_errors is None:  # strawberry validates only while this is None
            context.pre_execution_errors = fragment_errors(context.schema._schema, context.graphql_document) or None
        yield


class OneOperation(SchemaExtension):
    """Several operations and no ``operationName`` is a request error (GraphQL spec, GetOperation()).

    strawberry runs the first one (its ``operation_name`` falls back to the first operation's name, so the
    name the client sent is read from where strawberry keeps it); errors set before validation stop the request.
    """

    def on_validate(self):
        context = self.execution_context
        operations = [d for d in context.graphql_document.definitions if isinstance(d, OperationDefinitionNode)]
        if context._provided_operation_name is None and len(operations) > 1:
            context.pre_execution_errors = [GraphQLError(
                "The document holds several operations: name the one to run in 'operationName'.",
                extensions={"code": "GRAPHQL_VALIDATION_FAILED"})]
        yield


# Factories, so each request gets fresh extension objects (strawberry's advice since instances are shared).
LIMITS = [lambda: MaxTokensLimiter(MAX_TOKENS), OneOperation, FragmentLimit,
          lambda: QueryDepthLimiter(max_depth=MAX_DEPTH), lambda: AddValidationRules([CostLimit])]
