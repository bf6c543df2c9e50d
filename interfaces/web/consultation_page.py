"""A consultation's page ("concertation") as its reader sees it: its phases, the contributions
with their comments and endorsements (hidden ones by the API's rule, `reader_of`), the
questionnaire with its results, the synthesis and the official response; and the consultations
open now, for the home page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.response import Template

from application.consultation_views import schedule_of
from application.errors import AnswerSetNotFound, ConsultationNotFound
from application.system import CivicLedger
from domain.account import Role
from domain.consultation_contribution import (
    COMMENT_MAX,
    TEXT_MAX,
    THEMES_MAX,
    TITLE_MAX,
    Endorsement,
    endorsement_id,
)
from interfaces.http.consultations import reader_of
from interfaces.http.params import AnyRequest
from interfaces.web.i18n import N_
from interfaces.web.questionnaire import form_values, posted_values
from interfaces.web.refusals import refusal
from interfaces.web.rendering import render, viewer

PAGE_SIZE = 100  # consultations or contributions a page lists; the next ones follow a link
STATUS_LABELS = {
    "upcoming": N_("Upcoming"),
    "open": N_("Open"),
    "closed": N_("Closed"),
    "synthesised": N_("Synthesis published"),
    "answered": N_("Officially answered"),
}
ACTIVITY_LABELS = {
    "contributions": N_("contributions"),
    "comments": N_("comments"),
    "endorsements": N_("endorsements"),
    "answers": N_("answers to the questionnaire"),
}
KIND_LABELS = {"proposal": N_("Proposal"), "observation": N_("Observation")}
OUTCOME_LABELS = {"taken_up": N_("Taken up"), "merged": N_("Merged"), "set_aside": N_("Set aside")}
LIMITS = {"title": TITLE_MAX, "text": TEXT_MAX, "comment": COMMENT_MAX, "themes": THEMES_MAX}
Posted = tuple[str, dict[str, str]]  # which form ("contribution", "answers") and what it sent
WITHDRAWN = Endorsement.Withdrawn.__qualname__  # an endorsement's event type in the audit trail


def consultation_page_path(consultation_id: UUID) -> str:
    """Where a consultation's page is."""
    return f"/web/consultations/{consultation_id}"


def open_consultations(civic: CivicLedger, limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """The first `limit` consultations open now (the status is the clock's: read, not queried),
    in the order drafted."""
    found: list[dict[str, Any]] = []
    after = None
    while len(found) < limit:
        page = civic.consultations.list_consultations(overdue=False, after=after, limit=500)
        found += [summary(c) for c in page.items if c["status"] == "open"]
        if page.next is None:
            break
        after = page.next
    return found[:limit]


def summary(view: dict[str, Any]) -> dict[str, Any]:
    """A consultation as a list shows it."""
    return {**view, "status_label": STATUS_LABELS.get(view["status"], view["status"])}


def consultation_page(
    request: AnyRequest,
    civic: CivicLedger,
    consultation_id: UUID,
    *,
    after: int | None = None,
    error: str | None = None,
    status: int = 200,
    posted: Posted | None = None,
) -> Template:
    """The consultation's page, with `error` (a message to translate) and the form `posted` as
    it was sent if an action was refused."""
    here = consultation_page_path(consultation_id)
    try:
        view = civic.consultations.get(consultation_id)
    except ConsultationNotFound as exc:
        status, message = refusal(exc)
        missing = {"error": message, "here": here}
        return render(request, "error.html", missing, secret=civic.web_secret, status_code=status)
    principal = viewer(request)
    citizen = principal is not None and Role.CITIZEN in principal.roles
    reader = reader_of(request)
    page = civic.consultations.contributions(
        consultation_id, reader=reader, after=after, limit=PAGE_SIZE
    )
    allows = set(view["allows_now"])
    contributions = [
        {
            **row,
            "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
            "outcome_label": OUTCOME_LABELS.get(row["outcome"] or "", row["outcome"]),
            "comments": civic.consultations.comments(consultation_id, row["id"], reader=reader),
            "endorsed": citizen
            and "endorsements" in allows
            and principal is not None
            and _endorses(civic, row["id"], principal.actor),
        }
        for row in page.items
    ]
    mine = None
    if citizen and principal is not None and view["questions"]:
        try:
            mine = civic.consultations.answers_of(consultation_id, principal.actor)
        except AnswerSetNotFound:
            mine = None
    context = {
        "consultation": summary(view),
        "phases": _phases(view),
        "allows": allows,
        "allows_labels": _activities(allows),
        "contributions": contributions,
        "next": page.next,
        "citizen": citizen,
        "kinds": KIND_LABELS,
        "outcomes": OUTCOME_LABELS,
        "my_answers": mine,
        "filled": (
            posted_values(view["questions"], posted[1])
            if posted is not None and posted[0] == "answers"
            else form_values(view["questions"], mine["answers"] if mine else {})
        ),
        "draft": posted[1] if posted is not None and posted[0] == "contribution" else {},
        "results": _results(civic, view),
        "limits": LIMITS,
        "error": error,
        "here": here,
    }
    return render(
        request, "consultation.html", context, secret=civic.web_secret, status_code=status
    )


def _results(civic: CivicLedger, view: dict[str, Any]) -> dict[str, Any] | None:
    """The questionnaire's results so far, each question beside its result."""
    if not view["questions"]:
        return None
    results = civic.consultations.results(view["id"])
    paired = zip(view["questions"], results["questions"], strict=True)
    return {
        "respondents": results["respondents"],
        "questions": [{"question": q, "result": r} for q, r in paired],
    }


def _activities(allowed: set[str]) -> list[str]:
    """What a phase allows, as labels, in the order people take part."""
    return [label for activity, label in ACTIVITY_LABELS.items() if activity in allowed]


def _phases(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The phases with when each starts and ends (early changes included), what it allows, and
    which one runs now."""
    schedule = schedule_of(view)
    count = len(schedule.phases)
    return [
        {
            "number": number,
            "name": phase.name,
            "starts_at": schedule.starts_at(number),
            "ends_at": schedule.starts_at(number + 1) if number < count else schedule.closes_at,
            "allows": _activities(set(phase.allows)),
            "current": number == view["phase"],
        }
        for number, phase in enumerate(schedule.phases, start=1)
    ]


def _endorses(civic: CivicLedger, contribution_id: UUID, participant: str) -> bool:
    """Whether `participant`'s endorsement stands now: its last event in the audit trail is not
    a withdrawal."""
    last, after = None, None
    while True:
        page = civic.audit.events(
            aggregate_id=endorsement_id(contribution_id, participant), after=after, limit=500
        )
        if page.items:
            last = page.items[-1]["type"]
        if page.next is None:
            return last is not None and last != WITHDRAWN
        after = page.next
