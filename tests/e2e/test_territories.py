"""Territories and the actors' directory over HTTP, on both backends: an admin registers a pole
and its members and moves a competence on a date; anyone reads it as of a day, asks who holds a
competence, searches the directory and reads the ecosystem; a committee account registers
organisations and keeps their entries (another committee account may not); a partnership names
a charter; every refusal is a problem document and records nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from tests.conftest import POSTGRES, SQLITE

from .api import CivicApi, Json, assert_problem, json_of, petition_body
from .conftest import running_api
from .server import Account, create_account


@pytest.fixture(scope="module", params=[SQLITE, POSTGRES])
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CivicApi]:
    """A server of this module's own: it registers several territories that group no other,
    and on such a platform every new process must name its territory, which the other modules'
    processes do not."""
    with running_api(request, tmp_path_factory) as running:
        yield running


@pytest.fixture(scope="module")
def admin(api: CivicApi) -> Account:
    """An account with the admin role alone."""
    return create_account(api.database_url, api.workdir, f"admin-{uuid4().hex[:6]}", "admin")


def territory(api: CivicApi, admin: Account, name: str, kind: str, *members: str) -> Json:
    """A territory registered by the admin."""
    body = {"name": name, "kind": kind, "members": list(members)}
    return json_of(api.client.post("/territories", json=body, headers=admin.headers), 201)


class TestTerritories:
    def test_competences_over_time_and_their_holder(self, api: CivicApi, admin: Account) -> None:
        """Mobility moves from Thionville to its agglomeration on 2020-01-01, with its reason;
        read before and after; the holder rule names the parent; refusals record nothing."""
        suffix = uuid4().hex[:6]
        city = territory(api, admin, f"Thionville {suffix}", "commune")
        agglo = territory(
            api, admin, f"CA Portes de France {suffix}", "intercommunality", city["id"]
        )
        base = f"/territories/{city['id']}"
        body = {
            "competence": "mobilite",
            "label": "Mobilité",
            "since": "2010-01-01",
            "law": "loi LOM 2019",
        }
        added = json_of(
            api.client.post(f"{base}/competences", json=body, headers=admin.headers), 201
        )
        assert [c["law"] for c in added["competences"]] == ["loi LOM 2019"]
        with api.records_nothing():
            assert_problem(
                api.client.post(f"{base}/competences", json=body, headers=admin.headers), 409
            )
            assert_problem(
                api.client.post(f"{base}/competences", json=body, headers=api.committee.headers),
                403,
            )
            no_reason = {"to_territory_id": agglo["id"], "on": "2020-01-01"}
            assert_problem(
                api.client.post(
                    f"{base}/competences/mobilite/transfer", json=no_reason, headers=admin.headers
                ),
                400,
            )
        transfer = {
            "to_territory_id": agglo["id"],
            "on": "2020-01-01",
            "reason": "AOM intercommunale",
        }
        json_of(
            api.client.post(
                f"{base}/competences/mobilite/transfer", json=transfer, headers=admin.headers
            ),
            200,
        )

        def held(path: str, day: str) -> list[str]:
            view = json_of(api.client.get(path, params={"as_of": day}), 200)
            return [c["competence"] for c in view["competences"]]

        assert held(base, "2019-12-31") == ["mobilite"]
        assert held(base, "2020-01-01") == []
        assert held(f"/territories/{agglo['id']}", "2020-01-01") == ["mobilite"]
        holder = json_of(
            api.client.get(f"{base}/competences/mobilite/holder", params={"on": "2021-06-01"}), 200
        )
        assert (
            holder["held"],
            [(h["territory_id"], h["relation"]) for h in holder["holders"]],
        ) == (
            False,
            [(agglo["id"], "parent")],
        )
        assert_problem(api.client.get(f"{base}/competences/Mobilité/holder"), 422)
        assert_problem(api.client.get(f"/territories/{uuid4()}"), 404)
        history = json_of(api.client.get(f"{base}/history"), 200)["items"]
        assert [(e["type"], e["reason"]) for e in history] == [
            ("Territory.Registered", None),
            ("Territory.CompetenceAdded", None),
            ("Territory.CompetenceTransferred", "AOM intercommunale"),
        ]
        listed = json_of(
            api.client.get("/territories", params={"kind": "intercommunality", "limit": 500}), 200
        )
        assert agglo["id"] in [t["id"] for t in listed["items"]]


class TestDirectory:
    def test_organisations_entries_search_ecosystem_and_partnerships(
        self, api: CivicApi, admin: Account
    ) -> None:
        """The registrant keeps the entries; search and ecosystem cover the pole's members; a
        partnership linked to a charter shows in both partners' directory entries."""
        suffix = uuid4().hex[:6]
        metz = territory(api, admin, f"Metz {suffix}", "commune")
        nancy = territory(api, admin, f"Nancy {suffix}", "commune")
        pole = territory(
            api, admin, f"Sillon {suffix}", "metropolitan_pole", metz["id"], nancy["id"]
        )
        keeper = api.committee

        def register(name: str, kind: str, where: Json) -> Json:
            body = {"name": name, "kind": kind, "territory_id": where["id"], "core_business": "x"}
            return json_of(
                api.client.post("/organisations", json=body, headers=keeper.headers), 201
            )

        def add(org: Json, section: str, *tags: str) -> Json:
            body = {"section": section, "text": f"{section}: {', '.join(tags)}", "tags": list(tags)}
            path = f"/organisations/{org['id']}/entries"
            return json_of(api.client.post(path, json=body, headers=keeper.headers), 201)

        lab = register("Institut Jean Lamour", "research_education", nancy)
        startup = register("Start-up H2", "business", metz)
        add(lab, "know_how", f"hydrogene{suffix}")
        add(lab, "topic", f"energie{suffix}")
        with_problem = add(startup, "problem", f"hydrogene{suffix}")
        assert with_problem["entries"][0]["added_by"] == keeper.id
        with api.records_nothing():
            assert_problem(
                api.client.post(
                    f"/organisations/{lab['id']}/entries", json={}, headers=api.citizen.headers
                ),
                403,
            )
            bad = {"section": "problem", "text": "t", "tags": ["Énergie"]}
            assert_problem(
                api.client.post(
                    f"/organisations/{lab['id']}/entries", json=bad, headers=keeper.headers
                ),
                400,
            )
            gone = {"reason": "x"}
            assert_problem(
                api.client.post(
                    f"/organisations/{lab['id']}/entries/9/removal",
                    json=gone,
                    headers=keeper.headers,
                ),
                422,
            )

        found = json_of(
            api.client.get(
                "/organisations", params={"know_how": f"hydrogene{suffix}", "territory": pole["id"]}
            ),
            200,
        )
        assert [o["name"] for o in found["items"]] == ["Institut Jean Lamour"]
        in_metz = json_of(
            api.client.get(
                "/organisations", params={"know_how": f"hydrogene{suffix}", "territory": metz["id"]}
            ),
            200,
        )
        assert in_metz["items"] == []
        eco = json_of(api.client.get(f"/territories/{pole['id']}/ecosystem"), 200)
        assert (eco["organisations"], eco["by_topic"]) == (2, {f"energie{suffix}": 1})
        assert eco["by_kind"]["research_education"] == 1
        [problem] = eco["problems"]
        assert [o["name"] for o in problem["offered_by"]] == ["Institut Jean Lamour"]

        charter_id = _charter(api, pole["id"])
        body = {
            "name": "Hydrogène lorrain",
            "partners": [startup["id"]],
            "objectives": ["Une station de recharge"],
            "starts_on": "2026-01-01",
            "charter_id": charter_id,
        }
        path = f"/organisations/{lab['id']}/partnerships"
        with api.records_nothing():
            unknown = {**body, "charter_id": str(uuid4())}
            assert_problem(api.client.post(path, json=unknown, headers=keeper.headers), 422)
        partnership = json_of(api.client.post(path, json=body, headers=keeper.headers), 201)
        assert [p["name"] for p in partnership["partners"]] == [
            "Institut Jean Lamour",
            "Start-up H2",
        ]
        shown = json_of(api.client.get(f"/organisations/{startup['id']}"), 200)
        assert [(p["id"], p["charter_id"]) for p in shown["partnerships"]] == [
            (partnership["id"], charter_id)
        ]
        history = json_of(api.client.get(f"/organisations/{startup['id']}/history"), 200)["items"]
        assert [(e["type"], e["actor"]) for e in history] == [
            ("Organisation.Registered", keeper.id),
            ("Organisation.EntryAdded", keeper.id),
        ]

    def test_only_the_keeper_or_an_admin_keeps_the_entries(
        self, api: CivicApi, admin: Account
    ) -> None:
        """Another committee account gets 403; an admin may."""
        place = territory(api, admin, f"Épinal {uuid4().hex[:6]}", "commune")
        body = {
            "name": "Scierie",
            "kind": "business",
            "territory_id": place["id"],
            "core_business": "Bois",
        }
        org = json_of(
            api.client.post("/organisations", json=body, headers=api.committee.headers), 201
        )
        other = create_account(api.database_url, api.workdir, f"com-{uuid4().hex[:6]}", "committee")
        entry = {"section": "equipment", "text": "Une scie", "tags": ["bois"]}
        path = f"/organisations/{org['id']}/entries"
        with api.records_nothing():
            assert_problem(api.client.post(path, json=entry, headers=other.headers), 403)
        json_of(api.client.post(path, json=entry, headers=admin.headers), 201)
        change = {"text": "Deux scies", "tags": ["bois", "sciage"]}
        changed = json_of(
            api.client.put(f"{path}/1", json=change, headers=api.committee.headers), 200
        )
        assert (changed["entries"][0]["changed_by"], changed["entries"][0]["added_by"]) == (
            api.committee.id,
            admin.id,
        )


class TestAsItStood:
    def test_a_territory_an_organisation_and_its_partnerships_at_a_version(
        self, api: CivicApi, admin: Account
    ) -> None:
        """`?version=N` reads each as it stood right after version N; a version it never had is
        a 404 problem, a version with an instant a 422 one."""
        suffix = uuid4().hex[:6]
        city = territory(api, admin, f"Yutz {suffix}", "commune")
        town = territory(api, admin, f"Terville {suffix}", "commune")
        agglo = territory(api, admin, f"CA Val de Fensch {suffix}", "intercommunality", city["id"])
        path = f"/territories/{agglo['id']}"
        json_of(
            api.client.post(
                f"{path}/members", json={"member_id": town["id"]}, headers=admin.headers
            ),
            200,
        )
        first = json_of(api.client.get(path, params={"version": 1, "as_of": "2020-01-01"}), 200)
        assert ([m["name"] for m in first["members"]], first["version"], first["as_of"]) == (
            [f"Yutz {suffix}"],
            1,
            "2020-01-01",
        )
        assert_problem(api.client.get(path, params={"version": 3}), 404)

        keeper = api.committee
        body = {"name": "Forge", "kind": "business", "territory_id": city["id"]}
        org = json_of(
            api.client.post(
                "/organisations", json={**body, "core_business": "Acier"}, headers=keeper.headers
            ),
            201,
        )
        partner = json_of(
            api.client.post(
                "/organisations",
                json={**body, "name": "Atelier", "core_business": "Outils"},
                headers=keeper.headers,
            ),
            201,
        )
        base = f"/organisations/{org['id']}"
        entry = {"section": "equipment", "text": "Un four", "tags": ["four"]}
        json_of(api.client.post(f"{base}/entries", json=entry, headers=keeper.headers), 201)
        partnership = {
            "name": "Acier local",
            "partners": [partner["id"]],
            "objectives": ["Former"],
            "starts_on": "2026-01-01",
        }
        json_of(
            api.client.post(f"{base}/partnerships", json=partnership, headers=keeper.headers), 201
        )
        change = {"text": "Deux fours", "tags": ["four"]}
        json_of(api.client.put(f"{base}/entries/1", json=change, headers=keeper.headers), 200)
        now = json_of(api.client.get(base), 200)
        assert json_of(api.client.get(base, params={"version": 3}), 200) == now
        two = json_of(api.client.get(base, params={"version": 2}), 200)
        assert ([e["text"] for e in two["entries"]], two["partnerships"]) == (["Un four"], [])
        assert json_of(api.client.get(base, params={"version": 1}), 200)["entries"] == []
        assert_problem(api.client.get(base, params={"version": 4}), 404)
        at = datetime.now(tz=UTC).isoformat()
        assert_problem(api.client.get(base, params={"version": 1, "as_of": at}), 422)
        assert json_of(api.client.get(base, params={"as_of": at}), 200) == now

        listed = f"{base}/partnerships"
        assert json_of(api.client.get(listed, params={"version": 2}), 200) == {"items": []}
        assert [
            p["name"] for p in json_of(api.client.get(listed, params={"version": 3}), 200)["items"]
        ] == ["Acier local"]
        assert_problem(api.client.get(listed, params={"version": 4}), 404)
        assert_problem(api.client.get(listed, params={"version": 1, "as_of": at}), 422)
        earlier = (datetime.now(tz=UTC) - timedelta(days=1)).isoformat()
        assert_problem(api.client.get(listed, params={"as_of": earlier}), 404)


def _charter(api: CivicApi, territory_id: str) -> str:
    """A charter of the territory, drafted by the committee."""
    body = {
        "title": "Charte",
        "preamble": "Nous.",
        "articles": ["Un."],
        "territory_id": territory_id,
    }
    return str(
        json_of(api.client.post("/charters", json=body, headers=api.committee.headers), 201)["id"]
    )


def committee_body(territory_id: str | None) -> Json:
    """A small committee of the territory `territory_id`."""
    return {
        "name": "Comité mobilité",
        "serves": {"kind": "territory", "name": "Sillon"},
        "colleges": [{"id": "public", "name": "Public authorities", "seats": 3}],
        "territory_id": territory_id,
    }


def vote_body(api: CivicApi, territory_id: str) -> Json:
    """A plurality vote of the territory `territory_id`, open tomorrow."""
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    return {
        "question": "Which square gets the market?",
        "options": [{"id": "a", "label": "Place A"}, {"id": "b", "label": "Place B"}],
        "method": "plurality",
        "opens_at": tomorrow.isoformat(),
        "closes_at": (tomorrow + timedelta(days=1)).isoformat(),
        "electorate": {"kind": "roll", "accounts": [c.id for c in api.citizens]},
        "territory_id": territory_id,
    }


class TestScoping:
    def test_processes_belong_to_a_territory_and_lists_cover_its_members(
        self, api: CivicApi, admin: Account
    ) -> None:
        """On a platform of several territories, a petition names its own (422 otherwise, or for
        one never registered); each listing filtered by a pole covers its member cities, and by
        a city, only the city's; an unknown territory in a filter is a 404."""
        suffix = uuid4().hex[:6]
        city = territory(api, admin, f"Épinal {suffix}", "commune")
        other = territory(api, admin, f"Metz {suffix}", "commune")
        pole = territory(
            api, admin, f"Sillon {suffix}", "metropolitan_pole", city["id"], other["id"]
        )
        with api.records_nothing():
            unscoped = assert_problem(
                api.client.post("/petitions", json=petition_body(), headers=api.citizen.headers),
                422,
            )
            assert "territory_id" in unscoped["detail"]
            assert_problem(
                api.client.post(
                    "/petitions",
                    json=petition_body(territory_id=str(uuid4())),
                    headers=api.citizen.headers,
                ),
                422,
            )
        petition = api.lodge(territory_id=city["id"])
        assert petition["territory_id"] == city["id"]
        committee = json_of(
            api.client.post(
                "/committees", json=committee_body(pole["id"]), headers=api.committee.headers
            ),
            201,
        )
        vote = json_of(
            api.client.post(
                "/votes", json=vote_body(api, other["id"]), headers=api.committee.headers
            ),
            201,
        )
        charter = json_of(
            api.client.post(
                "/charters",
                json={
                    "title": "Charte de la mobilité",
                    "preamble": "Ensemble.",
                    "articles": ["Partager les données."],
                    "territory_id": pole["id"],
                },
                headers=api.committee.headers,
            ),
            201,
        )
        assert (committee["territory_id"], vote["territory_id"], charter["territory_id"]) == (
            pole["id"],
            other["id"],
            pole["id"],
        )

        def listed(path: str, area: Json) -> set[str]:
            page = json_of(api.client.get(path, params={"territory": area["id"]}), 200)
            return {item["id"] for item in page["items"]}

        assert listed("/petitions", pole) == {petition["id"]}
        assert listed("/petitions", city) == {petition["id"]}
        assert listed("/petitions", other) == set()
        assert listed("/votes", pole) == {vote["id"]}
        assert listed("/votes", city) == set()
        assert listed("/committees", pole) == {committee["id"]}
        assert listed("/committees", city) == set()  # a pole's committee is not a city's
        assert listed("/charters", pole) == {charter["id"]}
        assert listed("/consultations", pole) == set()
        for path in ("/petitions", "/votes", "/committees", "/charters", "/consultations"):
            assert_problem(api.client.get(path, params={"territory": str(uuid4())}), 404)

    def test_a_petition_outside_the_towns_competences_names_who_holds_it(
        self, api: CivicApi, admin: Account
    ) -> None:
        """The city does not hold public transport, its agglomeration does: the moderator rejects
        the city's petition as outside its competences, and the petition names the agglomeration;
        citing a competence the city holds, or admitting while citing one, is refused."""
        suffix = uuid4().hex[:6]
        city = territory(api, admin, f"Thionville {suffix}", "commune")
        agglo = territory(api, admin, f"CA Portes {suffix}", "intercommunality", city["id"])
        for holder, competence, label in (
            (agglo, "transport", "Mobilité et transports urbains"),
            (city, "voirie", "Voirie communale"),
        ):
            body = {"competence": competence, "label": label, "since": "2015-01-01"}
            json_of(
                api.client.post(
                    f"/territories/{holder['id']}/competences", json=body, headers=admin.headers
                ),
                201,
            )
        petition = api.lodge(territory_id=city["id"])
        path = f"/petitions/{petition['id']}/admissibility"
        reason = "Les lignes de bus relèvent de l'agglomération."
        with api.records_nothing():
            for refused, status in (
                ({"admissible": False, "reason": reason, "outside_competence": "voirie"}, 422),
                ({"admissible": True, "outside_competence": "transport"}, 422),
                ({"admissible": False, "reason": reason, "outside_competence": "Not A Slug"}, 400),
            ):
                assert_problem(
                    api.client.post(path, json=refused, headers=api.moderator.headers), status
                )
        rejected = json_of(
            api.client.post(
                path,
                json={"admissible": False, "reason": reason, "outside_competence": "transport"},
                headers=api.moderator.headers,
            ),
            200,
        )
        assert rejected["status"] == "rejected"
        assert rejected["admissibility_reason"] == reason
        assert rejected["outside_competence"] == {
            "competence": "transport",
            "label": "Mobilité et transports urbains",
            "competent": [
                {
                    "territory_id": agglo["id"],
                    "name": agglo["name"],
                    "relation": "parent",
                    "distance": 1,
                }
            ],
        }
        entry = api.audit(aggregate_id=petition["id"])[-1]
        assert entry["data"]["outside_competence"]["competent"][0]["territory_id"] == agglo["id"]
