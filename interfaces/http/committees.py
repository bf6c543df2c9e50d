"""Committee routes: organisers create committees and appoint members; inside a meeting, any
account may ask and the domain refuses (403) those who do not sit on the committee that day."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import anyio.to_thread
from litestar import Controller, get, post, put
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from application.accounts import Principal
from application.system import CivicLedger
from domain.account import Role
from interfaces.http.committee_schemas import (
    Appoint,
    Attendance,
    ChangeRules,
    CommitteeList,
    CommitteeOut,
    Convene,
    CreateCommittee,
    Decide,
    DecisionOut,
    Depart,
    ItemAdded,
    MeetingList,
    MeetingOut,
    MemberList,
    MemberOut,
    Minutes,
    Motion,
    TakeUpPetition,
)
from interfaces.http.context import cause_of, principal_of, requires
from interfaces.http.openapi import PUBLIC, problems
from interfaces.http.params import AnyRequest, AsOf, Cursor, Limit, Version
from interfaces.http.schemas import AuditEntry, AuditList

AsOfDay = Annotated[
    date | None, Parameter(description="the day to read the membership of (today by default)")
]
ORGANISERS = (Role.ADMIN, Role.COMMITTEE)
ANY_ACCOUNT = requires(*Role)


COMMITTEE_SCOPE = "a committee account acts only in the committees it created or sits on"


def require_organiser(civic: CivicLedger, principal: Principal, committee_id: UUID) -> None:
    """An admin organises any committee; a committee account, those it created or sits on."""
    if Role.ADMIN not in principal.roles and not civic.committees.may_organise(
        committee_id, principal.actor
    ):
        raise PermissionDeniedException(COMMITTEE_SCOPE)


async def organises_it(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The guard of a committee's own routes: `require_organiser` on the path's committee."""
    civic: CivicLedger = connection.app.state["civic"]
    committee_id = connection.path_params["committee_id"]
    await anyio.to_thread.run_sync(require_organiser, civic, principal_of(connection), committee_id)


def _members(civic: CivicLedger, committee_id: UUID, day: date | None) -> MemberList:
    day = day or civic.clock().date()
    rows = civic.committees.members(committee_id, as_of=day)
    return MemberList(as_of=day, items=[MemberOut(**r) for r in rows])


class CommitteeController(Controller):
    """`/committees`: organisers create them, set their rules and appoint; members convene."""

    path = "/committees"
    tags = ["committees"]  # noqa: RUF012  # Litestar reads this class attribute

    @post(
        "/",
        guards=[requires(*ORGANISERS)],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 409, 413, 422),
    )
    def create(
        self,
        request: AnyRequest,
        data: JSONBody[CreateCommittee],
        civic: NamedDependency[CivicLedger],
    ) -> CommitteeOut:
        """Create a committee with its colleges and its quorum and majority rules."""
        committee_id = civic.committees.create(
            name=data.name,
            serves=data.serves.kind,
            serves_name=data.serves.name,
            colleges=data.as_colleges(),
            quorum=data.quorum.as_rule(),
            majority=data.majority.as_rule(),
            cause=cause_of(request),
            territory_id=data.territory_id,
        )
        return CommitteeOut(**civic.committees.get(committee_id))

    @get("/", sync_to_thread=True, security=PUBLIC, responses=problems(404))
    def list_committees(
        self,
        civic: NamedDependency[CivicLedger],
        territory: FromQuery[UUID | None] = None,
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 50,
    ) -> CommitteeList:
        """Committees in the order they were created; with `territory`, those of its area
        (itself and its members; 404 for an unknown territory)."""
        page = civic.committees.list_committees(after=after, limit=limit, territory_id=territory)
        return CommitteeList(items=[CommitteeOut(**r) for r in page.items], next=page.next)

    @get("/{committee_id:uuid}", sync_to_thread=True, security=PUBLIC, responses=problems(404, 422))
    def read(
        self,
        committee_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        version: FromQuery[Version] = None,
        as_of: FromQuery[AsOf] = None,
    ) -> CommitteeOut:
        """One committee, with the petitions referred to it; or, given a `version` or an `as_of`
        instant (not both), as it was then (its members then: `GET …/members?as_of=DATE`)."""
        view = civic.committees.as_of(committee_id, version=version, instant=as_of)
        return CommitteeOut(**view)

    @put(
        "/{committee_id:uuid}/rules",
        guards=[requires(*ORGANISERS), organises_it],
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def change_rules(
        self,
        request: AnyRequest,
        committee_id: FromPath[UUID],
        data: JSONBody[ChangeRules],
        civic: NamedDependency[CivicLedger],
    ) -> CommitteeOut:
        """Set the quorum and majority rules for the decisions taken from now on."""
        civic.committees.change_rules(
            committee_id,
            quorum=data.quorum.as_rule(),
            majority=data.majority.as_rule(),
            cause=cause_of(request),
        )
        return CommitteeOut(**civic.committees.get(committee_id))

    @get(
        "/{committee_id:uuid}/members",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404, 422),
    )
    def members(
        self,
        committee_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        as_of: FromQuery[AsOfDay] = None,
    ) -> MemberList:
        """Who sat on the committee on `as_of` (today by default), by college then member."""
        return _members(civic, committee_id, as_of)

    @post(
        "/{committee_id:uuid}/members",
        guards=[requires(*ORGANISERS), organises_it],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def appoint(
        self,
        request: AnyRequest,
        committee_id: FromPath[UUID],
        data: JSONBody[Appoint],
        civic: NamedDependency[CivicLedger],
    ) -> MemberList:
        """Appoint an account from `start` (409 if its college's seats are full then); returns
        the members sitting on that day."""
        civic.committees.appoint(
            committee_id,
            member=data.member,
            college=data.college,
            role=data.role,
            start=data.start,
            cause=cause_of(request),
            organisation_id=data.organisation_id,
        )
        return _members(civic, committee_id, data.start)

    @post(
        "/{committee_id:uuid}/members/{member:str}/departure",
        guards=[requires(*ORGANISERS), organises_it],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def depart(
        self,
        request: AnyRequest,
        committee_id: FromPath[UUID],
        member: FromPath[str],
        data: JSONBody[Depart],
        civic: NamedDependency[CivicLedger],
    ) -> MemberList:
        """Record that the member sits no more from `end`; returns the members sitting then."""
        civic.committees.depart(committee_id, member=member, end=data.end, cause=cause_of(request))
        return _members(civic, committee_id, data.end)

    @post(
        "/{committee_id:uuid}/meetings",
        guards=[ANY_ACCOUNT],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def convene(
        self,
        request: AnyRequest,
        committee_id: FromPath[UUID],
        data: JSONBody[Convene],
        civic: NamedDependency[CivicLedger],
    ) -> MeetingOut:
        """The chair or secretary sitting on `held_on` convenes a meeting (403 for others)."""
        meeting_id = civic.committees.convene(
            committee_id, held_on=data.held_on, agenda=data.agenda, cause=cause_of(request)
        )
        return MeetingOut.from_view(civic.committees.meeting(meeting_id))

    @get(
        "/{committee_id:uuid}/meetings",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def meetings(
        self,
        committee_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 50,
    ) -> MeetingList:
        """The committee's meetings in the order they were convened."""
        page = civic.committees.meetings(committee_id, after=after, limit=limit)
        return MeetingList(items=[MeetingOut.from_view(r) for r in page.items], next=page.next)

    @get(
        "/{committee_id:uuid}/history",
        sync_to_thread=True,
        security=PUBLIC,
        responses=problems(404),
    )
    def history(
        self,
        committee_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> AuditList:
        """The committee's own events, oldest first (its meetings have histories of their own)."""
        civic.committees.get(committee_id)  # 404 for an unknown committee, not an empty list
        page = civic.audit.events(aggregate_id=committee_id, after=after, limit=limit)
        return AuditList(items=[AuditEntry(**r) for r in page.items], next=page.next)


class MeetingController(Controller):
    """`/meetings`: what happens in a meeting, recorded by those who sit on the committee."""

    path = "/meetings"
    tags = ["committees"]  # noqa: RUF012  # Litestar reads this class attribute

    @get("/{meeting_id:uuid}", sync_to_thread=True, security=PUBLIC, responses=problems(404, 422))
    def read(
        self,
        meeting_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        version: FromQuery[Version] = None,
        as_of: FromQuery[AsOf] = None,
    ) -> MeetingOut:
        """One meeting with its agenda, attendance, recusals, decisions and minutes; or, given a
        `version` or an `as_of` instant (not both), as it was then."""
        view = civic.committees.meeting_as_of(meeting_id, version=version, instant=as_of)
        return MeetingOut.from_view(view)

    @get(
        "/{meeting_id:uuid}/history", sync_to_thread=True, security=PUBLIC, responses=problems(404)
    )
    def history(
        self,
        meeting_id: FromPath[UUID],
        civic: NamedDependency[CivicLedger],
        after: FromQuery[Cursor] = None,
        limit: FromQuery[Limit] = 100,
    ) -> AuditList:
        """The meeting's events, oldest first."""
        civic.committees.meeting(meeting_id)  # 404 for an unknown meeting
        page = civic.audit.events(aggregate_id=meeting_id, after=after, limit=limit)
        return AuditList(items=[AuditEntry(**r) for r in page.items], next=page.next)

    @post(
        "/{meeting_id:uuid}/attendance",
        guards=[ANY_ACCOUNT],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def attendance(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        data: JSONBody[Attendance],
        civic: NamedDependency[CivicLedger],
    ) -> MeetingOut:
        """The chair or secretary records who is present."""
        civic.committees.record_attendance(
            meeting_id, present=data.present, cause=cause_of(request)
        )
        return MeetingOut.from_view(civic.committees.meeting(meeting_id))

    @post(
        "/{meeting_id:uuid}/items",
        guards=[ANY_ACCOUNT],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def table_motion(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        data: JSONBody[Motion],
        civic: NamedDependency[CivicLedger],
    ) -> ItemAdded:
        """A voting member tables a motion: the next agenda item."""
        item = civic.committees.table_motion(
            meeting_id, title=data.title, text=data.text, cause=cause_of(request)
        )
        return ItemAdded(
            item=item, meeting=MeetingOut.from_view(civic.committees.meeting(meeting_id))
        )

    @post(
        "/{meeting_id:uuid}/items/petition",
        guards=[ANY_ACCOUNT],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def take_up_petition(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        data: JSONBody[TakeUpPetition],
        civic: NamedDependency[CivicLedger],
    ) -> ItemAdded:
        """The chair or secretary puts a petition referred to the committee on the agenda."""
        item = civic.committees.take_up_petition(
            meeting_id, petition_id=data.petition_id, cause=cause_of(request)
        )
        return ItemAdded(
            item=item, meeting=MeetingOut.from_view(civic.committees.meeting(meeting_id))
        )

    @post(
        "/{meeting_id:uuid}/items/{item:int}/conflicts",
        guards=[ANY_ACCOUNT],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 422),
    )
    def declare_conflict(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        item: FromPath[int],
        civic: NamedDependency[CivicLedger],
    ) -> MeetingOut:
        """The acting member declares a conflict of interest on the item and is recused."""
        civic.committees.declare_conflict(meeting_id, item=item, cause=cause_of(request))
        return MeetingOut.from_view(civic.committees.meeting(meeting_id))

    @post(
        "/{meeting_id:uuid}/items/{item:int}/decision",
        guards=[ANY_ACCOUNT],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def decide(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        item: FromPath[int],
        data: JSONBody[Decide],
        civic: NamedDependency[CivicLedger],
    ) -> DecisionOut:
        """The chair or secretary records the roll call (409 without a quorum)."""
        decision_id = civic.committees.decide(
            meeting_id,
            item=item,
            votes=data.votes,
            rationale=data.rationale,
            answers=data.as_answers(),
            cause=cause_of(request),
        )
        return DecisionOut(**civic.committees.decision(decision_id))

    @post(
        "/{meeting_id:uuid}/minutes",
        guards=[ANY_ACCOUNT],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 413, 422),
    )
    def publish_minutes(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        data: JSONBody[Minutes],
        civic: NamedDependency[CivicLedger],
    ) -> MeetingOut:
        """The chair or secretary publishes (or corrects, until closure) the minutes."""
        civic.committees.publish_minutes(meeting_id, text=data.text, cause=cause_of(request))
        return MeetingOut.from_view(civic.committees.meeting(meeting_id))

    @post(
        "/{meeting_id:uuid}/close",
        guards=[ANY_ACCOUNT],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problems(403, 404, 409, 422),
    )
    def close(
        self, request: AnyRequest, meeting_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> MeetingOut:
        """The chair or secretary closes the meeting once its minutes are published."""
        civic.committees.close_meeting(meeting_id, cause=cause_of(request))
        return MeetingOut.from_view(civic.committees.meeting(meeting_id))


class DecisionController(Controller):
    """`/decisions`: a committee decision, by the id a response or a charter cites."""

    path = "/decisions"
    tags = ["committees"]  # noqa: RUF012  # Litestar reads this class attribute

    @get("/{decision_id:uuid}", sync_to_thread=True, security=PUBLIC, responses=problems(404))
    def read(self, decision_id: FromPath[UUID], civic: NamedDependency[CivicLedger]) -> DecisionOut:
        """One decision with its named votes, counts, rules, quorum, rationale and answers."""
        return DecisionOut(**civic.committees.decision(decision_id))
