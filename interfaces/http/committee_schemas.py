"""The wire shapes of `/committees`, `/meetings` and `/decisions`, refusing unknown fields."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.committee import COLLEGES_MAX, NAME_MAX, SEATS_MAX, College, MemberRole, ServesKind
from domain.events import ID_MAX
from domain.majority import (
    PER_COLLEGE_MAX,
    Choice,
    InvalidRule,
    MajorityKind,
    MajorityRule,
    QuorumRule,
)
from domain.meeting import AGENDA_MAX, ANSWERS_MAX, MINUTES_MAX, TEXT_MAX, TITLE_MAX
from interfaces.http.schemas import Request

FRACTION = msgspec.Meta(
    min_length=1, max_length=20, description='a fraction such as "1/2" or "2/3"'
)
MemberId = Annotated[str, msgspec.Meta(min_length=1, max_length=ID_MAX)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_MAX)]


def _fraction(text: str, what: str) -> Fraction:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InvalidRule(f"{what} must be a fraction such as 1/2, not {text!r}") from None


class ServesIn(Request):
    """What the committee serves: a territory or an alliance, by name."""

    kind: ServesKind
    name: Name


class CollegeIn(Request):
    """A college ("collège"): an id (lower case, digits, - or _), a name, its seats."""

    id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    name: Name
    seats: Annotated[int, msgspec.Meta(ge=1, le=SEATS_MAX)]


class QuorumIn(Request):
    """More than `share` of the voting members sitting, and `per_college` from each college."""

    share: Annotated[str, FRACTION] = "1/2"
    per_college: Annotated[int, msgspec.Meta(ge=0, le=PER_COLLEGE_MAX)] = 0

    def as_rule(self) -> QuorumRule:
        """The domain's rule."""
        return QuorumRule(
            share=_fraction(self.share, "the quorum's share"), per_college=self.per_college
        )


class MajorityIn(Request):
    """Simple (more than half) or qualified (at least `threshold`, e.g. "2/3") of the votes
    cast, or of every vote given with `abstentions_count`."""

    kind: MajorityKind = MajorityKind.SIMPLE
    threshold: Annotated[str, FRACTION] | None = None
    abstentions_count: bool = False

    def as_rule(self) -> MajorityRule:
        """The domain's rule."""
        threshold = None if self.threshold is None else _fraction(self.threshold, "the threshold")
        return MajorityRule(
            kind=self.kind, threshold=threshold, abstentions_count=self.abstentions_count
        )


class CreateCommittee(Request):
    """A new committee, its colleges and its decision rules; members are appointed after."""

    name: Name
    serves: ServesIn
    colleges: Annotated[list[CollegeIn], msgspec.Meta(min_length=1, max_length=COLLEGES_MAX)]
    quorum: QuorumIn = msgspec.field(default_factory=QuorumIn)
    majority: MajorityIn = msgspec.field(default_factory=MajorityIn)
    territory_id: UUID | None = None  # default: the platform's territory, if it has one only

    def as_colleges(self) -> list[College]:
        """The domain's colleges."""
        return [College(c.id, c.name, c.seats) for c in self.colleges]


class ChangeRules(Request):
    """The quorum and majority rules for the decisions taken from now on."""

    quorum: QuorumIn
    majority: MajorityIn


class Appoint(Request):
    """Appoint an account to a college with a role from `start`."""

    member: MemberId
    college: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    role: MemberRole
    start: date
    organisation_id: UUID | None = None  # the directory's organisation the member sits for


class Depart(Request):
    """The member sits no more from `end` (the end day is not sat)."""

    end: date


class Convene(Request):
    """A meeting on `held_on` with its first agenda items' titles."""

    held_on: date
    agenda: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=TITLE_MAX)]],
        msgspec.Meta(max_length=AGENDA_MAX),
    ] = msgspec.field(default_factory=list)


class Attendance(Request):
    """Who is present (replacing the previous list)."""

    present: Annotated[list[MemberId], msgspec.Meta(max_length=SEATS_MAX * COLLEGES_MAX)]


class Motion(Request):
    """A motion tabled by the acting member."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=TITLE_MAX)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_MAX)] | None = None


class TakeUpPetition(Request):
    """A petition referred to the committee, put on this meeting's agenda."""

    petition_id: UUID


class AnswerIn(Request):
    """What a decision answers: a petition, charter_amendment, vote or consultation, by id."""

    kind: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    id: MemberId


class Decide(Request):
    """The roll call: every present, non-recused voting member's vote, and why."""

    votes: Annotated[dict[MemberId, Choice], msgspec.Meta(max_length=SEATS_MAX * COLLEGES_MAX)]
    rationale: Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_MAX)]
    answers: Annotated[list[AnswerIn], msgspec.Meta(max_length=ANSWERS_MAX)] = msgspec.field(
        default_factory=list
    )

    def as_answers(self) -> list[dict[str, str]]:
        """What the decision answers, as the domain takes it."""
        return [{"kind": a.kind, "id": a.id} for a in self.answers]


class Minutes(Request):
    """The minutes ("procès-verbal")."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=MINUTES_MAX)]


class CommitteeOut(msgspec.Struct, frozen=True):
    """A committee: its colleges, rules and the petitions referred to it."""

    id: UUID
    name: str
    serves: dict[str, str]
    colleges: list[dict[str, Any]]
    quorum: dict[str, Any]
    majority: dict[str, Any]
    referrals: list[dict[str, Any]]
    created_by: str
    created_at: datetime
    version: int
    updated_at: datetime
    position: int
    territory_id: UUID | None = None  # the territory whose processes it runs


class CommitteeList(msgspec.Struct, frozen=True):
    """A page of committees; `next` is the cursor to pass as `after`."""

    items: list[CommitteeOut]
    next: int | None


class MemberOut(msgspec.Struct, frozen=True):
    """One appointment: sitting from `start` until the day before `end` (null: still sitting)."""

    member: str
    college: str
    role: str
    start: date
    end: date | None
    organisation_id: UUID | None = None  # the directory's organisation the member sits for


class MemberList(msgspec.Struct, frozen=True):
    """Who sat on the committee on `as_of`."""

    as_of: date
    items: list[MemberOut]


class DecisionOut(msgspec.Struct, frozen=True):
    """A decision as recorded: named votes, counts, the rules applied and what it answers."""

    decision_id: UUID
    meeting_id: UUID
    committee_id: UUID
    item: int
    adopted: bool
    counts: dict[str, int]
    votes: dict[str, str]
    rationale: str
    majority: dict[str, Any]
    quorum: dict[str, Any]
    answers: list[dict[str, str]]
    decided_by: str
    decided_at: datetime
    position: int


class MeetingOut(msgspec.Struct, frozen=True):
    """A meeting: agenda items (with recusals and decisions), attendance, minutes, decisions."""

    id: UUID
    committee_id: UUID
    held_on: date
    status: str
    agenda: list[dict[str, Any]]
    attendance: list[str]
    minutes: str | None
    convened_by: str
    convened_at: datetime
    closed_at: datetime | None
    version: int
    updated_at: datetime
    position: int
    decisions: list[DecisionOut] = []

    @classmethod
    def from_view(cls, row: dict[str, Any]) -> MeetingOut:
        """Build from a meetings row (with its decisions, when read one by one)."""
        fields = {k: v for k, v in row.items() if k != "decisions"}
        return cls(**fields, decisions=[DecisionOut(**d) for d in row.get("decisions", [])])


class MeetingList(msgspec.Struct, frozen=True):
    """A page of meetings; `next` is the cursor to pass as `after`."""

    items: list[MeetingOut]
    next: int | None


class ItemAdded(msgspec.Struct, frozen=True):
    """The agenda item added, and the meeting as it stands."""

    item: int
    meeting: MeetingOut
