"""Consultations through `civic.consultations` on a real database: a consultation runs from its
draft to its official response on the clock, moderation hides without erasing, answer sets are
one per participant, overdue responses are listed, and refusals leave no trace."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from application.consultations import Reader
from application.errors import ConsultationNotFound, ContributionNotFound, VersionNotFound
from application.system import CivicLedger
from application.tables import audit_events
from domain.committee import College, MemberRole, ServesKind
from domain.consultation import (
    Activity,
    InvalidResponse,
    InvalidSynthesis,
    NotAllowedNow,
    Outcome,
    OutcomeKind,
    Phase,
)
from domain.consultation_contribution import AlreadyEndorsed, ContributionKind
from domain.consultation_questions import InvalidAnswers, Question, QuestionKind
from domain.events import Cause
from domain.majority import Choice, MajorityRule, QuorumRule

from .conftest import START, ManualClock

Unchanged = Callable[[], AbstractContextManager[None]]
CHAIR, ANA, BEN = "acc-chair", "acc-ana", "acc-ben"
MODERATOR = Reader(account="acc-mo", sees_hidden=True)
QUESTIONS = [
    Question(
        "need", "What do you need most?", QuestionKind.SINGLE, (("bus", "Bus"), ("bike", "Bike"))
    ),
    Question("rank", "Rank these", QuestionKind.RANKING, (("a", "A"), ("b", "B"), ("c", "C"))),
    Question("score", "How satisfied are you?", QuestionKind.SCALE, scale_min=1, scale_max=5),
]


def cause(actor: str, reason: str | None = None) -> Cause:
    """A cause with a fresh correlation id."""
    return Cause(actor=actor, correlation_id=str(uuid4()), reason=reason)


def committee(civic: CivicLedger) -> UUID:
    """A committee of three voting members."""
    committee_id = civic.committees.create(
        name="Mobility committee",
        serves=ServesKind.ALLIANCE,
        serves_name="Sillon Lorrain",
        colleges=[College("citizens", "Citizens", 3)],
        quorum=QuorumRule(),
        majority=MajorityRule(),
        cause=cause("admin"),
    )
    for member, role in [
        (CHAIR, MemberRole.CHAIR),
        (ANA, MemberRole.MEMBER),
        (BEN, MemberRole.MEMBER),
    ]:
        civic.committees.appoint(
            committee_id,
            member=member,
            college="citizens",
            role=role,
            start=date(2029, 1, 1),
            cause=cause("admin"),
        )
    return committee_id


def decision(civic: CivicLedger, committee_id: UUID, consultation_id: UUID) -> UUID:
    """A decision of the committee answering the consultation."""
    meeting_id = civic.committees.convene(
        committee_id, held_on=START.date(), agenda=[], cause=cause(CHAIR)
    )
    civic.committees.record_attendance(meeting_id, present=[CHAIR, ANA, BEN], cause=cause(CHAIR))
    item = civic.committees.table_motion(
        meeting_id, title="Mobility plan", text=None, cause=cause(ANA)
    )
    return civic.committees.decide(
        meeting_id,
        item=item,
        votes={CHAIR: Choice.FOR, ANA: Choice.FOR, BEN: Choice.FOR},
        rationale="Bus lanes first.",
        answers=[{"kind": "consultation", "id": str(consultation_id)}],
        cause=cause(CHAIR),
    )


def draft(civic: CivicLedger, committee_id: UUID) -> UUID:
    """Information for a day, then ten days open to everything, closing; response due in 60."""
    return civic.consultations.draft(
        title="Plan de mobilité",
        description="What do you need to get around?",
        territory="Sillon Lorrain",
        committee_id=committee_id,
        opens_at=START,
        phases=[
            Phase("Information", START + timedelta(days=1)),
            Phase("Contributions", START + timedelta(days=11), frozenset(Activity)),
        ],
        questions=QUESTIONS,
        response_days=60,
        cause=cause(CHAIR),
    )


@pytest.fixture
def running(civic: CivicLedger, clock: ManualClock) -> tuple[UUID, UUID]:
    """A committee and its consultation, in its contributions phase."""
    committee_id = committee(civic)
    consultation_id = draft(civic, committee_id)
    clock.advance(timedelta(days=2))
    return committee_id, consultation_id


class TestFromDraftToResponse:
    def test_a_consultation_runs_on_its_dates_to_its_official_response(
        self, civic: CivicLedger, clock: ManualClock
    ) -> None:
        """Information first (no contributions), then contributions, closure at the date,
        synthesis, then the response citing a committee decision; overdue until answered."""
        committee_id = committee(civic)
        consultation_id = draft(civic, committee_id)
        assert civic.consultations.get(consultation_id)["status"] == "open"
        with pytest.raises(NotAllowedNow):
            civic.consultations.contribute(
                consultation_id,
                kind=ContributionKind.PROPOSAL,
                title="T",
                text="X",
                themes=[],
                cause=cause("ada"),
            )
        clock.advance(timedelta(days=2))
        view = civic.consultations.get(consultation_id)
        assert (view["phase"], view["phase_name"]) == (2, "Contributions")
        first = civic.consultations.contribute(
            consultation_id,
            kind=ContributionKind.PROPOSAL,
            title="Bus lanes",
            text="On the A31.",
            themes=["bus"],
            cause=cause("ada"),
        )
        civic.consultations.answer(
            consultation_id,
            participant="ada",
            answers={"need": "bus", "rank": ["b", "a"], "score": 4},
            cause=cause("ada"),
        )
        clock.advance(timedelta(days=10))
        view = civic.consultations.get(consultation_id)
        assert (view["status"], view["overdue"]) == ("closed", False)
        with pytest.raises(NotAllowedNow):
            civic.consultations.endorse(
                consultation_id, first, participant="bea", cause=cause("bea")
            )
        civic.consultations.publish_synthesis(
            consultation_id,
            text="Bus lanes come first.",
            outcomes=[Outcome(first, OutcomeKind.TAKEN_UP, "the most asked for")],
            cause=cause(CHAIR),
        )
        clock.advance(timedelta(days=61))
        assert [
            c["id"]
            for c in civic.consultations.list_consultations(
                overdue=True, after=None, limit=10
            ).items
        ] == [consultation_id]
        decision_id = decision(civic, committee_id, consultation_id)
        civic.consultations.respond(
            consultation_id, text="Lanes in 2031.", decision_ids=[decision_id], cause=cause(CHAIR)
        )
        view = civic.consultations.get(consultation_id)
        assert (view["status"], view["overdue"]) == ("answered", False)
        assert view["response_decision_ids"] == [str(decision_id)]
        assert (
            civic.consultations.list_consultations(overdue=True, after=None, limit=10).items == []
        )
        [row] = civic.consultations.contributions(
            consultation_id, reader=Reader(), after=None, limit=10
        ).items
        assert (row["outcome"], row["outcome_reason"]) == ("taken_up", "the most asked for")

    def test_an_early_change_moves_the_phase_and_the_deadline(
        self, civic: CivicLedger, running: tuple[UUID, UUID]
    ) -> None:
        """Closing early, with a reason, closes now and brings the response's deadline forward."""
        _, consultation_id = running
        before = civic.consultations.get(consultation_id)["response_due_at"]
        civic.consultations.advance_phase(consultation_id, cause=cause(CHAIR, "enough heard"))
        view = civic.consultations.get(consultation_id)
        assert view["status"] == "closed"
        assert view["response_due_at"] < before
        assert view["advances"][0]["reason"] == "enough heard"


class TestModeration:
    def test_hidden_from_the_public_shown_to_its_author_and_moderators(
        self, civic: CivicLedger, running: tuple[UUID, UUID]
    ) -> None:
        """A hidden contribution leaves the public list and counts; its author sees why; a
        moderator sees all; showing it again restores it; the log keeps every step."""
        _, consultation_id = running
        kept = civic.consultations.contribute(
            consultation_id,
            kind=ContributionKind.OBSERVATION,
            title="Trains",
            text="Late.",
            themes=[],
            cause=cause("ada"),
        )
        rude = civic.consultations.contribute(
            consultation_id,
            kind=ContributionKind.PROPOSAL,
            title="Rude",
            text="Insults.",
            themes=[],
            cause=cause("bob"),
        )
        civic.consultations.moderate_contribution(
            consultation_id, rude, hide=True, cause=cause("acc-mo", "insults")
        )

        def ids(reader: Reader) -> list[UUID]:
            page = civic.consultations.contributions(
                consultation_id, reader=reader, after=None, limit=10
            )
            return [r["id"] for r in page.items]

        assert ids(Reader()) == [kept]
        assert ids(Reader(account="ada")) == [kept]
        assert ids(Reader(account="bob")) == [kept, rude]
        assert ids(MODERATOR) == [kept, rude]
        with pytest.raises(ContributionNotFound):
            civic.consultations.contribution(consultation_id, rude, reader=Reader())
        mine = civic.consultations.contribution(consultation_id, rude, reader=Reader(account="bob"))
        assert (mine["hidden"], mine["hidden_reason"]) == (True, "insults")
        view = civic.consultations.get(consultation_id)
        assert (view["contribution_count"], view["hidden_count"]) == (2 - 1, 1)
        civic.consultations.moderate_contribution(
            consultation_id, rude, hide=False, cause=cause("acc-mo", "appeal upheld")
        )
        assert ids(Reader()) == [kept, rude]
        history = civic.audit.events(aggregate_id=rude).items
        assert [e["type"] for e in history] == [
            "Contribution.Submitted",
            "Contribution.Hidden",
            "Contribution.Unhidden",
        ]

    def test_a_hidden_comment_and_a_reason_required(
        self, civic: CivicLedger, running: tuple[UUID, UUID], unchanged: Unchanged
    ) -> None:
        """A hidden comment leaves the public list and the count; hiding needs a reason."""
        _, consultation_id = running
        contribution = civic.consultations.contribute(
            consultation_id,
            kind=ContributionKind.PROPOSAL,
            title="Bikes",
            text="Lanes.",
            themes=[],
            cause=cause("ada"),
        )
        comment = civic.consultations.comment(
            consultation_id, contribution, text="Spam", cause=cause("bob")
        )
        with unchanged(), pytest.raises(Exception, match="reason"):
            civic.consultations.moderate_comment(
                consultation_id, comment, hide=True, cause=cause("acc-mo")
            )
        civic.consultations.moderate_comment(
            consultation_id, comment, hide=True, cause=cause("acc-mo", "spam")
        )
        assert civic.consultations.comments(consultation_id, contribution, reader=Reader()) == []
        [seen] = civic.consultations.comments(consultation_id, contribution, reader=MODERATOR)
        assert seen["hidden_reason"] == "spam"
        assert (
            civic.consultations.contribution(consultation_id, contribution, reader=Reader())[
                "comment_count"
            ]
            == 0
        )


class TestParticipation:
    def test_one_answer_set_per_participant_replaceable(
        self, civic: CivicLedger, running: tuple[UUID, UUID], unchanged: Unchanged
    ) -> None:
        """A second answer set replaces the first; results count the standing ones; a wrong
        answer is refused without a trace."""
        _, consultation_id = running
        assert (
            civic.consultations.answer(
                consultation_id, participant="ada", answers={"need": "bike"}, cause=cause("ada")
            )
            is False
        )
        assert (
            civic.consultations.answer(
                consultation_id,
                participant="ada",
                answers={"need": "bus", "rank": ["c"], "score": 5},
                cause=cause("ada"),
            )
            is True
        )
        civic.consultations.answer(
            consultation_id,
            participant="bob",
            answers={"need": "bus", "rank": ["a", "c"], "score": 2},
            cause=cause("bob"),
        )
        with unchanged(), pytest.raises(InvalidAnswers):
            civic.consultations.answer(
                consultation_id, participant="cyd", answers={"score": 9}, cause=cause("cyd")
            )
        results = civic.consultations.results(consultation_id)
        need, rank, score = results["questions"]
        assert results["respondents"] == 2
        assert need["counts"] == {"bus": 2, "bike": 0}
        assert rank["ranking"] == ["c", "a", "b"]
        assert score["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
        assert civic.consultations.get(consultation_id)["answer_count"] == 2

    def test_one_endorsement_per_participant_withdrawable(
        self, civic: CivicLedger, running: tuple[UUID, UUID], unchanged: Unchanged
    ) -> None:
        """A second endorsement is refused; a withdrawn one may be given again."""
        _, consultation_id = running
        contribution = civic.consultations.contribute(
            consultation_id,
            kind=ContributionKind.PROPOSAL,
            title="Trams",
            text="Please.",
            themes=[],
            cause=cause("ada"),
        )
        civic.consultations.endorse(
            consultation_id, contribution, participant="bob", cause=cause("bob")
        )
        with unchanged(), pytest.raises(AlreadyEndorsed):
            civic.consultations.endorse(
                consultation_id, contribution, participant="bob", cause=cause("bob")
            )
        civic.consultations.withdraw_endorsement(
            consultation_id, contribution, participant="bob", cause=cause("bob")
        )
        civic.consultations.endorse(
            consultation_id, contribution, participant="bob", cause=cause("bob")
        )
        row: dict[str, Any] = civic.consultations.contribution(
            consultation_id, contribution, reader=Reader()
        )
        assert row["endorsement_count"] == 1

    def test_synthesis_and_response_cite_what_exists(
        self, civic: CivicLedger, running: tuple[UUID, UUID], unchanged: Unchanged
    ) -> None:
        """A synthesis naming an unknown contribution, a response citing an unknown decision:
        422, nothing recorded."""
        _, consultation_id = running
        civic.consultations.advance_phase(consultation_id, cause=cause(CHAIR, "closing"))
        with unchanged(), pytest.raises(InvalidSynthesis):
            civic.consultations.publish_synthesis(
                consultation_id,
                text="S",
                outcomes=[Outcome(uuid4(), OutcomeKind.SET_ASIDE, "?")],
                cause=cause(CHAIR),
            )
        civic.consultations.publish_synthesis(
            consultation_id, text="S", outcomes=[], cause=cause(CHAIR)
        )
        with unchanged(), pytest.raises(InvalidResponse):
            civic.consultations.respond(
                consultation_id, text="R", decision_ids=[uuid4()], cause=cause(CHAIR)
            )

    def test_the_views_rebuild_to_the_same_rows(
        self,
        civic: CivicLedger,
        running: tuple[UUID, UUID],
        views: Callable[[CivicLedger], dict[str, Any]],
    ) -> None:
        """Rebuilding from position zero gives the same consultation rows."""
        _, consultation_id = running
        contribution = civic.consultations.contribute(
            consultation_id,
            kind=ContributionKind.PROPOSAL,
            title="Trams",
            text="Please.",
            themes=[],
            cause=cause("ada"),
        )
        civic.consultations.comment(consultation_id, contribution, text="Yes", cause=cause("bob"))
        civic.consultations.endorse(
            consultation_id, contribution, participant="bob", cause=cause("bob")
        )
        civic.consultations.answer(
            consultation_id, participant="bob", answers={"need": "bus"}, cause=cause("bob")
        )
        civic.consultations.moderate_contribution(
            consultation_id, contribution, hide=True, cause=cause("mo", "off topic")
        )
        before = views(civic)
        civic.read_models.rebuild()
        assert views(civic) == before


DERIVED = ("status", "phase", "phase_name", "allows_now", "overdue")  # from the clock, not events


def stored(view: dict[str, Any]) -> dict[str, Any]:
    """What the events make of a consultation's view, without what the clock decides."""
    return {k: v for k, v in view.items() if k not in DERIVED}


class TestAsItStood:
    def test_each_version_and_instant_reads_as_the_view_did_then(
        self, civic: CivicLedger, clock: ManualClock
    ) -> None:
        """Contributions counted and hidden, answers, synthesis and response: at each version
        of the consultation and at each instant a contribution was recorded, the view as it was."""
        committee_id = committee(civic)
        consultation_id = draft(civic, committee_id)
        seen = {1: civic.consultations.get(consultation_id)}
        clock.advance(timedelta(days=2))
        contributions, after_each = [], []
        for n, who in enumerate(["ada", "bea", "cyd"]):
            contributions.append(
                civic.consultations.contribute(
                    consultation_id,
                    kind=ContributionKind.PROPOSAL,
                    title=f"Idea {n}",
                    text="More buses.",
                    themes=["bus"],
                    cause=cause(who),
                )
            )
            after_each.append(civic.consultations.get(consultation_id))
        civic.consultations.moderate_contribution(
            consultation_id, contributions[1], hide=True, cause=cause("acc-mo", "off topic")
        )
        hidden = civic.consultations.get(consultation_id)
        clock.advance(timedelta(days=10))
        civic.consultations.publish_synthesis(
            consultation_id,
            text="Buses first.",
            outcomes=[Outcome(contributions[0], OutcomeKind.TAKEN_UP, "asked for")],
            cause=cause(CHAIR),
        )
        seen[2] = civic.consultations.get(consultation_id)

        for version, view in seen.items():
            past = civic.consultations.as_of(consultation_id, version=version)
            assert stored(past) == stored(view)
        c = audit_events.c
        with civic.ledger.engine.connect() as connection:
            times = connection.scalars(
                select(c.timestamp).where(c.aggregate_id.in_(contributions)).order_by(c.position)
            ).all()
        for when, view in zip(times, after_each, strict=False):
            assert stored(civic.consultations.as_of(consultation_id, instant=when)) == stored(view)
        at_hiding = civic.consultations.as_of(consultation_id, instant=times[-1])
        assert (at_hiding["contribution_count"], at_hiding["hidden_count"]) == (
            hidden["contribution_count"],
            hidden["hidden_count"],
        )
        first = civic.consultations.as_of(consultation_id, version=1)
        assert (first["contribution_count"], first["synthesis"]) == (0, None)
        with pytest.raises(VersionNotFound):
            civic.consultations.as_of(consultation_id, version=3)
        with pytest.raises(ConsultationNotFound):
            civic.consultations.as_of(committee_id, version=1)
