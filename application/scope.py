"""Which territory a process belongs to, and which processes a territory's area covers.

Every petition, consultation, vote, committee and charter names the territory it belongs to. A
command that names none gets the platform's own territory: the only one that is no other's
member (a town's platform, or a pole's, whose cities are its members). A platform with several
such territories makes the command name one (422); a platform with no territory yet records the
process with none, as processes recorded before territories existed.

A listing filtered by a territory covers its area: itself and its members, down the groupings.
"""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Engine, select
from sqlalchemy.sql.elements import ColumnClause

from application.errors import TerritoryNotFound
from application.tables import organisations, territories, territory_competences
from domain.charter import Organisation, OrganisationKind
from domain.errors import InvalidCommand
from domain.territory import Holding, TerritoryFacts


class UnknownTerritory(InvalidCommand):
    """The command names a territory that was never registered."""


class UnknownOrganisation(InvalidCommand):
    """The command names an organisation the directory does not hold."""


class TerritoryRequired(InvalidCommand):
    """The platform serves several territories and the command names none."""


def groupings(connection: Connection) -> dict[UUID, TerritoryFacts]:
    """Every territory with its members (no holdings): what scopes and areas need."""
    rows = connection.execute(
        select(territories.c.id, territories.c.name, territories.c.members)
    ).all()
    return {r.id: TerritoryFacts(r.id, r.name, tuple(UUID(m) for m in r.members), ()) for r in rows}


def territory_facts(connection: Connection) -> dict[UUID, TerritoryFacts]:
    """Every territory as the holder rule needs it, from the views (hundreds of rows)."""
    holdings: dict[UUID, list[Holding]] = {}
    for h in connection.execute(
        select(territory_competences).order_by(territory_competences.c.position)
    ).mappings():
        holdings.setdefault(h["territory_id"], []).append(
            Holding(
                competence=h["competence"],
                label=h["label"],
                law=h["law"],
                since=h["since"],
                reason=h["reason"],
                received_from=h["received_from"],
                until=h["until"],
                transferred_to=h["transferred_to"],
                transfer_reason=h["transfer_reason"],
            )
        )
    return {
        i: replace(t, holdings=tuple(holdings.get(i, ()))) for i, t in groupings(connection).items()
    }


def area_of(facts: dict[UUID, TerritoryFacts], territory_id: UUID) -> set[UUID]:
    """`territory_id` and every territory it groups, directly or not."""
    area, todo = {territory_id}, [territory_id]
    while todo:
        for member in facts[todo.pop()].members:
            if member not in area and member in facts:
                area.add(member)
                todo.append(member)
    return area


def scope_of(connection: Connection, territory_id: UUID | None) -> UUID | None:
    """The territory a new process belongs to: the one named (it must exist), else the
    platform's own (see the module's docstring)."""
    known = groupings(connection)
    if territory_id is not None:
        if territory_id not in known:
            raise UnknownTerritory(f"no territory has the id {territory_id}")
        return territory_id
    if not known:
        return None
    grouped = {m for t in known.values() for m in t.members}
    roots = sorted((t for t in known.values() if t.id not in grouped), key=lambda t: t.name)
    if len(roots) == 1:
        root: UUID = roots[0].id
        return root
    names = ", ".join(r.name for r in roots)
    raise TerritoryRequired(
        f"this platform serves several territories ({names}): name one with territory_id"
    )


def area_clause(
    engine: Engine, column: ColumnClause[UUID], territory_id: UUID
) -> ColumnElement[bool]:
    """`column` within the area of `territory_id` (404 for an unknown territory)."""
    with engine.connect() as connection:
        facts = groupings(connection)
    if territory_id not in facts:
        raise TerritoryNotFound(territory_id)
    return column.in_(sorted(area_of(facts, territory_id)))


def directory_signatory(connection: Connection, organisation_id: UUID) -> Organisation:
    """The directory's organisation `organisation_id` as a charter signatory or the body a
    committee member sits for (its name and kind); `UnknownOrganisation` (422) if not registered."""
    row = connection.execute(
        select(organisations.c.name, organisations.c.kind).where(
            organisations.c.id == organisation_id
        )
    ).one_or_none()
    if row is None:
        raise UnknownOrganisation(f"no organisation of the directory has the id {organisation_id}")
    return Organisation(str(organisation_id), row.name, OrganisationKind(row.kind), organisation_id)
