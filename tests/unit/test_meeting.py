"""A committee meeting by its events: convening, agenda, attendance, quorum, recusal, roll calls,
minutes and closure, each act checked against the committee's membership on the meeting date."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from fractions import Fraction
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Application

from domain.committee import Committee, NotAMember, RoleRequired
from domain.errors import DomainError
from domain.events import Cause
from domain.majority import Choice, MajorityKind, MajorityRule, QuorumRule
from domain.meeting import (
    Absent,
    AlreadyDecided,
    AlreadyOnAgenda,
    AlreadyRecused,
    InvalidMeeting,
    ItemKind,
    Meeting,
    MeetingClosed,
    MinutesRequired,
    NoQuorum,
    NotReferred,
    ObserverCannotVote,
    Recused,
    decision_id,
)

from .given import assert_caused_by, drained, only_event, refused
from .test_committee import APPOINTING, START, referred, seated

DAY = date(2030, 3, 10)
AGENDA = ["Approval of the previous minutes", "Cycle lanes: the 2031 programme"]
CHAIR = Cause(actor="account:chair", correlation_id="corr-chair")
SECRETARY = Cause(actor="account:secretary", correlation_id="corr-secretary")
ANA = Cause(actor="account:ana", correlation_id="corr-ana")
OLGA = Cause(actor="account:olga", correlation_id="corr-olga")  # the observer
OUTSIDER = Cause(actor="account:zoe", correlation_id="corr-zoe")
VOTING = ["account:chair", "account:ana", "account:ben", "account:cleo", "account:secretary"]
EVERYONE = [*VOTING, "account:dina", "account:olga"]
RATIONALE = "The programme fits the climate plan's budget."
CYCLE_LANES = 2

Votes = dict[str, Choice]


@contextmanager
def refused_saying(error: type[DomainError], message: str, meeting: Meeting) -> Iterator[None]:
    """Like `given.refused`, with an error message that contains `message`."""
    meeting.collect_events()
    with pytest.raises(error, match=re.escape(message)) as raised:
        yield
    assert type(raised.value) is error
    assert meeting.collect_events() == []


def convened(committee: Committee) -> Meeting:
    """A meeting of the committee convened by its chair for DAY with two items."""
    return drained(Meeting.convene(committee=committee, held_on=DAY, agenda=AGENDA, cause=CHAIR))


def attended(committee: Committee, present: list[str]) -> Meeting:
    """The meeting with `present` recorded present by the secretary."""
    meeting = convened(committee)
    meeting.record_attendance(committee=committee, present=present, cause=SECRETARY)
    return drained(meeting)


def roll_call(for_: int, against: int = 0, abstain: int = 0, *, voters: list[str]) -> Votes:
    """The first `for_` voters for, the next `against` against, the next `abstain` abstain."""
    choices = [Choice.FOR] * for_ + [Choice.AGAINST] * against + [Choice.ABSTAIN] * abstain
    assert len(choices) == len(voters)
    return dict(zip(voters, choices, strict=True))


def decide(meeting: Meeting, committee: Committee, votes: Votes, item: int = CYCLE_LANES) -> bool:
    """The secretary records the roll call on `item`."""
    return meeting.decide(
        committee=committee,
        item=item,
        votes=votes,
        rationale=RATIONALE,
        answers=[],
        cause=SECRETARY,
    )


class TestConvene:
    def test_the_chair_convenes_with_a_date_and_an_agenda(self) -> None:
        """The event names the committee, the ISO date and the agenda's titles."""
        committee = seated()
        meeting = Meeting.convene(committee=committee, held_on=DAY, agenda=AGENDA, cause=CHAIR)
        event = only_event(meeting, Meeting.Convened)
        assert_caused_by(event, CHAIR)
        assert (event.committee_id, event.held_on, event.agenda) == (
            committee.id,
            "2030-03-10",
            AGENDA,
        )
        assert [(i.number, i.kind, i.title) for i in meeting.items.values()] == [
            (1, ItemKind.AGENDA, AGENDA[0]),
            (2, ItemKind.AGENDA, AGENDA[1]),
        ]

    def test_the_secretary_convenes_too(self) -> None:
        """The secretary may convene as well as the chair."""
        meeting = Meeting.convene(committee=seated(), held_on=DAY, agenda=[], cause=SECRETARY)
        assert meeting.convened_by == "account:secretary"

    @pytest.mark.parametrize(
        ("cause", "error"), [(ANA, RoleRequired), (OLGA, RoleRequired), (OUTSIDER, NotAMember)]
    )
    def test_nobody_else_convenes(self, cause: Cause, error: type[Exception]) -> None:
        """A member, an observer or an outsider cannot convene."""
        with pytest.raises(error):
            Meeting.convene(committee=seated(), held_on=DAY, agenda=AGENDA, cause=cause)

    def test_a_chair_gone_by_the_meeting_date_cannot_convene_it(self) -> None:
        """Acts inside the committee are judged by the membership on the meeting's date."""
        committee = seated()
        committee.depart(member="account:chair", end=DAY, cause=APPOINTING)
        with pytest.raises(NotAMember):
            Meeting.convene(committee=committee, held_on=DAY, agenda=AGENDA, cause=CHAIR)

    def test_refuses_a_blank_item(self) -> None:
        """Each agenda item has a title."""
        with pytest.raises(InvalidMeeting, match="an agenda item"):
            Meeting.convene(committee=seated(), held_on=DAY, agenda=["  "], cause=CHAIR)


class TestAgenda:
    def test_a_member_tables_a_motion(self) -> None:
        """The motion becomes the next item, tabled by its mover."""
        committee = seated()
        meeting = convened(committee)
        number = meeting.table_motion(
            committee=committee, title="Night buses", text="Run them on Fridays.", cause=ANA
        )
        event = only_event(meeting, Meeting.MotionTabled)
        assert_caused_by(event, ANA)
        assert (number, event.item, event.title, event.text) == (
            3,
            3,
            "Night buses",
            "Run them on Fridays.",
        )
        assert meeting.items[3].tabled_by == "account:ana"

    @pytest.mark.parametrize(("cause", "error"), [(OLGA, RoleRequired), (OUTSIDER, NotAMember)])
    def test_observers_and_outsiders_table_nothing(
        self, cause: Cause, error: type[RoleRequired | NotAMember]
    ) -> None:
        """A motion is tabled by a voting member sitting on the meeting date."""
        committee = seated()
        meeting = convened(committee)
        with refused(error, meeting):
            meeting.table_motion(committee=committee, title="Night buses", text=None, cause=cause)

    def test_a_referred_petition_is_taken_up_once(self) -> None:
        """The chair puts a referred petition on the agenda; a second time is refused."""
        petition_id = uuid4()
        committee = referred(seated(), petition_id)
        meeting = convened(committee)
        number = meeting.take_up_petition(committee=committee, petition_id=petition_id, cause=CHAIR)
        event = only_event(meeting, Meeting.PetitionTakenUp)
        assert (number, event.petition_id) == (3, petition_id)
        assert meeting.items[3].kind is ItemKind.PETITION
        with refused(AlreadyOnAgenda, meeting):
            meeting.take_up_petition(committee=committee, petition_id=petition_id, cause=CHAIR)

    def test_a_petition_not_referred_is_refused(self) -> None:
        """Only a petition whose threshold referred it to this committee."""
        committee = seated()
        meeting = convened(committee)
        with refused(NotReferred, meeting):
            meeting.take_up_petition(committee=committee, petition_id=uuid4(), cause=CHAIR)

    def test_a_decision_on_a_petition_item_answers_the_petition(self) -> None:
        """The decision's `answers` names the petition without being told."""
        petition_id = uuid4()
        committee = referred(seated(), petition_id)
        meeting = convened(committee)
        item = meeting.take_up_petition(committee=committee, petition_id=petition_id, cause=CHAIR)
        meeting.record_attendance(committee=committee, present=VOTING, cause=SECRETARY)
        drained(meeting)
        decide(meeting, committee, roll_call(5, voters=sorted(VOTING)), item=item)
        event = only_event(meeting, Meeting.Decided)
        assert event.answers == [{"kind": "petition", "id": str(petition_id)}]


class TestAttendance:
    def test_the_secretary_records_who_is_present(self) -> None:
        """The list is recorded sorted, without duplicates."""
        committee = seated()
        meeting = convened(committee)
        meeting.record_attendance(
            committee=committee,
            present=["account:ben", "account:ana", "account:ben"],
            cause=SECRETARY,
        )
        assert only_event(meeting, Meeting.AttendanceRecorded).present == [
            "account:ana",
            "account:ben",
        ]

    def test_refuses_someone_not_sitting_on_the_meeting_date(self) -> None:
        """An outsider cannot be recorded present."""
        committee = seated()
        meeting = convened(committee)
        with refused(InvalidMeeting, meeting):
            meeting.record_attendance(committee=committee, present=["account:zoe"], cause=SECRETARY)

    def test_a_member_does_not_record_attendance(self) -> None:
        """Only the chair or secretary records what happens in the meeting."""
        committee = seated()
        meeting = convened(committee)
        with refused(RoleRequired, meeting):
            meeting.record_attendance(committee=committee, present=VOTING, cause=ANA)


class TestQuorum:
    def test_no_quorum_no_decision(self) -> None:
        """Three of six voting members present: the roll call is refused."""
        committee = seated()
        present = ["account:chair", "account:ana", "account:ben"]
        meeting = attended(committee, present)
        with refused(NoQuorum, meeting):
            decide(meeting, committee, roll_call(3, voters=present))

    def test_observers_do_not_make_a_quorum(self) -> None:
        """Three voting members and the observer: still no quorum."""
        committee = seated()
        present = ["account:chair", "account:ana", "account:ben"]
        meeting = attended(committee, [*present, "account:olga"])
        with refused(NoQuorum, meeting):
            decide(meeting, committee, roll_call(3, voters=present))

    def test_four_of_six_make_a_quorum_recorded_with_the_decision(self) -> None:
        """More than half of the voting members sitting on the date are present."""
        committee = seated()
        present = ["account:ana", "account:ben", "account:chair", "account:cleo"]
        meeting = attended(committee, present)
        decide(meeting, committee, roll_call(4, voters=present))
        quorum = only_event(meeting, Meeting.Decided).quorum
        assert quorum == {"voting_members": 6, "present": 4, "needed": 4, "short_colleges": []}

    def test_a_college_below_its_minimum_breaks_the_quorum(self) -> None:
        """One per college: five present, but neither citizen."""
        committee = seated(quorum=QuorumRule(per_college=1))
        present = ["account:ana", "account:ben", "account:chair", "account:cleo"]
        meeting = attended(committee, present)
        with refused_saying(NoQuorum, "citizens", meeting):
            decide(meeting, committee, roll_call(4, voters=present))


class TestRecusal:
    def test_a_member_declares_a_conflict_of_interest(self) -> None:
        """The declaration names the item and the member, with their reason."""
        committee = seated()
        meeting = attended(committee, VOTING)
        cause = Cause("account:ben", "corr-ben", reason="my firm bids for the works")
        meeting.declare_conflict(committee=committee, item=CYCLE_LANES, cause=cause)
        event = only_event(meeting, Meeting.ConflictDeclared)
        assert_caused_by(event, cause)
        assert (event.item, event.member) == (CYCLE_LANES, "account:ben")

    def test_a_recused_member_cannot_vote_and_is_not_called(self) -> None:
        """Ben's vote is refused; the roll call without him is complete."""
        committee = seated()
        meeting = attended(committee, VOTING)
        ben = Cause("account:ben", "corr-ben")
        meeting.declare_conflict(committee=committee, item=CYCLE_LANES, cause=ben)
        drained(meeting)
        with refused(Recused, meeting):
            decide(meeting, committee, roll_call(5, voters=sorted(VOTING)))
        others = [m for m in sorted(VOTING) if m != "account:ben"]
        assert meeting.voters(committee, CYCLE_LANES) == others
        decide(meeting, committee, roll_call(4, voters=others))
        assert "account:ben" not in only_event(meeting, Meeting.Decided).votes

    def test_a_conflict_is_declared_once_per_item(self) -> None:
        """A second declaration on the same item is refused."""
        committee = seated()
        meeting = attended(committee, VOTING)
        meeting.declare_conflict(committee=committee, item=CYCLE_LANES, cause=ANA)
        with refused(AlreadyRecused, meeting):
            meeting.declare_conflict(committee=committee, item=CYCLE_LANES, cause=ANA)

    def test_refuses_a_conflict_on_a_decided_item(self) -> None:
        """Too late once the roll call is recorded."""
        committee = seated()
        meeting = attended(committee, VOTING)
        decide(meeting, committee, roll_call(5, voters=sorted(VOTING)))
        with refused(AlreadyDecided, meeting):
            meeting.declare_conflict(committee=committee, item=CYCLE_LANES, cause=ANA)


class TestRollCall:
    def test_records_counts_named_votes_rule_and_rationale(self) -> None:
        """3 for, 1 against, 1 abstain: adopted by simple majority, every vote named."""
        committee = seated()
        meeting = attended(committee, VOTING)
        votes = roll_call(3, 1, 1, voters=sorted(VOTING))
        answers = [{"kind": "charter_amendment", "id": "amendment-7"}]
        adopted = meeting.decide(
            committee=committee,
            item=CYCLE_LANES,
            votes=votes,
            rationale=RATIONALE,
            answers=answers,
            cause=SECRETARY,
        )
        event = only_event(meeting, Meeting.Decided)
        assert_caused_by(event, SECRETARY)
        assert adopted
        assert event.adopted
        assert (event.item, event.decision_id) == (
            CYCLE_LANES,
            decision_id(meeting.id, CYCLE_LANES),
        )
        assert meeting.decisions[CYCLE_LANES].id == event.decision_id
        assert event.counts == {"for": 3, "against": 1, "abstain": 1}
        assert event.votes == {member: choice.value for member, choice in votes.items()}
        assert event.majority == {"kind": "simple", "threshold": None, "abstentions_count": False}
        assert (event.rationale, event.answers) == (RATIONALE, answers)
        assert meeting.decisions[CYCLE_LANES].votes == votes

    def test_a_tie_is_rejected(self) -> None:
        """2 for, 2 against, 1 abstain: not adopted."""
        committee = seated()
        meeting = attended(committee, VOTING)
        assert not decide(meeting, committee, roll_call(2, 2, 1, voters=sorted(VOTING)))
        assert only_event(meeting, Meeting.Decided).adopted is False

    @pytest.mark.parametrize(
        ("for_", "against", "abstain", "adopted"),
        [(4, 1, 0, True), (3, 2, 0, False), (2, 1, 2, True)],
    )
    def test_a_qualified_majority_applies_the_committee_rule(
        self, for_: int, against: int, abstain: int, adopted: bool
    ) -> None:
        """Two thirds of the votes cast, abstentions aside."""
        committee = seated(majority=MajorityRule(MajorityKind.QUALIFIED, Fraction(2, 3)))
        meeting = attended(committee, VOTING)
        decide(meeting, committee, roll_call(for_, against, abstain, voters=sorted(VOTING)))
        event = only_event(meeting, Meeting.Decided)
        assert event.adopted is adopted
        assert event.majority["threshold"] == "2/3"

    def test_an_observer_never_votes(self) -> None:
        """Olga is present, but sits without a vote."""
        committee = seated()
        meeting = attended(committee, [*VOTING, "account:olga"])
        votes = {**roll_call(5, voters=sorted(VOTING)), "account:olga": Choice.FOR}
        with refused(ObserverCannotVote, meeting):
            decide(meeting, committee, votes)

    def test_an_absent_member_does_not_vote(self) -> None:
        """Dina sits but was not recorded present."""
        committee = seated()
        meeting = attended(committee, VOTING)
        votes = {**roll_call(5, voters=sorted(VOTING)), "account:dina": Choice.FOR}
        with refused(Absent, meeting):
            decide(meeting, committee, votes)

    def test_an_outsider_does_not_vote(self) -> None:
        """Zoe does not sit on the committee."""
        committee = seated()
        meeting = attended(committee, VOTING)
        votes = {**roll_call(5, voters=sorted(VOTING)), "account:zoe": Choice.FOR}
        with refused(NotAMember, meeting):
            decide(meeting, committee, votes)

    def test_every_present_voting_member_answers(self) -> None:
        """A roll call missing Cleo is refused, naming her."""
        committee = seated()
        meeting = attended(committee, VOTING)
        others = [m for m in sorted(VOTING) if m != "account:cleo"]
        with refused_saying(InvalidMeeting, "account:cleo", meeting):
            decide(meeting, committee, roll_call(4, voters=others))

    def test_an_item_is_decided_once(self) -> None:
        """A second roll call on the same item is refused."""
        committee = seated()
        meeting = attended(committee, VOTING)
        decide(meeting, committee, roll_call(5, voters=sorted(VOTING)))
        drained(meeting)
        with refused(AlreadyDecided, meeting):
            decide(meeting, committee, roll_call(5, voters=sorted(VOTING)))

    def test_a_member_does_not_record_the_decision(self) -> None:
        """The chair or secretary records the roll call."""
        committee = seated()
        meeting = attended(committee, VOTING)
        with refused(RoleRequired, meeting):
            meeting.decide(
                committee=committee,
                item=CYCLE_LANES,
                votes=roll_call(5, voters=sorted(VOTING)),
                rationale=RATIONALE,
                answers=[],
                cause=ANA,
            )

    @pytest.mark.parametrize(
        ("item", "answers", "rationale", "message"),
        [
            (9, [], RATIONALE, "no item 9"),
            (CYCLE_LANES, [], " ", "the rationale"),
            (CYCLE_LANES, [{"kind": "tweet", "id": "1"}], RATIONALE, "a decision answers"),
            (CYCLE_LANES, [{"kind": "vote", "id": ""}], RATIONALE, "the id answered"),
            (CYCLE_LANES, [{"kind": "vote", "id": "v"}] * 2, RATIONALE, "once"),
        ],
    )
    def test_refuses_a_malformed_decision(
        self, item: int, answers: list[dict[str, str]], rationale: str, message: str
    ) -> None:
        """An unknown item, a blank rationale, or a reference to something unknown."""
        committee = seated()
        meeting = attended(committee, VOTING)
        with refused_saying(InvalidMeeting, message, meeting):
            meeting.decide(
                committee=committee,
                item=item,
                votes=roll_call(5, voters=sorted(VOTING)),
                rationale=rationale,
                answers=answers,
                cause=SECRETARY,
            )

    def test_the_roll_call_follows_the_membership_on_the_meeting_date(self) -> None:
        """Ben left before the meeting: five sit with a vote, and three make the quorum."""
        committee = seated()
        committee.depart(member="account:ben", end=START + timedelta(days=30), cause=APPOINTING)
        present = ["account:ana", "account:chair", "account:cleo"]
        meeting = attended(committee, present)
        decide(meeting, committee, roll_call(3, voters=present))
        assert only_event(meeting, Meeting.Decided).quorum["voting_members"] == 5


def closed(committee: Committee) -> Meeting:
    """A meeting with its minutes published, then closed by the chair."""
    meeting = attended(committee, VOTING)
    meeting.publish_minutes(committee=committee, text="Minutes.", cause=SECRETARY)
    meeting.close(committee=committee, cause=CHAIR)
    return drained(meeting)


class TestMinutesAndClosure:
    def test_the_secretary_publishes_the_minutes(self) -> None:
        """The minutes' text is recorded; a corrected version replaces it until closure."""
        committee = seated()
        meeting = attended(committee, VOTING)
        meeting.publish_minutes(committee=committee, text="Present: five.", cause=SECRETARY)
        assert only_event(meeting, Meeting.MinutesPublished).text == "Present: five."
        meeting.publish_minutes(committee=committee, text="Present: five members.", cause=CHAIR)
        assert meeting.minutes == "Present: five members."

    def test_a_member_does_not_publish_the_minutes(self) -> None:
        """Only the chair or secretary."""
        committee = seated()
        meeting = attended(committee, VOTING)
        with refused(RoleRequired, meeting):
            meeting.publish_minutes(committee=committee, text="Minutes.", cause=ANA)

    def test_a_meeting_closes_after_its_minutes(self) -> None:
        """Closing without minutes is refused; with them, the meeting closes."""
        committee = seated()
        meeting = attended(committee, VOTING)
        with refused(MinutesRequired, meeting):
            meeting.close(committee=committee, cause=CHAIR)
        meeting.publish_minutes(committee=committee, text="Minutes.", cause=SECRETARY)
        drained(meeting)
        meeting.close(committee=committee, cause=CHAIR)
        assert_caused_by(only_event(meeting, Meeting.Closed), CHAIR)
        assert meeting.closed

    @pytest.mark.parametrize(
        "act",
        [
            lambda m, c: m.table_motion(committee=c, title="Late", text=None, cause=ANA),
            lambda m, c: m.record_attendance(committee=c, present=VOTING, cause=SECRETARY),
            lambda m, c: m.declare_conflict(committee=c, item=CYCLE_LANES, cause=ANA),
            lambda m, c: decide(m, c, roll_call(5, voters=sorted(VOTING))),
            lambda m, c: m.publish_minutes(committee=c, text="Amended.", cause=SECRETARY),
            lambda m, c: m.close(committee=c, cause=CHAIR),
        ],
        ids=["motion", "attendance", "conflict", "decision", "minutes", "closure"],
    )
    def test_nothing_more_is_recorded_in_a_closed_meeting(
        self, act: Callable[[Meeting, Committee], object]
    ) -> None:
        """Every command on a closed meeting is refused."""
        committee = seated()
        meeting = closed(committee)
        with refused(MeetingClosed, meeting):
            act(meeting, committee)

    def test_refuses_another_committee(self) -> None:
        """A meeting is run with its own committee's membership and rules."""
        meeting = convened(seated())
        with pytest.raises(ValueError, match="not a meeting of committee"):
            meeting.record_attendance(committee=seated(), present=[], cause=SECRETARY)


@pytest.fixture
def application() -> Iterator[Application[UUID]]:
    """An application over the library's in-memory event store."""
    application: Application[UUID] = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield application
    application.close()


class TestReplay:
    def test_a_meeting_rebuilt_from_its_events_has_the_same_state(
        self, application: Application[UUID]
    ) -> None:
        """Every kind of event, stored and replayed, gives the same meeting."""
        petition_id = uuid4()
        committee = referred(seated(), petition_id)
        meeting = Meeting.convene(committee=committee, held_on=DAY, agenda=AGENDA, cause=CHAIR)
        meeting.table_motion(committee=committee, title="Night buses", text=None, cause=ANA)
        meeting.take_up_petition(committee=committee, petition_id=petition_id, cause=CHAIR)
        meeting.record_attendance(committee=committee, present=EVERYONE, cause=SECRETARY)
        meeting.declare_conflict(committee=committee, item=4, cause=ANA)
        voters = meeting.voters(committee, 4)
        meeting.decide(
            committee=committee,
            item=4,
            votes=roll_call(len(voters) - 1, 1, voters=voters),
            rationale=RATIONALE,
            answers=[{"kind": "vote", "id": str(uuid4())}],
            cause=SECRETARY,
        )
        meeting.publish_minutes(committee=committee, text="Minutes.", cause=SECRETARY)
        meeting.close(committee=committee, cause=CHAIR)
        application.save(meeting)

        rebuilt: Meeting = application.repository.get(meeting.id)

        assert vars(rebuilt) == vars(meeting)
        assert rebuilt.decisions[4].adopted
        assert rebuilt.decisions[4].votes["account:secretary"] is Choice.AGAINST
