"""A steering committee over HTTP: created, members appointed, a petition referred by its
threshold, taken up in a meeting, decided by roll call and answered citing the decision; with the
refusals a real client meets on the way."""

from __future__ import annotations

from .api import CivicApi, Json, assert_problem, json_of, petition_body

START = "2030-01-01"
DAY = "2030-03-01"


def committee_body(**fields: object) -> Json:
    """A committee of two colleges, simple majority, quorum of more than half."""
    return {
        "name": "Mobility steering committee",
        "serves": {"kind": "territory", "name": "Grenoble-Alpes"},
        "colleges": [
            {"id": "public", "name": "Public authorities", "seats": 2},
            {"id": "citizens", "name": "Citizens", "seats": 3},
        ],
        "quorum": {"share": "1/2", "per_college": 1},
        "majority": {"kind": "simple"},
        **fields,
    }


def seated_committee(api: CivicApi) -> Json:
    """A committee with bea (the committee account) as chair and ada and cyd as members."""
    committee = json_of(
        api.client.post("/committees", json=committee_body(), headers=api.committee.headers), 201
    )
    ada, bea, cyd = api.citizens
    for member, college, role in [
        (bea, "public", "chair"),
        (ada, "citizens", "member"),
        (cyd, "citizens", "member"),
    ]:
        json_of(
            api.client.post(
                f"/committees/{committee['id']}/members",
                json={"member": member.id, "college": college, "role": role, "start": START},
                headers=api.committee.headers,
            ),
            201,
        )
    return committee


class TestAMeetingAnswersAPetition:
    def test_referred_taken_up_decided_and_cited_in_the_response(self, api: CivicApi) -> None:
        """The first signature refers the petition; the meeting decides on it; the petition
        lists the decision and its official response cites it."""
        ada, bea, cyd = api.citizens
        committee = seated_committee(api)
        members = json_of(
            api.client.get(f"/committees/{committee['id']}/members", params={"as_of": DAY}), 200
        )
        assert members["as_of"] == DAY
        assert {m["member"] for m in members["items"]} == {ada.id, bea.id, cyd.id}
        threshold = {"signatures": 1, "consequence": "committee_agenda"}
        petition = api.open_petition(thresholds=[{**threshold, "committee_id": committee["id"]}])
        assert petition["thresholds"][0]["committee_id"] == committee["id"]
        json_of(api.sign(petition["id"], ada), 201)
        referrals = json_of(api.client.get(f"/committees/{committee['id']}"), 200)["referrals"]
        assert [r["petition_id"] for r in referrals] == [petition["id"]]

        meeting = json_of(
            api.client.post(
                f"/committees/{committee['id']}/meetings",
                json={"held_on": DAY, "agenda": []},
                headers=bea.headers,
            ),
            201,
        )
        base = f"/meetings/{meeting['id']}"
        added = json_of(
            api.client.post(
                f"{base}/items/petition", json={"petition_id": petition["id"]}, headers=bea.headers
            ),
            201,
        )
        assert added["item"] == 1
        present = {"present": [ada.id, bea.id, cyd.id]}
        json_of(api.client.post(f"{base}/attendance", json=present, headers=bea.headers), 200)
        votes = {bea.id: "for", ada.id: "for", cyd.id: "against"}
        decision = json_of(
            api.client.post(
                f"{base}/items/1/decision",
                json={"votes": votes, "rationale": "A tram study fits the plan."},
                headers=bea.headers,
            ),
            201,
        )
        assert decision["adopted"] is True
        assert decision["counts"] == {"for": 2, "against": 1, "abstain": 0}
        assert decision["answers"] == [{"kind": "petition", "id": petition["id"]}]
        assert json_of(api.client.get(f"/decisions/{decision['decision_id']}"), 200) == decision

        answered = api.petition(petition["id"])
        assert [d["decision_id"] for d in answered["decisions"]] == [decision["decision_id"]]
        assert answered["decisions"][0]["meeting_id"] == meeting["id"]
        responded = json_of(
            api.client.post(
                f"/petitions/{petition['id']}/response",
                json={"text": "A tram study is ordered.", "decision_id": decision["decision_id"]},
                headers=api.committee.headers,
            ),
            200,
        )
        assert responded["response_decision_id"] == decision["decision_id"]

        json_of(
            api.client.post(f"{base}/minutes", json={"text": "We met."}, headers=bea.headers), 200
        )
        closed = json_of(api.client.post(f"{base}/close", headers=bea.headers), 200)
        assert closed["status"] == "closed"
        assert [d["decision_id"] for d in closed["decisions"]] == [decision["decision_id"]]
        history = json_of(api.client.get(f"{base}/history"), 200)["items"]
        assert [e["type"] for e in history] == [
            "Meeting.Convened",
            "Meeting.PetitionTakenUp",
            "Meeting.AttendanceRecorded",
            "Meeting.Decided",
            "Meeting.MinutesPublished",
            "Meeting.Closed",
        ]
        assert {e["parent_id"] for e in history} == {committee["id"]}
        own = json_of(api.client.get(f"/committees/{committee['id']}/history"), 200)["items"]
        assert [e["type"] for e in own][-1] == "Committee.PetitionReferred"


class TestRefusals:
    def test_refused_requests_are_problems_and_record_nothing(self, api: CivicApi) -> None:
        """401 anonymous, 403 without the role or the seat, 404 unknown, 409 out of turn, 422
        bad content, 400 malformed: each a problem document, none leaves an event."""
        ada, bea, _ = api.citizens
        committee = seated_committee(api)
        meeting = json_of(
            api.client.post(
                f"/committees/{committee['id']}/meetings",
                json={"held_on": DAY, "agenda": ["Opening"]},
                headers=bea.headers,
            ),
            201,
        )
        base = f"/meetings/{meeting['id']}"
        petition = api.open_petition()
        with api.records_nothing():
            assert_problem(api.client.post("/committees", json=committee_body()), 401)
            assert_problem(
                api.client.post("/committees", json=committee_body(), headers=ada.headers), 403
            )
            assert_problem(api.client.post(f"{base}/close", headers=api.moderator.headers), 403)
            problem = assert_problem(
                api.client.post(
                    f"/committees/{committee['id']}/meetings",
                    json={"held_on": DAY},
                    headers=ada.headers,
                ),
                403,
            )
            assert problem["error"] == "RoleRequired"
            assert_problem(api.client.get(f"/meetings/{committee['id']}"), 404)
            assert_problem(api.client.get(f"/committees/{meeting['id']}"), 404)
            assert_problem(api.client.get(f"/decisions/{meeting['id']}"), 404)
            assert_problem(api.client.post(f"{base}/close", headers=bea.headers), 409)
            assert_problem(
                api.client.post(
                    f"{base}/items/petition",
                    json={"petition_id": petition["id"]},
                    headers=bea.headers,
                ),
                409,
            )
            assert_problem(
                api.client.post(
                    f"{base}/items/1/decision",
                    json={"votes": {}, "rationale": "r", "answers": [{"kind": "x", "id": "y"}]},
                    headers=bea.headers,
                ),
                422,
            )
            assert_problem(
                api.client.post(
                    "/committees",
                    json=committee_body(majority={"kind": "qualified", "threshold": "two"}),
                    headers=bea.headers,
                ),
                422,
            )
            assert_problem(
                api.client.post(
                    "/petitions",
                    json=petition_body(
                        thresholds=[
                            {
                                "signatures": 5,
                                "consequence": "committee_agenda",
                                "committee_id": meeting["id"],
                            }
                        ]
                    ),
                    headers=ada.headers,
                ),
                422,
            )
            assert_problem(
                api.client.post(
                    f"/petitions/{petition['id']}/response",
                    json={"text": "No.", "decision_id": meeting["id"]},
                    headers=bea.headers,
                ),
                422,
            )
            assert_problem(
                api.client.post(
                    f"{base}/attendance", json={"present": [], "extra": 1}, headers=bea.headers
                ),
                400,
            )
