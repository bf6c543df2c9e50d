"""Territories by their events: competences added and transferred on legal dates and read as of
any day, members, and the holder rule (itself, else the nearest parent or member that holds it)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from domain.errors import InvalidPetition, ReasonRequired
from domain.events import Cause
from domain.petition import Petition
from domain.territory import (
    AlreadyMember,
    CompetenceAlreadyHeld,
    CompetenceHeld,
    CompetenceNotHeld,
    Holder,
    Holding,
    InvalidCompetence,
    InvalidTerritory,
    OutsideCompetence,
    Relation,
    Territory,
    TerritoryFacts,
    TerritoryKind,
    holder_of,
    outside_competence,
)

from .given import assert_caused_by, drained, only_event, refused

ADMIN = Cause(actor="account:admin", correlation_id="corr-admin")
TRANSFER = Cause(actor="account:admin", correlation_id="corr-transfer", reason="loi MAPTAM")
NOTRE = "loi NOTRe, 7 août 2015"


def registered(
    name: str, kind: TerritoryKind = TerritoryKind.COMMUNE, *members: Territory
) -> Territory:
    """A territory registered by the admin, grouping `members`."""
    return drained(
        Territory.register(name=name, kind=kind, members=[m.id for m in members], cause=ADMIN)
    )


def holding(territory: Territory, competence: str, since: date) -> Territory:
    """`territory` holding `competence` from `since`."""
    territory.add_competence(
        competence=competence, label=competence.title(), law=NOTRE, since=since, cause=ADMIN
    )
    return drained(territory)


class TestRegister:
    def test_records_name_kind_and_members(self) -> None:
        """A pole groups the territories it names."""
        metz = registered("Metz")
        pole = Territory.register(
            name="Sillon Lorrain",
            kind=TerritoryKind.METROPOLITAN_POLE,
            members=[metz.id],
            cause=ADMIN,
        )
        event = only_event(pole, Territory.Registered)
        assert (event.name, event.kind, event.members) == (
            "Sillon Lorrain",
            "metropolitan_pole",
            [metz.id],
        )
        assert_caused_by(event, ADMIN)

    def test_refuses_an_unknown_kind(self) -> None:
        """The kind is one of the law's."""
        with pytest.raises(InvalidTerritory):
            Territory.register(name="X", kind="county", members=[], cause=ADMIN)  # type: ignore[arg-type]

    def test_refuses_a_member_twice(self) -> None:
        """A member is counted once."""
        metz = registered("Metz")
        pole = registered("Pôle", TerritoryKind.METROPOLITAN_POLE, metz)
        with refused(AlreadyMember, pole):
            pole.add_member(member_id=metz.id, cause=ADMIN)
        with refused(InvalidTerritory, pole):
            pole.add_member(member_id=pole.id, cause=ADMIN)


class TestCompetencesOverTime:
    def test_a_competence_added_is_held_from_its_day(self) -> None:
        """Held from `since` on, not the day before."""
        region = registered("Grand Est", TerritoryKind.REGION)
        region.add_competence(
            competence="developpement-economique",
            label="Développement économique",
            law=NOTRE,
            since=date(2016, 1, 1),
            cause=ADMIN,
        )
        event = only_event(region, Territory.CompetenceAdded)
        assert (event.competence, event.law, event.since) == (
            "developpement-economique",
            NOTRE,
            "2016-01-01",
        )
        assert region.competences_on(date(2015, 12, 31)) == []
        assert [h.competence for h in region.competences_on(date(2016, 1, 1))] == [
            "developpement-economique"
        ]

    def test_a_transfer_moves_it_on_its_date_with_its_reason(self) -> None:
        """The giver holds it until the day before, the receiver from that day; both record."""
        nancy = holding(registered("Nancy"), "voirie", date(1990, 1, 1))
        metropole = registered("Métropole du Grand Nancy", TerritoryKind.INTERCOMMUNALITY, nancy)
        nancy.transfer_competence(
            competence="voirie", to=metropole, on=date(2016, 7, 1), cause=TRANSFER
        )
        given = only_event(nancy, Territory.CompetenceTransferred)
        received = only_event(metropole, Territory.CompetenceReceived)
        assert (given.to_territory, given.on, given.reason) == (
            metropole.id,
            "2016-07-01",
            "loi MAPTAM",
        )
        assert (received.from_territory, received.on, received.label, received.law) == (
            nancy.id,
            "2016-07-01",
            "Voirie",
            NOTRE,
        )
        assert nancy.holding_on("voirie", date(2016, 6, 30)) is not None
        assert nancy.holding_on("voirie", date(2016, 7, 1)) is None
        assert metropole.holding_on("voirie", date(2016, 6, 30)) is None
        held = metropole.holding_on("voirie", date(2020, 1, 1))
        assert held is not None
        assert (held.received_from, held.reason) == (nancy.id, "loi MAPTAM")
        past = nancy.holdings[0]
        assert (past.until, past.transferred_to, past.transfer_reason) == (
            date(2016, 7, 1),
            metropole.id,
            "loi MAPTAM",
        )

    def test_a_transfer_needs_a_reason_and_a_competence_held_that_day(self) -> None:
        """No reason, not held yet, held by the receiver already: refused, nothing recorded."""
        metz = holding(registered("Metz"), "mobilite", date(2010, 1, 1))
        eurometropole = holding(
            registered("Eurométropole de Metz", TerritoryKind.INTERCOMMUNALITY, metz),
            "eau",
            date(2000, 1, 1),
        )
        with refused(ReasonRequired, metz, eurometropole):
            metz.transfer_competence(
                competence="mobilite", to=eurometropole, on=date(2018, 1, 1), cause=ADMIN
            )
        with refused(CompetenceNotHeld, metz, eurometropole):
            metz.transfer_competence(
                competence="mobilite", to=eurometropole, on=date(2009, 1, 1), cause=TRANSFER
            )
        with refused(CompetenceNotHeld, metz, eurometropole):
            metz.transfer_competence(
                competence="eau", to=eurometropole, on=date(2018, 1, 1), cause=TRANSFER
            )
        holding(eurometropole, "mobilite", date(2015, 1, 1))
        with refused(CompetenceAlreadyHeld, metz, eurometropole):
            metz.transfer_competence(
                competence="mobilite", to=eurometropole, on=date(2018, 1, 1), cause=TRANSFER
            )

    def test_refuses_a_competence_already_held_then_or_a_bad_slug(self) -> None:
        """One holding at a time; slugs are lower case."""
        metz = holding(registered("Metz"), "mobilite", date(2010, 1, 1))
        with refused(CompetenceAlreadyHeld, metz):
            metz.add_competence(
                competence="mobilite", label="M", law=None, since=date(2012, 1, 1), cause=ADMIN
            )
        with refused(InvalidCompetence, metz):
            metz.add_competence(
                competence="Mobilité", label="M", law=None, since=date(2012, 1, 1), cause=ADMIN
            )

    def test_replays_to_the_same_holdings(self) -> None:
        """The holdings come from the events alone."""
        metropole = registered("Grand Nancy", TerritoryKind.INTERCOMMUNALITY)
        nancy = Territory.register(
            name="Nancy", kind=TerritoryKind.COMMUNE, members=[], cause=ADMIN
        )
        nancy.add_competence(
            competence="voirie", label="Voirie", law=None, since=date(1990, 1, 1), cause=ADMIN
        )
        nancy.transfer_competence(
            competence="voirie", to=metropole, on=date(2016, 7, 1), cause=TRANSFER
        )
        events = nancy.collect_events()
        replayed = None
        for e in events:
            replayed = e.mutate(replayed)
        assert isinstance(replayed, Territory)
        assert replayed.holdings == nancy.holdings


def facts(
    name: str, *members: TerritoryFacts, holds: tuple[str, date, date | None] | None = None
) -> TerritoryFacts:
    """A territory as the holder rule sees it."""
    holdings: tuple[Holding, ...] = ()
    if holds is not None:
        competence, since, until = holds
        holdings = (Holding(competence, competence, None, since, None, until=until),)
    return TerritoryFacts(uuid4(), name, tuple(m.id for m in members), holdings)


class TestHolderRule:
    DAY = date(2026, 1, 1)

    def test_itself_when_it_holds_it(self) -> None:
        """The territory asked holds it: it alone is named."""
        metz = facts("Metz", holds=("voirie", date(2000, 1, 1), None))
        found = holder_of({metz.id: metz}, metz.id, "voirie", self.DAY)
        assert found == [Holder(metz.id, "Metz", Relation.ITSELF, 0)]

    def test_a_parent_that_holds_it(self) -> None:
        """A city's transferred competence is its intercommunality's."""
        metz = facts("Metz", holds=("voirie", date(2000, 1, 1), date(2018, 1, 1)))
        em = facts("Eurométropole de Metz", metz, holds=("voirie", date(2018, 1, 1), None))
        world = {t.id: t for t in (metz, em)}
        assert holder_of(world, metz.id, "voirie", self.DAY) == [
            Holder(em.id, em.name, Relation.PARENT, 1)
        ]
        assert (
            holder_of(world, metz.id, "voirie", date(2017, 12, 31))[0].relation is Relation.ITSELF
        )

    def test_members_that_hold_it_down_the_groupings(self) -> None:
        """A pole asked about school canteens names the cities that hold it, by name."""
        metz = facts("Metz", holds=("ecoles", date(1983, 1, 1), None))
        nancy = facts("Nancy", holds=("ecoles", date(1983, 1, 1), None))
        em = facts("Eurométropole de Metz", metz)
        gn = facts("Métropole du Grand Nancy", nancy)
        pole = facts("Sillon Lorrain", em, gn)
        world = {t.id: t for t in (metz, nancy, em, gn, pole)}
        found = holder_of(world, pole.id, "ecoles", self.DAY)
        assert [(h.name, h.relation, h.distance) for h in found] == [
            ("Metz", Relation.MEMBER, 2),
            ("Nancy", Relation.MEMBER, 2),
        ]

    def test_the_nearest_first_and_parents_before_members(self) -> None:
        """At the same distance, a parent's competence is named before a member's."""
        commune = facts("Woippy", holds=("eau", date(2000, 1, 1), None))
        em = facts("Eurométropole de Metz", commune)
        pole = facts("Sillon Lorrain", em, holds=("eau", date(2000, 1, 1), None))
        world = {t.id: t for t in (commune, em, pole)}
        found = holder_of(world, em.id, "eau", self.DAY)
        assert [(h.name, h.relation) for h in found] == [
            ("Sillon Lorrain", Relation.PARENT),
            ("Woippy", Relation.MEMBER),
        ]

    def test_nobody_and_cycles_end(self) -> None:
        """No holder: an empty answer, even if groupings loop."""
        a = facts("A")
        b = TerritoryFacts(uuid4(), "B", (a.id,), ())
        a = TerritoryFacts(a.id, "A", (b.id,), ())
        assert holder_of({a.id: a, b.id: b}, a.id, "eau", self.DAY) == []


class TestOutsideCompetence:
    DAY = date(2026, 1, 1)

    def test_names_the_competence_its_label_and_the_nearest_holder(self) -> None:
        """Given a city without the competence and its agglomeration holding it, when a process
        of the city is refused as outside it, then the grounds name the agglomeration."""
        metz = facts("Metz")
        em = facts("Eurométropole de Metz", metz, holds=("transport", date(2018, 1, 1), None))
        world = {t.id: t for t in (metz, em)}
        grounds = outside_competence(world, metz.id, "transport", self.DAY)
        assert grounds == OutsideCompetence(
            "transport", "transport", (Holder(em.id, em.name, Relation.PARENT, 1),)
        )
        assert OutsideCompetence.from_event(grounds.as_event()) == grounds

    def test_nobody_holds_it_and_the_grounds_name_nobody(self) -> None:
        """No territory holds it: the grounds stand, with no one to turn to and no label."""
        metz = facts("Metz")
        grounds = outside_competence({metz.id: metz}, metz.id, "defense", self.DAY)
        assert (grounds.label, grounds.competent) == (None, ())

    def test_refused_when_the_territory_holds_it_that_day(self) -> None:
        """Given the city holds the competence that day, the grounds are refused (it was held
        until the transfer, so a day later they stand)."""
        metz = facts("Metz", holds=("voirie", date(2000, 1, 1), date(2018, 1, 1)))
        world = {metz.id: metz}
        with pytest.raises(CompetenceHeld, match="since 2000-01-01"):
            outside_competence(world, metz.id, "voirie", date(2017, 12, 31))
        assert outside_competence(world, metz.id, "voirie", date(2018, 1, 1)).label == "voirie"
        with pytest.raises(InvalidCompetence):
            outside_competence(world, metz.id, "Voirie!", self.DAY)


class TestPetitionOutsideCompetence:
    GROUNDS = OutsideCompetence(
        "transport", "Mobilité", (Holder(uuid4(), "Eurométropole de Metz", Relation.PARENT, 1),)
    )
    REJECTION = Cause(actor="account:mo", correlation_id="corr-r", reason="hors compétence")

    def lodged(self, territory: UUID | None) -> Petition:
        return drained(
            Petition.lodge(
                title="Un bus le dimanche",
                text="Les lignes s'arrêtent à 20 h.",
                deadline=None,
                thresholds=[],
                cause=ADMIN,
                now=datetime(2026, 1, 1, tzinfo=UTC),
                territory_id=territory,
            )
        )

    def test_a_rejection_records_the_grounds(self) -> None:
        """When rejected as outside its territory's competences, the event carries the grounds
        and the petition keeps them."""
        petition = self.lodged(uuid4())
        petition.decide_admissibility(admissible=False, cause=self.REJECTION, outside=self.GROUNDS)
        decided = only_event(petition, Petition.AdmissibilityDecided)
        assert decided.outside_competence == self.GROUNDS.as_event()
        assert petition.outside_competence == self.GROUNDS

    def test_only_a_rejection_of_a_scoped_petition_cites_them(self) -> None:
        """Admitting while citing grounds, or citing them for a petition of no territory, is
        refused and records nothing."""
        petition = self.lodged(uuid4())
        with refused(InvalidPetition, petition):
            petition.decide_admissibility(admissible=True, cause=ADMIN, outside=self.GROUNDS)
        unscoped = self.lodged(None)
        with refused(InvalidPetition, unscoped):
            unscoped.decide_admissibility(
                admissible=False, cause=self.REJECTION, outside=self.GROUNDS
            )
