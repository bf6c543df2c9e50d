"""Territory and directory use cases: territories, their members and competences over time, who
holds a competence on a day; organisations and their tagged entries, the search, the ecosystem
view for decision-makers, and partnerships.

A territory's area is itself and its members, down the groupings (a pole's cities and their
intercommunalities): the search and the ecosystem cover the organisations registered in it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Connection, Select, and_, exists, or_, select

from application.errors import OrganisationNotFound, PartnershipNotFound, TerritoryNotFound
from application.ledger import Ledger
from application.pages import Page, read_page
from application.scope import area_of, territory_facts
from application.tables import (
    audit_events,
    charters,
    committees,
    organisation_entries,
    organisation_tags,
    organisations,
    partnership_members,
    partnerships,
    territories,
    territory_competences,
)
from application.territory_views import projected_alone
from application.time_travel import locate, log_events, require_aware
from domain.events import Cause
from domain.organisation import InvalidOrganisation, Organisation, OrganisationKind, Section
from domain.organisation_partnership import InvalidPartnership, Partnership
from domain.territory import (
    InvalidCompetence,
    InvalidTerritory,
    Territory,
    TerritoryFacts,
    TerritoryKind,
    check_slug,
    holder_of,
)

Clock = Callable[[], datetime]
A = TypeVar("A")


class TerritoryService:
    """Registering territories and their competences; reading them as of a day."""

    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    # -- commands --------------------------------------------------------------------------------

    def register(
        self, *, name: str, kind: TerritoryKind, members: list[UUID], cause: Cause
    ) -> UUID:
        """Register a territory grouping `members` (registered already); returns its id."""
        territory = Territory.register(name=name, kind=kind, members=members, cause=cause)
        with self._ledger.transaction():
            unknown = sorted(str(m) for m in set(members) - set(self._facts()))
            if unknown:
                raise InvalidTerritory(f"no territory has the id {', '.join(unknown)}")
            self._ledger.record(territory)
        return territory.id

    def add_member(self, territory_id: UUID, *, member_id: UUID, cause: Cause) -> None:
        """Count `member_id` among the territory's members (never one of its own parents)."""
        with self._ledger.transaction():
            territory = self._territory(territory_id)
            facts = self._facts()
            if member_id not in facts:
                raise InvalidTerritory(f"no territory has the id {member_id}")
            if territory_id in area_of(facts, member_id):
                raise InvalidTerritory(f"{territory.name} is itself a member of that territory")
            territory.add_member(member_id=member_id, cause=cause)
            self._ledger.record(territory)

    def add_competence(
        self,
        territory_id: UUID,
        *,
        competence: str,
        label: str,
        law: str | None,
        since: date,
        cause: Cause,
    ) -> None:
        """The territory holds `competence` from `since`."""
        with self._ledger.transaction():
            territory = self._territory(territory_id)
            territory.add_competence(
                competence=competence, label=label, law=law, since=since, cause=cause
            )
            self._ledger.record(territory)

    def transfer_competence(
        self, territory_id: UUID, *, competence: str, to: UUID, on: date, cause: Cause
    ) -> None:
        """Transfer `competence` to the territory `to` from the day `on`, with the reason."""
        with self._ledger.transaction():
            giver = self._territory(territory_id)
            try:
                receiver = self._territory(to)
            except TerritoryNotFound:
                raise InvalidCompetence(f"no territory has the id {to}") from None
            giver.transfer_competence(competence=competence, to=receiver, on=on, cause=cause)
            self._ledger.record(giver, receiver)

    # -- queries ---------------------------------------------------------------------------------

    def get(
        self, territory_id: UUID, *, as_of: date | None = None, version: int | None = None
    ) -> dict[str, Any]:
        """The territory with its members, parents and the competences it holds on `as_of`
        (today by default); with `version`, as it stood right after that version: its own
        events and its members' and parents' up to there, projected alone."""
        day = as_of or self._clock().date()
        with self._ledger.engine.connect() as connection:
            if version is None:
                return _territory_view(connection, territory_id, day)
            recorded = locate(
                connection,
                territory_id,
                version=version,
                kind=Territory,
                unknown=TerritoryNotFound,
            )
            # Members are never removed: those and the parents then are among today's.
            related = {territory_id}
            for t in connection.execute(select(territories.c.id, territories.c.members)):
                if t.id == territory_id:
                    related.update(UUID(m) for m in t.members)
                elif str(territory_id) in t.members:
                    related.add(t.id)
            c = audit_events.c
            events = log_events(
                self._ledger,
                connection,
                c.aggregate_id.in_(related) & (c.position <= recorded.position),
            )
        with projected_alone(events) as scratch:
            return _territory_view(scratch, territory_id, day)

    def list_territories(
        self, *, kind: TerritoryKind | None, after: int | None, limit: int
    ) -> Page:
        """Territories in the order registered, of one kind if asked."""
        query = select(territories)
        if kind is not None:
            query = query.where(territories.c.kind == kind)
        page = read_page(self._ledger.engine, query, territories.c.position, after, limit)
        return Page(items=[plain(r) for r in page.items], next=page.next)

    def holder(self, territory_id: UUID, competence: str, *, on: date | None) -> dict[str, Any]:
        """Whether the territory holds `competence` on `on` (today by default); else the nearest
        parents or members that do (`domain.territory.holder_of`)."""
        check_slug(competence, what="the competence", error=InvalidCompetence)
        day = on or self._clock().date()
        facts = self._facts()
        if territory_id not in facts:
            raise TerritoryNotFound(territory_id)
        holders = holder_of(facts, territory_id, competence, day)
        return {
            "territory_id": territory_id,
            "competence": competence,
            "on": day,
            "held": bool(holders) and holders[0].territory_id == territory_id,
            "holders": [
                {
                    "territory_id": h.territory_id,
                    "name": h.name,
                    "relation": h.relation.value,
                    "distance": h.distance,
                }
                for h in holders
            ],
        }

    def area(self, territory_id: UUID) -> set[UUID]:
        """The territory and its members, down the groupings."""
        facts = self._facts()
        if territory_id not in facts:
            raise TerritoryNotFound(territory_id)
        return area_of(facts, territory_id)

    def ecosystem(self, territory_id: UUID) -> dict[str, Any]:
        """For decision-makers: the organisations of the territory's area counted by kind and by
        topic, and each problem listed with the other organisations that offer know-how under
        one of its tags."""
        area = self.area(territory_id)
        o, t, en = organisations.c, organisation_tags.c, organisation_entries.c
        with self._ledger.engine.connect() as connection:
            orgs = {
                r.id: r
                for r in connection.execute(
                    select(o.id, o.name, o.kind, o.position).where(o.territory_id.in_(area))
                )
            }
            tags = connection.execute(
                select(t.organisation_id, t.section, t.tag).where(t.organisation_id.in_(orgs))
            ).all()
            problems = connection.execute(
                select(en.organisation_id, en.number, en.text, en.tags)
                .where(en.organisation_id.in_(orgs), en.section == Section.PROBLEM)
                .order_by(en.position)
            ).all()
        by_kind = Counter(r.kind for r in orgs.values())
        topics: dict[str, set[UUID]] = {}
        know_how: dict[str, set[UUID]] = {}
        for organisation_id, section, tag in tags:
            if section == Section.TOPIC:
                topics.setdefault(tag, set()).add(organisation_id)
            elif section == Section.KNOW_HOW:
                know_how.setdefault(tag, set()).add(organisation_id)

        def offering(problem: Any) -> list[dict[str, Any]]:
            found: dict[UUID, list[str]] = {}
            for tag in problem.tags:
                for organisation_id in know_how.get(tag, ()):
                    if organisation_id != problem.organisation_id:
                        found.setdefault(organisation_id, []).append(tag)
            return [
                {"id": i, "name": orgs[i].name, "kind": orgs[i].kind, "tags": found[i]}
                for i in sorted(found, key=lambda i: orgs[i].position)
            ]

        return {
            "territory_id": territory_id,
            "territories": len(area),
            "organisations": len(orgs),
            "by_kind": {k.value: by_kind.get(k.value, 0) for k in OrganisationKind},
            "by_topic": dict(sorted((tag, len(ids)) for tag, ids in topics.items())),
            "problems": [
                {
                    "organisation_id": p.organisation_id,
                    "organisation": orgs[p.organisation_id].name,
                    "number": p.number,
                    "text": p.text,
                    "tags": p.tags,
                    "offered_by": offering(p),
                }
                for p in problems
            ],
        }

    # -- helpers ---------------------------------------------------------------------------------

    def _facts(self) -> dict[UUID, TerritoryFacts]:
        """Every territory as the holder rule needs it, from the views."""
        with self._ledger.engine.connect() as connection:
            return territory_facts(connection)

    def _territory(self, territory_id: UUID) -> Territory:
        territory = self._ledger.get(territory_id, TerritoryNotFound)
        if not isinstance(territory, Territory):  # another aggregate's id: not found
            raise TerritoryNotFound(territory_id)
        return territory


def _territory_view(connection: Connection, territory_id: UUID, day: date) -> dict[str, Any]:
    """The territory's view in the views `connection` reads (live, or projected alone)."""
    row = (
        connection.execute(select(territories).where(territories.c.id == territory_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise TerritoryNotFound(territory_id)
    names: dict[UUID, str] = {
        r.id: r.name for r in connection.execute(select(territories.c.id, territories.c.name))
    }
    c = territory_competences.c
    held = connection.execute(
        select(territory_competences)
        .where(
            c.territory_id == territory_id,
            c.since <= day,
            or_(c.until.is_(None), c.until > day),
        )
        .order_by(c.position)
    ).mappings()
    competences = [plain(h) for h in held]
    parents = connection.execute(
        select(territories.c.id, territories.c.members, territories.c.position)
    ).all()
    members = [UUID(m) for m in row["members"]]
    return {
        **plain(row),
        "as_of": day,
        "members": [{"id": m, "name": names[m]} for m in members],
        "parents": [
            {"id": p.id, "name": names[p.id]}
            for p in sorted(parents, key=lambda p: p.position)
            if str(territory_id) in p.members
        ],
        "competences": competences,
    }


def plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row with plain `str` keys (SQLAlchemy's are a subclass the wire encoder refuses)."""
    return {str(k): v for k, v in row.items()}


class OrganisationService:
    """The actors' directory: organisations, their entries and partnerships."""

    def __init__(self, ledger: Ledger, territories: TerritoryService) -> None:
        self._ledger = ledger
        self._territories = territories

    # -- commands --------------------------------------------------------------------------------

    def register(
        self,
        *,
        name: str,
        kind: OrganisationKind,
        territory_id: UUID,
        core_business: str,
        cause: Cause,
    ) -> UUID:
        """Register an organisation in a territory, kept by the cause's actor; returns its id."""
        organisation = Organisation.register(
            name=name,
            kind=kind,
            territory_id=territory_id,
            core_business=core_business,
            cause=cause,
        )
        with self._ledger.transaction():
            try:
                self._territories.area(territory_id)
            except TerritoryNotFound:
                raise InvalidOrganisation(f"no territory has the id {territory_id}") from None
            self._ledger.record(organisation)
        return organisation.id

    def describe(self, organisation_id: UUID, *, core_business: str, cause: Cause) -> None:
        """Describe the organisation's core business anew."""
        with self._ledger.transaction():
            organisation = self._organisation(organisation_id)
            organisation.describe(core_business=core_business, cause=cause)
            self._ledger.record(organisation)

    def add_entry(
        self, organisation_id: UUID, *, section: Section, text: str, tags: list[str], cause: Cause
    ) -> int:
        """Add a tagged entry; returns its number."""
        with self._ledger.transaction():
            organisation = self._organisation(organisation_id)
            number = organisation.add_entry(section=section, text=text, tags=tags, cause=cause)
            self._ledger.record(organisation)
        return number

    def change_entry(
        self, organisation_id: UUID, number: int, *, text: str, tags: list[str], cause: Cause
    ) -> None:
        """Change an entry's text and tags."""
        with self._ledger.transaction():
            organisation = self._organisation(organisation_id)
            organisation.change_entry(number=number, text=text, tags=tags, cause=cause)
            self._ledger.record(organisation)

    def remove_entry(self, organisation_id: UUID, number: int, *, cause: Cause) -> None:
        """Remove an entry, with the reason."""
        with self._ledger.transaction():
            organisation = self._organisation(organisation_id)
            organisation.remove_entry(number=number, cause=cause)
            self._ledger.record(organisation)

    def record_partnership(  # a partnership is all of these at once
        self,
        organisation_id: UUID,
        *,
        partners: list[UUID],
        name: str,
        objectives: list[str],
        starts_on: date,
        ends_on: date | None,
        charter_id: UUID | None,
        committee_id: UUID | None,
        cause: Cause,
    ) -> UUID:
        """Record a partnership of the organisation with `partners`; returns its id."""
        self.get(organisation_id)
        members = [organisation_id, *partners]
        partnership = Partnership.record(
            name=name,
            organisation_ids=members,
            objectives=objectives,
            starts_on=starts_on,
            ends_on=ends_on,
            charter_id=charter_id,
            committee_id=committee_id,
            cause=cause,
        )
        with self._ledger.transaction(), self._ledger.engine.connect() as connection:
            known = set(
                connection.scalars(
                    select(organisations.c.id).where(organisations.c.id.in_(members))
                )
            )
            unknown = sorted(str(m) for m in set(members) - known)
            if unknown:
                raise InvalidPartnership(f"no organisation has the id {', '.join(unknown)}")
            for table, linked, what in (
                (charters, charter_id, "charter"),
                (committees, committee_id, "committee"),
            ):
                if (
                    linked is not None
                    and connection.scalar(select(table.c.id).where(table.c.id == linked)) is None
                ):
                    raise InvalidPartnership(f"no {what} has the id {linked}")
            self._ledger.record(partnership)
        return partnership.id

    def end_partnership(
        self, organisation_id: UUID, partnership_id: UUID, *, on: date, cause: Cause
    ) -> None:
        """End a partnership of the organisation on `on`, with the reason."""
        with self._ledger.transaction():
            partnership = self._ledger.get(partnership_id, PartnershipNotFound)
            if (
                not isinstance(partnership, Partnership)
                or organisation_id not in partnership.organisation_ids
            ):
                raise PartnershipNotFound(partnership_id)
            partnership.end(on=on, cause=cause)
            self._ledger.record(partnership)

    # -- queries ---------------------------------------------------------------------------------

    def keeper_of(self, organisation_id: UUID) -> str | None:
        """The account that keeps the organisation's entries (None: no such organisation)."""
        with self._ledger.engine.connect() as connection:
            keeper: str | None = connection.scalar(
                select(organisations.c.keeper).where(organisations.c.id == organisation_id)
            )
        return keeper

    def get(self, organisation_id: UUID) -> dict[str, Any]:
        """The organisation with its entries, by section, and its partnerships."""
        with self._ledger.engine.connect() as connection:
            return _organisation_view(connection, organisation_id)

    def as_of(
        self,
        organisation_id: UUID,
        *,
        version: int | None = None,
        instant: datetime | None = None,
    ) -> dict[str, Any]:
        """The organisation's view right after its version `version`, or as it stood at
        `instant` (now, with neither): its own events up to there, its partnerships' recorded
        by then and its partners' registrations (their names), projected alone."""
        if version is None and instant is None:
            return self.get(organisation_id)
        c, p, m = audit_events.c, partnerships.c, partnership_members.c
        with self._ledger.engine.connect() as connection:
            recorded = locate(
                connection,
                organisation_id,
                version=version,
                as_of=instant,
                kind=Organisation,
                unknown=OrganisationNotFound,
            )
            if instant is None:
                then = c.position <= recorded.position
            else:
                then = c.timestamp <= require_aware(instant)
            # A partnership never changes its partners: those then are among today's.
            theirs = connection.execute(
                select(p.id, p.organisation_ids).where(
                    p.id.in_(select(m.partnership_id).where(m.organisation_id == organisation_id))
                )
            ).all()
            partners = {UUID(o) for r in theirs for o in r.organisation_ids} - {organisation_id}
            events = log_events(
                self._ledger,
                connection,
                or_(
                    (c.aggregate_id == organisation_id) & (c.version <= recorded.version),
                    c.aggregate_id.in_([r.id for r in theirs]) & then,
                    c.aggregate_id.in_(partners) & (c.version == 1),
                ),
            )
        with projected_alone(events) as scratch:
            return _organisation_view(scratch, organisation_id)

    def partnerships(self, organisation_id: UUID) -> list[dict[str, Any]]:
        """The organisation's partnerships, in the order recorded, with their partners' names."""
        with self._ledger.engine.connect() as connection:
            return _partnerships_of(connection, organisation_id)

    def search(  # each filter is a keyword
        self,
        *,
        topic: str | None = None,
        know_how: str | None = None,
        problem: str | None = None,
        territory: UUID | None = None,
        after: int | None = None,
        limit: int = 50,
    ) -> Page:
        """Organisations with an entry tagged `topic`, `know_how` and `problem` in those
        sections (each filter given), registered in `territory`'s area, in the order
        registered."""
        o, t = organisations.c, organisation_tags.c
        query: Select[Any] = select(organisations)
        for section, tag in (
            (Section.TOPIC, topic),
            (Section.KNOW_HOW, know_how),
            (Section.PROBLEM, problem),
        ):
            if tag is not None:
                check_slug(tag, what="the tag", error=InvalidOrganisation)
                query = query.where(
                    exists().where(
                        and_(t.organisation_id == o.id, t.section == section, t.tag == tag)
                    )
                )
        if territory is not None:
            query = query.where(o.territory_id.in_(self._territories.area(territory)))
        page = read_page(self._ledger.engine, query, o.position, after, limit)
        return Page(items=[plain(r) for r in page.items], next=page.next)

    # -- helpers ---------------------------------------------------------------------------------

    def _organisation(self, organisation_id: UUID) -> Organisation:
        organisation = self._ledger.get(organisation_id, OrganisationNotFound)
        if not isinstance(organisation, Organisation):  # another aggregate's id: not found
            raise OrganisationNotFound(organisation_id)
        return organisation


def _organisation_view(connection: Connection, organisation_id: UUID) -> dict[str, Any]:
    """The organisation's view in the views `connection` reads (live, or projected alone)."""
    row = (
        connection.execute(select(organisations).where(organisations.c.id == organisation_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise OrganisationNotFound(organisation_id)
    en = organisation_entries.c
    entries = [
        plain(e)
        for e in connection.execute(
            select(organisation_entries)
            .where(en.organisation_id == organisation_id)
            .order_by(en.position)
        ).mappings()
    ]
    return {
        **plain(row),
        "entries": entries,
        "partnerships": _partnerships_of(connection, organisation_id),
    }


def _partnerships_of(connection: Connection, organisation_id: UUID) -> list[dict[str, Any]]:
    """The organisation's partnerships in the order recorded, with their partners' names."""
    p, m = partnerships.c, partnership_members.c
    query = (
        select(partnerships)
        .where(exists().where(m.partnership_id == p.id, m.organisation_id == organisation_id))
        .order_by(p.position)
    )
    rows = [plain(r) for r in connection.execute(query).mappings()]
    ids = {UUID(i) for r in rows for i in r["organisation_ids"]}
    names: dict[UUID, str] = {
        r.id: r.name
        for r in connection.execute(
            select(organisations.c.id, organisations.c.name).where(organisations.c.id.in_(ids))
        )
    }
    for row in rows:
        row["partners"] = [
            {"id": UUID(i), "name": names[UUID(i)]} for i in row.pop("organisation_ids")
        ]
    return rows
