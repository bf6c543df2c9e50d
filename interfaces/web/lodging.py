"""Lodging a petition on the web: a plain form (title, text, an optional deadline, thresholds as
rows), the same lodging as `POST /petitions`, then the new petition's page, awaiting its
admissibility decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from application.system import CivicLedger
from domain.account import Role
from domain.errors import InvalidCommand
from domain.petition import CONSEQUENCE_MAX, TEXT_MAX, TITLE_MAX, Threshold
from interfaces.http.context import cause_of
from interfaces.http.params import AnyRequest
from interfaces.web.i18n import N_
from interfaces.web.pages import petition_page_path
from interfaces.web.refusals import REFUSED, refusal
from interfaces.web.rendering import render, time_zone, viewer
from interfaces.web.sign_in import Form

NEW_PETITION_PATH = "/web/petitions/new"
THRESHOLD_ROWS = 3  # empty rows to fill, no script needed; more can be added through the API
CITIZENS_LODGE = N_("Only citizens may lodge petitions.")
BAD_DEADLINE = N_("The deadline is not a date and time.")
BAD_THRESHOLD = N_("Each threshold needs a whole number of signatures and a consequence.")
CHECK_PETITION = N_(
    "Please check the title and the text, a deadline in the future, and thresholds that differ."
)


class Refused(Exception):
    """The form cannot make a petition: the message says why."""


class LodgingPages(Controller):
    """`/web/petitions/new` (the form) and `/web/petitions` (lodging it), for citizens."""

    path = "/web/petitions"
    include_in_schema = False  # the OpenAPI document describes the JSON API only

    @get("/new", sync_to_thread=True)
    def form(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> Response[Any]:
        """The empty form; to sign in first without a session, a refusal for non-citizens."""
        principal = viewer(request)
        if principal is None:
            return _to_sign_in()
        if Role.CITIZEN not in principal.roles:
            return _page(request, civic, {}, error=CITIZENS_LODGE, status=403)
        return _page(request, civic, {})

    @post("/", sync_to_thread=True)
    def lodge(
        self, request: AnyRequest, data: Form, civic: NamedDependency[CivicLedger]
    ) -> Response[Any]:
        """Lodge the petition and go to its page (303); the form again, as filled, with the
        reason if it is refused."""
        principal = viewer(request)
        if principal is None:
            return _to_sign_in()
        if Role.CITIZEN not in principal.roles:
            return _page(request, civic, data, error=CITIZENS_LODGE, status=403)
        try:
            petition_id = civic.petitions.lodge(
                title=data.get("title", "").strip(),
                text=data.get("text", "").strip(),
                deadline=_deadline(data.get("deadline", ""), time_zone(request)),
                thresholds=_thresholds(data),
                cause=cause_of(request),
            )
        except Refused as exc:
            return _page(request, civic, data, error=str(exc), status=422)
        except InvalidCommand:
            return _page(request, civic, data, error=CHECK_PETITION, status=422)
        except REFUSED as exc:
            status, message = refusal(exc)
            return _page(request, civic, data, error=message, status=status)
        return Redirect(petition_page_path(petition_id), status_code=HTTP_303_SEE_OTHER)


def _deadline(value: str, zone: ZoneInfo) -> datetime | None:
    """The form's deadline (a `datetime-local` value, read in the territory's time zone, as the
    pages show times)."""
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Refused(BAD_DEADLINE) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _thresholds(data: dict[str, str]) -> list[Threshold]:
    """The filled rows, by number of signatures; an empty row is skipped, a half-filled one
    refused."""
    thresholds = []
    for row in range(1, THRESHOLD_ROWS + 1):
        signatures = data.get(f"threshold-{row}-signatures", "").strip()
        consequence = data.get(f"threshold-{row}-consequence", "").strip()
        if not signatures and not consequence:
            continue
        if not signatures.isdigit() or not consequence:
            raise Refused(BAD_THRESHOLD)
        thresholds.append(Threshold(int(signatures), consequence))
    return sorted(thresholds, key=lambda t: t.signatures)


def _to_sign_in() -> Redirect:
    return Redirect(f"/web/sign-in?next={NEW_PETITION_PATH}", status_code=HTTP_303_SEE_OTHER)


def _page(
    request: AnyRequest,
    civic: CivicLedger,
    filled: dict[str, str],
    *,
    error: str | None = None,
    status: int = 200,
) -> Template:
    rows = [
        {
            "number": row,
            "signatures": filled.get(f"threshold-{row}-signatures", ""),
            "consequence": filled.get(f"threshold-{row}-consequence", ""),
        }
        for row in range(1, THRESHOLD_ROWS + 1)
    ]
    context = {
        "title": filled.get("title", ""),
        "text": filled.get("text", ""),
        "deadline": filled.get("deadline", ""),
        "rows": rows,
        "title_max": TITLE_MAX,
        "text_max": TEXT_MAX,
        "consequence_max": CONSEQUENCE_MAX,
        "error": error,
        "here": NEW_PETITION_PATH,
    }
    return render(
        request, "petition_new.html", context, secret=civic.web_secret, status_code=status
    )
