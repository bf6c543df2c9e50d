"""Steering committees through `civic.committees` on a real database: membership over time, a
meeting that answers a referred petition, the referral policy, and refusals that leave no trace."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from fractions import Fraction
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from application.errors import CommitteeNotFound, DecisionNotFound, MeetingNotFound
from application.read_models import THRESHOLD_POLICY_ACTOR
from application.system import CivicLedger
from application.tables import audit_events
from domain.committee import (
    AlreadySitting,
    College,
    InvalidCommittee,
    MemberRole,
    NotAMember,
    RoleRequired,
    SeatsFull,
    ServesKind,
)
from domain.errors import InvalidPetition
from domain.events import Cause
from domain.majority import Choice, InvalidRule, MajorityKind, MajorityRule, QuorumRule
from domain.meeting import MinutesRequired, NoQuorum, NotReferred
from domain.petition import COMMITTEE_AGENDA, CommitteeThreshold, Threshold

Unchanged = Callable[[], AbstractContextManager[None]]
START = date(2030, 1, 1)
DAY = date(2030, 3, 1)
CHAIR, SECRETARY, ANA, BEN, OLGA = "acc-chair", "acc-secretary", "acc-ana", "acc-ben", "acc-olga"
COLLEGES = [College("public", "Public authorities", 2), College("citizens", "Citizens", 3)]


def cause(actor: str, reason: str | None = None) -> Cause:
    """A cause with a fresh correlation id."""
    return Cause(actor=actor, correlation_id=str(uuid4()), reason=reason)


def committee(civic: CivicLedger) -> UUID:
    """A committee of two colleges with a chair, a secretary, two members and an observer."""
    committee_id = civic.committees.create(
        name="Mobility steering committee",
        serves=ServesKind.TERRITORY,
        serves_name="Grenoble-Alpes",
        colleges=COLLEGES,
        quorum=QuorumRule(),
        majority=MajorityRule(),
        cause=cause("admin"),
    )
    for member, college, role in [
        (CHAIR, "public", MemberRole.CHAIR),
        (SECRETARY, "public", MemberRole.SECRETARY),
        (ANA, "citizens", MemberRole.MEMBER),
        (BEN, "citizens", MemberRole.MEMBER),
        (OLGA, "citizens", MemberRole.OBSERVER),
    ]:
        civic.committees.appoint(
            committee_id, member=member, college=college, role=role, start=START, cause=cause("a")
        )
    return committee_id


def referred_petition(
    civic: CivicLedger, committee_id: UUID, open_petition: Callable[..., UUID]
) -> UUID:
    """A petition whose first signature refers it to the committee."""
    petition_id = open_petition(thresholds=[CommitteeThreshold(1, COMMITTEE_AGENDA, committee_id)])
    civic.petitions.sign(petition_id, signer="citizen:zoe", cause=cause("citizen:zoe"))
    return petition_id


ALL_FOR = {CHAIR: Choice.FOR, SECRETARY: Choice.FOR, ANA: Choice.FOR, BEN: Choice.AGAINST}


class TestMembership:
    def test_members_as_of_a_date_follow_appointments_and_departures(
        self, civic: CivicLedger
    ) -> None:
        """A departure ends a seat from its day; a later appointment starts from its own."""
        committee_id = committee(civic)
        civic.committees.depart(committee_id, member=BEN, end=date(2030, 2, 1), cause=cause("a"))
        civic.committees.appoint(
            committee_id,
            member="acc-cleo",
            college="citizens",
            role=MemberRole.MEMBER,
            start=date(2030, 2, 1),
            cause=cause("a"),
        )
        january = civic.committees.members(committee_id, as_of=date(2030, 1, 31))
        february = civic.committees.members(committee_id, as_of=date(2030, 2, 1))
        before = civic.committees.members(committee_id, as_of=date(2029, 12, 31))
        assert [m["member"] for m in january] == [ANA, BEN, OLGA, CHAIR, SECRETARY]
        assert [m["member"] for m in february] == [ANA, "acc-cleo", OLGA, CHAIR, SECRETARY]
        assert before == []
        assert february[0] == {
            "member": ANA,
            "college": "citizens",
            "role": "member",
            "start": START,
            "end": None,
            "organisation_id": None,
        }

    def test_an_appointment_and_a_departure_in_one_batch_project_as_replayed(
        self,
        civic: CivicLedger,
        open_civic: Callable[[], CivicLedger],
        views: Callable[..., object],
    ) -> None:
        """Rebuilding the views from the log gives the rows the commands left."""
        committee_id = committee(civic)
        civic.committees.depart(committee_id, member=BEN, end=date(2030, 2, 1), cause=cause("a"))
        civic.committees.appoint(
            committee_id,
            member=BEN,
            college="citizens",
            role=MemberRole.MEMBER,
            start=date(2030, 4, 1),
            cause=cause("a"),
        )
        before = views(civic)
        civic.read_models.rebuild()
        assert views(civic) == before
        assert views(open_civic()) == before

    def test_committee_refusals_leave_no_trace(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """A full college, a member sitting twice, bad rules, unknown committee: nothing."""
        committee_id = committee(civic)
        refusals: list[tuple[type[Exception], Callable[[], object]]] = [
            (
                SeatsFull,
                lambda: civic.committees.appoint(
                    committee_id,
                    member="acc-x",
                    college="public",
                    role=MemberRole.MEMBER,
                    start=START,
                    cause=cause("a"),
                ),
            ),
            (
                AlreadySitting,
                lambda: civic.committees.appoint(
                    committee_id,
                    member=ANA,
                    college="citizens",
                    role=MemberRole.MEMBER,
                    start=DAY,
                    cause=cause("a"),
                ),
            ),
            (
                InvalidRule,
                lambda: civic.committees.change_rules(
                    committee_id,
                    quorum=QuorumRule(),
                    majority=MajorityRule(MajorityKind.QUALIFIED, Fraction(1, 3)),
                    cause=cause("a"),
                ),
            ),
            (
                CommitteeNotFound,
                lambda: civic.committees.depart(uuid4(), member=ANA, end=DAY, cause=cause("a")),
            ),
            (
                InvalidCommittee,
                lambda: civic.committees.create(
                    name="",
                    serves=ServesKind.ALLIANCE,
                    serves_name="x",
                    colleges=COLLEGES,
                    quorum=QuorumRule(),
                    majority=MajorityRule(),
                    cause=cause("a"),
                ),
            ),
        ]
        for error, command in refusals:
            with unchanged(), pytest.raises(error):
                command()


class TestMeeting:
    def test_a_meeting_answers_a_referred_petition_which_cites_the_decision(
        self, civic: CivicLedger, open_petition: Callable[..., UUID]
    ) -> None:
        """Referred, taken up, decided by roll call, minuted, closed; the petition lists the
        decision and its response cites it."""
        committee_id = committee(civic)
        petition_id = referred_petition(civic, committee_id, open_petition)
        meeting_id = civic.committees.convene(
            committee_id, held_on=DAY, agenda=["Minutes of the last meeting"], cause=cause(CHAIR)
        )
        item = civic.committees.take_up_petition(
            meeting_id, petition_id=petition_id, cause=cause(SECRETARY)
        )
        motion = civic.committees.table_motion(
            meeting_id, title="A tram study", text=None, cause=cause(ANA)
        )
        assert (item, motion) == (2, 3)
        civic.committees.record_attendance(
            meeting_id, present=[CHAIR, SECRETARY, ANA, BEN, OLGA], cause=cause(CHAIR)
        )
        civic.committees.declare_conflict(meeting_id, item=motion, cause=cause(BEN))
        decision_id = civic.committees.decide(
            meeting_id,
            item=item,
            votes=ALL_FOR,
            rationale="Fits the plan.",
            answers=[],
            cause=cause(CHAIR),
        )
        civic.committees.publish_minutes(meeting_id, text="We met.", cause=cause(SECRETARY))
        civic.committees.close_meeting(meeting_id, cause=cause(CHAIR))

        meeting = civic.committees.meeting(meeting_id)
        assert meeting["status"] == "closed"
        assert meeting["attendance"] == sorted([CHAIR, SECRETARY, ANA, BEN, OLGA])
        assert [i["kind"] for i in meeting["agenda"]] == ["agenda", "petition", "motion"]
        assert meeting["agenda"][1]["petition_id"] == str(petition_id)
        assert meeting["agenda"][1]["decision_id"] == str(decision_id)
        assert meeting["agenda"][2]["recused"] == [BEN]
        [decision] = meeting["decisions"]
        assert decision == civic.committees.decision(decision_id)
        assert decision["adopted"] is True
        assert decision["counts"] == {"for": 3, "against": 1, "abstain": 0}
        assert decision["votes"][BEN] == "against"
        assert decision["answers"] == [{"kind": "petition", "id": str(petition_id)}]
        [answer] = civic.petitions.decisions(petition_id)
        assert answer["decision_id"] == decision_id
        assert answer["meeting_id"] == meeting_id
        assert answer["committee_id"] == committee_id

        civic.petitions.respond(
            petition_id,
            text="The tram is studied.",
            decision_id=decision_id,
            cause=cause("committee:cc"),
        )
        assert civic.petitions.get(petition_id)["response_decision_id"] == decision_id
        assert civic.petitions.as_of(petition_id, version=4)["response_decision_id"] == decision_id
        meetings = civic.committees.meetings(committee_id, after=None, limit=10)
        assert [m["id"] for m in meetings.items] == [meeting_id]
        with civic.ledger.engine.connect() as connection:
            parents = connection.scalars(
                select(audit_events.c.parent_id).where(audit_events.c.aggregate_id == meeting_id)
            ).all()
        assert set(parents) == {committee_id}

    def test_meeting_refusals_leave_no_trace(
        self,
        civic: CivicLedger,
        open_petition: Callable[..., UUID],
        unchanged: Unchanged,
    ) -> None:
        """Outsiders, observers, no quorum, a petition not referred, closing without minutes,
        citing a decision that did not answer the petition: nothing is recorded."""
        committee_id = committee(civic)
        petition_id = open_petition()
        meeting_id = civic.committees.convene(
            committee_id, held_on=DAY, agenda=["A"], cause=cause(CHAIR)
        )
        civic.committees.record_attendance(meeting_id, present=[CHAIR], cause=cause(CHAIR))
        other = referred_petition(civic, committee_id, open_petition)
        item = civic.committees.take_up_petition(meeting_id, petition_id=other, cause=cause(CHAIR))
        civic.committees.record_attendance(
            meeting_id, present=[CHAIR, SECRETARY, ANA, BEN], cause=cause(CHAIR)
        )
        decision_id = civic.committees.decide(
            meeting_id, item=item, votes=ALL_FOR, rationale="Yes.", answers=[], cause=cause(CHAIR)
        )
        civic.committees.record_attendance(meeting_id, present=[CHAIR], cause=cause(CHAIR))
        refusals: list[tuple[type[Exception], Callable[[], object]]] = [
            (
                NotAMember,
                lambda: civic.committees.table_motion(
                    meeting_id, title="Mine", text=None, cause=cause("acc-zoe")
                ),
            ),
            (
                RoleRequired,
                lambda: civic.committees.convene(
                    committee_id, held_on=DAY, agenda=[], cause=cause(ANA)
                ),
            ),
            (
                NoQuorum,
                lambda: civic.committees.decide(
                    meeting_id,
                    item=1,
                    votes={CHAIR: Choice.FOR},
                    rationale="r",
                    answers=[],
                    cause=cause(CHAIR),
                ),
            ),
            (
                NotReferred,
                lambda: civic.committees.take_up_petition(
                    meeting_id, petition_id=petition_id, cause=cause(CHAIR)
                ),
            ),
            (
                MinutesRequired,
                lambda: civic.committees.close_meeting(meeting_id, cause=cause(CHAIR)),
            ),
            (
                MeetingNotFound,
                lambda: civic.committees.close_meeting(committee_id, cause=cause(CHAIR)),
            ),
            (
                InvalidPetition,
                lambda: civic.petitions.respond(
                    petition_id, text="No.", decision_id=decision_id, cause=cause("c")
                ),
            ),
        ]
        for error, command in refusals:
            with unchanged(), pytest.raises(error):
                command()
        with pytest.raises(DecisionNotFound):
            civic.committees.decision(uuid4())


class TestReferralPolicy:
    def test_a_committee_agenda_threshold_refers_the_petition_once(
        self, civic: CivicLedger, open_petition: Callable[..., UUID]
    ) -> None:
        """The signature that reaches the threshold refers the petition, in its transaction;
        withdrawing and signing again refers nothing more."""
        committee_id = committee(civic)
        petition_id = open_petition(
            thresholds=[CommitteeThreshold(2, COMMITTEE_AGENDA, committee_id)]
        )
        civic.petitions.sign(petition_id, signer="citizen:a", cause=cause("citizen:a"))
        assert civic.committees.get(committee_id)["referrals"] == []
        signing = cause("citizen:b")
        civic.petitions.sign(petition_id, signer="citizen:b", cause=signing)
        civic.petitions.withdraw_signature(petition_id, signer="citizen:b", cause=cause("b"))
        civic.petitions.sign(petition_id, signer="citizen:b", cause=cause("citizen:b"))
        referrals = civic.committees.get(committee_id)["referrals"]
        assert [r["petition_id"] for r in referrals] == [str(petition_id)]
        with civic.ledger.engine.connect() as connection:
            referred = connection.execute(
                select(audit_events.c.actor, audit_events.c.correlation_id).where(
                    audit_events.c.type == "Committee.PetitionReferred"
                )
            ).all()
        assert [tuple(row) for row in referred] == [
            (THRESHOLD_POLICY_ACTOR, signing.correlation_id)
        ]
        threshold = civic.petitions.get(petition_id)["thresholds"][0]
        assert threshold["committee_id"] == str(committee_id)

    def test_lodging_checks_the_committee(self, civic: CivicLedger, unchanged: Unchanged) -> None:
        """A committee_agenda threshold names an existing committee; no other names one."""
        committee_id = committee(civic)
        refused: list[list[Threshold]] = [
            [CommitteeThreshold(5, COMMITTEE_AGENDA, uuid4())],
            [CommitteeThreshold(5, "citizen_vote", committee_id)],
        ]
        for thresholds in refused:
            with unchanged(), pytest.raises(InvalidPetition):
                civic.petitions.lodge(
                    title="T", text="X", deadline=None, thresholds=thresholds, cause=cause("c")
                )
