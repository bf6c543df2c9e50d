"""Accounts over HTTP: a person opens their account, signs in (a cookie, with CSRF protection for
what the cookie authorises), manages their tokens, reads their data and signs out; an admin
grants and revokes roles; and the CLI erases a person's data, which then reads erased."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from .api import CivicApi, Json, assert_problem, json_of
from .server import Account, civic, create_account

PASSWORD = "correct horse battery staple"


def fresh_email() -> str:
    """An address no account has yet (the server lives for the whole session)."""
    return f"p-{uuid4().hex[:12]}@example.org"


def register(api: CivicApi, email: str, name: str = "Zoé Martin") -> Json:
    """Open a citizen account through the API."""
    body = {"name": name, "email": email, "password": PASSWORD}
    return json_of(api.client.post("/accounts", json=body), 201)


def browser(api: CivicApi) -> httpx.Client:
    """A client of its own, keeping cookies like a browser."""
    return httpx.Client(base_url=str(api.client.base_url), timeout=api.client.timeout)


@pytest.fixture(scope="module")
def admin(api: CivicApi) -> Account:
    """An administrator, opened as `civic accounts create` opens one."""
    return create_account(api.database_url, api.workdir, f"admin-{uuid4().hex[:6]}", "admin")


class TestSignIn:
    def test_open_sign_in_act_with_the_cookie_and_sign_out(self, api: CivicApi) -> None:
        """The cookie authenticates; a change made with it needs the CSRF token; signing out
        ends the session."""
        email = fresh_email()
        account = register(api, email)
        assert (account["name"], account["email"], account["roles"]) == (
            "Zoé Martin",
            email,
            ["citizen"],
        )
        with browser(api) as web:
            session = json_of(
                web.post("/session", json={"email": email.upper(), "password": PASSWORD}), 201
            )
            assert session["account_id"] == account["id"]
            assert "civic_session" in web.cookies
            me = json_of(web.get("/accounts/me"), 200)
            assert me["id"] == account["id"]

            body = {"label": "my script"}
            refused = assert_problem(web.post("/accounts/me/tokens", json=body), 403)
            assert "CSRF" in refused["detail"]
            headers = {"X-CSRFToken": session["csrf_token"]}
            token = json_of(web.post("/accounts/me/tokens", json=body, headers=headers), 201)

            assert web.delete("/session", headers=headers).status_code == 204
            assert_problem(web.get("/accounts/me"), 401)
        bearer = {"Authorization": f"Bearer {token['token']}"}
        assert json_of(api.client.get("/accounts/me", headers=bearer), 200)["id"] == account["id"]

    @pytest.mark.parametrize(
        ("email", "password"),
        [(None, "wrong password!"), ("nobody@example.org", PASSWORD)],
        ids=["wrong-password", "unknown-email"],
    )
    def test_a_wrong_e_mail_or_password_is_401(
        self, api: CivicApi, email: str | None, password: str
    ) -> None:
        """One answer for both, and no cookie."""
        registered = fresh_email()
        register(api, registered)
        with browser(api) as web:
            response = web.post(
                "/session", json={"email": email or registered, "password": password}
            )
            assert "e-mail address or the password" in assert_problem(response, 401)["detail"]
            assert "civic_session" not in web.cookies

    def test_refused_registrations(self, api: CivicApi) -> None:
        """A taken e-mail (any case) 409, a short password or a bad address 422, an unknown
        field 400: each a problem, nothing recorded."""
        email = fresh_email()
        register(api, email)
        with api.records_nothing():
            taken = {"name": "Zoé", "email": email.upper(), "password": PASSWORD}
            assert_problem(api.client.post("/accounts", json=taken), 409)
            short = {"name": "Zoé", "email": fresh_email(), "password": "short"}
            assert_problem(api.client.post("/accounts", json=short), 422)
            address = {"name": "Zoé", "email": "not-an-address", "password": PASSWORD}
            assert_problem(api.client.post("/accounts", json=address), 422)
            extra = {"name": "Zoé", "email": fresh_email(), "password": PASSWORD, "admin": True}
            assert_problem(api.client.post("/accounts", json=extra), 400)


class TestTokens:
    def test_issued_listed_and_revoked(self, api: CivicApi) -> None:
        """A token issued over the API works until revoked; the list never shows tokens."""
        citizen = api.citizen
        issued = json_of(
            api.client.post(
                "/accounts/me/tokens", json={"label": "export script"}, headers=citizen.headers
            ),
            201,
        )
        listed = json_of(api.client.get("/accounts/me/tokens", headers=citizen.headers), 200)
        assert issued["token_id"] in [t["token_id"] for t in listed["items"]]
        assert issued["token"] not in str(listed)
        bearer = {"Authorization": f"Bearer {issued['token']}"}
        assert json_of(api.client.get("/accounts/me", headers=bearer), 200)["id"] == citizen.id
        path = f"/accounts/me/tokens/{issued['token_id']}"
        assert api.client.delete(path, headers=citizen.headers).status_code == 204
        assert_problem(api.client.get("/accounts/me", headers=bearer), 401)
        assert_problem(api.client.delete(path, headers=citizen.headers), 409)


class TestRoles:
    def test_an_admin_grants_and_revokes_roles(self, api: CivicApi, admin: Account) -> None:
        """The grant applies to the next request; others may not grant; the last role stays."""
        email = fresh_email()
        account = register(api, email)
        path = f"/accounts/{account['id']}/roles"
        assert_problem(
            api.client.post(path, json={"role": "moderator"}, headers=api.citizen.headers), 403
        )
        granted = json_of(
            api.client.post(
                path, json={"role": "moderator", "reason": "elected"}, headers=admin.headers
            ),
            200,
        )
        assert granted["roles"] == ["citizen", "moderator"]
        assert_problem(
            api.client.post(path, json={"role": "moderator"}, headers=admin.headers), 409
        )
        revoked = json_of(api.client.delete(f"{path}/citizen", headers=admin.headers), 200)
        assert revoked["roles"] == ["moderator"]
        assert_problem(api.client.delete(f"{path}/moderator", headers=admin.headers), 409)
        assert_problem(api.client.delete(f"{path}/overlord", headers=admin.headers), 400)


class TestPersonalData:
    def test_exported_then_erased_by_the_cli(self, api: CivicApi, admin: Account) -> None:
        """`GET /accounts/me/data` gives the person their data; after `civic gdpr erase` their
        name and e-mail read erased, their session ends, and their petition is still theirs."""
        email = fresh_email()
        account = register(api, email, name="Joséphine Baker")
        with browser(api) as web:
            session = json_of(
                web.post("/session", json={"email": email, "password": PASSWORD}), 201
            )
            headers = {"X-CSRFToken": session["csrf_token"]}
            lodged = json_of(
                web.post(
                    "/petitions",
                    json={
                        "title": "Des fontaines",
                        "text": "Des fontaines à boire.",
                        "thresholds": [],
                    },
                    headers=headers,
                ),
                201,
            )
            data = json_of(web.get("/accounts/me/data"), 200)
            assert (data["account"]["name"], data["account"]["email"]) == ("Joséphine Baker", email)
            assert "Petition.Lodged" in [e["type"] for e in data["events"]]

            output = civic(
                api.database_url, api.workdir, "gdpr", "erase", account["id"], "--reason", "R-17"
            )
            assert "erased" in output
            assert_problem(web.get("/accounts/me"), 401)
        erased = json_of(api.client.get(f"/accounts/{account['id']}", headers=admin.headers), 200)
        assert (erased["name"], erased["email"], erased["status"]) == ("[erased]", None, "erased")
        assert api.petition(lodged["id"])["lodged_by"] == account["id"]
        with browser(api) as web:
            again = web.post("/session", json={"email": email, "password": PASSWORD})
            assert_problem(again, 401)
