"""Signing over HTTP: one signature per citizen, withdrawal, thresholds reached exactly once,
and the correlation id that ties each event to the request that caused it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from .api import CORRELATION_HEADER, CivicApi, assert_problem, json_of

THRESHOLD = {"signatures": 3, "consequence": "citizen_vote"}
CONCURRENT_REQUESTS = 6
DEADLINE_IN = timedelta(seconds=1.5)  # long enough to lodge, admit and sign before it


class TestSign:
    """`POST /petitions/{id}/signatures` by a citizen."""

    def test_a_citizen_signs_an_open_petition(self, api: CivicApi) -> None:
        """201 with the signature; the petition counts it."""
        petition = api.open_petition()

        signature = json_of(api.sign(petition["id"], api.citizen), 201)

        assert signature["petition_id"] == petition["id"]
        assert signature["signer"] == api.citizen.id
        assert api.petition(petition["id"])["signature_count"] == 1

    def test_a_second_signature_by_the_same_person_is_refused(self, api: CivicApi) -> None:
        """409; the count stays at one and nothing is recorded."""
        petition = api.open_petition()
        json_of(api.sign(petition["id"], api.citizen), 201)

        with api.records_nothing():
            again = api.sign(petition["id"], api.citizen)

        assert_problem(again, 409)
        assert api.petition(petition["id"])["signature_count"] == 1

    def test_each_citizen_signs_once(self, api: CivicApi) -> None:
        """Three citizens, three signatures, each with its own id."""
        petition = api.open_petition()

        ids = {json_of(api.sign(petition["id"], c), 201)["id"] for c in api.citizens}

        assert len(ids) == 3
        assert api.petition(petition["id"])["signature_count"] == 3

    def test_a_petition_awaiting_admissibility_cannot_be_signed(self, api: CivicApi) -> None:
        """409 for a lodged petition, nothing recorded."""
        petition = api.lodge()

        with api.records_nothing():
            response = api.sign(petition["id"], api.citizen)

        assert_problem(response, 409)

    def test_a_rejected_petition_cannot_be_signed(self, api: CivicApi) -> None:
        """409 for a rejected petition, nothing recorded."""
        petition = api.lodge()
        json_of(
            api.client.post(
                f"/petitions/{petition['id']}/admissibility",
                json={"admissible": False, "reason": "outside the remit"},
                headers=api.moderator.headers,
            ),
            200,
        )

        with api.records_nothing():
            response = api.sign(petition["id"], api.citizen)

        assert_problem(response, 409)

    def test_a_closed_petition_cannot_be_signed(self, api: CivicApi) -> None:
        """409 for a closed petition; its count does not move."""
        petition = api.closed_petition()

        with api.records_nothing():
            response = api.sign(petition["id"], api.citizen)

        assert_problem(response, 409)
        assert api.petition(petition["id"])["signature_count"] == 0

    def test_a_petition_past_its_deadline_takes_no_more_signatures(self, api: CivicApi) -> None:
        """Once the deadline passes, signing and withdrawing are 409, before any sweep closes it."""
        deadline = datetime.now(UTC) + DEADLINE_IN
        petition = api.open_petition(deadline=deadline.isoformat())
        json_of(api.sign(petition["id"], api.citizen), 201)
        time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.1)

        with api.records_nothing():
            late = api.sign(petition["id"], api.committee)
            withdrawn = api.client.delete(
                f"/petitions/{petition['id']}/signatures/me", headers=api.citizen.headers
            )

        assert_problem(late, 409)
        assert_problem(withdrawn, 409)
        assert api.petition(petition["id"])["signature_count"] == 1

    def test_concurrent_signatures_by_one_person_count_once(self, api: CivicApi) -> None:
        """The same citizen signing from several connections at once: one 201, the rest 409."""
        petition = api.open_petition()

        with ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
            responses = list(
                pool.map(
                    lambda _: api.sign(petition["id"], api.citizen), range(CONCURRENT_REQUESTS)
                )
            )

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [409] * (CONCURRENT_REQUESTS - 1)
        for refused in (r for r in responses if r.status_code == 409):
            assert_problem(refused, 409)
        assert api.petition(petition["id"])["signature_count"] == 1
        signed = api.audit(type="Signature.Signed", actor=api.citizen.id)
        assert [e["data"]["petition_id"] for e in signed].count(petition["id"]) == 1


class TestWithdraw:
    """`DELETE /petitions/{id}/signatures/me` by the citizen who signed."""

    def test_a_citizen_withdraws_their_signature(self, api: CivicApi) -> None:
        """204 with no body; the count goes back down."""
        petition = api.open_petition()
        json_of(api.sign(petition["id"], api.citizen), 201)

        response = api.client.delete(
            f"/petitions/{petition['id']}/signatures/me", headers=api.citizen.headers
        )

        assert response.status_code == 204
        assert response.content == b""
        assert api.petition(petition["id"])["signature_count"] == 0

    def test_a_signature_is_withdrawn_once(self, api: CivicApi) -> None:
        """Withdrawing again is 409 and records nothing."""
        petition = api.open_petition()
        path = f"/petitions/{petition['id']}/signatures/me"
        json_of(api.sign(petition["id"], api.citizen), 201)
        assert api.client.delete(path, headers=api.citizen.headers).status_code == 204

        with api.records_nothing():
            again = api.client.delete(path, headers=api.citizen.headers)

        assert_problem(again, 409)
        assert api.petition(petition["id"])["signature_count"] == 0

    def test_a_citizen_who_never_signed_has_nothing_to_withdraw(self, api: CivicApi) -> None:
        """409, nothing recorded."""
        petition = api.open_petition()

        with api.records_nothing():
            response = api.client.delete(
                f"/petitions/{petition['id']}/signatures/me", headers=api.citizen.headers
            )

        assert_problem(response, 409)

    def test_a_citizen_signs_again_after_withdrawing(self, api: CivicApi) -> None:
        """201 again, with the same signature id; the count is back to one."""
        petition = api.open_petition()
        first = json_of(api.sign(petition["id"], api.citizen), 201)
        api.client.delete(f"/petitions/{petition['id']}/signatures/me", headers=api.citizen.headers)

        again = json_of(api.sign(petition["id"], api.citizen), 201)

        assert again["id"] == first["id"]
        assert api.petition(petition["id"])["signature_count"] == 1

    def test_a_signature_on_a_closed_petition_stays(self, api: CivicApi) -> None:
        """Withdrawing once the petition is closed is 409; the count does not move."""
        petition = api.open_petition()
        json_of(api.sign(petition["id"], api.citizen), 201)
        json_of(
            api.client.post(
                f"/petitions/{petition['id']}/close",
                json={"reason": "enough"},
                headers=api.committee.headers,
            ),
            200,
        )

        with api.records_nothing():
            response = api.client.delete(
                f"/petitions/{petition['id']}/signatures/me", headers=api.citizen.headers
            )

        assert_problem(response, 409)
        assert api.petition(petition["id"])["signature_count"] == 1


class TestThresholds:
    """A threshold is reached by the signature that brings the count to it, and only once."""

    def test_the_third_signature_reaches_a_threshold_of_three(self, api: CivicApi) -> None:
        """Listed in `thresholds_reached` with its time and the signature that reached it."""
        petition = api.open_petition(thresholds=[THRESHOLD])
        first, second, third = api.citizens
        json_of(api.sign(petition["id"], first), 201)
        json_of(api.sign(petition["id"], second), 201)
        assert api.petition(petition["id"])["thresholds_reached"] == []

        reaching = api.sign(petition["id"], third)

        signature = json_of(reaching, 201)
        reached = api.petition(petition["id"])["thresholds_reached"]
        assert [(t["signatures"], t["consequence"], t["signature_id"]) for t in reached] == [
            (3, "citizen_vote", signature["id"])
        ]
        assert reached[0]["reached_at"] is not None

    def test_the_audit_trail_ties_the_threshold_to_the_request_that_reached_it(
        self, api: CivicApi
    ) -> None:
        """One `Petition.ThresholdReached` entry, with the third request's correlation id."""
        petition = api.open_petition(thresholds=[THRESHOLD])
        responses = [api.sign(petition["id"], citizen) for citizen in api.citizens]
        assert [r.status_code for r in responses] == [201, 201, 201]

        entries = api.audit(type="Petition.ThresholdReached", aggregate_id=petition["id"])

        assert len(entries) == 1
        assert entries[0]["correlation_id"] == responses[2].headers[CORRELATION_HEADER]
        assert entries[0]["data"]["signatures"] == 3
        assert entries[0]["data"]["consequence"] == "citizen_vote"
        assert entries[0]["data"]["signature_id"] == responses[2].json()["id"]

    def test_falling_below_and_reaching_a_threshold_again_does_not_repeat_it(
        self, api: CivicApi
    ) -> None:
        """Withdraw and sign again at the threshold: still one entry, the first time kept."""
        petition = api.open_petition(thresholds=[THRESHOLD])
        for citizen in api.citizens:
            json_of(api.sign(petition["id"], citizen), 201)
        first_time = api.petition(petition["id"])["thresholds_reached"]
        last = api.citizens[2]
        path = f"/petitions/{petition['id']}/signatures/me"
        assert api.client.delete(path, headers=last.headers).status_code == 204

        json_of(api.sign(petition["id"], last), 201)

        assert api.petition(petition["id"])["thresholds_reached"] == first_time
        assert len(api.audit(type="Petition.ThresholdReached", aggregate_id=petition["id"])) == 1

    def test_concurrent_signatures_reach_a_threshold_once(self, api: CivicApi) -> None:
        """Three citizens signing at the same moment: count three, one threshold entry."""
        petition = api.open_petition(thresholds=[THRESHOLD])

        with ThreadPoolExecutor(len(api.citizens)) as pool:
            responses = list(pool.map(lambda c: api.sign(petition["id"], c), api.citizens))

        assert [r.status_code for r in responses] == [201, 201, 201]
        view = api.petition(petition["id"])
        assert view["signature_count"] == 3
        assert len(view["thresholds_reached"]) == 1
        entries = api.audit(type="Petition.ThresholdReached", aggregate_id=petition["id"])
        assert len(entries) == 1
        assert entries[0]["correlation_id"] in {r.headers[CORRELATION_HEADER] for r in responses}


class TestCorrelation:
    """Every request has a correlation id, echoed in `X-Correlation-ID` and recorded on events."""

    def test_the_server_gives_a_request_an_id_and_records_it_on_its_events(
        self, api: CivicApi
    ) -> None:
        """Without one from the client, a fresh id is echoed and is the event's correlation id."""
        response = api.client.post(
            "/petitions",
            json={"title": "Light the cycle path", "text": "It is dark by five in winter."},
            headers=api.citizen.headers,
        )

        petition = json_of(response, 201)
        correlation_id = response.headers[CORRELATION_HEADER]
        (lodged,) = api.audit(aggregate_id=petition["id"])
        assert lodged["correlation_id"] == correlation_id

    def test_a_client_correlation_id_is_echoed_and_recorded(self, api: CivicApi) -> None:
        """The client's `X-Correlation-ID` names the events its request caused."""
        petition = api.open_petition()
        correlation_id = f"e2e-{uuid4().hex}"

        response = api.client.post(
            f"/petitions/{petition['id']}/signatures",
            headers={**api.citizen.headers, "X-Correlation-ID": correlation_id},
        )

        json_of(response, 201)
        assert response.headers[CORRELATION_HEADER] == correlation_id
        (entry,) = api.audit(correlation_id=correlation_id)
        assert (entry["type"], entry["actor"]) == ("Signature.Signed", api.citizen.id)

    def test_a_malformed_client_correlation_id_is_replaced(self, api: CivicApi) -> None:
        """An id with spaces, or longer than 64 characters, gives way to a fresh one."""
        for malformed in ("not an id", "x" * 65):
            response = api.client.get("/health", headers={"X-Correlation-ID": malformed})

            assert response.status_code == 200
            assert response.headers[CORRELATION_HEADER] not in ("", malformed)

    def test_a_refused_request_carries_its_correlation_id(self, api: CivicApi) -> None:
        """A problem response echoes the client's id too, so a report can quote it."""
        petition = api.lodge()
        correlation_id = f"e2e-{uuid4().hex}"

        response = api.client.post(
            f"/petitions/{petition['id']}/signatures",
            headers={**api.citizen.headers, "X-Correlation-ID": correlation_id},
        )

        assert_problem(response, 409)
        assert response.headers[CORRELATION_HEADER] == correlation_id

    def test_a_request_without_a_token_carries_its_correlation_id(self, api: CivicApi) -> None:
        """A 401 from a route that needs an account echoes the client's id."""
        correlation_id = f"e2e-{uuid4().hex}"

        response = api.client.post(
            "/petitions", json={}, headers={"X-Correlation-ID": correlation_id}
        )

        assert_problem(response, 401)
        assert response.headers.get(CORRELATION_HEADER) == correlation_id

    def test_a_refused_token_carries_its_correlation_id(self, api: CivicApi) -> None:
        """A 401 for a bad token echoes the client's id too."""
        correlation_id = f"e2e-{uuid4().hex}"

        response = api.client.get(
            "/petitions",
            headers={"Authorization": "Bearer nope", "X-Correlation-ID": correlation_id},
        )

        assert_problem(response, 401)
        assert response.headers.get(CORRELATION_HEADER) == correlation_id
