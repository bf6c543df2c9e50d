"""The vote pages: the open and recent votes, a vote's page (question, method, options, schedule,
electorate; while it is open a ballot form fitting its method; once closed its results drawn on
the server), and the ballot form's post. Thin handlers: parse, call the vote service, render; a
refused ballot renders the page again with the reason and a 4xx status."""

from __future__ import annotations

import hmac
from collections import deque
from collections.abc import Callable, Mapping
from hashlib import sha256
from typing import Annotated, Any
from uuid import UUID

from babel.numbers import format_decimal
from litestar import Controller, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from application.accounts import Principal
from application.errors import VoteNotFound
from application.system import CivicLedger
from domain.errors import InvalidBallot
from domain.vote import BallotNotReplaceable, NotElector, NotOpenForBallots
from interfaces.http.context import cause_of
from interfaces.http.limits import rate_limited
from interfaces.http.params import AnyRequest
from interfaces.web.i18n import N_, translations
from interfaces.web.refusals import REFUSED, refusal
from interfaces.web.rendering import language_of, render, viewer
from interfaces.web.vote_ballots import FORMS, BallotRefused, Problem, choice_from, single_values
from interfaces.web.vote_results import Words, figures, grades_best_first

Form = Annotated[dict[str, str | list[str]], Body(media_type=RequestEncodingType.URL_ENCODED)]
LISTED = 100  # open votes listed; paging comes with search
RECENT = 20  # closed and certified votes listed, the latest drafted
PAGE = 500  # rows read at a time while looking for the latest results
RECEIPTS = ("recorded", "replaced")  # what the page says after a ballot is cast
RECEIPT_COOKIE = "civic_ballot"
RECEIPT_SECONDS = 600
STATUS_LABELS = {
    "draft": N_("Not open yet"),
    "open": N_("Open for ballots"),
    "closed": N_("Closed, awaiting certification"),
    "certified": N_("Certified"),
    "cancelled": N_("Cancelled"),
}
METHOD_LABELS = {
    "plurality": N_("Single choice"),
    "approval": N_("Approval voting"),
    "score": N_("Score voting"),
    "majority_judgment": N_("Majority judgment"),
    "schulze": N_("Ranked choice (Schulze)"),
    "irv": N_("Ranked choice (instant runoff)"),
    "borda": N_("Ranked choice (Borda count)"),
    "copeland": N_("Ranked choice (Copeland)"),
    "stv": N_("Single transferable vote"),
    "greedy": N_("Participatory budgeting (most approved first)"),
    "equal_shares": N_("Participatory budgeting (method of equal shares)"),
}
ROLE_LABELS = {
    "citizen": N_("Every citizen"),
    "moderator": N_("Every moderator"),
    "committee": N_("Every committee member"),
    "auditor": N_("Every auditor"),
    "admin": N_("Every administrator"),
}
_VOTE_REFUSALS: list[tuple[type[Exception], int, str]] = [
    (NotElector, 403, N_("You are not on this vote's electorate.")),
    (NotOpenForBallots, 409, N_("This vote is not open for ballots.")),
    (
        BallotNotReplaceable,
        409,
        N_("Your ballot is already recorded, and this vote does not let it be replaced."),
    ),
    (InvalidBallot, 422, N_("This ballot cannot be counted: check your choices.")),
]


def vote_page_path(vote_id: UUID) -> str:
    """Where a vote's page is."""
    return f"/web/votes/{vote_id}"


def vote_refusal(error: Exception) -> Problem:
    """Why a ballot was refused, in the voter's words (the general refusals otherwise)."""
    for kind, status, message in _VOTE_REFUSALS:
        if isinstance(error, kind):
            return Problem(message, status=status)
    status, message = refusal(error)
    return Problem(message, status=status)


class VotePages(Controller):
    """`/web/votes` and `/web/votes/{id}`: read votes and their results, cast a ballot."""

    path = "/web/votes"
    include_in_schema = False  # the OpenAPI document describes the JSON API only

    @get("/", sync_to_thread=True)
    def votes(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> Template:
        """The votes open for ballots, and the latest results."""
        open_votes = civic.votes.list(status="open", after=None, limit=LISTED).items
        recent = sorted(
            _latest(civic, "closed") + _latest(civic, "certified"),
            key=lambda v: v["position"],
            reverse=True,
        )[:RECENT]
        context = {"open_votes": open_votes, "recent": recent, "status_labels": STATUS_LABELS}
        return render(request, "votes.html", context, secret=civic.web_secret)

    @get("/{vote_id:uuid}", sync_to_thread=True)
    def vote(
        self, request: AnyRequest, vote_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> Template:
        """A vote: its rules and schedule, a ballot form while open, its results once closed."""
        receipt = receipt_of(request, civic.web_secret, vote_id)
        return _vote_page(request, civic, vote_id, receipt=receipt)

    @post("/{vote_id:uuid}/ballot", sync_to_thread=True, middleware=[rate_limited("ballot")])
    def cast(
        self,
        request: AnyRequest,
        vote_id: FromPath[UUID],
        data: Form,
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """Cast (or replace) the signed-in account's ballot, then back to the vote's page."""
        principal = viewer(request)
        if principal is None:
            return Redirect(
                f"/web/sign-in?next={vote_page_path(vote_id)}", status_code=HTTP_303_SEE_OTHER
            )
        form = single_values(data)
        try:
            rules = civic.votes.get(vote_id)["rules"]
            choice = choice_from(form, rules, _number(request))
            replaced = civic.votes.cast(
                vote_id, elector=principal.actor, choice=choice, cause=cause_of(request)
            )
        except BallotRefused as refused:
            return _vote_page(request, civic, vote_id, problem=refused.problem, submitted=form)
        except REFUSED as exc:
            return _vote_page(request, civic, vote_id, problem=vote_refusal(exc), submitted=form)
        receipt = "replaced" if replaced else "recorded"
        sealed = Cookie(
            key=RECEIPT_COOKIE,
            value=_seal(civic.web_secret, vote_id, principal.actor, receipt),
            path=vote_page_path(vote_id),
            max_age=RECEIPT_SECONDS,
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="lax",
        )
        return Redirect(vote_page_path(vote_id), status_code=HTTP_303_SEE_OTHER, cookies=[sealed])


def _seal(secret: str, vote_id: UUID, actor: str, receipt: str) -> str:
    """The receipt cookie's value: what happened, signed for this vote and this account."""
    signed = f"{vote_id}:{actor}:{receipt}".encode()
    return f"{receipt}.{hmac.new(secret.encode(), signed, sha256).hexdigest()}"


def receipt_of(request: AnyRequest, secret: str, vote_id: UUID) -> str | None:
    """What the signed-in account's last ballot here did (`recorded`, `replaced`), if it was cast
    in the last minutes from this browser. A signed cookie, not the address: a link cannot make
    anyone believe they voted. Nothing of the ballot's content is in it."""
    principal = viewer(request)
    value = request.cookies.get(RECEIPT_COOKIE, "")
    receipt = value.partition(".")[0]
    if principal is None or receipt not in RECEIPTS:
        return None
    expected = _seal(secret, vote_id, principal.actor, receipt)
    return receipt if hmac.compare_digest(value, expected) else None


def _latest(civic: CivicLedger, status: str) -> list[dict[str, Any]]:
    """The last `RECENT` votes of `status` in drafting order (the list reads oldest first)."""
    latest: deque[dict[str, Any]] = deque(maxlen=RECENT)
    after = None
    while True:
        page = civic.votes.list(status=status, after=after, limit=PAGE)
        latest.extend(page.items)
        if page.next is None:
            return list(latest)
        after = page.next


def _number(request: AnyRequest) -> Callable[[float], str]:
    """Figures written as the page's language writes them."""
    language = language_of(request)
    return lambda value: format_decimal(value, locale=language)


def may_vote(electorate: Mapping[str, Any], principal: Principal) -> bool:
    """Whether the form is offered: on the roll, holding the role; a committee's voting members
    are known to the service only, which refuses anyone else when the ballot is cast."""
    kind = electorate.get("kind")
    if kind == "roll":
        return principal.actor in (electorate.get("accounts") or [])
    if kind == "role":
        return electorate.get("role") in {str(role) for role in principal.roles}
    return kind == "committee"


def _vote_page(
    request: AnyRequest,
    civic: CivicLedger,
    vote_id: UUID,
    *,
    receipt: str | None = None,
    problem: Problem | None = None,
    submitted: Mapping[str, str] | None = None,
) -> Template:
    """The vote's page, with `problem` (and the form as it was sent) if a ballot was refused."""
    here = vote_page_path(vote_id)
    try:
        view = civic.votes.get(vote_id)
    except VoteNotFound as exc:
        status, message = refusal(exc)
        missing = {"error": message, "here": here}
        return render(request, "error.html", missing, secret=civic.web_secret, status_code=status)
    language = language_of(request)
    words = Words(language, translations(language).gettext, _number(request))
    rules = view["rules"]
    labels = {str(o["id"]): str(o["label"]) for o in rules["options"]}
    principal = viewer(request)
    result = view["result"]
    context: dict[str, Any] = {
        "vote": view,
        "rules": rules,
        "status_label": STATUS_LABELS.get(view["status"], view["status"]),
        "method_label": METHOD_LABELS.get(view["method"], view["method"]),
        "form_kind": FORMS.get(view["method"]),
        "grades": grades_best_first(words),
        "may_vote": principal is not None and may_vote(rules["electorate"], principal),
        "receipt": receipt,
        "problem": problem,
        "submitted": submitted or {},
        "labels": labels,
        "role_labels": ROLE_LABELS,
        "tied_labels": ", ".join(labels.get(o, o) for o in (result or {}).get("tied") or []),
        "figures": figures(result, labels, words) if result else [],
        "here": here,
    }
    status = problem.status if problem else 200
    return render(request, "vote.html", context, secret=civic.web_secret, status_code=status)
