"""Refusals over HTTP: each is an RFC 9457 problem with the right 4xx status, never a 500, and a
refused command leaves no event behind; a database that cannot be reached is a 503."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.conftest import _connect, _postgres_server_url

from .api import CivicApi, Json, assert_problem, json_of, petition_body

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
BEYOND_ANY_POSITION = 2**63  # past the largest BIGINT: no log can be that long


@dataclass(frozen=True, slots=True)
class Route:
    """A command route: how to call it, who may, and a valid body."""

    name: str
    method: str
    path: str  # "{id}" stands for a petition's id
    allowed: str
    body: Json | None = None

    def url(self, petition_id: str) -> str:
        """The route's URL for this petition."""
        return self.path.format(id=petition_id)

    def send_as_allowed(self, api: CivicApi, petition_id: str, **request: Any) -> httpx.Response:
        """Call the route on the petition as an account allowed to, with `request`'s body."""
        headers = {**api.account(self.allowed).headers, **request.pop("headers", {})}
        return api.client.request(self.method, self.url(petition_id), headers=headers, **request)


LODGE = Route("lodge", "POST", "/petitions", "citizen", petition_body())
DECIDE = Route("decide", "POST", "/petitions/{id}/admissibility", "moderator", {"admissible": True})
SIGN = Route("sign", "POST", "/petitions/{id}/signatures", "citizen")
WITHDRAW = Route("withdraw", "DELETE", "/petitions/{id}/signatures/me", "citizen")
CLOSE = Route("close", "POST", "/petitions/{id}/close", "committee", {"reason": "debated"})
RESPOND = Route("respond", "POST", "/petitions/{id}/response", "committee", {"text": "Yes."})
COMMANDS = [LODGE, DECIDE, SIGN, WITHDRAW, CLOSE, RESPOND]
ON_A_PETITION = [DECIDE, SIGN, WITHDRAW, CLOSE, RESPOND]
WITH_A_BODY = [LODGE, DECIDE, CLOSE, RESPOND]
FORBIDDEN = [
    (LODGE, "moderator"),
    (DECIDE, "citizen"),
    (DECIDE, "auditor"),
    (SIGN, "moderator"),
    (WITHDRAW, "moderator"),
    (CLOSE, "citizen"),
    (CLOSE, "moderator"),
    (RESPOND, "citizen"),
    (RESPOND, "moderator"),
]


def by_name(routes: list[Route]) -> dict[str, Any]:
    """Parametrize over routes, with their names as ids."""
    return {"argvalues": routes, "ids": [r.name for r in routes]}


class TestAuthentication:
    """Commands need a valid bearer token."""

    @pytest.mark.parametrize("route", **by_name(COMMANDS))
    def test_a_command_without_a_token_is_unauthenticated(
        self, api: CivicApi, route: Route
    ) -> None:
        """401 with a `WWW-Authenticate: Bearer` challenge, and nothing recorded."""
        petition = api.open_petition()

        with api.records_nothing():
            response = api.client.request(route.method, route.url(petition["id"]), json=route.body)

        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")

    @pytest.mark.parametrize("route", **by_name(COMMANDS))
    def test_a_command_with_an_unknown_token_is_unauthenticated(
        self, api: CivicApi, route: Route
    ) -> None:
        """401 with the challenge, and nothing recorded."""
        petition = api.open_petition()

        with api.records_nothing():
            response = api.client.request(
                route.method,
                route.url(petition["id"]),
                json=route.body,
                headers={"Authorization": "Bearer not-a-token-anyone-holds"},
            )

        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")

    @pytest.mark.parametrize(
        "authorization",
        ["Basic YWRhOnNlY3JldA==", "Bearer", "Token abc"],
        ids=["basic", "bearer-without-token", "other-scheme"],
    )
    def test_an_authorization_header_that_is_not_a_bearer_token_is_refused(
        self, api: CivicApi, authorization: str
    ) -> None:
        """401 with the challenge for another scheme or a missing token."""
        response = api.client.post(
            "/petitions", json=petition_body(), headers={"Authorization": authorization}
        )

        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")

    def test_an_unknown_token_is_refused_even_where_none_is_needed(self, api: CivicApi) -> None:
        """A bad token is an error, not silently anonymous: 401 on a public read too."""
        response = api.client.get("/petitions", headers={"Authorization": "Bearer nope"})

        assert_problem(response, 401)


class TestAuthorisation:
    """Each command needs its role."""

    @pytest.mark.parametrize(
        ("route", "who"), FORBIDDEN, ids=[f"{r.name}-by-{who}" for r, who in FORBIDDEN]
    )
    def test_a_command_by_the_wrong_role_is_forbidden(
        self, api: CivicApi, route: Route, who: str
    ) -> None:
        """403 problem, nothing recorded."""
        petition = api.open_petition()

        with api.records_nothing():
            response = api.client.request(
                route.method,
                route.url(petition["id"]),
                json=route.body,
                headers=api.account(who).headers,
            )

        assert_problem(response, 403)


class TestNotFound:
    """An id that names no petition, or no route at all."""

    @pytest.mark.parametrize("route", **by_name(ON_A_PETITION))
    def test_a_command_on_an_unknown_petition_is_not_found(
        self, api: CivicApi, route: Route
    ) -> None:
        """404 problem, nothing recorded."""
        with api.records_nothing():
            response = api.client.request(
                route.method,
                route.url(UNKNOWN_ID),
                json=route.body,
                headers=api.account(route.allowed).headers,
            )

        assert_problem(response, 404)

    @pytest.mark.parametrize("suffix", ["", "/history"], ids=["petition", "history"])
    def test_reading_an_unknown_petition_is_not_found(self, api: CivicApi, suffix: str) -> None:
        """404 problem for the petition and for its history."""
        assert_problem(api.client.get(f"/petitions/{UNKNOWN_ID}{suffix}"), 404)

    @pytest.mark.parametrize("path", ["/petitions/42", "/petitions/not-an-id/history", "/nowhere"])
    def test_a_path_that_names_nothing_is_not_found(self, api: CivicApi, path: str) -> None:
        """404 problem for a malformed id or an unknown path."""
        assert_problem(api.client.get(path), 404)

    def test_a_method_the_route_does_not_have_is_not_allowed(self, api: CivicApi) -> None:
        """405 problem."""
        assert_problem(api.client.put("/petitions", headers=api.citizen.headers), 405)


class TestMalformedInput:
    """Bodies that are not the command's JSON object: 400, nothing recorded."""

    @pytest.mark.parametrize("route", **by_name(WITH_A_BODY))
    @pytest.mark.parametrize(
        "content",
        [b"{", b'{"title": ', b"not json", b"[]", b'"text"', b"null", b""],
        ids=["unclosed", "truncated", "not-json", "array", "string", "null", "empty"],
    )
    def test_a_body_that_is_not_a_json_object_is_a_bad_request(
        self, api: CivicApi, route: Route, content: bytes
    ) -> None:
        """400 problem."""
        petition = api.open_petition()

        with api.records_nothing():
            response = route.send_as_allowed(
                api, petition["id"], content=content, headers={"Content-Type": "application/json"}
            )

        assert_problem(response, 400)

    @pytest.mark.parametrize("route", **by_name(WITH_A_BODY))
    def test_an_unknown_field_is_a_bad_request(self, api: CivicApi, route: Route) -> None:
        """400 problem: an unknown field is refused, not silently dropped."""
        petition = api.open_petition()
        body = {**(route.body or {}), "signatures": 10**6}

        with api.records_nothing():
            response = route.send_as_allowed(api, petition["id"], json=body)

        assert_problem(response, 400)

    @pytest.mark.parametrize("route", **by_name(WITH_A_BODY))
    def test_a_missing_field_is_a_bad_request(self, api: CivicApi, route: Route) -> None:
        """400 problem for an empty object."""
        petition = api.open_petition()

        with api.records_nothing():
            response = route.send_as_allowed(api, petition["id"], json={})

        assert_problem(response, 400)

    @pytest.mark.parametrize(
        ("route", "body"),
        [
            (LODGE, {"title": 42, "text": "x"}),
            (LODGE, petition_body(thresholds={"signatures": 3, "consequence": "vote"})),
            (LODGE, petition_body(thresholds=[{"signatures": "three", "consequence": "vote"}])),
            (LODGE, petition_body(deadline="next tuesday")),
            (DECIDE, {"admissible": "yes"}),
            (CLOSE, {"reason": None}),
            (RESPOND, {"text": ["Yes."]}),
        ],
        ids=[
            "number-title",
            "thresholds-not-a-list",
            "signatures-as-text",
            "deadline-not-a-date",
            "admissible-not-a-bool",
            "null-reason",
            "text-not-a-string",
        ],
    )
    def test_a_field_of_the_wrong_type_is_a_bad_request(
        self, api: CivicApi, route: Route, body: Json
    ) -> None:
        """400 problem."""
        petition = api.open_petition()

        with api.records_nothing():
            response = route.send_as_allowed(api, petition["id"], json=body)

        assert_problem(response, 400)

    def test_an_oversized_body_is_refused(self, api: CivicApi) -> None:
        """413 problem for a body beyond the server's limit."""
        with api.records_nothing():
            response = api.client.post(
                "/petitions",
                json=petition_body(text="x" * 300_000),
                headers=api.citizen.headers,
            )

        assert_problem(response, 413)


LODGING_VIOLATIONS = {
    "empty-title": {"title": ""},
    "blank-title": {"title": "   "},
    "title-too-long": {"title": "t" * 201},
    "empty-text": {"text": ""},
    "text-too-long": {"text": "t" * 20_001},
    "naive-deadline": {"deadline": "2099-01-01T12:00:00"},
    "past-deadline": {"deadline": "2001-01-01T12:00:00+00:00"},
    "thresholds-not-increasing": {
        "thresholds": [
            {"signatures": 100, "consequence": "official_response"},
            {"signatures": 100, "consequence": "citizen_vote"},
        ]
    },
    "thresholds-decreasing": {
        "thresholds": [
            {"signatures": 100, "consequence": "citizen_vote"},
            {"signatures": 10, "consequence": "official_response"},
        ]
    },
    "zero-signatures": {"thresholds": [{"signatures": 0, "consequence": "citizen_vote"}]},
    "blank-consequence": {"thresholds": [{"signatures": 10, "consequence": " "}]},
    "too-many-thresholds": {
        "thresholds": [{"signatures": n, "consequence": "step"} for n in range(1, 12)]
    },
}


class TestConstraints:
    """Well-formed bodies and queries that break a rule: 400 or 422, nothing recorded."""

    @pytest.mark.parametrize(
        "fields", LODGING_VIOLATIONS.values(), ids=list(LODGING_VIOLATIONS.keys())
    )
    def test_a_petition_that_breaks_a_rule_is_not_lodged(self, api: CivicApi, fields: Json) -> None:
        """400 or 422 problem for a bad title, text, deadline or thresholds."""
        with api.records_nothing():
            response = api.client.post(
                "/petitions", json=petition_body(**fields), headers=api.citizen.headers
            )

        assert response.status_code in {400, 422}, response.text
        assert_problem(response, response.status_code)

    @pytest.mark.parametrize(
        ("path", "params"),
        [
            ("/petitions", {"limit": 0}),
            ("/petitions", {"limit": 501}),
            ("/petitions", {"after": -1}),
            ("/petitions", {"status": "archived"}),
            ("/petitions/{id}/history", {"limit": 0}),
            ("/petitions/{id}/history", {"after": "first"}),
        ],
        ids=[
            "limit-0",
            "limit-too-big",
            "negative-after",
            "unknown-status",
            "history-limit-0",
            "history-after-not-a-number",
        ],
    )
    def test_a_bad_query_parameter_is_refused(
        self, api: CivicApi, path: str, params: dict[str, Any]
    ) -> None:
        """400 problem for a limit, cursor or status out of range."""
        petition = api.lodge()

        response = api.client.get(path.format(id=petition["id"]), params=params)

        assert_problem(response, 400)


class TestNeverA500:
    """Odd but possible input is refused (4xx) or served, never an internal error."""

    @pytest.mark.parametrize(
        ("path", "auditor"),
        [("/petitions", False), ("/petitions/{id}/history", False), ("/audit/events", True)],
        ids=["petitions", "history", "audit"],
    )
    def test_a_cursor_beyond_any_position(self, api: CivicApi, path: str, auditor: bool) -> None:
        """`after=2**63` answers an empty last page or a 400, not a 500."""
        petition = api.lodge()
        headers = api.auditor.headers if auditor else {}

        response = api.client.get(
            path.format(id=petition["id"]), params={"after": BEYOND_ANY_POSITION}, headers=headers
        )

        if response.status_code == 200:
            assert json_of(response, 200) == {"items": [], "next": None}
        else:
            assert_problem(response, 400)

    def test_a_deadline_at_the_end_of_the_calendar(self, api: CivicApi) -> None:
        """9999-12-31T23:00-05:00 (year 10000 in UTC) is refused or lodged, not a 500."""
        with api.records_nothing():
            response = api.client.post(
                "/petitions",
                json=petition_body(deadline="9999-12-31T23:00:00-05:00"),
                headers=api.citizen.headers,
            )

        assert_problem(response, response.status_code)
        assert response.status_code in {400, 422}

    @pytest.mark.parametrize(
        ("route", "body"),
        [
            (LODGE, petition_body(title="Trees\u0000")),
            (LODGE, petition_body(text="Shade\u0000")),
            (LODGE, petition_body(thresholds=[{"signatures": 5, "consequence": "vote\u0000"}])),
            (DECIDE, {"admissible": False, "reason": "out\u0000"}),
            (CLOSE, {"reason": "done\u0000"}),
            (RESPOND, {"text": "Yes\u0000"}),
        ],
        ids=["title", "text", "consequence", "reason", "close-reason", "response"],
    )
    def test_a_nul_character_in_a_text(self, api: CivicApi, route: Route, body: Json) -> None:
        """Refused with 400 or 422 on both backends, nothing recorded."""
        petition = api.open_petition() if route is not DECIDE else api.lodge()

        with api.records_nothing():
            response = route.send_as_allowed(api, petition["id"], json=body)

        assert response.status_code in {400, 422}, response.text
        assert_problem(response, response.status_code)


def end_sessions(admin: psycopg.Connection[Any], database: str) -> None:
    """End every session on `database` but the admin's own, as a database restart would."""
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        [database],
    )


@contextmanager
def connections_refused(database_url: str) -> Iterator[None]:
    """The PostgreSQL database refuses new connections and its sessions are ended, as in an
    outage, without touching the server or any other database; it reopens when the block ends."""
    name = str(make_url(database_url).database)
    with _connect(_postgres_server_url()) as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(sql.Identifier(name))
        )
        try:
            end_sessions(admin, name)
            yield
        finally:
            admin.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(sql.Identifier(name))
            )


def needs_postgres(api: CivicApi) -> None:
    """Skip on SQLite: only a PostgreSQL database can be cut off from outside the server."""
    if not api.database_url.startswith("postgresql"):
        pytest.skip("only a PostgreSQL database can be cut off from outside the server")


class TestDatabaseUnavailable:
    """The database cannot be reached: the server says so and recovers, never a 500."""

    def test_a_request_while_the_database_is_out_of_reach_is_a_503(self, api: CivicApi) -> None:
        """Reads and commands: 503 problem with `Retry-After`; served again once it is back."""
        needs_postgres(api)
        petition = api.open_petition()
        path = f"/petitions/{petition['id']}"

        with connections_refused(api.database_url):
            read = api.client.get(path)
            sign = api.client.post(f"{path}/signatures", headers=api.citizen.headers)

        for response in (read, sign):
            problem = assert_problem(response, 503)
            assert problem["detail"] == "the database is unavailable, try again"
            assert int(response.headers["retry-after"]) > 0
        json_of(api.client.post(f"{path}/signatures", headers=api.citizen.headers), 201)
        assert json_of(api.client.get(path), 200)["signature_count"] == 1

    def test_connections_lost_while_idle_cost_no_request(self, api: CivicApi) -> None:
        """Every pooled connection ended (as by a database restart): the next requests are
        served, since the pool tests a connection before lending it."""
        needs_postgres(api)
        petition = api.open_petition()
        path = f"/petitions/{petition['id']}"
        with _connect(_postgres_server_url()) as admin:
            end_sessions(admin, str(make_url(api.database_url).database))

        json_of(api.client.post(f"{path}/signatures", headers=api.citizen.headers), 201)
        assert json_of(api.client.get(path), 200)["signature_count"] == 1
