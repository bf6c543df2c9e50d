"""Territories ("collectivités territoriales" and their groupings) and the competences they hold.

A territory has a kind, member territories (a metropolitan pole groups cities and their
intercommunalities) and competences, each a slug with a label and, where relevant, the law that
grants it. Competences come and go on legal dates, not on the day they are recorded: a holding
runs from its `since` day until the day it was transferred (excluded), so the competences held
on any day are read from the holdings. A transfer is two events: the giver's `CompetenceTransferred`
and the receiver's `CompetenceReceived`, recorded together.

Who holds a competence on a day, when the territory asked does not, is `holder_of`, a pure
function over `TerritoryFacts`: the nearest territory up (a parent) or down (a member) that does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.errors import IllegalTransition, InvalidCommand, ReasonRequired
from domain.events import Cause, CivicAggregate
from domain.text import check_text

NAME_MAX = 200
LABEL_MAX = 200
LAW_MAX = 300
MEMBERS_MAX = 200
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


# The territory's errors, under the tree of `domain.errors`:
#   InvalidCommand (422): InvalidTerritory, InvalidCompetence (and ReasonRequired for a transfer)
#   IllegalTransition (409): AlreadyMember, CompetenceAlreadyHeld, CompetenceNotHeld


class InvalidTerritory(InvalidCommand):
    """A name, kind or set of members that cannot make a territory."""


class InvalidCompetence(InvalidCommand):
    """A competence's slug, label, law or date is not acceptable."""


class AlreadyMember(IllegalTransition):
    """The territory already counts this one among its members."""


class CompetenceAlreadyHeld(IllegalTransition):
    """The territory holds this competence on that day (or from a later one)."""


class CompetenceNotHeld(IllegalTransition):
    """The territory does not hold this competence on that day: it cannot transfer it."""


class TerritoryKind(StrEnum):
    """What a territory is, in French law's words."""

    COMMUNE = "commune"
    INTERCOMMUNALITY = "intercommunality"  # EPCI: communauté de communes, d'agglomération...
    METROPOLITAN_POLE = "metropolitan_pole"  # pôle métropolitain
    DEPARTMENT = "department"
    REGION = "region"
    ALLIANCE = "alliance"  # any other grouping of territories


def check_slug(value: str, *, what: str, error: type[InvalidCommand]) -> None:
    """Raise `error` unless `value` is a lower-case slug of 1 to 40 characters."""
    if not SLUG.fullmatch(value):
        raise error(f"{what} {value!r} must be 1 to 40 lower-case letters, digits, - or _")


@dataclass(frozen=True, slots=True)
class Holding:
    """A competence held from `since` until `until` (excluded; None: still held)."""

    competence: str
    label: str
    law: str | None
    since: date
    reason: str | None
    received_from: UUID | None = None
    until: date | None = None
    transferred_to: UUID | None = None
    transfer_reason: str | None = None

    def held_on(self, day: date) -> bool:
        """Held on `day`."""
        return self.since <= day and (self.until is None or day < self.until)


@dataclass(frozen=True, slots=True)
class TerritoryFacts:
    """What the holder rule needs of a territory: its members and its holdings."""

    id: UUID
    name: str
    members: tuple[UUID, ...]
    holdings: tuple[Holding, ...]

    def holds(self, competence: str, day: date) -> bool:
        """Holds `competence` on `day`."""
        return any(h.competence == competence and h.held_on(day) for h in self.holdings)


class Relation(StrEnum):
    """How the territory that holds a competence stands to the one asked about."""

    ITSELF = "itself"
    PARENT = "parent"  # a territory it belongs to, directly or not
    MEMBER = "member"  # one of its members, directly or not


@dataclass(frozen=True, slots=True)
class Holder:
    """A territory that holds the competence, how it relates to the one asked and how far."""

    territory_id: UUID
    name: str
    relation: Relation
    distance: int


def holder_of(
    territories: Mapping[UUID, TerritoryFacts], territory_id: UUID, competence: str, day: date
) -> list[Holder]:
    """Who holds `competence` on `day` for `territory_id`: itself if it does; else the nearest
    territories that do, parents (up the groupings) and members (down them) alike, parents first
    at the same distance (a parent's competence covers the whole territory, a member's a part);
    empty if none does. Every holder at the nearest distance is listed, by name."""
    start = territories[territory_id]
    if start.holds(competence, day):
        return [Holder(start.id, start.name, Relation.ITSELF, 0)]
    parents: dict[UUID, list[UUID]] = {}
    for t in territories.values():
        for member in t.members:
            parents.setdefault(member, []).append(t.id)

    def members_of(i: UUID) -> tuple[UUID, ...]:
        return territories[i].members if i in territories else ()

    seen = {territory_id}
    ups, downs = [territory_id], [territory_id]
    distance = 0
    order = {Relation.PARENT: 0, Relation.MEMBER: 1}
    while ups or downs:
        distance += 1
        ups = _next_ring(ups, lambda i: parents.get(i, []), seen)
        downs = _next_ring(downs, members_of, seen)
        found = [
            Holder(i, territories[i].name, relation, distance)
            for relation, ring in ((Relation.PARENT, ups), (Relation.MEMBER, downs))
            for i in ring
            if i in territories and territories[i].holds(competence, day)
        ]
        if found:
            return sorted(found, key=lambda h: (order[h.relation], h.name))
    return []


class CompetenceHeld(InvalidCommand):
    """The territory holds the competence: a petition cannot be outside it on that ground."""


@dataclass(frozen=True, slots=True)
class OutsideCompetence:
    """Why a process is outside its territory's competences: the competence it concerns (its
    label when some territory holds or held it), and the nearest territories that hold it that
    day (`holder_of`; empty when none does), to whom the petitioners can turn."""

    competence: str
    label: str | None
    competent: tuple[Holder, ...]

    def as_event(self) -> dict[str, Any]:
        """As an event holds it."""
        return {
            "competence": self.competence,
            "label": self.label,
            "competent": [
                {
                    "territory_id": str(h.territory_id),
                    "name": h.name,
                    "relation": h.relation.value,
                    "distance": h.distance,
                }
                for h in self.competent
            ],
        }

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> OutsideCompetence:
        """Back from an event."""
        return cls(
            competence=str(data["competence"]),
            label=data["label"],
            competent=tuple(
                Holder(
                    UUID(str(h["territory_id"])), h["name"], Relation(h["relation"]), h["distance"]
                )
                for h in data["competent"]
            ),
        )


def outside_competence(
    territories: Mapping[UUID, TerritoryFacts], territory_id: UUID, competence: str, day: date
) -> OutsideCompetence:
    """The grounds for refusing, on `day`, a process of `territory_id` about `competence` as
    outside its competences; `CompetenceHeld` if the territory holds it then."""
    check_slug(competence, what="the competence", error=InvalidCompetence)
    territory = territories[territory_id]
    holders = holder_of(territories, territory_id, competence, day)
    if holders and holders[0].relation is Relation.ITSELF:
        since = next(
            h.since for h in territory.holdings if h.competence == competence and h.held_on(day)
        )
        raise CompetenceHeld(
            f"{territory.name} holds the competence {competence!r} since {since.isoformat()}: "
            "a petition about it is within its competences"
        )
    labels = [
        h.label
        for t in ([territories[h.territory_id] for h in holders] or territories.values())
        for h in t.holdings
        if h.competence == competence
    ]
    return OutsideCompetence(competence, labels[0] if labels else None, tuple(holders))


def _next_ring(
    ring: list[UUID], step: Callable[[UUID], Sequence[UUID]], seen: set[UUID]
) -> list[UUID]:
    """The territories one step further from `ring`, not seen before (a cycle ends the walk)."""
    following: list[UUID] = []
    for i in ring:
        for j in step(i):
            if j not in seen:
                seen.add(j)
                following.append(j)
    return following


class Territory(CivicAggregate):
    """A territory: its name, kind, members and the history of its competences."""

    class Event(CivicAggregate.Event):
        """Any event of a territory."""

    class Registered(Event, CivicAggregate.Created):
        """Registered with its name, kind and first members."""

        name: str
        kind: str
        members: list[UUID]

    class MemberAdded(Event):
        """Another territory became one of its members."""

        member_id: UUID

    class CompetenceAdded(Event):
        """It holds `competence` from the day `since` (granted by `law`, if named)."""

        competence: str
        label: str
        law: str | None
        since: str  # ISO day: the library's JSON transcoder knows `datetime`, not `date`

    class CompetenceTransferred(Event):
        """It gave `competence` to `to_territory` from the day `on` (the reason is the event's)."""

        competence: str
        to_territory: UUID
        on: str  # ISO day

    class CompetenceReceived(Event):
        """It holds `competence` from the day `on`, given by `from_territory`."""

        competence: str
        label: str
        law: str | None
        from_territory: UUID
        on: str  # ISO day

    @classmethod
    def register(
        cls, *, name: str, kind: TerritoryKind, members: list[UUID], cause: Cause
    ) -> Territory:
        """A new territory grouping `members` (territories registered before it)."""
        check_text(name, what="the name", max_length=NAME_MAX, error=InvalidTerritory)
        try:
            kind = TerritoryKind(kind)
        except ValueError:
            raise InvalidTerritory(f"the kind is one of {', '.join(TerritoryKind)}") from None
        if len(members) > MEMBERS_MAX or len(set(members)) != len(members):
            raise InvalidTerritory(f"a territory has at most {MEMBERS_MAX} distinct members")
        return cls(name=name, kind=kind.value, members=list(members), **cause.fields())

    @event(Registered)
    def __init__(
        self,
        *,
        name: str,
        kind: str,
        members: list[UUID],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.name = name
        self.kind = TerritoryKind(kind)
        self.members = list(members)
        self.holdings: list[Holding] = []

    def add_member(self, *, member_id: UUID, cause: Cause) -> None:
        """Count another territory among its members."""
        if member_id == self.id:
            raise InvalidTerritory("a territory is not its own member")
        if member_id in self.members:
            raise AlreadyMember(f"territory {member_id} is already a member")
        if len(self.members) >= MEMBERS_MAX:
            raise InvalidTerritory(f"a territory has at most {MEMBERS_MAX} members")
        self._member_added(member_id=member_id, **cause.fields())

    @event(MemberAdded)
    def _member_added(
        self, *, member_id: UUID, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.members.append(member_id)

    # -- competences -----------------------------------------------------------------------------

    def add_competence(
        self, *, competence: str, label: str, law: str | None, since: date, cause: Cause
    ) -> None:
        """It holds `competence` from `since`, unless it already does then or later."""
        _check_competence(competence, label, law, since)
        if any(h.competence == competence and _overlaps(h, since) for h in self.holdings):
            raise CompetenceAlreadyHeld(f"{self.name} already holds {competence!r} on {since}")
        self._competence_added(
            competence=competence, label=label, law=law, since=since.isoformat(), **cause.fields()
        )

    @event(CompetenceAdded)
    def _competence_added(
        self,
        *,
        competence: str,
        label: str,
        law: str | None,
        since: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.holdings.append(Holding(competence, label, law, date.fromisoformat(since), reason))

    def transfer_competence(
        self, *, competence: str, to: Territory, on: date, cause: Cause
    ) -> None:
        """Give `competence` to the territory `to` from the day `on`, saying why: it stops
        holding it that day and `to` starts; both record their event."""
        if to.id == self.id:
            raise InvalidCompetence("a territory does not transfer a competence to itself")
        if cause.reason is None:
            raise ReasonRequired("a transfer of competence needs a reason")
        if isinstance(on, datetime) or not isinstance(on, date):
            raise InvalidCompetence("the transfer's date is a day, e.g. 2017-01-01")
        holding = self.holding_on(competence, on)
        if holding is None or holding.until is not None:
            raise CompetenceNotHeld(f"{self.name} does not hold {competence!r} on {on}")
        if holding.since == on:
            raise CompetenceNotHeld(f"{self.name} only receives {competence!r} on {on}")
        if any(h.competence == competence and _overlaps(h, on) for h in to.holdings):
            raise CompetenceAlreadyHeld(f"{to.name} already holds {competence!r} on {on}")
        self._competence_transferred(
            competence=competence, to_territory=to.id, on=on.isoformat(), **cause.fields()
        )
        to._competence_received(  # one rule, two aggregates: the transfer
            competence=competence,
            label=holding.label,
            law=holding.law,
            from_territory=self.id,
            on=on.isoformat(),
            **cause.fields(),
        )

    @event(CompetenceTransferred)
    def _competence_transferred(
        self,
        *,
        competence: str,
        to_territory: UUID,
        on: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        for n, h in enumerate(self.holdings):
            if h.competence == competence and h.until is None:
                self.holdings[n] = replace(
                    h,
                    until=date.fromisoformat(on),
                    transferred_to=to_territory,
                    transfer_reason=reason,
                )

    @event(CompetenceReceived)
    def _competence_received(
        self,
        *,
        competence: str,
        label: str,
        law: str | None,
        from_territory: UUID,
        on: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        day = date.fromisoformat(on)
        self.holdings.append(Holding(competence, label, law, day, reason, from_territory))

    def holding_on(self, competence: str, day: date) -> Holding | None:
        """The holding of `competence` that runs on `day`, if any."""
        return next(
            (h for h in self.holdings if h.competence == competence and h.held_on(day)), None
        )

    def competences_on(self, day: date) -> list[Holding]:
        """The competences held on `day`, in the order they were acquired."""
        return [h for h in self.holdings if h.held_on(day)]

    def facts(self) -> TerritoryFacts:
        """What the holder rule needs of it."""
        return TerritoryFacts(self.id, self.name, tuple(self.members), tuple(self.holdings))


def _overlaps(holding: Holding, since: date) -> bool:
    """A holding that runs on `since` or starts later would overlap one starting `since`."""
    return holding.until is None or since < holding.until


def _check_competence(competence: str, label: str, law: str | None, since: date) -> None:
    check_slug(competence, what="the competence", error=InvalidCompetence)
    check_text(label, what="the label", max_length=LABEL_MAX, error=InvalidCompetence)
    if law is not None:
        check_text(law, what="the law", max_length=LAW_MAX, error=InvalidCompetence)
    if isinstance(since, datetime) or not isinstance(since, date):
        raise InvalidCompetence("the date a competence is held from is a day, e.g. 2017-01-01")
