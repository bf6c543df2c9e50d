"""A petition's life over HTTP: lodged, listed, read, judged admissible, closed and answered."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from .api import CivicApi, assert_problem, json_of, petition_body


class TestLodge:
    """`POST /petitions` by a citizen."""

    def test_a_citizen_lodges_a_petition_that_awaits_its_admissibility_decision(
        self, api: CivicApi
    ) -> None:
        """201 with the petition: lodged, no signature, no threshold reached yet."""
        body = petition_body(
            deadline="2031-06-30T18:00:00+02:00",
            thresholds=[
                {"signatures": 2000, "consequence": "citizen_vote"},
                {"signatures": 10000, "consequence": "official_response"},
            ],
        )

        response = api.client.post("/petitions", json=body, headers=api.citizen.headers)

        petition = json_of(response, 201)
        assert UUID(petition["id"])
        assert petition["status"] == "lodged"
        assert petition["signature_count"] == 0
        assert petition["thresholds_reached"] == []
        assert (petition["title"], petition["text"]) == (body["title"], body["text"])
        assert petition["lodged_by"] == api.citizen.id
        assert datetime.fromisoformat(petition["deadline"]) == datetime.fromisoformat(
            "2031-06-30T18:00:00+02:00"
        )
        assert [
            (t["signatures"], t["consequence"], t["reached_at"]) for t in petition["thresholds"]
        ] == [
            (2000, "citizen_vote", None),
            (10000, "official_response", None),
        ]

    def test_the_lodged_petition_reads_back_as_it_was_returned(self, api: CivicApi) -> None:
        """`GET /petitions/{id}` shows what the 201 showed."""
        petition = api.lodge()

        assert api.petition(petition["id"]) == petition

    def test_anyone_reads_a_petition_without_a_token(self, api: CivicApi) -> None:
        """Reading is public: no `Authorization` header is needed."""
        petition = api.lodge()

        response = api.client.get(f"/petitions/{petition['id']}")

        assert json_of(response, 200)["id"] == petition["id"]


class TestList:
    """`GET /petitions`: in lodging order, paged by cursor, filtered by status."""

    def test_pages_through_petitions_in_the_order_they_were_lodged(self, api: CivicApi) -> None:
        """`limit` items a page; `next` is the `after` of the following page, null on the last."""
        lodged = [api.lodge() for _ in range(5)]
        after: int | None = lodged[0]["position"] - 1
        pages: list[list[str]] = []

        while after is not None:
            page = json_of(api.client.get("/petitions", params={"after": after, "limit": 2}), 200)
            pages.append([p["id"] for p in page["items"]])
            after = page["next"]

        ids = [p["id"] for p in lodged]
        assert pages == [ids[0:2], ids[2:4], ids[4:5]]

    def test_lists_the_petitions_as_they_read_one_by_one(self, api: CivicApi) -> None:
        """An item of the list is the petition as `GET /petitions/{id}` shows it."""
        petition = api.open_petition()

        page = json_of(
            api.client.get("/petitions", params={"after": petition["position"] - 1, "limit": 1}),
            200,
        )

        assert page["items"] == [api.petition(petition["id"])]

    def test_filters_by_status(self, api: CivicApi) -> None:
        """`status=open` lists the open petitions only, and so on for each status."""
        lodged = api.lodge()
        opened = api.open_petition()
        closed = api.closed_petition()
        start = lodged["position"] - 1

        def listed(status: str) -> list[str]:
            params: dict[str, str | int] = {"status": status, "after": start, "limit": 500}
            page = json_of(api.client.get("/petitions", params=params), 200)
            assert all(p["status"] == status for p in page["items"])
            return [p["id"] for p in page["items"]]

        assert listed("lodged") == [lodged["id"]]
        assert listed("open") == [opened["id"]]
        assert listed("closed") == [closed["id"]]
        assert listed("rejected") == []


class TestAdmissibility:
    """`POST /petitions/{id}/admissibility` by a moderator or the committee."""

    def test_a_moderator_declares_a_petition_admissible_and_it_opens(self, api: CivicApi) -> None:
        """Admissible: the petition opens for signatures, with the reason given."""
        petition = api.lodge()

        response = api.client.post(
            f"/petitions/{petition['id']}/admissibility",
            json={"admissible": True, "reason": "within the town's remit"},
            headers=api.moderator.headers,
        )

        decided = json_of(response, 200)
        assert decided["status"] == "open"
        assert decided["admissibility_reason"] == "within the town's remit"
        assert api.petition(petition["id"]) == decided

    def test_the_committee_may_decide_admissibility_too(self, api: CivicApi) -> None:
        """The committee decides like a moderator; a reason is optional when admitting."""
        petition = api.lodge()

        response = api.client.post(
            f"/petitions/{petition['id']}/admissibility",
            json={"admissible": True},
            headers=api.committee.headers,
        )

        assert json_of(response, 200)["status"] == "open"

    def test_a_rejection_without_a_reason_is_refused(self, api: CivicApi) -> None:
        """422 problem; the petition stays lodged and nothing is recorded."""
        petition = api.lodge()

        with api.records_nothing():
            response = api.client.post(
                f"/petitions/{petition['id']}/admissibility",
                json={"admissible": False},
                headers=api.moderator.headers,
            )

        assert_problem(response, 422)
        assert api.petition(petition["id"])["status"] == "lodged"

    def test_a_rejection_with_a_blank_reason_is_refused(self, api: CivicApi) -> None:
        """A reason of spaces is no reason: 422, nothing recorded."""
        petition = api.lodge()

        with api.records_nothing():
            response = api.client.post(
                f"/petitions/{petition['id']}/admissibility",
                json={"admissible": False, "reason": "   "},
                headers=api.moderator.headers,
            )

        assert_problem(response, 422)

    def test_a_rejection_with_its_reason_rejects_the_petition(self, api: CivicApi) -> None:
        """Rejected, with the reason on the petition."""
        petition = api.lodge()
        reason = "outside the municipality's competence"

        response = api.client.post(
            f"/petitions/{petition['id']}/admissibility",
            json={"admissible": False, "reason": reason},
            headers=api.moderator.headers,
        )

        rejected = json_of(response, 200)
        assert (rejected["status"], rejected["admissibility_reason"]) == ("rejected", reason)

    def test_admissibility_is_decided_once(self, api: CivicApi) -> None:
        """A second decision, either way, is 409 and records nothing."""
        petition = api.open_petition()

        with api.records_nothing():
            responses = [
                api.client.post(
                    f"/petitions/{petition['id']}/admissibility",
                    json=decision,
                    headers=api.committee.headers,
                )
                for decision in (
                    {"admissible": True},
                    {"admissible": False, "reason": "changed our mind"},
                )
            ]

        for response in responses:
            assert_problem(response, 409)
        assert api.petition(petition["id"])["status"] == "open"


class TestClose:
    """`POST /petitions/{id}/close` by the committee."""

    def test_the_committee_closes_an_open_petition_with_its_reason(self, api: CivicApi) -> None:
        """Closed, with the reason and the time."""
        petition = api.open_petition()

        response = api.client.post(
            f"/petitions/{petition['id']}/close",
            json={"reason": "the council has debated it"},
            headers=api.committee.headers,
        )

        closed = json_of(response, 200)
        assert closed["status"] == "closed"
        assert closed["closed_reason"] == "the council has debated it"
        assert datetime.fromisoformat(closed["closed_at"]) >= datetime.fromisoformat(
            petition["updated_at"]
        )
        assert api.petition(petition["id"]) == closed

    def test_only_an_open_petition_can_be_closed(self, api: CivicApi) -> None:
        """A lodged, rejected or already closed petition: 409, nothing recorded."""
        lodged = api.lodge()
        rejected = api.lodge()
        json_of(
            api.client.post(
                f"/petitions/{rejected['id']}/admissibility",
                json={"admissible": False, "reason": "outside the remit"},
                headers=api.moderator.headers,
            ),
            200,
        )
        closed = api.closed_petition()

        with api.records_nothing():
            responses = [
                api.client.post(
                    f"/petitions/{petition['id']}/close",
                    json={"reason": "again"},
                    headers=api.committee.headers,
                )
                for petition in (lodged, rejected, closed)
            ]

        for response in responses:
            assert_problem(response, 409)

    def test_closing_needs_a_reason(self, api: CivicApi) -> None:
        """No reason is 400, a blank one 422; the petition stays open."""
        petition = api.open_petition()
        path = f"/petitions/{petition['id']}/close"

        with api.records_nothing():
            missing = api.client.post(path, json={}, headers=api.committee.headers)
            blank = api.client.post(path, json={"reason": " "}, headers=api.committee.headers)

        assert_problem(missing, 400)
        assert_problem(blank, 422)
        assert api.petition(petition["id"])["status"] == "open"


class TestRespond:
    """`POST /petitions/{id}/response` by the committee: the official response, once."""

    def test_the_committee_answers_a_closed_petition(self, api: CivicApi) -> None:
        """The response and its time are on the petition."""
        petition = api.closed_petition()

        response = api.client.post(
            f"/petitions/{petition['id']}/response",
            json={"text": "A citizen vote will be held in March."},
            headers=api.committee.headers,
        )

        answered = json_of(response, 200)
        assert answered["response"] == "A citizen vote will be held in March."
        assert answered["responded_at"] is not None
        assert answered["status"] == "closed"

    def test_an_open_petition_can_be_answered_and_stays_open(self, api: CivicApi) -> None:
        """Answering does not close the petition."""
        petition = api.open_petition()

        response = api.client.post(
            f"/petitions/{petition['id']}/response",
            json={"text": "We are studying it."},
            headers=api.committee.headers,
        )

        assert json_of(response, 200)["status"] == "open"

    def test_a_second_response_is_refused(self, api: CivicApi) -> None:
        """409; the first response stands and nothing is recorded."""
        petition = api.closed_petition()
        path = f"/petitions/{petition['id']}/response"
        json_of(api.client.post(path, json={"text": "First."}, headers=api.committee.headers), 200)

        with api.records_nothing():
            second = api.client.post(path, json={"text": "Second."}, headers=api.committee.headers)

        assert_problem(second, 409)
        assert api.petition(petition["id"])["response"] == "First."

    def test_a_petition_awaiting_admissibility_cannot_be_answered(self, api: CivicApi) -> None:
        """409 for a lodged petition, nothing recorded."""
        petition = api.lodge()

        with api.records_nothing():
            response = api.client.post(
                f"/petitions/{petition['id']}/response",
                json={"text": "Too early."},
                headers=api.committee.headers,
            )

        assert_problem(response, 409)
