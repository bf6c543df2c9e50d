"""Organisation routes, the actors' directory: admins and committee accounts register
organisations; the account that registered one (or an admin) keeps its entries and records its
partnerships; anyone searches and reads the directory."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import anyio.to_thread
import msgspec
from litestar import Controller, get, post, put
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from application.system import CivicLedger
from domain.account import Role
from interfaces.http.context import cause_of, principal_of, requires
from interfaces.http.openapi import PUBLIC, problems
from interfaces.http.organisation_schemas import (
    CoreBusinessIn,
    EntryChange,
    EntryIn,
    EntryRemoval,
    OrganisationList,
    OrganisationOut,
    OrganisationSummary,
    PartnershipEnd,
    PartnershipIn,
    PartnershipList,
    PartnershipOut,
    RegisterOrganisation,
)
from interfaces.http.params import AnyRequest, AsOf, Cursor, Limit, Version
from interfaces.http.schemas import AuditEntry, AuditList

REGISTRARS = requires(Role.ADMIN, Role.COMMITTEE)
KEEPER_SCOPE = "only the account that registered the organisation, or an admin, keeps its entries"


async def keeps_it(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The account that registered the organisation keeps it; an admin, any (an unknown
    organisation goes on to its 404)."""
    principal = principal_of(connection)
    if Role.ADMIN in principal.roles:
        return
    civic: CivicLedger = connection.app.state["civic"]
    keeper = await anyio.to_thread.run_sync(
        civic.organisations.keeper_of, connection.path_params["organisation_id"]
    )
    if keeper is not None and keeper != principal.actor:
        raise PermissionDeniedException(KEEPER_SCOPE)


def _organisation(
    civic: CivicLedger,
    organisation_id: UUID,
    version: int | None = None,
    as_of: datetime | None = None,
) -> OrganisationOut:
    view = civic.organisations.as_of(organisation_id, version=version, instant=as_of)
    return msgspec.convert(view, OrganisationOut)


def _partnerships(civic: CivicLedger, organisation_id: UUID) -> PartnershipList:
    rows = civic.organisations.partnerships(organisation_id)
    return PartnershipList(items=msgspec.convert(rows, list[PartnershipOut]))


class OrganisationController(Controller):
    """`/organisations`: the directory of a territory's actors, their entries and partnerships."""

    path = "/organisations"
    tags = ["organisations"]  # noqa: RUF012  # Litestar reads this class attribute

    # -- registrars and keepers ------------------------------------------------------------------

    @post(
        "/",
        guards=[REGISTRARS],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 413, 422),
    )
    def register(
        self,
        request: AnyRequest,
        data: JSONBody[RegisterOrganisation],
        civic: NamedDependency[CivicLedger],
    ) -> OrganisationOut:
        """Register an organisation in a territory; the caller keeps its entries."""
        organisation_id = civic.organisations.register(
            name=data.name,
            kind=data.kind,
            territory_id=data.territory_id,
            core_business=data.core_business,
            cause=cause_of(request),
        )
        return _organisation(civic, organisation_id)

    @put(
        "/{organisation_id:uuid}/core-business",
        guards=[REGISTRARS, keeps_it],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 413, 422),
    )
    def describe(
        self,
        request: AnyRequest,
        organisation_id: FromPath[UUID],
        data: JSONBody[CoreBusinessIn],
        civic: NamedDependency[CivicLedger],
    ) -> OrganisationOut:
        """Describe its core business anew."""
        civic.organisations.describe(
            organisation_id, core_business=data.core_business, cause=cause_of(request)
        )
        return _organisation(civic, organisation_id)

    @post(
        "/{organisation_id:uuid}/entries",
        guards=[REGISTRARS, keeps_it],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def add_entry(
        self,
        request: AnyRequest,
        organisation_id: FromPath[UUID],
        data: JSONBody[EntryIn],
        civic: NamedDependency[CivicLedger],
    ) -> OrganisationOut:
        """Add a tagged entry (know-how, equipment, topic, problem)."""
        civic.organisations.add_entry(
            organisation_id,
            section=data.section,
            text=data.text,
            tags=data.tags,
            cause=cause_of(request),
        )
        return _organisation(civic, organisation_id)

    @put(
        "/{organisation_id:uuid}/entries/{number:int}",
        guards=[REGISTRARS, keeps_it],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 413, 422),
    )
    def change_entry(
        self,
        request: AnyRequest,
        organisation_id: FromPath[UUID],
        number: FromPath[int],
        data: JSONBody[EntryChange],
        civic: NamedDependency[CivicLedger],
    ) -> OrganisationOut:
        """Change an entry's text and tags (422 for an unknown number or no change)."""
        civic.organisations.change_entry(
            organisation_id, number, text=data.text, tags=data.tags, cause=cause_of(request)
        )
        return _organisation(civic, organisation_id)

    @post(
        "/{organisation_id:uuid}/entries/{number:int}/removal",
        guards=[REGISTRARS, keeps_it],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 413, 422),
    )
    def remove_entry(
        self,
        request: AnyRequest,
        organisation_id: FromPath[UUID],
        number: FromPath[int],
        data: JSONBody[EntryRemoval],
        civic: NamedDependency[CivicLedger],
    ) -> OrganisationOut:
        """Remove an entry, with the reason (it stays in the history)."""
        civic.organisations.remove_entry(
            organisation_id, number, cause=cause_of(request, data.reason)
        )
        return _organisation(civic, organisation_id)

    @post(
        "/{organisation_id:uuid}/partnerships",
        guards=[REGISTRARS, keeps_it],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 413, 422),
    )
    def record_partnership(
        self,
        request: AnyRequest,
        organisation_id: FromPath[UUID],
        data: JSONBody[PartnershipIn],
        civic: NamedDependency[CivicLedger],
    ) -> PartnershipOut:
        """Record a partnership of this organisation with others, linked to a charter or a
        committee if named (422 if they do not exist)."""
        partnership_id = civic.organisations.record_partnership(
            organisation_id,
            partners=data.partners,
            name=data.name,
            objectives=data.objectives,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            charter_id=data.charter_id,
            committee_id=data.committee_id,
            cause=cause_of(request),
        )
        rows = civic.organisations.partnerships(organisation_id)
        return msgspec.convert(next(r for r in rows if r["id"] == partnership_id), PartnershipOut)

    @post(
        "/{organisation_id:uuid}/partnerships/{partnership_id:uuid}/end",
        guards=[REGISTRARS, keeps_it],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def end_partnership(
        self,
        request: AnyRequest,
        organisation_id: FromPath[UUID],
        partnership_id: FromPath[UUID],
        data: JSONBody[PartnershipEnd],
        civic: NamedDependency[CivicLedger],
    ) -> PartnershipList:
        """End a partnership of this organisation on a day, with the reason."""
        civic.organisations.end_partnership(
            organisation_id, partnership_id, on=data.on, cause=cause_of(request, data.reason)
        )
        return _partnerships(civic, organisation_id)

    # -- anyone ----------------------------------------------------------------------------------

    @get("/", sync_to_thread=True, security=PUBLIC, responses=problems(404, 422))
    def search(  # each filter is a query parameter
        self,
        *,
        civic: NamedDependency[CivicLedger],
        topic: FromQuery[str | None] = None,
        know_how: FromQuery[str | None] = None,
        problem: FromQuery[str | None] = None,
        territory: FromQuery[UUID | None] = None,
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 50,
    ) -> OrganisationList:
        """Organisations in the order registered with an entry tagged `topic`, `know_how`,
        `problem` (each given), in `territory` or its members (404 for an unknown one)."""
        page = civic.organisations.search(
            topic=topic,
            know_how=know_how,
            problem=problem,
            territory=territory,
            after=after,
            limit=limit,
        )
        items = msgspec.convert(page.items, list[OrganisationSummary])
        return OrganisationList(items=items, next=page.next)

    @get(
        "/{organisation_id:uuid}",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404, 422),
    )
    def read(
        self,
        organisation_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        version: FromQuery[Version] = None,
        as_of: FromQuery[AsOf] = None,
    ) -> OrganisationOut:
        """An organisation, its entries standing (who added or changed them, when) and its
        partnerships; or, given a `version` or an `as_of` instant (not both), as they stood
        then."""
        return _organisation(civic, organisation_id, version, as_of)

    @get(
        "/{organisation_id:uuid}/history",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def history(
        self,
        organisation_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> AuditList:
        """The organisation's events, oldest first: each entry added, changed or removed, by
        whom and when (its partnerships have their own)."""
        civic.organisations.get(organisation_id)
        page = civic.audit.events(aggregate_id=organisation_id, after=after, limit=limit)
        return AuditList(items=[AuditEntry(**r) for r in page.items], next=page.next)

    @get(
        "/{organisation_id:uuid}/partnerships",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404, 422),
    )
    def partnerships(
        self,
        organisation_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        version: FromQuery[Version] = None,
        as_of: FromQuery[AsOf] = None,
    ) -> PartnershipList:
        """The organisation's partnerships, in the order recorded; or, given a `version` of the
        organisation or an `as_of` instant (not both), those recorded by then, as they stood."""
        if version is None and as_of is None:
            civic.organisations.get(organisation_id)
            return _partnerships(civic, organisation_id)
        view = civic.organisations.as_of(organisation_id, version=version, instant=as_of)
        return PartnershipList(items=msgspec.convert(view["partnerships"], list[PartnershipOut]))
