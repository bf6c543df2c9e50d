"""A page's form sent with a missing or stale CSRF token (a tab opened before signing in or out,
cookies cleared): a page, in the visitor's language, saying to reload and try again, with a 403.
The API's clients keep their RFC 9457 problem document."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Response
from litestar.datastructures import Cookie

from application.system import CivicLedger
from interfaces.http.params import AnyRequest
from interfaces.http.problems import http_problem
from interfaces.http.sessions import CSRF_COOKIE, CSRFRefused, csrf_token_valid, new_csrf_token
from interfaces.web.rendering import render
from interfaces.web.sign_in import local_path

PAGE_TYPES = ["application/problem+json", "application/json", "text/html"]
# htmx puts the page's main content in place of its own (a form's section would not fit it).
HTMX_REDIRECTED = {"HX-Retarget": "main", "HX-Reselect": "main", "HX-Reswap": "outerHTML"}


def wants_page(request: AnyRequest) -> bool:
    """A page's request (`/`, `/web/...`) or a browser's (HTML preferred to JSON)."""
    path = request.url.path
    if path == "/" or path.startswith("/web/"):
        return True
    return request.accept.best_match(PAGE_TYPES) == "text/html"


def page_sent_from(request: AnyRequest) -> str:
    """The page the form was on (its `Referer`, if on this site), else the home page."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc:
        return "/"
    return local_path(referer.path)


def csrf_refused(request: AnyRequest, exc: CSRFRefused) -> Response[Any]:
    """The 403 page for a page's form, or the problem document for the API."""
    if not wants_page(request):
        return http_problem(exc).to_response(request)
    civic: CivicLedger = request.app.state["civic"]
    back = page_sent_from(request)
    response = render(
        request,
        "csrf_error.html",
        {"back": back, "here": back},
        secret=civic.web_secret,
        status_code=403,
    )
    cookie = request.cookies.get(CSRF_COOKIE)
    if cookie is not None and not csrf_token_valid(cookie, civic.web_secret):
        # Signed with another secret: reloading would fail again unless the cookie is replaced.
        fresh = new_csrf_token(civic.web_secret)
        response.set_cookie(Cookie(key=CSRF_COOKIE, value=fresh, path="/", samesite="lax"))
    if request.headers.get("hx-request") == "true":
        for name, value in HTMX_REDIRECTED.items():
            response.set_header(name, value)
    return response
