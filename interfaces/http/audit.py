"""The audit trail over HTTP, for auditors: every event with who, when, why and which request."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, Parameter

from application.system import CivicLedger
from domain.account import Role
from interfaces.http.context import requires
from interfaces.http.openapi import problems
from interfaces.http.params import AsOf, Cursor, Since, Until, Version
from interfaces.http.schemas import AggregateOut, AuditEntry, AuditList

Limit = Annotated[int, Parameter(ge=1, le=1000, description="page size")]
Short = Annotated[str | None, Parameter(max_length=128)]
CorrelationId = Annotated[str, Parameter(min_length=1, max_length=128)]


class AuditController(Controller):
    """`/audit/events`: the log as entries, filtered and paged by position; what one request
    caused; any aggregate as it was."""

    path = "/audit"
    tags = ["audit"]  # noqa: RUF012  # Litestar reads this class attribute
    guards = [requires(Role.AUDITOR, Role.ADMIN)]  # noqa: RUF012  # idem

    @get("/events", sync_to_thread=True, responses=problems(403, 422))
    def events(
        self,
        *,
        civic: NamedDependency[CivicLedger],
        actor: FromQuery[Short] = None,
        aggregate_id: FromQuery[UUID | None] = None,
        type: FromQuery[Short] = None,  # noqa: A002  # the query parameter's public name
        correlation_id: FromQuery[Short] = None,
        parent_id: FromQuery[UUID | None] = None,
        since: FromQuery[Since] = None,
        until: FromQuery[Until] = None,
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> AuditList:
        """Entries matching every given filter, oldest first."""
        page = civic.audit.events(
            actor=actor,
            aggregate_id=aggregate_id,
            event_type=type,
            correlation_id=correlation_id,
            parent_id=parent_id,
            since=since,
            until=until,
            after=after,
            limit=limit,
        )
        return AuditList(items=[AuditEntry(**r) for r in page.items], next=page.next)

    @get("/correlations/{correlation_id:str}", sync_to_thread=True, responses=problems(403, 404))
    def correlated(
        self,
        *,
        civic: NamedDependency[CivicLedger],
        correlation_id: FromPath[CorrelationId],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> AuditList:
        """Every entry one request caused (a signature and the threshold it reached), oldest
        first; 404 if it caused none."""
        page = civic.audit.correlated(correlation_id, after=after, limit=limit)
        return AuditList(items=[AuditEntry(**r) for r in page.items], next=page.next)

    @get("/aggregates/{aggregate_id:uuid}", sync_to_thread=True, responses=problems(403, 404, 422))
    def aggregate(
        self,
        *,
        civic: NamedDependency[CivicLedger],
        aggregate_id: FromPath[UUID],
        version: FromQuery[Version] = None,
        as_of: FromQuery[AsOf] = None,
    ) -> AggregateOut:
        """Any aggregate (petition, signature, account...) replayed to a `version` or to the
        last one recorded at `as_of` (not both; its current one with neither)."""
        return AggregateOut(**civic.audit.aggregate(aggregate_id, version=version, as_of=as_of))
