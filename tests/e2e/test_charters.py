"""A participatory charter over HTTP: drafted, amended by citizens, the amendments decided by the
steering committee's roll calls, adopted as version 1, signed by organisations, revised and
diffed; with the refusals a real client meets on the way."""

from __future__ import annotations

from datetime import datetime, timedelta

from .api import CivicApi, Json, assert_problem, json_of
from .server import Account
from .test_committees import DAY, seated_committee

ARTICLES = ["Everyone may take part.", "Meetings are public.", "Minutes are published."]


def drafted(api: CivicApi) -> Json:
    """A charter of three articles, drafted by the committee account."""
    body = {
        "title": "Charte de la participation",
        "preamble": "We, the people.",
        "articles": ARTICLES,
    }
    return json_of(api.client.post("/charters", json=body, headers=api.committee.headers), 201)


def open_meeting(api: CivicApi) -> str:
    """A meeting of a seated committee, everyone present; its path."""
    ada, bea, cyd = api.citizens
    committee = seated_committee(api)
    meeting = json_of(
        api.client.post(
            f"/committees/{committee['id']}/meetings",
            json={"held_on": DAY, "agenda": []},
            headers=bea.headers,
        ),
        201,
    )
    base = f"/meetings/{meeting['id']}"
    present = {"present": [ada.id, bea.id, cyd.id]}
    json_of(api.client.post(f"{base}/attendance", json=present, headers=bea.headers), 200)
    return base


def decide(api: CivicApi, meeting: str, *amendments: str, adopted: bool = True) -> Json:
    """Table a motion on the charter and decide it by roll call, answering `amendments`."""
    ada, bea, cyd = api.citizens
    added = json_of(
        api.client.post(f"{meeting}/items", json={"title": "On the charter"}, headers=ada.headers),
        201,
    )
    choice = "for" if adopted else "against"
    body = {
        "votes": {bea.id: choice, ada.id: choice, cyd.id: "for"},
        "rationale": "Debated.",
        "answers": [{"kind": "charter_amendment", "id": a} for a in amendments],
    }
    decision = json_of(
        api.client.post(
            f"{meeting}/items/{added['item']}/decision", json=body, headers=bea.headers
        ),
        201,
    )
    assert decision["adopted"] is adopted
    return decision


def propose(api: CivicApi, charter: Json, change: Json, who: Account) -> Json:
    """`who` proposes an amendment to the charter's draft."""
    body = {"change": change, "rationale": "It reads better."}
    return json_of(
        api.client.post(f"/charters/{charter['id']}/amendments", json=body, headers=who.headers),
        201,
    )


class TestACharterIsAdoptedAndSigned:
    def test_amended_by_decisions_adopted_signed_revised_and_diffed(self, api: CivicApi) -> None:
        """Citizens propose; an adopted decision accepts, a rejected one rejects; the draft is
        adopted citing a decision; an organisation signs and withdraws; a revision is diffed."""
        ada, bea, cyd = api.citizens
        meeting = open_meeting(api)
        charter = drafted(api)
        assert (charter["status"], charter["latest_version"], charter["draft_version"]) == (
            "draft",
            0,
            1,
        )
        assert [a["number"] for a in charter["draft"]["articles"]] == [1, 2, 3]
        base = f"/charters/{charter['id']}"
        replace = propose(
            api, charter, {"kind": "replace", "article_id": 2, "text": "Meetings are open."}, ada
        )
        add = propose(api, charter, {"kind": "add", "text": "Children have a say."}, cyd)
        assert (replace["status"], replace["proposer"]) == ("pending", ada.id)
        accepting = decide(api, meeting, replace["amendment_id"])
        rejecting = decide(api, meeting, add["amendment_id"], adopted=False)
        amendments = json_of(api.client.get(f"{base}/amendments"), 200)["items"]
        assert [(a["status"], a["decision_id"]) for a in amendments] == [
            ("accepted", accepting["decision_id"]),
            ("rejected", rejecting["decision_id"]),
        ]
        pending = json_of(api.client.get(f"{base}/amendments", params={"status": "pending"}), 200)
        assert pending["items"] == []

        adoption = decide(api, meeting)
        adopted = json_of(
            api.client.post(
                f"{base}/adoption",
                json={"decision_id": adoption["decision_id"]},
                headers=bea.headers,
            ),
            200,
        )
        assert (adopted["status"], adopted["latest_version"], adopted["draft"]) == (
            "adopted",
            1,
            None,
        )
        [summary] = adopted["versions"]
        version = json_of(api.client.get(f"{base}/versions/1"), 200)
        assert version["sha256"] == summary["sha256"]
        assert version["decision_id"] == adoption["decision_id"]
        assert [a["text"] for a in version["text"]["articles"]] == [
            ARTICLES[0],
            "Meetings are open.",
            ARTICLES[2],
        ]

        organisation = {
            "organisation_id": "asso-velo",
            "name": "Vélo Grenoble",
            "kind": "association",
            "commitments": "We ride to every meeting.",
        }
        signed = json_of(
            api.client.post(f"{base}/signatories", json=organisation, headers=bea.headers), 201
        )
        [signature] = signed["items"]
        assert (signature["organisation_id"], signature["version"]) == ("asso-velo", 1)
        left = json_of(
            api.client.post(
                f"{base}/signatories/asso-velo/withdrawal",
                json={"reason": "we merged"},
                headers=bea.headers,
            ),
            200,
        )
        assert left["items"] == []
        signed_at = datetime.fromisoformat(signature["signed_at"])
        for when, expected in [
            (signed_at, ["asso-velo"]),
            (signed_at - timedelta(seconds=1), []),
        ]:
            then = json_of(
                api.client.get(f"{base}/signatories", params={"as_of": when.isoformat()}), 200
            )
            assert [s["organisation_id"] for s in then["items"]] == expected

        revision = json_of(api.client.post(f"{base}/revision", headers=bea.headers), 200)
        assert (revision["status"], revision["draft_version"]) == ("revision", 2)
        remove = propose(api, revision, {"kind": "remove", "article_id": 1}, ada)
        decide(api, meeting, remove["amendment_id"])
        diff = json_of(api.client.get(f"{base}/diff", params={"from": 1}), 200)
        assert (diff["from_version"], diff["to_version"]) == (1, None)
        assert [(a["article_id"], a["status"], a["to_number"]) for a in diff["articles"]] == [
            (1, "removed", None),
            (2, "unchanged", 1),
            (3, "unchanged", 2),
        ]
        history = json_of(api.client.get(f"{base}/history"), 200)["items"]
        assert [e["type"] for e in history][:3] == [
            "Charter.Drafted",
            "Charter.AmendmentProposed",
            "Charter.AmendmentProposed",
        ]
        assert "Charter.SignatureWithdrawn" in {e["type"] for e in history}
        state = json_of(
            api.client.get(f"/audit/aggregates/{charter['id']}", headers=cyd.headers), 200
        )
        assert state["version"] == history[-1]["version"]
        listed = json_of(api.client.get("/charters", params={"limit": 500}), 200)["items"]
        assert charter["id"] in {c["id"] for c in listed}


class TestRefusals:
    def test_refused_requests_are_problems_and_record_nothing(self, api: CivicApi) -> None:
        """401 anonymous, 403 without the role, 404 unknown, 409 out of turn, 422 an uncited or
        unanswering decision, 400 malformed: each a problem document, none leaves an event."""
        ada, bea, _ = api.citizens
        meeting = open_meeting(api)
        charter = drafted(api)
        base = f"/charters/{charter['id']}"
        amendment = propose(
            api, charter, {"kind": "replace", "article_id": 1, "text": "All may take part."}, ada
        )
        unrelated = decide(api, meeting)
        body = {"title": "T", "preamble": "P", "articles": ["A"]}
        change = {"change": {"kind": "remove", "article_id": 2}, "rationale": "r"}
        decision = f"{base}/amendments/{amendment['amendment_id']}/decision"
        refusals: list[tuple[str, str, Json | None, Account | None, int]] = [
            ("post", "/charters", body, None, 401),
            ("post", "/charters", body, ada, 403),
            ("post", f"{base}/amendments", change, api.moderator, 403),
            ("post", "/charters/00000000-0000-0000-0000-000000000000/revision", None, bea, 404),
            ("post", f"{base}/revision", None, bea, 409),
            ("post", f"{base}/adoption", {"decision_id": unrelated["decision_id"]}, bea, 409),
            ("post", f"{base}/signatories/none/withdrawal", {"reason": "r"}, bea, 409),
            (
                "post",
                f"{base}/signatories",
                {"organisation_id": "o", "name": "O", "kind": "business", "commitments": "c"},
                bea,
                409,
            ),
            (
                "post",
                decision,
                {"accepted": True, "decision_id": unrelated["decision_id"]},
                bea,
                422,
            ),
            (
                "post",
                decision,
                {"accepted": True, "decision_id": "00000000-0000-0000-0000-000000000000"},
                bea,
                422,
            ),
            ("post", f"{base}/amendments", {**change, "extra": 1}, ada, 400),
            (
                "post",
                f"{base}/amendments",
                {"change": {"kind": "move"}, "rationale": "r"},
                ada,
                400,
            ),
            (
                "post",
                f"{base}/amendments",
                {**change, "change": {"kind": "remove", "article_id": 9}},
                ada,
                422,
            ),
        ]
        for method, path, json, who, status in refusals:
            headers = None if who is None else who.headers
            with api.records_nothing():
                response = api.client.request(method, path, json=json, headers=headers)
                assert_problem(response, status)
        for path, status in [
            (f"{base}/versions/1", 404),
            (f"{base}/diff", 400),
            (f"{base}/diff?from=1", 422),
            (f"{base}/signatories?as_of=2030-01-01T00:00:00", 422),
            ("/charters/00000000-0000-0000-0000-000000000000", 404),
        ]:
            assert_problem(api.client.get(path), status)


class TestAsItWas:
    def test_a_charter_meeting_and_committee_at_a_version_and_an_instant(
        self, api: CivicApi
    ) -> None:
        """`?version` and `?as_of` show each as its view was then; a version it never had or an
        instant before it is 404, both at once or a naive instant 422."""
        meeting = open_meeting(api)
        charter = drafted(api)
        path = f"/charters/{charter['id']}"
        propose(api, charter, {"kind": "title", "text": "Charte citoyenne"}, api.citizens[0])
        amended = json_of(api.client.get(path), 200)
        decision = decide(api, meeting, *[a["amendment_id"] for a in amendments(api, path)])
        adopt = {"decision_id": decide(api, meeting)["decision_id"]}
        json_of(api.client.post(f"{path}/adoption", json=adopt, headers=api.committee.headers), 200)
        now = json_of(api.client.get(path), 200)
        assert (now["status"], now["title"]) == ("adopted", "Charte citoyenne")

        assert json_of(api.client.get(path, params={"version": 1}), 200) == charter
        assert json_of(api.client.get(path, params={"version": amended["version"]}), 200) == amended
        at = json_of(api.client.get(path, params={"as_of": now["updated_at"]}), 200)
        assert at == now

        past = json_of(api.client.get(meeting, params={"version": 1}), 200)
        assert (past["attendance"], past["decisions"]) == ([], [])
        live = json_of(api.client.get(meeting), 200)
        assert decision["decision_id"] in [d["decision_id"] for d in live["decisions"]]
        assert json_of(api.client.get(meeting, params={"as_of": live["updated_at"]}), 200) == live
        committee = f"/committees/{live['committee_id']}"
        first = json_of(api.client.get(committee, params={"version": 1}), 200)
        assert (first["version"], first["id"]) == (1, live["committee_id"])

        assert_problem(api.client.get(path, params={"version": 99}), 404)
        assert_problem(api.client.get(path, params={"version": 1, "as_of": now["updated_at"]}), 422)
        assert_problem(api.client.get(meeting, params={"as_of": "2026-03-01T12:00:00"}), 422)
        yesterday = (datetime.fromisoformat(charter["drafted_at"]) - timedelta(days=1)).isoformat()
        assert_problem(api.client.get(path, params={"as_of": yesterday}), 404)
        assert_problem(api.client.get(committee, params={"version": 0}), 404)


def amendments(api: CivicApi, path: str) -> list[Json]:
    """The charter's amendments."""
    return list(json_of(api.client.get(f"{path}/amendments"), 200)["items"])
