"""The petition pages: the home page (open petitions), a petition's page, and its sign and
withdraw forms. Thin handlers: parse, call the petition service, render; a refused action
renders the page again with the reason and a 4xx status."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_204_NO_CONTENT, HTTP_303_SEE_OTHER

from application.errors import PetitionNotFound
from application.system import CivicLedger
from domain.account import Role
from domain.events import REASON_MAX
from interfaces.http.context import cause_of
from interfaces.http.limits import rate_limited
from interfaces.http.params import AnyRequest
from interfaces.web.consultation_page import open_consultations
from interfaces.web.i18n import N_
from interfaces.web.refusals import CITIZENS_ONLY, REFUSED, refusal
from interfaces.web.rendering import render, viewer
from interfaces.web.sign_in import Form

COUNT_POLL_SECONDS = 5  # how often an open petition's page fetches its count (with htmx)
HOME_PETITIONS = 100  # the home page lists the first open petitions; paging comes with search
STATUS_LABELS = {
    "lodged": N_("Awaiting the admissibility decision"),
    "rejected": N_("Rejected"),
    "open": N_("Open for signatures"),
    "closed": N_("Closed"),
}
DECIDERS = frozenset({Role.MODERATOR, Role.COMMITTEE})  # as the API's admissibility route
DECIDERS_ONLY = N_("Only moderators and committees decide whether a petition is admissible.")
BAD_DECISION = N_("Choose admissible or rejected, with a reason of at most 2,000 characters.")
RELATION_LABELS = {  # how a territory that holds a competence stands to the petition's
    "parent": N_("which it belongs to"),
    "member": N_("one of its members"),
}


def petition_page_path(petition_id: UUID) -> str:
    """Where a petition's page is."""
    return f"/web/petitions/{petition_id}"


class PetitionPages(Controller):
    """`/` and `/web/petitions/{id}`: read petitions, sign and withdraw with a session."""

    path = "/"
    include_in_schema = False  # the OpenAPI document describes the JSON API only

    @get("/", sync_to_thread=True)
    def home(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> Template:
        """The open petitions, in the order they were lodged, and the open consultations."""
        page = civic.petitions.list(status="open", after=None, limit=HOME_PETITIONS)
        context = {"petitions": page.items, "consultations": open_consultations(civic)}
        return render(request, "home.html", context, secret=civic.web_secret)

    @get("/web/petitions/{petition_id:uuid}", sync_to_thread=True)
    def petition(
        self, request: AnyRequest, petition_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> Template:
        """A petition: its text, status, live count and thresholds, decisions and response."""
        return _petition_page(request, civic, petition_id)

    @get("/web/petitions/{petition_id:uuid}/count", sync_to_thread=True)
    def count(
        self,
        request: AnyRequest,
        petition_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        since: FromQuery[int | None] = None,
    ) -> Response[Any]:
        """The petition's live count and thresholds' progress, a fragment of its page that htmx
        polls; 204 (nothing to swap, nothing for a screen reader to announce) while the count is
        still `since`."""
        try:
            view = civic.petitions.get(petition_id)
        except PetitionNotFound as exc:
            status, message = refusal(exc)
            context = {"error": message, "here": petition_page_path(petition_id)}
            return render(
                request, "error.html", context, secret=civic.web_secret, status_code=status
            )
        if since is not None and since == view["signature_count"]:
            return Response(None, status_code=HTTP_204_NO_CONTENT)
        return render(request, "petition_count.html", _tally(view), secret=civic.web_secret)

    @post(
        "/web/petitions/{petition_id:uuid}/signature",
        sync_to_thread=True,
        middleware=[rate_limited("signature")],
    )
    def sign(
        self, request: AnyRequest, petition_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> Response[Any]:
        """Sign as the signed-in citizen, then back to the petition's page."""
        principal = viewer(request)
        if principal is None:
            return _to_sign_in(petition_id)
        if Role.CITIZEN not in principal.roles:
            return _petition_page(request, civic, petition_id, error=CITIZENS_ONLY, status=403)
        try:
            civic.petitions.sign(petition_id, signer=principal.actor, cause=cause_of(request))
        except REFUSED as exc:
            status, message = refusal(exc)
            return _petition_page(request, civic, petition_id, error=message, status=status)
        return Redirect(petition_page_path(petition_id), status_code=HTTP_303_SEE_OTHER)

    @post("/web/petitions/{petition_id:uuid}/withdrawal", sync_to_thread=True)
    def withdraw(
        self, request: AnyRequest, petition_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> Response[Any]:
        """Withdraw the signed-in citizen's signature, then back to the petition's page."""
        principal = viewer(request)
        if principal is None:
            return _to_sign_in(petition_id)
        try:
            civic.petitions.withdraw_signature(
                petition_id, signer=principal.actor, cause=cause_of(request)
            )
        except REFUSED as exc:
            status, message = refusal(exc)
            return _petition_page(request, civic, petition_id, error=message, status=status)
        return Redirect(petition_page_path(petition_id), status_code=HTTP_303_SEE_OTHER)

    @post("/web/petitions/{petition_id:uuid}/admissibility", sync_to_thread=True)
    def decide_admissibility(
        self,
        request: AnyRequest,
        petition_id: FromPath[UUID],
        data: Form,
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """A moderator or a committee account declares the petition admissible, or rejects it
        with the reason (and, outside the territory's competences, the competence concerned)."""
        principal = viewer(request)
        if principal is None:
            return _to_sign_in(petition_id)
        if not DECIDERS & principal.roles:
            return _petition_page(
                request, civic, petition_id, decision_error=DECIDERS_ONLY, status=403
            )
        reason = data.get("reason", "").strip() or None
        competence = data.get("outside_competence", "").strip() or None
        admissible = data.get("decision") == "admissible"
        if data.get("decision") not in ("admissible", "rejected") or len(reason or "") > REASON_MAX:
            return _petition_page(
                request, civic, petition_id, decision_error=BAD_DECISION, status=422
            )
        try:
            civic.petitions.decide_admissibility(
                petition_id,
                admissible=admissible,
                cause=cause_of(request, reason),
                outside_competence=competence,
            )
        except REFUSED as exc:
            status, message = refusal(exc)
            return _petition_page(
                request, civic, petition_id, decision_error=message, status=status
            )
        return Redirect(petition_page_path(petition_id), status_code=HTTP_303_SEE_OTHER)


def _to_sign_in(petition_id: UUID) -> Redirect:
    return Redirect(
        f"/web/sign-in?next={petition_page_path(petition_id)}", status_code=HTTP_303_SEE_OTHER
    )


def _tally(view: dict[str, Any]) -> dict[str, Any]:
    """What `petition_count.html` shows: the count and each threshold's progress."""
    count = view["signature_count"]
    thresholds = [
        {
            "signatures": t["signatures"],
            "consequence": t["consequence"],
            "progress": min(count, t["signatures"]),
            "reached_at": datetime.fromisoformat(t["reached_at"]) if t["reached_at"] else None,
        }
        for t in view["thresholds"]
    ]
    return {"petition": view, "thresholds": thresholds, "poll_seconds": COUNT_POLL_SECONDS}


def _petition_page(
    request: AnyRequest,
    civic: CivicLedger,
    petition_id: UUID,
    *,
    error: str | None = None,
    decision_error: str | None = None,
    status: int = 200,
) -> Template:
    """The petition's page, with `error` (a message to translate) if signing or withdrawing was
    refused, `decision_error` if the admissibility decision was."""
    try:
        view = civic.petitions.get(petition_id)
    except PetitionNotFound as exc:
        status, message = refusal(exc)
        return render(
            request,
            "error.html",
            {"error": message, "here": petition_page_path(petition_id)},
            secret=civic.web_secret,
            status_code=status,
        )
    user = request.scope.get("user")
    context = {
        **_tally(view),
        "status_label": STATUS_LABELS.get(view["status"], view["status"]),
        "decisions": civic.petitions.decisions(petition_id),
        "signed": user is not None and civic.petitions.has_signed(petition_id, user.actor),
        "refused": error,  # shown in the signatures' section, which htmx swaps in
        "here": petition_page_path(petition_id),
        "territory": None
        if view["territory_id"] is None
        else civic.territories.get(view["territory_id"])["name"],
        "relation_labels": RELATION_LABELS,
        "decides": user is not None and bool(DECIDERS & user.roles),
        "decision_error": decision_error,
    }
    return render(request, "petition.html", context, secret=civic.web_secret, status_code=status)
