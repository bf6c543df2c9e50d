"""Abuse limits over HTTP: signing and voting are limited per account and per client address (429
with `Retry-After`, nothing recorded), and every response carries the security headers."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import httpx
import pytest

from application.settings import (
    RATE_LIMIT_PER_ACCOUNT_ENV,
    RATE_LIMIT_PER_ADDRESS_ENV,
    RateLimit,
    Settings,
    SettingsError,
)
from tests.conftest import POSTGRES, SQLITE, _backend, _fresh_database

from .api import CivicApi, assert_problem, json_of
from .conftest import CLIENT_TIMEOUT
from .server import create_account, serving

PER_ACCOUNT = 3  # signatures, or ballots, per account and minute on the test server
PER_ADDRESS = 8  # requests per action, address and minute
UNKNOWN_VOTE = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module", params=[SQLITE, POSTGRES])
def limited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CivicApi]:
    """A server of its own with low limits (the shared one keeps generous defaults)."""
    workdir = tmp_path_factory.mktemp("abuse")
    with pytest.MonkeyPatch.context() as env, _fresh_database(_backend(request), workdir) as url:
        env.setenv(RATE_LIMIT_PER_ACCOUNT_ENV, f"{PER_ACCOUNT}/minute")
        env.setenv(RATE_LIMIT_PER_ADDRESS_ENV, f"{PER_ADDRESS}/minute")
        with serving(url, workdir) as server:
            ada = create_account(url, workdir, "ada", "citizen")
            bea = create_account(url, workdir, "bea", "citizen", "committee")
            cyd = create_account(url, workdir, "cyd", "citizen", "auditor")
            moderator = create_account(url, workdir, "mo", "moderator")
            with httpx.Client(base_url=server.base_url, timeout=CLIENT_TIMEOUT) as client:
                yield CivicApi(
                    client=client,
                    database_url=url,
                    workdir=workdir,
                    citizens=(ada, bea, cyd),
                    moderator=moderator,
                )


def assert_rate_limited(response: httpx.Response, by: str) -> None:
    """A 429 problem naming the limit (`by` account or address), with `Retry-After` seconds."""
    problem = assert_problem(response, 429)
    assert f"from this {by}" in problem["detail"], problem
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60, response.headers


class TestRateLimits:
    """Signing per account, voting per address (each action has buckets of its own)."""

    def test_an_account_that_signs_too_often_is_refused_and_others_are_not(
        self, limited: CivicApi
    ) -> None:
        """Past its limit an account gets 429 and records nothing; another account still signs."""
        api = limited
        petitions = [api.open_petition()["id"] for _ in range(PER_ACCOUNT + 2)]
        for petition_id in petitions[:PER_ACCOUNT]:
            assert api.sign(petition_id, api.citizen).status_code == 201

        with api.records_nothing():
            refused = api.sign(petitions[PER_ACCOUNT], api.citizen)

        assert_rate_limited(refused, by="account")
        assert api.petition(petitions[PER_ACCOUNT])["signature_count"] == 0
        other = api.sign(petitions[PER_ACCOUNT + 1], api.committee)
        assert other.status_code == 201, other.text

    def test_an_address_that_votes_too_often_is_refused_whoever_sends(
        self, limited: CivicApi
    ) -> None:
        """Every request counts against the address, anonymous or not: past it, 429 to anyone."""
        api = limited
        ballot = f"/votes/{UNKNOWN_VOTE}/ballots"
        for _ in range(PER_ADDRESS - 1):  # anonymous: refused by the route's guard, but counted
            assert_problem(api.client.post(ballot, json={"choice": "yes"}), 401)
        counted = api.client.post(ballot, json={"choice": "yes"}, headers=api.citizen.headers)
        assert_problem(counted, 404)  # within the limits: the handler ran

        with api.records_nothing():
            refused = api.client.post(ballot, json={"choice": "yes"}, headers=api.committee.headers)

        assert_rate_limited(refused, by="address")

    def test_a_limited_route_announces_its_limit(self, limited: CivicApi) -> None:
        """Allowed requests carry the RateLimit headers of the account's allowance."""
        petition = limited.open_petition()

        response = limited.sign(petition["id"], limited.auditor)

        assert response.status_code == 201, response.text
        assert response.headers["ratelimit-limit"] == str(PER_ACCOUNT)
        assert int(response.headers["ratelimit-remaining"]) == PER_ACCOUNT - 1


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


class TestSecurityHeaders:
    """Every response, an error or not, tells browsers how to treat it."""

    @pytest.mark.parametrize(
        ("method", "path", "status"),
        [
            ("GET", "/health", 200),
            ("GET", "/petitions", 200),
            ("GET", "/nowhere", 404),
            ("POST", "/petitions", 401),
            ("PUT", "/petitions", 405),
        ],
        ids=["health", "list", "unknown-path", "unauthenticated", "wrong-method"],
    )
    def test_every_response_has_the_security_headers(
        self, limited: CivicApi, method: str, path: str, status: int
    ) -> None:
        """nosniff, DENY framing, a referrer policy, a permissions policy and a strict CSP."""
        response = limited.client.request(method, path)

        assert response.status_code == status, response.text
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (name, response.headers)
        assert "camera=()" in response.headers["permissions-policy"]
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy

    def test_the_api_reference_may_load_its_renderer(self, limited: CivicApi) -> None:
        """`/schema` (an HTML page drawn by a script from a CDN) gets a policy that allows it."""
        response = limited.client.get("/schema")

        assert response.status_code == 200
        assert "https://cdn.jsdelivr.net" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"

    def test_an_oversized_body_is_refused_with_the_headers(self, limited: CivicApi) -> None:
        """413 problem, with the security headers too (the size limit itself: test_errors)."""
        body = {"title": "Trees", "text": "x" * 300_000, "nonce": uuid4().hex}

        response = limited.client.post("/petitions", json=body, headers=limited.citizen.headers)

        assert_problem(response, 413)
        assert response.headers["x-content-type-options"] == "nosniff"


class TestLimitSettings:
    """`CIVIC_RATE_LIMIT_PER_ACCOUNT` and `..._PER_ADDRESS` are `N/PERIOD`."""

    def test_limits_are_read_from_the_environment(self) -> None:
        """`5/second` and `100/hour` are read as such."""
        settings = Settings.from_env(
            {RATE_LIMIT_PER_ACCOUNT_ENV: "5/second", RATE_LIMIT_PER_ADDRESS_ENV: " 100 / hour "}
        )

        assert settings.rate_limit_per_account == RateLimit(5, "second")
        assert settings.rate_limit_per_address == RateLimit(100, "hour")

    def test_the_defaults_let_a_crowd_sign_from_one_address(self) -> None:
        """Per address high (the load test signs 1,600 times from one address), per account low."""
        settings = Settings.from_env({})

        assert settings.rate_limit_per_address.requests >= 2000
        assert settings.rate_limit_per_account.requests <= 100

    @pytest.mark.parametrize("text", ["0/minute", "ten/minute", "5/fortnight", "5", "-1/day"])
    def test_a_malformed_limit_is_refused_at_start(self, text: str) -> None:
        """A SettingsError that names the variable."""
        with pytest.raises(SettingsError, match=RATE_LIMIT_PER_ACCOUNT_ENV):
            Settings.from_env({RATE_LIMIT_PER_ACCOUNT_ENV: text})


def test_the_limits_are_documented(limited: CivicApi) -> None:
    """The OpenAPI document lists the 429 problem of the limited routes."""
    document = json_of(limited.client.get("/schema/openapi.json"), 200)

    for path in ("/petitions/{petition_id}/signatures", "/votes/{vote_id}/ballots"):
        assert "429" in document["paths"][path]["post"]["responses"], path
