"""Every error leaves as an RFC 9457 problem document; this is the one place statuses are chosen."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from eventsourcing.persistence import IntegrityError
from eventsourcing.persistence import OperationalError as StoreUnavailable
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_412_PRECONDITION_FAILED,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import Receive, Scope, Send
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from application.errors import (
    AlreadyApplied,
    KeyReused,
    NotFound,
    PreconditionFailed,
    RequestInProgress,
    Unauthenticated,
)
from domain.errors import DomainError, IllegalTransition, InvalidCommand, NotEntitled

PROBLEM_BASE = "https://civic-ledger.org/problems/"
RETRY_AFTER_SECONDS = 1  # a restarting database is back within seconds; the pool reconnects
log = logging.getLogger("civic.http")


def _problem(status: int, slug: str, title: str) -> Callable[[Exception], ProblemDetailsException]:
    def convert(exc: Exception) -> ProblemDetailsException:
        return ProblemDetailsException(
            status_code=status,
            type_=PROBLEM_BASE + slug,
            title=title,
            detail=str(exc),
            extra={"error": type(exc).__name__},
            headers={"WWW-Authenticate": "Bearer"} if status == HTTP_401_UNAUTHORIZED else None,
        )

    return convert


def already_applied(exc: Exception) -> ProblemDetailsException:
    """A repeated request whose first attempt was recorded but whose response was lost: 409,
    naming the correlation id and where the audit trail shows what it recorded."""
    assert isinstance(exc, AlreadyApplied)
    return ProblemDetailsException(
        status_code=HTTP_409_CONFLICT,
        type_=PROBLEM_BASE + "already-applied",
        title="Already applied",
        detail=str(exc),
        extra={
            "error": type(exc).__name__,
            "correlation_id": exc.correlation_id,
            "audit": f"/audit/correlations/{exc.correlation_id}",
        },
    )


def database_unavailable(exc: Exception) -> ProblemDetailsException:
    """The database cannot be reached or refused to work (down, restarting, connection lost, pool
    exhausted, busy): 503 with `Retry-After`, not a 500, since the same request may succeed soon.

    A write whose connection was lost during its commit may have been recorded nonetheless; a
    retry is safe because signatures and ballots are keyed by signer and elector (refused as a
    duplicate, or replaced by the same paper). What went wrong is logged, never sent.
    """
    summary = next(iter(str(exc).splitlines()), "")  # the driver's message, not the statement
    log.warning("database unavailable (%s): %s", type(exc).__name__, summary)
    return ProblemDetailsException(
        status_code=HTTP_503_SERVICE_UNAVAILABLE,
        type_=PROBLEM_BASE + "database-unavailable",
        title="Service unavailable",
        detail="the database is unavailable, try again",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


EXCEPTION_MAP: dict[type[Exception], Callable[[Exception], ProblemDetailsException]] = {
    DomainError: _problem(HTTP_422_UNPROCESSABLE_ENTITY, "rule-violated", "A rule was violated"),
    InvalidCommand: _problem(HTTP_422_UNPROCESSABLE_ENTITY, "invalid-command", "Invalid request"),
    IllegalTransition: _problem(HTTP_409_CONFLICT, "illegal-transition", "Not allowed now"),
    NotEntitled: _problem(HTTP_403_FORBIDDEN, "not-entitled", "Not entitled"),
    NotFound: _problem(HTTP_404_NOT_FOUND, "not-found", "Not found"),
    # Writers are serialised, so this is a write that raced another process's unique key
    # (e.g. two databases sharing a log by mistake): the caller may look again and retry.
    IntegrityError: _problem(HTTP_409_CONFLICT, "concurrent-change", "Changed meanwhile"),
    Unauthenticated: _problem(HTTP_401_UNAUTHORIZED, "unauthenticated", "Not authenticated"),
    # `If-Match` and `Idempotency-Key` (interfaces/http/preconditions.py, idempotency.py).
    PreconditionFailed: _problem(
        HTTP_412_PRECONDITION_FAILED, "precondition-failed", "Precondition failed"
    ),
    KeyReused: _problem(
        HTTP_422_UNPROCESSABLE_ENTITY, "idempotency-key-reused", "Idempotency key reused"
    ),
    RequestInProgress: _problem(HTTP_409_CONFLICT, "request-in-progress", "Still in progress"),
    AlreadyApplied: already_applied,
    # The driver's connection errors, as SQLAlchemy raises them or as the event store's
    # transaction re-raises them; and the pool's own (timed out, or a disconnect it detected).
    OperationalError: database_unavailable,
    StoreUnavailable: database_unavailable,
    PoolTimeout: database_unavailable,
    DisconnectionError: database_unavailable,
}


def http_problem(exc: HTTPException) -> ProblemDetailsException:
    """Litestar's own errors (validation, routing, guards): the status phrase as the title and
    the specific message as the detail, keeping the per-field `extra` of validation errors."""
    status = exc.status_code
    return ProblemDetailsException(
        status_code=status,
        title=HTTPStatus(status).phrase,
        detail=exc.detail,
        extra={"errors": exc.extra} if isinstance(exc.extra, list) else exc.extra,
        headers=exc.headers,
    )


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A bug, not bad input: log it with the request's correlation id, reveal nothing."""
    correlation_id = request.scope.get("state", {}).get("correlation_id")
    log.exception("unhandled error (correlation id %s)", correlation_id, exc_info=exc)
    return ProblemDetailsException(
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        type_=PROBLEM_BASE + "internal-error",
        title="Internal error",
        detail=f"an unexpected error occurred; quote correlation id {correlation_id}",
    ).to_response(request)


async def send_problem(exc: Exception, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer from a middleware as a handler's error is answered (the problem `EXCEPTION_MAP`
    gives, else a 500), through `send`, so the outer middleware still see the response."""
    request: Request[Any, Any, Any] = Request(scope)
    response = next(
        (
            convert(exc).to_response(request)
            for kind in type(exc).__mro__
            if (convert := EXCEPTION_MAP.get(kind)) is not None
        ),
        None,
    )
    if response is None:
        response = (
            http_problem(exc).to_response(request)
            if isinstance(exc, HTTPException)
            else internal_error(request, exc)
        )
    await response.to_asgi_response(app=None, request=request)(scope, receive, send)


def problem_details_plugin() -> ProblemDetailsPlugin:
    """Litestar's own RFC 9457 plugin, with the domain and application errors mapped."""
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={**EXCEPTION_MAP, HTTPException: http_problem},
        )
    )
