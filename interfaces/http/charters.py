"""Charter routes: organisers draft, decide amendments by citing committee decisions, adopt,
revise and record signatories; citizens propose amendments; anyone reads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from application.system import CivicLedger
from domain.account import Role
from domain.charter import AmendmentStatus
from interfaces.http.charter_schemas import (
    Adoption,
    AmendmentDecision,
    AmendmentList,
    AmendmentOut,
    CharterList,
    CharterOut,
    CharterSummary,
    DiffOut,
    DraftCharter,
    ProposeAmendment,
    Sign,
    SignatoryList,
    SignatoryOut,
    VersionOut,
    Withdrawal,
)
from interfaces.http.context import cause_of, requires
from interfaces.http.openapi import PUBLIC, problems
from interfaces.http.params import AnyRequest, AsOf, Cursor, Limit, Version
from interfaces.http.schemas import AuditEntry, AuditList

FromVersion = Annotated[int, Parameter(query="from", ge=1, description="an adopted version")]
ToVersion = Annotated[
    int | None,
    Parameter(query="to", ge=1, description="an adopted version (omitted: the open draft)"),
]
ORGANISERS = requires(Role.ADMIN, Role.COMMITTEE)
PROPOSERS = requires(Role.CITIZEN, Role.COMMITTEE, Role.ADMIN)


def _charter(civic: CivicLedger, charter_id: UUID) -> CharterOut:
    return CharterOut.from_view(civic.charters.get(charter_id))


def _signatories(civic: CivicLedger, charter_id: UUID, as_of: datetime | None) -> SignatoryList:
    when = as_of or civic.clock()
    rows = civic.charters.signatories(charter_id, as_of=when)
    return SignatoryList(as_of=when, items=[SignatoryOut.from_view(r) for r in rows])


class CharterController(Controller):
    """`/charters`: the participatory charter ("charte participative"), its numbered versions,
    amendments and signatory organisations."""

    path = "/charters"
    tags = ["charters"]  # noqa: RUF012  # Litestar reads this class attribute

    @post(
        "/",
        guards=[ORGANISERS],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 409, 413, 422),
    )
    def draft(
        self, request: AnyRequest, data: JSONBody[DraftCharter], civic: NamedDependency[CivicLedger]
    ) -> CharterOut:
        """Draft a charter; its articles get ids 1..n and it becomes version 1 once adopted."""
        charter_id = civic.charters.draft(
            title=data.title,
            preamble=data.preamble,
            articles=data.articles,
            cause=cause_of(request),
            territory_id=data.territory_id,
        )
        return _charter(civic, charter_id)

    @get("/", sync_to_thread=True, security=PUBLIC, responses=problems(404))
    def list_charters(
        self,
        civic: NamedDependency[CivicLedger],
        territory: FromQuery[UUID | None] = None,
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 50,
    ) -> CharterList:
        """Charters in the order they were drafted; with `territory`, those of its area (itself
        and its members; 404 for an unknown territory)."""
        page = civic.charters.list_charters(after=after, limit=limit, territory_id=territory)
        return CharterList(items=[CharterSummary.from_view(r) for r in page.items], next=page.next)

    @get("/{charter_id:uuid}", sync_to_thread=True, security=PUBLIC, responses=problems(404, 422))
    def read(
        self,
        charter_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        version: FromQuery[Version] = None,
        as_of: FromQuery[AsOf] = None,
    ) -> CharterOut:
        """One charter with its open draft and its adopted versions; or, given a `version` or an
        `as_of` instant (not both), as it was then (its signatories then: `…/signatories?as_of`)."""
        view = civic.charters.as_of(charter_id, version=version, instant=as_of)
        return CharterOut.from_view(view)

    @get(
        "/{charter_id:uuid}/versions/{number:int}",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404, 422),
    )
    def version(
        self, charter_id: FromPath[UUID], number: FromPath[int], civic: NamedDependency[CivicLedger]
    ) -> VersionOut:
        """An adopted version's text, with its articles numbered, and its SHA-256."""
        return VersionOut(**civic.charters.version(charter_id, number))

    @get("/{charter_id:uuid}/diff", sync_to_thread=True, security=PUBLIC, responses=problems(404))
    def diff(
        self,
        charter_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        from_version: FromQuery[FromVersion],
        to_version: FromQuery[ToVersion] = None,
    ) -> DiffOut:
        """Per-article diff from an adopted version to another, or to the open draft."""
        diff = civic.charters.diff(charter_id, from_version, to_version)
        return DiffOut(
            from_version=diff["from_version"],
            to_version=diff["to_version"],
            title=dict(diff["title"]),
            preamble=dict(diff["preamble"]),
            articles=[dict(a) for a in diff["articles"]],
        )

    @post(
        "/{charter_id:uuid}/amendments",
        guards=[PROPOSERS],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def propose_amendment(
        self,
        request: AnyRequest,
        charter_id: FromPath[UUID],
        data: JSONBody[ProposeAmendment],
        civic: NamedDependency[CivicLedger],
    ) -> AmendmentOut:
        """Propose an amendment to the open draft (409 when none is open)."""
        amendment_id = civic.charters.propose_amendment(
            charter_id,
            change=data.change.as_change(),
            rationale=data.rationale,
            cause=cause_of(request),
        )
        return _amendment(civic, charter_id, amendment_id)

    @get(
        "/{charter_id:uuid}/amendments",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def amendments(
        self,
        charter_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        status: FromQuery[AmendmentStatus | None] = None,
    ) -> AmendmentList:
        """The charter's amendments in the order proposed, optionally of one status."""
        rows = civic.charters.amendments(charter_id, status=None if status is None else str(status))
        return AmendmentList(items=[AmendmentOut(**r) for r in rows])

    @post(
        "/{charter_id:uuid}/amendments/{amendment_id:uuid}/decision",
        guards=[ORGANISERS],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def decide_amendment(
        self,
        request: AnyRequest,
        charter_id: FromPath[UUID],
        amendment_id: FromPath[UUID],
        data: JSONBody[AmendmentDecision],
        civic: NamedDependency[CivicLedger],
    ) -> AmendmentOut:
        """Accept or reject, citing a decision that answered the amendment (422 otherwise)."""
        civic.charters.decide_amendment(
            charter_id,
            amendment_id,
            accepted=data.accepted,
            decision_id=data.decision_id,
            cause=cause_of(request),
        )
        return _amendment(civic, charter_id, amendment_id)

    @post(
        "/{charter_id:uuid}/adoption",
        guards=[ORGANISERS],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def adopt(
        self,
        request: AnyRequest,
        charter_id: FromPath[UUID],
        data: JSONBody[Adoption],
        civic: NamedDependency[CivicLedger],
    ) -> CharterOut:
        """Adopt the open draft as the next version, citing an adopted committee decision."""
        civic.charters.adopt(charter_id, decision_id=data.decision_id, cause=cause_of(request))
        return _charter(civic, charter_id)

    @post(
        "/{charter_id:uuid}/revision",
        guards=[ORGANISERS],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 422),
    )
    def open_revision(
        self, request: AnyRequest, charter_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> CharterOut:
        """Open a new draft from the version in force (409 while a draft is open)."""
        civic.charters.open_revision(charter_id, cause=cause_of(request))
        return _charter(civic, charter_id)

    @post(
        "/{charter_id:uuid}/signatories",
        guards=[ORGANISERS],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def sign(
        self,
        request: AnyRequest,
        charter_id: FromPath[UUID],
        data: JSONBody[Sign],
        civic: NamedDependency[CivicLedger],
    ) -> SignatoryList:
        """Record an organisation's signature of the version in force; returns who stands
        signed now."""
        civic.charters.sign(
            charter_id,
            organisation=data.signatory(),
            commitments=data.commitments,
            cause=cause_of(request),
        )
        return _signatories(civic, charter_id, None)

    @post(
        "/{charter_id:uuid}/signatories/{organisation_id:str}/withdrawal",
        guards=[ORGANISERS],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def withdraw(
        self,
        request: AnyRequest,
        charter_id: FromPath[UUID],
        organisation_id: FromPath[str],
        data: JSONBody[Withdrawal],
        civic: NamedDependency[CivicLedger],
    ) -> SignatoryList:
        """Record that the organisation withdraws its signature, with the reason."""
        civic.charters.withdraw_signature(
            charter_id, organisation_id=organisation_id, cause=cause_of(request, data.reason)
        )
        return _signatories(civic, charter_id, None)

    @get(
        "/{charter_id:uuid}/signatories",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404, 422),
    )
    def signatories(
        self,
        charter_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        as_of: FromQuery[AsOf] = None,
    ) -> SignatoryList:
        """The organisations whose signature stood at `as_of` (now by default)."""
        return _signatories(civic, charter_id, as_of)

    @get(
        "/{charter_id:uuid}/history", sync_to_thread=True, security=PUBLIC, responses=problems(404)
    )
    def history(
        self,
        charter_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> AuditList:
        """The charter's events, oldest first."""
        civic.charters.get(charter_id)  # 404 for an unknown charter, not an empty list
        page = civic.audit.events(aggregate_id=charter_id, after=after, limit=limit)
        return AuditList(items=[AuditEntry(**r) for r in page.items], next=page.next)


def _amendment(civic: CivicLedger, charter_id: UUID, amendment_id: UUID) -> AmendmentOut:
    rows = civic.charters.amendments(charter_id)
    return AmendmentOut(**next(r for r in rows if r["amendment_id"] == amendment_id))
