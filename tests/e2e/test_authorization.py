"""The authorisation matrix: every route of the OpenAPI document, called by each role alone and
by nobody, is let through (any answer but 401 and 403) by exactly the roles listed here. A route
added without an entry fails the test; so does a guard that admits one role too many or too few.

Ids in paths are made up: guards run before the handler looks anything up, so a route that lets
a role through answers 404 (or 400, 422) rather than 401 or 403. Scoped rights (a committee
account acts only in the committees it created or sits on) are checked on real committees.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest

from .api import CivicApi, Json, assert_problem, json_of
from .server import Account, create_account

ANONYMOUS = "anonymous"
ROLES = ("citizen", "moderator", "committee", "auditor", "admin")
EVERYONE = frozenset({ANONYMOUS, *ROLES})
ACCOUNTS = frozenset(ROLES)
ORGANISERS = frozenset({"committee", "admin"})
AUDITORS = frozenset({"auditor", "admin"})
CITIZENS = frozenset({"citizen"})
ADMIN = frozenset({"admin"})
SIGN_OUT = ("DELETE", "/session")

# (method, OpenAPI path) -> who is let through.
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/health"): EVERYONE,
    # accounts and sessions
    ("POST", "/accounts"): EVERYONE,
    ("GET", "/accounts"): ADMIN,
    ("GET", "/accounts/me"): ACCOUNTS,
    ("GET", "/accounts/me/data"): ACCOUNTS,
    ("GET", "/accounts/me/tokens"): ACCOUNTS,
    ("POST", "/accounts/me/tokens"): ACCOUNTS,
    ("DELETE", "/accounts/me/tokens/{token_id}"): ACCOUNTS,
    ("GET", "/accounts/{account_id}"): ADMIN,
    ("POST", "/accounts/{account_id}/roles"): ADMIN,
    ("DELETE", "/accounts/{account_id}/roles/{role}"): ADMIN,
    ("DELETE", "/accounts/{account_id}/tokens/{token_id}"): ADMIN,
    ("POST", "/session"): EVERYONE,
    ("DELETE", "/session"): ACCOUNTS,
    # petitions
    ("POST", "/petitions"): CITIZENS,
    ("GET", "/petitions"): EVERYONE,
    ("GET", "/petitions/{petition_id}"): EVERYONE,
    ("GET", "/petitions/{petition_id}/history"): EVERYONE,
    ("POST", "/petitions/{petition_id}/admissibility"): frozenset({"moderator", "committee"}),
    ("POST", "/petitions/{petition_id}/close"): frozenset({"committee"}),
    ("POST", "/petitions/{petition_id}/response"): frozenset({"committee"}),
    ("GET", "/petitions/{petition_id}/signatures"): frozenset({"moderator", "auditor", "admin"}),
    ("POST", "/petitions/{petition_id}/signatures"): CITIZENS,
    ("DELETE", "/petitions/{petition_id}/signatures/me"): CITIZENS,
    # votes
    ("POST", "/votes"): ORGANISERS,
    ("GET", "/votes"): EVERYONE,
    ("GET", "/votes/{vote_id}"): EVERYONE,
    ("PUT", "/votes/{vote_id}"): ORGANISERS,
    ("POST", "/votes/{vote_id}/open"): ORGANISERS,
    ("POST", "/votes/{vote_id}/close"): ORGANISERS,
    ("POST", "/votes/{vote_id}/certify"): ORGANISERS,
    ("POST", "/votes/{vote_id}/cancel"): ORGANISERS,
    ("POST", "/votes/{vote_id}/ballots"): ACCOUNTS,  # the electorate is checked by the vote
    ("GET", "/votes/{vote_id}/ballots"): EVERYONE,
    ("GET", "/votes/{vote_id}/results"): EVERYONE,
    ("GET", "/votes/{vote_id}/history"): EVERYONE,
    # committees, meetings, decisions: who sits that day is checked by the meeting
    ("POST", "/committees"): ORGANISERS,
    ("GET", "/committees"): EVERYONE,
    ("GET", "/committees/{committee_id}"): EVERYONE,
    ("GET", "/committees/{committee_id}/history"): EVERYONE,
    ("PUT", "/committees/{committee_id}/rules"): ORGANISERS,
    ("GET", "/committees/{committee_id}/members"): EVERYONE,
    ("POST", "/committees/{committee_id}/members"): ORGANISERS,
    ("POST", "/committees/{committee_id}/members/{member}/departure"): ORGANISERS,
    ("GET", "/committees/{committee_id}/meetings"): EVERYONE,
    ("POST", "/committees/{committee_id}/meetings"): ACCOUNTS,
    ("GET", "/meetings/{meeting_id}"): EVERYONE,
    ("GET", "/meetings/{meeting_id}/history"): EVERYONE,
    ("POST", "/meetings/{meeting_id}/attendance"): ACCOUNTS,
    ("POST", "/meetings/{meeting_id}/items"): ACCOUNTS,
    ("POST", "/meetings/{meeting_id}/items/petition"): ACCOUNTS,
    ("POST", "/meetings/{meeting_id}/items/{item}/conflicts"): ACCOUNTS,
    ("POST", "/meetings/{meeting_id}/items/{item}/decision"): ACCOUNTS,
    ("POST", "/meetings/{meeting_id}/minutes"): ACCOUNTS,
    ("POST", "/meetings/{meeting_id}/close"): ACCOUNTS,
    ("GET", "/decisions/{decision_id}"): EVERYONE,
    # charters
    ("POST", "/charters"): ORGANISERS,
    ("GET", "/charters"): EVERYONE,
    ("GET", "/charters/{charter_id}"): EVERYONE,
    ("GET", "/charters/{charter_id}/versions/{number}"): EVERYONE,
    ("GET", "/charters/{charter_id}/diff"): EVERYONE,
    ("GET", "/charters/{charter_id}/history"): EVERYONE,
    ("POST", "/charters/{charter_id}/amendments"): frozenset({"citizen", "committee", "admin"}),
    ("GET", "/charters/{charter_id}/amendments"): EVERYONE,
    ("POST", "/charters/{charter_id}/amendments/{amendment_id}/decision"): ORGANISERS,
    ("POST", "/charters/{charter_id}/adoption"): ORGANISERS,
    ("POST", "/charters/{charter_id}/revision"): ORGANISERS,
    ("GET", "/charters/{charter_id}/signatories"): EVERYONE,
    ("POST", "/charters/{charter_id}/signatories"): ORGANISERS,
    ("POST", "/charters/{charter_id}/signatories/{organisation_id}/withdrawal"): ORGANISERS,
    # consultations: organisers run them (a committee account, for its committees)
    ("POST", "/consultations"): ORGANISERS,
    ("GET", "/consultations"): EVERYONE,
    ("GET", "/consultations/{consultation_id}"): EVERYONE,
    ("GET", "/consultations/{consultation_id}/history"): EVERYONE,
    ("GET", "/consultations/{consultation_id}/results"): EVERYONE,
    ("POST", "/consultations/{consultation_id}/phase"): ORGANISERS,
    ("POST", "/consultations/{consultation_id}/synthesis"): ORGANISERS,
    ("POST", "/consultations/{consultation_id}/response"): ORGANISERS,
    ("GET", "/consultations/{consultation_id}/contributions"): EVERYONE,
    ("POST", "/consultations/{consultation_id}/contributions"): CITIZENS,
    ("GET", "/consultations/{consultation_id}/contributions/{contribution_id}"): EVERYONE,
    ("GET", "/consultations/{consultation_id}/contributions/{contribution_id}/history"): EVERYONE,
    ("GET", "/consultations/{consultation_id}/contributions/{contribution_id}/comments"): EVERYONE,
    ("POST", "/consultations/{consultation_id}/contributions/{contribution_id}/comments"): CITIZENS,
    (
        "POST",
        "/consultations/{consultation_id}/contributions/{contribution_id}/endorsements",
    ): CITIZENS,
    (
        "DELETE",
        "/consultations/{consultation_id}/contributions/{contribution_id}/endorsements/me",
    ): CITIZENS,
    (
        "POST",
        "/consultations/{consultation_id}/contributions/{contribution_id}/moderation",
    ): frozenset({"moderator"}),
    ("POST", "/consultations/{consultation_id}/comments/{comment_id}/moderation"): frozenset(
        {"moderator"}
    ),
    ("PUT", "/consultations/{consultation_id}/answers/me"): CITIZENS,
    ("GET", "/consultations/{consultation_id}/answers/me"): CITIZENS,
    # territories: admins register them and their competences
    ("POST", "/territories"): ADMIN,
    ("GET", "/territories"): EVERYONE,
    ("GET", "/territories/{territory_id}"): EVERYONE,
    ("GET", "/territories/{territory_id}/history"): EVERYONE,
    ("GET", "/territories/{territory_id}/ecosystem"): EVERYONE,
    ("POST", "/territories/{territory_id}/members"): ADMIN,
    ("POST", "/territories/{territory_id}/competences"): ADMIN,
    ("POST", "/territories/{territory_id}/competences/{competence}/transfer"): ADMIN,
    ("GET", "/territories/{territory_id}/competences/{competence}/holder"): EVERYONE,
    # organisations: admins and committee accounts register them; the registrant keeps them
    ("POST", "/organisations"): ORGANISERS,
    ("GET", "/organisations"): EVERYONE,
    ("GET", "/organisations/{organisation_id}"): EVERYONE,
    ("GET", "/organisations/{organisation_id}/history"): EVERYONE,
    ("PUT", "/organisations/{organisation_id}/core-business"): ORGANISERS,
    ("POST", "/organisations/{organisation_id}/entries"): ORGANISERS,
    ("PUT", "/organisations/{organisation_id}/entries/{number}"): ORGANISERS,
    ("POST", "/organisations/{organisation_id}/entries/{number}/removal"): ORGANISERS,
    ("GET", "/organisations/{organisation_id}/partnerships"): EVERYONE,
    ("POST", "/organisations/{organisation_id}/partnerships"): ORGANISERS,
    ("POST", "/organisations/{organisation_id}/partnerships/{partnership_id}/end"): ORGANISERS,
    # audit and transparency
    ("GET", "/audit/events"): AUDITORS,
    ("GET", "/audit/correlations/{correlation_id}"): AUDITORS,
    ("GET", "/audit/aggregates/{aggregate_id}"): AUDITORS,
    ("GET", "/audit/stream"): AUDITORS,
    ("GET", "/audit/key"): EVERYONE,
    ("GET", "/audit/checkpoints/latest"): EVERYONE,
    ("GET", "/audit/proofs/inclusion"): EVERYONE,
    ("GET", "/audit/proofs/consistency"): EVERYONE,
    # open data
    ("GET", "/open-data"): EVERYONE,
    ("GET", "/open-data/petitions.csv"): EVERYONE,
    ("GET", "/open-data/petitions.json"): EVERYONE,
    ("GET", "/open-data/votes.csv"): EVERYONE,
    ("GET", "/open-data/votes.json"): EVERYONE,
    ("GET", "/open-data/consultation-contributions.csv"): EVERYONE,
    ("GET", "/open-data/consultation-contributions.json"): EVERYONE,
    ("GET", "/open-data/consultation-answers.csv"): EVERYONE,
    ("GET", "/open-data/consultation-answers.json"): EVERYONE,
}


@pytest.fixture(scope="module")
def people(api: CivicApi) -> dict[str, Account | None]:
    """One account per role, holding that role alone, and nobody."""
    workdir, url = api.workdir, api.database_url
    suffix = uuid4().hex[:6]
    return {
        ANONYMOUS: None,
        "citizen": api.citizen,  # ada: citizen only
        "moderator": api.moderator,  # mo: moderator only
        "committee": create_account(url, workdir, f"com-{suffix}", "committee"),
        "auditor": create_account(url, workdir, f"aud-{suffix}", "auditor"),
        "admin": create_account(url, workdir, f"adm-{suffix}", "admin"),
    }


def operations(document: Json) -> dict[tuple[str, str], Json]:
    """Every operation of the OpenAPI document, by method and path."""
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "delete", "patch"}
    }


def concrete(path: str, operation: Json) -> str:
    """The path with made-up values of the right type for its parameters."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "path":
            continue
        schema = parameter.get("schema", {})
        kind = schema.get("type")
        if schema.get("format") == "uuid":
            value = str(uuid4())
        elif kind == "integer":
            value = "1"
        elif "enum" in schema:
            value = str(schema["enum"][0])
        else:
            value = "x"
        path = path.replace("{" + parameter["name"] + "}", value)
    return path


def let_through(client: httpx.Client, method: str, path: str, who: Account | None) -> bool:
    """Whether the route answered anything but 401 or 403 to `who`."""
    headers = {} if who is None else dict(who.headers)
    if (method, path) == SIGN_OUT and who is not None:  # it revokes the token: a spare one
        spare = client.post("/accounts/me/tokens", json={"label": "to sign out"}, headers=headers)
        headers = {"Authorization": f"Bearer {json_of(spare, 201)['token']}"}
    body: dict[str, Any] | None = {} if method in {"POST", "PUT"} else None
    with client.stream(method, path, json=body, headers=headers) as response:
        status = response.status_code  # a stream (SSE) is left unread
    assert status < 500, (method, path, status)
    return status not in {401, 403}


def test_every_route_has_an_entry(api: CivicApi) -> None:
    """The matrix lists exactly the operations of the OpenAPI document."""
    documented = set(operations(json_of(api.client.get("/schema/openapi.json"), 200)))
    assert documented - MATRIX.keys() == set(), "routes without an entry in MATRIX"
    assert MATRIX.keys() - documented == set(), "entries of MATRIX no route answers"


def test_each_route_lets_through_exactly_its_roles(
    api: CivicApi, people: dict[str, Account | None]
) -> None:
    """Each route, called by every role alone and anonymously, admits exactly its roles."""
    document = json_of(api.client.get("/schema/openapi.json"), 200)
    wrong = []
    for (method, path), operation in sorted(operations(document).items()):
        url = concrete(path, operation)
        admitted = {
            who for who, account in people.items() if let_through(api.client, method, url, account)
        }
        expected = MATRIX[(method, path)]
        if admitted != expected:
            wrong.append(f"{method} {path}: admits {sorted(admitted)}, not {sorted(expected)}")
    assert wrong == []


class TestCommitteeScope:
    def test_a_committee_account_organises_only_committees_it_created_or_sits_on(
        self, api: CivicApi, people: dict[str, Account | None]
    ) -> None:
        """Another committee account gets 403 on its rules and members; once appointed to
        it, it may; an admin always may."""
        creator = api.committee
        outsider, admin = people["committee"], people["admin"]
        assert outsider is not None
        assert admin is not None
        body = {
            "name": f"Comité {uuid4().hex[:6]}",
            "serves": {"kind": "territory", "name": "Metz"},
            "colleges": [{"id": "public", "name": "Public bodies", "seats": 3}],
        }
        committee = json_of(api.client.post("/committees", json=body, headers=creator.headers), 201)
        rules = f"/committees/{committee['id']}/rules"
        change = {"quorum": {"share": "1/2"}, "majority": {"kind": "simple"}}
        members = f"/committees/{committee['id']}/members"
        appoint = {
            "member": outsider.id,
            "college": "public",
            "role": "member",
            "start": "2026-01-01",
        }

        with api.records_nothing():
            assert_problem(api.client.put(rules, json=change, headers=outsider.headers), 403)
            assert_problem(api.client.post(members, json=appoint, headers=outsider.headers), 403)
        json_of(api.client.put(rules, json=change, headers=admin.headers), 200)
        json_of(api.client.post(members, json=appoint, headers=creator.headers), 201)
        json_of(api.client.put(rules, json=change, headers=outsider.headers), 200)
