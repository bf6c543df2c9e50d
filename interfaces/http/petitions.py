"""Petition routes: thin handlers that parse, authorise (guards), call the service and render."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.system import CivicLedger
from domain.account import Role
from domain.petition import PetitionStatus
from interfaces.http.context import cause_of, principal_of, requires
from interfaces.http.limits import rate_limited
from interfaces.http.openapi import PUBLIC, problems
from interfaces.http.params import AnyRequest, AsOf, Cursor, Limit, Version
from interfaces.http.schemas import (
    AdmissibilityDecision,
    AuditEntry,
    AuditList,
    CloseRequest,
    LodgePetition,
    OfficialResponse,
    PetitionList,
    PetitionOut,
    SignatoryList,
    SignatoryOut,
    SignatureOut,
)


class PetitionController(Controller):
    """`/petitions`: lodge, decide, sign, withdraw, close, answer; list, read, history."""

    path = "/petitions"
    tags = ["petitions"]  # noqa: RUF012  # Litestar reads this class attribute

    @post(
        "/",
        guards=[requires(Role.CITIZEN)],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 409, 413, 422),
    )
    def lodge(
        self,
        request: AnyRequest,
        data: JSONBody[LodgePetition],
        civic: NamedDependency[CivicLedger],
    ) -> PetitionOut:
        """Lodge a petition; it awaits its admissibility decision."""
        petition_id = civic.petitions.lodge(
            title=data.title,
            text=data.text,
            deadline=data.deadline,
            thresholds=[t.as_threshold() for t in data.thresholds],
            cause=cause_of(request),
            territory_id=data.territory_id,
        )
        return PetitionOut.from_view(civic.petitions.get(petition_id))

    @get("/", sync_to_thread=True, security=PUBLIC, responses=problems(404))
    def list_petitions(
        self,
        civic: NamedDependency[CivicLedger],
        status: FromQuery[PetitionStatus | None] = None,
        territory: FromQuery[UUID | None] = None,
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 50,
    ) -> PetitionList:
        """Petitions in the order they were lodged, optionally of one status, and of one
        `territory`'s area (itself and its members; 404 for an unknown territory)."""
        page = civic.petitions.list(
            status=None if status is None else str(status),
            after=after,
            limit=limit,
            territory_id=territory,
        )
        return PetitionList(items=[PetitionOut.from_view(r) for r in page.items], next=page.next)

    @get("/{petition_id:uuid}", sync_to_thread=True, security=PUBLIC, responses=problems(404, 422))
    def read(
        self,
        petition_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        version: FromQuery[Version] = None,
        as_of: FromQuery[AsOf] = None,
    ) -> PetitionOut:
        """One petition with its live signature count, the thresholds reached and the committee
        decisions that answered it; or, given a `version` or an `as_of` instant (not both), as it
        was then (with the decisions taken by then)."""
        view = civic.petitions.as_of(petition_id, version=version, instant=as_of)
        until = as_of if version is None else view["updated_at"]
        return PetitionOut.from_view(view, civic.petitions.decisions(petition_id, until=until))

    @get(
        "/{petition_id:uuid}/signatures",
        guards=[requires(Role.AUDITOR, Role.ADMIN, Role.MODERATOR)],
        sync_to_thread=True,
        responses=problems(403, 404, 422),
    )
    def signatories(
        self,
        petition_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        as_of: FromQuery[AsOf] = None,
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> SignatoryList:
        """Who had signed and not withdrawn at `as_of` (now by default), in log order.

        Signers are personal data: auditors, administrators and moderators only.
        """
        page = civic.petitions.signatures(petition_id, as_of=as_of, after=after, limit=limit)
        return SignatoryList(items=[SignatoryOut(**r) for r in page.items], next=page.next)

    @get(
        "/{petition_id:uuid}/history", sync_to_thread=True, security=PUBLIC, responses=problems(404)
    )
    def history(
        self,
        petition_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> AuditList:
        """The petition's own events, oldest first (signatures are in the audit trail)."""
        civic.petitions.get(petition_id)  # 404 for an unknown petition, not an empty list
        page = civic.audit.events(aggregate_id=petition_id, after=after, limit=limit)
        return AuditList(items=[AuditEntry(**r) for r in page.items], next=page.next)

    @post(
        "/{petition_id:uuid}/admissibility",
        guards=[requires(Role.MODERATOR, Role.COMMITTEE)],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def decide_admissibility(
        self,
        request: AnyRequest,
        petition_id: FromPath[UUID],
        data: JSONBody[AdmissibilityDecision],
        civic: NamedDependency[CivicLedger],
    ) -> PetitionOut:
        """Declare the petition admissible (it opens) or reject it with a reason."""
        civic.petitions.decide_admissibility(
            petition_id,
            admissible=data.admissible,
            cause=cause_of(request, data.reason),
            outside_competence=data.outside_competence,
        )
        return PetitionOut.from_view(civic.petitions.get(petition_id))

    @post(
        "/{petition_id:uuid}/signatures",
        guards=[requires(Role.CITIZEN)],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        middleware=[rate_limited("signature")],
        responses=problems(403, 404, 409, 422, 429),
    )
    def sign(
        self, request: AnyRequest, petition_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> SignatureOut:
        """Sign the petition as the authenticated citizen; a second signature is refused (409)."""
        signer = principal_of(request).actor
        signature_id = civic.petitions.sign(petition_id, signer=signer, cause=cause_of(request))
        return SignatureOut(id=signature_id, petition_id=petition_id, signer=signer)

    @delete(
        "/{petition_id:uuid}/signatures/me",
        guards=[requires(Role.CITIZEN)],
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 422),
    )
    def withdraw(
        self, request: AnyRequest, petition_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> None:
        """Withdraw one's own signature while the petition is open."""
        civic.petitions.withdraw_signature(
            petition_id, signer=principal_of(request).actor, cause=cause_of(request)
        )

    @post(
        "/{petition_id:uuid}/close",
        guards=[requires(Role.COMMITTEE)],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def close(
        self,
        request: AnyRequest,
        petition_id: FromPath[UUID],
        data: JSONBody[CloseRequest],
        civic: NamedDependency[CivicLedger],
    ) -> PetitionOut:
        """Close the petition to signatures, with the reason."""
        civic.petitions.close(petition_id, cause=cause_of(request, data.reason))
        return PetitionOut.from_view(civic.petitions.get(petition_id))

    @post(
        "/{petition_id:uuid}/response",
        guards=[requires(Role.COMMITTEE)],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def respond(
        self,
        request: AnyRequest,
        petition_id: FromPath[UUID],
        data: JSONBody[OfficialResponse],
        civic: NamedDependency[CivicLedger],
    ) -> PetitionOut:
        """Record the official response to the petition; a `decision_id` it cites must be one
        that answered the petition (422 otherwise)."""
        civic.petitions.respond(
            petition_id, text=data.text, decision_id=data.decision_id, cause=cause_of(request)
        )
        return PetitionOut.from_view(civic.petitions.get(petition_id))
