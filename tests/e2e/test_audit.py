"""The petition's history and the audit trail over HTTP: every event with who, when, why and
which request, in log order, filtered and paged by position."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from .api import CORRELATION_HEADER, CivicApi, Json, assert_problem, json_of

ENTRY_FIELDS = {
    "position",
    "timestamp",
    "aggregate_id",
    "type",
    "actor",
    "reason",
    "correlation_id",
    "data",
}
PETITION_EVENTS = [
    "Petition.Lodged",
    "Petition.AdmissibilityDecided",
    "Petition.ThresholdReached",
    "Petition.Closed",
    "Petition.Responded",
]


def live_petition(api: CivicApi) -> tuple[Json, list[str]]:
    """A petition taken through its whole life, and the correlation id of each request."""
    client = api.client
    lodged = client.post(
        "/petitions",
        json={
            "title": "A citizen vote on the tramway extension",
            "text": "Let the people of the south districts decide.",
            "thresholds": [{"signatures": 1, "consequence": "citizen_vote"}],
        },
        headers=api.citizen.headers,
    )
    path = f"/petitions/{json_of(lodged, 201)['id']}"
    steps = [
        lodged,
        client.post(
            f"{path}/admissibility",
            json={"admissible": True, "reason": "the tramway is a municipal matter"},
            headers=api.moderator.headers,
        ),
        client.post(f"{path}/signatures", headers=api.citizen.headers),
        client.post(
            f"{path}/close", json={"reason": "the vote is scheduled"}, headers=api.committee.headers
        ),
        client.post(
            f"{path}/response",
            json={"text": "The vote will be held on 12 March."},
            headers=api.committee.headers,
        ),
    ]
    assert [r.status_code for r in steps] == [201, 200, 201, 200, 200]
    return json_of(client.get(path), 200), [r.headers[CORRELATION_HEADER] for r in steps]


class TestHistory:
    """`GET /petitions/{id}/history`: the petition's own events, oldest first."""

    def test_tells_the_petition_s_life_with_who_why_and_which_request(self, api: CivicApi) -> None:
        """Each event with its position, time, actor, reason, correlation id and data."""
        petition, correlation_ids = live_petition(api)

        page = json_of(api.client.get(f"/petitions/{petition['id']}/history"), 200)

        history = page["items"]
        assert page["next"] is None
        assert [e["type"] for e in history] == PETITION_EVENTS
        assert all(e.keys() >= ENTRY_FIELDS for e in history)
        assert all(e["aggregate_id"] == petition["id"] for e in history)
        positions = [e["position"] for e in history]
        assert positions == sorted(set(positions))
        times = [datetime.fromisoformat(e["timestamp"]) for e in history]
        assert times == sorted(times)
        # The threshold was reached by the signature's request, on behalf of the system.
        assert [e["correlation_id"] for e in history] == correlation_ids
        actors = [e["actor"] for e in history]
        assert actors[:2] == [api.citizen.id, api.moderator.id]
        assert actors[2].startswith("system:")
        assert actors[3:] == [api.committee.id, api.committee.id]
        reasons = [e["reason"] for e in history]
        assert reasons[1] == "the tramway is a municipal matter"
        assert reasons[3] == "the vote is scheduled"
        assert history[0]["data"]["title"] == "A citizen vote on the tramway extension"
        assert history[0]["data"]["thresholds"] == [
            {"signatures": 1, "consequence": "citizen_vote"}
        ]
        assert history[1]["data"]["admissible"] is True
        assert history[4]["data"]["text"] == "The vote will be held on 12 March."

    def test_pages_with_after_and_limit(self, api: CivicApi) -> None:
        """Two at a time, following `next`, gives the same events as one page."""
        petition, _ = live_petition(api)
        path = f"/petitions/{petition['id']}/history"
        whole = json_of(api.client.get(path), 200)["items"]
        paged: list[Json] = []
        params: dict[str, Any] = {"limit": 2}

        while True:
            page = json_of(api.client.get(path, params=params), 200)
            paged.extend(page["items"])
            if page["next"] is None:
                break
            params["after"] = page["next"]

        assert paged == whole
        assert len(whole) == len(PETITION_EVENTS)

    def test_is_the_audit_trail_of_the_petition(self, api: CivicApi) -> None:
        """The history equals the audit entries filtered by the petition's id."""
        petition, _ = live_petition(api)

        history = json_of(api.client.get(f"/petitions/{petition['id']}/history"), 200)["items"]

        assert history == api.audit(aggregate_id=petition["id"])


class TestAuditTrail:
    """`GET /audit/events` for auditors: the whole log, filtered and paged by position."""

    def test_lists_every_event_in_log_order(self, api: CivicApi) -> None:
        """Strictly increasing positions, the accounts' openings by the CLI among them."""
        live_petition(api)

        entries = api.audit()

        positions = [e["position"] for e in entries]
        assert positions == sorted(set(positions))
        assert all(e.keys() >= ENTRY_FIELDS for e in entries)
        by_cli = {a.id for a in (*api.citizens, api.moderator)}
        opened = [e for e in entries if e["type"] == "Account.Opened"]
        assert {e["aggregate_id"] for e in opened} >= by_cli
        assert all(
            e["actor"].startswith("system:cli:") for e in opened if e["aggregate_id"] in by_cli
        )

    def test_pages_follow_the_next_cursor(self, api: CivicApi) -> None:
        """Pages of three after a position, chained by `next`, make up the rest of the log."""
        petition, _ = live_petition(api)
        start = petition["position"] - 1
        rest = [e for e in api.audit() if e["position"] > start]
        pages: list[list[Json]] = []
        after: int | None = start

        while after is not None:
            response = api.client.get(
                "/audit/events", params={"after": after, "limit": 3}, headers=api.auditor.headers
            )
            page = json_of(response, 200)
            assert len(page["items"]) <= 3
            pages.append(page["items"])
            after = page["next"]

        assert [e for page in pages for e in page] == rest
        assert all(len(page) == 3 for page in pages[:-1])

    def test_filters_by_aggregate(self, api: CivicApi) -> None:
        """`aggregate_id` gives that aggregate's events only."""
        petition, _ = live_petition(api)

        entries = api.audit(aggregate_id=petition["id"])

        assert [e["type"] for e in entries] == PETITION_EVENTS

    def test_filters_by_type(self, api: CivicApi) -> None:
        """`type` gives the events of that type only, this petition's lodging among them."""
        petition, _ = live_petition(api)

        entries = api.audit(type="Petition.Lodged")

        assert {e["type"] for e in entries} == {"Petition.Lodged"}
        assert petition["id"] in {e["aggregate_id"] for e in entries}

    def test_filters_by_actor(self, api: CivicApi) -> None:
        """`actor` gives that account's acts only, the committee's closing among them."""
        _, correlation_ids = live_petition(api)

        entries = api.audit(actor=api.committee.id)

        assert {e["actor"] for e in entries} == {api.committee.id}
        assert correlation_ids[3] in {e["correlation_id"] for e in entries}

    def test_filters_by_correlation_id(self, api: CivicApi) -> None:
        """`correlation_id` gives what one request caused: a signature, the threshold it hit and
        the citizen vote that threshold drafted."""
        _, correlation_ids = live_petition(api)

        entries = api.audit(correlation_id=correlation_ids[2])

        assert [e["type"] for e in entries] == [
            "Signature.Signed",
            "Petition.ThresholdReached",
            "Vote.Drafted",
        ]

    def test_combines_filters(self, api: CivicApi) -> None:
        """Every filter given must match: the committee's acts on this one petition."""
        petition, _ = live_petition(api)

        entries = api.audit(actor=api.committee.id, aggregate_id=petition["id"])

        assert [e["type"] for e in entries] == ["Petition.Closed", "Petition.Responded"]

    def test_an_unmatched_filter_gives_an_empty_last_page(self, api: CivicApi) -> None:
        """No entry: `items` is empty and `next` is null."""
        response = api.client.get(
            "/audit/events", params={"type": "Petition.Nothing"}, headers=api.auditor.headers
        )

        assert json_of(response, 200) == {"items": [], "next": None}


class TestAuditAccess:
    """Only auditors read the audit trail."""

    def test_a_request_without_a_token_is_unauthenticated(self, api: CivicApi) -> None:
        """401 with a `WWW-Authenticate: Bearer` challenge."""
        response = api.client.get("/audit/events")

        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")

    @pytest.mark.parametrize("who", ["citizen", "moderator", "committee"])
    def test_other_roles_are_forbidden(self, api: CivicApi, who: str) -> None:
        """403 for a citizen, a moderator or a committee member."""
        response = api.client.get("/audit/events", headers=api.account(who).headers)

        assert_problem(response, 403)

    @pytest.mark.parametrize(
        "params",
        [
            {"limit": 0},
            {"limit": 1001},
            {"limit": "ten"},
            {"after": -1},
            {"aggregate_id": "not-a-uuid"},
            {"actor": "x" * 129},
        ],
        ids=[
            "limit-0",
            "limit-too-big",
            "limit-not-a-number",
            "negative-after",
            "bad-uuid",
            "long-actor",
        ],
    )
    def test_bad_query_parameters_are_refused(self, api: CivicApi, params: dict[str, Any]) -> None:
        """400 problem for a bad limit, cursor, aggregate id or filter."""
        response = api.client.get("/audit/events", params=params, headers=api.auditor.headers)

        assert_problem(response, 400)
