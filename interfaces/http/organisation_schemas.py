"""The wire shapes of `/organisations`, refusing unknown fields."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.organisation import (
    CORE_BUSINESS_MAX,
    ENTRY_MAX,
    NAME_MAX,
    TAGS_MAX,
    OrganisationKind,
    Section,
)
from domain.organisation_partnership import NAME_MAX as PARTNERSHIP_NAME_MAX
from domain.organisation_partnership import OBJECTIVE_MAX, OBJECTIVES_MAX, PARTNERS_MAX
from interfaces.http.schemas import Reason, Request
from interfaces.http.territory_schemas import Slug

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_MAX)]
CoreBusiness = Annotated[str, msgspec.Meta(min_length=1, max_length=CORE_BUSINESS_MAX)]
Tags = Annotated[list[Slug], msgspec.Meta(min_length=1, max_length=TAGS_MAX)]


class RegisterOrganisation(Request):
    """An organisation of a territory; the account registering it keeps its entries."""

    name: Name
    kind: OrganisationKind
    territory_id: UUID
    core_business: CoreBusiness


class CoreBusinessIn(Request):
    """Its core business ("cœur de métier") described anew."""

    core_business: CoreBusiness


class EntryIn(Request):
    """A tagged entry: know-how or equipment it shares, a topic, a problem it faces."""

    section: Section
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=ENTRY_MAX)]
    tags: Tags


class EntryChange(Request):
    """An entry's new text and tags."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=ENTRY_MAX)]
    tags: Tags


class EntryRemoval(Request):
    """Why the entry no longer stands."""

    reason: Reason


class PartnershipIn(Request):
    """A partnership of this organisation with others, its objectives, dates and links."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=PARTNERSHIP_NAME_MAX)]
    partners: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=PARTNERS_MAX - 1)]
    objectives: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=OBJECTIVE_MAX)]],
        msgspec.Meta(min_length=1, max_length=OBJECTIVES_MAX),
    ]
    starts_on: date
    ends_on: date | None = None
    charter_id: UUID | None = None
    committee_id: UUID | None = None


class PartnershipEnd(Request):
    """The day a partnership ends, and why."""

    on: date
    reason: Reason


class EntryOut(msgspec.Struct, frozen=True):
    """An entry as it stands: who added it and who last changed it, when."""

    number: int
    section: Section
    text: str
    tags: list[str]
    added_by: str
    added_at: datetime
    changed_by: str | None
    changed_at: datetime | None


class PartnerOut(msgspec.Struct, frozen=True):
    """An organisation in a partnership."""

    id: UUID
    name: str


class PartnershipOut(msgspec.Struct, frozen=True):
    """A partnership, its partners, objectives, dates and links."""

    id: UUID
    name: str
    partners: list[PartnerOut]
    objectives: list[str]
    starts_on: date
    ends_on: date | None
    ended_reason: str | None
    charter_id: UUID | None
    committee_id: UUID | None
    recorded_by: str
    recorded_at: datetime
    version: int


class PartnershipList(msgspec.Struct, frozen=True):
    """An organisation's partnerships in the order recorded."""

    items: list[PartnershipOut]


class OrganisationOut(msgspec.Struct, frozen=True):
    """An organisation of the directory, its entries and partnerships."""

    id: UUID
    name: str
    kind: OrganisationKind
    territory_id: UUID
    core_business: str
    keeper: str
    registered_at: datetime
    entries: list[EntryOut]
    partnerships: list[PartnershipOut]
    version: int
    updated_at: datetime


class OrganisationSummary(msgspec.Struct, frozen=True):
    """An organisation in a search's results."""

    id: UUID
    name: str
    kind: OrganisationKind
    territory_id: UUID
    core_business: str
    version: int


class OrganisationList(msgspec.Struct, frozen=True):
    """A page of organisations in the order registered; `next` is the cursor for `after`."""

    items: list[OrganisationSummary]
    next: int | None
