"""Every error leaves as an RFC 9457 problem document; this is the one place statuses are chosen."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from eventsourcing.persistence import IntegrityError
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
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from application.errors import NotFound, Unauthenticated
from domain.errors import DomainError, IllegalTransition, InvalidCommand, NotEntitled

PROBLEM_BASE = "https://civic-ledger.org/problems/"
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


def problem_details_plugin() -> ProblemDetailsPlugin:
    """Litestar's own RFC 9457 plugin, with the domain and application errors mapped."""
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={**EXCEPTION_MAP, HTTPException: http_problem},
        )
    )
