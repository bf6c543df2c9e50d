"""Signing in and out on the web pages: a plain form that opens a session (the cookie of
`interfaces/http/sessions.py`), and a form that ends it."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from application.errors import Unauthenticated
from application.system import CivicLedger
from interfaces.http.context import cause_of
from interfaces.http.limits import rate_limited
from interfaces.http.params import AnyRequest
from interfaces.http.sessions import (
    ENDED_SESSION,
    new_csrf_token,
    open_session,
    session_cookie_from,
)
from interfaces.web.refusals import WRONG_CREDENTIALS
from interfaces.web.rendering import render, viewer

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def local_path(target: str | None) -> str:
    """`target` if it is a path on this site, else the home page: never a redirect elsewhere."""
    # Browsers drop tabs and newlines and read a backslash as a slash: "/\\/evil.example" leaves.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and all(c.isprintable() and not c.isspace() and c != "\\" for c in target)
    ):
        return target
    return "/"


def start_session(
    request: AnyRequest, civic: CivicLedger, *, email: str, password: str, target: str
) -> Redirect:
    """Check the e-mail and password and open a session: a 303 to `target` that sets the
    session's cookies. `Unauthenticated` if they do not match."""
    _, issued = civic.accounts.sign_in(
        email=email, password=password, correlation_id=request.scope["state"]["correlation_id"]
    )
    response = Redirect(target, status_code=HTTP_303_SEE_OTHER)
    open_session(
        response,
        token=issued.token,
        expires_at=issued.expires_at,
        csrf=new_csrf_token(civic.web_secret),
        secure=request.url.scheme == "https",
    )
    return response


class SessionPages(Controller):
    """`/web/sign-in` and `/web/sign-out`."""

    path = "/web"
    include_in_schema = False  # the OpenAPI document describes the JSON API only

    @get("/sign-in", sync_to_thread=True)
    def sign_in_page(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> Template:
        """The sign-in form; the query's `next` is where to go once signed in."""
        return render(
            request,
            "sign_in.html",
            {"next": local_path(request.query_params.get("next")), "email": "", "error": None},
            secret=civic.web_secret,
        )

    @post("/sign-in", sync_to_thread=True, middleware=[rate_limited("sign-in")])
    def sign_in(
        self, request: AnyRequest, data: Form, civic: NamedDependency[CivicLedger]
    ) -> Response[Any]:
        """Check the e-mail and password, open a session and go on (303); 401 and the form
        again, with the reason, if they do not match."""
        email, target = data.get("email", ""), local_path(data.get("next"))
        try:
            return start_session(
                request, civic, email=email, password=data.get("password", ""), target=target
            )
        except Unauthenticated:
            context = {
                "next": target,
                "email": email,
                "error": WRONG_CREDENTIALS,
                "here": "/web/sign-in",
            }
            return render(
                request, "sign_in.html", context, secret=civic.web_secret, status_code=401
            )

    @post("/sign-out", sync_to_thread=True)
    def sign_out(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> Redirect:
        """End the session, clear its cookie, and go to the home page (303)."""
        token = session_cookie_from(request.headers.get("cookie") or "")
        if token is not None and viewer(request) is not None:
            with suppress(Unauthenticated):  # ended meanwhile: signed out all the same
                civic.accounts.sign_out(token, cause=cause_of(request))
        return Redirect("/", status_code=HTTP_303_SEE_OTHER, cookies=[ENDED_SESSION])
