"""The audit pages: the audit trail newest first, filtered by actor and event type, and what one
request caused (for auditors and admins, as the API's `/audit/events`); the latest signed
checkpoint and how to verify it (for everyone, as the API's transparency routes). The entries are
the audit view's, whose personal data is already replaced by whose it is."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from application.errors import NotFound
from application.system import CivicLedger
from domain.account import Role
from interfaces.http.params import AnyRequest
from interfaces.web.committees import refused_page
from interfaces.web.i18n import N_
from interfaces.web.rendering import render, viewer

PAGE = 50  # entries per page of the timeline
SCAN = 500  # entries read at a time while looking back for a page
FILTER_MAX = 128  # as the API's `actor` and `type` filters
AUDITORS = frozenset({Role.AUDITOR, Role.ADMIN})
AUDITORS_ONLY = N_("Only auditors may read the audit trail.")
FILTER_TOO_LONG = N_("A filter is at most 128 characters long.")


class AuditPages(Controller):
    """`/web/audit`, `/web/audit/correlations/{id}` and `/web/audit/checkpoint`."""

    path = "/web/audit"
    include_in_schema = False  # the OpenAPI document describes the JSON API only

    @get("/", sync_to_thread=True)
    def timeline(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> Response[Any]:
        """The audit trail newest first, `?actor=` and `?type=` filtering, `?before=` paging."""
        refused = _refuse_unless_auditor(request, civic)
        if refused is not None:
            return refused
        actor = request.query_params.get("actor", "").strip()
        event_type = request.query_params.get("type", "").strip()
        context: dict[str, Any] = {"actor": actor, "type": event_type, "entries": [], "older": None}
        if max(len(actor), len(event_type)) > FILTER_MAX:
            context["error"] = FILTER_TOO_LONG
            return render(request, "audit.html", context, secret=civic.web_secret, status_code=422)
        before = request.query_params.get("before", "")
        page = civic.audit.latest(
            actor=actor or None,
            event_type=event_type or None,
            before=int(before) if before.isdecimal() and len(before) < 19 else None,  # noqa: PLR2004
            limit=PAGE,
        )
        context.update(entries=[_shown(e) for e in page.items], older=page.next)
        return render(request, "audit.html", context, secret=civic.web_secret)

    @get("/correlations/{correlation_id:str}", sync_to_thread=True)
    def correlation(
        self,
        request: AnyRequest,
        correlation_id: FromPath[str],
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """Everything one request caused, in log order (404 if it caused nothing)."""
        refused = _refuse_unless_auditor(request, civic)
        if refused is not None:
            return refused
        here = f"/web/audit/correlations/{correlation_id}"
        try:
            page = civic.audit.correlated(correlation_id[:FILTER_MAX], after=None, limit=SCAN)
        except NotFound as exc:
            return refused_page(request, civic, exc, here)
        context = {
            "correlation_id": correlation_id,
            "entries": [_shown(e) for e in page.items],
            "more": page.next is not None,
            "here": here,
        }
        return render(request, "audit_correlation.html", context, secret=civic.web_secret)

    @get("/checkpoint", sync_to_thread=True)
    def checkpoint(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> Template:
        """The latest signed checkpoint, the log's key, and how to check them."""
        try:
            signed = civic.transparency.latest_checkpoint()
        except NotFound:
            signed = None  # before the first event: the page says how to verify all the same
        verifier = civic.transparency.verifier
        context = {
            "checkpoint": None if signed is None else signed.checkpoint,
            "note": None if signed is None else signed.note,
            "root_hex": None if signed is None else signed.checkpoint.root_hash.hex(),
            "verifier_key": verifier.text,
            "public_key_hex": verifier.public_key.hex(),
            "key_id": verifier.key_id.hex(),
            "base_url": str(request.base_url).rstrip("/"),
        }
        return render(request, "audit_checkpoint.html", context, secret=civic.web_secret)


def _refuse_unless_auditor(request: AnyRequest, civic: CivicLedger) -> Response[Any] | None:
    """The sign-in form for a visitor, a 403 page for an account that does not audit."""
    principal = viewer(request)
    if principal is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/web/sign-in?next={quote(path)}", status_code=HTTP_303_SEE_OTHER)
    if not AUDITORS & principal.roles:
        return render(
            request,
            "error.html",
            {"error": AUDITORS_ONLY},
            secret=civic.web_secret,
            status_code=403,
        )
    return None


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry with its data as indented JSON, for a `<pre>`, and its aggregate's page."""
    data = json.dumps(entry["data"], indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return {**entry, "data_json": data, "link": aggregate_link(entry)}


def aggregate_link(entry: dict[str, Any]) -> str | None:
    """The page of the entry's aggregate, where there is one."""
    pages = {
        "Committee": "/web/committees/",
        "Meeting": "/web/meetings/",
        "Charter": "/web/charters/",
        "Petition": "/web/petitions/",
    }
    prefix = pages.get(entry["aggregate_type"])
    return None if prefix is None else f"{prefix}{UUID(str(entry['aggregate_id']))}"
