"""Exporting a channel's history as a long-running operation (``apidesign.operations``).

``POST /v1/channels/{id}/exports`` answers ``202 Accepted`` at once, with ``Location:
/v1/operations/{operationId}``; ``GET /v1/operations/{operationId}`` answers
``{"data": {"operationId", "done", "result" | "error"}}``, with ``Retry-After`` while it runs: the
seconds the work is still expected to take, so a client that obeys it polls about once.
Only a channel's members may export it; only whoever started an operation may read it
(anyone else gets the same 404 as for an operation that does not exist).

A poll does the polled operation's work if it is due, and nobody else's; callbacks are sent by the
runner's worker only, never inside a request. A user may have ``OPERATIONS_MAX_RUNNING`` exports
running at once: the next is ``429 TOO_MANY_OPERATIONS`` with ``Retry-After``, the seconds until
the first is done (429, not 409: RFC 6585 section 4 makes 429 the "too many requests" answer, waiting
is what fixes it, and Retry-After says how long; a 409 says the request conflicts with the resource's
state, which only a different request fixes). Once due, an operation is kept ``OPERATION_RETENTION``
seconds, and only your newest ``OPERATIONS_KEPT``; then polling it is a 404 (AIP-151 lets a service
delete old operations; ``operations`` explains the bounds).

Config: ``EXPORT_DURATION`` (simulated seconds of work, on the app's clock), ``OPERATIONS_WORKER``
(``"inline"``: an export's work runs when its owner polls it, and no callback is sent unless someone
calls ``runner.step()``, as the notebooks' worker ticks do; ``"thread"``: a background thread steps
while ``serve()`` runs the app, so callbacks arrive without a poll), ``OPERATION_RETRY_AFTER_MAX``,
``OPERATIONS_MAX_RUNNING``, ``OPERATION_RETENTION``, ``OPERATIONS_KEPT`` and ``CALLBACK_HOSTS``.
Callbacks are not signed (``operations.post_json``): unlike the webhooks, they go only to the allowed
hosts, and a receiver should treat one as a hint to poll, not as the result.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable, Mapping

from flask import Blueprint, current_app

from ..envelope import success
from ..errors import NotFound
from ..operations import Operation, OperationFailed, OperationRunner
from . import conditional
from .auth import current_principal, current_user, require_scope
from .channels import require_member
from .messages import message_json
from .repository import Repository
from .services import Services, services
from .validation import PORT, Fields, json_object

bp = Blueprint("exports", __name__)

SCOPE = "messages:read"  # an export reads the whole history, so it needs what reading it needs
EXPORT_MAX = 100_000  # messages in one export; a bigger channel's export ends with EXPORT_TOO_LARGE
CALLBACK_HOSTS = ("127.0.0.1", "localhost")  # the default: this machine, where the course's receivers run


def install(config: Mapping[str, Any], svc: Services) -> OperationRunner:
    """The app's operation runner, on its monotonic clock; if ``OPERATIONS_WORKER`` is ``"thread"``, serve()
    starts its thread and the server's stop() ends it."""
    runner = OperationRunner(svc.clock, export_history(svc.repo), duration=config["EXPORT_DURATION"],
                             max_running=config["OPERATIONS_MAX_RUNNING"], retention=config["OPERATION_RETENTION"],
                             max_kept=config["OPERATIONS_KEPT"])
    svc.extras["operations"] = runner
    if config["OPERATIONS_WORKER"] == "thread":
        svc.extras.setdefault("background", []).append(runner)
    return runner


def export_history(repo: Repository):
    """The work of an export: the channel's messages, oldest first, if the owner may still read them."""
    def work(op: Operation) -> dict:
        if not repo.is_member(op.target, op.owner):  # membership is checked again: it may have ended meanwhile
            raise OperationFailed("FORBIDDEN", f"You are no longer a member of channel '{op.target}'.")
        rows = repo.messages(op.target)
        if len(rows) > EXPORT_MAX:
            raise OperationFailed("EXPORT_TOO_LARGE", f"The channel has over {EXPORT_MAX} messages to export.")
        return {"channelId": op.target, "messageCount": len(rows), "messages": [message_json(r) for r in rows]}
    return work


def runner() -> OperationRunner:
    return services().extras["operations"]


def reader() -> str:
    """The calling user, holding the scope an export needs."""
    user = current_user()
    require_scope(current_principal(), SCOPE)
    return user


def callback_pattern(hosts: Iterable[str]) -> str:
    """The callback URLs accepted: http(s) to one of ``hosts``, an optional port (1 to 65535), printable ASCII after.

    An allow-list, so the server cannot be aimed at internal services (SSRF). The contract
    publishes this very pattern for the default hosts, so the two cannot disagree.
    """
    names = "|".join(re.escape(h) for h in hosts)
    # The lookahead refuses any space or control character anywhere, a final newline too
    # (which "$" alone lets through in Python's regexes, and so in a JSON Schema validator).
    return rf"^(?![\s\S]*[\x00-\x20\x7f])https?://({names})(:{PORT})?(/[\x21-\x7e]*)?$"


def callback_url(body: dict) -> str | None:
    """The optional ``callbackUrl`` from the body, if it matches ``callback_pattern``; else a 400."""
    fields = Fields(body, allowed=("callbackUrl",))
    url = fields.string("callbackUrl", required=False, max_len=2000)
    hosts = current_app.config["CALLBACK_HOSTS"]
    if url is not None and not re.search(callback_pattern(hosts), url):  # as a JSON Schema validator applies it
        fields.problem("callbackUrl", "callback_not_allowed", allowedHosts=list(hosts))
    fields.done()
    return url


def retry_after(op: Operation) -> dict[str, str]:
    """``Retry-After``: the whole seconds ``op`` is still expected to take, at least 1, at most the configured cap."""
    left = math.ceil(op.due_at - runner().clock.now())
    return {"Retry-After": str(min(max(left, 1), current_app.config["OPERATION_RETRY_AFTER_MAX"]))}


@bp.post("/v1/channels/<channel_id>/exports")
def start_export(channel_id: str):
    user = reader()
    require_member(channel_id, user)
    conditional.check_preconditions(conditional.NO_REPRESENTATION)  # before the body (RFC 9110 section 13.2.1)
    callback = callback_url(json_object())
    op = runner().submit(services().ids.new("op"), user, channel_id, callback)
    return success(op.json()), 202, {"Location": f"/v1/operations/{op.operation_id}", **retry_after(op)}


@bp.get("/v1/operations/<operation_id>")
def get_operation(operation_id: str):
    user = reader()
    op = runner().get(operation_id)
    if op is None or op.owner != user:  # someone else's operation, or one forgotten: as if it did not exist
        raise NotFound(f"Operation '{operation_id}' does not exist.")
    op = runner().finish_if_due(op)  # its own work, if due by now; never anyone else's, and no callbacks here
    return conditional.represent(success(op.json()), headers={} if op.done else retry_after(op))
