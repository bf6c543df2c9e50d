"""The steering committee ("comité de pilotage"): its colleges, its rules and who sits on it when.

The committee records its membership history (appointments and departures, with their dates), its
quorum and majority rules, and the petitions referred to it. Its meetings are separate aggregates
(see `meeting.py`) so that the committee's history does not grow with every vote. Dates of
appointment and departure are recorded as ISO strings ("2030-03-01"): the library's JSON
transcoder knows `datetime`, not `date`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.errors import IllegalTransition, InvalidCommand, NotEntitled
from domain.events import ID_MAX, SYSTEM_ACTOR_PREFIX, Cause, CivicAggregate, event_time
from domain.majority import MajorityRule, QuorumRule
from domain.text import check_text

NAME_MAX = 200
COLLEGES_MAX = 20
SEATS_MAX = 500
COLLEGE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


class InvalidCommittee(InvalidCommand):
    """The name, what it serves or the colleges given cannot make a committee."""


class InvalidMembership(InvalidCommand):
    """An appointment or departure names an unknown college or role, or impossible dates."""


class SeatsFull(IllegalTransition):
    """The college has all its seats filled on the appointment date (or on a later one)."""


class AlreadySitting(IllegalTransition):
    """The person already sits, or will sit, on the committee from that date."""


class NotSitting(IllegalTransition):
    """The person has no current appointment to end."""


class NotAMember(NotEntitled):
    """Only a member sitting on the day acts inside the committee."""


class RoleRequired(NotEntitled):
    """The member's role does not allow this (e.g. only the chair or secretary convenes)."""


class ServesKind(StrEnum):
    """What the committee serves: a territory, or an alliance of territories or bodies."""

    TERRITORY = "territory"
    ALLIANCE = "alliance"


class MemberRole(StrEnum):
    """A member's role; an observer sits without a vote and takes no seat."""

    CHAIR = "chair"  # "président(e)"
    SECRETARY = "secretary"  # "secrétaire de séance"
    MEMBER = "member"
    OBSERVER = "observer"  # "observateur", without a vote


CONVENERS = frozenset({MemberRole.CHAIR, MemberRole.SECRETARY})
"""Who convenes meetings, records what happens in them and publishes their minutes."""

VOTERS = frozenset({MemberRole.CHAIR, MemberRole.SECRETARY, MemberRole.MEMBER})


@dataclass(frozen=True, slots=True)
class College:
    """A group of seats ("collège"): e.g. public authorities, businesses, associations, citizens."""

    id: str
    name: str
    seats: int


@dataclass(frozen=True, slots=True)
class Tenure:
    """One appointment: `member` sits in `college` from `start` until the day before `end`."""

    member: str
    college: str
    role: MemberRole
    start: date
    end: date | None = None  # None: still sitting
    organisation_id: UUID | None = None  # the directory's organisation the member sits for

    def sits_on(self, day: date) -> bool:
        """Sitting on `day`: appointed on or before it, not yet gone (the end day is not sat)."""
        return self.start <= day and (self.end is None or day < self.end)

    @property
    def votes(self) -> bool:
        """Whether the member votes (observers do not) and so takes a seat."""
        return self.role in VOTERS


def validate_colleges(colleges: list[College]) -> None:
    """Raise `InvalidCommittee` unless the colleges have distinct ids, names and some seats."""
    if not 1 <= len(colleges) <= COLLEGES_MAX:
        raise InvalidCommittee(f"a committee has 1 to {COLLEGES_MAX} colleges")
    for college in colleges:
        if not COLLEGE_ID.fullmatch(college.id):
            raise InvalidCommittee(
                f"college id {college.id!r} must be 1 to 40 lower-case letters, digits, - or _"
            )
        check_text(
            college.name, what="a college's name", max_length=NAME_MAX, error=InvalidCommittee
        )
        if not 1 <= college.seats <= SEATS_MAX:
            raise InvalidCommittee(f"a college has 1 to {SEATS_MAX} seats")
    if len({c.id for c in colleges}) != len(colleges):
        raise InvalidCommittee("college ids must be distinct")


class Committee(CivicAggregate):
    """A committee's own history: created, rules changed, members appointed and gone, referrals."""

    class Event(CivicAggregate.Event):
        """Any event of a committee."""

    class Created(Event, CivicAggregate.Created):
        """Created with its name, what it serves, its colleges and its rules."""

        class_version = 2
        name: str
        serves: dict[str, str]  # {"kind": "territory" | "alliance", "name": ...}
        colleges: list[dict[str, Any]]  # [{"id", "name", "seats"}]
        quorum: dict[str, Any]
        majority: dict[str, Any]
        territory_id: UUID | None  # the territory whose processes it runs

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Committees created before territories belong to none."""
            state["territory_id"] = None

    class RulesChanged(Event):
        """The quorum and majority rules that apply to decisions from now on."""

        quorum: dict[str, Any]
        majority: dict[str, Any]

    class MemberAppointed(Event):
        """`member` (an account id) sits in `college` with `role` from `start` (ISO date), for
        the directory's organisation `organisation_id` if named."""

        class_version = 2
        member: str
        college: str
        role: str
        start: str
        organisation_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Appointments made before the directory sit for no organisation of it."""
            state["organisation_id"] = None

    class MemberDeparted(Event):
        """`member` no longer sits from `end` (ISO date)."""

        member: str
        end: str

    class PetitionReferred(Event):
        """A petition's threshold put it on the committee's standing agenda, once."""

        petition_id: UUID

    @classmethod
    def create(
        cls,
        *,
        name: str,
        serves: ServesKind,
        serves_name: str,
        colleges: list[College],
        quorum: QuorumRule,
        majority: MajorityRule,
        cause: Cause,
        territory_id: UUID | None = None,
    ) -> Committee:
        """Create a committee with its colleges and rules; members are appointed afterwards."""
        check_text(name, what="the name", max_length=NAME_MAX, error=InvalidCommittee)
        check_text(serves_name, what="what it serves", max_length=NAME_MAX, error=InvalidCommittee)
        validate_colleges(colleges)
        quorum.validate()
        majority.validate()
        return cls(
            name=name,
            serves={"kind": serves.value, "name": serves_name},
            colleges=[{"id": c.id, "name": c.name, "seats": c.seats} for c in colleges],
            quorum=quorum.as_event(),
            majority=majority.as_event(),
            territory_id=territory_id,
            **cause.fields(),
        )

    @event(Created)
    def __init__(
        self,
        *,
        name: str,
        serves: dict[str, str],
        colleges: list[dict[str, Any]],
        quorum: dict[str, Any],
        majority: dict[str, Any],
        territory_id: UUID | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.name = name
        self.territory_id = territory_id
        self.serves = ServesKind(serves["kind"])
        self.serves_name = serves["name"]
        self.colleges = {
            c["id"]: College(id=c["id"], name=c["name"], seats=int(c["seats"])) for c in colleges
        }
        self.quorum_rule = QuorumRule.from_event(quorum)
        self.majority_rule = MajorityRule.from_event(majority)
        self.tenures: list[Tenure] = []  # every appointment, in the order recorded
        self.referrals: dict[UUID, datetime] = {}  # petition id: when it was referred

    # -- rules -----------------------------------------------------------------------------------

    def change_rules(self, *, quorum: QuorumRule, majority: MajorityRule, cause: Cause) -> None:
        """Set the quorum and majority rules for decisions taken from now on."""
        quorum.validate()
        majority.validate()
        self._rules_changed(
            quorum=quorum.as_event(), majority=majority.as_event(), **cause.fields()
        )

    @event(RulesChanged)
    def _rules_changed(
        self,
        *,
        quorum: dict[str, Any],
        majority: dict[str, Any],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.quorum_rule = QuorumRule.from_event(quorum)
        self.majority_rule = MajorityRule.from_event(majority)

    # -- membership ------------------------------------------------------------------------------

    def appoint(
        self,
        *,
        member: str,
        college: str,
        role: MemberRole,
        start: date,
        cause: Cause,
        organisation_id: UUID | None = None,
    ) -> None:
        """Appoint `member` to `college` with `role` from `start` (sitting for the directory's
        organisation `organisation_id`, if named); a seat must be free from then."""
        check_text(member, what="the member", max_length=ID_MAX, error=InvalidMembership)
        if college not in self.colleges:
            raise InvalidMembership(f"the committee has no college {college!r}")
        role = MemberRole(role)
        if any(t.member == member and (t.end is None or t.end > start) for t in self.tenures):
            raise AlreadySitting(f"{member} already sits on the committee from {start}")
        if role in VOTERS:
            self._check_seat_free(college, start)
        self._member_appointed(
            member=member,
            college=college,
            role=role.value,
            start=start.isoformat(),
            organisation_id=organisation_id,
            **cause.fields(),
        )

    def _check_seat_free(self, college: str, start: date) -> None:
        """Raise `SeatsFull` if the college's seats are all taken on `start` or any later day."""
        seated = [t for t in self.tenures if t.college == college and t.votes]
        seats = self.colleges[college].seats
        # The count can only rise on a day somebody starts: those days are the ones to check.
        for day in sorted({start} | {t.start for t in seated if t.start > start}):
            if sum(t.sits_on(day) for t in seated) >= seats:
                raise SeatsFull(f"the college {college!r} has its {seats} seats filled on {day}")

    @event(MemberAppointed)
    def _member_appointed(
        self,
        *,
        member: str,
        college: str,
        role: str,
        start: str,
        organisation_id: UUID | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.tenures.append(
            Tenure(
                member,
                college,
                MemberRole(role),
                start=date.fromisoformat(start),
                organisation_id=organisation_id,
            )
        )

    def depart(self, *, member: str, end: date, cause: Cause) -> None:
        """Record that `member` sits no more from `end` (on or after the appointment's start)."""
        current = self._open_tenure(member)
        if current is None:
            raise NotSitting(f"{member} has no current appointment on the committee")
        if end < current.start:
            raise InvalidMembership(
                f"the departure cannot precede the appointment ({current.start})"
            )
        self._member_departed(member=member, end=end.isoformat(), **cause.fields())

    def _open_tenure(self, member: str) -> Tenure | None:
        return next((t for t in self.tenures if t.member == member and t.end is None), None)

    @event(MemberDeparted)
    def _member_departed(
        self, *, member: str, end: str, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        index = next(i for i, t in enumerate(self.tenures) if t.member == member and t.end is None)
        self.tenures[index] = replace(self.tenures[index], end=date.fromisoformat(end))

    def members_on(self, day: date) -> list[Tenure]:
        """Who sat on `day`, by college then member."""
        return sorted(
            (t for t in self.tenures if t.sits_on(day)), key=lambda t: (t.college, t.member)
        )

    def seat_of(self, member: str, day: date) -> Tenure | None:
        """`member`'s appointment on `day`, if sitting then."""
        return next((t for t in self.tenures if t.member == member and t.sits_on(day)), None)

    def check_acts(
        self, actor: str, day: date, *, roles: Collection[MemberRole] = frozenset(MemberRole)
    ) -> Tenure:
        """The actor's appointment on `day`; `NotAMember` or `RoleRequired` unless allowed."""
        tenure = self.seat_of(actor, day)
        if tenure is None:
            raise NotAMember(f"{actor} does not sit on the committee on {day}")
        if tenure.role not in roles:
            allowed = " or ".join(sorted(r.value for r in roles))
            raise RoleRequired(f"only the {allowed} may do this; {actor} is {tenure.role}")
        return tenure

    def voting_members_on(self, day: date) -> Iterable[Tenure]:
        """Those who sat with a vote on `day`."""
        return (t for t in self.members_on(day) if t.votes)

    # -- the standing agenda ---------------------------------------------------------------------

    def refer_petition(self, *, petition_id: UUID, cause: Cause) -> bool:
        """Put a petition on the standing agenda, by policy (a `system:` actor); False if there."""
        if not cause.actor.startswith(SYSTEM_ACTOR_PREFIX):
            raise NotEntitled("petitions are referred by their thresholds, not by hand")
        if petition_id in self.referrals:
            return False
        self._petition_referred(petition_id=petition_id, **cause.fields())
        return True

    @event(PetitionReferred)
    def _petition_referred(
        self,
        timestamp: datetime | None = None,
        *,
        petition_id: UUID,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.referrals[petition_id] = event_time(timestamp)
