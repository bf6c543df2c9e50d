"""Territory routes: admins register territories, their members and competences (legal facts the
whole deployment relies on); anyone reads them as of a day, asks who holds a competence, and
reads the ecosystem of actors of a territory and its members."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from application.system import CivicLedger
from domain.account import Role
from domain.territory import TerritoryKind
from interfaces.http.context import cause_of, requires
from interfaces.http.openapi import PUBLIC, problems
from interfaces.http.params import AnyRequest, Cursor, Limit, Version
from interfaces.http.schemas import AuditEntry, AuditList
from interfaces.http.territory_schemas import (
    CompetenceIn,
    EcosystemOut,
    HolderCheck,
    MemberIn,
    RegisterTerritory,
    TerritoryList,
    TerritoryOut,
    TerritorySummary,
    TransferIn,
)

ADMINS = requires(Role.ADMIN)


def _territory(
    civic: CivicLedger, territory_id: UUID, as_of: date | None = None, version: int | None = None
) -> TerritoryOut:
    return TerritoryOut.from_view(civic.territories.get(territory_id, as_of=as_of, version=version))


class TerritoryController(Controller):
    """`/territories`: territories, their members and competences over time, and their actors."""

    path = "/territories"
    tags = ["territories"]  # noqa: RUF012  # Litestar reads this class attribute

    # -- admins ----------------------------------------------------------------------------------

    @post(
        "/",
        guards=[ADMINS],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 413, 422),
    )
    def register(
        self,
        request: AnyRequest,
        data: JSONBody[RegisterTerritory],
        civic: NamedDependency[CivicLedger],
    ) -> TerritoryOut:
        """Register a territory grouping territories registered before it."""
        territory_id = civic.territories.register(
            name=data.name, kind=data.kind, members=data.members, cause=cause_of(request)
        )
        return _territory(civic, territory_id)

    @post(
        "/{territory_id:uuid}/members",
        guards=[ADMINS],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def add_member(
        self,
        request: AnyRequest,
        territory_id: FromPath[UUID],
        data: JSONBody[MemberIn],
        civic: NamedDependency[CivicLedger],
    ) -> TerritoryOut:
        """Count another territory among its members (not one it belongs to)."""
        civic.territories.add_member(
            territory_id, member_id=data.member_id, cause=cause_of(request)
        )
        return _territory(civic, territory_id)

    @post(
        "/{territory_id:uuid}/competences",
        guards=[ADMINS],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def add_competence(
        self,
        request: AnyRequest,
        territory_id: FromPath[UUID],
        data: JSONBody[CompetenceIn],
        civic: NamedDependency[CivicLedger],
    ) -> TerritoryOut:
        """It holds a competence from `since` (409 if it holds it then or later); returns the
        territory as of that day."""
        civic.territories.add_competence(
            territory_id,
            competence=data.competence,
            label=data.label,
            law=data.law,
            since=data.since,
            cause=cause_of(request),
        )
        return _territory(civic, territory_id, data.since)

    @post(
        "/{territory_id:uuid}/competences/{competence:str}/transfer",
        guards=[ADMINS],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def transfer(
        self,
        request: AnyRequest,
        territory_id: FromPath[UUID],
        competence: FromPath[str],
        data: JSONBody[TransferIn],
        civic: NamedDependency[CivicLedger],
    ) -> TerritoryOut:
        """Give a competence to another territory from the day `on`, with the reason; returns
        this territory as of that day."""
        civic.territories.transfer_competence(
            territory_id,
            competence=competence,
            to=data.to_territory_id,
            on=data.on,
            cause=cause_of(request, data.reason),
        )
        return _territory(civic, territory_id, data.on)

    # -- anyone ----------------------------------------------------------------------------------

    @get("/", sync_to_thread=True, security=PUBLIC, responses=problems())
    def list_territories(
        self,
        *,
        civic: NamedDependency[CivicLedger],
        kind: FromQuery[TerritoryKind | None] = None,
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 50,
    ) -> TerritoryList:
        """Territories in the order registered, of one `kind` if asked."""
        page = civic.territories.list_territories(kind=kind, after=after, limit=limit)
        items = [
            TerritorySummary(
                id=r["id"],
                name=r["name"],
                kind=r["kind"],
                members=[UUID(m) for m in r["members"]],
                version=r["version"],
            )
            for r in page.items
        ]
        return TerritoryList(items=items, next=page.next)

    @get("/{territory_id:uuid}", sync_to_thread=True, security=PUBLIC, responses=problems(404))
    def read(
        self,
        territory_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        as_of: FromQuery[date | None] = None,
        version: FromQuery[Version] = None,
    ) -> TerritoryOut:
        """A territory, its members and parents, and the competences it holds on `as_of`
        (today by default); given a `version`, as it stood right after it (its members, parents
        and holdings as recorded by then), its competences still those held on `as_of`."""
        return _territory(civic, territory_id, as_of, version)

    @get(
        "/{territory_id:uuid}/history",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def history(
        self,
        territory_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> AuditList:
        """The territory's events, oldest first: registration, members, competences."""
        civic.territories.get(territory_id)
        page = civic.audit.events(aggregate_id=territory_id, after=after, limit=limit)
        return AuditList(items=[AuditEntry(**r) for r in page.items], next=page.next)

    @get(
        "/{territory_id:uuid}/competences/{competence:str}/holder",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404, 422),
    )
    def holder(
        self,
        territory_id: FromPath[UUID],
        competence: FromPath[str],
        civic: NamedDependency[CivicLedger],
        on: FromQuery[date | None] = None,
    ) -> HolderCheck:
        """Whether the territory holds the competence on `on` (today by default); if not, the
        nearest parents or members that do, parents first."""
        return msgspec.convert(
            civic.territories.holder(territory_id, competence, on=on), HolderCheck
        )

    @get(
        "/{territory_id:uuid}/ecosystem",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def ecosystem(
        self, territory_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> EcosystemOut:
        """The organisations of the territory and its members counted by kind and topic, and
        each problem with the organisations offering know-how under the same tags."""
        return msgspec.convert(civic.territories.ecosystem(territory_id), EcosystemOut)
