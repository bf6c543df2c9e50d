"""Vote routes: draft, open, cast, close, certify; read, results, ballots, history."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from application.system import CivicLedger
from domain.account import Role
from domain.errors import IllegalTransition
from domain.vote import VoteStatus
from interfaces.http.context import cause_of, principal_of, requires
from interfaces.http.limits import rate_limited
from interfaces.http.openapi import PUBLIC, problems
from interfaces.http.params import AnyRequest, AsOf, Cursor, Limit, Version
from interfaces.http.schemas import AuditEntry, AuditList
from interfaces.http.vote_schemas import (
    BallotIn,
    BallotList,
    BallotOut,
    BallotReceipt,
    CancelVote,
    CloseVote,
    DraftVote,
    ResultOut,
    VoteList,
    VoteOut,
)

ORGANISERS = (Role.ADMIN, Role.COMMITTEE)
REPLACED = ResponseSpec(BallotReceipt, description="The ballot replaced the elector's earlier one")


class VoteController(Controller):
    """`/votes`: organisers draft, open, close and certify; electors cast; anyone reads."""

    path = "/votes"
    tags = ["votes"]  # noqa: RUF012  # Litestar reads this class attribute

    @post(
        "/",
        guards=[requires(*ORGANISERS)],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 409, 413, 422),
    )
    def draft(
        self, request: AnyRequest, data: JSONBody[DraftVote], civic: NamedDependency[CivicLedger]
    ) -> VoteOut:
        """Draft a vote; its rules can change until it opens."""
        vote_id = civic.votes.draft(
            rules=data.as_rules(), cause=cause_of(request), territory_id=data.territory_id
        )
        return VoteOut.from_view(civic.votes.get(vote_id))

    @put(
        "/{vote_id:uuid}",
        guards=[requires(*ORGANISERS)],
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def redraft(
        self,
        request: AnyRequest,
        vote_id: FromPath[UUID],
        data: JSONBody[DraftVote],
        civic: NamedDependency[CivicLedger],
    ) -> VoteOut:
        """Replace a draft's rules (409 once the vote is open: its rules are frozen)."""
        origin = civic.votes.get(vote_id)["rules"]["origin"]
        civic.votes.redraft(
            vote_id,
            rules=data.as_rules(origin),
            cause=cause_of(request),
            territory_id=data.territory_id,
        )
        return VoteOut.from_view(civic.votes.get(vote_id))

    @get("/", sync_to_thread=True, security=PUBLIC, responses=problems(404))
    def list_votes(
        self,
        civic: NamedDependency[CivicLedger],
        status: FromQuery[VoteStatus | None] = None,
        territory: FromQuery[UUID | None] = None,
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 50,
    ) -> VoteList:
        """Votes in the order they were drafted, optionally of one status, and of one
        `territory`'s area (itself and its members; 404 for an unknown territory)."""
        page = civic.votes.list(
            status=None if status is None else str(status),
            after=after,
            limit=limit,
            territory_id=territory,
        )
        return VoteList(items=[VoteOut.from_view(r) for r in page.items], next=page.next)

    @get("/{vote_id:uuid}", sync_to_thread=True, security=PUBLIC, responses=problems(404, 422))
    def read(
        self,
        vote_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        version: FromQuery[Version] = None,
        as_of: FromQuery[AsOf] = None,
    ) -> VoteOut:
        """One vote; or, given a `version` or an `as_of` instant (not both), as it was then."""
        return VoteOut.from_view(civic.votes.as_of(vote_id, version=version, instant=as_of))

    @get(
        "/{vote_id:uuid}/results",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404, 409),
    )
    def results(self, vote_id: FromPath[UUID], civic: NamedDependency[CivicLedger]) -> ResultOut:
        """The tally with the method's full detail; 409 until the vote is closed."""
        vote = VoteOut.from_view(civic.votes.get(vote_id))
        if vote.result is None:
            raise IllegalTransition(f"the vote is {vote.status}: it has no result yet")
        return vote.result

    @get(
        "/{vote_id:uuid}/ballots",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404, 409),
    )
    def ballots(
        self,
        vote_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> BallotList:
        """The ballots counted, once the vote is closed, so anyone can recount: by elector in a
        public vote, by pseudonymous tag in a secret one. 409 while the vote is running."""
        status = civic.votes.get(vote_id)["status"]
        if status not in (VoteStatus.CLOSED, VoteStatus.CERTIFIED):
            raise IllegalTransition(f"the vote is {status}: ballots are shown once it is closed")
        page = civic.votes.ballots(vote_id, after=after, limit=limit)
        return BallotList(items=[BallotOut(**r) for r in page.items], next=page.next)

    @get("/{vote_id:uuid}/history", sync_to_thread=True, security=PUBLIC, responses=problems(404))
    def history(
        self,
        vote_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> AuditList:
        """The vote's own events, oldest first (ballots are in the audit trail)."""
        civic.votes.get(vote_id)  # 404 for an unknown vote, not an empty list
        page = civic.audit.events(aggregate_id=vote_id, after=after, limit=limit)
        return AuditList(items=[AuditEntry(**r) for r in page.items], next=page.next)

    @post(
        "/{vote_id:uuid}/open",
        guards=[requires(*ORGANISERS)],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 422),
    )
    def open_vote(
        self, request: AnyRequest, vote_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> VoteOut:
        """Open the vote now (from its opening time): rules frozen, electorate fixed. The server
        also opens drafts by itself when their opening time comes."""
        civic.votes.open(vote_id, cause=cause_of(request))
        return VoteOut.from_view(civic.votes.get(vote_id))

    @post(
        "/{vote_id:uuid}/ballots",
        guards=[requires(*Role)],
        sync_to_thread=True,
        middleware=[rate_limited("ballot")],
        responses={**problems(403, 404, 409, 413, 422, 429), HTTP_200_OK: REPLACED},
    )
    def cast(
        self,
        request: AnyRequest,
        vote_id: FromPath[UUID],
        data: JSONBody[BallotIn],
        civic: NamedDependency[CivicLedger],
    ) -> Response[BallotReceipt]:
        """Cast one's ballot (201), or replace it where the vote allows (200). Refused: 403 to
        someone not on the electorate, 409 outside the voting period, 422 for a ballot the
        method cannot count (the problem names what is wrong)."""
        elector = principal_of(request).actor
        replaced = civic.votes.cast(
            vote_id, elector=elector, choice=data.choice, cause=cause_of(request)
        )
        secret = bool(civic.votes.get(vote_id)["rules"]["secret"])
        return Response(
            BallotReceipt(vote_id=vote_id, replaced=replaced, secret=secret),
            status_code=HTTP_200_OK if replaced else HTTP_201_CREATED,
        )

    @post(
        "/{vote_id:uuid}/close",
        guards=[requires(*ORGANISERS)],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def close(
        self,
        request: AnyRequest,
        vote_id: FromPath[UUID],
        data: JSONBody[CloseVote],
        civic: NamedDependency[CivicLedger],
    ) -> VoteOut:
        """Close and tally (before the closing time only with a reason). The server also closes
        votes by itself at their closing time."""
        civic.votes.close(vote_id, cause=cause_of(request, data.reason))
        return VoteOut.from_view(civic.votes.get(vote_id))

    @post(
        "/{vote_id:uuid}/certify",
        guards=[requires(*ORGANISERS)],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 422),
    )
    def certify(
        self, request: AnyRequest, vote_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> VoteOut:
        """Certify the outcome ("quorum_not_reached" if too few voted); a secret vote's key is
        destroyed: from then on nobody can link a ballot to an elector."""
        civic.votes.certify(vote_id, cause=cause_of(request))
        return VoteOut.from_view(civic.votes.get(vote_id))

    @post(
        "/{vote_id:uuid}/cancel",
        guards=[requires(*ORGANISERS)],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def cancel(
        self,
        request: AnyRequest,
        vote_id: FromPath[UUID],
        data: JSONBody[CancelVote],
        civic: NamedDependency[CivicLedger],
    ) -> VoteOut:
        """Cancel a draft or open vote, with the reason."""
        civic.votes.cancel(vote_id, cause=cause_of(request, data.reason))
        return VoteOut.from_view(civic.votes.get(vote_id))
