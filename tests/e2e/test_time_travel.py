"""Reading the past over HTTP: a petition at a version or an instant, its signatories then, any
aggregate replayed, and the audit trail by time range, parent and request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from .api import CORRELATION_HEADER, CivicApi, Json, assert_problem, every_page, json_of

MICROSECOND = timedelta(microseconds=1)
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
NEW_OPERATIONS = {
    ("/petitions/{petition_id}/signatures", "get"),
    ("/audit/correlations/{correlation_id}", "get"),
    ("/audit/aggregates/{aggregate_id}", "get"),
}


def instant(text: str) -> datetime:
    """A timestamp as the API writes it."""
    return datetime.fromisoformat(text)


@dataclass
class Life:
    """A petition driven through its whole life over HTTP, and its view read after each step."""

    api: CivicApi
    id: str = ""
    snapshots: dict[int, Json] = field(default_factory=dict)  # by version, read right after it
    crossing: str = ""  # the correlation id of the signature that reached the threshold

    @property
    def path(self) -> str:
        """The petition's URL."""
        return f"/petitions/{self.id}"

    def snapshot(self) -> None:
        """Read the view; the first reading of each version is the one right after it."""
        view = self.api.petition(self.id)
        self.snapshots.setdefault(view["version"], view)

    def step(self, method: str, path: str, status: int, headers: dict[str, str], **kw: Any) -> str:
        """Send one command, check its status, read the view; returns its correlation id."""
        response = self.api.client.request(method, self.path + path, headers=headers, **kw)
        assert response.status_code == status, response.text
        self.snapshot()
        return response.headers[CORRELATION_HEADER]

    def history(self) -> list[Json]:
        """The petition's own audit entries, oldest first."""
        history: list[Json] = json_of(self.api.client.get(f"{self.path}/history"), 200)["items"]
        return history

    def until_next(self, position: int) -> datetime | None:
        """The last instant before the event that follows `position` in the log."""
        later = self.api.audit(after=position)
        return instant(later[0]["timestamp"]) - MICROSECOND if later else None


@pytest.fixture(scope="module")
def life(api: CivicApi) -> Life:
    """Lodged (deadline in UTC+2), admitted, signed past a threshold, a signature withdrawn and
    given again, closed, answered."""
    ada, bea, cyd = api.citizens
    deadline = datetime.now(tz=UTC).astimezone(timezone(timedelta(hours=2))) + timedelta(days=9)
    lodged = api.lodge(
        deadline=deadline.isoformat(),
        thresholds=[
            {"signatures": 2, "consequence": "committee_hearing"},
            {"signatures": 5, "consequence": "public_debate"},
        ],
    )
    life = Life(api, id=lodged["id"])
    life.snapshot()
    reason = {"admissible": True, "reason": "within the town's remit"}
    life.step("POST", "/admissibility", 200, api.moderator.headers, json=reason)
    life.step("POST", "/signatures", 201, ada.headers)
    life.crossing = life.step("POST", "/signatures", 201, bea.headers)
    life.step("DELETE", "/signatures/me", 204, ada.headers)
    life.step("POST", "/signatures", 201, cyd.headers)
    life.step("POST", "/signatures", 201, ada.headers)
    life.step("POST", "/close", 200, api.committee.headers, json={"reason": "heard"})
    life.step("POST", "/response", 200, api.committee.headers, json={"text": "Lamps in May."})
    return life


class TestPetitionAtAVersion:
    """`GET /petitions/{id}?version=N`: the petition right after its version N."""

    def test_every_version_reads_as_the_view_did_right_after_it(self, life: Life) -> None:
        """For each N, the same JSON as `GET /petitions/{id}` answered right after N."""
        assert sorted(life.snapshots) == [1, 2, 3, 4, 5]
        for version, snapshot in life.snapshots.items():
            response = life.api.client.get(life.path, params={"version": version})
            assert json_of(response, 200) == snapshot

    def test_the_versions_tell_the_petition_s_life(self, life: Life) -> None:
        """Status and count at each version; the threshold from version 3 on."""
        views = [life.snapshots[n] for n in range(1, 6)]
        assert [v["status"] for v in views] == ["lodged", "open", "open", "closed", "closed"]
        assert [v["signature_count"] for v in views] == [0, 0, 2, 3, 3]
        assert [len(v["thresholds_reached"]) for v in views] == [0, 0, 1, 1, 1]

    def test_no_parameter_is_today_s_view(self, life: Life) -> None:
        """Without `version` or `as_of`: the live view."""
        assert json_of(life.api.client.get(life.path), 200) == life.snapshots[5]

    @pytest.mark.parametrize("version", [0, -1, 6, 2**40])
    def test_a_version_the_petition_never_had_is_not_found(self, life: Life, version: int) -> None:
        """404 problem naming the version."""
        response = life.api.client.get(life.path, params={"version": version})

        problem = assert_problem(response, 404)
        assert problem["detail"] == f"the petition has no version {version}"

    def test_an_unknown_petition_is_not_found(self, api: CivicApi) -> None:
        """404 problem, at a version as at an instant."""
        for params in ({"version": 1}, {"as_of": "2026-03-01T12:00:00Z"}):
            assert_problem(api.client.get(f"/petitions/{UNKNOWN_ID}", params=params), 404)


class TestPetitionAtAnInstant:
    """`GET /petitions/{id}?as_of=T`: the last version recorded at or before T."""

    def test_each_version_s_instant_reads_as_the_view_right_after_it(self, life: Life) -> None:
        """At the time of version N, and just before the next event of the log: N's snapshot."""
        for entry in life.history():
            snapshot = life.snapshots[entry["version"]]
            at = instant(entry["timestamp"])
            response = life.api.client.get(life.path, params={"as_of": at.isoformat()})
            assert json_of(response, 200) == snapshot
            before_next = life.until_next(entry["position"])
            if before_next is not None:
                assert before_next >= at
                params = {"as_of": before_next.isoformat()}
                assert json_of(life.api.client.get(life.path, params=params), 200) == snapshot

    def test_an_instant_in_another_time_zone(self, life: Life) -> None:
        """Version 2's instant written in UTC-5 reads version 2."""
        at = instant(life.history()[1]["timestamp"]).astimezone(timezone(timedelta(hours=-5)))
        response = life.api.client.get(life.path, params={"as_of": at.isoformat()})
        assert json_of(response, 200) == life.snapshots[2]

    def test_an_instant_before_the_lodging_is_not_found(self, life: Life) -> None:
        """404 problem: the petition did not exist yet."""
        lodged = instant(life.history()[0]["timestamp"]) - MICROSECOND

        response = life.api.client.get(life.path, params={"as_of": lodged.isoformat()})

        assert "did not exist yet" in assert_problem(response, 404)["detail"]

    def test_a_naive_instant_is_refused(self, life: Life) -> None:
        """422 problem: an instant without a time zone names no instant."""
        response = life.api.client.get(life.path, params={"as_of": "2026-03-01T12:00:00"})

        assert "time zone" in assert_problem(response, 422)["detail"]

    def test_a_version_and_an_instant_at_once_are_refused(self, life: Life) -> None:
        """422 problem: one or the other."""
        params: dict[str, str | int] = {"version": 1, "as_of": "2026-03-01T12:00:00Z"}

        assert_problem(life.api.client.get(life.path, params=params), 422)

    @pytest.mark.parametrize(
        "params",
        [{"as_of": "yesterday"}, {"as_of": "2026-13-01T00:00:00Z"}, {"version": "three"}],
        ids=["as-of-words", "as-of-month-13", "version-words"],
    )
    def test_a_malformed_parameter_is_a_bad_request(
        self, life: Life, params: dict[str, str]
    ) -> None:
        """400 problem from the parameter's validation."""
        assert_problem(life.api.client.get(life.path, params=params), 400)

    def test_an_instant_beyond_the_calendar_in_utc_is_refused(self, life: Life) -> None:
        """9999-12-31T23:00-05:00 is year 10000 in UTC: 422, not a 500."""
        params = {"as_of": "9999-12-31T23:00:00-05:00"}

        assert_problem(life.api.client.get(life.path, params=params), 422)


class TestSignatories:
    """`GET /petitions/{id}/signatures?as_of=T`: who stood on the petition then."""

    def signers(self, life: Life, limit: int = 100, **params: str) -> list[str]:
        """The signers listed, every page followed, read by the moderator."""
        items = every_page(
            life.api.client,
            f"{life.path}/signatures",
            limit=limit,
            headers=life.api.moderator.headers,
            **params,
        )
        assert all(item.keys() == {"signature_id", "signer", "signed_at"} for item in items)
        return [item["signer"] for item in items]

    def test_lists_those_standing_now_in_the_order_they_last_signed(self, life: Life) -> None:
        """bea, cyd, then ada who withdrew and signed again; one per page gives the same."""
        ada, bea, cyd = (c.id for c in life.api.citizens)

        assert self.signers(life) == [bea, cyd, ada]
        assert self.signers(life, limit=1) == [bea, cyd, ada]

    def test_lists_those_standing_at_an_instant(self, life: Life) -> None:
        """At the threshold (version 3) ada and bea; at the closure, bea, cyd and ada."""
        ada, bea, cyd = (c.id for c in life.api.citizens)
        reached, closed = life.history()[2]["timestamp"], life.history()[3]["timestamp"]

        assert self.signers(life, as_of=reached) == [ada, bea]
        assert self.signers(life, as_of=closed) == [bea, cyd, ada]

    @pytest.mark.parametrize("who", ["auditor", "moderator"])
    def test_auditors_and_moderators_may_read_them(self, life: Life, who: str) -> None:
        """200 for an auditor or a moderator."""
        response = life.api.client.get(
            f"{life.path}/signatures", headers=life.api.account(who).headers
        )

        assert len(json_of(response, 200)["items"]) == 3

    def test_signers_are_not_for_everyone(self, life: Life) -> None:
        """401 without a token; 403 for a citizen or a committee member."""
        path = f"{life.path}/signatures"

        assert_problem(life.api.client.get(path), 401)
        for who in ("citizen", "committee"):
            assert_problem(life.api.client.get(path, headers=life.api.account(who).headers), 403)

    @pytest.mark.parametrize(
        ("petition", "params", "status"),
        [
            ("unknown", {}, 404),
            ("life", {"as_of": "2000-01-01T00:00:00Z"}, 404),
            ("life", {"as_of": "2026-03-01T12:00:00"}, 422),
            ("life", {"as_of": "soon"}, 400),
            ("life", {"limit": 0}, 400),
        ],
        ids=["unknown-petition", "before-lodging", "naive-as-of", "bad-as-of", "limit-0"],
    )
    def test_refusals(self, life: Life, petition: str, params: dict[str, Any], status: int) -> None:
        """404 for an unknown petition or before its lodging, 422 naive, 400 malformed."""
        path = f"/petitions/{UNKNOWN_ID if petition == 'unknown' else life.id}/signatures"

        response = life.api.client.get(path, params=params, headers=life.api.auditor.headers)

        assert_problem(response, status)


class TestAnyAggregate:
    """`GET /audit/aggregates/{id}?version=N|as_of=T`: any aggregate, replayed."""

    def get(self, life: Life, aggregate_id: str, **params: str | int) -> Any:
        """The response to the auditor's request."""
        return life.api.client.get(
            f"/audit/aggregates/{aggregate_id}", params=params, headers=life.api.auditor.headers
        )

    def test_a_petition_at_a_version(self, life: Life) -> None:
        """Version 3 of the petition: open, its first threshold reached."""
        body = json_of(self.get(life, life.id, version=3), 200)

        assert (body["id"], body["type"], body["version"]) == (life.id, "Petition", 3)
        assert body["state"]["status"] == "open"
        assert list(body["state"]["reached"]) == ["2"]

    def test_a_signature_at_each_of_its_instants(self, life: Life) -> None:
        """ada's signature: standing, withdrawn, standing again."""
        entries = [
            e
            for e in life.api.audit(parent_id=life.id)
            if e["actor"] == life.api.citizen.id and e["aggregate_type"] == "Signature"
        ]
        states = [
            json_of(self.get(life, e["aggregate_id"], as_of=e["timestamp"]), 200) for e in entries
        ]

        assert [s["state"]["active"] for s in states] == [True, False, True]
        assert {s["type"] for s in states} == {"Signature"}

    def test_an_account(self, life: Life) -> None:
        """The moderator's account as it was opened."""
        body = json_of(self.get(life, life.api.moderator.id, version=1), 200)

        assert (body["type"], body["state"]["roles"]) == ("Account", ["moderator"])

    @pytest.mark.parametrize(
        ("target", "params", "status"),
        [
            ("unknown", {}, 404),
            ("life", {"version": 6}, 404),
            ("life", {"version": 0}, 404),
            ("life", {"as_of": "2000-01-01T00:00:00Z"}, 404),
            ("life", {"version": 1, "as_of": "2026-03-01T12:00:00Z"}, 422),
            ("life", {"as_of": "2026-03-01T12:00:00"}, 422),
            ("life", {"version": "one"}, 400),
        ],
        ids=["unknown", "version-6", "version-0", "before", "both", "naive", "bad-version"],
    )
    def test_refusals(self, life: Life, target: str, params: dict[str, Any], status: int) -> None:
        """404 for what never was, 422 for both or a naive instant, 400 malformed."""
        aggregate_id = UNKNOWN_ID if target == "unknown" else life.id

        assert_problem(self.get(life, aggregate_id, **params), status)

    @pytest.mark.parametrize("who", ["citizen", "moderator", "committee"])
    def test_only_auditors_read_aggregates(self, life: Life, who: str) -> None:
        """403 for any other role."""
        response = life.api.client.get(
            f"/audit/aggregates/{life.id}", headers=life.api.account(who).headers
        )

        assert_problem(response, 403)


class TestAuditQueries:
    """`/audit/events` by time range and parent, and `/audit/correlations/{id}`."""

    def test_entries_name_their_parent_and_filter_by_it(self, life: Life) -> None:
        """The petition's signature events, each with the petition as `parent_id`."""
        entries = life.api.audit(parent_id=life.id)

        assert [e["type"].partition(".")[2] for e in entries] == [
            "Signed",
            "Signed",
            "Withdrawn",
            "Signed",
            "SignedAgain",
        ]
        assert {e["parent_id"] for e in entries} == {life.id}
        assert all(e["parent_id"] is None for e in life.history())

    def test_since_and_until_are_inclusive(self, life: Life) -> None:
        """From the admission to the closure: those events of the petition, both ends included."""
        history = life.history()
        since, until = history[1]["timestamp"], history[3]["timestamp"]

        entries = life.api.audit(aggregate_id=life.id, since=since, until=until)

        assert entries == history[1:4]

    def test_a_naive_bound_is_refused(self, life: Life) -> None:
        """422 problem for `since` without a time zone."""
        response = life.api.client.get(
            "/audit/events",
            params={"since": "2026-03-01T12:00:00"},
            headers=life.api.auditor.headers,
        )

        assert_problem(response, 422)

    def test_a_request_s_entries_are_its_signature_and_the_threshold_it_reached(
        self, life: Life
    ) -> None:
        """Both, in log order, one page at a time, as `/audit/events?correlation_id=` gives."""
        path = f"/audit/correlations/{life.crossing}"

        entries = every_page(life.api.client, path, limit=1, headers=life.api.auditor.headers)

        assert [e["type"] for e in entries] == ["Signature.Signed", "Petition.ThresholdReached"]
        assert entries == life.api.audit(correlation_id=life.crossing)

    def test_a_correlation_id_that_caused_nothing_is_not_found(self, api: CivicApi) -> None:
        """404 problem; 403 for a citizen; 400 for an id too long."""
        headers = api.auditor.headers

        assert_problem(api.client.get("/audit/correlations/req-nothing", headers=headers), 404)
        assert_problem(
            api.client.get("/audit/correlations/req-nothing", headers=api.citizen.headers), 403
        )
        assert_problem(api.client.get(f"/audit/correlations/{'x' * 129}", headers=headers), 400)

    def test_the_openapi_document_lists_the_new_routes(self, api: CivicApi) -> None:
        """Signatories, correlations and aggregates are in `/schema/openapi.json`."""
        document = json_of(api.client.get("/schema/openapi.json"), 200)

        operations = {(path, method) for path, item in document["paths"].items() for method in item}
        assert operations >= NEW_OPERATIONS
