"""The consultation pages' routes ("concertation"): the list, a consultation's page (built in
`consultation_page.py`), and the forms of what the running phase allows: contribute, comment,
endorse or withdraw, answer the questionnaire. Thin: parse, call the consultation service as
`/consultations` does, 303 back; a refusal renders the page again with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from application.accounts import Principal
from application.system import CivicLedger
from domain.account import Role
from domain.consultation import NotAllowedNow
from domain.consultation_contribution import (
    AlreadyEndorsed,
    ContributionKind,
    InvalidContribution,
    NotEndorsed,
)
from domain.consultation_questions import InvalidAnswers
from interfaces.http.context import cause_of
from interfaces.http.params import AnyRequest, Cursor
from interfaces.web.consultation_page import (
    PAGE_SIZE,
    Posted,
    consultation_page,
    consultation_page_path,
    summary,
)
from interfaces.web.i18n import N_
from interfaces.web.questionnaire import AnswersRefused, read_answers
from interfaces.web.refusals import REFUSED, refusal
from interfaces.web.rendering import render, viewer
from interfaces.web.sign_in import Form

CITIZENS_TAKE_PART = N_("Only citizens may take part in consultations.")
# The most specific first; the others are refusals.py's.
_MESSAGES: list[tuple[type[Exception], int, str]] = [
    (NotAllowedNow, 409, N_("The current phase of this consultation does not allow this.")),
    (AlreadyEndorsed, 409, N_("You already endorse this contribution.")),
    (NotEndorsed, 409, N_("You do not endorse this contribution.")),
    (InvalidAnswers, 422, N_("These answers do not fit the questionnaire.")),
    (InvalidContribution, 422, N_("Please check the title, the text and the themes.")),
]


class ConsultationPages(Controller):
    """`/web/consultations`: read consultations; contribute, comment, endorse and answer with a
    session, while the running phase allows it."""

    path = "/web/consultations"
    include_in_schema = False  # the OpenAPI document describes the JSON API only

    @get("/", sync_to_thread=True)
    def consultations(
        self,
        request: AnyRequest,
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
    ) -> Template:
        """The consultations, in the order drafted, with their status and running phase."""
        page = civic.consultations.list_consultations(overdue=False, after=after, limit=PAGE_SIZE)
        items = [summary(c) for c in page.items]
        context = {"consultations": items, "next": page.next}
        return render(request, "consultations.html", context, secret=civic.web_secret)

    @get("/{consultation_id:uuid}", sync_to_thread=True)
    def consultation(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
    ) -> Template:
        """A consultation, and the forms of what its running phase allows."""
        return consultation_page(request, civic, consultation_id, after=after)

    @post("/{consultation_id:uuid}/contributions", sync_to_thread=True)
    def contribute(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        data: Form,
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """Submit a proposal or an observation, then back to the consultation."""

        def act(_: Principal) -> str:
            try:
                kind = ContributionKind(data.get("kind", ""))
            except ValueError:
                raise InvalidContribution("a proposal or an observation") from None
            contribution_id = civic.consultations.contribute(
                consultation_id,
                kind=kind,
                title=data.get("title", "").strip(),
                text=data.get("text", "").strip(),
                themes=_themes(data.get("themes", "")),
                cause=cause_of(request),
            )
            return f"#contribution-{contribution_id}"

        return _act(request, civic, consultation_id, act, posted=("contribution", data))

    @post(
        "/{consultation_id:uuid}/contributions/{contribution_id:uuid}/comments", sync_to_thread=True
    )
    def comment(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        contribution_id: FromPath[UUID],
        data: Form,
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """Comment on a contribution, then back to it."""

        def act(_: Principal) -> str:
            civic.consultations.comment(
                consultation_id,
                contribution_id,
                text=data.get("text", "").strip(),
                cause=cause_of(request),
            )
            return f"#contribution-{contribution_id}"

        return _act(request, civic, consultation_id, act)

    @post(
        "/{consultation_id:uuid}/contributions/{contribution_id:uuid}/endorsement",
        sync_to_thread=True,
    )
    def endorse(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        contribution_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """Endorse a contribution, then back to it."""

        def act(principal: Principal) -> str:
            civic.consultations.endorse(
                consultation_id,
                contribution_id,
                participant=principal.actor,
                cause=cause_of(request),
            )
            return f"#contribution-{contribution_id}"

        return _act(request, civic, consultation_id, act)

    @post(
        "/{consultation_id:uuid}/contributions/{contribution_id:uuid}/endorsement/withdrawal",
        sync_to_thread=True,
    )
    def withdraw_endorsement(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        contribution_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """Withdraw one's endorsement, then back to the contribution."""

        def act(principal: Principal) -> str:
            civic.consultations.withdraw_endorsement(
                consultation_id,
                contribution_id,
                participant=principal.actor,
                cause=cause_of(request),
            )
            return f"#contribution-{contribution_id}"

        return _act(request, civic, consultation_id, act)

    @post("/{consultation_id:uuid}/answers", sync_to_thread=True)
    def answer(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        data: Form,
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """Submit one's answers to the questionnaire, or replace them, then back to it."""

        def act(principal: Principal) -> str:
            questions = civic.consultations.get(consultation_id)["questions"]
            civic.consultations.answer(
                consultation_id,
                participant=principal.actor,
                answers=read_answers(questions, data),
                cause=cause_of(request),
            )
            return "#questionnaire"

        return _act(request, civic, consultation_id, act, posted=("answers", data))


def _act(
    request: AnyRequest,
    civic: CivicLedger,
    consultation_id: UUID,
    act: Callable[[Principal], str],
    *,
    posted: Posted | None = None,
) -> Response[Any]:
    """Do `act` as the signed-in citizen and go back to the page (at the anchor it returns);
    to sign in first without a session; the page with the reason, and the form `posted` as it
    was sent, if refused."""
    here = consultation_page_path(consultation_id)
    principal = viewer(request)
    if principal is None:
        return Redirect(f"/web/sign-in?next={here}", status_code=HTTP_303_SEE_OTHER)
    if Role.CITIZEN not in principal.roles:
        return consultation_page(
            request, civic, consultation_id, error=CITIZENS_TAKE_PART, status=403
        )
    try:
        anchor = act(principal)
    except AnswersRefused as exc:
        return consultation_page(
            request, civic, consultation_id, error=str(exc), status=422, posted=posted
        )
    except REFUSED as exc:
        status, message = _refusal(exc)
        return consultation_page(
            request, civic, consultation_id, error=message, status=status, posted=posted
        )
    return Redirect(here + anchor, status_code=HTTP_303_SEE_OTHER)


def _refusal(error: Exception) -> tuple[int, str]:
    """The status and message of a refusal: the consultation's own, else refusals.py's."""
    for kind, status, message in _MESSAGES:
        if isinstance(error, kind):
            return status, message
    return refusal(error)


def _themes(value: str) -> list[str]:
    """Theme tags from a comma-separated list, as the service takes them (lower case, a dash
    for a space), each once."""
    themes = ("-".join(t.lower().split()) for t in value.split(","))
    return list(dict.fromkeys(t for t in themes if t))
