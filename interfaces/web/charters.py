"""The charter pages ("chartes participatives"): the charters, and one charter with the text of
the version in force, its versions, the per-article diff between two of them (`?from=N&to=M`, the
charter service's diff, as the API's), its amendments and its signatories."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from application.errors import NotFound
from application.system import CivicLedger
from interfaces.http.params import AnyRequest
from interfaces.web.committees import PAGE, refused_page
from interfaces.web.i18n import N_
from interfaces.web.refusals import REFUSED, refusal
from interfaces.web.rendering import render

DRAFT = "draft"  # `?to=draft`: the diff to the open draft
STATUS_LABELS = {
    "draft": N_("Draft"),
    "adopted": N_("Adopted"),
    "revision": N_("Under revision"),
}
AMENDMENT_STATUS_LABELS = {
    "pending": N_("Pending"),
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
}
CHANGE_LABELS = {
    "add": N_("Add an article"),
    "replace": N_("Replace an article"),
    "remove": N_("Remove an article"),
    "preamble": N_("Replace the preamble"),
    "title": N_("Replace the title"),
}
ARTICLE_STATUS_LABELS = {
    "added": N_("Added"),
    "removed": N_("Removed"),
    "changed": N_("Changed"),
    "unchanged": N_("Unchanged"),
}
ORGANISATION_LABELS = {
    "public_body": N_("Public body"),
    "business": N_("Business"),
    "association": N_("Association"),
    "citizen_group": N_("Citizen group"),
    "research_education": N_("Research and education"),
}
NOT_A_VERSION = N_("Choose two versions to compare.")


class CharterPages(Controller):
    """`/web/charters` and `/web/charters/{id}`."""

    path = "/web/charters"
    include_in_schema = False  # the OpenAPI document describes the JSON API only

    @get("/", sync_to_thread=True)
    def charters(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> Template:
        """The charters in the order they were drafted, a page at a time (`?after=`)."""
        after = request.query_params.get("after", "")
        cursor = int(after) if after.isdecimal() and len(after) < 19 else None  # noqa: PLR2004
        page = civic.charters.list_charters(after=cursor, limit=PAGE)
        context = {"charters": page.items, "next": page.next, "status_labels": STATUS_LABELS}
        return render(request, "charters.html", context, secret=civic.web_secret)

    @get("/{charter_id:uuid}", sync_to_thread=True)
    def charter(
        self, request: AnyRequest, charter_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> Template:
        """A charter: the text in force, its versions, a diff if asked, amendments, signatories."""
        here = f"/web/charters/{charter_id}"
        try:
            view = civic.charters.get(charter_id)
            latest = view["latest_version"]
            in_force = civic.charters.version(charter_id, latest)["text"] if latest else None
            amendments = civic.charters.amendments(charter_id)
            signatories = civic.charters.signatories(charter_id)
        except NotFound as exc:
            return refused_page(request, civic, exc, here)
        diff, error, status = None, None, 200
        asked = _asked_diff(request)
        if asked == "invalid":
            error, status = NOT_A_VERSION, 422
        elif asked is not None:
            try:
                diff = civic.charters.diff(charter_id, *asked)
            except REFUSED as exc:
                status, error = refusal(exc)
        context = {
            "charter": view,
            "in_force": in_force,
            "amendments": amendments,
            "signatories": signatories,
            "diff": diff,
            "from_version": request.query_params.get("from", ""),
            "to_version": request.query_params.get("to", ""),
            "status_labels": STATUS_LABELS,
            "amendment_labels": AMENDMENT_STATUS_LABELS,
            "change_labels": CHANGE_LABELS,
            "article_labels": ARTICLE_STATUS_LABELS,
            "organisation_labels": ORGANISATION_LABELS,
            "error": error,
            "here": here,
        }
        return render(request, "charter.html", context, secret=civic.web_secret, status_code=status)


def _asked_diff(request: AnyRequest) -> tuple[int, int | None] | str | None:
    """`(from, to)` from `?from=N&to=M`, `to` omitted or `draft` meaning the open draft (as the
    API's); None when no diff is asked; "invalid" when they are not version numbers."""
    asked_from = request.query_params.get("from")
    asked_to = request.query_params.get("to") or DRAFT
    if asked_from is None:
        return None if asked_to == DRAFT else "invalid"
    if not _is_number(asked_from) or not (asked_to == DRAFT or _is_number(asked_to)):
        return "invalid"
    return int(asked_from), None if asked_to == DRAFT else int(asked_to)


def _is_number(text: str) -> bool:
    return text.isdecimal() and 0 < len(text) < 10  # noqa: PLR2004  # a version, not a huge int
