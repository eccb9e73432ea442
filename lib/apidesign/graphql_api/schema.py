"""The chat data as a GraphQL schema: ``me`` -> channels -> messages -> sender, paged with ``first``/``after``.

Connections follow the Relay Cursor Connections Specification (``edges { cursor node }``,
``pageInfo { hasNextPage endCursor }``), with GitHub's ``nodes`` shortcut. Cursors are the REST
API's own signed cursors (``apidesign.pagination``), so a cursor from one works in the other.

Who may see what is the REST API's rule: a channel only to its members, a user's channel list
only to that user. A refused field is ``null`` plus an error whose ``extensions.code`` is the
REST error code (``FORBIDDEN``, ``NOT_FOUND``, ``INVALID_INPUT``, ``INSUFFICIENT_SCOPE``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Optional

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from ..errors import ApiError, Forbidden, InvalidInput, NotFound
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT, NEWEST, OLDEST, CursorCodec, InvalidCursor, position_of
from ..server.db import Database, iso8601
from ..server.repository import Repository
from .fetchers import BatchedFetch, NaiveFetch, PageRequest
from .limits import LIMITS, cost_of


@dataclass
class Context:
    """What every resolver is handed: who is asking, with which scopes, and how to fetch."""

    viewer: str
    scopes: frozenset[str]
    repo: Repository
    fetch: NaiveFetch | BatchedFetch
    cursors: CursorCodec


def require_scope(ctx: Context, scope: str) -> None:
    if scope not in ctx.scopes:
        raise Forbidden(f"This needs the '{scope}' scope.", code="INSUFFICIENT_SCOPE")


def page_size(first: int) -> int:
    """``first`` if it is 1..MAX_LIMIT (GitHub's rule: an error, not a silent clamp, so costs stay honest)."""
    if not 1 <= first <= MAX_LIMIT:
        raise InvalidInput(f"'first' must be between 1 and {MAX_LIMIT}.")
    return first


def decode_after(ctx: Context, after: str | None, collection: str, order: str):
    """The position inside cursor ``after`` (None: from the start); a bad cursor is ``INVALID_CURSOR``."""
    if not after:
        return None
    try:
        return ctx.cursors.decode(after, collection, order)[1]
    except InvalidCursor as exc:
        raise InvalidInput(str(exc), code="INVALID_CURSOR") from None


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: Optional[str]


@strawberry.type
class User:
    id: strawberry.ID
    name: str

    @strawberry.field(description="The user's channels, oldest first; only the viewer's own.")
    def channels(self, info: Info, first: int = DEFAULT_LIMIT,
                 after: Optional[str] = None) -> Optional[ChannelConnection]:
        ctx: Context = info.context
        require_scope(ctx, "channels:read")
        if self.id != ctx.viewer:
            raise Forbidden("You can only list your own channels.")
        collection = f"channels-of:{self.id}"
        start = decode_after(ctx, after, collection, OLDEST)
        rows = ctx.repo.channels_for_user(self.id, start and (start.created_at, start.id), page_size(first) + 1)
        more, rows = len(rows) > first, rows[:first]
        edges = [ChannelEdge(cursor=ctx.cursors.encode(collection, OLDEST, position_of(r)), node=Channel.of(r))
                 for r in rows]
        return ChannelConnection(edges=edges, page_info=PageInfo(has_next_page=more,
                                                                 end_cursor=edges[-1].cursor if edges else None))


@strawberry.type
class Message:
    id: strawberry.ID
    content: str
    type: str
    created_at: str
    sender_id: strawberry.Private[str]

    @staticmethod
    def of(row: Any) -> Message:
        return Message(id=row["id"], content=row["content"], type=row["type"], created_at=iso8601(row["created_at"]),
                       sender_id=row["sender_id"])

    @strawberry.field
    async def sender(self, info: Info) -> User:
        row = await info.context.fetch.user(self.sender_id)
        return User(id=row["id"], name=row["name"])


@strawberry.type
class MessageEdge:
    cursor: str
    node: Message


@strawberry.type
class MessageConnection:
    edges: list[MessageEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Message]:
        return [e.node for e in self.edges]


@strawberry.type
class Channel:
    id: strawberry.ID
    name: str
    topic: str
    created_at: str
    created_by: strawberry.Private[str]

    @staticmethod
    def of(row: Any) -> Channel:
        return Channel(id=row["id"], name=row["name"], topic=row["topic"], created_at=iso8601(row["created_at"]),
                       created_by=row["created_by"])

    @strawberry.field
    async def members(self, info: Info) -> list[User]:
        ids = await info.context.fetch.members(self.id)
        rows = await asyncio.gather(*(info.context.fetch.user(i) for i in ids))  # asked together: one batch
        return [User(id=r["id"], name=r["name"]) for r in rows]

    @strawberry.field(description="The channel's history, newest first.")
    async def messages(self, info: Info, first: int = DEFAULT_LIMIT,
                       after: Optional[str] = None) -> Optional[MessageConnection]:
        ctx: Context = info.context
        require_scope(ctx, "messages:read")
        request = PageRequest(self.id, page_size(first), decode_after(ctx, after, self.id, NEWEST))
        page = await ctx.fetch.messages(request)
        edges = [MessageEdge(cursor=ctx.cursors.encode(self.id, NEWEST, position_of(r)), node=Message.of(r))
                 for r in page.rows]
        return MessageConnection(edges=edges, page_info=PageInfo(has_next_page=page.has_more,
                                                                 end_cursor=page.next_cursor))


@strawberry.type
class ChannelEdge:
    cursor: str
    node: Channel


@strawberry.type
class ChannelConnection:
    edges: list[ChannelEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Channel]:
        return [e.node for e in self.edges]


@strawberry.type
class Query:
    @strawberry.field(description="The authenticated user.")
    def me(self, info: Info) -> Optional[User]:
        row = info.context.repo.user(info.context.viewer)
        return User(id=row["id"], name=row["name"])

    @strawberry.field(description="One channel, if you are a member.")
    def channel(self, info: Info, id: strawberry.ID) -> Optional[Channel]:
        ctx: Context = info.context
        require_scope(ctx, "channels:read")
        row = ctx.repo.channel(id)
        if row is None:
            raise NotFound(f"Channel '{id}' does not exist.")
        if not ctx.repo.is_member(id, ctx.viewer):
            raise Forbidden(f"You are not a member of channel '{id}'.")
        return Channel.of(row)


def is_bug(error: GraphQLError) -> bool:
    """Whether ``error`` is our code failing, not the request: a refusal (an ``ApiError``) is the client's business,
    and so is whatever graphql-core refuses (a ``GraphQLError``, which may wrap the one a scalar raised for a
    variable of the wrong type)."""
    return error.original_error is not None and not isinstance(error.original_error, (ApiError, GraphQLError))


class ChatSchema(strawberry.Schema):
    """The schema, logging only the errors that are bugs (``is_bug``)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        unexpected = [e for e in errors if is_bug(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


SCHEMA = ChatSchema(query=Query, extensions=LIMITS)


def context_for(db: Database, viewer: str, scopes, cursors: CursorCodec, batched: bool = True) -> Context:
    """A resolver context for ``viewer``: batched fetching (DataLoaders) unless ``batched=False``."""
    fetch = (BatchedFetch if batched else NaiveFetch)(db, cursors)
    return Context(viewer, frozenset(scopes), Repository(db), fetch, cursors)


def cost(document: str) -> int:
    """What ``document`` costs against this schema's limit (``limits.query_cost``): objects it may return."""
    return cost_of(SCHEMA._schema, document)  # strawberry keeps graphql-core's schema object here
