"""One participant's answers to a consultation's questionnaire: a small aggregate keyed by
(consultation, participant).

Its id derives from the pair, so the event store's unique key refuses a second answer set
recorded concurrently; replacing the answers while the phase takes them is the same aggregate's
next event, and the previous answers stay in its history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.consultation import Consultation
from domain.events import Cause, CivicAggregate


def answer_set_id(consultation_id: UUID, participant: str) -> UUID:
    """The deterministic id of `participant`'s answer set in the consultation."""
    return uuid5(NAMESPACE_URL, f"civic-ledger:answer-set:{consultation_id}:{participant}")


class AnswerSet(CivicAggregate):
    """Submitted, then replaced as often as wished while the phase takes answers."""

    class Event(CivicAggregate.Event):
        """Any event of an answer set; each names its consultation."""

        consultation_id: UUID

    class Submitted(Event, CivicAggregate.Created):
        """`participant`'s answers, question id -> answer."""

        participant: str
        answers: dict[str, Any]

    class Replaced(Event):
        """The participant replaced the answers; the previous ones stay in the history."""

        answers: dict[str, Any]

    @classmethod
    def submit(
        cls,
        *,
        consultation: Consultation,
        participant: str,
        answers: dict[str, Any],
        cause: Cause,
        now: datetime,
    ) -> AnswerSet:
        """A first answer set by `participant`, while the phase takes answers."""
        consultation.check_answers(answers, now)
        return cls(
            consultation_id=consultation.id,
            participant=participant,
            answers=dict(answers),
            **cause.fields(),
        )

    @staticmethod
    def create_id(consultation_id: UUID, participant: str, **_: object) -> UUID:
        """Used by the library to give the aggregate its deterministic id."""
        return answer_set_id(consultation_id, participant)

    @event(Submitted)
    def __init__(
        self,
        *,
        consultation_id: UUID,
        participant: str,
        answers: dict[str, Any],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.consultation_id = consultation_id
        self.participant = participant
        self.answers = answers

    def replace(
        self,
        *,
        consultation: Consultation,
        answers: dict[str, Any],
        cause: Cause,
        now: datetime,
    ) -> None:
        """Replace every answer, while the phase takes answers."""
        consultation.check_answers(answers, now)
        self._replaced(
            consultation_id=self.consultation_id, answers=dict(answers), **cause.fields()
        )

    @event(Replaced)
    def _replaced(
        self,
        *,
        consultation_id: UUID,
        answers: dict[str, Any],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.answers = answers
