"""Rendering a page: the Jinja environment, and the context every template gets (the language and
its translations, the signed-in account, the CSRF token its forms send back)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.datastructures import Cookie
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from application.accounts import Principal
from application.system import CivicLedger
from interfaces.http.params import AnyRequest
from interfaces.http.sessions import CSRF_COOKIE, new_csrf_token
from interfaces.web.i18n import LANGUAGE_COOKIE, LANGUAGES, choose_language, translations

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja with autoescaping, the i18n extension, and undefined names refused."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def language_of(request: AnyRequest) -> str:
    """The language the page is rendered in (see `choose_language`)."""
    return choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language", ""),
    )


def time_zone(request: AnyRequest) -> ZoneInfo:
    """The territory's time zone (`CIVIC_TIME_ZONE`), in which pages show and read times."""
    civic: CivicLedger = request.app.state["civic"]
    return civic.settings.zone


def viewer(request: AnyRequest) -> Principal | None:
    """The account signed in with the session cookie, if any."""
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def render(
    request: AnyRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    secret: str,
    status_code: int = 200,
) -> Template:
    """The page `template` in the request's language, with the cookies it needs: the language
    when chosen with `?lang=`, the CSRF token when the browser has none yet."""
    language = language_of(request)
    catalogue = translations(language)
    cookies: list[Cookie] = []
    if request.query_params.get("lang") in LANGUAGES:
        cookies.append(
            Cookie(
                key=LANGUAGE_COOKIE,
                value=language,
                path="/",
                max_age=LANGUAGE_COOKIE_SECONDS,
                samesite="lax",
            )
        )
    # The CSRF middleware issues a token on the requests it checks (those with a session); an
    # anonymous visitor about to sign in gets one here.
    csrf = request.cookies.get(CSRF_COOKIE) or value_or_default(
        ScopeState.from_scope(request.scope).csrf_token, None
    )
    if csrf is None:
        csrf = new_csrf_token(secret)
        cookies.append(Cookie(key=CSRF_COOKIE, value=csrf, path="/", samesite="lax"))

    zone = time_zone(request)

    def when(moment: datetime) -> str:
        return format_datetime(moment, "d MMMM y, HH:mm", tzinfo=zone, locale=language)

    def number(value: int) -> str:
        return format_decimal(value, locale=language)

    return Template(
        template_name=template,
        context={
            "here": request.url.path,  # the page the language links and sign-in come back to
            **context,
            "lang": language,
            "languages": LANGUAGES,
            "gettext": catalogue.gettext,
            "ngettext": catalogue.ngettext,
            "_": catalogue.gettext,
            "user": viewer(request),
            "csrf_token": csrf,
            "when": when,
            "time_zone": zone.key,
            "number": number,
        },
        status_code=status_code,
        cookies=cookies,
    )
