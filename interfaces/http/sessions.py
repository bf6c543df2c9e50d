"""Web sessions: a cookie carrying a session token, and CSRF protection for what it authorises.

A session is an account token of kind `session` (see `application/accounts.py`), so it is
authenticated, expired and revoked like an API token; the cookie is HttpOnly and SameSite=Lax.
A request that a browser could send on its own with that cookie (any unsafe method carrying the
cookie, or any HTML form post) must echo the CSRF token of the `csrftoken` cookie in the
`X-CSRFToken` header or the form's `_csrf_token` field: Litestar's double-submit check. API
clients authenticate with `Authorization: Bearer` and no cookie, which no other site can make a
browser send, so their requests are not asked for one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from hmac import compare_digest
from http.cookies import CookieError, SimpleCookie
from typing import Any

from litestar import Response
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import (
    CSRF_SECRET_LENGTH,
    CSRFMiddleware,
    generate_csrf_hash,
    generate_csrf_token,
)
from litestar.types import Receive, Scope, Send

SESSION_COOKIE = "civic_session"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
_FORMS = (RequestEncodingType.URL_ENCODED.value, RequestEncodingType.MULTI_PART.value)


def csrf_config(secret: str) -> CSRFConfig:
    """The double-submit configuration; the CSRF cookie is readable by the page's script."""
    return CSRFConfig(secret=secret, cookie_name=CSRF_COOKIE, header_name=CSRF_HEADER)


class CSRFRefused(PermissionDeniedException):
    """The request's CSRF token is missing or does not match its cookie's (403): a page answers
    with a page asking to reload and try again, the API with a problem document."""


class SessionCSRF(CSRFMiddleware):
    """Litestar's CSRF check, for the requests a browser could be tricked into sending."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check requests carrying the session cookie, and form posts; let the others through."""
        if scope["type"] == ScopeType.HTTP and not _browser_request(scope):
            await self.app(scope, receive, send)
            return
        try:
            await super().__call__(scope, receive, send)
        except PermissionDeniedException as exc:
            # The handlers' own refusals become responses inside (an exception handler sits
            # between the route and the middleware), so only the check's own one reaches here.
            if type(exc) is not PermissionDeniedException:
                raise
            raise CSRFRefused(exc.detail) from None


def csrf_token_valid(token: str, secret: str) -> bool:
    """Whether `token` is one this deployment signed (Litestar's format)."""
    signed, digest = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return bool(digest) and compare_digest(digest, generate_csrf_hash(signed, secret))


def _browser_request(scope: Scope) -> bool:
    cookie, content_type = "", ""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookie += value.decode("latin-1") + ";"
        elif name == b"content-type":
            content_type = value.decode("latin-1").split(";")[0].strip().lower()
    return f"{SESSION_COOKIE}=" in cookie or content_type in _FORMS


def csrf_middleware(secret: str) -> DefineMiddleware:
    """The middleware, for the app's `middleware` list."""
    return DefineMiddleware(SessionCSRF, config=csrf_config(secret))


def session_cookie_from(cookie_header: str) -> str | None:
    """The session token a `Cookie` header carries, if any."""
    cookies = SimpleCookie()
    try:
        cookies.load(cookie_header)
    except CookieError:  # a malformed header carries no session
        return None
    morsel = cookies.get(SESSION_COOKIE)
    return morsel.value.strip() or None if morsel is not None else None


def new_csrf_token(secret: str) -> str:
    """A CSRF token signed with the deployment's secret (Litestar's format)."""
    return generate_csrf_token(secret)


def open_session(
    response: Response[Any],
    *,
    token: str,
    expires_at: datetime | None,
    csrf: str,
    secure: bool,
) -> None:
    """Set the session cookie and the CSRF cookie on `response`."""
    # The browser keeps it as long as the server honours it (the server checks the expiry).
    max_age = None if expires_at is None else int((expires_at - datetime.now(UTC)).total_seconds())
    response.set_cookie(
        Cookie(
            key=SESSION_COOKIE,
            value=token,
            path="/",
            max_age=max_age,
            secure=secure,
            httponly=True,
            samesite="lax",
        )
    )
    response.set_cookie(
        Cookie(key=CSRF_COOKIE, value=csrf, path="/", secure=secure, samesite="lax")
    )


# What signing out sends: the session cookie, emptied and expired.
ENDED_SESSION = Cookie(key=SESSION_COOKIE, value="", path="/", max_age=0, httponly=True)
