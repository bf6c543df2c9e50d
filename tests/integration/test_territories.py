"""Territories and the actors' directory through `civic.territories` and `civic.organisations`
on a real database: competences read as of a day, the holder rule over the views, the search by
tag within a territory and its members, the ecosystem's counts and matches, partnerships, and
refusals that leave no trace; the views rebuilt from the log are the same."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.errors import TerritoryNotFound
from application.system import CivicLedger
from domain.events import Cause
from domain.organisation import InvalidOrganisation, OrganisationKind, Section
from domain.organisation_partnership import InvalidPartnership
from domain.territory import CompetenceNotHeld, InvalidTerritory, TerritoryKind

Unchanged = Callable[[], AbstractContextManager[None]]
CLERK = "acc-clerk"


def cause(reason: str | None = None, actor: str = "acc-admin") -> Cause:
    """A cause with a fresh correlation id."""
    return Cause(actor=actor, correlation_id=str(uuid4()), reason=reason)


def sillon(civic: CivicLedger) -> dict[str, UUID]:
    """Metz within its Eurométropole, Nancy within its Métropole, both in the Sillon Lorrain
    pole; Épinal outside it."""
    t = civic.territories
    ids = {"metz": t.register(name="Metz", kind=TerritoryKind.COMMUNE, members=[], cause=cause())}
    ids["nancy"] = t.register(name="Nancy", kind=TerritoryKind.COMMUNE, members=[], cause=cause())
    ids["epinal"] = t.register(name="Épinal", kind=TerritoryKind.COMMUNE, members=[], cause=cause())
    ids["em"] = t.register(
        name="Eurométropole de Metz",
        kind=TerritoryKind.INTERCOMMUNALITY,
        members=[ids["metz"]],
        cause=cause(),
    )
    ids["gn"] = t.register(
        name="Métropole du Grand Nancy",
        kind=TerritoryKind.INTERCOMMUNALITY,
        members=[ids["nancy"]],
        cause=cause(),
    )
    ids["pole"] = t.register(
        name="Sillon Lorrain",
        kind=TerritoryKind.METROPOLITAN_POLE,
        members=[ids["em"], ids["gn"]],
        cause=cause(),
    )
    return ids


def organisation(
    civic: CivicLedger,
    territory: UUID,
    name: str,
    kind: OrganisationKind,
    entries: list[tuple[Section, list[str]]],
) -> UUID:
    """An organisation registered by the clerk with tagged entries."""
    organisation_id = civic.organisations.register(
        name=name,
        kind=kind,
        territory_id=territory,
        core_business=f"{name}'s business",
        cause=cause(actor=CLERK),
    )
    for section, tags in entries:
        civic.organisations.add_entry(
            organisation_id,
            section=section,
            text=f"{section} {' '.join(tags)}",
            tags=tags,
            cause=cause(actor=CLERK),
        )
    return organisation_id


class TestCompetences:
    def test_read_as_of_a_day_and_held_by_the_nearest(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """Metz's road network moves to its Eurométropole on 1 January 2018: Metz lists it
        before, not after; the holder rule names the Eurométropole after."""
        ids = sillon(civic)
        t = civic.territories
        t.add_competence(
            ids["metz"],
            competence="voirie",
            label="Voirie",
            law=None,
            since=date(1990, 1, 1),
            cause=cause(),
        )
        t.transfer_competence(
            ids["metz"],
            competence="voirie",
            to=ids["em"],
            on=date(2018, 1, 1),
            cause=cause("métropole"),
        )
        before = t.get(ids["metz"], as_of=date(2017, 12, 31))
        after = t.get(ids["metz"], as_of=date(2018, 1, 1))
        assert [c["competence"] for c in before["competences"]] == ["voirie"]
        assert after["competences"] == []
        assert [p["name"] for p in after["parents"]] == ["Eurométropole de Metz"]
        assert [
            c["competence"] for c in t.get(ids["em"], as_of=date(2018, 1, 1))["competences"]
        ] == ["voirie"]
        answer = t.holder(ids["metz"], "voirie", on=date(2020, 1, 1))
        assert (answer["held"], [(h["name"], h["relation"]) for h in answer["holders"]]) == (
            False,
            [("Eurométropole de Metz", "parent")],
        )
        from_pole = t.holder(ids["pole"], "voirie", on=date(2020, 1, 1))
        assert [(h["name"], h["relation"], h["distance"]) for h in from_pole["holders"]] == [
            ("Eurométropole de Metz", "member", 1)
        ]
        assert t.holder(ids["epinal"], "voirie", on=date(2020, 1, 1))["holders"] == []
        with unchanged(), pytest.raises(CompetenceNotHeld):
            t.transfer_competence(
                ids["metz"],
                competence="voirie",
                to=ids["em"],
                on=date(2020, 1, 1),
                cause=cause("x"),
            )
        with unchanged(), pytest.raises(InvalidTerritory):  # the pole is Metz's grand-parent
            t.add_member(ids["metz"], member_id=ids["pole"], cause=cause())
        with unchanged(), pytest.raises(TerritoryNotFound):
            t.get(uuid4())


class TestDirectory:
    def test_search_by_tag_within_a_territory_and_its_members(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """The filters combine; the pole covers Metz and Nancy but not Épinal."""
        ids = sillon(civic)
        lab = organisation(
            civic,
            ids["nancy"],
            "LORIA",
            OrganisationKind.RESEARCH_EDUCATION,
            [(Section.KNOW_HOW, ["cyber", "donnees"]), (Section.TOPIC, ["numerique"])],
        )
        garage = organisation(
            civic,
            ids["metz"],
            "Garage Solidaire",
            OrganisationKind.ASSOCIATION,
            [(Section.PROBLEM, ["cyber"]), (Section.TOPIC, ["numerique"])],
        )
        organisation(
            civic,
            ids["epinal"],
            "Pôle Fibres",
            OrganisationKind.BUSINESS,
            [(Section.KNOW_HOW, ["cyber"])],
        )

        def names(**filters: Any) -> list[str]:
            return [r["name"] for r in civic.organisations.search(**filters).items]

        assert names(know_how="cyber") == ["LORIA", "Pôle Fibres"]
        assert names(know_how="cyber", territory=ids["pole"]) == ["LORIA"]
        assert names(topic="numerique", territory=ids["em"]) == ["Garage Solidaire"]
        assert names(problem="cyber", topic="numerique") == ["Garage Solidaire"]
        assert names(problem="donnees") == []
        civic.organisations.change_entry(
            lab, 1, text="Données", tags=["donnees"], cause=cause(actor=CLERK)
        )
        assert names(know_how="cyber") == ["Pôle Fibres"]
        civic.organisations.remove_entry(garage, 1, cause=cause("solved", actor=CLERK))
        assert names(problem="cyber") == []
        page = civic.organisations.search(limit=2)
        assert (len(page.items), page.next is not None) == (2, True)
        with unchanged(), pytest.raises(InvalidOrganisation):
            civic.organisations.register(
                name="X",
                kind=OrganisationKind.BUSINESS,
                territory_id=uuid4(),
                core_business="x",
                cause=cause(),
            )

    def test_the_ecosystem_counts_and_matches_problems_with_know_how(
        self, civic: CivicLedger, views: Callable[[CivicLedger], dict[str, Any]]
    ) -> None:
        """Counts by kind and topic over the pole; each problem lists the others offering
        know-how under one of its tags; a rebuild gives the same views."""
        ids = sillon(civic)
        lab = organisation(
            civic,
            ids["nancy"],
            "LORIA",
            OrganisationKind.RESEARCH_EDUCATION,
            [(Section.KNOW_HOW, ["cyber"]), (Section.TOPIC, ["numerique"])],
        )
        agency = organisation(
            civic,
            ids["metz"],
            "Agence Énergie",
            OrganisationKind.PUBLIC_BODY,
            [(Section.KNOW_HOW, ["energie", "batiment"]), (Section.TOPIC, ["climat"])],
        )
        bakery = organisation(
            civic,
            ids["metz"],
            "Boulangerie Coop",
            OrganisationKind.BUSINESS,
            [(Section.PROBLEM, ["energie", "cyber"]), (Section.TOPIC, ["climat"])],
        )
        organisation(
            civic,
            ids["epinal"],
            "Outsider",
            OrganisationKind.BUSINESS,
            [(Section.KNOW_HOW, ["energie"])],
        )
        eco = civic.territories.ecosystem(ids["pole"])
        assert (eco["territories"], eco["organisations"]) == (5, 3)
        assert eco["by_kind"] == {
            "public_body": 1,
            "business": 1,
            "association": 0,
            "research_education": 1,
            "citizen_group": 0,
        }
        assert eco["by_topic"] == {"climat": 2, "numerique": 1}
        [problem] = eco["problems"]
        assert problem["organisation_id"] == bakery
        assert [(o["id"], o["tags"]) for o in problem["offered_by"]] == [
            (lab, ["cyber"]),
            (agency, ["energie"]),
        ]
        partnership = civic.organisations.record_partnership(
            lab,
            partners=[agency],
            name="Sobriété numérique",
            objectives=["Mesurer l'énergie des serveurs"],
            starts_on=date(2026, 1, 1),
            ends_on=None,
            charter_id=None,
            committee_id=None,
            cause=cause(actor=CLERK),
        )
        [listed] = civic.organisations.get(agency)["partnerships"]
        assert (listed["id"], [p["name"] for p in listed["partners"]]) == (
            partnership,
            ["LORIA", "Agence Énergie"],
        )
        before = views(civic)
        civic.read_models.rebuild()
        assert views(civic) == before

    def test_a_partnership_needs_known_partners_and_links(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """Unknown partners, charters or committees are refused, nothing recorded."""
        ids = sillon(civic)
        a = organisation(civic, ids["metz"], "A", OrganisationKind.BUSINESS, [])
        b = organisation(civic, ids["nancy"], "B", OrganisationKind.BUSINESS, [])
        common: dict[str, Any] = {
            "name": "P",
            "objectives": ["o"],
            "starts_on": date(2026, 1, 1),
            "ends_on": None,
            "cause": cause(actor=CLERK),
        }
        for partners, charter_id, committee_id in (
            ([uuid4()], None, None),
            ([b], uuid4(), None),
            ([b], None, uuid4()),
        ):
            with unchanged(), pytest.raises(InvalidPartnership):
                civic.organisations.record_partnership(
                    a, partners=partners, charter_id=charter_id, committee_id=committee_id, **common
                )
