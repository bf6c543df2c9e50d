"""A meeting of a steering committee ("séance du comité de pilotage"): agenda, attendance,
conflicts of interest, roll-call decisions, minutes, closure.

Each command takes the loaded `Committee`, whose membership on the meeting's date says who may act
and vote, and whose rules say when the committee has a quorum and when a motion is adopted. Every
event names the committee. A decision's event is self-contained: the named votes, the counts, the
majority rule applied, the quorum as it stood, the rationale and what the decision answers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.committee import CONVENERS, VOTERS, Committee, MemberRole, NotAMember
from domain.errors import IllegalTransition, InvalidCommand, NotEntitled
from domain.events import ID_MAX, Cause, CivicAggregate, event_time
from domain.majority import Choice, Counts, QuorumCheck, check_quorum, is_adopted
from domain.text import check_text

TITLE_MAX = 300
TEXT_MAX = 20_000
MINUTES_MAX = 200_000
AGENDA_MAX = 100
ANSWERS_MAX = 20
ANSWER_KINDS = frozenset({"petition", "charter_amendment", "vote", "consultation"})


class InvalidMeeting(InvalidCommand):
    """An agenda, attendance list, roll call, rationale, minutes or reference that is malformed."""


class MeetingClosed(IllegalTransition):
    """Nothing more is recorded in a closed meeting."""


class NoQuorum(IllegalTransition):
    """Too few voting members present: no quorum, no decision."""


class AlreadyDecided(IllegalTransition):
    """The item already has its decision."""


class AlreadyOnAgenda(IllegalTransition):
    """The petition is already on this meeting's agenda."""


class NotReferred(IllegalTransition):
    """The petition was not referred to this committee."""


class AlreadyRecused(IllegalTransition):
    """The member has already declared a conflict of interest on this item."""


class MinutesRequired(IllegalTransition):
    """A meeting is closed once its minutes are published."""


class ObserverCannotVote(NotEntitled):
    """Observers sit without a vote."""


class Recused(NotEntitled):
    """A member who declared a conflict of interest on an item does not vote on it."""


class Absent(NotEntitled):
    """Only members recorded present vote."""


class ItemKind(StrEnum):
    """Where an agenda item comes from."""

    AGENDA = "agenda"  # set by the convener
    MOTION = "motion"  # tabled by a member
    PETITION = "petition"  # a petition referred to the committee


@dataclass(frozen=True, slots=True)
class Item:
    """One agenda item, numbered from 1 in the order it was added."""

    number: int
    kind: ItemKind
    title: str | None  # None for a petition: its title is the petition's
    text: str | None = None
    tabled_by: str | None = None
    petition_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """What the committee decided on an item, and how each member voted."""

    id: UUID
    item: int
    adopted: bool
    votes: dict[str, Choice]
    counts: Counts
    rationale: str
    answers: list[dict[str, str]]
    decided_at: datetime


def decision_id(meeting_id: UUID, item: int) -> UUID:
    """The id of the decision on a meeting's item, by which a charter or a vote cites it."""
    return uuid5(NAMESPACE_URL, f"civic-ledger:decision:{meeting_id}:{item}")


def validate_answers(answers: list[dict[str, str]]) -> None:
    """Raise `InvalidMeeting` unless each answer is a known kind with an id, each named once."""
    if len(answers) > ANSWERS_MAX:
        raise InvalidMeeting(f"a decision answers at most {ANSWERS_MAX} things")
    for answer in answers:
        if set(answer) != {"kind", "id"} or answer["kind"] not in ANSWER_KINDS:
            kinds = ", ".join(sorted(ANSWER_KINDS))
            raise InvalidMeeting(f"a decision answers a {kinds}, each given as a kind and an id")
        check_text(answer["id"], what="the id answered", max_length=ID_MAX, error=InvalidMeeting)
    if len({(a["kind"], a["id"]) for a in answers}) != len(answers):
        raise InvalidMeeting("a decision names what it answers once")


class Meeting(CivicAggregate):
    """One meeting of one committee, from its convening to its closure."""

    class Event(CivicAggregate.Event):
        """Any event of a meeting; each names its committee."""

        committee_id: UUID

    class Convened(Event, CivicAggregate.Created):
        """Convened for `held_on` (ISO date) with the first agenda items' titles."""

        held_on: str
        agenda: list[str]

    class MotionTabled(Event):
        """A member tabled a motion: agenda item `item`."""

        item: int
        title: str
        text: str | None

    class PetitionTakenUp(Event):
        """A petition referred to the committee became agenda item `item`."""

        item: int
        petition_id: UUID

    class AttendanceRecorded(Event):
        """Who is present from now on (replacing the previous list)."""

        present: list[str]

    class ConflictDeclared(Event):
        """`member` declared a conflict of interest on item `item` and is recused from it."""

        item: int
        member: str

    class Decided(Event):
        """The roll call on `item`: adopted or not, the named votes, counts, rules and why."""

        decision_id: UUID  # derived from the meeting and the item (see `decision_id`)
        item: int
        adopted: bool
        votes: dict[str, str]  # member: "for" | "against" | "abstain"
        counts: dict[str, int]  # {"for", "against", "abstain"}
        majority: dict[str, Any]  # the rule applied
        quorum: dict[str, Any]  # the quorum as it stood
        rationale: str
        answers: list[dict[str, str]]  # [{"kind": "petition" | ..., "id": "..."}]

    class MinutesPublished(Event):
        """The minutes ("procès-verbal"); a corrected version replaces them until closure."""

        text: str

    class Closed(Event):
        """Closed: nothing more is recorded."""

    # -- convening -------------------------------------------------------------------------------

    @classmethod
    def convene(
        cls, *, committee: Committee, held_on: date, agenda: list[str], cause: Cause
    ) -> Meeting:
        """The chair or secretary (sitting on `held_on`) convenes a meeting with an agenda."""
        committee.check_acts(cause.actor, held_on, roles=CONVENERS)
        if len(agenda) > AGENDA_MAX:
            raise InvalidMeeting(f"an agenda has at most {AGENDA_MAX} items")
        for title in agenda:
            check_text(title, what="an agenda item", max_length=TITLE_MAX, error=InvalidMeeting)
        return cls(
            committee_id=committee.id,
            held_on=held_on.isoformat(),
            agenda=list(agenda),
            **cause.fields(),
        )

    @event(Convened)
    def __init__(
        self,
        *,
        committee_id: UUID,
        held_on: str,
        agenda: list[str],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.committee_id = committee_id
        self.held_on = date.fromisoformat(held_on)
        self.convened_by = actor
        self.items: dict[int, Item] = {}
        for title in agenda:
            self._add(Item(number=len(self.items) + 1, kind=ItemKind.AGENDA, title=title))
        self.recused: dict[int, frozenset[str]] = {}
        self.present: frozenset[str] = frozenset()
        self.decisions: dict[int, Decision] = {}
        self.minutes: str | None = None
        self.closed = False

    def _add(self, item: Item) -> None:
        self.items[item.number] = item

    def _check(self, committee: Committee, cause: Cause, *, roles: Collection[MemberRole]) -> None:
        """Raise unless the meeting is open and the actor sits on its date with one of `roles`."""
        if committee.id != self.committee_id:
            raise ValueError(f"meeting {self.id} is not a meeting of committee {committee.id}")
        if self.closed:
            raise MeetingClosed("the meeting is closed: nothing more can be recorded")
        committee.check_acts(cause.actor, self.held_on, roles=roles)

    def _check_item(self, item: int) -> Item:
        if item not in self.items:
            raise InvalidMeeting(f"the agenda has no item {item}")
        return self.items[item]

    # -- agenda ----------------------------------------------------------------------------------

    def table_motion(
        self, *, committee: Committee, title: str, text: str | None, cause: Cause
    ) -> int:
        """A voting member tables a motion: the next agenda item, whose number is returned."""
        self._check(committee, cause, roles=VOTERS)
        check_text(title, what="the motion's title", max_length=TITLE_MAX, error=InvalidMeeting)
        if text is not None:
            check_text(text, what="the motion's text", max_length=TEXT_MAX, error=InvalidMeeting)
        self._check_room()
        number = len(self.items) + 1
        self._motion_tabled(
            committee_id=self.committee_id, item=number, title=title, text=text, **cause.fields()
        )
        return number

    def _check_room(self) -> None:
        if len(self.items) >= AGENDA_MAX:
            raise InvalidMeeting(f"an agenda has at most {AGENDA_MAX} items")

    @event(MotionTabled)
    def _motion_tabled(
        self,
        *,
        committee_id: UUID,
        item: int,
        title: str,
        text: str | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self._add(Item(item, ItemKind.MOTION, title, text=text, tabled_by=actor))

    def take_up_petition(self, *, committee: Committee, petition_id: UUID, cause: Cause) -> int:
        """The chair or secretary puts a petition referred to the committee on this agenda."""
        self._check(committee, cause, roles=CONVENERS)
        if petition_id not in committee.referrals:
            raise NotReferred(f"petition {petition_id} was not referred to this committee")
        if any(i.petition_id == petition_id for i in self.items.values()):
            raise AlreadyOnAgenda(f"petition {petition_id} is already on this meeting's agenda")
        self._check_room()
        number = len(self.items) + 1
        self._petition_taken_up(
            committee_id=self.committee_id, item=number, petition_id=petition_id, **cause.fields()
        )
        return number

    @event(PetitionTakenUp)
    def _petition_taken_up(
        self,
        *,
        committee_id: UUID,
        item: int,
        petition_id: UUID,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self._add(Item(item, ItemKind.PETITION, None, tabled_by=actor, petition_id=petition_id))

    # -- attendance and conflicts ----------------------------------------------------------------

    def record_attendance(self, *, committee: Committee, present: list[str], cause: Cause) -> None:
        """The chair or secretary records who is present (members sitting on the meeting date)."""
        self._check(committee, cause, roles=CONVENERS)
        for member in present:
            if committee.seat_of(member, self.held_on) is None:
                raise InvalidMeeting(f"{member} does not sit on the committee on {self.held_on}")
        self._attendance_recorded(
            committee_id=self.committee_id, present=sorted(set(present)), **cause.fields()
        )

    @event(AttendanceRecorded)
    def _attendance_recorded(
        self,
        *,
        committee_id: UUID,
        present: list[str],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.present = frozenset(present)

    def declare_conflict(self, *, committee: Committee, item: int, cause: Cause) -> None:
        """A member declares a conflict of interest on an undecided item, and is recused from it."""
        self._check(committee, cause, roles=VOTERS)
        self._check_item(item)
        if item in self.decisions:
            raise AlreadyDecided(f"item {item} is already decided")
        if cause.actor in self.recused.get(item, frozenset()):
            raise AlreadyRecused(f"{cause.actor} is already recused from item {item}")
        self._conflict_declared(
            committee_id=self.committee_id, item=item, member=cause.actor, **cause.fields()
        )

    @event(ConflictDeclared)
    def _conflict_declared(
        self,
        *,
        committee_id: UUID,
        item: int,
        member: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.recused[item] = self.recused.get(item, frozenset()) | {member}

    # -- decisions -------------------------------------------------------------------------------

    def voters(self, committee: Committee, item: int) -> list[str]:
        """Who answers the roll call on `item`: present voting members not recused from it."""
        recused = self.recused.get(item, frozenset())
        return sorted(
            t.member
            for t in committee.voting_members_on(self.held_on)
            if t.member in self.present and t.member not in recused
        )

    def decide(
        self,
        *,
        committee: Committee,
        item: int,
        votes: Mapping[str, Choice],
        rationale: str,
        answers: list[dict[str, str]],
        cause: Cause,
    ) -> bool:
        """The chair or secretary records a roll call on `item`; True if adopted.

        Every present, non-recused voting member answers; the quorum is checked first, then the
        committee's majority rule decides. A petition item answers its petition without saying.
        """
        self._check(committee, cause, roles=CONVENERS)
        agenda_item = self._check_item(item)
        if item in self.decisions:
            raise AlreadyDecided(f"item {item} is already decided")
        check_text(rationale, what="the rationale", max_length=TEXT_MAX, error=InvalidMeeting)
        if agenda_item.petition_id is not None:
            petition = {"kind": "petition", "id": str(agenda_item.petition_id)}
            answers = answers if petition in answers else [petition, *answers]
        validate_answers(answers)
        quorum = self._quorum(committee)
        if not quorum.met:
            short = ", ".join(quorum.short_colleges) or "none"
            raise NoQuorum(
                f"no quorum: {quorum.present} of {quorum.voting_members} voting members present, "
                f"{quorum.needed} needed; colleges below their minimum: {short}"
            )
        choices = self._roll_call(committee, item, votes)
        counts = Counts.of(choices)
        adopted = is_adopted(committee.majority_rule, counts)
        self._decided(
            committee_id=self.committee_id,
            decision_id=decision_id(self.id, item),
            item=item,
            adopted=adopted,
            votes={member: choice.value for member, choice in sorted(choices.items())},
            counts=counts.as_event(),
            majority=committee.majority_rule.as_event(),
            quorum=quorum.as_event(),
            rationale=rationale,
            answers=[dict(a) for a in answers],
            **cause.fields(),
        )
        return adopted

    def _quorum(self, committee: Committee) -> QuorumCheck:
        sitting: dict[str, int] = {}
        present: dict[str, int] = {}
        for tenure in committee.voting_members_on(self.held_on):
            sitting[tenure.college] = sitting.get(tenure.college, 0) + 1
            if tenure.member in self.present:
                present[tenure.college] = present.get(tenure.college, 0) + 1
        return check_quorum(committee.quorum_rule, sitting, present)

    def _roll_call(
        self, committee: Committee, item: int, votes: Mapping[str, Choice]
    ) -> dict[str, Choice]:
        """The votes checked: each from a present, non-recused voting member, and all of them."""
        choices: dict[str, Choice] = {}
        for member, choice in votes.items():
            tenure = committee.seat_of(member, self.held_on)
            if tenure is None:
                raise NotAMember(f"{member} does not sit on the committee on {self.held_on}")
            if tenure.role not in VOTERS:
                raise ObserverCannotVote(f"{member} is an observer and does not vote")
            if member not in self.present:
                raise Absent(f"{member} is not recorded present")
            if member in self.recused.get(item, frozenset()):
                raise Recused(f"{member} declared a conflict of interest on item {item}")
            try:
                choices[member] = Choice(choice)
            except ValueError:
                raise InvalidMeeting(f"{member}'s vote must be for, against or abstain") from None
        missing = [m for m in self.voters(committee, item) if m not in choices]
        if missing:
            raise InvalidMeeting(f"the roll call is incomplete: no vote from {', '.join(missing)}")
        return choices

    @event(Decided)
    def _decided(
        self,
        timestamp: datetime | None = None,
        *,
        committee_id: UUID,
        decision_id: UUID,
        item: int,
        adopted: bool,
        votes: dict[str, str],
        counts: dict[str, int],
        majority: dict[str, Any],
        quorum: dict[str, Any],
        rationale: str,
        answers: list[dict[str, str]],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.decisions[item] = Decision(
            id=decision_id,
            item=item,
            adopted=adopted,
            votes={member: Choice(choice) for member, choice in votes.items()},
            counts=Counts(counts["for"], counts["against"], counts["abstain"]),
            rationale=rationale,
            answers=answers,
            decided_at=event_time(timestamp),
        )

    # -- minutes and closure ---------------------------------------------------------------------

    def publish_minutes(self, *, committee: Committee, text: str, cause: Cause) -> None:
        """The chair or secretary publishes the minutes (again, to correct them, until closure)."""
        self._check(committee, cause, roles=CONVENERS)
        check_text(text, what="the minutes", max_length=MINUTES_MAX, error=InvalidMeeting)
        self._minutes_published(committee_id=self.committee_id, text=text, **cause.fields())

    @event(MinutesPublished)
    def _minutes_published(
        self, *, committee_id: UUID, text: str, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.minutes = text

    def close(self, *, committee: Committee, cause: Cause) -> None:
        """The chair or secretary closes the meeting once its minutes are published."""
        self._check(committee, cause, roles=CONVENERS)
        if self.minutes is None:
            raise MinutesRequired("publish the minutes before closing the meeting")
        self._closed(committee_id=self.committee_id, **cause.fields())

    @event(Closed)
    def _closed(
        self, *, committee_id: UUID, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.closed = True
