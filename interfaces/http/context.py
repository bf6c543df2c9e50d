"""Per-request context: the correlation id and the authenticated account, and the role guards."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from typing import Any
from uuid import uuid4

import anyio.to_thread
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from application.accounts import Principal
from application.errors import Unauthenticated
from application.system import CivicLedger
from domain.account import Role
from domain.events import Cause
from interfaces.http.sessions import session_cookie_from

CORRELATION_HEADER = "x-correlation-id"
AUTH_ERROR = "authentication_error"
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestContext(ASGIMiddleware):
    """Give each request a correlation id (the client's, if well formed) and its account, if any.

    A missing token leaves the request anonymous (guards refuse it where an account is needed);
    a token that matches no account is noted, and `refuse_bad_credentials` refuses the request.
    """

    def __init__(self, civic: CivicLedger) -> None:
        self._civic = civic

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Set `state.correlation_id` and `user`, and echo the correlation id in the response."""
        headers = MutableScopeHeaders(scope)
        given = headers.get(CORRELATION_HEADER)
        correlation_id = given if given and _CORRELATION_ID.match(given) else str(uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        scope["user"] = None

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":  # an Idempotency-Key may replace the id
                echoed = scope["state"]["correlation_id"]
                MutableScopeHeaders.from_message(message)[CORRELATION_HEADER] = echoed
            await send(message)

        authorization = headers.get("authorization")
        if authorization is not None:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                scope["state"][AUTH_ERROR] = "use 'Authorization: Bearer <token>'"
            else:
                try:
                    scope["user"] = await anyio.to_thread.run_sync(
                        self._civic.accounts.authenticate, token.strip()
                    )
                except Unauthenticated as exc:
                    scope["state"][AUTH_ERROR] = str(exc)
        else:
            session = session_cookie_from(headers.get("cookie") or "")
            if session is not None:  # a session that expired or ended leaves the page anonymous
                with suppress(Unauthenticated):
                    scope["user"] = await anyio.to_thread.run_sync(
                        self._civic.accounts.authenticate, session
                    )
        await next_app(scope, receive, send_with_id)


def refuse_bad_credentials(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """An app-wide guard: a token that was sent but is not valid is refused, on every route.

    A guard rather than a raise in the middleware, so that the refusal goes through the
    exception handlers inside the middleware and carries the correlation id like any response.
    """
    error = connection.scope.get("state", {}).get(AUTH_ERROR)
    if error is not None:
        raise NotAuthorizedException(error, headers={"WWW-Authenticate": "Bearer"})


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def requires(*roles: Role) -> Guard:
    """A guard admitting accounts with one of `roles`: 401 without a token, 403 without a role."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = connection.scope.get("user")
        if principal is None:
            raise NotAuthorizedException(
                "this action needs an account: send 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        assert isinstance(principal, Principal)
        if not allowed & principal.roles:
            names = ", ".join(sorted(allowed))
            raise PermissionDeniedException(f"this action needs one of the roles: {names}")

    return guard


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The authenticated account (the route's guard has already required one)."""
    principal = connection.scope.get("user")
    assert isinstance(principal, Principal)
    return principal


def anonymous_cause(
    connection: ASGIConnection[Any, Any, Any, Any], actor: str, reason: str | None = None
) -> Cause:
    """The event envelope for a request made before signing in: a `system:` actor acts."""
    return Cause(
        actor=actor, correlation_id=connection.scope["state"]["correlation_id"], reason=reason
    )


def cause_of(connection: ASGIConnection[Any, Any, Any, Any], reason: str | None = None) -> Cause:
    """The event envelope for a command sent by this request."""
    return Cause(
        actor=principal_of(connection).actor,
        correlation_id=connection.scope["state"]["correlation_id"],
        reason=reason,
    )
