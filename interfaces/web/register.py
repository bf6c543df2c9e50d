"""Opening one's own citizen account on the web: the form, the same registration as
`POST /accounts` (and its rate limit), then signed in as `/web/sign-in` does it."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from application.accounts import PASSWORD_MAX, PASSWORD_MIN
from application.system import CivicLedger
from domain.account import EMAIL_MAX, NAME_MAX, EmailTaken
from domain.errors import InvalidCommand
from interfaces.http.accounts import REGISTRATION
from interfaces.http.context import anonymous_cause
from interfaces.http.limits import rate_limited
from interfaces.http.params import AnyRequest
from interfaces.web.i18n import N_
from interfaces.web.rendering import render
from interfaces.web.sign_in import Form, local_path, start_session

REGISTER_PATH = "/web/register"
PASSWORDS_DIFFER = N_("The two passwords differ.")
EMAIL_TAKEN = N_("An account already has this e-mail address.")
CHECK_FIELDS = N_(
    "Please check the name and the e-mail address, and choose a password of the length asked."
)


class RegistrationPages(Controller):
    """`/web/register`: a visitor opens a citizen account and is signed in with it."""

    path = REGISTER_PATH
    include_in_schema = False  # the OpenAPI document describes the JSON API only

    @get("/", sync_to_thread=True)
    def form(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> Template:
        """The registration form; the query's `next` is where to go once the account opens."""
        return _page(request, civic, {"next": local_path(request.query_params.get("next"))})

    @post("/", sync_to_thread=True, middleware=[rate_limited("account")])
    def register(
        self, request: AnyRequest, data: Form, civic: NamedDependency[CivicLedger]
    ) -> Response[Any]:
        """Open the account, sign in with it and go on (303); the form again with the reason
        (409, 422) if it cannot be opened."""
        name, email = data.get("name", "").strip(), data.get("email", "").strip()
        password, target = data.get("password", ""), local_path(data.get("next"))
        filled = {"next": target, "name": name, "email": email}
        if password != data.get("password_again", ""):
            return _page(request, civic, filled, error=PASSWORDS_DIFFER, status=422)
        try:
            civic.accounts.register(
                name=name,
                email=email,
                password=password,
                cause=anonymous_cause(request, REGISTRATION, "opened by its holder"),
            )
        except EmailTaken:
            return _page(request, civic, filled, error=EMAIL_TAKEN, status=409)
        except InvalidCommand:
            return _page(request, civic, filled, error=CHECK_FIELDS, status=422)
        return start_session(request, civic, email=email, password=password, target=target)


def _page(
    request: AnyRequest,
    civic: CivicLedger,
    filled: dict[str, str],
    *,
    error: str | None = None,
    status: int = 200,
) -> Template:
    context = {
        "name": "",
        "email": "",
        **filled,
        "error": error,
        "here": REGISTER_PATH,
        "name_max": NAME_MAX,
        "email_max": EMAIL_MAX,
        "password_min": PASSWORD_MIN,
        "password_max": PASSWORD_MAX,
    }
    return render(request, "register.html", context, secret=civic.web_secret, status_code=status)
