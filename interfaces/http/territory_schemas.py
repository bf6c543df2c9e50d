"""The wire shapes of `/territories`, refusing unknown fields."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.organisation import OrganisationKind
from domain.territory import LABEL_MAX, LAW_MAX, MEMBERS_MAX, NAME_MAX, TerritoryKind
from interfaces.http.schemas import Reason, Request

Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


class RegisterTerritory(Request):
    """A territory, with the territories it groups (registered before it)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_MAX)]
    kind: TerritoryKind
    members: Annotated[list[UUID], msgspec.Meta(max_length=MEMBERS_MAX)] = msgspec.field(
        default_factory=list
    )


class MemberIn(Request):
    """A territory that joins this one's members."""

    member_id: UUID


class CompetenceIn(Request):
    """A competence held from `since`, with the law that grants it where relevant."""

    competence: Slug
    label: Annotated[str, msgspec.Meta(min_length=1, max_length=LABEL_MAX)]
    since: date
    law: Annotated[str, msgspec.Meta(min_length=1, max_length=LAW_MAX)] | None = None


class TransferIn(Request):
    """A competence given to another territory from a day, and why."""

    to_territory_id: UUID
    on: date
    reason: Reason


class TerritoryRef(msgspec.Struct, frozen=True):
    """A territory named."""

    id: UUID
    name: str


class CompetenceOut(msgspec.Struct, frozen=True):
    """A competence held: since when, by which law, why, and from whom if transferred to it."""

    competence: str
    label: str
    law: str | None
    since: date
    reason: str | None
    received_from: UUID | None
    until: date | None
    transferred_to: UUID | None
    transfer_reason: str | None

    @classmethod
    def from_view(cls, row: dict[str, Any]) -> CompetenceOut:
        """From a `territory_competences` row."""
        return cls(**{f: row[f] for f in cls.__struct_fields__})


class TerritoryOut(msgspec.Struct, frozen=True):
    """A territory and the competences it holds on `as_of`."""

    id: UUID
    name: str
    kind: str
    members: list[TerritoryRef]
    parents: list[TerritoryRef]
    as_of: date
    competences: list[CompetenceOut]
    registered_by: str
    registered_at: datetime
    version: int
    updated_at: datetime

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> TerritoryOut:
        """From `TerritoryService.get`."""
        return cls(
            id=view["id"],
            name=view["name"],
            kind=view["kind"],
            members=[TerritoryRef(**m) for m in view["members"]],
            parents=[TerritoryRef(**p) for p in view["parents"]],
            as_of=view["as_of"],
            competences=[CompetenceOut.from_view(c) for c in view["competences"]],
            registered_by=view["registered_by"],
            registered_at=view["registered_at"],
            version=view["version"],
            updated_at=view["updated_at"],
        )


class TerritorySummary(msgspec.Struct, frozen=True):
    """A territory in a list."""

    id: UUID
    name: str
    kind: str
    members: list[UUID]
    version: int


class TerritoryList(msgspec.Struct, frozen=True):
    """A page of territories in the order registered; `next` is the cursor for `after`."""

    items: list[TerritorySummary]
    next: int | None


class HolderOut(msgspec.Struct, frozen=True):
    """A territory holding the competence, and how it stands to the one asked."""

    territory_id: UUID
    name: str
    relation: str  # itself | parent | member
    distance: int


class HolderCheck(msgspec.Struct, frozen=True):
    """Whether the territory holds the competence that day; else who nearest does (none: no
    parent nor member holds it)."""

    territory_id: UUID
    competence: str
    on: date
    held: bool
    holders: list[HolderOut]


class OfferOut(msgspec.Struct, frozen=True):
    """An organisation offering know-how under the problem's tags."""

    id: UUID
    name: str
    kind: OrganisationKind
    tags: list[str]


class ProblemOut(msgspec.Struct, frozen=True):
    """A problem an organisation faces, with those that offer matching know-how."""

    organisation_id: UUID
    organisation: str
    number: int
    text: str
    tags: list[str]
    offered_by: list[OfferOut]


class EcosystemOut(msgspec.Struct, frozen=True):
    """The organisations of the territory and its members: counts, and problems matched."""

    territory_id: UUID
    territories: int
    organisations: int
    by_kind: dict[str, int]
    by_topic: dict[str, int]
    problems: list[ProblemOut]
