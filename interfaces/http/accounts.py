"""Account routes: open one's account, sign in and out, one's tokens and data; roles (admin)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.system import CivicLedger
from domain.account import Role
from interfaces.http.account_schemas import (
    AccountList,
    AccountOut,
    GrantRole,
    IssueToken,
    NewToken,
    Register,
    SessionOut,
    SignIn,
    TokenList,
    TokenOut,
)
from interfaces.http.context import anonymous_cause, cause_of, principal_of, requires
from interfaces.http.limits import rate_limited
from interfaces.http.openapi import PUBLIC, problems
from interfaces.http.params import AnyRequest
from interfaces.http.sessions import (
    ENDED_SESSION,
    new_csrf_token,
    open_session,
    session_cookie_from,
)

REGISTRATION = "system:registration"  # who opens an account its holder asks for
ANY_ACCOUNT = requires(*Role)
ADMIN = requires(Role.ADMIN)


class AccountController(Controller):
    """`/accounts`: opening, one's own account and tokens; every account (admin)."""

    path = "/accounts"
    tags = ["accounts"]  # noqa: RUF012  # Litestar reads this class attribute

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        security=PUBLIC,
        middleware=[rate_limited("account")],
        responses=problems(409, 413, 422, 429),
    )
    def register(
        self, request: AnyRequest, data: JSONBody[Register], civic: NamedDependency[CivicLedger]
    ) -> AccountOut:
        """Open one's own citizen account; then sign in at `POST /session`."""
        account_id = civic.accounts.register(
            name=data.name,
            email=data.email,
            password=data.password,
            cause=anonymous_cause(request, REGISTRATION, "opened by its holder"),
        )
        return AccountOut.from_view(civic.accounts.get(account_id))

    @get("/", guards=[ADMIN], sync_to_thread=True, responses=problems(403))
    def list_accounts(self, civic: NamedDependency[CivicLedger]) -> AccountList:
        """Every account, by name."""
        return AccountList(
            items=[AccountOut.from_view(civic.accounts.get(p.id)) for p in civic.accounts.list()]
        )

    @get("/me", guards=[ANY_ACCOUNT], sync_to_thread=True, responses=problems(403))
    def me(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> AccountOut:
        """The account making the request."""
        return AccountOut.from_view(civic.accounts.get(principal_of(request).id))

    @get("/me/data", guards=[ANY_ACCOUNT], sync_to_thread=True, responses=problems(403))
    def my_data(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> dict[str, Any]:
        """Everything held about the account's holder (GDPR access and portability)."""
        return civic.accounts.export(principal_of(request).id)

    @get("/me/tokens", guards=[ANY_ACCOUNT], sync_to_thread=True, responses=problems(403))
    def my_tokens(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> TokenList:
        """The account's standing tokens and sessions (never the tokens themselves)."""
        rows = civic.accounts.tokens(principal_of(request).id)
        return TokenList(items=[TokenOut(**r) for r in rows])

    @post(
        "/me/tokens",
        guards=[ANY_ACCOUNT],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 409, 413, 422),
    )
    def issue_token(
        self, request: AnyRequest, data: JSONBody[IssueToken], civic: NamedDependency[CivicLedger]
    ) -> NewToken:
        """A new API token, shown this once."""
        issued = civic.accounts.issue_token(
            principal_of(request).id, label=data.label, cause=cause_of(request)
        )
        return NewToken.of(issued)

    @delete(
        "/me/tokens/{token_id:uuid}",
        guards=[ANY_ACCOUNT],
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=True,
        responses=problems(403, 404, 409),
    )
    def revoke_my_token(
        self, request: AnyRequest, token_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> None:
        """Revoke one of one's tokens or sessions (409 if it is not standing)."""
        civic.accounts.revoke_token(principal_of(request).id, token_id, cause=cause_of(request))

    @get("/{account_id:uuid}", guards=[ADMIN], sync_to_thread=True, responses=problems(403, 404))
    def read(self, account_id: FromPath[UUID], civic: NamedDependency[CivicLedger]) -> AccountOut:
        """One account."""
        return AccountOut.from_view(civic.accounts.get(account_id))

    @post(
        "/{account_id:uuid}/roles",
        guards=[ADMIN],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def grant(
        self,
        request: AnyRequest,
        account_id: FromPath[UUID],
        data: JSONBody[GrantRole],
        civic: NamedDependency[CivicLedger],
    ) -> AccountOut:
        """Grant a role (409 if held)."""
        civic.accounts.grant(account_id, data.role, cause=cause_of(request, data.reason))
        return AccountOut.from_view(civic.accounts.get(account_id))

    @delete(
        "/{account_id:uuid}/roles/{role:str}",
        guards=[ADMIN],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 422),
    )
    def revoke(
        self,
        request: AnyRequest,
        account_id: FromPath[UUID],
        role: FromPath[Role],
        civic: NamedDependency[CivicLedger],
    ) -> AccountOut:
        """Revoke a role (409 if not held, or the last one)."""
        civic.accounts.revoke(account_id, role, cause=cause_of(request))
        return AccountOut.from_view(civic.accounts.get(account_id))

    @delete(
        "/{account_id:uuid}/tokens/{token_id:uuid}",
        guards=[ADMIN],
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 422),
    )
    def revoke_token(
        self,
        request: AnyRequest,
        account_id: FromPath[UUID],
        token_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
    ) -> None:
        """Revoke one of an account's tokens or sessions."""
        civic.accounts.revoke_token(account_id, token_id, cause=cause_of(request))


class SessionController(Controller):
    """`/session`: sign in (a cookie for the web pages) and sign out."""

    path = "/session"
    tags = ["accounts"]  # noqa: RUF012  # Litestar reads this class attribute

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        security=PUBLIC,
        middleware=[rate_limited("sign-in")],
        responses=problems(413, 422, 429),
    )
    def sign_in(
        self, request: AnyRequest, data: JSONBody[SignIn], civic: NamedDependency[CivicLedger]
    ) -> Response[SessionOut]:
        """Sign in: sets the session cookie and the CSRF cookie (send it back as `X-CSRFToken`
        with every change made with the cookie); 401 if the e-mail or password is wrong."""
        account_id, issued = civic.accounts.sign_in(
            email=data.email,
            password=data.password,
            correlation_id=request.scope["state"]["correlation_id"],
        )
        csrf = new_csrf_token(civic.web_secret)
        body = SessionOut(account_id=account_id, expires_at=issued.expires_at, csrf_token=csrf)
        response = Response(body, status_code=HTTP_201_CREATED)
        open_session(
            response,
            token=issued.token,
            expires_at=issued.expires_at,
            csrf=csrf,
            secure=request.url.scheme == "https",
        )
        return response

    @delete(
        "/",
        guards=[ANY_ACCOUNT],
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=True,
        response_cookies=[ENDED_SESSION],
        responses=problems(403, 409),
    )
    def sign_out(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> None:
        """Sign out: the session (or the bearer token used) is revoked and the cookie cleared."""
        scheme, _, bearer = (request.headers.get("authorization") or "").partition(" ")
        token = bearer.strip() if scheme.lower() == "bearer" else None
        token = token or session_cookie_from(request.headers.get("cookie") or "")
        assert token is not None  # the guard admitted an authenticated request
        civic.accounts.sign_out(token, cause=cause_of(request))
