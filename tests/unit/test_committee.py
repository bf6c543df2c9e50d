"""A steering committee by its events: colleges, rules, appointments, departures, referrals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from fractions import Fraction
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Application

from domain.committee import (
    AlreadySitting,
    College,
    Committee,
    InvalidCommittee,
    InvalidMembership,
    MemberRole,
    NotSitting,
    SeatsFull,
    ServesKind,
)
from domain.errors import NotEntitled
from domain.events import Cause
from domain.majority import InvalidRule, MajorityKind, MajorityRule, QuorumRule

from .given import assert_caused_by, drained, only_event, refused

FOUNDING = Cause(actor="account:prefect", correlation_id="corr-found")
APPOINTING = Cause(actor="account:prefect", correlation_id="corr-appoint")
REFERRAL = Cause(
    actor="system:thresholds", correlation_id="corr-sign", reason="2 signatures reached"
)

START = date(2030, 1, 1)
COLLEGES = [
    College("public", "Public authorities", 2),
    College("business", "Businesses", 1),
    College("associations", "Associations", 1),
    College("citizens", "Citizens", 2),
]
MEMBERS = [  # six voting members and an observer, all from START
    ("account:chair", "public", MemberRole.CHAIR),
    ("account:ana", "public", MemberRole.MEMBER),
    ("account:ben", "business", MemberRole.MEMBER),
    ("account:cleo", "associations", MemberRole.MEMBER),
    ("account:secretary", "citizens", MemberRole.SECRETARY),
    ("account:dina", "citizens", MemberRole.MEMBER),
    ("account:olga", "associations", MemberRole.OBSERVER),
]


def created(*, quorum: QuorumRule | None = None, majority: MajorityRule | None = None) -> Committee:
    """A committee for the Vallée Verte with four colleges and nobody appointed yet."""
    return drained(
        Committee.create(
            name="Comité de pilotage du PCAET",
            serves=ServesKind.TERRITORY,
            serves_name="Communauté de communes de la Vallée Verte",
            colleges=COLLEGES,
            quorum=quorum or QuorumRule(),
            majority=majority or MajorityRule(),
            cause=FOUNDING,
        )
    )


def seated(*, quorum: QuorumRule | None = None, majority: MajorityRule | None = None) -> Committee:
    """The committee with its seven members sitting from START."""
    committee = created(quorum=quorum, majority=majority)
    for member, college, role in MEMBERS:
        committee.appoint(member=member, college=college, role=role, start=START, cause=APPOINTING)
    return drained(committee)


def referred(committee: Committee, petition_id: UUID) -> Committee:
    """The committee with the petition referred to it by the threshold policy."""
    committee.refer_petition(petition_id=petition_id, cause=REFERRAL)
    return drained(committee)


class TestCreate:
    def test_records_colleges_and_rules_with_the_envelope(self) -> None:
        """Name, what it serves, colleges with seats, and the rules as plain data."""
        committee = Committee.create(
            name="Comité de pilotage",
            serves=ServesKind.ALLIANCE,
            serves_name="Alliance des vallées",
            colleges=COLLEGES,
            quorum=QuorumRule(per_college=1),
            majority=MajorityRule(MajorityKind.QUALIFIED, Fraction(2, 3)),
            cause=FOUNDING,
        )
        event = only_event(committee, Committee.Created)
        assert_caused_by(event, FOUNDING)
        assert event.serves == {"kind": "alliance", "name": "Alliance des vallées"}
        assert event.colleges[0] == {"id": "public", "name": "Public authorities", "seats": 2}
        assert event.quorum == {"share": "1/2", "per_college": 1}
        assert event.majority == {
            "kind": "qualified",
            "threshold": "2/3",
            "abstentions_count": False,
        }
        assert committee.majority_rule.threshold == Fraction(2, 3)
        assert committee.members_on(START) == []

    @pytest.mark.parametrize(
        ("colleges", "message"),
        [
            ([], "1 to 20 colleges"),
            ([College("a", "A", 1), College("a", "B", 1)], "distinct"),
            ([College("Public", "A", 1)], "college id 'Public'"),
            ([College("a", "A", 0)], "1 to 500 seats"),
            ([College("a", " ", 1)], "a college's name"),
        ],
    )
    def test_refuses_colleges_that_cannot_make_a_committee(
        self, colleges: list[College], message: str
    ) -> None:
        """Each broken rule on colleges is refused with a message that names it."""
        with pytest.raises(InvalidCommittee, match=message):
            Committee.create(
                name="C",
                serves=ServesKind.TERRITORY,
                serves_name="T",
                colleges=colleges,
                quorum=QuorumRule(),
                majority=MajorityRule(),
                cause=FOUNDING,
            )

    def test_refuses_a_rule_that_cannot_be_applied(self) -> None:
        """A qualified majority of one half is no qualified majority."""
        with pytest.raises(InvalidRule):
            created(majority=MajorityRule(MajorityKind.QUALIFIED, Fraction(1, 2)))

    def test_rules_change_for_later_decisions(self) -> None:
        """Changing the rules records both of them."""
        committee = created()
        committee.change_rules(
            quorum=QuorumRule(share=Fraction(1, 3)),
            majority=MajorityRule(abstentions_count=True),
            cause=APPOINTING,
        )
        event = only_event(committee, Committee.RulesChanged)
        assert event.quorum["share"] == "1/3"
        assert event.majority["abstentions_count"] is True
        assert committee.quorum_rule == QuorumRule(share=Fraction(1, 3))


class TestAppoint:
    def test_records_the_appointment_with_an_iso_date(self) -> None:
        """Member, college, role and start date (as an ISO string) are recorded."""
        committee = created()
        committee.appoint(
            member="account:ana",
            college="public",
            role=MemberRole.CHAIR,
            start=START,
            cause=APPOINTING,
        )
        event = only_event(committee, Committee.MemberAppointed)
        assert_caused_by(event, APPOINTING)
        assert (event.member, event.college, event.role, event.start) == (
            "account:ana",
            "public",
            "chair",
            "2030-01-01",
        )

    def test_refuses_an_unknown_college(self) -> None:
        """One sits in one of the committee's colleges."""
        committee = created()
        with refused(InvalidMembership, committee):
            committee.appoint(
                member="account:x",
                college="clergy",
                role=MemberRole.MEMBER,
                start=START,
                cause=APPOINTING,
            )

    def test_refuses_a_member_beyond_the_college_seats(self) -> None:
        """The businesses' one seat is taken by ben."""
        committee = seated()
        with refused(SeatsFull, committee):
            committee.appoint(
                member="account:eve",
                college="business",
                role=MemberRole.MEMBER,
                start=START + timedelta(days=30),
                cause=APPOINTING,
            )

    def test_refuses_a_backdated_appointment_that_would_overfill_a_later_day(self) -> None:
        """Free before ben's start, but eve would still sit when ben starts."""
        committee = seated()
        with refused(SeatsFull, committee):
            committee.appoint(
                member="account:eve",
                college="business",
                role=MemberRole.MEMBER,
                start=START - timedelta(days=30),
                cause=APPOINTING,
            )

    def test_an_observer_takes_no_seat(self) -> None:
        """The business college is full, yet an observer may join it."""
        committee = seated()
        committee.appoint(
            member="account:eve",
            college="business",
            role=MemberRole.OBSERVER,
            start=START,
            cause=APPOINTING,
        )
        assert only_event(committee, Committee.MemberAppointed).role == "observer"

    def test_a_departure_frees_the_seat_from_its_end_date(self) -> None:
        """Ben leaves on 1 June: eve can sit from 1 June, not from the day before."""
        committee = seated()
        june = date(2030, 6, 1)
        committee.depart(member="account:ben", end=june, cause=APPOINTING)
        drained(committee)
        with refused(SeatsFull, committee):
            committee.appoint(
                member="account:eve",
                college="business",
                role=MemberRole.MEMBER,
                start=june - timedelta(days=1),
                cause=APPOINTING,
            )
        committee.appoint(
            member="account:eve",
            college="business",
            role=MemberRole.MEMBER,
            start=june,
            cause=APPOINTING,
        )
        assert only_event(committee, Committee.MemberAppointed).member == "account:eve"

    def test_one_person_sits_once_at_a_time(self) -> None:
        """Ana sits in the public college: she cannot also sit for the citizens."""
        committee = created()
        committee.appoint(
            member="account:ana",
            college="public",
            role=MemberRole.MEMBER,
            start=START,
            cause=APPOINTING,
        )
        with refused(AlreadySitting, committee):
            committee.appoint(
                member="account:ana",
                college="citizens",
                role=MemberRole.MEMBER,
                start=START + timedelta(days=10),
                cause=APPOINTING,
            )

    def test_a_role_changes_by_leaving_and_being_appointed_again(self) -> None:
        """Ana leaves as member and comes back as secretary the same day."""
        committee = seated()
        change = date(2030, 9, 1)
        committee.depart(member="account:ana", end=change, cause=APPOINTING)
        committee.appoint(
            member="account:ana",
            college="public",
            role=MemberRole.SECRETARY,
            start=change,
            cause=APPOINTING,
        )
        before = committee.seat_of("account:ana", change - timedelta(days=1))
        after = committee.seat_of("account:ana", change)
        assert before is not None
        assert after is not None
        assert (before.role, after.role) == (MemberRole.MEMBER, MemberRole.SECRETARY)


class TestDepart:
    def test_records_the_departure_with_an_iso_date(self) -> None:
        """The member and the end date are recorded."""
        committee = seated()
        committee.depart(member="account:ben", end=date(2030, 6, 1), cause=APPOINTING)
        event = only_event(committee, Committee.MemberDeparted)
        assert (event.member, event.end) == ("account:ben", "2030-06-01")

    def test_refuses_someone_not_sitting(self) -> None:
        """Nobody named eve sits on the committee."""
        committee = seated()
        with refused(NotSitting, committee):
            committee.depart(member="account:eve", end=START, cause=APPOINTING)

    def test_refuses_an_end_before_the_start(self) -> None:
        """A departure cannot precede the appointment."""
        committee = seated()
        with refused(InvalidMembership, committee):
            committee.depart(member="account:ben", end=START - timedelta(days=1), cause=APPOINTING)


class TestMembersOn:
    def test_membership_as_of_any_date(self) -> None:
        """Nobody before START, seven from START, six once ben has left (on his end date)."""
        committee = seated()
        june = date(2030, 6, 1)
        committee.depart(member="account:ben", end=june, cause=APPOINTING)
        assert committee.members_on(START - timedelta(days=1)) == []
        assert len(committee.members_on(START)) == 7
        assert "account:ben" in {t.member for t in committee.members_on(june - timedelta(days=1))}
        assert "account:ben" not in {t.member for t in committee.members_on(june)}
        assert len(list(committee.voting_members_on(june))) == 5


class TestReferral:
    def test_the_threshold_policy_refers_a_petition_once(self) -> None:
        """The first referral is recorded; a second one records nothing."""
        committee = created()
        petition_id = uuid4()
        assert committee.refer_petition(petition_id=petition_id, cause=REFERRAL)
        event = only_event(committee, Committee.PetitionReferred)
        assert_caused_by(event, REFERRAL)
        assert event.petition_id == petition_id
        assert not committee.refer_petition(petition_id=petition_id, cause=REFERRAL)
        assert committee.collect_events() == []

    def test_a_person_does_not_refer_a_petition(self) -> None:
        """Only a `system:` policy refers petitions; members table motions instead."""
        committee = seated()
        with refused(NotEntitled, committee):
            committee.refer_petition(
                petition_id=uuid4(), cause=Cause("account:chair", "corr-refer")
            )


@pytest.fixture
def application() -> Iterator[Application[UUID]]:
    """An application over the library's in-memory event store."""
    application: Application[UUID] = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield application
    application.close()


class TestReplay:
    def test_a_committee_rebuilt_from_its_events_has_the_same_state(
        self, application: Application[UUID]
    ) -> None:
        """Created, members appointed and gone, rules changed, a referral: the same state."""
        committee = Committee.create(
            name="C",
            serves=ServesKind.TERRITORY,
            serves_name="T",
            colleges=COLLEGES,
            quorum=QuorumRule(),
            majority=MajorityRule(),
            cause=FOUNDING,
        )
        for member, college, role in MEMBERS:
            committee.appoint(
                member=member, college=college, role=role, start=START, cause=APPOINTING
            )
        committee.depart(member="account:ben", end=date(2030, 6, 1), cause=APPOINTING)
        committee.change_rules(
            quorum=QuorumRule(per_college=1),
            majority=MajorityRule(MajorityKind.QUALIFIED, Fraction(3, 5)),
            cause=APPOINTING,
        )
        committee.refer_petition(petition_id=uuid4(), cause=REFERRAL)
        application.save(committee)

        rebuilt: Committee = application.repository.get(committee.id)

        assert vars(rebuilt) == vars(committee)
