"""Consultation routes ("concertation"): the committee's organisers draft and run them, citizens
contribute, comment, endorse and answer, moderators hide and show again, anyone reads what
moderation leaves public; authors, moderators and auditors see more (`Reader`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio.to_thread
from litestar import Controller, delete, get, post, put
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from application.accounts import Principal
from application.consultations import Reader
from application.system import CivicLedger
from domain.account import Role
from interfaces.http.committees import require_organiser
from interfaces.http.consultation_schemas import (
    AnswersIn,
    AnswersOut,
    CommentIn,
    CommentList,
    CommentOut,
    ConsultationList,
    ConsultationOut,
    ContributeIn,
    ContributionList,
    ContributionOut,
    DraftConsultation,
    EndorsementOut,
    Moderation,
    PhaseChange,
    ResponseIn,
    ResultsOut,
    SynthesisIn,
)
from interfaces.http.context import cause_of, principal_of, requires
from interfaces.http.openapi import PUBLIC, problems
from interfaces.http.params import AnyRequest, AsOf, Cursor, Limit, Version
from interfaces.http.schemas import AuditEntry, AuditList

ORGANISERS = requires(Role.ADMIN, Role.COMMITTEE)
CITIZENS = requires(Role.CITIZEN)
MODERATORS = requires(Role.MODERATOR)
SEES_HIDDEN = frozenset({Role.MODERATOR, Role.AUDITOR})


def reader_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Reader:
    """Who reads: anonymous, or an account that moderation hides nothing from (moderators,
    auditors) or hides all but its own hidden items from."""
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        return Reader()
    return Reader(account=principal.actor, sees_hidden=bool(SEES_HIDDEN & principal.roles))


async def organises_it(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A committee account runs the consultations of the committees it created or sits on; an
    admin, any (an unknown consultation goes on to its 404)."""
    civic: CivicLedger = connection.app.state["civic"]
    committee_id = await anyio.to_thread.run_sync(
        civic.consultations.committee_of, connection.path_params["consultation_id"]
    )
    if committee_id is not None:
        await anyio.to_thread.run_sync(
            require_organiser, civic, principal_of(connection), committee_id
        )


def _consultation(civic: CivicLedger, consultation_id: UUID) -> ConsultationOut:
    return ConsultationOut.from_view(civic.consultations.get(consultation_id))


class ConsultationController(Controller):
    """`/consultations`: the consultation, its contributions, comments, endorsements, answers,
    moderation, synthesis and official response."""

    path = "/consultations"
    tags = ["consultations"]  # noqa: RUF012  # Litestar reads this class attribute

    # -- organisers ------------------------------------------------------------------------------

    @post(
        "/",
        guards=[ORGANISERS],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 413, 422),
    )
    def draft(
        self,
        request: AnyRequest,
        data: JSONBody[DraftConsultation],
        civic: NamedDependency[CivicLedger],
    ) -> ConsultationOut:
        """Draft a consultation run by a committee (a committee account: one it created or sits
        on), with its dated phases and its questionnaire."""
        require_organiser(civic, principal_of(request), data.committee_id)
        consultation_id = civic.consultations.draft(
            title=data.title,
            description=data.description,
            territory=data.territory,
            committee_id=data.committee_id,
            opens_at=data.opens_at,
            phases=[p.as_phase() for p in data.phases],
            questions=[q.as_question() for q in data.questions],
            response_days=data.response_days,
            cause=cause_of(request),
            territory_id=data.territory_id,
        )
        return _consultation(civic, consultation_id)

    @post(
        "/{consultation_id:uuid}/phase",
        guards=[ORGANISERS, organises_it],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def advance_phase(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        data: JSONBody[PhaseChange],
        civic: NamedDependency[CivicLedger],
    ) -> ConsultationOut:
        """Begin the next phase before its date, with the reason (after the last: close)."""
        civic.consultations.advance_phase(consultation_id, cause=cause_of(request, data.reason))
        return _consultation(civic, consultation_id)

    @post(
        "/{consultation_id:uuid}/synthesis",
        guards=[ORGANISERS, organises_it],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def synthesis(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        data: JSONBody[SynthesisIn],
        civic: NamedDependency[CivicLedger],
    ) -> ConsultationOut:
        """Publish the synthesis once closed: its text and what became of contributions."""
        civic.consultations.publish_synthesis(
            consultation_id,
            text=data.text,
            outcomes=[o.as_outcome() for o in data.outcomes],
            cause=cause_of(request),
        )
        return _consultation(civic, consultation_id)

    @post(
        "/{consultation_id:uuid}/response",
        guards=[ORGANISERS, organises_it],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def respond(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        data: JSONBody[ResponseIn],
        civic: NamedDependency[CivicLedger],
    ) -> ConsultationOut:
        """The official response ("retour"), after the synthesis, citing decisions of the
        consultation's committee (422 otherwise)."""
        civic.consultations.respond(
            consultation_id,
            text=data.text,
            decision_ids=data.decision_ids,
            cause=cause_of(request),
        )
        return _consultation(civic, consultation_id)

    # -- anyone ----------------------------------------------------------------------------------

    @get("/", sync_to_thread=True, security=PUBLIC, responses=problems(404))
    def list_consultations(
        self,
        *,
        civic: NamedDependency[CivicLedger],
        overdue: FromQuery[bool] = False,
        territory: FromQuery[UUID | None] = None,
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 50,
    ) -> ConsultationList:
        """Consultations in the order drafted; `overdue=true`: those whose official response is
        past its deadline; with `territory`, those of its area (itself and its members; 404 for
        an unknown territory)."""
        page = civic.consultations.list_consultations(
            overdue=overdue, after=after, limit=limit, territory_id=territory
        )
        items = [ConsultationOut.from_view(r) for r in page.items]
        return ConsultationList(items=items, next=page.next)

    @get(
        "/{consultation_id:uuid}",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404, 422),
    )
    def read(
        self,
        consultation_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        version: FromQuery[Version] = None,
        as_of: FromQuery[AsOf] = None,
    ) -> ConsultationOut:
        """One consultation, with its phase now, synthesis and response; or, given a `version`
        or an `as_of` instant (not both), as it stood then."""
        view = civic.consultations.as_of(consultation_id, version=version, instant=as_of)
        return ConsultationOut.from_view(view)

    @get(
        "/{consultation_id:uuid}/history",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def history(
        self,
        consultation_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> AuditList:
        """The consultation's own events, oldest first (contributions have their own)."""
        civic.consultations.get(consultation_id)
        page = civic.audit.events(aggregate_id=consultation_id, after=after, limit=limit)
        return AuditList(items=[AuditEntry(**r) for r in page.items], next=page.next)

    @get(
        "/{consultation_id:uuid}/results",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def results(
        self, consultation_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> ResultsOut:
        """Per question: counts, distributions and rankings of the answer sets standing now."""
        return ResultsOut(**civic.consultations.results(consultation_id))

    @get(
        "/{consultation_id:uuid}/contributions",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def contributions(
        self,
        *,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        mine: FromQuery[bool] = False,
        theme: FromQuery[str | None] = None,
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 50,
    ) -> ContributionList:
        """The contributions the caller may see, in the order submitted (hidden ones: only to
        their author, moderators and auditors); `mine=true`: the caller's own."""
        page = civic.consultations.contributions(
            consultation_id,
            reader=reader_of(request),
            mine=mine,
            theme=theme,
            after=after,
            limit=limit,
        )
        items = [ContributionOut.from_view(r) for r in page.items]
        return ContributionList(items=items, next=page.next)

    @get(
        "/{consultation_id:uuid}/contributions/{contribution_id:uuid}",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def contribution(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        contribution_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
    ) -> ContributionOut:
        """One contribution, if the caller may see it (404 for a hidden one, but to its author,
        moderators and auditors)."""
        row = civic.consultations.contribution(
            consultation_id, contribution_id, reader=reader_of(request)
        )
        return ContributionOut.from_view(row)

    @get(
        "/{consultation_id:uuid}/contributions/{contribution_id:uuid}/history",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def contribution_history(
        self,
        *,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        contribution_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> AuditList:
        """The contribution's events (submission, moderation), to whoever may see it."""
        civic.consultations.contribution(
            consultation_id, contribution_id, reader=reader_of(request)
        )
        page = civic.audit.events(aggregate_id=contribution_id, after=after, limit=limit)
        return AuditList(items=[AuditEntry(**r) for r in page.items], next=page.next)

    @get(
        "/{consultation_id:uuid}/contributions/{contribution_id:uuid}/comments",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def comments(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        contribution_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
    ) -> CommentList:
        """The comments the caller may see on a contribution it may see, in the order posted."""
        rows = civic.consultations.comments(
            consultation_id, contribution_id, reader=reader_of(request)
        )
        return CommentList(items=[CommentOut.from_view(r) for r in rows])

    # -- citizens --------------------------------------------------------------------------------

    @post(
        "/{consultation_id:uuid}/contributions",
        guards=[CITIZENS],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def contribute(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        data: JSONBody[ContributeIn],
        civic: NamedDependency[CivicLedger],
    ) -> ContributionOut:
        """Submit a proposal or an observation, while the phase takes contributions."""
        contribution_id = civic.consultations.contribute(
            consultation_id,
            kind=data.kind,
            title=data.title,
            text=data.text,
            themes=data.themes,
            cause=cause_of(request),
        )
        row = civic.consultations.contribution(
            consultation_id, contribution_id, reader=reader_of(request)
        )
        return ContributionOut.from_view(row)

    @post(
        "/{consultation_id:uuid}/contributions/{contribution_id:uuid}/comments",
        guards=[CITIZENS],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def comment(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        contribution_id: FromPath[UUID],
        data: JSONBody[CommentIn],
        civic: NamedDependency[CivicLedger],
    ) -> CommentOut:
        """Comment on a visible contribution, while the phase takes comments."""
        comment_id = civic.consultations.comment(
            consultation_id, contribution_id, text=data.text, cause=cause_of(request)
        )
        rows = civic.consultations.comments(
            consultation_id, contribution_id, reader=reader_of(request)
        )
        return CommentOut.from_view(next(r for r in rows if r["id"] == comment_id))

    @post(
        "/{consultation_id:uuid}/contributions/{contribution_id:uuid}/endorsements",
        guards=[CITIZENS],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 422),
    )
    def endorse(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        contribution_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
    ) -> EndorsementOut:
        """Endorse a visible contribution, once (409 for a second), while the phase takes
        endorsements."""
        civic.consultations.endorse(
            consultation_id,
            contribution_id,
            participant=principal_of(request).actor,
            cause=cause_of(request),
        )
        return _endorsements(civic, request, consultation_id, contribution_id)

    @delete(
        "/{consultation_id:uuid}/contributions/{contribution_id:uuid}/endorsements/me",
        guards=[CITIZENS],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 422),
    )
    def withdraw_endorsement(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        contribution_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
    ) -> EndorsementOut:
        """Withdraw the caller's endorsement, while the phase takes endorsements."""
        civic.consultations.withdraw_endorsement(
            consultation_id,
            contribution_id,
            participant=principal_of(request).actor,
            cause=cause_of(request),
        )
        return _endorsements(civic, request, consultation_id, contribution_id)

    @put(
        "/{consultation_id:uuid}/answers/me",
        guards=[CITIZENS],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def answer(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        data: JSONBody[AnswersIn],
        civic: NamedDependency[CivicLedger],
    ) -> AnswersOut:
        """Submit the caller's answer set, or replace it, while the phase takes answers."""
        participant = principal_of(request).actor
        replaced = civic.consultations.answer(
            consultation_id,
            participant=participant,
            answers=dict(data.answers),
            cause=cause_of(request),
        )
        return _answers(civic, consultation_id, participant, replaced=replaced)

    @get(
        "/{consultation_id:uuid}/answers/me",
        guards=[CITIZENS],
        sync_to_thread=True,
        responses=problems(403, 404),
    )
    def my_answers(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
    ) -> AnswersOut:
        """The caller's answer set standing now (404 before any)."""
        return _answers(civic, consultation_id, principal_of(request).actor)

    # -- moderators ------------------------------------------------------------------------------

    @post(
        "/{consultation_id:uuid}/contributions/{contribution_id:uuid}/moderation",
        guards=[MODERATORS],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def moderate_contribution(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        contribution_id: FromPath[UUID],
        data: JSONBody[Moderation],
        civic: NamedDependency[CivicLedger],
    ) -> ContributionOut:
        """Hide a contribution from the public views (never from the log), or show it again;
        the reason is required and its author sees it."""
        civic.consultations.moderate_contribution(
            consultation_id,
            contribution_id,
            hide=data.hidden,
            cause=cause_of(request, data.reason),
        )
        row = civic.consultations.contribution(
            consultation_id, contribution_id, reader=reader_of(request)
        )
        return ContributionOut.from_view(row)

    @post(
        "/{consultation_id:uuid}/comments/{comment_id:uuid}/moderation",
        guards=[MODERATORS],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def moderate_comment(
        self,
        request: AnyRequest,
        consultation_id: FromPath[UUID],
        comment_id: FromPath[UUID],
        data: JSONBody[Moderation],
        civic: NamedDependency[CivicLedger],
    ) -> CommentList:
        """Hide a comment, or show it again, with the reason; returns the contribution's
        comments as the moderator sees them."""
        contribution_id = civic.consultations.moderate_comment(
            consultation_id, comment_id, hide=data.hidden, cause=cause_of(request, data.reason)
        )
        rows = civic.consultations.comments(
            consultation_id, contribution_id, reader=reader_of(request)
        )
        return CommentList(items=[CommentOut.from_view(r) for r in rows])


def _endorsements(
    civic: CivicLedger, request: AnyRequest, consultation_id: UUID, contribution_id: UUID
) -> EndorsementOut:
    row = civic.consultations.contribution(
        consultation_id, contribution_id, reader=reader_of(request)
    )
    return EndorsementOut(
        contribution_id=contribution_id, endorsement_count=row["endorsement_count"]
    )


def _answers(
    civic: CivicLedger, consultation_id: UUID, participant: str, *, replaced: bool = False
) -> AnswersOut:
    row = civic.consultations.answers_of(consultation_id, participant)
    return AnswersOut(consultation_id=consultation_id, replaced=replaced, **row)
