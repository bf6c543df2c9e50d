"""`Idempotency-Key` on changes: a request repeated with the same key gets the first response
(status, body, headers) and records nothing more.

Keys belong to the account of the bearer token; a request without an account is served as if it
had no key. The same key with another request (method, path, query or body) is refused (422), a
repetition while the first runs is told to wait (409). The request runs under the correlation id
claimed with the key, so that if its response is lost after its events were recorded, a
repetition is refused by the ledger (409, naming the correlation id) rather than applied twice.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Any, cast

import anyio.to_thread
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.openapi.spec import OpenAPIType, Operation, Parameter, Schema
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ASGIApp, HTTPScope, Message, Receive, ReceiveMessage, Scope, Send

from application.accounts import Principal
from application.errors import RequestInProgress
from application.idempotency import (
    MAX_KEY,
    Claim,
    ResponseCache,
    StoredResponse,
    fingerprint,
)
from application.preconditions import write_conditions
from application.system import CivicLedger
from interfaces.http.problems import send_problem

IDEMPOTENCY_HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What is repeated of a stored response: what describes it, not what describes one exchange
# (date, correlation id, rate limits); the length is recomputed.
KEPT_HEADERS = frozenset({"content-type", "content-language", "location", "etag", "link"})
log = logging.getLogger("civic.http")


def valid_key(key: str) -> bool:
    """1 to 255 printable ASCII characters."""
    return 1 <= len(key) <= MAX_KEY and key.isascii() and key.isprintable()


class Idempotency(ASGIMiddleware):
    """Answers a repeated keyed change from the stored response, or runs it and stores it."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, civic: CivicLedger) -> None:
        self._cache = ResponseCache(
            civic.ledger.engine,
            timedelta(seconds=civic.settings.idempotency_ttl_seconds),
            civic.clock,
        )

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Claim the key, or answer from what it holds; run the request; keep its response."""
        http = cast("HTTPScope", scope)  # `scopes` admits HTTP only
        key = MutableScopeHeaders(scope).get(IDEMPOTENCY_HEADER)
        principal = scope.get("user")
        if http["method"] not in CHANGES or key is None or not isinstance(principal, Principal):
            await next_app(scope, receive, send)
            return
        if not valid_key(key):
            detail = f"{IDEMPOTENCY_HEADER} must be 1 to {MAX_KEY} printable ASCII characters"
            await send_problem(ValidationException(detail), scope, receive, send)
            return
        handler = scope["route_handler"]
        limit = (
            handler.resolve_request_max_body_size()
            if isinstance(handler, HTTPRouteHandler)
            else None
        )
        received, whole = await _read_body(receive, limit or math.inf)
        if not whole:  # too large, or the client left: the app answers as without a key
            await next_app(scope, _replaying(received, receive), send)
            return
        body = b"".join(_body_of(m) for m in received)
        account = str(principal.id)
        print_ = fingerprint(http["method"], http["path"], http["query_string"], body)
        try:
            claimed = await anyio.to_thread.run_sync(self._cache.claim, account, key, print_)
        except Exception as exc:  # answered as a problem (409, 422, 503...)
            if isinstance(exc, RequestInProgress):  # the same request: the same id
                scope["state"]["correlation_id"] = exc.correlation_id
            await send_problem(exc, scope, receive, send)
            return
        if isinstance(claimed, StoredResponse):
            scope["state"]["correlation_id"] = claimed.correlation_id
            await _replay(claimed, send)
            return
        scope["state"]["correlation_id"] = claimed.correlation_id
        held = await self._run(claimed, scope, _replaying(received, receive), next_app)
        await self._keep(account, key, claimed, held)
        for message in held:
            await send(message)

    async def _run(
        self, claim: Claim, scope: Scope, receive: Receive, next_app: ASGIApp
    ) -> list[Message]:
        """Run the request, its first write refused if its correlation id already recorded."""
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        with write_conditions() as conditions:
            conditions.unrecorded = claim.correlation_id
            await next_app(scope, receive, hold)
        return held

    async def _keep(self, account: str, key: str, claim: Claim, held: list[Message]) -> None:
        """Store the response; after a 5xx, free the key for a repetition instead."""
        start: Any = next((m for m in held if m["type"] == "http.response.start"), None)
        status = HTTP_500_INTERNAL_SERVER_ERROR if start is None else int(start["status"])
        try:
            if status >= HTTP_500_INTERNAL_SERVER_ERROR or start is None:
                await anyio.to_thread.run_sync(self._cache.release, account, key, claim)
                return
            headers = [
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in start.get("headers", [])
                if name.decode("latin-1").lower() in KEPT_HEADERS
            ]
            body = b"".join(_body_of(m) for m in held if m["type"] == "http.response.body")
            stored = StoredResponse(status, headers, body)
            await anyio.to_thread.run_sync(self._cache.store, account, key, claim, stored)
        except Exception:  # the response goes out anyway; a repetition finds the events
            log.exception("keeping the response of idempotency key %r failed", key)


def _body_of(message: Any) -> bytes:
    """The body bytes a request or response message carries (none for other kinds)."""
    body: bytes = message.get("body", b"")
    return body


async def _read_body(receive: Receive, limit: float) -> tuple[list[ReceiveMessage], bool]:
    """The request's messages as received, and whether they hold its whole body within `limit`
    bytes (not if it is larger, or if the client left)."""
    received: list[ReceiveMessage] = []
    size = 0
    while True:
        message = await receive()
        received.append(message)
        if message["type"] != "http.request":
            return received, False
        size += len(message["body"])
        if size > limit:
            return received, False
        if not message.get("more_body", False):
            return received, True


def _replaying(received: list[ReceiveMessage], receive: Receive) -> Receive:
    """A `receive` that gives the messages already read, then waits on the client as before."""
    pending = list(received)

    async def replay() -> Any:
        return pending.pop(0) if pending else await receive()

    return replay


async def _replay(stored: StoredResponse, send: Send) -> None:
    """Send a stored response again, marked as a repetition."""
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in stored.headers]
    headers += [
        (b"content-length", str(len(stored.body)).encode()),
        (REPLAYED_HEADER.encode(), b"true"),
    ]
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})


def document_idempotency(operation: Operation, path: str, method: str) -> None:
    """Declare the optional `Idempotency-Key` header on a change, whatever its `path` (an
    `OperationHook` of `document_operations`)."""
    if method in CHANGES:
        operation.parameters = [*(operation.parameters or []), _KEY_PARAMETER]


_KEY_PARAMETER = Parameter(
    name="Idempotency-Key",
    param_in="header",
    required=False,
    schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=MAX_KEY),
    description=(
        "repeat the request with the same key to get the first response again, recorded once "
        "(kept 24 hours by default); per account; 422 if the key named another request, 409 "
        "while the first one runs"
    ),
)
