"""Territories and the actors' directory through `civic.territories` and `civic.organisations`
on a real database: competences read as of a day, the holder rule over the views, the search by
tag within a territory and its members, the ecosystem's counts and matches, partnerships, and
refusals that leave no trace; the views rebuilt from the log are the same."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.errors import (
    NotYetRecorded,
    OrganisationNotFound,
    TerritoryNotFound,
    VersionNotFound,
)
from application.read_models import CITIZEN_VOTE
from application.scope import TerritoryRequired, UnknownOrganisation, UnknownTerritory
from application.system import CivicLedger
from domain.committee import College, MemberRole, ServesKind
from domain.errors import InvalidCommand
from domain.events import Cause
from domain.majority import Choice, MajorityRule, QuorumRule
from domain.organisation import InvalidOrganisation, OrganisationKind, Section
from domain.organisation_partnership import InvalidPartnership
from domain.petition import Threshold
from domain.territory import CompetenceHeld, CompetenceNotHeld, InvalidTerritory, TerritoryKind
from domain.vote import citizen_vote_id

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


class TestScoping:
    def test_the_platforms_territory_by_default_and_a_choice_when_it_serves_several(
        self, civic: CivicLedger
    ) -> None:
        """No territory yet: a petition belongs to none. One territory grouping the others: it
        is the default. Several that no other groups: the petition must name one (nothing is
        recorded otherwise), and a territory never registered is refused."""

        def lodge(territory_id: UUID | None = None) -> UUID:
            return civic.petitions.lodge(
                title="Un banc devant la poste",
                text="Pour attendre le bus.",
                deadline=None,
                thresholds=[],
                cause=cause(actor="citizen:ada"),
                territory_id=territory_id,
            )

        assert civic.petitions.get(lodge())["territory_id"] is None
        ids = sillon(civic)  # the pole, and Épinal outside it
        with pytest.raises(TerritoryRequired, match="Sillon Lorrain"):
            lodge()
        with pytest.raises(UnknownTerritory):
            lodge(uuid4())
        nancy = civic.petitions.get(lodge(ids["nancy"]))
        assert nancy["territory_id"] == ids["nancy"]
        civic.territories.register(
            name="Grand Est",
            kind=TerritoryKind.REGION,
            members=[ids["pole"], ids["epinal"]],
            cause=cause(),
        )
        region = civic.petitions.get(lodge())
        assert civic.territories.get(region["territory_id"])["name"] == "Grand Est"
        pole = civic.petitions.list(status=None, after=None, limit=10, territory_id=ids["pole"])
        assert [p["id"] for p in pole.items] == [nancy["id"]]
        with pytest.raises(TerritoryNotFound):
            civic.petitions.list(status=None, after=None, limit=10, territory_id=uuid4())

    def test_a_citizen_vote_asked_by_a_petition_belongs_to_its_territory(
        self, civic: CivicLedger
    ) -> None:
        """The vote a threshold drafts is the petition's territory's."""
        ids = sillon(civic)
        petition_id = civic.petitions.lodge(
            title="Un référendum sur le tram",
            text="Que la population décide.",
            deadline=None,
            thresholds=[Threshold(1, CITIZEN_VOTE)],
            cause=cause(actor="citizen:ada"),
            territory_id=ids["metz"],
        )
        civic.petitions.decide_admissibility(
            petition_id, admissible=True, cause=cause("within remit", "moderator:mo")
        )
        civic.petitions.sign(petition_id, signer="citizen:bo", cause=cause(actor="citizen:bo"))
        vote = civic.votes.get(citizen_vote_id(petition_id, 1))
        assert vote["territory_id"] == ids["metz"]
        in_em = civic.votes.list(status=None, after=None, limit=10, territory_id=ids["em"])
        assert [v["id"] for v in in_em.items] == [vote["id"]]

    def test_outside_competence_names_the_competent_territory_and_is_checked(
        self, civic: CivicLedger
    ) -> None:
        """Nancy holds no transport competence, its Métropole does since 2016: the refusal
        cites the Métropole; citing a competence Nancy holds is refused, and nothing recorded."""
        ids = sillon(civic)
        t = civic.territories
        t.add_competence(
            ids["gn"],
            competence="transport",
            label="Organisation de la mobilité",
            law="loi MAPTAM",
            since=date(2016, 1, 1),
            cause=cause(),
        )
        t.add_competence(
            ids["nancy"],
            competence="etat-civil",
            label="État civil",
            law=None,
            since=date(1792, 9, 20),
            cause=cause(),
        )
        petition_id = civic.petitions.lodge(
            title="Plus de bus le dimanche",
            text="Les lignes s'arrêtent à 20 h.",
            deadline=None,
            thresholds=[],
            cause=cause(actor="citizen:ada"),
            territory_id=ids["nancy"],
        )
        before = civic.petitions.get(petition_id)["version"]
        with pytest.raises(CompetenceHeld, match="Nancy holds the competence 'etat-civil'"):
            civic.petitions.decide_admissibility(
                petition_id,
                admissible=False,
                cause=cause("hors compétence", "moderator:mo"),
                outside_competence="etat-civil",
            )
        assert civic.petitions.get(petition_id)["version"] == before
        civic.petitions.decide_admissibility(
            petition_id,
            admissible=False,
            cause=cause("Les bus relèvent de la Métropole.", "moderator:mo"),
            outside_competence="transport",
        )
        view = civic.petitions.get(petition_id)
        assert view["status"] == "rejected"
        assert view["outside_competence"] == {
            "competence": "transport",
            "label": "Organisation de la mobilité",
            "competent": [
                {
                    "territory_id": str(ids["gn"]),
                    "name": "Métropole du Grand Nancy",
                    "relation": "parent",
                    "distance": 1,
                }
            ],
        }
        as_of = civic.petitions.as_of(petition_id, version=2)
        assert as_of["outside_competence"] == view["outside_competence"]

    def test_charter_signatories_and_committee_seats_refer_to_the_directory(
        self, civic: CivicLedger
    ) -> None:
        """A directory organisation signs a charter under its own name and kind, and a committee
        member sits for one; an organisation the directory does not hold is refused."""
        ids = sillon(civic)
        lab = organisation(civic, ids["nancy"], "LORIA", OrganisationKind.RESEARCH_EDUCATION, [])
        committee_id = civic.committees.create(
            name="Comité de la charte",
            serves=ServesKind.TERRITORY,
            serves_name="Sillon Lorrain",
            colleges=[College("research", "Recherche", 2)],
            quorum=QuorumRule(),
            majority=MajorityRule(),
            cause=cause(),
            territory_id=ids["pole"],
        )
        with pytest.raises(UnknownOrganisation):
            civic.committees.appoint(
                committee_id,
                member="acc-rita",
                college="research",
                role=MemberRole.CHAIR,
                start=date(2030, 1, 1),
                cause=cause(),
                organisation_id=uuid4(),
            )
        civic.committees.appoint(
            committee_id,
            member="acc-rita",
            college="research",
            role=MemberRole.CHAIR,
            start=date(2030, 1, 1),
            cause=cause(),
            organisation_id=lab,
        )
        [seat] = civic.committees.members(committee_id, as_of=date(2030, 1, 2))
        assert (seat["member"], seat["organisation_id"]) == ("acc-rita", lab)
        charter_id = civic.charters.draft(
            title="Charte de la donnée",
            preamble="Partager.",
            articles=["Ouvrir les données."],
            cause=cause(),
            territory_id=ids["pole"],
        )
        assert civic.charters.get(charter_id)["territory_id"] == ids["pole"]
        meeting_id = civic.committees.convene(
            committee_id, held_on=date(2030, 1, 2), agenda=[], cause=cause(actor="acc-rita")
        )
        civic.committees.record_attendance(
            meeting_id, present=["acc-rita"], cause=cause(actor="acc-rita")
        )
        item = civic.committees.table_motion(
            meeting_id, title="Adopter la charte", text=None, cause=cause(actor="acc-rita")
        )
        decision_id = civic.committees.decide(
            meeting_id,
            item=item,
            votes={"acc-rita": Choice.FOR},
            rationale="Unanimité.",
            answers=[],
            cause=cause(actor="acc-rita"),
        )
        civic.charters.adopt(charter_id, decision_id=decision_id, cause=cause())
        with pytest.raises(UnknownOrganisation):
            civic.charters.sign(charter_id, organisation=uuid4(), commitments="x", cause=cause())
        civic.charters.sign(
            charter_id, organisation=lab, commitments="Héberger les jeux.", cause=cause()
        )
        [signatory] = civic.charters.signatories(charter_id)
        assert (signatory["name"], signatory["kind"], signatory["directory_id"]) == (
            "LORIA",
            "research_education",
            lab,
        )


class TestAsItStood:
    def test_an_organisation_at_each_version_and_instant_reads_as_the_live_view_did(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """Entries added, changed and removed, its core business described anew, a partnership
        recorded then ended: at each version, and at an instant between two changes, the
        organisation (and its partnerships) read as the live view did then."""
        ids = sillon(civic)
        o = civic.organisations
        partner = organisation(civic, ids["nancy"], "Partner", OrganisationKind.BUSINESS, [])
        lab = organisation(civic, ids["metz"], "Lab", OrganisationKind.RESEARCH_EDUCATION, [])
        seen: dict[int, dict[str, Any]] = {}
        moments: list[tuple[datetime, dict[str, Any]]] = []

        def look() -> None:
            view = o.get(lab)
            seen.setdefault(view["version"], view)  # right after it, before any partnership
            moments.append((datetime.now(tz=UTC), view))

        look()
        first = o.add_entry(
            lab, section=Section.KNOW_HOW, text="Hydrogène", tags=["h2"], cause=cause(actor=CLERK)
        )
        look()
        o.add_entry(
            lab, section=Section.PROBLEM, text="Stockage", tags=["stock"], cause=cause(actor=CLERK)
        )
        look()
        partnership_id = o.record_partnership(
            lab,
            partners=[partner],
            name="H2 lorrain",
            objectives=["Une station"],
            starts_on=date(2026, 1, 1),
            ends_on=None,
            charter_id=None,
            committee_id=None,
            cause=cause(actor=CLERK),
        )
        look()  # the same version, a partnership more
        o.change_entry(
            lab, first, text="Hydrogène vert", tags=["h2", "vert"], cause=cause(actor=CLERK)
        )
        look()
        o.end_partnership(lab, partnership_id, on=date(2027, 1, 1), cause=cause("fini", CLERK))
        o.describe(lab, core_business="Recherche", cause=cause(actor=CLERK))
        look()
        o.remove_entry(lab, 2, cause=cause("résolu", CLERK))
        look()

        assert sorted(seen) == [1, 2, 3, 4, 5, 6]
        for version, view in seen.items():
            assert o.as_of(lab, version=version) == view
        for instant, view in moments:
            assert o.as_of(lab, instant=instant) == view
        two, four = o.as_of(lab, version=2), o.as_of(lab, version=4)
        assert ([e["text"] for e in two["entries"]], two["partnerships"]) == (["Hydrogène"], [])
        assert [
            (p["ends_on"], [n["name"] for n in p["partners"]]) for p in four["partnerships"]
        ] == [(None, ["Lab", "Partner"])]
        assert o.as_of(partner, version=1)["partnerships"] == []
        assert o.as_of(partner, instant=moments[-1][0])["partnerships"] == o.partnerships(lab)
        with unchanged(), pytest.raises(VersionNotFound):
            o.as_of(lab, version=7)
        with unchanged(), pytest.raises(NotYetRecorded):
            o.as_of(lab, instant=seen[1]["registered_at"] - timedelta(microseconds=1))
        with unchanged(), pytest.raises(InvalidCommand):
            o.as_of(lab, version=1, instant=moments[0][0])
        with unchanged(), pytest.raises(InvalidCommand):
            o.as_of(lab, instant=datetime(2030, 1, 1))  # noqa: DTZ001  # naive: refused
        with unchanged(), pytest.raises(OrganisationNotFound):
            o.as_of(ids["metz"], version=1)

    def test_a_territory_at_a_version_before_a_member_and_a_transfer(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """The Eurométropole before Woippy joined it and before Metz gave it its roads; Metz
        before the transfer still holds them on the day asked, with no parent before one
        grouped it; each as the live view read right after that version."""
        t = civic.territories
        day = date(2020, 1, 1)
        metz = t.register(name="Metz", kind=TerritoryKind.COMMUNE, members=[], cause=cause())
        woippy = t.register(name="Woippy", kind=TerritoryKind.COMMUNE, members=[], cause=cause())
        t.add_competence(
            metz,
            competence="voirie",
            label="Voirie",
            law=None,
            since=date(1990, 1, 1),
            cause=cause(),
        )
        metz_v2 = t.get(metz, as_of=day)
        em = t.register(
            name="Eurométropole de Metz",
            kind=TerritoryKind.INTERCOMMUNALITY,
            members=[metz],
            cause=cause(),
        )
        em_v1 = t.get(em, as_of=day)
        t.add_member(em, member_id=woippy, cause=cause())
        em_v2 = t.get(em, as_of=day)
        t.transfer_competence(metz, competence="voirie", to=em, on=day, cause=cause("loi"))

        assert t.get(em, as_of=day, version=1) == em_v1
        assert t.get(em, as_of=day, version=2) == em_v2
        assert [m["name"] for m in em_v1["members"]] == ["Metz"]
        assert (em_v2["competences"], t.get(em, as_of=day)["version"]) == ([], 3)
        assert [c["competence"] for c in t.get(em, as_of=day, version=3)["competences"]] == [
            "voirie"
        ]
        before = t.get(metz, as_of=day, version=2)
        assert before == metz_v2
        assert ([c["competence"] for c in before["competences"]], before["parents"]) == (
            ["voirie"],
            [],
        )
        assert t.get(metz, as_of=date(2019, 12, 31), version=3)["competences"][0]["until"] == day
        assert [p["name"] for p in t.get(woippy, version=1)["parents"]] == []
        with unchanged(), pytest.raises(VersionNotFound):
            t.get(metz, version=4)
        with unchanged(), pytest.raises(TerritoryNotFound):
            t.get(uuid4(), version=1)
