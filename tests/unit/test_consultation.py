"""Consultations by their events: the phase rules (what each phase allows, at its dates or moved
early with a reason), moderation, one answer set and one endorsement per participant, the
synthesis after the closure and the response by its deadline."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from domain.consultation import (
    Activity,
    AlreadyClosed,
    AlreadySynthesised,
    Consultation,
    ConsultationAnswered,
    InvalidConsultation,
    InvalidResponse,
    InvalidSynthesis,
    NotAllowedNow,
    NotClosed,
    Outcome,
    OutcomeKind,
    Phase,
    Status,
    SynthesisRequired,
)
from domain.consultation_answers import AnswerSet, answer_set_id
from domain.consultation_contribution import (
    AlreadyEndorsed,
    AlreadyHidden,
    Comment,
    Contribution,
    ContributionKind,
    Endorsement,
    InvalidContribution,
    ItemHidden,
    NotEndorsed,
    NotHidden,
    endorsement_id,
)
from domain.consultation_questions import (
    InvalidAnswers,
    InvalidQuestionnaire,
    Question,
    QuestionKind,
    question_results,
)
from domain.errors import ReasonRequired
from domain.events import Cause

from .given import NOW, assert_caused_by, drained, only_event, refused

DAY = timedelta(days=1)
ORGANISER = Cause(actor="account:clerk", correlation_id="corr-draft")
EARLY = Cause(actor="account:clerk", correlation_id="corr-early", reason="the council asked")
ADA = Cause(actor="account:ada", correlation_id="corr-ada")
MODERATION = Cause(actor="account:mo", correlation_id="corr-mod", reason="insults")
INFORMATION = Phase("Information", NOW + DAY)
CONTRIBUTIONS = Phase("Contributions", NOW + 11 * DAY, frozenset(Activity) - {Activity.ANSWERS})
QUESTIONNAIRE = Phase("Questionnaire", NOW + 21 * DAY, frozenset({Activity.ANSWERS}))
QUESTIONS = [
    Question("mode", "How do you travel?", QuestionKind.SINGLE, (("bus", "Bus"), ("car", "Car"))),
    Question("why", "Why?", QuestionKind.OPEN, required=True),
    Question("needs", "Needs", QuestionKind.MULTIPLE, (("a", "A"), ("b", "B"))),
    Question("order", "Order", QuestionKind.RANKING, (("x", "X"), ("y", "Y"), ("z", "Z"))),
    Question("score", "Score", QuestionKind.SCALE, scale_min=0, scale_max=10),
]
ANSWERS = {"mode": "bus", "why": "No car.", "needs": ["a"], "order": ["z", "x"], "score": 7}


def drafted(phases: list[Phase] | None = None, response_days: int = 60) -> Consultation:
    """Information for a day, contributions for ten, a questionnaire for ten, from NOW."""
    return drained(
        Consultation.draft(
            title="Plan de mobilité du Sillon Lorrain",
            description="What do you need to get around?",
            territory="Sillon Lorrain",
            committee_id=uuid4(),
            opens_at=NOW,
            phases=[INFORMATION, CONTRIBUTIONS, QUESTIONNAIRE] if phases is None else phases,
            questions=QUESTIONS,
            response_days=response_days,
            cause=ORGANISER,
            now=NOW,
        )
    )


def contributed(consultation: Consultation, cause: Cause = ADA) -> Contribution:
    """A proposal submitted during the contributions phase."""
    return drained(
        Contribution.submit(
            consultation=consultation,
            kind=ContributionKind.PROPOSAL,
            title="Bus lanes",
            text="On the A31.",
            themes=["bus"],
            cause=cause,
            now=NOW + 2 * DAY,
        )
    )


def closed(consultation: Consultation | None = None) -> Consultation:
    """Closed early, with a reason."""
    consultation = consultation or drafted()
    for _ in range(consultation.schedule.closure - consultation.schedule.number_at(NOW)):
        consultation.advance_phase(cause=EARLY, now=NOW)
    return drained(consultation)


class TestDrafting:
    def test_records_the_schedule_and_questionnaire(self) -> None:
        """The phases, questions and deadline are the Drafted event's."""
        consultation = Consultation.draft(
            title="T",
            description="D",
            territory="Metz",
            committee_id=uuid4(),
            opens_at=NOW,
            phases=[INFORMATION],
            questions=QUESTIONS,
            response_days=60,
            cause=ORGANISER,
            now=NOW,
        )
        event = only_event(consultation, Consultation.Drafted)
        assert_caused_by(event, ORGANISER)
        assert event.phases == [{"name": "Information", "ends_at": NOW + DAY, "allows": []}]
        assert [q["id"] for q in event.questions] == ["mode", "why", "needs", "order", "score"]
        assert consultation.response_due_at == NOW + DAY + 60 * DAY

    @pytest.mark.parametrize(
        "phases",
        [
            [],
            [Phase("Late", NOW - DAY)],  # ends before it starts
            [CONTRIBUTIONS, INFORMATION],  # out of order
            [Phase("Too far", NOW + 4000 * DAY)],
        ],
    )
    def test_refuses_a_schedule_that_cannot_run(self, phases: list[Phase]) -> None:
        """Phases follow one another, in order, and end in the next ten years."""
        with pytest.raises(InvalidConsultation):
            drafted(phases)

    def test_refuses_a_questionnaire_with_a_choice_question_without_options(self) -> None:
        """A single-choice question needs options."""
        with pytest.raises(InvalidQuestionnaire):
            Consultation.draft(
                title="T",
                description="D",
                territory="Metz",
                committee_id=uuid4(),
                opens_at=NOW,
                phases=[INFORMATION],
                questions=[Question("q", "Q?", QuestionKind.SINGLE)],
                response_days=60,
                cause=ORGANISER,
                now=NOW,
            )


class TestPhases:
    def test_the_clock_decides_the_phase(self) -> None:
        """Before the opening 0, then each phase at its dates, then the closure."""
        schedule = drafted().schedule
        assert schedule.number_at(NOW - DAY) == 0
        assert schedule.number_at(NOW) == 1
        assert schedule.number_at(NOW + DAY) == 2  # a phase's end is the next one's start
        assert schedule.number_at(NOW + 21 * DAY) == 4 == schedule.closure

    @pytest.mark.parametrize(
        ("when", "allowed"),
        [(NOW - DAY, False), (NOW, False), (NOW + 2 * DAY, True), (NOW + 30 * DAY, False)],
    )
    def test_contributions_only_in_a_phase_that_allows_them(
        self, when: datetime, allowed: bool
    ) -> None:
        """Not before the opening, not in the information phase, not once closed."""
        consultation = drafted()

        def submit() -> Contribution:
            return Contribution.submit(
                consultation=consultation,
                kind=ContributionKind.OBSERVATION,
                title="T",
                text="X",
                themes=[],
                cause=ADA,
                now=when,
            )

        if allowed:
            assert submit().consultation_id == consultation.id
        else:
            with pytest.raises(NotAllowedNow):
                submit()

    def test_an_early_change_needs_a_reason_and_moves_the_phase(self) -> None:
        """The next phase begins now; the reason is the event's."""
        consultation = drafted()
        with refused(ReasonRequired, consultation):
            consultation.advance_phase(cause=ADA, now=NOW)
        assert consultation.advance_phase(cause=EARLY, now=NOW) == 2
        event = only_event(consultation, Consultation.PhaseAdvanced)
        assert_caused_by(event, EARLY)
        assert (event.from_phase, event.to_phase) == (1, 2)
        assert consultation.schedule.allows(Activity.CONTRIBUTIONS, NOW + DAY / 2)

    def test_closing_early_moves_the_deadline_and_freezes_contributions(self) -> None:
        """An early closure closes now: no more contributions, the response due from now."""
        consultation = closed()
        assert consultation.status_at(NOW) is Status.CLOSED
        assert consultation.response_due_at == consultation.schedule.closes_at + 60 * DAY
        assert consultation.schedule.closes_at < NOW + 21 * DAY
        with pytest.raises(NotAllowedNow, match="closed"):
            contributed(consultation)
        with refused(AlreadyClosed, consultation):
            consultation.advance_phase(cause=EARLY, now=NOW)


class TestModeration:
    def test_hiding_needs_a_reason_and_is_recorded(self) -> None:
        """Hidden with the moderator's reason; again is refused; shown again with a reason."""
        contribution = contributed(drafted())
        with refused(ReasonRequired, contribution):
            contribution.moderate(hide=True, cause=ADA)
        contribution.moderate(hide=True, cause=MODERATION)
        assert_caused_by(only_event(contribution, Contribution.Hidden), MODERATION)
        with refused(AlreadyHidden, contribution):
            contribution.moderate(hide=True, cause=MODERATION)
        contribution.moderate(hide=False, cause=MODERATION)
        only_event(contribution, Contribution.Unhidden)
        with refused(NotHidden, contribution):
            contribution.moderate(hide=False, cause=MODERATION)

    def test_a_hidden_contribution_takes_no_comment_nor_endorsement(self) -> None:
        """Reactions need a visible contribution."""
        consultation = drafted()
        contribution = contributed(consultation)
        contribution.moderate(hide=True, cause=MODERATION)
        with pytest.raises(ItemHidden):
            Comment.post(
                consultation=consultation,
                contribution=contribution,
                text="Hm",
                cause=ADA,
                now=NOW + 2 * DAY,
            )
        with pytest.raises(ItemHidden):
            Endorsement.give(
                consultation=consultation,
                contribution=contribution,
                participant="account:bob",
                cause=ADA,
                now=NOW + 2 * DAY,
            )

    def test_a_comment_is_hidden_the_same_way(self) -> None:
        """Comments follow the same moderation rule."""
        consultation = drafted()
        comment = drained(
            Comment.post(
                consultation=consultation,
                contribution=contributed(consultation),
                text="Spam",
                cause=ADA,
                now=NOW + 2 * DAY,
            )
        )
        comment.moderate(hide=True, cause=MODERATION)
        assert only_event(comment, Comment.Hidden).contribution_id == comment.contribution_id

    def test_refuses_too_many_or_malformed_themes(self) -> None:
        """Themes are short slugs, at most five, distinct."""
        with pytest.raises(InvalidContribution):
            Contribution.submit(
                consultation=drafted(),
                kind=ContributionKind.PROPOSAL,
                title="T",
                text="X",
                themes=["Not A Slug"],
                cause=ADA,
                now=NOW + 2 * DAY,
            )


class TestEndorsements:
    def test_one_per_participant_withdrawable_and_keyed(self) -> None:
        """The id derives from (contribution, participant); a second is refused; a withdrawn
        one may be given again, only while endorsements are taken."""
        consultation = drafted()
        contribution = contributed(consultation)
        during = NOW + 2 * DAY
        endorsement = drained(
            Endorsement.give(
                consultation=consultation,
                contribution=contribution,
                participant="account:bob",
                cause=ADA,
                now=during,
            )
        )
        assert endorsement.id == endorsement_id(contribution.id, "account:bob")
        with refused(AlreadyEndorsed, endorsement):
            endorsement.give_again(
                consultation=consultation, contribution=contribution, cause=ADA, now=during
            )
        endorsement.withdraw(consultation=consultation, cause=ADA, now=during)
        only_event(endorsement, Endorsement.Withdrawn)
        with refused(NotEndorsed, endorsement):
            endorsement.withdraw(consultation=consultation, cause=ADA, now=during)
        with refused(NotAllowedNow, endorsement):
            endorsement.give_again(
                consultation=consultation, contribution=contribution, cause=ADA, now=NOW + 30 * DAY
            )


class TestAnswerSets:
    def test_one_per_participant_replaced_while_the_phase_takes_answers(self) -> None:
        """The id derives from (consultation, participant); replacing is its next event."""
        consultation = drafted()
        during = NOW + 15 * DAY
        answer_set = drained(
            AnswerSet.submit(
                consultation=consultation,
                participant="account:ada",
                answers=ANSWERS,
                cause=ADA,
                now=during,
            )
        )
        assert answer_set.id == answer_set_id(consultation.id, "account:ada")
        answer_set.replace(
            consultation=consultation, answers={**ANSWERS, "score": 3}, cause=ADA, now=during
        )
        assert only_event(answer_set, AnswerSet.Replaced).answers["score"] == 3
        with refused(NotAllowedNow, answer_set):
            answer_set.replace(
                consultation=consultation, answers=ANSWERS, cause=ADA, now=NOW + 2 * DAY
            )

    @pytest.mark.parametrize(
        "answers",
        [
            {"mode": "bus"},  # the required question unanswered
            {**ANSWERS, "mode": "plane"},
            {**ANSWERS, "needs": []},
            {**ANSWERS, "order": ["x", "x"]},
            {**ANSWERS, "score": 11},
            {**ANSWERS, "score": True},
            {**ANSWERS, "why": 3},
            {**ANSWERS, "unknown": "?"},
        ],
    )
    def test_answers_are_validated_by_question_type(self, answers: dict[str, object]) -> None:
        """Each answer is of its question's type and within its options or bounds."""
        with pytest.raises(InvalidAnswers):
            AnswerSet.submit(
                consultation=drafted(),
                participant="account:ada",
                answers=answers,
                cause=ADA,
                now=NOW + 15 * DAY,
            )

    def test_results_count_distribute_and_rank(self) -> None:
        """Counts per option, a scale's distribution and mean, a ranking's Borda order."""
        mode, _, needs, order, score = QUESTIONS
        assert question_results(mode, ["bus", "car", "bus"], 4)["counts"] == {"bus": 2, "car": 1}
        assert question_results(needs, [["a", "b"], ["b"]], 2)["counts"] == {"a": 1, "b": 2}
        ranked = question_results(order, [["z", "x"], ["x"], ["z", "y", "x"]], 3)
        assert ranked["borda"] == {"x": 3 + 2 + 1, "y": 2, "z": 3 + 3}
        assert ranked["ranking"] == ["z", "x", "y"]  # tied on points, z has more first places
        scale = question_results(score, [7, 3], 2)
        assert (scale["distribution"]["7"], scale["mean"], scale["median"]) == (1, 5, 5.0)


class TestSynthesisAndResponse:
    def test_synthesis_after_the_closure_once(self) -> None:
        """Refused while open; published once closed, with its outcomes; not twice."""
        consultation = drafted()
        outcome = Outcome(uuid4(), OutcomeKind.MERGED, "same as the bus lanes")
        with refused(NotClosed, consultation):
            consultation.publish_synthesis(text="S", outcomes=[outcome], cause=ORGANISER, now=NOW)
        closed(consultation)
        with refused(InvalidSynthesis, consultation):
            consultation.publish_synthesis(
                text="S", outcomes=[outcome, outcome], cause=ORGANISER, now=NOW
            )
        consultation.publish_synthesis(text="S", outcomes=[outcome], cause=ORGANISER, now=NOW)
        event = only_event(consultation, Consultation.SynthesisPublished)
        assert event.outcomes == [outcome.as_event()]
        with refused(AlreadySynthesised, consultation):
            consultation.publish_synthesis(text="S", outcomes=[], cause=ORGANISER, now=NOW)

    def test_response_follows_the_synthesis_cites_decisions_and_is_given_once(self) -> None:
        """Refused before the synthesis and without a decision; given once; no longer overdue."""
        consultation = closed()
        decision = uuid4()
        with refused(SynthesisRequired, consultation):
            consultation.respond(text="R", decision_ids=[decision], cause=ORGANISER)
        consultation.publish_synthesis(text="S", outcomes=[], cause=ORGANISER, now=NOW)
        drained(consultation)
        with refused(InvalidResponse, consultation):
            consultation.respond(text="R", decision_ids=[], cause=ORGANISER)
        consultation.respond(text="R", decision_ids=[decision], cause=ORGANISER)
        assert only_event(consultation, Consultation.Responded).decision_ids == [str(decision)]
        assert consultation.status_at(NOW) is Status.ANSWERED
        with refused(ConsultationAnswered, consultation):
            consultation.respond(text="R", decision_ids=[decision], cause=ORGANISER)

    def test_the_response_deadline_counts_from_the_closure(self) -> None:
        """Due `response_days` after the last phase ends, or after an early closure."""
        on_schedule = drafted(response_days=30)
        assert on_schedule.response_due_at == NOW + 21 * DAY + 30 * DAY
        early = closed(drafted(response_days=30))
        assert early.response_due_at == early.schedule.closes_at + 30 * DAY
        with pytest.raises(InvalidConsultation):
            drafted(response_days=400)
