"""A vote over HTTP: drafted, frozen when opened, secret ballots cast and replaced, tallied by
majority judgment, certified; with the refusals a real client meets on the way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .api import CivicApi, Json, assert_problem, json_of


def vote_body(api: CivicApi, **fields: Any) -> Json:
    """A secret majority-judgment vote on the tram line for the three citizens, open now."""
    now = datetime.now(UTC)
    return {
        "question": "Which line should the new tram take?",
        "options": [
            {"id": "north", "label": "North line"},
            {"id": "south", "label": "South line"},
            {"id": "none", "label": "No tram"},
        ],
        "method": "majority_judgment",
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(hours=1)).isoformat(),
        "electorate": {"kind": "roll", "accounts": [c.id for c in api.citizens]},
        **fields,
    }


def open_vote(api: CivicApi, **fields: Any) -> Json:
    """Draft a vote as the committee member and open it."""
    vote = json_of(
        api.client.post("/votes", json=vote_body(api, **fields), headers=api.committee.headers),
        201,
    )
    response = api.client.post(f"/votes/{vote['id']}/open", headers=api.committee.headers)
    if response.status_code == 409:  # the server's schedule opened it first: fine
        return json_of(api.client.get(f"/votes/{vote['id']}"), 200)
    return json_of(response, 200)


def ballot(api: CivicApi, vote_id: str, who: int, choice: object) -> Any:
    """Citizen number `who` votes."""
    return api.client.post(
        f"/votes/{vote_id}/ballots", json={"choice": choice}, headers=api.citizens[who].headers
    )


class TestSecretMajorityJudgment:
    def test_from_draft_to_certified_result(self, api: CivicApi) -> None:
        """Three citizens grade the options, one changes her mind; the result carries the merit
        profiles, the ballots show tags only, and certification states the outcome."""
        vote = open_vote(api)
        vote_id = vote["id"]
        assert vote["status"] == "open"
        assert vote["electorate_size"] == 3
        assert sorted(vote["tie_order"]) == ["none", "north", "south"]

        grades = [
            {"north": "very_good", "south": "passable", "none": "reject"},
            {"north": "good", "south": "good", "none": "insufficient"},
            {"north": "reject", "south": "excellent", "none": "passable"},
        ]
        for who, choice in enumerate(grades):
            receipt = json_of(ballot(api, vote_id, who, choice), 201)
            assert receipt == {"vote_id": vote_id, "replaced": False, "secret": True}
        replaced = json_of(ballot(api, vote_id, 0, {"north": "excellent"}), 200)
        assert replaced["replaced"] is True
        assert_problem(api.client.get(f"/votes/{vote_id}/results"), 409)
        assert_problem(api.client.get(f"/votes/{vote_id}/ballots"), 409)

        early = api.client.post(f"/votes/{vote_id}/close", json={}, headers=api.committee.headers)
        assert "reason" in assert_problem(early, 422)["detail"]
        closed = json_of(
            api.client.post(
                f"/votes/{vote_id}/close",
                json={"reason": "everyone on the roll has voted"},
                headers=api.committee.headers,
            ),
            200,
        )
        assert closed["status"] == "closed"
        assert closed["ballot_count"] == 3
        result = json_of(api.client.get(f"/votes/{vote_id}/results"), 200)
        assert result == closed["result"]
        assert result["method"] == "majority_judgment"
        assert result["ballots"] == 3
        assert len(result["winners"]) == 1
        assert set(result["detail"]["merit_profiles"]) == {"north", "south", "none"}

        papers = json_of(api.client.get(f"/votes/{vote_id}/ballots"), 200)["items"]
        assert len(papers) == 3
        tags = {p["tag"] for p in papers}
        assert not tags & {c.id for c in api.citizens}

        certified = json_of(
            api.client.post(f"/votes/{vote_id}/certify", headers=api.committee.headers), 200
        )
        assert certified["outcome"] == "elected"
        history = json_of(api.client.get(f"/votes/{vote_id}/history"), 200)["items"]
        assert [e["type"] for e in history][-3:] == ["Vote.Opened", "Vote.Closed", "Vote.Certified"]
        first = json_of(api.client.get(f"/votes/{vote_id}", params={"version": 1}), 200)
        assert (first["status"], first["version"]) == ("draft", 1)

    def test_ballot_events_name_the_ballot_box_not_the_elector(self, api: CivicApi) -> None:
        """The audit trail of a secret ballot carries neither the account nor its request id."""
        vote_id = open_vote(api)["id"]
        response = ballot(api, vote_id, 1, {"north": "good"})
        json_of(response, 201)
        entries = api.audit(parent_id=vote_id)
        assert [e["actor"] for e in entries] == ["system:ballot-box"]
        assert entries[0]["correlation_id"] != response.headers["x-correlation-id"]
        assert api.committee.id not in str(entries)


class TestRefusals:
    def test_rules_are_frozen_once_open(self, api: CivicApi) -> None:
        """Changing the method of an open vote: 409, and nothing recorded."""
        vote_id = open_vote(api)["id"]
        with api.records_nothing():
            response = api.client.put(
                f"/votes/{vote_id}",
                json=vote_body(api, method="approval"),
                headers=api.committee.headers,
            )
        assert "frozen" in assert_problem(response, 409)["detail"]

    def test_a_draft_can_change(self, api: CivicApi) -> None:
        """Before opening, a PUT replaces the rules."""
        later = datetime.now(UTC) + timedelta(days=1)
        body = vote_body(
            api, opens_at=later.isoformat(), closes_at=(later + timedelta(days=1)).isoformat()
        )
        vote = json_of(api.client.post("/votes", json=body, headers=api.committee.headers), 201)
        changed = json_of(
            api.client.put(
                f"/votes/{vote['id']}",
                json={**body, "method": "schulze"},
                headers=api.committee.headers,
            ),
            200,
        )
        assert (changed["method"], changed["version"]) == ("schulze", 2)

    def test_ballots_that_cannot_count(self, api: CivicApi) -> None:
        """Off the roll: 403; an unknown grade or option: 422 naming it; nothing recorded."""
        vote_id = open_vote(api)["id"]
        with api.records_nothing():
            off_roll = api.client.post(
                f"/votes/{vote_id}/ballots",
                json={"choice": {"north": "good"}},
                headers=api.moderator.headers,
            )
            assert_problem(off_roll, 403)
            assert (
                "superb"
                in assert_problem(ballot(api, vote_id, 0, {"north": "superb"}), 422)["detail"]
            )
            assert (
                "tramway"
                in assert_problem(ballot(api, vote_id, 0, {"tramway": "good"}), 422)["detail"]
            )

    def test_who_may_draft(self, api: CivicApi) -> None:
        """No token: 401; a citizen: 403; an unknown method or field: 4xx; nothing recorded."""
        with api.records_nothing():
            assert_problem(api.client.post("/votes", json=vote_body(api)), 401)
            assert_problem(
                api.client.post("/votes", json=vote_body(api), headers=api.citizen.headers), 403
            )
            unknown = api.client.post(
                "/votes", json=vote_body(api, method="dice"), headers=api.committee.headers
            )
            assert "dice" in assert_problem(unknown, 422)["detail"]
            extra = api.client.post(
                "/votes", json=vote_body(api, colour="red"), headers=api.committee.headers
            )
            assert_problem(extra, 400)

    def test_an_unknown_vote(self, api: CivicApi) -> None:
        """404 with a problem body."""
        assert_problem(api.client.get("/votes/00000000-0000-0000-0000-000000000000"), 404)
