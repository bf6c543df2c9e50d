"""The committee pages ("comités de pilotage"): the committees, one committee (members by college,
rules, meetings), and one meeting (agenda, attendance, roll-call decisions, minutes) with the forms
by which those who sit on the committee that day record what happens, through the committee
service the API calls; the domain decides who may do what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from babel.dates import format_date
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from application.errors import NotFound
from application.system import CivicLedger
from domain.committee import CONVENERS, VOTERS, MemberRole, NotAMember, RoleRequired
from domain.majority import Choice
from domain.meeting import (
    Absent,
    AlreadyDecided,
    InvalidMeeting,
    MeetingClosed,
    MinutesRequired,
    NoQuorum,
    ObserverCannotVote,
    Recused,
)
from interfaces.http.context import cause_of
from interfaces.http.params import AnyRequest
from interfaces.web.i18n import N_
from interfaces.web.refusals import REFUSED, refusal
from interfaces.web.rendering import language_of, render, viewer

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
PAGE = 100  # committees, meetings per page
VOTE_FIELD = "vote-"  # the roll call's radios: `vote-<member>` = for | against | abstain
PRESENT_FIELD = "present-"  # the attendance's check boxes: `present-<member>` = on

# The meeting's refusals said precisely; anything else as `refusals.py` says it.
_MEETING_REFUSALS: list[tuple[type[Exception], int, str]] = [
    (NoQuorum, 409, N_("No quorum: too few voting members are recorded present.")),
    (MeetingClosed, 409, N_("The meeting is closed: nothing more can be recorded.")),
    (AlreadyDecided, 409, N_("This item is already decided.")),
    (MinutesRequired, 409, N_("Publish the minutes before closing the meeting.")),
    (NotAMember, 403, N_("Only those who sit on the committee on the meeting's day may do this.")),
    (RoleRequired, 403, N_("Only the chair or the secretary may do this.")),
    (ObserverCannotVote, 403, N_("Observers do not vote.")),
    (Absent, 403, N_("Only members recorded present vote.")),
    (Recused, 403, N_("A member who declared a conflict of interest does not vote on the item.")),
    (
        InvalidMeeting,
        422,
        N_("Check the form: every member present votes, and no text is empty or too long."),
    ),
]
BAD_DAY = N_("The day of the meeting is not a date.")
NO_PETITION = N_("Choose a petition referred to the committee.")
ROLE_LABELS = {
    "chair": N_("Chair"),
    "secretary": N_("Secretary"),
    "member": N_("Member"),
    "observer": N_("Observer"),
}
SERVES_LABELS = {"territory": N_("Territory"), "alliance": N_("Alliance")}
MEETING_STATUS_LABELS = {"open": N_("Open"), "closed": N_("Closed")}
CHOICE_LABELS = {"for": N_("For"), "against": N_("Against"), "abstain": N_("Abstain")}
ITEM_KIND_LABELS = {"agenda": N_("Agenda"), "motion": N_("Motion"), "petition": N_("Petition")}


def meeting_page_path(meeting_id: UUID) -> str:
    """Where a meeting's page is."""
    return f"/web/meetings/{meeting_id}"


def day_formatter(request: AnyRequest) -> Callable[[date], str]:
    """`day(d)`: a calendar date in the page's language (`when()` is for instants)."""
    return partial(_format_day, locale=language_of(request))


def _format_day(day: date, *, locale: str) -> str:
    return format_date(day, "d MMMM y", locale=locale)


def refused_page(request: AnyRequest, civic: CivicLedger, error: Exception, here: str) -> Template:
    """The error page for a refused read (an unknown id: 404), in the request's language."""
    status, message = refusal(error)
    return render(
        request,
        "error.html",
        {"error": message, "here": here},
        secret=civic.web_secret,
        status_code=status,
    )


def _meeting_refusal(error: Exception) -> tuple[int, str]:
    for kind, status, message in _MEETING_REFUSALS:
        if isinstance(error, kind):
            return status, message
    return refusal(error)


class CommitteePages(Controller):
    """`/web/committees`, `/web/committees/{id}`, `/web/meetings/{id}` and the meeting's forms."""

    path = "/web"
    include_in_schema = False  # the OpenAPI document describes the JSON API only

    @get("/committees", sync_to_thread=True)
    def committees(self, request: AnyRequest, civic: NamedDependency[CivicLedger]) -> Template:
        """The committees in the order they were created, a page at a time (`?after=`)."""
        page = civic.committees.list_committees(after=_cursor(request), limit=PAGE)
        context = {"committees": page.items, "next": page.next, "serves_labels": SERVES_LABELS}
        return render(request, "committees.html", context, secret=civic.web_secret)

    @get("/committees/{committee_id:uuid}", sync_to_thread=True)
    def committee(
        self, request: AnyRequest, committee_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> Template:
        """A committee: what it serves, its members by college (sitting today, or on `?as_of=`),
        its rules and its meetings."""
        return _committee_page(request, civic, committee_id)

    @post("/committees/{committee_id:uuid}/meetings", sync_to_thread=True)
    def convene(
        self,
        request: AnyRequest,
        committee_id: FromPath[UUID],
        data: Form,
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """The chair or secretary convenes a meeting on a day, with its agenda (one item per
        line); then the new meeting's page."""
        here = f"/web/committees/{committee_id}"
        if viewer(request) is None:
            return Redirect(f"/web/sign-in?next={here}", status_code=HTTP_303_SEE_OTHER)
        held_on = _day(data.get("held_on"))
        if held_on is None:
            return _committee_page(request, civic, committee_id, error=BAD_DAY, status=422)
        agenda = [line.strip() for line in data.get("agenda", "").splitlines() if line.strip()]
        try:
            meeting_id = civic.committees.convene(
                committee_id, held_on=held_on, agenda=agenda, cause=cause_of(request)
            )
        except REFUSED as exc:
            status, message = _meeting_refusal(exc)
            return _committee_page(request, civic, committee_id, error=message, status=status)
        return Redirect(meeting_page_path(meeting_id), status_code=HTTP_303_SEE_OTHER)

    @get("/meetings/{meeting_id:uuid}", sync_to_thread=True)
    def meeting(
        self, request: AnyRequest, meeting_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> Template:
        """A meeting: its agenda, attendance, decisions with the named votes, and minutes."""
        return _meeting_page(request, civic, meeting_id)

    @post("/meetings/{meeting_id:uuid}/attendance", sync_to_thread=True)
    def attendance(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        data: Form,
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """The chair or secretary records who is present (the boxes ticked)."""
        present = [k.removeprefix(PRESENT_FIELD) for k in data if k.startswith(PRESENT_FIELD)]
        return _act(
            request,
            civic,
            meeting_id,
            lambda cause: civic.committees.record_attendance(
                meeting_id, present=present, cause=cause
            ),
        )

    @post("/meetings/{meeting_id:uuid}/items", sync_to_thread=True)
    def table_motion(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        data: Form,
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """A voting member tables a motion: the next agenda item."""
        title, text = data.get("title", "").strip(), data.get("text", "").strip() or None
        return _act(
            request,
            civic,
            meeting_id,
            lambda cause: civic.committees.table_motion(
                meeting_id, title=title, text=text, cause=cause
            ),
        )

    @post("/meetings/{meeting_id:uuid}/items/petition", sync_to_thread=True)
    def take_up_petition(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        data: Form,
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """The chair or secretary puts a petition referred to the committee on the agenda."""
        try:
            petition_id = UUID(data.get("petition_id", ""))
        except ValueError:
            return _meeting_page(request, civic, meeting_id, error=NO_PETITION, status=422)
        return _act(
            request,
            civic,
            meeting_id,
            lambda cause: civic.committees.take_up_petition(
                meeting_id, petition_id=petition_id, cause=cause
            ),
        )

    @post("/meetings/{meeting_id:uuid}/items/{item:int}/conflicts", sync_to_thread=True)
    def declare_conflict(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        item: FromPath[int],
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """The signed-in member declares a conflict of interest on the item and is recused."""
        return _act(
            request,
            civic,
            meeting_id,
            lambda cause: civic.committees.declare_conflict(meeting_id, item=item, cause=cause),
        )

    @post("/meetings/{meeting_id:uuid}/items/{item:int}/decision", sync_to_thread=True)
    def decide(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        item: FromPath[int],
        data: Form,
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """The chair or secretary records the roll call on an item: one vote per member present
        (a member left without a vote makes the roll call incomplete: refused, 422)."""
        votes = {
            k.removeprefix(VOTE_FIELD): Choice(v)
            for k, v in data.items()
            if k.startswith(VOTE_FIELD) and v in set(Choice)
        }
        rationale = data.get("rationale", "").strip()
        return _act(
            request,
            civic,
            meeting_id,
            lambda cause: civic.committees.decide(
                meeting_id, item=item, votes=votes, rationale=rationale, answers=[], cause=cause
            ),
        )

    @post("/meetings/{meeting_id:uuid}/minutes", sync_to_thread=True)
    def publish_minutes(
        self,
        request: AnyRequest,
        meeting_id: FromPath[UUID],
        data: Form,
        civic: NamedDependency[CivicLedger],
    ) -> Response[Any]:
        """The chair or secretary publishes (or corrects, until closure) the minutes."""
        text = data.get("minutes", "").strip()
        return _act(
            request,
            civic,
            meeting_id,
            lambda cause: civic.committees.publish_minutes(meeting_id, text=text, cause=cause),
        )

    @post("/meetings/{meeting_id:uuid}/close", sync_to_thread=True)
    def close(
        self, request: AnyRequest, meeting_id: FromPath[UUID], civic: NamedDependency[CivicLedger]
    ) -> Response[Any]:
        """The chair or secretary closes the meeting once its minutes are published."""
        return _act(
            request,
            civic,
            meeting_id,
            lambda cause: civic.committees.close_meeting(meeting_id, cause=cause),
        )


def _cursor(request: AnyRequest) -> int | None:
    """The `?after=` of a list's next page (ignored unless a position)."""
    after = request.query_params.get("after", "")
    return int(after) if after.isdecimal() and len(after) < 19 else None  # noqa: PLR2004  # int64


def _day(text: str | None) -> date | None:
    """`?as_of=YYYY-MM-DD` as a date (None if absent or malformed)."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _act(
    request: AnyRequest,
    civic: CivicLedger,
    meeting_id: UUID,
    command: Callable[[Any], object],
) -> Response[Any]:
    """Run a meeting command as the signed-in account, then back to the meeting (303); the page
    again with the reason if refused; the sign-in form first without a session."""
    here = meeting_page_path(meeting_id)
    if viewer(request) is None:
        return Redirect(f"/web/sign-in?next={here}", status_code=HTTP_303_SEE_OTHER)
    try:
        command(cause_of(request))
    except REFUSED as exc:
        status, message = _meeting_refusal(exc)
        return _meeting_page(request, civic, meeting_id, error=message, status=status)
    return Redirect(here, status_code=HTTP_303_SEE_OTHER)


def _meeting_page(
    request: AnyRequest,
    civic: CivicLedger,
    meeting_id: UUID,
    *,
    error: str | None = None,
    status: int = 200,
) -> Template:
    """The meeting's page, with `error` (a message to translate) if an action was refused."""
    here = meeting_page_path(meeting_id)
    try:
        meeting = civic.committees.meeting(meeting_id)
        committee = civic.committees.get(meeting["committee_id"])
        sitting = civic.committees.members(meeting["committee_id"], as_of=meeting["held_on"])
    except NotFound as exc:
        return refused_page(request, civic, exc, here)
    principal = viewer(request)
    seat = next((m for m in sitting if principal and m["member"] == principal.actor), None)
    role = None if seat is None else MemberRole(seat["role"])
    is_open = meeting["status"] == "open"
    present = set(meeting["attendance"])
    voting_present = [
        m["member"] for m in sitting if MemberRole(m["role"]) in VOTERS and m["member"] in present
    ]
    decisions = {d["item"]: d for d in meeting["decisions"]}
    items = [
        {
            **item,
            "decision": decisions.get(item["number"]),
            "voters": [m for m in voting_present if m not in item.get("recused", [])],
            "petition_title": _petition_title(civic, item.get("petition_id")),
        }
        for item in meeting["agenda"]
    ]
    on_agenda = {str(i["petition_id"]) for i in meeting["agenda"] if i["petition_id"]}
    referred = [
        {"id": r["petition_id"], "title": _petition_title(civic, r["petition_id"])}
        for r in committee["referrals"]
        if str(r["petition_id"]) not in on_agenda
    ]
    context = {
        "meeting": meeting,
        "referred": referred,
        "committee": committee,
        "sitting": sitting,
        "items": items,
        "present": present,
        "may_convene": is_open and role in CONVENERS,
        "may_table": is_open and role in VOTERS,
        "me": None if principal is None else principal.actor,
        "role_labels": ROLE_LABELS,
        "status_labels": MEETING_STATUS_LABELS,
        "choice_labels": CHOICE_LABELS,
        "kind_labels": ITEM_KIND_LABELS,
        "choices": [c.value for c in Choice],
        "day": day_formatter(request),
        "error": error,
        "here": here,
    }
    return render(request, "meeting.html", context, secret=civic.web_secret, status_code=status)


def _petition_title(civic: CivicLedger, petition_id: str | None) -> str | None:
    """A petition item's title is its petition's (None if it cannot be read)."""
    if petition_id is None:
        return None
    try:
        title: str = civic.petitions.get(UUID(str(petition_id)))["title"]
    except (NotFound, ValueError):
        return None
    return title


def _committee_page(
    request: AnyRequest,
    civic: CivicLedger,
    committee_id: UUID,
    *,
    error: str | None = None,
    status: int = 200,
) -> Template:
    """The committee's page, with `error` (a message to translate) if convening was refused."""
    here = f"/web/committees/{committee_id}"
    as_of = _day(request.query_params.get("as_of")) or civic.clock().date()
    try:
        view = civic.committees.get(committee_id)
        members = civic.committees.members(committee_id, as_of=as_of)
        meetings = civic.committees.meetings(committee_id, after=_cursor(request), limit=PAGE)
    except NotFound as exc:
        return refused_page(request, civic, exc, here)
    colleges = [
        {**college, "members": [m for m in members if m["college"] == college["id"]]}
        for college in view["colleges"]
    ]
    context = {
        "committee": view,
        "colleges": colleges,
        "as_of": as_of,
        "meetings": meetings.items,
        "next": meetings.next,
        "role_labels": ROLE_LABELS,
        "serves_labels": SERVES_LABELS,
        "status_labels": MEETING_STATUS_LABELS,
        "day": day_formatter(request),
        "here": here,
        "error": error,
    }
    return render(request, "committee.html", context, secret=civic.web_secret, status_code=status)
